import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELASTIC, ecsGet, readExpected } from '../../../test/helpers/corpus.js';
import { parseTextWith } from '../file-parse.js';
import type { LogRecord, ParseIssue, Sink } from '../types.js';
import { type VpcFlowParser, vpcFlowFormat } from './format.js';
import { DEFAULT_V2_FIELDS, headerNames, Kind, KNOWN_FIELDS } from './layout.js';

const dir = join(ELASTIC, 'vpcflow');

/** The 29 v2–v5 fields in the table order of the VPC User Guide. */
const V5_ALL = [
  ...DEFAULT_V2_FIELDS,
  'vpc-id',
  'subnet-id',
  'instance-id',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
].join(' ');
const ECS_FIELDS =
  'ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id ' +
  'ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id';
/** Transit Gateway flow log fields in the order of the Transit Gateway guide (all 36). */
const TGW_ALL =
  'version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id ' +
  'tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id ' +
  'tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status ' +
  'type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags ' +
  'region flow-direction pkt-src-aws-service pkt-dst-aws-service';

/**
 * Header-less Elastic fixtures carry custom formats. Their field order was read by hand from the expected documents
 * (e.g. `cloud.region` / `cloud.availability_zone` = `-` at positions 22–23, `network.direction` at 28, the ECS
 * cluster ARN / name / container-instance ARN / id / container ids / service / task definition / task ARN / id
 * after `traffic-path`, `event.reason` = BPA last; the TGW `tgw_src_vpc_id` / `tgw_dst_vpc_id` / ENIs at 8–9 and
 * 12–13), and is passed as the configured format, as a user would for CloudWatch Logs delivery.
 */
const FIXTURES: [file: string, format: string | undefined][] = [
  ['test-extra-samples.log', undefined], // default v2
  ['test-with-message-field.log', undefined], // default v2 inside {"message": …}
  ['test-tcp-flag-sequence.log', undefined], // header before every record
  ['test-v5-all-fields.log', V5_ALL],
  ['test-ecs-samples.log', `${V5_ALL} ${ECS_FIELDS}`],
  ['test-v8-samples.log', `${V5_ALL} ${ECS_FIELDS} reject-reason`],
  ['test-tgw-samples.log', TGW_ALL],
];

/** Our native field → the ECS paths where Elastic's pipeline keeps its original value (first present wins). */
const ECS_MAP: [string, string[]][] = [
  ['version', ['aws.vpcflow.version']],
  ['account-id', ['aws.vpcflow.account_id', 'cloud.account.id']],
  ['interface-id', ['aws.vpcflow.interface_id']],
  ['srcaddr', ['source.address']],
  ['dstaddr', ['destination.address']],
  ['srcport', ['source.port']],
  ['dstport', ['destination.port']],
  ['protocol', ['network.iana_number']],
  ['packets', ['source.packets', 'network.packets']],
  ['bytes', ['source.bytes', 'network.bytes']],
  ['action', ['aws.vpcflow.action', 'event.action']],
  ['log-status', ['aws.vpcflow.log_status']],
  ['vpc-id', ['aws.vpcflow.vpc_id']],
  ['subnet-id', ['aws.vpcflow.subnet_id']],
  ['instance-id', ['aws.vpcflow.instance_id', 'cloud.instance.id']],
  ['tcp-flags', ['aws.vpcflow.tcp_flags']],
  ['type', ['aws.vpcflow.type']],
  ['pkt-srcaddr', ['aws.vpcflow.pkt_srcaddr']],
  ['pkt-dstaddr', ['aws.vpcflow.pkt_dstaddr']],
  ['region', ['cloud.region']],
  ['az-id', ['cloud.availability_zone']],
  ['pkt-src-aws-service', ['aws.vpcflow.pkt_src_service']],
  ['pkt-dst-aws-service', ['aws.vpcflow.pkt_dst_service']],
  ['flow-direction', ['network.direction']],
  ['traffic-path', ['aws.vpcflow.traffic_path']],
  ['ecs-cluster-arn', ['aws.vpcflow.ecs_cluster_arn', 'orchestrator.cluster.id']],
  ['ecs-cluster-name', ['orchestrator.cluster.name']],
  ['ecs-container-instance-arn', ['orchestrator.resource.name']],
  ['ecs-container-instance-id', ['orchestrator.resource.id']],
  ['ecs-container-id', ['aws.vpcflow.ecs_container_id']],
  ['ecs-second-container-id', ['aws.vpcflow.ecs_second_container_id']],
  ['ecs-service-name', ['service.name']],
  ['ecs-task-definition-arn', ['aws.vpcflow.ecs_task_definition_arn']],
  ['ecs-task-arn', ['aws.vpcflow.ecs_task_arn']],
  ['ecs-task-id', ['aws.vpcflow.ecs_task_id']],
  ['reject-reason', ['event.reason']],
  ['tgw-id', ['aws.vpcflow.tgw_id']],
  ['tgw-attachment-id', ['aws.vpcflow.tgw_attachment_id']],
  ['tgw-src-vpc-id', ['aws.vpcflow.tgw_src_vpc_id']],
  ['tgw-dst-vpc-id', ['aws.vpcflow.tgw_dst_vpc_id']],
  ['tgw-src-eni', ['aws.vpcflow.tgw_src_eni']],
  ['tgw-dst-eni', ['aws.vpcflow.tgw_dst_eni']],
];

/** `a b` → AWS's `${a} ${b}` format-string form. */
const placeholders = (names: string) =>
  names
    .split(' ')
    .map((n) => `$\{${n}}`)
    .join(' ');
const iso = (ms: number) => new Date(ms).toISOString();

describe('VPC flow logs: Elastic conformance', () => {
  for (const [name, format] of FIXTURES) {
    it(`${name}: every record, zero errors, native values equal the expected originals`, () => {
      const path = join(dir, name);
      const { records, errors } = parseTextWith(vpcFlowFormat, readFileSync(path, 'utf8'), {
        file: path,
        options: format ? { vpcFlowFormat: format } : {},
      });
      expect(errors).toEqual([]);
      const expected = readExpected(path).filter((d) => d !== null);
      expect(records).toHaveLength(expected.length);
      let compared = 0;
      records.forEach((r, i) => {
        const doc = expected[i]!;
        const f = r.fields;
        expect(r.type).toBe('vpcflow');
        // Elastic's event.original is the flow record (unwrapped from {"message": …}), as is our raw.
        expect(r.raw).toBe(ecsGet(doc, 'event.original'));
        for (const [field, paths] of ECS_MAP) {
          const want = paths.map((p) => ecsGet(doc, p)).find((v) => v !== undefined);
          if (want === undefined) continue;
          compared++;
          // Elastic keeps some `-` columns verbatim (cloud.region, az); we omit absent fields.
          if (want === '-') expect(f[field], field).toBeUndefined();
          else if (KNOWN_FIELDS.get(field) === Kind.Int) {
            expect(typeof f[field], field).toBe('number');
            expect(String(f[field]), field).toBe(String(want));
          } else expect(f[field], field).toBe(want);
        }
        // Event time is `start` (Elastic puts `end` in @timestamp and both in event.start / event.end).
        expect(iso(r.time)).toBe(ecsGet(doc, 'event.start'));
        expect(iso((f.end as number) * 1000)).toBe(ecsGet(doc, 'event.end'));
        expect(r.sourceIp).toBe(ecsGet(doc, 'source.ip'));
        expect(r.actor).toBe(f['instance-id'] ?? f['interface-id']);
      });
      expect(compared).toBeGreaterThanOrEqual(records.length * 4);
    });
  }

  it('the TGW sample parses every documented Transit Gateway field (counters typed as numbers)', () => {
    const line = readFileSync(join(dir, 'test-tgw-samples.log'), 'utf8').split('\n')[2]!;
    const { records } = parseTextWith(vpcFlowFormat, `${TGW_ALL}\n${line.replace('OK - - - - -', 'OK IPv4 0 3 1 0')}`);
    expect(records[0]!.fields).toMatchObject({
      version: 3,
      'account-id': '748335378900',
      'tgw-id': 'tgw-0a12bc34de56f7890',
      'tgw-attachment-id': 'tgw-attach-0123abcd',
      'tgw-src-eni': 'eni-0ee5f66aa7bcc89d0',
      'log-status': 'OK',
      type: 'IPv4',
      'packets-lost-no-route': 0,
      'packets-lost-blackhole': 3,
      'packets-lost-mtu-exceeded': 1,
      'packets-lost-ttl-expired': 0,
      'flow-direction': 'ingress',
    });
    expect(records[0]!.fields).not.toHaveProperty('resource-type');
  });
});

const V2_HEADER = DEFAULT_V2_FIELDS.join(' ');
const OK_LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';

describe('VPC flow logs: variants', () => {
  it('default v2 format: typed values, raw line, time = start, sourceIp = srcaddr, actor = interface-id', () => {
    const { records, errors } = parseTextWith(vpcFlowFormat, `${OK_LINE}\n`, { file: 'f.log' });
    expect(errors).toEqual([]);
    expect(records).toEqual([
      {
        type: 'vpcflow',
        fields: {
          version: 2,
          'account-id': '123456789010',
          'interface-id': 'eni-1235b8ca123456789',
          srcaddr: '172.31.16.139',
          dstaddr: '203.0.113.12',
          srcport: 49761,
          dstport: 3389,
          protocol: 6,
          packets: 20,
          bytes: 4249,
          start: 1418530010,
          end: 1418530070,
          action: 'REJECT',
          'log-status': 'OK',
        },
        time: 1418530010_000,
        sourceIp: '172.31.16.139',
        actor: 'eni-1235b8ca123456789',
        origin: { file: 'f.log', line: 1 },
        raw: OK_LINE,
      },
    ]);
  });

  it('a header line (S3 delivery) gives the layout and produces no record', () => {
    const { records, errors } = parseTextWith(vpcFlowFormat, `${V2_HEADER}\r\n${OK_LINE}\r\n`);
    expect(errors).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]!.origin.line).toBe(2);
    expect(records[0]!.fields.srcport).toBe(49761);
  });

  it('custom formats in any field order, v3–v8 fields, IPv6, tcp-flags, instance-id as actor', () => {
    const header =
      'instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr tcp-flags type protocol start end ' +
      'flow-direction traffic-path reject-reason action version log-status region az-id sublocation-type sublocation-id';
    const line =
      'i-0123456789abcdef0 eni-0a1b2c3d 2001:db8::10 2001:db8::20 2001:db8::10 2001:db8::20 19 IPv6 6 1700000000 1700000060 ' +
      'egress 8 - ACCEPT 8 OK us-west-2 usw2-az1 outpost op-0123';
    const { records, errors } = parseTextWith(vpcFlowFormat, `${header}\n${line}\n`);
    expect(errors).toEqual([]);
    const r = records[0]!;
    expect(r.fields).toEqual({
      'instance-id': 'i-0123456789abcdef0',
      'interface-id': 'eni-0a1b2c3d',
      srcaddr: '2001:db8::10',
      dstaddr: '2001:db8::20',
      'pkt-srcaddr': '2001:db8::10',
      'pkt-dstaddr': '2001:db8::20',
      'tcp-flags': 19,
      type: 'IPv6',
      protocol: 6,
      start: 1700000000,
      end: 1700000060,
      'flow-direction': 'egress',
      'traffic-path': 8,
      action: 'ACCEPT',
      version: 8,
      'log-status': 'OK',
      region: 'us-west-2',
      'az-id': 'usw2-az1',
      'sublocation-type': 'outpost',
      'sublocation-id': 'op-0123',
    });
    expect(Object.keys(r.fields)).not.toContain('reject-reason');
    expect(r.actor).toBe('i-0123456789abcdef0');
    expect(r.sourceIp).toBe('2001:db8::10');
    expect(r.time).toBe(1700000000_000);
  });

  it('NODATA and SKIPDATA rows: `-` columns are omitted, time still from start', () => {
    const text = [
      '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
      '2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA',
    ].join('\n');
    const { records, errors } = parseTextWith(vpcFlowFormat, text);
    expect(errors).toEqual([]);
    expect(records[0]!.fields).toEqual({
      version: 2,
      'account-id': '123456789010',
      'interface-id': 'eni-1235b8ca123456789',
      start: 1431280876,
      end: 1431280934,
      'log-status': 'NODATA',
    });
    expect(records[0]!.sourceIp).toBeUndefined();
    expect(records[0]!.time).toBe(1431280876_000);
    expect(records[1]!.fields['log-status']).toBe('SKIPDATA');
  });

  it('a header may reappear mid-file with another layout: the layout switches there', () => {
    const text = [V2_HEADER, OK_LINE, 'srcaddr start log-status', '10.0.0.1 1700000000 OK', V2_HEADER, OK_LINE].join(
      '\n',
    );
    const { records, errors } = parseTextWith(vpcFlowFormat, text);
    expect(errors).toEqual([]);
    expect(records.map((r) => r.origin.line)).toEqual([2, 4, 6]);
    expect(records[1]!.fields).toEqual({ srcaddr: '10.0.0.1', start: 1700000000, 'log-status': 'OK' });
    expect(records[2]!.fields.srcport).toBe(49761);
  });

  it('configured format: AWS placeholder form and plain names; a header in the file wins over it', () => {
    const line = 'vpc-0abc 2 1700000000 10.1.2.3';
    for (const format of [
      placeholders('vpc-id version start srcaddr'),
      'vpc-id version start srcaddr',
      'vpc-id,version',
    ]) {
      const { records, errors } = parseTextWith(vpcFlowFormat, line, { options: { vpcFlowFormat: format } });
      if (format.includes(',')) {
        expect(errors[0]!.reason).toBe(
          'expected 2 space-separated fields per the configured format (logs.vpcFlowFormat), got 4',
        );
        continue;
      }
      expect(errors).toEqual([]);
      expect(records[0]!.fields).toEqual({ 'vpc-id': 'vpc-0abc', version: 2, start: 1700000000, srcaddr: '10.1.2.3' });
    }
    const { records } = parseTextWith(vpcFlowFormat, `${V2_HEADER}\n${OK_LINE}`, {
      options: { vpcFlowFormat: 'vpc-id version start srcaddr' },
    });
    expect(records[0]!.fields.srcport).toBe(49761);
  });

  it('pkt-srcaddr is the source when srcaddr is not in the format; end is the time when start is not', () => {
    const { records } = parseTextWith(vpcFlowFormat, 'pkt-srcaddr end\n198.51.100.7 1700000060\nend\n-');
    expect(records[0]!.sourceIp).toBe('198.51.100.7');
    expect(records[0]!.time).toBe(1700000060_000);
    expect(records[1]!.time).toBeNaN();
    expect(records[1]!.fields).toEqual({});
  });

  it('CloudWatch Logs JSON wrapper lines are unwrapped; raw is the flow record', () => {
    const wrapped = JSON.stringify({ timestamp: 1418530070000, message: OK_LINE, ingestionTime: 1418530071000 });
    const { records, errors } = parseTextWith(vpcFlowFormat, wrapped);
    expect(errors).toEqual([]);
    expect(records[0]!.fields.dstport).toBe(3389);
    expect(records[0]!.raw).toBe(OK_LINE);
    expect(records[0]!.origin).toEqual({ file: '<text>', line: 1 });
  });

  it('a CloudWatch Logs subscription payload on one line yields one record per event (origin.index)', () => {
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: '123456789010',
      logGroup: 'vpc-flow',
      logStream: 'eni-1235b8ca123456789-all',
      subscriptionFilters: ['all'],
      logEvents: [
        { id: '1', timestamp: 1418530070000, message: OK_LINE },
        { id: '2', timestamp: 1418530070000, message: `${OK_LINE} extra` },
        { id: '3', timestamp: 1418530070000 },
        {
          id: '4',
          timestamp: 1431280934000,
          message: '2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA',
        },
      ],
    };
    const control = {
      messageType: 'CONTROL_MESSAGE',
      logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
    };
    const text = `${JSON.stringify(control)}\n${JSON.stringify(payload)}`;
    const { records, errors } = parseTextWith(vpcFlowFormat, text, { file: 's.json' });
    expect(records.map((r) => r.origin)).toEqual([
      { file: 's.json', line: 2, index: 0 },
      { file: 's.json', line: 2, index: 3 },
    ]);
    expect(records[1]!.fields['log-status']).toBe('NODATA');
    expect(errors.map((e) => [e.line, e.reason])).toEqual([
      [2, expect.stringMatching(/^expected 14 space-separated fields .* got 15$/)],
      [2, 'logEvents[2] has no "message" string (expected a CloudWatch Logs event holding a flow log record)'],
    ]);
    expect(vpcFlowFormat.sniff({ firstLine: JSON.stringify(payload), head: '', path: '' })).toBeGreaterThan(0.8);
  });

  it('unknown header names are accepted silently, kept as text and recorded', () => {
    const file = 'version srcaddr future-field start\n9 10.0.0.1 42 1700000000\n';
    const { records, errors } = parseTextWith(vpcFlowFormat, file);
    expect(errors).toEqual([]);
    expect(records[0]!.fields).toEqual({ version: 9, srcaddr: '10.0.0.1', 'future-field': '42', start: 1700000000 });
    const p = vpcFlowFormat.open({ file: 'x', options: { vpcFlowFormat: 'version other-new' } }) as VpcFlowParser;
    const sink: Sink = { record: () => {}, error: () => {} };
    p.line('brand-new srcaddr version', 1, sink);
    expect(p.unknownFields.sort()).toEqual(['brand-new', 'other-new']);
  });

  it('encryption-status (unconfirmed type) is a number when numeric, text otherwise, never an error', () => {
    const { records, errors } = parseTextWith(vpcFlowFormat, 'version encryption-status\n10 1\n10 unknown-value');
    expect(errors).toEqual([]);
    expect(records.map((r) => r.fields['encryption-status'])).toEqual([1, 'unknown-value']);
  });

  it('trailing spaces after the last field are tolerated', () => {
    const { records, errors } = parseTextWith(vpcFlowFormat, `${V2_HEADER} \n${OK_LINE}  \n`);
    expect(errors).toEqual([]);
    expect(records[0]!.fields['log-status']).toBe('OK');
  });
});

describe('VPC flow logs: bad input', () => {
  it('wrong field counts, bad numbers, garbage, binary and truncated lines are errors; good lines still parse', () => {
    const text = [
      OK_LINE, // 1
      '2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1418530010 1418530070 ACCEPT', // 2: 13 fields
      `${OK_LINE} extra`, // 3: 15 fields
      OK_LINE.replace('1418530010', 'abc'), // 4
      OK_LINE.replace(' 20 ', ' -5 '), // 5
      'hello world', // 6
      '\u0000\u0001\u00ff\ufffd binary', // 7
      OK_LINE.slice(0, 40), // 8: truncated
      '{"message": 42}', // 9
      '{"message": "2 1', // 10: truncated JSON
      OK_LINE, // 11
    ].join('\n');
    const { records, errors } = parseTextWith(vpcFlowFormat, text, { file: 'bad.log' });
    expect(records.map((r) => r.origin.line)).toEqual([1, 11]);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const e of errors) expect(e.file).toBe('bad.log');
    const reasons = errors.map((e) => e.reason);
    expect(reasons[0]).toBe(
      'expected 14 space-separated fields per the default v2 format (set logs.vpcFlowFormat for a custom format without a header), got 13',
    );
    expect(reasons[1]).toMatch(/^expected 14 space-separated fields .* got 15$/);
    expect(reasons[2]).toBe("invalid start time 'abc' (expected Unix seconds or -)");
    expect(reasons[3]).toBe("invalid packets '-5' (expected a whole number or -)");
    expect(reasons[4]).toMatch(/got 2$/);
    expect(reasons[5]).toMatch(/got 2$/);
    expect(reasons[6]).toMatch(/got 4$/);
    expect(reasons[7]).toMatch(/without a "message" string/);
    expect(reasons[8]).toMatch(/^invalid JSON/);
  });

  it('a field count that differs from the header is reported against that header, never shifted', () => {
    const { records, errors } = parseTextWith(vpcFlowFormat, 'version srcaddr start\n2 10.0.0.1\n2 10.0.0.1 17 x\n');
    expect(records).toEqual([]);
    expect(errors.map((e) => e.reason)).toEqual([
      'expected 3 space-separated fields per the header on line 1, got 2',
      'expected 3 space-separated fields per the header on line 1, got 4',
    ]);
  });

  it('an invalid configured format rejects header-less records with the reason; a header still works', () => {
    const opts = { options: { vpcFlowFormat: `${placeholders('version')} $\{Bad Name}` } };
    const bad = parseTextWith(vpcFlowFormat, `${OK_LINE}\n${V2_HEADER}\n${OK_LINE}`, opts);
    expect(bad.errors).toEqual([
      {
        file: '<text>',
        line: 1,
        reason: "the configured VPC flow log format (logs.vpcFlowFormat) is invalid: '${Bad' is not a field name",
      },
    ]);
    expect(bad.records.map((r) => r.origin.line)).toEqual([3]);
  });

  it('a header naming a field twice is reported and its records rejected until the next valid header', () => {
    const text = `version start start\n2 1 1\n${V2_HEADER}\n${OK_LINE}`;
    const { records, errors } = parseTextWith(vpcFlowFormat, text);
    expect(errors.map((e) => [e.line, e.reason])).toEqual([
      [1, "malformed header: field 'start' appears twice; records are rejected until the next valid header"],
      [2, "the header on line 1 names field 'start' twice"],
    ]);
    expect(records.map((r) => r.origin.line)).toEqual([4]);
  });

  it('long garbage values are cut in reasons', () => {
    const { errors } = parseTextWith(vpcFlowFormat, OK_LINE.replace(' 6 ', ` ${'x'.repeat(500)} `));
    expect(errors[0]!.reason.length).toBeLessThan(120);
  });
});

describe('VPC flow logs: property', () => {
  const layouts = [undefined, `${V5_ALL} ${ECS_FIELDS}`, 'srcaddr start'];
  const validLines = [
    OK_LINE,
    '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
    readFileSync(join(dir, 'test-v8-samples.log'), 'utf8').trim(),
    V2_HEADER,
    '{"message":"2 428961148399 eni-0e0bf7be352692297 - - - - - - - 1671029698 1671029728 - NODATA"}',
    `{"messageType":"DATA_MESSAGE","logEvents":[{"message":"${OK_LINE}"},{"message":"${V2_HEADER}"}]}`,
  ];
  const mutated = fc
    .tuple(fc.constantFrom(...validLines), fc.nat(), fc.nat(), fc.string({ maxLength: 12 }), fc.nat(3))
    .map(([line, a, b, s, op]) => {
      const i = a % (line.length + 1);
      const j = Math.min(line.length, i + (b % 20));
      if (op === 0) return line.slice(0, i) + s + line.slice(j);
      if (op === 1) return line.slice(0, i);
      if (op === 2) return line.slice(0, i) + line.slice(j);
      return `${line} ${s}`;
    });
  const anyLine = fc.oneof(mutated, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));

  it('never throws; each line yields exactly one record or one error, or is a header', () => {
    fc.assert(
      fc.property(fc.constantFrom(...layouts), fc.array(anyLine, { maxLength: 20 }), (format, lines) => {
        const parser = vpcFlowFormat.open({ file: 'p', options: { vpcFlowFormat: format } });
        lines.forEach((raw, i) => {
          const text = raw.replace(/[\r\n]/g, ' ');
          if (text.trim() === '') return;
          const got: (LogRecord | ParseIssue)[] = [];
          parser.line(text, i + 1, { record: (r) => got.push(r), error: (e) => got.push(e) });
          let inner = text;
          let events = -1;
          if (text.startsWith('{')) {
            try {
              const v = JSON.parse(text);
              if (Array.isArray(v?.logEvents)) events = v.logEvents.length;
              else if (typeof v?.message === 'string') inner = v.message.trim();
            } catch {}
          }
          // A subscription payload yields at most one output per event; a header line none (or a duplicate error).
          if (events >= 0) expect(got.length).toBeLessThanOrEqual(events);
          else if (headerNames(inner) !== undefined) expect(got.length).toBeLessThanOrEqual(1);
          else expect(got).toHaveLength(1);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('VPC flow logs: sniff', () => {
  const sniff = (firstLine: string, path = '') => vpcFlowFormat.sniff({ firstLine, head: firstLine, path });

  it('is confident on every Elastic VPC flow sample and on header lines', () => {
    for (const [name] of FIXTURES) {
      const first = readFileSync(join(dir, name), 'utf8').split('\n')[0]!;
      expect(sniff(first), name).toBeGreaterThanOrEqual(0.7);
    }
    expect(sniff(V2_HEADER)).toBeGreaterThanOrEqual(0.95);
    expect(sniff(TGW_ALL)).toBeGreaterThanOrEqual(0.95);
    expect(sniff(OK_LINE)).toBeGreaterThanOrEqual(0.9);
  });

  it('scores 0 on the other formats’ samples', () => {
    const others = [
      'elb_logs/test-alb.log',
      'route53_resolver_logs/test-route53.log',
      's3access/test-s3-server-access.log',
      'waf/test-waf.log',
      'guardduty/test-guardduty.log',
      'cloudtrail/test-console-login-json.log',
    ];
    for (const rel of others) {
      for (const line of readFileSync(join(ELASTIC, rel), 'utf8').split('\n').filter(Boolean)) {
        expect(sniff(line), `${rel}: ${line.slice(0, 60)}`).toBe(0);
      }
    }
    expect(sniff('#Version: 1.0')).toBe(0);
    expect(sniff('2024-05-14\t09:12:44\tFRA56-P7\t4312\t198.51.100.10\tGET')).toBe(0);
    expect(sniff('hello world, this is a text file')).toBe(0);
  });
});
