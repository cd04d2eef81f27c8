/**
 * The ingestion model shared by every log format.
 *
 * A record keeps the log's native field names and values in `fields` (so Sigma rules and EventBridge patterns
 * written for AWS data work unchanged); the normalised helpers (event time, source IP, actor, origin) sit beside
 * them, never instead of them.
 */
import type { FlowRow } from './vpcflow/row.js';

export const LOG_TYPES = [
  'cloudtrail',
  'vpcflow',
  'route53resolver',
  's3access',
  'alb',
  'albconnection',
  'nlb',
  'elb',
  'waf',
  'cloudfront',
  'networkfirewall',
  'guardduty',
] as const;

export type LogType = (typeof LOG_TYPES)[number];

export function isLogType(value: string): value is LogType {
  return (LOG_TYPES as readonly string[]).includes(value);
}

/** Where a record came from: file (or `s3://bucket/key`, or `-` for stdin), 1-based line, index within the line. */
export interface RecordOrigin {
  file: string;
  line: number;
  /** 0-based position when one line or JSON document holds several records (e.g. `{"Records":[…]}`). */
  index?: number;
}

export interface LogRecord {
  type: LogType;
  /**
   * Native fields with AWS's names. Text formats convert numbers to numbers and drop `-` (absent); JSON
   * formats keep the record exactly as AWS wrote it.
   */
  fields: Record<string, unknown>;
  /** Event time in epoch milliseconds (the time written in the log); NaN when the record has none. */
  time: number;
  /** The client / caller address when the format has one. */
  sourceIp?: string;
  /** Who acted: an ARN, principal or user name when the format has one. */
  actor?: string;
  origin: RecordOrigin;
  /** The raw line for text formats (fields stay recoverable exactly as written). */
  raw?: string;
}

/** A rejected line, record or file. Never thrown: reported through the sink and counted. */
export interface ParseIssue {
  file: string;
  /** 1-based line when known. */
  line?: number;
  /** Byte offset (into the decompressed content) when a line number is not meaningful. */
  offset?: number;
  reason: string;
}

export interface Sink {
  record(record: LogRecord): void;
  error(issue: ParseIssue): void;
  /**
   * VPC flow records read in place (vpcflow/row.ts) instead of `record`, for consumers that can use them: the row
   * is valid only during the call (the parser refills it for the next line); `row.record()` gives the LogRecord.
   */
  flow?(row: FlowRow): void;
}

/** What a format sees when deciding whether a file is its own. */
export interface SniffInput {
  /** First non-blank line (or its first 64 KiB), without terminator. */
  firstLine: string;
  /** The first 64 KiB of decompressed text. */
  head: string;
  /** Path or S3 key, for path-based hints (`AWSLogs/<acct>/vpcflowlogs/…`). */
  path: string;
}

export interface OpenContext {
  /** Name used in errors and origins. */
  file: string;
  /** Format options from configuration / CLI. */
  options: FormatOptions;
}

export interface FormatOptions {
  /**
   * VPC flow log format (`${version} ${account-id} …` or plain space-separated names) used for files without a
   * header line (CloudWatch Logs delivery). Default: the v2 default format.
   */
  vpcFlowFormat?: string;
  /** CloudFront `#Fields:` list used when a file has no header (v2 plain delivery). */
  cloudfrontFields?: string;
}

/**
 * Per-file parser, stateful (header lines, `#Fields:` directives).
 * `line` receives one line (terminator removed, never blank). For `framing: 'json'` formats `value` receives
 * each JSON record value instead (already unwrapped from `{"Records":[…]}`-style wrappers by the reader).
 */
export interface FileParser {
  line(text: string, lineNo: number, out: Sink): void;
  /** A line given in place (`text` from `from` to `to`), for parsers that read without a substring (lines.ts). */
  span?(text: string, from: number, to: number, lineNo: number, out: Sink): void;
  value?(value: unknown, at: JsonValueContext, out: Sink): void;
  end?(out: Sink): void;
}

/** Valid only during the `value` call (the reader reuses one object on the hot path). */
export interface JsonValueContext {
  line: number;
  index: number | undefined;
  /** The wrapper key the value came from (`Records`, `Events`, `logEvents`, `findings`), if any. */
  wrapperKey?: string;
  /** Scalar members of the wrapper object (e.g. a CloudWatch Logs subscription's `logGroup`, `messageType`). */
  envelope?: Record<string, unknown>;
}

export interface LogFormat {
  type: LogType;
  /** Human name, e.g. "VPC Flow Logs". */
  title: string;
  /**
   * `lines`: one record per text line (the reader splits lines). `json`: JSON values that may span lines or
   * come wrapped (the reader frames JSON values and calls `value`).
   */
  framing: 'lines' | 'json';
  /** Confidence 0..1 from content; path hints are applied separately by the sniffer. */
  sniff(input: SniffInput): number;
  open(ctx: OpenContext): FileParser;
}
