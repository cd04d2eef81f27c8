import { parseClfTime, parseIsoTime } from '../../core/time.js';
import { type FieldsFailure, fieldsBuilderFor } from '../fields.js';
import { clip, parseJsonObjectLine } from '../json-line.js';
import { tokenizeQuoted } from '../tokenize.js';
import type { LogFormat, LogRecord, Sink } from '../types.js';

/**
 * Amazon S3 server access logs (logs.md §4).
 *
 * Text records are space-separated with a bracketed time and quoted Request-URI / Referer / User-Agent. AWS names
 * the columns only in prose ("Bucket Owner", "Remote IP" …), so `fields` uses the column names of AWS's own Athena
 * table for these logs (S3 User Guide, "Using Amazon S3 server access logs to identify requests"): stable,
 * snake_case, and what AWS users already query. Any later columns are kept in `_extra`.
 *
 * The CloudWatch Logs delivery writes one JSON object per record instead (`schema_version_id`, `bucket_name`,
 * `request_time` …); such lines are detected per line and kept exactly as written.
 */
export const S3_ACCESS_FIELDS = [
  'bucketowner',
  'bucket_name',
  'requestdatetime',
  'remoteip',
  'requester',
  'requestid',
  'operation',
  'key',
  'request_uri',
  'httpstatus',
  'errorcode',
  'bytessent',
  'objectsize',
  'totaltime',
  'turnaroundtime',
  'referrer',
  'useragent',
  'versionid',
  'hostid',
  'sigv',
  'ciphersuite',
  'authtype',
  'endpoint',
  'tlsversion',
  'accesspointarn',
  'aclrequired',
  'sourceregion',
] as const;

/** The oldest generation ends after Version Id (field 18); every later generation only appends. */
export const S3_ACCESS_MIN_FIELDS = 18;

/** Columns typed as numbers (by position): HTTP status, bytes sent, object size, total and turn-around time. */
const NUMERIC = new Uint8Array(S3_ACCESS_FIELDS.length);
for (const i of [9, 11, 12, 13, 14]) NUMERIC[i] = 1;
const BUILD = fieldsBuilderFor(S3_ACCESS_FIELDS, NUMERIC);
const FAIL: FieldsFailure = { index: 0 };

const TEXT_SNIFF = /^([0-9a-f]{64}|-) \S+ \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] /;
const TEXT_SNIFF_LOOSE =
  /^\S+ \S+ \[\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] \S+ \S+ \S+ [A-Z0-9]+\.[A-Z_.]+ /;

export const s3AccessFormat: LogFormat = {
  type: 's3access',
  title: 'Amazon S3 server access logs',
  framing: 'lines',
  sniff({ firstLine }) {
    if (firstLine.charCodeAt(0) === 123 /* { */) return sniffJson(firstLine);
    if (TEXT_SNIFF.test(firstLine)) return 0.95;
    return TEXT_SNIFF_LOOSE.test(firstLine) ? 0.8 : 0;
  },
  open({ file }) {
    return {
      line(text: string, lineNo: number, out: Sink) {
        if (text.charCodeAt(0) === 123 /* { */) parseJsonLine(text, file, lineNo, out);
        else parseTextLine(text, file, lineNo, out);
      },
    };
  },
};

function parseTextLine(text: string, file: string, lineNo: number, out: Sink): void {
  const tokens = tokenizeQuoted(text);
  if (tokens === undefined) {
    out.error({ file, line: lineNo, reason: 'unterminated quoted or bracketed field' });
    return;
  }
  const n = tokens.length;
  if (n < S3_ACCESS_MIN_FIELDS) {
    out.error({
      file,
      line: lineNo,
      reason: `expected at least ${S3_ACCESS_MIN_FIELDS} fields (S3 server access log), got ${n}`,
    });
    return;
  }
  const time = parseClfTime(tokens[2]!);
  if (Number.isNaN(time)) {
    out.error({
      file,
      line: lineNo,
      reason: `invalid time '${clip(tokens[2]!)}' (expected [dd/Mon/yyyy:HH:MM:SS +zzzz])`,
    });
    return;
  }
  const fields = BUILD(tokens, n, FAIL);
  if (fields === undefined) {
    // A non-numeric value in a numeric column means the columns are shifted (e.g. an unquoted URI): reject, do not guess.
    const i = FAIL.index;
    out.error({
      file,
      line: lineNo,
      reason: `invalid ${S3_ACCESS_FIELDS[i]} '${clip(tokens[i]!)}' (expected a number or -)`,
    });
    return;
  }
  if (n > S3_ACCESS_FIELDS.length) fields._extra = tokens.slice(S3_ACCESS_FIELDS.length);
  const record: LogRecord = { type: 's3access', fields, time, origin: { file, line: lineNo }, raw: text };
  const ip = fields.remoteip;
  if (ip !== undefined) record.sourceIp = ip as string;
  const requester = fields.requester;
  if (requester !== undefined) record.actor = requester as string;
  out.record(record);
}

/** CloudWatch Logs delivery: one structured JSON object per record, JSON null for "not available". */
function parseJsonLine(text: string, file: string, lineNo: number, out: Sink): void {
  const fields = parseJsonObjectLine(text, file, lineNo, out, 'S3 server access log record');
  if (!fields) return;
  const requestTime = fields.request_time;
  if (typeof requestTime !== 'string') {
    out.error({
      file,
      line: lineNo,
      reason: 'not an S3 server access log JSON record: missing request_time',
    });
    return;
  }
  const time = parseIsoTime(requestTime);
  if (Number.isNaN(time)) {
    out.error({ file, line: lineNo, reason: `invalid request_time '${clip(requestTime)}'` });
    return;
  }
  const record: LogRecord = { type: 's3access', fields, time, origin: { file, line: lineNo } };
  if (typeof fields.remote_ip === 'string' && fields.remote_ip !== '') record.sourceIp = fields.remote_ip;
  if (typeof fields.requester === 'string' && fields.requester !== '') record.actor = fields.requester;
  out.record(record);
}

function sniffJson(firstLine: string): number {
  if (!firstLine.includes('"schema_version_id"') || !firstLine.includes('"request_time"')) return 0;
  try {
    const v = JSON.parse(firstLine) as Record<string, unknown>;
    if (v && typeof v === 'object' && ('bucket_name' in v || 'bucket_arn' in v)) return 0.95;
  } catch {
    // A first line cut at the sniff limit: the key markers alone are a weaker signal.
  }
  return firstLine.includes('"bucket_name"') ? 0.7 : 0;
}
