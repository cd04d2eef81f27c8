import { gunzipSync } from 'node:zlib';
import { clip } from '../json-line.js';
import type { FileParser, JsonValueContext, LogFormat, LogRecord, Sink, SniffInput } from '../types.js';
import { cloudtrailActor, cloudtrailSourceIp, cloudtrailTime } from './helpers.js';

export {
  cloudtrailActor,
  cloudtrailSourceIp,
  cloudtrailTime,
  compareEventVersion,
  isError,
  isInstanceCredential,
  isRoot,
  isTemporaryCredential,
  sessionName,
} from './helpers.js';

/**
 * AWS CloudTrail (logs.md §1), every delivery shape of §1.3. The JSON framer (json-framing.ts) already splits
 * NDJSON, bare arrays, pretty-printed documents and CloudWatch Logs export lines, and unwraps `Records`, `Events`,
 * `logEvents` and `QueryResultRows`; this parser turns each framed value into records:
 *
 * - a plain record (S3 file element, NDJSON line, array element, export-line message);
 * - an EventBridge event (`detail-type` "AWS API Call via CloudTrail" and siblings): the record is `detail`;
 * - a CloudWatch Logs subscription log event (`logEvents[]`): its `message` is the record as a JSON string;
 *   payloads whose `messageType` is `CONTROL_MESSAGE` are health checks and are skipped without error;
 * - a Lambda event `{"awslogs":{"data":"<base64 gzip>"}}`: decoded to a subscription payload;
 * - a LookupEvents event (`Events[]`): `CloudTrailEvent` is the record as a JSON string;
 * - a CloudTrail Lake row (`QueryResultRows[]`): single-key objects merged into one record (see `lakeRow`);
 * - the same shapes nested once more (e.g. a Records file inside an array) are unwrapped too.
 *
 * `fields` is the record exactly as AWS wrote it, with one exception: Logstash extras (`@timestamp`, `@version`,
 * as in the OTRF datasets) are dropped, and when Logstash moved `eventTime` into `@timestamp` it is restored.
 * Validation is minimal: a record needs `eventTime` (a parseable time), `eventName` and `eventSource`.
 */
export const cloudtrailFormat: LogFormat = {
  type: 'cloudtrail',
  title: 'AWS CloudTrail',
  framing: 'json',
  sniff: sniffCloudTrail,
  open({ file }) {
    return new CloudTrailParser(file);
  },
};

/** Nested wrappers deeper than this are reported, not followed (a payload inside a payload inside …). */
const MAX_NESTING = 4;
/** Decompressed size cap for an `awslogs.data` payload (Lambda payloads are at most 6 MB compressed). */
const MAX_AWSLOGS_BYTES = 64 * 1024 * 1024;

type Obj = Record<string, unknown>;

class CloudTrailParser implements FileParser {
  /** The wrapper of the value being handled, to name it in errors (`logEvents[3]: …`). */
  private wrapper: string | undefined;

  constructor(private readonly file: string) {}

  /** Only used when a caller feeds lines directly; the reader normally frames JSON and calls `value`. */
  line(text: string, lineNo: number, out: Sink): void {
    this.wrapper = undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      out.error({ file: this.file, line: lineNo, reason: `invalid JSON: ${(err as Error).message}` });
      return;
    }
    this.any(value, lineNo, undefined, undefined, 0, out);
  }

  value(v: unknown, at: JsonValueContext, out: Sink): void {
    this.wrapper = at.wrapperKey;
    switch (at.wrapperKey) {
      case 'logEvents':
        if (at.envelope?.messageType === 'CONTROL_MESSAGE') return;
        this.logEvent(v, at.line, at.index, undefined, 0, out);
        return;
      case 'Events':
        this.lookupEvent(v, at.line, at.index, undefined, out);
        return;
      case 'QueryResultRows':
        this.lakeRow(v, at.line, at.index, undefined, out);
        return;
      default:
        this.any(v, at.line, at.index, undefined, 0, out);
    }
  }

  /**
   * Any framed value: a record or one of the shapes around one. `where` prefixes error reasons for nested values
   * (built only on those paths so the plain-record path allocates nothing extra).
   */
  private any(
    v: unknown,
    line: number,
    index: number | undefined,
    where: string | undefined,
    depth: number,
    out: Sink,
  ) {
    if (v === null || typeof v !== 'object') {
      this.fail(out, line, index, where, `expected a CloudTrail record object, got ${describe(v)}`);
      return;
    }
    if (Array.isArray(v)) {
      if (isLakeRow(v)) this.lakeRow(v, line, index, where, out);
      else this.fail(out, line, index, where, 'expected a CloudTrail record object, got an array');
      return;
    }
    const o = v as Obj;
    // The common case first: a record.
    if (o.eventTime !== undefined || o.eventName !== undefined || o.eventVersion !== undefined) {
      this.record(o, line, index, where, out);
      return;
    }
    if (depth >= MAX_NESTING) {
      this.fail(out, line, index, where, `wrappers nested more than ${MAX_NESTING} deep`);
      return;
    }
    const detailType = o['detail-type'];
    if (detailType !== undefined) {
      const detail = o.detail;
      if (detail !== null && typeof detail === 'object' && !Array.isArray(detail) && isRecordShaped(detail as Obj)) {
        this.record(detail as Obj, line, index, where, out);
      } else {
        this.fail(
          out,
          line,
          index,
          where,
          `EventBridge event ${clip(JSON.stringify(detailType))} does not carry a CloudTrail record in "detail"`,
        );
      }
      return;
    }
    if (o.awslogs !== undefined) {
      this.awslogs(o.awslogs, line, index, where, depth, out);
      return;
    }
    if (Array.isArray(o.logEvents)) {
      this.subscription(o, line, index, where, depth, out);
      return;
    }
    if (Array.isArray(o.Records)) {
      this.each(o.Records, 'Records', index, where, (item, i, w) =>
        this.any(item, line, index ?? i, w, depth + 1, out),
      );
      return;
    }
    if (Array.isArray(o.Events)) {
      this.each(o.Events, 'Events', index, where, (item, i, w) => this.lookupEvent(item, line, index ?? i, w, out));
      return;
    }
    if (typeof o.CloudTrailEvent === 'string') {
      this.lookupEvent(o, line, index, where, out);
      return;
    }
    if (Array.isArray(o.QueryResultRows)) {
      this.each(o.QueryResultRows, 'QueryResultRows', index, where, (item, i, w) =>
        this.lakeRow(item, line, index ?? i, w, out),
      );
      return;
    }
    this.record(o, line, index, where, out);
  }

  /** Items of a nested wrapper; errors name the path (`record 3: logEvents[7]: …`). */
  private each(
    items: unknown[],
    key: string,
    index: number | undefined,
    where: string | undefined,
    fn: (item: unknown, i: number, where: string) => void,
  ): void {
    const prefix = `${where ?? (index !== undefined ? `record ${index}: ` : '')}${key}`;
    for (let i = 0; i < items.length; i++) fn(items[i], i, `${prefix}[${i}]: `);
  }

  private record(rec: Obj, line: number, index: number | undefined, where: string | undefined, out: Sink): void {
    let fields = rec;
    if (rec['@timestamp'] !== undefined || rec['@version'] !== undefined) fields = withoutLogstash(rec);
    const eventTime = fields.eventTime;
    const eventName = fields.eventName;
    const eventSource = fields.eventSource;
    if (typeof eventTime !== 'string' || typeof eventName !== 'string' || typeof eventSource !== 'string') {
      this.fail(out, line, index, where, missingReason(fields));
      return;
    }
    const time = cloudtrailTime(eventTime);
    if (Number.isNaN(time)) {
      this.fail(out, line, index, where, `invalid eventTime ${clip(JSON.stringify(eventTime))}`);
      return;
    }
    const record: LogRecord = {
      type: 'cloudtrail',
      fields,
      time,
      sourceIp: cloudtrailSourceIp(fields),
      actor: cloudtrailActor(fields),
      origin: { file: this.file, line, index },
    };
    out.record(record);
  }

  /** One CloudWatch Logs log event: `message` is the record (or an EventBridge event) as a JSON string. */
  private logEvent(
    ev: unknown,
    line: number,
    index: number | undefined,
    where: string | undefined,
    depth: number,
    out: Sink,
  ): void {
    const message = ev !== null && typeof ev === 'object' ? (ev as Obj).message : undefined;
    if (typeof message !== 'string') {
      this.fail(out, line, index, where, 'CloudWatch Logs log event without a "message" string');
      return;
    }
    let rec: unknown;
    try {
      rec = JSON.parse(message);
    } catch (err) {
      this.fail(out, line, index, where, `log event message is not JSON: ${(err as Error).message}`);
      return;
    }
    this.any(rec, line, index, where, depth + 1, out);
  }

  /** A subscription payload met as a whole value (inside `awslogs`, an array, or a message). */
  private subscription(
    payload: Obj,
    line: number,
    index: number | undefined,
    where: string | undefined,
    depth: number,
    out: Sink,
  ): void {
    if (payload.messageType === 'CONTROL_MESSAGE') return;
    this.each(payload.logEvents as unknown[], 'logEvents', index, where, (item, i, w) =>
      this.logEvent(item, line, index ?? i, w, depth + 1, out),
    );
  }

  /** A Lambda event from a subscription filter: `{"awslogs":{"data":"<base64 of gzip of the payload>"}}`. */
  private awslogs(
    awslogs: unknown,
    line: number,
    index: number | undefined,
    where: string | undefined,
    depth: number,
    out: Sink,
  ): void {
    const data = awslogs !== null && typeof awslogs === 'object' ? (awslogs as Obj).data : undefined;
    if (typeof data !== 'string') {
      this.fail(out, line, index, where, 'awslogs event without a "data" string');
      return;
    }
    let payload: unknown;
    try {
      const bytes = gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: MAX_AWSLOGS_BYTES });
      payload = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      this.fail(out, line, index, where, `awslogs.data is not base64 gzip JSON: ${(err as Error).message}`);
      return;
    }
    if (payload === null || typeof payload !== 'object' || !Array.isArray((payload as Obj).logEvents)) {
      this.fail(out, line, index, where, 'awslogs.data does not hold a CloudWatch Logs subscription payload');
      return;
    }
    this.subscription(payload as Obj, line, index, where, depth + 1, out);
  }

  /** A LookupEvents event: `CloudTrailEvent` is the full record as a JSON string. */
  private lookupEvent(ev: unknown, line: number, index: number | undefined, where: string | undefined, out: Sink) {
    if (ev === null || typeof ev !== 'object' || Array.isArray(ev)) {
      this.fail(out, line, index, where, `expected a LookupEvents event object, got ${describe(ev)}`);
      return;
    }
    const text = (ev as Obj).CloudTrailEvent;
    if (typeof text !== 'string') {
      // `{"Events":[record, …]}` written by a tool that already expanded the records.
      if (isRecordShaped(ev as Obj)) this.record(ev as Obj, line, index, where, out);
      else this.fail(out, line, index, where, 'LookupEvents event without a "CloudTrailEvent" string');
      return;
    }
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch (err) {
      this.fail(out, line, index, where, `CloudTrailEvent is not JSON: ${(err as Error).message}`);
      return;
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      this.fail(out, line, index, where, `CloudTrailEvent is not a record object: ${describe(rec)}`);
      return;
    }
    this.record(rec as Obj, line, index, where, out);
  }

  /**
   * A CloudTrail Lake result row: a list of single-key objects `{"<column>": "<string>"}` merged into one record.
   * Column names are matched to CloudTrail's spelling case-insensitively (Lake's SQL is case-insensitive);
   * values that are JSON objects or arrays in string form are parsed; `readOnly` and `managementEvent` become
   * booleans as in a record. Other values (including Lake's non-JSON renderings of structs) stay strings.
   */
  private lakeRow(row: unknown, line: number, index: number | undefined, where: string | undefined, out: Sink) {
    const cells: unknown[] | undefined = Array.isArray(row) ? row : undefined;
    if (cells === undefined) {
      this.fail(out, line, index, where, `expected a CloudTrail Lake row (a list of columns), got ${describe(row)}`);
      return;
    }
    const rec: Obj = {};
    for (const cell of cells) {
      if (cell === null || typeof cell !== 'object' || Array.isArray(cell)) {
        this.fail(out, line, index, where, `CloudTrail Lake row cell is not an object: ${describe(cell)}`);
        return;
      }
      for (const column in cell as Obj) {
        const name = LAKE_COLUMNS.get(column.toLowerCase()) ?? column;
        rec[name] = lakeValue(name, (cell as Obj)[column]);
      }
    }
    this.record(rec, line, index, where, out);
  }

  private fail(out: Sink, line: number, index: number | undefined, where: string | undefined, reason: string): void {
    let prefix = where;
    if (prefix === undefined) {
      const w = this.wrapper;
      prefix = index === undefined ? '' : w === undefined || w === 'Records' ? `record ${index}: ` : `${w}[${index}]: `;
    }
    out.error({ file: this.file, line, reason: prefix + reason });
  }
}

/** CloudTrail record fields by lower-case name, for Lake columns. */
const LAKE_COLUMNS = new Map(
  [
    'eventVersion',
    'userIdentity',
    'eventTime',
    'eventSource',
    'eventName',
    'awsRegion',
    'sourceIPAddress',
    'userAgent',
    'errorCode',
    'errorMessage',
    'requestParameters',
    'responseElements',
    'additionalEventData',
    'requestID',
    'eventID',
    'readOnly',
    'resources',
    'eventType',
    'apiVersion',
    'managementEvent',
    'recipientAccountId',
    'sharedEventID',
    'annotation',
    'vpcEndpointId',
    'vpcEndpointAccountId',
    'serviceEventDetails',
    'addendum',
    'edgeDeviceDetails',
    'insightDetails',
    'eventCategory',
    'tlsDetails',
    'sessionCredentialFromConsole',
    'eventContext',
  ].map((name) => [name.toLowerCase(), name] as const),
);

function lakeValue(name: string, v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if ((name === 'readOnly' || name === 'managementEvent') && (v === 'true' || v === 'false')) return v === 'true';
  const c = v.charCodeAt(0);
  if (c === 123 || c === 91) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (parsed !== null && typeof parsed === 'object') return parsed;
    } catch {
      // Lake renders some structs as `{key=value, …}`: not JSON, kept as written.
    }
  }
  return v;
}

/** A Lake row: a non-empty list whose items are all single-key objects. */
function isLakeRow(v: unknown[]): boolean {
  if (v.length === 0) return false;
  for (const cell of v) {
    if (cell === null || typeof cell !== 'object' || Array.isArray(cell)) return false;
    let keys = 0;
    for (const _ in cell as Obj) keys++;
    if (keys !== 1) return false;
  }
  return true;
}

function isRecordShaped(o: Obj): boolean {
  return o.eventTime !== undefined || o.eventName !== undefined || o.eventVersion !== undefined;
}

/**
 * Drop Logstash's `@timestamp` and `@version`. Logstash's date filter moves `eventTime` into `@timestamp`
 * (`2020-09-14T00:44:23.000Z`); when `eventTime` is absent it is restored in CloudTrail's whole-second form.
 */
function withoutLogstash(rec: Obj): Obj {
  const out: Obj = {};
  for (const key in rec) if (key !== '@timestamp' && key !== '@version') out[key] = rec[key];
  const ts = rec['@timestamp'];
  if (out.eventTime === undefined && typeof ts === 'string') {
    out.eventTime = ts.endsWith('.000Z') ? `${ts.slice(0, -5)}Z` : ts;
  }
  return out;
}

function missingReason(f: Obj): string {
  const missing: string[] = [];
  for (const key of ['eventTime', 'eventName', 'eventSource']) {
    const v = f[key];
    if (typeof v !== 'string') missing.push(v === undefined ? key : `${key} (${describe(v)})`);
  }
  if (missing.length === 3 && f.eventVersion === undefined) {
    return `not a CloudTrail record: no eventTime, eventName or eventSource (keys: ${clip(Object.keys(f).join(', '))})`;
  }
  return `CloudTrail record without ${missing.join(', ')}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `a string ${clip(JSON.stringify(v))}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${clip(String(v))}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Sniffing

const EXPORT_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d(?::?\d\d)?)?[ \t]+[{[]/;
const CLOUDTRAIL_DETAIL_TYPE = /"detail-type"\s*:\s*"AWS [A-Za-z ]+ via CloudTrail"/;
/** S3, SQS, SNS, DynamoDB … event notifications also use `Records`/`eventVersion`/`eventSource`, as `aws:<svc>`. */
const NOTIFICATION_SOURCE = /"[eE]ventSource"\s*:\s*"aws:/;
const AWSLOGS = /^\s*\{\s*"awslogs"\s*:\s*\{\s*"data"\s*:\s*"([A-Za-z0-9+/=]*)/;

/** Confidence that a file is CloudTrail, from its content (logs.md §0 sniffing order). */
export function sniffCloudTrail(input: SniffInput): number {
  const first = input.firstLine.replace(/^[\s\ufeff]+/, '');
  const c = first.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    // CloudWatch Logs export: `<timestamp> <message>` where the message is a record.
    return EXPORT_LINE.test(first) && recordMarkers(first) ? 0.95 : 0;
  }
  if (c !== 123 && c !== 91) return 0;
  const head = input.head;
  if (head.includes('"detail-type"')) return CLOUDTRAIL_DETAIL_TYPE.test(head) ? 0.97 : 0;
  if (NOTIFICATION_SOURCE.test(head)) return 0;
  const awslogs = AWSLOGS.exec(head);
  if (awslogs) return sniffPayload(decodeAwslogsPrefix(awslogs[1]!));
  if (head.includes('"logEvents"') && head.includes('"messageType"')) return sniffPayload(head);
  if (head.includes('"CloudTrailEvent"')) return 0.95;
  if (head.includes('"QueryResultRows"')) return /"event(time|name|source)"/i.test(head) ? 0.9 : 0.5;
  return recordMarkers(head) ? 0.95 : 0;
}

/** `eventVersion`, `eventSource` and `eventName` keys, and a time (`eventTime`, or Logstash's `@timestamp`). */
function recordMarkers(text: string): boolean {
  return (
    text.includes('"eventVersion"') &&
    text.includes('"eventSource"') &&
    text.includes('"eventName"') &&
    (text.includes('"eventTime"') || text.includes('"@timestamp"'))
  );
}

/** A subscription payload: CloudTrail when its log stream or messages say so; a bare health check is ambiguous. */
function sniffPayload(text: string): number {
  if (text.includes('_CloudTrail_') || text.includes('\\"eventVersion\\"')) return 0.95;
  if (text.includes('CONTROL_MESSAGE')) return 0.5;
  return 0;
}

/** Decode what the head holds of an `awslogs.data` value (gzip inflated as far as the bytes go). */
function decodeAwslogsPrefix(b64: string): string {
  const usable = b64.slice(0, b64.length - (b64.length % 4));
  try {
    return gunzipSync(Buffer.from(usable, 'base64'), { finishFlush: 2 /* Z_SYNC_FLUSH */ }).toString('utf8');
  } catch {
    return '';
  }
}
