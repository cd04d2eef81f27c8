import type { FileParser, LogFormat, Sink, SniffInput } from '../types.js';
import {
  DEFAULT_LAYOUT,
  headerNames,
  KNOWN_FIELDS,
  type Layout,
  makeLayout,
  parseFormatString,
  type ReadFailure,
} from './layout.js';
import { FlowRow, flowRecord, parseUint } from './row.js';

/**
 * VPC Flow Logs (logs.md §2), including Transit Gateway flow logs.
 *
 * Space-separated records whose field order comes from, in this order of precedence: the header line S3-delivered
 * files carry (it may reappear mid-file, e.g. in concatenated files: the layout switches there), the configured
 * `FormatOptions.vpcFlowFormat` (CloudWatch Logs delivery has no header), else the default v2 format. A record
 * whose field count differs from its layout is rejected, never shifted. `-` (and an empty column) is absent.
 * A `{"message":"…"}` line (CloudWatch Logs export) is unwrapped.
 *
 * Hot path: one pass with indexOf, integers converted straight from the line (no substring), one slice per text
 * field, by a reader compiled once per layout (layout.ts). A sink that takes rows (`Sink.flow`: detection) gets the
 * line read in place instead (row.ts): no fields object and no substrings unless asked for.
 */
export const vpcFlowFormat: LogFormat = {
  type: 'vpcflow',
  title: 'VPC Flow Logs',
  framing: 'lines',
  sniff: sniffVpcFlow,
  open({ file, options }) {
    return new VpcFlowParser(file, options.vpcFlowFormat);
  },
};

/** Reasons are quoted with long values cut, so one garbage line cannot produce a megabyte-long message. */
function show(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

function countFields(line: string): number {
  let n = 1;
  for (let i = line.indexOf(' '); i >= 0; i = line.indexOf(' ', i + 1)) n++;
  return n;
}

export class VpcFlowParser implements FileParser {
  /** The current layout; undefined while none is usable (invalid configured format, malformed header). */
  private layout: Layout | undefined;
  /** Why there is no usable layout. */
  private noLayout = '';
  /** How error messages name the current layout. */
  private layoutName = '';
  private readonly headers = new Map<string, Layout>();
  private readonly unknown = new Set<string>();
  private readonly fail: ReadFailure = { index: 0, from: 0, to: 0 };
  /** The row refilled for every line when the sink takes rows (`Sink.flow`). */
  private readonly row = new FlowRow();

  constructor(
    private readonly file: string,
    formatOption: string | undefined,
  ) {
    this.layout = DEFAULT_LAYOUT;
    if (formatOption !== undefined && formatOption.trim() !== '') {
      const parsed = parseFormatString(formatOption);
      if ('error' in parsed) {
        this.layout = undefined;
        this.noLayout = `the configured VPC flow log format (logs.vpcFlowFormat) is invalid: ${parsed.error}`;
      } else {
        this.layout = makeLayout(parsed.names, 'the configured format (logs.vpcFlowFormat)');
        for (const name of this.layout.unknown) this.unknown.add(name);
      }
    }
    if (this.layout) this.layoutName = this.layout.origin;
  }

  /** Field names declared by a header or the configured format that Vigil does not know (kept as text). */
  get unknownFields(): string[] {
    return [...this.unknown];
  }

  /**
   * A line in place (the framer's chunk from `from` to `to`): a record for a sink that takes rows is read without a
   * substring; headers, JSON-wrapped lines and other sinks take the `line` path.
   */
  span(text: string, from: number, to: number, lineNo: number, out: Sink): void {
    const c = text.charCodeAt(from);
    const last = text.charCodeAt(to - 1);
    const layout = this.layout;
    if (out.flow === undefined || c === 123 || (c >= 97 && c <= 122) || last === 32 || last === 9 || !layout) {
      this.line(text.slice(from, to), lineNo, out);
      return;
    }
    const row = this.row;
    if (row.read(layout, text, from, to, to, this.file, lineNo, undefined, this.fail)) out.flow(row);
    else this.readError(layout, text.slice(from, to), lineNo, out);
  }

  line(text: string, lineNo: number, out: Sink): void {
    const c = text.charCodeAt(0);
    if (c === 123 /* { */) {
      this.wrapped(text, lineNo, out);
      return;
    }
    if (c >= 97 && c <= 122 && this.header(text, lineNo, out)) return;
    this.record(text, lineNo, out, undefined);
  }

  /**
   * JSON lines from CloudWatch Logs: an exported / `filter-log-events` event `{"message":"<flow record>", …}`, or a
   * whole subscription payload on one line `{"messageType":"DATA_MESSAGE", …, "logEvents":[{"message":…}, …]}`
   * (one record per event, `origin.index` = its position; CONTROL_MESSAGE health checks produce nothing).
   */
  private wrapped(text: string, lineNo: number, out: Sink): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      out.error({ file: this.file, line: lineNo, reason: `invalid JSON: ${(err as Error).message}` });
      return;
    }
    const obj = (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    if (Array.isArray(obj.logEvents)) {
      if (obj.messageType === 'CONTROL_MESSAGE') return;
      obj.logEvents.forEach((event: unknown, index) => {
        const message = (event as { message?: unknown } | null)?.message;
        if (typeof message === 'string' && message.trim() !== '') this.message(message, lineNo, out, index);
        else
          out.error({
            file: this.file,
            line: lineNo,
            reason: `logEvents[${index}] has no "message" string (expected a CloudWatch Logs event holding a flow log record)`,
          });
      });
      return;
    }
    const message = obj.message;
    if (typeof message !== 'string' || message.trim() === '') {
      out.error({
        file: this.file,
        line: lineNo,
        reason: 'JSON line without a "message" string (expected a CloudWatch Logs event holding a flow log record)',
      });
      return;
    }
    this.message(message, lineNo, out, undefined);
  }

  /** A flow record (or header) carried in a CloudWatch Logs event message; `raw` is the message. */
  private message(message: string, lineNo: number, out: Sink, index: number | undefined): void {
    const inner = message.trim();
    const c = inner.charCodeAt(0);
    if (c >= 97 && c <= 122 && this.header(inner, lineNo, out)) return;
    this.record(inner, lineNo, out, index);
  }

  /** Adopt a header line's layout; false when the line is not a header. */
  private header(text: string, lineNo: number, out: Sink): boolean {
    const names = headerNames(text);
    if (!names) return false;
    const key = names.join(' ');
    let layout = this.headers.get(key);
    if (!layout) {
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup !== undefined) {
        this.layout = undefined;
        this.noLayout = `the header on line ${lineNo} names field '${dup}' twice`;
        out.error({
          file: this.file,
          line: lineNo,
          reason: `malformed header: field '${dup}' appears twice; records are rejected until the next valid header`,
        });
        return true;
      }
      layout = makeLayout(names, 'the header');
      this.headers.set(key, layout);
      for (const name of layout.unknown) this.unknown.add(name);
    }
    this.layout = layout;
    this.layoutName = `the header on line ${lineNo}`;
    return true;
  }

  private record(text: string, lineNo: number, out: Sink, index: number | undefined): void {
    const layout = this.layout;
    if (layout === undefined) {
      out.error({ file: this.file, line: lineNo, reason: this.noLayout });
      return;
    }
    let line = text;
    const last = line.charCodeAt(line.length - 1);
    if (last === 32 || last === 9) line = line.trimEnd();
    if (out.flow !== undefined) {
      const row = this.row;
      // `line` is `text` without its trailing blanks: the row reads its prefix.
      if (row.read(layout, text, 0, line.length, text.length, this.file, lineNo, index, this.fail)) out.flow(row);
      else this.readError(layout, line, lineNo, out);
      return;
    }
    const fields = layout.read(line, this.fail, parseUint);
    if (fields === undefined) this.readError(layout, line, lineNo, out);
    else out.record(flowRecord(layout, fields, text, this.file, lineNo, index));
  }

  private readError(layout: Layout, line: string, lineNo: number, out: Sink): void {
    const bad = this.fail;
    // A wrong field count explains a bad value better than the value itself (garbage, shifted lines).
    if (bad.index < 0 || countFields(line) !== layout.count) this.countError(layout, line, lineNo, out);
    else this.valueError(layout.names[bad.index]!, line.slice(bad.from, bad.to), lineNo, out);
  }

  private countError(layout: Layout, line: string, lineNo: number, out: Sink): void {
    const got = countFields(line);
    const hint = layout === DEFAULT_LAYOUT ? ' (set logs.vpcFlowFormat for a custom format without a header)' : '';
    out.error({
      file: this.file,
      line: lineNo,
      reason: `expected ${layout.count} space-separated fields per ${this.layoutName}${hint}, got ${got}`,
    });
  }

  private valueError(name: string, value: string, lineNo: number, out: Sink): void {
    const what = name === 'start' || name === 'end' ? `${name} time` : name;
    const expected = name === 'start' || name === 'end' ? 'Unix seconds or -' : 'a whole number or -';
    out.error({ file: this.file, line: lineNo, reason: `invalid ${what} '${show(value)}' (expected ${expected})` });
  }
}

const V2_LINE =
  /^\d{1,2} (\d{12}|unknown|-) (eni-[0-9a-f]+|-) \S+ \S+ (\d+|-) (\d+|-) (\d+|-) (\d+|-) (\d+|-) \d{9,10} \d{9,10} (ACCEPT|REJECT|-) (OK|NODATA|SKIPDATA)\s*$/;
const FIRST_MESSAGE = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/;
const STATUS = new Set(['OK', 'NODATA', 'SKIPDATA']);
const ID_PREFIX = /^(eni|tgw|tgw-attach|vpc|subnet|i)-[0-9a-z]+$/;
const EPOCH = /^\d{9,10}$/;

/**
 * Content sniffing: a header line (≥ 2 catalogued names) is certain; a default-format line is nearly so; a
 * header-less custom-format line is recognised by its flow-record traits (consecutive Unix start/end times, a
 * log-status keyword, resource IDs) and never by quotes, brackets or tabs, which no flow record has.
 */
export function sniffVpcFlow({ firstLine }: SniffInput): number {
  let line = firstLine.trim();
  let factor = 1;
  if (line.charCodeAt(0) === 123) {
    // The first "message" string of a CloudWatch Logs event or subscription payload (the line may be cut at 64 KiB).
    const m = FIRST_MESSAGE.exec(line);
    if (!m) return 0;
    try {
      line = (JSON.parse(`"${m[1]}"`) as string).trim();
    } catch {
      return 0;
    }
    factor = 0.9; // a "message" key is weaker evidence than a file of bare records
  }
  const header = headerNames(line);
  if (header) {
    let known = 0;
    for (const name of header) if (KNOWN_FIELDS.has(name)) known++;
    if (known >= 3 || (known >= 2 && known === header.length)) return 0.98 * factor;
    return known >= 2 ? 0.7 * factor : 0.3 * factor;
  }
  if (/["[\]\t{}]/.test(line)) return 0;
  if (V2_LINE.test(line)) return 0.95 * factor;
  const tokens = line.split(' ');
  if (tokens.length < 3) return 0;
  let hasStatus = false;
  let hasTimes = false;
  let hasId = false;
  let hasAction = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '') return 0;
    if (STATUS.has(t)) hasStatus = true;
    else if (t === 'ACCEPT' || t === 'REJECT') hasAction = true;
    else if (ID_PREFIX.test(t)) hasId = true;
    else if (i > 0 && EPOCH.test(t) && EPOCH.test(tokens[i - 1]!)) hasTimes = true;
  }
  if (hasTimes && hasStatus) return 0.85 * factor;
  if (hasTimes && (hasId || hasAction)) return 0.7 * factor;
  if (hasStatus && hasId) return 0.6 * factor;
  return 0;
}
