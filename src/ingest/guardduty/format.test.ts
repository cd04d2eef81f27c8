import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELASTIC, ecsGet, readExpected } from '../../../test/helpers/corpus.js';
import { parseTextWith } from '../file-parse.js';
import type { LogRecord, ParseIssue, SniffInput } from '../types.js';
import { guarddutyFormat } from './format.js';

const LOG = join(ELASTIC, 'guardduty/test-guardduty.log');
const NEWER_LOG = join(ELASTIC, 'guardduty/newer-log-version/test-guardduty.log');

const remote = (ip: string) => ({
  ipAddressV4: ip,
  organization: { asn: '64496', asnOrg: 'Example Transit', isp: 'Example ISP', org: 'Example Org' },
  country: { countryName: 'Netherlands' },
  city: { cityName: 'Amsterdam' },
  geoLocation: { lat: 52.37, lon: 4.89 },
});

const base = (id: string, type: string) => ({
  schemaVersion: '2.0',
  accountId: '111122223333',
  region: 'eu-west-1',
  partition: 'aws',
  id,
  arn: `arn:aws:guardduty:eu-west-1:111122223333:detector/12abc34d567e8fa901bc2d34eexample/finding/${id}`,
  type,
});

/** IAM finding: API call from a Tor exit node with a user's access key. */
const API_CALL = {
  ...base('a1b2c3d4e5f60718293a4b5c6d7e8f90', 'UnauthorizedAccess:IAMUser/TorIPCaller'),
  resource: {
    resourceType: 'AccessKey',
    accessKeyDetails: {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      principalId: 'AIDACKCEVSQ6C2EXAMPLE',
      userName: 'ci-deployer',
      userType: 'IAMUser',
    },
  },
  service: {
    serviceName: 'guardduty',
    detectorId: '12abc34d567e8fa901bc2d34eexample',
    action: {
      actionType: 'AWS_API_CALL',
      awsApiCallAction: {
        api: 'ListBuckets',
        serviceName: 's3.amazonaws.com',
        callerType: 'Remote IP',
        remoteIpDetails: remote('198.51.100.23'),
        affectedResources: {},
      },
    },
    resourceRole: 'TARGET',
    additionalInfo: {},
    evidence: { threatIntelligenceDetails: [{ threatListName: 'TorExitNodes', threatNames: [] }] },
    eventFirstSeen: '2024-03-01T10:00:00.000Z',
    eventLastSeen: '2024-03-01T10:05:00.000Z',
    archived: false,
    count: 3,
  },
  severity: 5,
  createdAt: '2024-03-01T10:06:12.345Z',
  updatedAt: '2024-03-01T10:20:00.000Z',
  title: 'API ListBuckets was invoked from a Tor exit node IP address.',
  description: 'API ListBuckets was invoked from Tor exit node IP address 198.51.100.23.',
};

/** EC2 finding: inbound SSH brute force, network connection action. */
const NETWORK = {
  ...base('b2c3d4e5f60718293a4b5c6d7e8f90a1', 'UnauthorizedAccess:EC2/SSHBruteForce'),
  resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0abcdef1234567890' } },
  service: {
    serviceName: 'guardduty',
    action: {
      actionType: 'NETWORK_CONNECTION',
      networkConnectionAction: {
        connectionDirection: 'INBOUND',
        protocol: 'TCP',
        blocked: false,
        localPortDetails: { port: 22, portName: 'SSH' },
        remoteIpDetails: remote('203.0.113.77'),
        remotePortDetails: { port: 50122, portName: 'Unknown' },
      },
    },
    resourceRole: 'TARGET',
    count: 41,
  },
  severity: 2,
  createdAt: '2024-03-02T08:00:00.000Z',
  updatedAt: '2024-03-02T14:00:00.000Z',
  title: '203.0.113.77 is performing SSH brute force attacks against i-0abcdef1234567890.',
};

/** EC2 finding: port probe; the remote address sits in portProbeDetails[]. */
const PORT_PROBE = {
  ...base('c3d4e5f60718293a4b5c6d7e8f90a1b2', 'Recon:EC2/PortProbeUnprotectedPort'),
  resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0abcdef1234567890' } },
  service: {
    action: {
      actionType: 'PORT_PROBE',
      portProbeAction: {
        blocked: false,
        portProbeDetails: [
          { localPortDetails: { port: 9200, portName: 'Elasticsearch' }, remoteIpDetails: remote('192.0.2.201') },
        ],
      },
    },
  },
  severity: 8,
  createdAt: '2024-03-03T00:00:00.000Z',
};

/** An IPv6 caller. */
const IPV6 = {
  ...API_CALL,
  id: 'd4e5f60718293a4b5c6d7e8f90a1b2c3',
  service: {
    action: {
      actionType: 'AWS_API_CALL',
      awsApiCallAction: { api: 'GetObject', remoteIpDetails: { ipAddressV6: '2001:db8::beef' } },
    },
  },
};

/** The API / CLI spelling: PascalCase members inside `{"Findings":[…]}`. */
const PASCAL = {
  SchemaVersion: '2.0',
  AccountId: '111122223333',
  Region: 'eu-west-1',
  Id: 'e5f60718293a4b5c6d7e8f90a1b2c3d4',
  Type: 'Recon:IAMUser/MaliciousIPCaller',
  Resource: { ResourceType: 'AccessKey', AccessKeyDetails: { UserName: 'auditor', AccessKeyId: 'AKIAEXAMPLE' } },
  Service: {
    Action: {
      ActionType: 'AWS_API_CALL',
      AwsApiCallAction: { Api: 'DescribeInstances', RemoteIpDetails: { IpAddressV4: '198.51.100.99' } },
    },
  },
  Severity: 5,
  CreatedAt: '2024-03-04T09:00:00.000Z',
  UpdatedAt: '2024-03-04T09:30:00.000Z',
};

const eventBridge = (detail: unknown, detailType = 'GuardDuty Finding') => ({
  version: '0',
  id: 'c8d1f0a2-7a3b-4e4f-9c1d-2e3f4a5b6c7d',
  'detail-type': detailType,
  source: 'aws.guardduty',
  account: '111122223333',
  time: '2024-03-01T10:20:05Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

function parse(text: string, file = 'gd.json'): { records: LogRecord[]; errors: ParseIssue[] } {
  return parseTextWith(guarddutyFormat, text, { file });
}

describe('GuardDuty findings — Elastic fixtures', () => {
  it('parses test-guardduty.log with zero errors and matches the expected aws.guardduty.* originals', () => {
    const { records, errors } = parse(readFileSync(LOG, 'utf8'), LOG);
    expect(errors).toEqual([]);
    const expected = readExpected(LOG);
    // The last line `{"findings":[]}` yields no record (expected null) and no error.
    expect(expected.at(-1)).toBeNull();
    const docs = expected.filter((d) => d !== null);
    expect(records).toHaveLength(docs.length);
    expect(records).toHaveLength(4);
    records.forEach((r, i) => {
      const doc = docs[i]!;
      const f = r.fields as Record<string, unknown>;
      const g = (p: string) => ecsGet(doc, `aws.guardduty.${p}`);
      expect(f).toEqual(JSON.parse(ecsGet(doc, 'event.original') as string));
      expect(r.origin).toEqual({ file: LOG, line: i + 1 });
      expect(f.id).toBe(g('id'));
      expect(f.type).toBe(g('type'));
      expect(f.severity).toBe(g('severity.code'));
      expect(f.accountId).toBe(g('account_id'));
      expect(f.region).toBe(g('region'));
      expect(f.partition).toBe(g('partition'));
      expect(f.arn).toBe(g('arn'));
      expect(f.schemaVersion).toBe(g('schema_version'));
      expect(f.createdAt).toBe(g('created_at'));
      expect(f.updatedAt).toBe(g('updated_at'));
      expect(f.title).toBe(g('title'));
      expect(f.description).toBe(g('description'));
      const resource = f.resource as Record<string, unknown>;
      expect(resource.resourceType).toBe(g('resource.type'));
      const service = f.service as Record<string, unknown> & { action: { actionType: string } };
      expect(service.count).toBe(g('service.count'));
      expect(service.detectorId).toBe(g('service.detector_id'));
      expect(service.archived).toBe(g('service.archived'));
      expect(service.resourceRole).toBe(g('service.resource_role'));
      expect(service.serviceName).toBe(g('service.service_name'));
      expect(service.action.actionType).toBe(g('service.action.type'));
      expect(service.eventFirstSeen).toBe(g('service.event.first_seen'));
      expect(service.eventLastSeen).toBe(g('service.event.last_seen'));
      expect(new Date(r.time).toISOString()).toBe(ecsGet(doc, '@timestamp'));
      // Elastic lists the remote address under source.ip (or only source.address when it skips the IP mapping).
      const ips = (ecsGet(doc, 'source.ip') ?? ecsGet(doc, 'source.address')) as string[] | undefined;
      expect(r.sourceIp).toBe(ips?.[0]);
      const users = ecsGet(doc, 'user.name') as string[] | undefined;
      if (users === undefined) expect(r.actor).toBeUndefined();
      else expect(users).toContain(r.actor);
    });
    // Finding-specific helpers.
    expect(records[0]!.sourceIp).toBeUndefined(); // DNS_REQUEST has no remote IP
    expect(records[1]!.actor).toBe('system:anonymous'); // Kubernetes user
    expect(records[2]!.actor).toBe('GeneratedFindingUserName'); // access key user name
    expect(records[3]!.actor).toBe('GeneratedFindingUserName'); // RDS database user
  });

  it('parses the newer fixture (Runtime Monitoring finding) with zero errors', () => {
    const { records, errors } = parse(readFileSync(NEWER_LOG, 'utf8'), NEWER_LOG);
    expect(errors).toEqual([]);
    expect(records.map((r) => r.fields.type)).toEqual([
      'Trojan:EC2/BlackholeTraffic!DNS',
      'Persistence:Kubernetes/SuccessfulAnonymousAccess',
      'Discovery:Kubernetes/TorIPCaller',
      'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin',
      'PrivilegeEscalation:Runtime/DockerSocketAccessed',
    ]);
    const runtime = records[4]!;
    expect(runtime.time).toBe(Date.parse('2024-10-04T04:09:13.066Z'));
    expect(runtime.sourceIp).toBeUndefined(); // `action: {}`
    expect(runtime.actor).toBeUndefined();
    expect((runtime.fields.resource as Record<string, unknown>).resourceType).toBe('Container');
  });
});

describe('GuardDuty findings — delivery shapes and helpers', () => {
  it('NDJSON export: time = updatedAt, remote IP and access-key user from the action and resource', () => {
    const { records, errors } = parse([API_CALL, NETWORK, PORT_PROBE, IPV6].map((f) => JSON.stringify(f)).join('\n'));
    expect(errors).toEqual([]);
    expect(records.map((r) => [r.fields.type, r.sourceIp, r.actor, new Date(r.time).toISOString()])).toEqual([
      ['UnauthorizedAccess:IAMUser/TorIPCaller', '198.51.100.23', 'ci-deployer', '2024-03-01T10:20:00.000Z'],
      ['UnauthorizedAccess:EC2/SSHBruteForce', '203.0.113.77', undefined, '2024-03-02T14:00:00.000Z'],
      // No updatedAt: createdAt.
      ['Recon:EC2/PortProbeUnprotectedPort', '192.0.2.201', undefined, '2024-03-03T00:00:00.000Z'],
      ['UnauthorizedAccess:IAMUser/TorIPCaller', '2001:db8::beef', 'ci-deployer', '2024-03-01T10:20:00.000Z'],
    ]);
    expect(records[0]!.fields).toEqual(API_CALL);
    expect(records.map((r) => r.origin)).toEqual([1, 2, 3, 4].map((line) => ({ file: 'gd.json', line })));
  });

  it('EventBridge "GuardDuty Finding" event: the record is its detail', () => {
    const { records, errors } = parse(JSON.stringify(eventBridge(NETWORK)));
    expect(errors).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]!.fields).toEqual(NETWORK);
    expect(records[0]!.sourceIp).toBe('203.0.113.77');
  });

  it('wrapped and array shapes, pretty-printed, with per-record indexes', () => {
    const pretty = JSON.stringify({ findings: [API_CALL, NETWORK] }, null, 2);
    const array = JSON.stringify([PORT_PROBE, eventBridge(IPV6)]);
    const pascal = JSON.stringify({ Findings: [PASCAL] });
    const { records, errors } = parse([pretty, array, pascal].join('\n'));
    expect(errors).toEqual([]);
    expect(records.map((r) => [r.origin.index, r.fields.id ?? r.fields.Id])).toEqual([
      [0, API_CALL.id],
      [1, NETWORK.id],
      [0, PORT_PROBE.id],
      [1, IPV6.id],
      [0, PASCAL.Id],
    ]);
    const p = records[4]!;
    expect(p.fields).toEqual(PASCAL); // kept in the API's spelling
    expect(p.sourceIp).toBe('198.51.100.99');
    expect(p.actor).toBe('auditor');
    expect(p.time).toBe(Date.parse('2024-03-04T09:30:00.000Z'));
  });
});

describe('GuardDuty findings — bad input', () => {
  it('reports bad records and lines with file, line and reason and keeps the rest', () => {
    const lines = [
      JSON.stringify(API_CALL),
      JSON.stringify({ findings: [NETWORK, 42, { id: 'x' }] }),
      JSON.stringify(eventBridge(NETWORK, 'AWS API Call via CloudTrail')),
      JSON.stringify({ ...NETWORK, updatedAt: 'not a date' }),
      JSON.stringify({ ...NETWORK, updatedAt: undefined, createdAt: undefined }),
      '\u0000\u0001 garbage \u00ff',
      JSON.stringify(PORT_PROBE),
      // A cut-off document is only known to be incomplete at the end of the input (the framer reads multi-line JSON).
      '{"schemaVersion":"2.0","id":',
    ];
    const { records, errors } = parse(lines.join('\n'));
    expect(records.map((r) => [r.origin.line, r.origin.index])).toEqual([
      [1, undefined],
      [2, 0],
      [7, undefined],
    ]);
    expect(errors).toEqual([
      { file: 'gd.json', line: 2, reason: 'record 1: expected a GuardDuty finding object, got number 42' },
      { file: 'gd.json', line: 2, reason: 'record 2: not a GuardDuty finding: missing id or type' },
      {
        file: 'gd.json',
        line: 3,
        reason: 'EventBridge event is not a GuardDuty finding (detail-type "AWS API Call via CloudTrail")',
      },
      { file: 'gd.json', line: 4, reason: `finding ${NETWORK.id}: invalid updatedAt "not a date"` },
      { file: 'gd.json', line: 5, reason: `finding ${NETWORK.id} has neither updatedAt nor createdAt` },
      { file: 'gd.json', line: 6, reason: 'not JSON: unexpected byte 0x00 at start of line' },
      { file: 'gd.json', line: 8, reason: 'truncated JSON: unexpected end of input' },
    ]);
  });

  it('value(): any JSON value yields exactly one record or one error, never an exception (property)', () => {
    const parser = guarddutyFormat.open({ file: 'p.json', options: {} });
    const shaped = fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer()),
        type: fc.string(),
        updatedAt: fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.double(),
        ),
        createdAt: fc.jsonValue(),
        resource: fc.jsonValue(),
        service: fc.oneof(fc.jsonValue(), fc.constant(API_CALL.service), fc.constant(PORT_PROBE.service)),
        'detail-type': fc.constantFrom('GuardDuty Finding', 'Other'),
        detail: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), shaped), (value) => {
        let count = 0;
        const sink = { record: () => count++, error: () => count++ };
        parser.value!(value, { line: 1, index: undefined }, sink);
        expect(count).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  it('mutated NDJSON never makes the parser throw (property)', () => {
    const good = [API_CALL, NETWORK, PORT_PROBE].map((f) => JSON.stringify(f));
    const mutated = fc
      .tuple(fc.constantFrom(...good), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
      .map(([line, a, b, ins]) => {
        const i = a % line.length;
        return line.slice(0, i) + ins + line.slice(Math.min(line.length, i + (b % 12)));
      });
    fc.assert(
      fc.property(fc.array(fc.oneof(mutated, fc.string({ unit: 'binary' })), { maxLength: 6 }), (lines) => {
        const { records, errors } = parse(lines.join('\n'));
        expect(errors.filter((e) => e.reason.startsWith('parser failure'))).toEqual([]);
        for (const r of records) expect(Number.isFinite(r.time)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('GuardDuty findings — sniffing', () => {
  const sniff = (head: string) =>
    guarddutyFormat.sniff({ firstLine: head.split('\n').find((l) => l.trim() !== '') ?? '', head, path: '' });

  it('is confident on findings in every delivery shape', () => {
    expect(sniff(readFileSync(LOG, 'utf8'))).toBeGreaterThanOrEqual(0.9);
    expect(sniff(JSON.stringify({ findings: [API_CALL] }, null, 2))).toBeGreaterThanOrEqual(0.9);
    expect(sniff(JSON.stringify([NETWORK]))).toBeGreaterThanOrEqual(0.9);
    expect(sniff(JSON.stringify(eventBridge(NETWORK)))).toBeGreaterThanOrEqual(0.9);
    expect(sniff(JSON.stringify({ Findings: [PASCAL] }))).toBeGreaterThanOrEqual(0.9);
    expect(sniff('{"findings":[]}\n')).toBeGreaterThanOrEqual(0.5);
  });

  it('returns 0 for every other format in the corpus, including CloudTrail records about GuardDuty', () => {
    for (const { path, input } of otherFormatSamples('guardduty')) {
      expect(guarddutyFormat.sniff(input), path).toBe(0);
    }
    expect(sniff(JSON.stringify(eventBridge({ eventVersion: '1.08' }, 'AWS API Call via CloudTrail')))).toBe(0);
  });
});

function otherFormatSamples(skipDir: string): { path: string; input: SniffInput }[] {
  const files = (readdirSync(ELASTIC, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.log') && !f.startsWith(`${skipDir}/`),
  );
  return files.map((f) => {
    const head = readFileSync(join(ELASTIC, f), 'utf8').slice(0, 65536);
    const firstLine = head.split('\n').find((l) => l.trim() !== '') ?? '';
    return { path: f, input: { firstLine, head, path: f } };
  });
}
