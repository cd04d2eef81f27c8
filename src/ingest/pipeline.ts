import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { compilePattern } from '../bus/pattern/compile.js';
import { PatternIndex } from '../bus/pattern/compiled.js';
import { describeError } from '../core/errors.js';
import { log } from '../core/log.js';
import { createTextParser, type TextParser } from './file-parse.js';
import { formatFor, sniffFormat } from './registry.js';
import type { S3SourceOptions } from './sources.js';
import { expandInputs, type InputUnit, READ_CHUNK } from './sources.js';
import type { FormatOptions, LogFormat, LogRecord, LogType, ParseIssue, Sink } from './types.js';

export interface IngestOptions {
  /** Skip sniffing: parse every file as this type. */
  type?: LogType;
  /** Keep only records whose event time is >= since (epoch ms). */
  since?: number;
  /** Keep only records whose event time is < until (epoch ms). */
  until?: number;
  formatOptions?: FormatOptions;
  maxLineLength?: number;
  s3?: S3SourceOptions;
  /**
   * EventBridge event pattern (JSON text) matched against each record's native fields: only matching records are
   * kept. Validate it first with `compileWherePattern` (invalid patterns throw AWS's message).
   */
  where?: string;
}

/** Compile a `--where` pattern into a record filter (throws PatternError with AWS's message when invalid). */
export function compileWherePattern(text: string): (fields: Record<string, unknown>) => boolean {
  const index = new PatternIndex<number>();
  index.add(0, compilePattern(text));
  return (fields) => index.match(fields).length > 0;
}

export interface FileReport {
  file: string;
  /** Sniffed or forced type; undefined when the file was rejected before parsing. */
  type?: LogType;
  records: number;
  /** Records kept after the time and --where filters. */
  kept: number;
  errors: number;
  /** Decompressed bytes read. */
  bytes: number;
  compressed: boolean;
}

export interface IngestSink extends Sink {
  /** Awaited between chunks so a slow consumer (stdout, a worker port) applies backpressure. */
  drain?(): Promise<void> | undefined;
  fileDone?(report: FileReport): void;
}

const SNIFF_BYTES = 64 * 1024;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Ingest every input (files, directories, stdin, S3) into the sink. Never throws for bad input. */
export async function ingest(inputs: string[], opts: IngestOptions, sink: IngestSink): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  const units = expandInputs(inputs, {
    s3: opts.s3,
    onInputError: (name, reason) => {
      sink.error({ file: name, reason });
      const report: FileReport = { file: name, records: 0, kept: 0, errors: 1, bytes: 0, compressed: false };
      reports.push(report);
      sink.fileDone?.(report);
    },
  });
  for await (const unit of units) {
    const report = await ingestUnit(unit, opts, sink);
    reports.push(report);
    sink.fileDone?.(report);
  }
  return reports;
}

/** Read one unit: gunzip when the content is gzip, sniff the format, stream it through the parser. */
export async function ingestUnit(unit: InputUnit, opts: IngestOptions, sink: IngestSink): Promise<FileReport> {
  const file = unit.name;
  const report: FileReport = { file, records: 0, kept: 0, errors: 0, bytes: 0, compressed: false };
  const since = opts.since ?? Number.NEGATIVE_INFINITY;
  const until = opts.until ?? Number.POSITIVE_INFINITY;
  const filtered = opts.since !== undefined || opts.until !== undefined;
  const where = opts.where !== undefined ? compileWherePattern(opts.where) : undefined;
  const out: Sink = {
    record(r: LogRecord) {
      report.records++;
      if (filtered && !(r.time >= since && r.time < until)) return;
      if (where && !where(r.fields)) return;
      report.kept++;
      sink.record(r);
    },
    error(e: ParseIssue) {
      report.errors++;
      sink.error(e);
    },
  };
  // Rows go to a sink that takes them unless --where needs every record's fields.
  const flow = where === undefined ? sink.flow : undefined;
  if (flow !== undefined)
    out.flow = (row) => {
      report.records++;
      if (filtered && !(row.time >= since && row.time < until)) return;
      report.kept++;
      flow.call(sink, row);
    };

  let raw: Readable;
  try {
    raw = await unit.open();
  } catch (err) {
    out.error({ file, reason: `cannot open: ${describeError(err)}` });
    return report;
  }

  let parser: TextParser | undefined;
  let rejected = false;
  let pending = '';
  const decoder = new StringDecoder('utf8');

  const choose = (final: boolean): void => {
    let format: LogFormat | undefined;
    if (opts.type) {
      format = formatFor(opts.type);
    } else {
      const binaryAt = binaryOffset(pending);
      if (binaryAt >= 0) {
        out.error({ file, offset: binaryAt, reason: 'binary content: not a text log file' });
        rejected = true;
        return;
      }
      const firstLine = firstNonBlankLine(pending);
      const sniffed = sniffFormat({ firstLine, head: pending, path: file });
      if (!sniffed) {
        out.error({
          file,
          line: 1,
          reason: `unrecognised log format${final && pending.length === 0 ? '' : ` (first line: ${preview(firstLine)})`}`,
        });
        rejected = true;
        return;
      }
      format = sniffed.format;
    }
    report.type = format.type;
    parser = createTextParser(format, { file, options: opts.formatOptions, maxLineLength: opts.maxLineLength }, out);
    parser.push(pending);
    pending = '';
  };

  const onText = (text: string): void => {
    if (rejected || text.length === 0) return;
    if (parser) {
      parser.push(text);
      return;
    }
    pending += text;
    if (pending.length >= SNIFF_BYTES) choose(false);
  };

  try {
    for await (const chunk of decompressed(raw, report)) {
      report.bytes += chunk.length;
      onText(decoder.write(chunk));
      if (rejected) break;
      if (sink.drain) await sink.drain();
    }
  } catch (err) {
    // Truncated gzip or a read error: what was parsed stays; the incomplete tail is not guessed at.
    const reason = report.compressed
      ? `truncated or corrupt gzip after ${report.bytes} decompressed bytes: ${describeError(err)}`
      : `read error after ${report.bytes} bytes: ${describeError(err)}`;
    out.error({ file, offset: report.bytes, reason });
    raw.destroy();
    return report;
  }
  if (rejected) {
    raw.destroy();
    return report;
  }

  onText(decoder.end());
  if (report.bytes === 0) {
    out.error({ file, offset: 0, reason: 'empty file' });
    return report;
  }
  if (!parser && !rejected) choose(true);
  parser?.end();
  log.debug(
    { file, type: report.type, records: report.records, errors: report.errors, bytes: report.bytes },
    'file ingested',
  );
  if (report.records === 0 && report.errors === 0 && !rejected) {
    out.error({ file, reason: `no ${report.type ?? ''} records found`.replace('  ', ' ') });
  }
  return report;
}

/**
 * The content bytes of a stream: gunzipped (all concatenated members) when it starts with the gzip magic, whatever
 * the file name says; as is otherwise.
 */
async function* decompressed(raw: Readable, report: FileReport): AsyncGenerator<Buffer> {
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  if (head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1) {
    report.compressed = true;
    const gunzip = createGunzip({ chunkSize: READ_CHUNK });
    const source = Readable.from(all(), { objectMode: false });
    source.on('error', (err) => gunzip.destroy(err));
    source.pipe(gunzip);
    yield* gunzip;
  } else {
    yield* all();
  }
}

/**
 * Offset at which the head of a file shows it is binary (more than 10% NUL/control/undecodable characters in the
 * first 8 KiB), or -1. A text log with a few garbage lines is not binary: those lines are rejected one by one.
 */
function binaryOffset(text: string): number {
  const n = Math.min(text.length, 8192);
  let controls = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) {
      controls++;
      if (first < 0) first = i;
    }
  }
  return controls * 10 > n ? first : -1;
}

function firstNonBlankLine(text: string): string {
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const line = text
      .slice(start, end)
      .replace(/\r$/, '')
      .replace(/^\uFEFF/, '');
    if (line.trim().length > 0 || nl < 0) return line;
    start = nl + 1;
  }
}

function preview(line: string): string {
  const clean = line.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 60 ? `${clean.slice(0, 60)}…` : clean);
}
