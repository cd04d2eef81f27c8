/**
 * A VPC flow record read in place: column positions and integers in typed arrays, addresses as IPv4 numbers, no
 * fields object, no record and no substrings unless a consumer asks for them.
 *
 * Flow logs are the largest AWS log by far, and detection looks at a dozen of their fields, most of them numbers. A
 * consumer that can work from a row (the detection engine) gets one FlowRow object, refilled for every line, through
 * `Sink.flow`; anything that needs the usual LogRecord (Sigma rules, `--where`, `logs cat`) gets it from `record()`,
 * built on demand exactly as the record path builds it.
 */
import { Interner } from '../intern.js';
import type { LogRecord, RecordOrigin } from '../types.js';
import { DEFAULT_LAYOUT, HOT_SLOTS, Hot, Kind, type Layout, type ReadFailure } from './layout.js';

/** Digits between `from` and `to` as a number, or -1 when the text is not an unsigned integer. */
export function parseUint(s: string, from: number, to: number): number {
  if (to - from > 15) {
    for (let i = from; i < to; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
    }
    return Number(s.slice(from, to));
  }
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The record of a line already split into `fields`: event time from `start` (else `end`), source address (srcaddr,
 * else pkt-srcaddr), actor (instance-id, else interface-id). `raw` is the line as written.
 */
export function flowRecord(
  layout: Layout,
  fields: Record<string, unknown>,
  raw: string,
  file: string,
  lineNo: number,
  index: number | undefined,
): LogRecord {
  let time = Number.NaN;
  const start = layout.start >= 0 ? fields.start : undefined;
  if (start !== undefined) time = (start as number) * 1000;
  else if (layout.end >= 0 && fields.end !== undefined) time = (fields.end as number) * 1000;
  let sourceIp = layout.srcaddr >= 0 ? (fields.srcaddr as string | undefined) : undefined;
  if (sourceIp === undefined && layout.pktSrcaddr >= 0) sourceIp = fields['pkt-srcaddr'] as string | undefined;
  let actor = layout.instanceId >= 0 ? (fields['instance-id'] as string | undefined) : undefined;
  if (actor === undefined && layout.interfaceId >= 0) actor = fields['interface-id'] as string | undefined;
  return {
    type: 'vpcflow',
    fields,
    time,
    sourceIp,
    actor,
    origin: originOf(file, lineNo, index),
    raw,
  };
}

function originOf(file: string, line: number, index: number | undefined): RecordOrigin {
  return index === undefined ? { file, line } : { file, line, index };
}

const instanceIds = new Interner();
const interfaceIds = new Interner();

export class FlowRow {
  file = '';
  lineNo = 0;
  /** Position within a CloudWatch Logs subscription payload. */
  index: number | undefined = undefined;
  layout: Layout = DEFAULT_LAYOUT;
  /**
   * The record is `text` from `from` to `to` (trailing blanks removed), usually a whole input chunk: columns are
   * read in place. Column i spans text from spans[2i] to spans[2i + 1]; spans[2i] is -1 when it is absent (`-`).
   */
  text = '';
  from = 0;
  to = 0;
  spans = new Int32Array(2 * DEFAULT_LAYOUT.count);
  /** Integer columns' values (NaN when absent) and address columns' IPv4 numbers (-1: not IPv4); unset otherwise. */
  nums = new Float64Array(DEFAULT_LAYOUT.count);
  /** The `Hot` fields at fixed positions (NaN when absent): what detection reads for every record. */
  readonly hot = new Float64Array(HOT_SLOTS);
  /** Event time in epoch ms (start, else end), NaN when the record has none. */
  time = Number.NaN;
  /** instance-id and interface-id (one string object per distinct id), undefined when absent. */
  instanceId: string | undefined = undefined;
  eni: string | undefined = undefined;
  /** Where the line as written ends in `text` (after the trailing blanks `to` leaves out). */
  private rawTo = 0;
  private rec: LogRecord | undefined = undefined;
  private org: RecordOrigin | undefined = undefined;
  private readonly fail: ReadFailure = { index: 0, from: 0, to: 0 };

  /**
   * Read the record `text[from, to)` (the line as written ends at `rawTo`) with `layout`: true when it is a valid
   * record, else false with `fail` set exactly as `layout.read` sets it (so both paths report the same errors).
   * Positions in `fail` are relative to `from`.
   */
  read(
    layout: Layout,
    text: string,
    from: number,
    to: number,
    rawTo: number,
    file: string,
    lineNo: number,
    index: number | undefined,
    fail: ReadFailure,
  ): boolean {
    const count = layout.count;
    if (this.nums.length < count) {
      this.nums = new Float64Array(count);
      this.spans = new Int32Array(2 * count);
    }
    const nums = this.nums;
    const spans = this.spans;
    const hot = this.hot;
    if (!layout.readRow(text, from, to, spans, nums, hot, fail, parseUint)) {
      fail.from -= from;
      fail.to -= from;
      return false;
    }
    this.layout = layout;
    this.text = text;
    this.from = from;
    this.to = to;
    this.rawTo = rawTo;
    this.file = file;
    this.lineNo = lineNo;
    this.index = index;
    this.rec = undefined;
    this.org = undefined;
    const start = hot[Hot.start]!;
    this.time = (Number.isNaN(start) ? hot[Hot.end]! : start) * 1000;
    this.instanceId = this.interned(instanceIds, layout.instanceId);
    this.eni = this.interned(interfaceIds, layout.interfaceId);
    return true;
  }

  private interned(interner: Interner, col: number): string | undefined {
    if (col < 0) return undefined;
    const from = this.spans[2 * col]!;
    return from < 0 ? undefined : interner.get(this.text, from, this.spans[2 * col + 1]!);
  }

  /** The record's text (trailing blanks removed). */
  get line(): string {
    return this.text.slice(this.from, this.to);
  }

  /** The line as written. */
  get raw(): string {
    const t = this.text;
    return this.from === 0 && this.rawTo === t.length ? t : t.slice(this.from, this.rawTo);
  }

  /** A column's text as written, undefined when absent. */
  column(col: number): string | undefined {
    if (col < 0) return undefined;
    const from = this.spans[2 * col]!;
    return from < 0 ? undefined : this.text.slice(from, this.spans[2 * col + 1]!);
  }

  /** The field as the record's `fields` would hold it (number for integer columns, text otherwise). */
  value(name: string): unknown {
    const col = this.layout.names.indexOf(name);
    if (col < 0 || this.spans[2 * col]! < 0) return undefined;
    const n = this.nums[col]!;
    // A lenient column that is not a number is kept as text (NaN), as the record reader keeps it.
    return this.layout.kinds[col] !== Kind.Text && !Number.isNaN(n) ? n : this.column(col);
  }

  /** Where the record came from (one object per record: windows keep it). */
  get origin(): RecordOrigin {
    if (this.org === undefined) {
      this.org = this.rec?.origin ?? originOf(this.file, this.lineNo, this.index);
    }
    return this.org;
  }

  /** The LogRecord the record path would have produced for this line (built once per row). */
  record(): LogRecord {
    if (this.rec === undefined) {
      // The row read succeeded, so the layout's reader accepts the line too.
      const fields = this.layout.read(this.line, this.fail, parseUint)!;
      this.rec = flowRecord(this.layout, fields, this.raw, this.file, this.lineNo, this.index);
      if (this.org !== undefined) this.rec.origin = this.org;
    }
    return this.rec;
  }
}
