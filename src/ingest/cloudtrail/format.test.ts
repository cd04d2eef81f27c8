import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CORPORA, ELASTIC, ecsGet, readExpected } from '../../../test/helpers/corpus.js';
import { parseTextWith } from '../file-parse.js';
import type { LogRecord, ParseIssue } from '../types.js';
import {
  cloudtrailActor,
  cloudtrailFormat,
  cloudtrailSourceIp,
  cloudtrailTime,
  compareEventVersion,
  isError,
  isInstanceCredential,
  isRoot,
  isTemporaryCredential,
  sniffCloudTrail,
} from './format.js';

const ELASTIC_CT = join(ELASTIC, 'cloudtrail');
const STRATUS = join(CORPORA, 'cloudtrail/stratus');
const OTRF = join(CORPORA, 'cloudtrail/otrf/ec2_proxy_s3_exfiltration_2020-09-14011940.json');

type Obj = Record<string, unknown>;

function parse(text: string, file = 'ct.json') {
  return parseTextWith(cloudtrailFormat, text, { file });
}

function sniff(text: string, path = 'input'): number {
  const firstLine =
    text
      .split('\n')
      .map((l) => l.replace(/\r$/, '').replace(/^\uFEFF/, ''))
      .find((l) => l.trim() !== '') ?? '';
  return sniffCloudTrail({ firstLine, head: text.slice(0, 64 * 1024), path });
}

const stratusFiles = readdirSync(STRATUS).filter((f) => f.endsWith('.json'));
const stratusRecords: Obj[] = stratusFiles.flatMap((f) => JSON.parse(readFileSync(join(STRATUS, f), 'utf8')) as Obj[]);
const byType = (type: string) =>
  stratusRecords.find((r) => (r.userIdentity as Obj | undefined)?.type === type && r.errorCode === undefined)!;
const USER = byType('IAMUser');
const ROLE = byType('AssumedRole');
const FED = byType('FederatedUser');

/** A copy without empty objects and empty strings, as Elastic's ingest pipeline leaves its flattened fields. */
function dropEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropEmpty);
  if (v === null || typeof v !== 'object') return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v as Obj)) {
    const y = dropEmpty(x);
    if (y === '' || (y !== null && typeof y === 'object' && !Array.isArray(y) && Object.keys(y).length === 0)) continue;
    out[k] = y;
  }
  return out;
}

/** The parsed fields of each record, for comparing delivery shapes. */
const fieldsOf = (records: LogRecord[]) => records.map((r) => r.fields);

describe('CloudTrail — Elastic fixtures (conformance)', () => {
  const logs = readdirSync(ELASTIC_CT).filter((f) => f.endsWith('.log'));

  it('has the eight CloudTrail fixtures', () => {
    expect(logs).toHaveLength(8);
  });

  for (const name of logs) {
    it(`${name}: zero errors, fields equal the expected documents' originals`, () => {
      const path = join(ELASTIC_CT, name);
      const { records, errors } = parse(readFileSync(path, 'utf8'), path);
      expect(errors).toEqual([]);
      // Documents without event.original come from a trailing blank line in an older version (corpus README).
      const expected = readExpected(path).filter((d) => d !== null && ecsGet(d, 'event.original') !== undefined);
      expect(records).toHaveLength(expected.length);
      records.forEach((r, i) => {
        const doc = expected[i]!;
        const f = r.fields;
        const ui = (f.userIdentity ?? {}) as Obj;
        const issuer = ((ui.sessionContext as Obj | undefined)?.sessionIssuer ?? {}) as Obj;
        // The record is kept exactly as written.
        expect(f).toEqual(JSON.parse(ecsGet(doc, 'event.original') as string));
        expect(r.origin).toEqual({ file: path, line: i + 1, index: undefined });
        expect(new Date(r.time).toISOString()).toBe(ecsGet(doc, '@timestamp'));
        // Each ECS field the document holds maps to one native field.
        const pairs: [string, unknown][] = [
          ['event.action', f.eventName],
          ['event.provider', f.eventSource],
          ['event.id', f.eventID],
          ['cloud.region', f.awsRegion],
          ['cloud.account.id', ui.accountId],
          ['source.address', f.sourceIPAddress],
          ['source.ip', r.sourceIp],
          ['user_agent.original', f.userAgent],
          ['user.id', ui.principalId],
          ['aws.cloudtrail.event_version', f.eventVersion],
          ['aws.cloudtrail.event_type', f.eventType],
          ['aws.cloudtrail.event_category', f.eventCategory],
          ['aws.cloudtrail.read_only', f.readOnly],
          ['aws.cloudtrail.recipient_account_id', f.recipientAccountId],
          ['aws.cloudtrail.request_id', f.requestID],
          ['aws.cloudtrail.error_code', f.errorCode],
          ['aws.cloudtrail.error_message', f.errorMessage],
          ['aws.cloudtrail.user_identity.arn', ui.arn],
          ['aws.cloudtrail.user_identity.type', ui.type],
          ['aws.cloudtrail.user_identity.access_key_id', ui.accessKeyId],
          ['aws.cloudtrail.user_identity.invoked_by', ui.invokedBy],
          ['aws.cloudtrail.user_identity.session_context.session_issuer.arn', issuer.arn],
          ['aws.cloudtrail.user_identity.session_context.session_issuer.type', issuer.type],
          ['aws.cloudtrail.user_identity.session_context.session_issuer.principal_id', issuer.principalId],
          ['aws.cloudtrail.user_identity.session_context.session_issuer.account_id', issuer.accountId],
          // Deliberate difference: Elastic's pipeline drops empty values ({} and "") from the flattened copies.
          ['aws.cloudtrail.flattened.request_parameters', dropEmpty(f.requestParameters)],
          ['aws.cloudtrail.flattened.response_elements', dropEmpty(f.responseElements)],
          ['aws.cloudtrail.flattened.additional_eventdata', dropEmpty(f.additionalEventData)],
          ['tls.cipher', (f.tlsDetails as Obj | undefined)?.cipherSuite],
          ['tls.client.server_name', (f.tlsDetails as Obj | undefined)?.clientProvidedHostHeader],
        ];
        let compared = 0;
        for (const [ecs, native] of pairs) {
          const want = ecsGet(doc, ecs);
          if (want === undefined) continue;
          expect(native, `${name} #${i} ${ecs}`).toEqual(want);
          compared++;
        }
        expect(compared).toBeGreaterThanOrEqual(12);
        // Deliberate differences: ECS renames resource members and renders creationDate with milliseconds.
        const resources = ecsGet(doc, 'aws.cloudtrail.resources') as Obj[] | undefined;
        if (resources) {
          expect((f.resources as Obj[]).map((x) => ({ account_id: x.accountId, arn: x.ARN, type: x.type }))).toEqual(
            resources,
          );
        }
        const created = ecsGet(doc, 'aws.cloudtrail.user_identity.session_context.creation_date');
        if (created !== undefined) {
          const attrs = (ui.sessionContext as Obj).attributes as Obj;
          expect(Date.parse(attrs.creationDate as string)).toBe(Date.parse(created as string));
        }
        // Elastic's actor entity is the identity ARN; ours is the same for IAM users.
        const actorIds = ecsGet(doc, 'actor.entity.id') as string[] | undefined;
        if (actorIds && ui.type === 'IAMUser') expect(actorIds).toContain(r.actor);
      });
    });
  }

  it('derives the assumed-role actor from the issuer ARN and the session name', () => {
    const path = join(ELASTIC_CT, 'test-console-login-json.log');
    const { records } = parse(readFileSync(path, 'utf8'), path);
    expect(records.map((r) => r.actor)).toEqual([
      'arn:aws:iam::111122223333:user/JohnDoe',
      'arn:aws:iam::111122223333:user/JaneDoe',
      // The session name comes from the assumed-role ARN (the principalId names another session in this sample).
      'arn:aws:iam::123456789012:role/RoleToBeAssumed/MySessionName',
    ]);
  });
});

describe('CloudTrail — corpora', () => {
  it('Stratus Red Team: every file parses, exactly 310 records, zero errors, records kept as written', () => {
    let total = 0;
    for (const f of stratusFiles) {
      const path = join(STRATUS, f);
      const text = readFileSync(path, 'utf8');
      const { records, errors } = parse(text, path);
      expect(errors, f).toEqual([]);
      const original = JSON.parse(text) as Obj[];
      expect(fieldsOf(records)).toEqual(original);
      expect(records.map((r) => r.origin.index)).toEqual(original.map((_, i) => i));
      // Pretty-printed: each record carries the line of its opening brace.
      const lines = text.split('\n');
      for (const r of records) expect(lines[r.origin.line - 1]).toBe('   {');
      for (const r of records) {
        expect(r.time).toBe(Date.parse(r.fields.eventTime as string));
        expect(r.sourceIp).toBe(r.fields.sourceIPAddress);
        expect(r.actor).toBeDefined();
      }
      total += records.length;
    }
    expect(stratusFiles).toHaveLength(35);
    expect(total).toBe(310);
  });

  it('OTRF NDJSON with Logstash extras: 103 records, zero errors, eventTime restored from @timestamp', () => {
    const text = readFileSync(OTRF, 'utf8');
    const { records, errors } = parse(text, OTRF);
    expect(errors).toEqual([]);
    expect(records).toHaveLength(103);
    const originals = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Obj);
    records.forEach((r, i) => {
      const o = originals[i]!;
      const { '@timestamp': ts, '@version': _v, ...rest } = o;
      expect(r.fields).toEqual({ ...rest, eventTime: (ts as string).replace('.000Z', 'Z') });
      expect(r.fields['@timestamp']).toBeUndefined();
      expect(r.fields['@version']).toBeUndefined();
      expect(r.time).toBe(Date.parse(ts as string));
      expect(r.origin.line).toBe(i + 1);
    });
    // Calls made by EC2 on the instance's behalf: a service name, not an IP; the actor is the service.
    const service = records.filter((r) => (r.fields.userIdentity as Obj).type === 'AWSService');
    expect(service).toHaveLength(5);
    for (const r of service) {
      expect(r.fields.sourceIPAddress).toBe('ec2.amazonaws.com');
      expect(r.sourceIp).toBeUndefined();
      expect(r.actor).toBe((r.fields.userIdentity as Obj).invokedBy);
    }
    expect(records.filter((r) => r.sourceIp !== undefined)).toHaveLength(98);
  });
});

describe('CloudTrail — delivery shapes (logs.md §1.3)', () => {
  const three = [USER, ROLE, FED];

  it('a) S3 files {"Records":[…]}: one line, pretty-printed, and empty', () => {
    const one = parse(JSON.stringify({ Records: three }));
    expect(one.errors).toEqual([]);
    expect(fieldsOf(one.records)).toEqual(three);
    expect(one.records.map((r) => [r.origin.line, r.origin.index])).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    const pretty = parse(JSON.stringify({ Records: three }, null, 2));
    expect(pretty.errors).toEqual([]);
    expect(fieldsOf(pretty.records)).toEqual(three);
    expect(parse('{"Records":[]}')).toEqual({ records: [], errors: [] });
  });

  it('b) NDJSON and c) bare arrays', () => {
    const nd = parse(three.map((r) => JSON.stringify(r)).join('\n'));
    expect(nd.errors).toEqual([]);
    expect(fieldsOf(nd.records)).toEqual(three);
    expect(nd.records.map((r) => r.origin.line)).toEqual([1, 2, 3]);
    const arr = parse(JSON.stringify(three));
    expect(arr.errors).toEqual([]);
    expect(fieldsOf(arr.records)).toEqual(three);
  });

  it('d) EventBridge "AWS API Call via CloudTrail" and its siblings: the record is detail', () => {
    const envelope = (detailType: string, detail: Obj) => ({
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': detailType,
      source: `aws.${String(detail.eventSource).split('.')[0]}`,
      account: '123456789012',
      time: detail.eventTime,
      region: 'us-east-1',
      resources: [],
      detail,
    });
    const text = [
      envelope('AWS API Call via CloudTrail', USER),
      envelope('AWS Console Sign In via CloudTrail', ROLE),
      envelope('AWS Service Event via CloudTrail', FED),
    ]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const r = parse(text);
    expect(r.errors).toEqual([]);
    expect(fieldsOf(r.records)).toEqual(three);
    const gd = parse(JSON.stringify({ ...envelope('GuardDuty Finding', USER), detail: { schemaVersion: '2.0' } }));
    expect(gd.records).toEqual([]);
    expect(gd.errors).toEqual([
      {
        file: 'ct.json',
        line: 1,
        reason: 'EventBridge event "GuardDuty Finding" does not carry a CloudTrail record in "detail"',
      },
    ]);
  });

  const payload = (records: Obj[], messageType = 'DATA_MESSAGE') => ({
    messageType,
    owner: '123456789012',
    logGroup: 'aws-cloudtrail-logs-123456789012',
    logStream: '123456789012_CloudTrail_us-east-1',
    subscriptionFilters: ['to-vigil'],
    logEvents: records.map((rec, i) => ({
      id: `${i}`,
      timestamp: Date.parse(rec.eventTime as string),
      message: JSON.stringify(rec),
    })),
  });
  const control = {
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudwatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
  };

  it('e) CloudWatch Logs subscription payloads; CONTROL_MESSAGE skipped without error; Firehose concatenation', () => {
    const r = parse(JSON.stringify(payload(three)));
    expect(r.errors).toEqual([]);
    expect(fieldsOf(r.records)).toEqual(three);
    expect(r.records.map((x) => x.origin.index)).toEqual([0, 1, 2]);
    expect(parse(JSON.stringify(control))).toEqual({ records: [], errors: [] });
    // Firehose writes the decompressed payloads back to back.
    const firehose = parse([payload([USER]), control, payload([ROLE, FED])].map((p) => JSON.stringify(p)).join(''));
    expect(firehose.errors).toEqual([]);
    expect(fieldsOf(firehose.records)).toEqual(three);
    // Pretty-printed (streamed member by member).
    const pretty = parse(JSON.stringify(payload(three), null, 2));
    expect(pretty.errors).toEqual([]);
    expect(fieldsOf(pretty.records)).toEqual(three);
  });

  it('e) Lambda events {"awslogs":{"data":"<base64 gzip>"}}', () => {
    const wrap = (p: unknown) => ({ awslogs: { data: gzipSync(JSON.stringify(p)).toString('base64') } });
    const r = parse([wrap(payload(three)), wrap(control)].map((e) => JSON.stringify(e)).join('\n'));
    expect(r.errors).toEqual([]);
    expect(fieldsOf(r.records)).toEqual(three);
    expect(r.records.map((x) => x.origin)).toEqual([0, 1, 2].map((i) => ({ file: 'ct.json', line: 1, index: i })));
    const bad = parse(JSON.stringify({ awslogs: { data: 'bm90IGd6aXA=' } }));
    expect(bad.records).toEqual([]);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]!.reason).toMatch(/^awslogs\.data is not base64 gzip JSON: /);
  });

  it('e) CloudWatch Logs export lines (<ISO timestamp> <record>)', () => {
    const text = `${three.map((rec) => `${String(rec.eventTime).replace('Z', '.000Z')} ${JSON.stringify(rec)}`).join('\n')}\n`;
    const r = parse(text);
    expect(r.errors).toEqual([]);
    expect(fieldsOf(r.records)).toEqual(three);
    expect(r.records.map((x) => x.origin.line)).toEqual([1, 2, 3]);
  });

  it('f) LookupEvents output: CloudTrailEvent is the record as a JSON string', () => {
    const lookup = {
      Events: three.map((rec) => ({
        EventId: rec.eventID,
        EventName: rec.eventName,
        ReadOnly: String(rec.readOnly),
        EventTime: rec.eventTime,
        EventSource: rec.eventSource,
        Username: (rec.userIdentity as Obj).userName,
        Resources: [],
        CloudTrailEvent: JSON.stringify(rec),
      })),
      NextToken: 'tok',
    };
    for (const text of [JSON.stringify(lookup), JSON.stringify(lookup, null, 4)]) {
      const r = parse(text);
      expect(r.errors).toEqual([]);
      expect(fieldsOf(r.records)).toEqual(three);
    }
    const bad = parse(
      JSON.stringify({ Events: [{ EventId: 'x', CloudTrailEvent: '{"eventTime":' }, { EventId: 'y' }] }),
    );
    expect(bad.records).toEqual([]);
    expect(bad.errors.map((e) => e.reason)).toEqual([
      expect.stringMatching(/^Events\[0\]: CloudTrailEvent is not JSON: /),
      'Events[1]: LookupEvents event without a "CloudTrailEvent" string',
    ]);
  });

  it('g) CloudTrail Lake QueryResultRows: columns merged, JSON strings parsed, names matched case-insensitively', () => {
    const rec = ROLE;
    const row = [
      { eventversion: rec.eventVersion },
      { eventTime: '2024-07-31 13:06:24.000' },
      { eventSource: rec.eventSource },
      { EVENTNAME: rec.eventName },
      { userIdentity: JSON.stringify(rec.userIdentity) },
      { sourceIPAddress: rec.sourceIPAddress },
      { readOnly: 'false' },
      { requestParameters: '{key=value}' },
      { resources: '[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}]' },
      { customColumn: '42' },
    ];
    const result = {
      QueryStatus: 'FINISHED',
      QueryStatistics: { ResultsCount: 1, TotalResultsCount: 1, BytesScanned: 100 },
      QueryResultRows: [row],
    };
    const r = parse(JSON.stringify(result));
    expect(r.errors).toEqual([]);
    expect(r.records).toHaveLength(1);
    expect(r.records[0]!.fields).toEqual({
      eventVersion: rec.eventVersion,
      eventTime: '2024-07-31 13:06:24.000',
      eventSource: rec.eventSource,
      eventName: rec.eventName,
      userIdentity: rec.userIdentity,
      sourceIPAddress: rec.sourceIPAddress,
      readOnly: false,
      requestParameters: '{key=value}',
      resources: [{ ARN: 'arn:aws:s3:::b', type: 'AWS::S3::Bucket' }],
      customColumn: '42',
    });
    expect(r.records[0]!.time).toBe(Date.parse('2024-07-31T13:06:24.000Z'));
    expect(r.records[0]!.actor).toBe(cloudtrailActor(rec));
    // A projection without the minimum is reported, not guessed at.
    const partial = parse(JSON.stringify({ QueryResultRows: [[{ eventName: 'X' }]] }));
    expect(partial.errors.map((e) => e.reason)).toEqual([
      'QueryResultRows[0]: CloudTrail record without eventTime, eventSource',
    ]);
  });

  it('nested shapes: an array of Records files, an array of subscription payloads', () => {
    const r = parse(JSON.stringify([{ Records: [USER, ROLE] }, payload([FED])]));
    expect(r.errors).toEqual([]);
    expect(fieldsOf(r.records)).toEqual(three);
    expect(r.records.map((x) => x.origin.index)).toEqual([0, 0, 1]);
  });
});

describe('CloudTrail — bad input', () => {
  it('reports bad records naming file, line and record index, and keeps the good ones', () => {
    const { eventTime: _t, ...noTime } = USER;
    const lines = [
      JSON.stringify(USER),
      JSON.stringify({ Records: [ROLE, noTime, 42, { ...FED, eventTime: '2024-13-01T00:00:00Z' }, FED] }),
      'not json at all',
      JSON.stringify({ foo: 'bar' }),
      '{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z",',
      JSON.stringify({ ...USER, eventName: 7 }),
      JSON.stringify({ logEvents: [{ id: '1', message: 'plain text' }], messageType: 'DATA_MESSAGE' }),
      JSON.stringify(ROLE),
    ];
    const { records, errors } = parse(lines.join('\n'), 'bad.json');
    expect(records.map((r) => [r.origin.line, r.origin.index])).toEqual([
      [1, undefined],
      [2, 0],
      [2, 4],
      [8, undefined],
    ]);
    const expected: ParseIssue[] = [
      { file: 'bad.json', line: 2, reason: 'record 1: CloudTrail record without eventTime' },
      { file: 'bad.json', line: 2, reason: 'record 2: expected a CloudTrail record object, got number 42' },
      { file: 'bad.json', line: 2, reason: 'record 3: invalid eventTime "2024-13-01T00:00:00Z"' },
      { file: 'bad.json', line: 3, reason: "not JSON: unexpected 'n' at start of line" },
      {
        file: 'bad.json',
        line: 4,
        reason: 'not a CloudTrail record: no eventTime, eventName or eventSource (keys: foo)',
      },
      {
        file: 'bad.json',
        line: 5,
        reason: 'truncated JSON: document not closed before line 6, which starts a new one',
      },
      { file: 'bad.json', line: 6, reason: 'CloudTrail record without eventName (number 7)' },
      {
        file: 'bad.json',
        line: 7,
        reason: expect.stringMatching(/^logEvents\[0\]: log event message is not JSON: /) as unknown as string,
      },
    ];
    expect(errors).toEqual(expected);
  });

  it('a file cut short (truncated gzip) keeps every record before the cut', () => {
    const text = JSON.stringify({ Records: [USER, ROLE, FED] });
    const cut = text.slice(0, text.indexOf(JSON.stringify(FED)) + 40);
    const { records, errors } = parse(cut);
    expect(fieldsOf(records)).toEqual([USER, ROLE]);
    expect(errors).toEqual([
      { file: 'ct.json', line: 1, reason: 'truncated JSON: unexpected end of input inside record 2' },
    ]);
  });

  it('line(): the per-line entry point parses and reports like value()', () => {
    const parser = cloudtrailFormat.open({ file: 'l.json', options: {} });
    const records: LogRecord[] = [];
    const errors: ParseIssue[] = [];
    const sink = { record: (r: LogRecord) => records.push(r), error: (e: ParseIssue) => errors.push(e) };
    parser.line(JSON.stringify({ Records: [USER] }), 3, sink);
    parser.line('{oops', 4, sink);
    expect(records.map((r) => [r.fields, r.origin])).toEqual([[USER, { file: 'l.json', line: 3, index: 0 }]]);
    expect(errors).toEqual([{ file: 'l.json', line: 4, reason: expect.stringMatching(/^invalid JSON: /) }]);
  });

  it('value(): a record-shaped value yields exactly one record or one error, never an exception (property)', () => {
    const parser = cloudtrailFormat.open({ file: 'p.json', options: {} });
    const shaped = fc.record(
      {
        eventVersion: fc.oneof(fc.constant('1.08'), fc.jsonValue()),
        eventTime: fc.oneof(
          fc.date({ noInvalidDate: true, min: new Date(0) }).map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
          fc.string(),
          fc.jsonValue(),
        ),
        eventName: fc.oneof(fc.string(), fc.jsonValue()),
        eventSource: fc.oneof(fc.constant('s3.amazonaws.com'), fc.jsonValue()),
        sourceIPAddress: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain(), fc.jsonValue()),
        userIdentity: fc.oneof(fc.jsonValue(), fc.constant(ROLE.userIdentity), fc.constant(USER.userIdentity)),
        '@timestamp': fc.oneof(fc.string(), fc.jsonValue()),
      },
      { requiredKeys: ['eventVersion'] },
    );
    fc.assert(
      fc.property(shaped, fc.option(fc.nat(), { nil: undefined }), (value, index) => {
        let count = 0;
        const sink = {
          record: (r: LogRecord) => {
            expect(Number.isFinite(r.time)).toBe(true);
            count++;
          },
          error: () => count++,
        };
        parser.value!(value, { line: 1, index }, sink);
        expect(count).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  it('random and mutated inputs never make the parser throw (property)', () => {
    const good = [
      JSON.stringify({ Records: [USER, ROLE] }),
      JSON.stringify(USER),
      JSON.stringify(payload1()),
      JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(payload1())).toString('base64') } }),
      JSON.stringify({ QueryResultRows: [[{ eventTime: '2024-01-01 00:00:00.000' }, { eventName: 'x' }]] }),
      JSON.stringify([USER], null, 2),
    ];
    const mutated = fc
      .tuple(fc.constantFrom(...good), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
      .map(([text, a, b, ins]) => {
        const i = a % text.length;
        return text.slice(0, i) + ins + text.slice(Math.min(text.length, i + (b % 12)));
      });
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            mutated,
            fc.jsonValue().map((v) => JSON.stringify(v)),
          ),
          { maxLength: 5 },
        ),
        (parts) => {
          const { records, errors } = parse(parts.join('\n'));
          expect(errors.filter((e) => e.reason.startsWith('parser failure'))).toEqual([]);
          for (const r of records) expect(Number.isFinite(r.time)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});

function payload1() {
  return {
    messageType: 'DATA_MESSAGE',
    logStream: '1_CloudTrail_us-east-1',
    logEvents: [{ id: '1', timestamp: 1, message: JSON.stringify(USER) }],
  };
}

describe('CloudTrail — helpers (logs.md §1.4)', () => {
  const rec = (userIdentity: Obj, extra: Obj = {}) => ({ eventVersion: '1.08', userIdentity, ...extra });

  it('cloudtrailActor', () => {
    expect(cloudtrailActor(rec({ type: 'IAMUser', arn: 'arn:aws:iam::1:user/bob' }))).toBe('arn:aws:iam::1:user/bob');
    expect(
      cloudtrailActor(
        rec({
          type: 'AssumedRole',
          arn: 'arn:aws:sts::1:assumed-role/Admin/i-0abc',
          principalId: 'AROAX:i-0abc',
          sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::1:role/ops/Admin' } },
        }),
      ),
    ).toBe('arn:aws:iam::1:role/ops/Admin/i-0abc');
    // No ARN: the session from principalId.
    expect(
      cloudtrailActor(
        rec({
          type: 'AssumedRole',
          principalId: 'AROAX:alice@example.com',
          sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::1:role/Sso' } },
        }),
      ),
    ).toBe('arn:aws:iam::1:role/Sso/alice@example.com');
    // An empty sessionIssuer is "missing": fall back to the identity ARN.
    expect(
      cloudtrailActor(
        rec({ type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/R/s', sessionContext: { sessionIssuer: {} } }),
      ),
    ).toBe('arn:aws:sts::1:assumed-role/R/s');
    expect(cloudtrailActor(rec({ type: 'Root', arn: 'arn:aws:iam::1:root' }))).toBe('arn:aws:iam::1:root');
    expect(cloudtrailActor(rec({ type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }))).toBe('ec2.amazonaws.com');
    expect(cloudtrailActor(rec({ type: 'AWSAccount', principalId: 'AIDAX', arn: '' }))).toBe('AIDAX');
    expect(cloudtrailActor({ eventVersion: '1.0' })).toBeUndefined();
    expect(cloudtrailActor(rec(null as unknown as Obj))).toBeUndefined();
  });

  it('isRoot, isTemporaryCredential, isInstanceCredential, isError', () => {
    expect(isRoot(rec({ type: 'Root' }))).toBe(true);
    expect(isRoot(rec({ type: 'IAMUser' }))).toBe(false);
    expect(isRoot({})).toBe(false);
    expect(isTemporaryCredential(rec({ accessKeyId: 'ASIAXXXXXXXX' }))).toBe(true);
    expect(isTemporaryCredential(rec({ accessKeyId: 'AKIAXXXXXXXX' }))).toBe(false);
    expect(isTemporaryCredential(rec({}))).toBe(false);
    expect(isInstanceCredential(rec({ principalId: 'AROAEXAMPLE:i-0a1b2c3d4e5f67890' }))).toBe(true);
    expect(isInstanceCredential(rec({ principalId: 'AROAEXAMPLE:i-' }))).toBe(false);
    expect(isInstanceCredential(rec({ principalId: 'AROAEXAMPLE:i-0ABC' }))).toBe(false);
    expect(isInstanceCredential(rec({ principalId: 'AROAEXAMPLE:alice' }))).toBe(false);
    expect(isInstanceCredential(rec({ principalId: 'i-0abc' }))).toBe(false);
    expect(isError({ errorCode: 'AccessDenied' })).toBe(true);
    expect(isError({ errorCode: '' })).toBe(false);
    expect(isError({ errorCode: null })).toBe(false);
    expect(isError({})).toBe(false);
    // The corpora: Stratus has 52 failed calls; the OTRF session keys are temporary.
    expect(stratusRecords.filter(isError)).toHaveLength(52);
  });

  it('cloudtrailSourceIp keeps addresses and drops service names', () => {
    const ip = (s: unknown) => cloudtrailSourceIp({ sourceIPAddress: s });
    expect(ip('203.0.113.7')).toBe('203.0.113.7');
    expect(ip('2001:db8::1')).toBe('2001:db8::1');
    expect(ip('::ffff:198.51.100.1')).toBe('::ffff:198.51.100.1');
    expect(ip('ec2.amazonaws.com')).toBeUndefined();
    expect(ip('AWS Internal')).toBeUndefined();
    expect(ip('256.1.1.1')).toBeUndefined();
    expect(ip('1.2.3')).toBeUndefined();
    expect(ip('08.1.250.216')).toBe('08.1.250.216'); // as written in the Stratus corpus
    expect(ip('1.2.3.4.5')).toBeUndefined();
    expect(ip('1.2.3.1000')).toBeUndefined();
    expect(ip('')).toBeUndefined();
    expect(ip(null)).toBeUndefined();
  });

  it('cloudtrailTime: CloudTrail, ISO and Lake forms; anything else is NaN', () => {
    expect(cloudtrailTime('2024-07-31T13:06:24Z')).toBe(Date.UTC(2024, 6, 31, 13, 6, 24));
    expect(cloudtrailTime('2024-02-29T23:59:59Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(cloudtrailTime('2023-02-29T00:00:00Z')).toBeNaN();
    expect(cloudtrailTime('2024-07-31T24:00:00Z')).toBeNaN();
    expect(cloudtrailTime('2024-07-31T13:06:24.123Z')).toBe(Date.UTC(2024, 6, 31, 13, 6, 24, 123));
    expect(cloudtrailTime('2024-07-31T15:06:24+02:00')).toBe(Date.UTC(2024, 6, 31, 13, 6, 24));
    expect(cloudtrailTime('2024-07-31 13:06:24.000')).toBe(Date.UTC(2024, 6, 31, 13, 6, 24));
    for (const bad of ['', '1', 'yesterday', '2024-07-31', '2024-07-31T1x:06:24Z', 'Jul 31, 2024 1:06:24 PM']) {
      expect(cloudtrailTime(bad), bad).toBeNaN();
    }
    // The cache never returns another string's value.
    expect(cloudtrailTime('2024-07-31T13:06:25Z')).toBe(Date.UTC(2024, 6, 31, 13, 6, 25));
    expect(cloudtrailTime('2024-08-01T13:06:25Z')).toBe(Date.UTC(2024, 7, 1, 13, 6, 25));
  });

  it('compareEventVersion compares the minor part numerically', () => {
    expect(compareEventVersion({ eventVersion: '1.10' }, 1, 9)).toBeGreaterThan(0);
    expect(compareEventVersion({ eventVersion: '1.08' }, 1, 8)).toBe(0);
    expect(compareEventVersion({ eventVersion: '1.05' }, 1, 6)).toBeLessThan(0);
    expect(compareEventVersion({ eventVersion: '2.0' }, 1, 11)).toBeGreaterThan(0);
    expect(compareEventVersion({ eventVersion: 'x' }, 1, 0)).toBeNaN();
  });
});

describe('CloudTrail — sniff', () => {
  const sub = {
    messageType: 'DATA_MESSAGE',
    owner: '1',
    logGroup: 'ct',
    logStream: '123456789012_CloudTrail_us-east-1',
    subscriptionFilters: ['f'],
    logEvents: [{ id: '1', timestamp: 1, message: JSON.stringify(USER) }],
  };

  it('is confident on every CloudTrail shape', () => {
    const samples: Record<string, string> = {
      recordsLine: JSON.stringify({ Records: [USER, ROLE] }),
      recordsPretty: JSON.stringify({ Records: [USER, ROLE] }, null, 2),
      ndjson: `${JSON.stringify(USER)}\n${JSON.stringify(ROLE)}`,
      stratus: readFileSync(join(STRATUS, stratusFiles[0]!), 'utf8'),
      otrf: readFileSync(OTRF, 'utf8'),
      elastic: readFileSync(join(ELASTIC_CT, 'test-console-login-json.log'), 'utf8'),
      eventBridge: JSON.stringify({ version: '0', 'detail-type': 'AWS API Call via CloudTrail', detail: USER }),
      subscription: JSON.stringify(sub),
      awslogs: JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(sub)).toString('base64') } }),
      exportLines: `2024-07-31T13:06:24.000Z ${JSON.stringify(USER)}\n`,
      lookup: JSON.stringify({ Events: [{ EventId: '1', CloudTrailEvent: JSON.stringify(USER) }] }),
      lake: JSON.stringify({ QueryStatus: 'FINISHED', QueryResultRows: [[{ eventTime: 'x' }, { eventName: 'y' }]] }),
      bom: `\ufeff${JSON.stringify(USER)}`,
    };
    for (const [name, text] of Object.entries(samples)) expect(sniff(text), name).toBeGreaterThanOrEqual(0.9);
    // A health-check-only payload is plausible but ambiguous.
    expect(sniff(JSON.stringify(control()))).toBe(0.5);
  });

  it('says ~0 for other formats', () => {
    const others = [
      'elb_logs/test-alb.log',
      'guardduty/test-guardduty.log',
      'route53_resolver_logs/test-route53.log',
      's3access/test-s3-server-access.log',
      'waf/test-waf.log',
      ...readdirSync(join(ELASTIC, 'vpcflow'))
        .filter((f) => f.endsWith('.log'))
        .map((f) => `vpcflow/${f}`),
    ];
    for (const f of others) expect(sniff(readFileSync(join(ELASTIC, f), 'utf8')), f).toBe(0);
    // Look-alikes: S3 event notifications, a GuardDuty EventBridge event, a VPC flow subscription payload.
    const s3Notification = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventTime: '2024-01-01T00:00:00.000Z',
          eventName: 'ObjectCreated:Put',
        },
      ],
    };
    expect(sniff(JSON.stringify(s3Notification))).toBe(0);
    expect(sniff(JSON.stringify({ version: '0', 'detail-type': 'GuardDuty Finding', detail: {} }))).toBe(0);
    const flow = {
      ...sub,
      logStream: 'eni-0abc-all',
      logEvents: [{ id: '1', timestamp: 1, message: '2 123 eni-1 …' }],
    };
    expect(sniff(JSON.stringify(flow))).toBe(0);
    expect(sniff('')).toBe(0);
    expect(sniff('\u0000\u0001\u0002')).toBe(0);
  });
});

function control() {
  return {
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudwatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
  };
}
