/** Record builders for detector tests: real parsers where they exist, so field names match what Vigil reads. */

import { expect } from 'vitest';
import { parseIsoTime } from '../../src/core/time.js';
import { DetectionEngine, type DetectResult, detectRecords, type EngineOptions } from '../../src/detect/engine.js';
import type { Finding } from '../../src/detect/types.js';
import { createTextParser, parseTextWith } from '../../src/ingest/file-parse.js';
import { FORMATS } from '../../src/ingest/registry.js';
import type { LogRecord, LogType } from '../../src/ingest/types.js';

export const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
export const MIN = 60_000;

export function parse(type: LogType, text: string, file = `<${type}>`): LogRecord[] {
  const format = FORMATS.find((f) => f.type === type);
  if (!format) throw new Error(`no ${type} parser registered`);
  const { records, errors } = parseTextWith(format, text, { file });
  if (errors.length > 0) throw new Error(`${type} parse errors: ${JSON.stringify(errors.slice(0, 3))}`);
  return records;
}

let ctLine = 0;

/**
 * A CloudTrail record. Uses the CloudTrail parser when it is registered; until then builds the record the way
 * logs.md §1 describes it (fields = the event as written, time = eventTime, sourceIp, actor = userIdentity.arn).
 */
export function ct(event: Record<string, unknown>, at = T0): LogRecord {
  const e = {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSER00001',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
      accessKeyId: 'AKIAEXAMPLEKEY000001',
      userName: 'alice',
    },
    eventTime: new Date(at).toISOString().replace('.000Z', 'Z'),
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    awsRegion: 'us-east-1',
    sourceIPAddress: '81.2.69.142',
    userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${++ctLine}`,
    eventID: `evt-${ctLine}`,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...event,
  };
  const format = FORMATS.find((f) => f.type === 'cloudtrail');
  if (format) {
    const recs = parse('cloudtrail', JSON.stringify({ Records: [e] }), '<ct>');
    return recs[0]!;
  }
  return {
    type: 'cloudtrail',
    fields: e,
    time: parseIsoTime(e.eventTime),
    sourceIp: e.sourceIPAddress as string,
    actor: (e.userIdentity as { arn?: string }).arn,
    origin: { file: '<ct>', line: ctLine },
  };
}

export function ctAll(events: Record<string, unknown>[], at = T0, stepMs = 1000): LogRecord[] {
  return events.map((e, i) => ct(e, at + i * stepMs));
}

const FLOW_HEADER =
  'version account-id vpc-id instance-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags';

export interface FlowSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto?: number;
  packets?: number;
  bytes?: number;
  at: number;
  action?: 'ACCEPT' | 'REJECT';
  flags?: number;
  instance?: string;
  eni?: string;
}

export function flowLine(f: FlowSpec): string {
  const s = Math.floor(f.at / 1000);
  return [
    5,
    '111122223333',
    'vpc-0a1b2c3d',
    f.instance ?? 'i-0123456789abcdef0',
    f.eni ?? 'eni-0123456789abcdef0',
    f.src,
    f.dst,
    f.sport,
    f.dport,
    f.proto ?? 6,
    f.packets ?? 5,
    f.bytes ?? 400,
    s,
    s + 30,
    f.action ?? 'ACCEPT',
    'OK',
    f.flags ?? 19,
  ].join(' ');
}

/** The text each `flows()` result was parsed from: `run` detects it a second time through rows read in place. */
const flowTexts = new WeakMap<LogRecord[], string>();

export function flows(specs: FlowSpec[]): LogRecord[] {
  const text = `${FLOW_HEADER}\n${specs.map(flowLine).join('\n')}\n`;
  const records = parse('vpcflow', text);
  flowTexts.set(records, text);
  return records;
}

/** Detection over a text as `vigil detect` runs it: VPC flow lines reach the engine as rows (`Sink.flow`). */
export function detectText(type: LogType, text: string, opts: EngineOptions = {}, file = `<${type}>`): DetectResult {
  const format = FORMATS.find((f) => f.type === type);
  if (!format) throw new Error(`no ${type} parser registered`);
  const engine = new DetectionEngine(opts);
  const errors: unknown[] = [];
  const p = createTextParser(
    format,
    { file },
    { record: (r) => engine.process(r), flow: (row) => engine.processFlow(row), error: (e) => errors.push(e) },
  );
  p.push(text);
  p.end();
  if (errors.length > 0) throw new Error(`${type} parse errors: ${JSON.stringify(errors.slice(0, 3))}`);
  return engine.finish();
}

export interface DnsSpec {
  name: string;
  at: number;
  type?: string;
  rcode?: string;
  instance?: string;
  srcaddr?: string;
  answers?: string[];
}

export function dns(specs: DnsSpec[]): LogRecord[] {
  const lines = specs.map((d) =>
    JSON.stringify({
      version: '1.100000',
      account_id: '111122223333',
      region: 'us-east-1',
      vpc_id: 'vpc-0a1b2c3d',
      query_timestamp: new Date(d.at).toISOString(),
      query_name: d.name.endsWith('.') ? d.name : `${d.name}.`,
      query_type: d.type ?? 'A',
      query_class: 'IN',
      rcode: d.rcode ?? 'NOERROR',
      answers: (d.answers ?? []).map((a) => ({ Rdata: a, Type: 'A', Class: 'IN' })),
      srcaddr: d.srcaddr ?? '10.0.1.5',
      srcport: '53211',
      transport: 'UDP',
      srcids: { instance: d.instance ?? 'i-0123456789abcdef0' },
    }),
  );
  return parse('route53resolver', `${lines.join('\n')}\n`);
}

/**
 * Detection over records. Records from `flows()` are also detected from their text through rows read in place (the
 * path `vigil detect` takes), and both runs must give the same findings and statistics.
 */
export function run(records: LogRecord[], opts: EngineOptions = {}): DetectResult {
  const res = detectRecords(records, opts);
  const text = flowTexts.get(records);
  if (text !== undefined && opts.store === undefined) {
    const viaRows = detectText('vpcflow', text, opts);
    expect(JSON.parse(JSON.stringify(viaRows))).toEqual(JSON.parse(JSON.stringify(res)));
  }
  return res;
}

export function types(res: DetectResult | Finding[]): string[] {
  const list = Array.isArray(res) ? res : res.findings;
  return list.map((f) => f.type);
}

export function only(res: DetectResult, type: string): Finding {
  const found = res.findings.filter((f) => f.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, got ${found.length}: ${types(res).join(', ')}`);
  return found[0]!;
}

/**
 * CloudTrail records of a file: through the registered CloudTrail parser when there is one, else by reading the
 * JSON (an array, `{"Records": […]}` or NDJSON) the way logs.md §1 describes the record.
 */
export function cloudTrailFile(path: string, text: string): LogRecord[] {
  const format = FORMATS.find((f) => f.type === 'cloudtrail');
  if (format) return parse('cloudtrail', text, path);
  const trimmed = text.trim();
  let events: Record<string, unknown>[];
  if (trimmed.startsWith('[')) events = JSON.parse(trimmed);
  else if (trimmed.startsWith('{"Records"')) events = JSON.parse(trimmed).Records;
  else events = trimmed.split('\n').map((l) => JSON.parse(l));
  return events.map((e, i) => ({
    type: 'cloudtrail' as const,
    fields: e,
    time: parseIsoTime(String(e.eventTime)),
    sourceIp: typeof e.sourceIPAddress === 'string' ? e.sourceIPAddress : undefined,
    actor: (e.userIdentity as { arn?: string } | undefined)?.arn,
    origin: { file: path, line: 1, index: i },
  }));
}
