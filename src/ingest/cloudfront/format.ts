import { type FieldsBuilder, type FieldsFailure, fieldsBuilderFor } from '../fields.js';
import { clip } from '../json-line.js';
import type { LogFormat, LogRecord, Sink } from '../types.js';

/**
 * CloudFront standard (access) logs, legacy W3C format (logs.md §7): tab-separated values described by a
 * `#Fields:` directive. Columns are mapped from the latest `#Fields:` line (older files declare fewer fields; a
 * directive may reappear mid-file when files are concatenated), so field names are exactly CloudFront's (`date`,
 * `x-edge-location`, `c-ip`, `cs(Host)` …). Values stay as written (URL-encoded) except that `-` is absent and
 * byte/status/time/port columns become numbers.
 *
 * Files without a directive (plain delivery) use `FormatOptions.cloudfrontFields`, else the 33 standard fields.
 */
export const CLOUDFRONT_FIELDS = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
] as const;

/**
 * Numeric columns. `timestamp`, `timestamp(ms)`, `origin-fbl`, `origin-lbl` and `asn` are the names standard
 * logging v2 and real-time logs use for their extra numeric fields (v2 field layout unconfirmed in the spec).
 */
const NUMERIC_FIELDS = new Set([
  'sc-bytes',
  'sc-status',
  'cs-bytes',
  'time-taken',
  'c-port',
  'time-to-first-byte',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
  'timestamp',
  'timestamp(ms)',
  'origin-fbl',
  'origin-lbl',
  'asn',
]);

/** The original (2008) layout ended after `cs-uri-query`: the fewest columns a header-less line may have. */
export const CLOUDFRONT_MIN_FIELDS = 12;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^\d{2}:\d{2}:\d{2}$/;
const W3C_DIRECTIVE = /^#(Version|Fields|Software|Date|Remark|Start-Date|End-Date):/;
const EDGE_RE = /^[A-Z]{3}\d+(-[A-Z0-9]+)?$/;

export const cloudfrontFormat: LogFormat = {
  type: 'cloudfront',
  title: 'CloudFront standard logs',
  framing: 'lines',
  sniff({ firstLine, head }) {
    if (W3C_DIRECTIVE.test(firstLine)) {
      const i = head.indexOf('#Fields:');
      if (i < 0) return 0.5;
      const nl = head.indexOf('\n', i);
      const fields = head.slice(i + 8, nl < 0 ? head.length : nl);
      // `#Version`/`#Fields` is generic W3C (IIS writes it too): CloudFront's own field names decide.
      if (fields.includes('x-edge-location') || fields.includes('x-edge-request-id')) return 0.98;
      if (fields.includes('cs(Host)') && fields.includes('c-ip')) return 0.7;
      return 0.3;
    }
    const parts = firstLine.split('\t', 4);
    if (parts.length === 4 && DATE_RE.test(parts[0]!) && TIME_RE.test(parts[1]!) && EDGE_RE.test(parts[2]!)) {
      return 0.85;
    }
    return 0;
  },
  open({ file, options }) {
    return new CloudFrontParser(file, options.cloudfrontFields);
  },
};

/** Column layout derived from a field list, computed once per `#Fields:` directive. */
interface Layout {
  names: string[];
  numeric: Uint8Array;
  date: number;
  time: number;
  timestamp: number;
  timestampMs: number;
  clientIp: number;
  /** Declared (header or configuration): a line with fewer columns is an error. */
  declared: boolean;
  build: FieldsBuilder;
}

function layoutOf(names: string[], declared: boolean): Layout {
  const numeric = new Uint8Array(names.length);
  for (let i = 0; i < names.length; i++) if (NUMERIC_FIELDS.has(names[i]!)) numeric[i] = 1;
  return {
    names,
    numeric,
    build: fieldsBuilderFor(names, numeric),
    date: names.indexOf('date'),
    time: names.indexOf('time'),
    timestamp: names.indexOf('timestamp'),
    timestampMs: names.indexOf('timestamp(ms)'),
    clientIp: names.indexOf('c-ip'),
    declared,
  };
}

/** Field names from a `#Fields:` value or the configured option (space, tab or comma separated). */
export function parseFieldList(text: string): string[] {
  const body = text.startsWith('#Fields:') ? text.slice(8) : text;
  return body.split(/[\s,]+/).filter((s) => s.length > 0);
}

class CloudFrontParser {
  private layout: Layout;
  private readonly failure: FieldsFailure = { index: 0 };

  constructor(
    private readonly file: string,
    configured: string | undefined,
  ) {
    const names = configured ? parseFieldList(configured) : [];
    this.layout = names.length > 0 ? layoutOf(names, true) : layoutOf([...CLOUDFRONT_FIELDS], false);
  }

  line(text: string, lineNo: number, out: Sink): void {
    const file = this.file;
    if (text.charCodeAt(0) === 35 /* # */) {
      if (text.startsWith('#Fields:')) {
        const names = parseFieldList(text);
        if (names.length === 0) out.error({ file, line: lineNo, reason: 'empty #Fields: directive' });
        else this.layout = layoutOf(names, true);
      }
      // `#Version:` and any other W3C directive carry nothing per record.
      return;
    }
    const layout = this.layout;
    const cols = text.split('\t');
    const n = cols.length;
    const expected = layout.names.length;
    if (n < expected && (layout.declared || n < CLOUDFRONT_MIN_FIELDS)) {
      out.error({
        file,
        line: lineNo,
        reason: layout.declared
          ? `expected ${expected} tab-separated fields per the #Fields header, got ${n}`
          : `expected at least ${CLOUDFRONT_MIN_FIELDS} tab-separated fields (CloudFront standard log), got ${n}`,
      });
      return;
    }
    const fields = layout.build(cols, n, this.failure);
    if (fields === undefined) {
      const i = this.failure.index;
      out.error({
        file,
        line: lineNo,
        reason: `invalid ${layout.names[i]} '${clip(cols[i]!)}' (expected a number or -)`,
      });
      return;
    }
    if (n > expected) fields._extra = cols.slice(expected);
    const time = timeOf(cols, n, layout);
    if (typeof time === 'string') {
      out.error({ file, line: lineNo, reason: time });
      return;
    }
    const record: LogRecord = { type: 'cloudfront', fields, time, origin: { file, line: lineNo }, raw: text };
    const ip = fields['c-ip'];
    if (typeof ip === 'string') record.sourceIp = ip;
    out.record(record);
  }
}

/**
 * Event time in ms from `date` + `time` (UTC), else a v2 `timestamp(ms)` / `timestamp` column; NaN when the layout
 * has no time column at all; a reason string when a time column holds an invalid value.
 */
let lastDate = '';
let lastTime = '';
let lastMs = Number.NaN;

function timeOf(cols: string[], n: number, layout: Layout): number | string {
  if (layout.date >= 0 && layout.time >= 0 && layout.date < n && layout.time < n) {
    const d = cols[layout.date]!;
    const t = cols[layout.time]!;
    // Records of a file share their date and often their second: the last answer is reused for the same text.
    let ms: number;
    if (d === lastDate && t === lastTime) ms = lastMs;
    else {
      ms = DATE_RE.test(d) && TIME_RE.test(t) ? Date.parse(`${d}T${t}Z`) : Number.NaN;
      lastDate = d;
      lastTime = t;
      lastMs = ms;
    }
    return Number.isNaN(ms) ? `invalid date/time '${clip(d)} ${clip(t)}'` : ms;
  }
  const ms = epochColumn(cols, n, layout.timestampMs, 1);
  if (ms === undefined) return `invalid timestamp(ms) '${clip(cols[layout.timestampMs]!)}'`;
  if (!Number.isNaN(ms)) return ms;
  const s = epochColumn(cols, n, layout.timestamp, 1000);
  return s === undefined ? `invalid timestamp '${clip(cols[layout.timestamp]!)}'` : s;
}

/** An epoch column scaled to ms; NaN when absent or `-`; undefined when present but not a number. */
function epochColumn(cols: string[], n: number, index: number, scale: number): number | undefined {
  if (index < 0 || index >= n) return Number.NaN;
  const v = cols[index]!;
  if (v === '-' || v === '') return Number.NaN;
  const num = Number(v);
  return Number.isFinite(num) ? num * scale : undefined;
}
