/**
 * Streaming JSON value framing for formats whose records are JSON values that may span lines or come wrapped:
 * NDJSON, a bare array `[record, …]`, `{"Records":[…]}` (CloudTrail S3 files), `{"Events":[…]}` (LookupEvents),
 * `{"logEvents":[…]}` (CloudWatch Logs subscription), `{"findings":[…]}` (GuardDuty), `{"QueryResultRows":[…]}`
 * (CloudTrail Lake), pretty-printed or not, several documents on one line (Firehose concatenation), and
 * CloudWatch Logs export lines (`<ISO timestamp> <JSON message>`).
 *
 * Fast path: a line that is one complete JSON document (up to `fastPathLength` characters) is parsed with one
 * `JSON.parse` — the common NDJSON and single-line S3-file cases. While such a line is incomplete, chunks are
 * collected in a list and joined once, so a long line costs O(n), not O(n²).
 * Otherwise the framer scans for value boundaries (strings skipped with indexOf, scan state kept across chunks) and
 * parses one record at a time, so memory stays bounded by the largest record, not the file. A value longer than
 * `maxValueLength` is reported and skipped without being buffered.
 *
 * Bad input never throws: it is reported through `handler.error(line, reason)` and framing resynchronises — on the
 * next line for NDJSON garbage, on the next record inside an array, and, for a broken document, on the next line
 * that starts a new one (`{`, `[` or a timestamp at column 0).
 */

export const WRAPPER_KEYS = new Set(['Records', 'Events', 'logEvents', 'findings', 'Findings', 'QueryResultRows']);

export const DEFAULT_MAX_VALUE = 64 * 1024 * 1024;
export const DEFAULT_FAST_PATH = 8 * 1024 * 1024;

export interface JsonValueHandler {
  value(
    value: unknown,
    line: number,
    index: number | undefined,
    wrapperKey?: string,
    envelope?: Record<string, unknown>,
  ): void;
  error(line: number, reason: string): void;
}

enum Mode {
  /** Between root values. */
  Root,
  /** Inside a root array or a wrapper array. */
  InArray,
  /** Inside a root object scanned incrementally (multi-line, over-long, or not alone on its line). */
  InObject,
  /** After the wrapper array, consuming the rest of the root object. */
  AfterWrapper,
  /** Skipping an over-long value without buffering it. */
  SkipValue,
  /** Skipping the rest of a line that is not JSON. */
  SkipLine,
  /** After a broken document: skipping to the next line that starts a new one. */
  Resync,
}

/** What an array expects next. */
enum Arr {
  ValueOrEnd,
  CommaOrEnd,
  Value,
}

/** What a root object expects next (at depth 1). */
enum Obj {
  KeyOrEnd,
  Colon,
  Value,
  CommaOrEnd,
  Key,
}

export class JsonFramer {
  private buf = '';
  private pos = 0;
  private line = 1;
  private mode: Mode = Mode.Root;
  /** True when `pos` is at the start of a line (only whitespace since the last newline). */
  private atLineStart = true;
  /** Envelope from a CloudWatch Logs export timestamp prefix on the current line. */
  private lineEnv: Record<string, unknown> | undefined;

  // Waiting for the end of a line on the fast path: chunks are kept aside and joined once.
  private waitNl = false;
  private parts: string[] = [];
  private partsLen = 0;
  /** A known newline position (or -1) and how far the buffer is known to hold no other newline. */
  private nlAt = -1;
  private nlSearched = 0;
  /** Line on which the fast path failed or was skipped (documents there are framed one by one). */
  private noFastLine = 0;

  // The document being framed incrementally.
  private docLine = 0;
  private docEnv: Record<string, unknown> | undefined;

  // Arrays.
  private inWrapper = false;
  private wrapperKey: string | undefined;
  private envelope: Record<string, unknown> | undefined;
  private index = 0;
  private arr: Arr = Arr.ValueOrEnd;
  private elemLine = 0;

  // Root objects.
  private objStart = -1;
  private objScan = 0;
  private obj: Obj = Obj.KeyOrEnd;
  private objKey = '';
  /** Where the check for a new document starting at column 0 resumes. */
  private objNl = 0;

  // Resumable value scan (state at the end of the buffer for the value starting at `sStart`).
  private sStart = -1;
  private sPos = 0;
  private sDepth = 0;
  private sInStr = false;

  // Skipping an over-long value.
  private kDepth = 0;
  private kInStr = false;
  private kEsc = false;
  private kReturn: Mode = Mode.Root;
  private kNdjson = false;

  private readonly maxValue: number;
  private readonly fastLimit: number;

  constructor(
    private readonly handler: JsonValueHandler,
    maxValueLength = DEFAULT_MAX_VALUE,
    fastPathLength = DEFAULT_FAST_PATH,
  ) {
    this.maxValue = maxValueLength;
    this.fastLimit = Math.min(fastPathLength, maxValueLength);
  }

  /** Characters currently held (buffer tail plus chunks set aside): a memory bound for tests and diagnostics. */
  get buffered(): number {
    return this.buf.length - (this.mode === Mode.InObject ? this.objStart : this.pos) + this.partsLen;
  }

  push(chunk: string): void {
    if (chunk.length === 0) return;
    if (this.waitNl) {
      const nl = chunk.indexOf('\n');
      if (nl < 0) {
        if (this.buf.length - this.pos + this.partsLen + chunk.length <= this.fastLimit) {
          this.parts.push(chunk);
          this.partsLen += chunk.length;
          return;
        }
        this.flushParts(chunk);
        this.run(false);
        return;
      }
      this.flushParts(chunk.slice(0, nl + 1));
      this.run(false);
      this.continueIn(chunk, nl + 1);
      return;
    }
    const nl = this.mode === Mode.Root && this.pos < this.buf.length ? chunk.indexOf('\n') : -1;
    if (nl >= 0) {
      this.append(chunk.slice(0, nl + 1));
      this.run(false);
      this.continueIn(chunk, nl + 1);
      return;
    }
    this.append(chunk);
    this.run(false);
  }

  /**
   * A line straddled the chunk boundary and was joined alone; go on in the chunk itself from `from`, so the chunk
   * is not copied into a new buffer (that flattening copy costs as much as a good part of the parsing).
   */
  private continueIn(chunk: string, from: number): void {
    if (from >= chunk.length) return;
    if (this.mode === Mode.Root && this.pos >= this.buf.length && !this.waitNl) {
      this.buf = chunk;
      this.pos = from;
      this.nlAt = -1;
      this.nlSearched = from;
    } else {
      this.append(chunk.slice(from));
    }
    this.run(false);
  }

  end(): void {
    if (this.waitNl) this.flushParts('');
    this.run(true);
    switch (this.mode) {
      case Mode.InObject:
        this.handler.error(this.docLine, 'truncated JSON: unexpected end of input');
        break;
      case Mode.InArray:
        if (this.pos < this.buf.length) {
          this.handler.error(this.elemLine, `truncated JSON: unexpected end of input inside record ${this.index}`);
        } else {
          this.handler.error(this.docLine, "truncated JSON: unexpected end of input (array not closed with ']')");
        }
        break;
      case Mode.AfterWrapper:
        this.handler.error(this.docLine, 'truncated JSON: unexpected end of input after the records array');
        break;
      case Mode.SkipValue:
        this.handler.error(this.line, 'truncated JSON: unexpected end of input inside a skipped over-long value');
        break;
      default:
        break;
    }
    this.buf = '';
    this.pos = 0;
    this.mode = Mode.Root;
    this.objStart = -1;
    this.sStart = -1;
    this.nlAt = -1;
    this.nlSearched = 0;
  }

  /** Join the chunks kept while waiting for a newline (none of them holds one, nor does the buffer's tail). */
  private flushParts(chunk: string): void {
    const noNewlineUpTo = this.buf.length - this.pos + this.partsLen;
    const joined = this.parts.length > 0 ? this.parts.join('') + chunk : chunk;
    this.parts = [];
    this.partsLen = 0;
    this.waitNl = false;
    this.append(joined);
    this.nlSearched = Math.max(this.nlSearched, this.pos + noNewlineUpTo);
  }

  /** Append a chunk, dropping what is no longer needed and rebasing every position. */
  private append(chunk: string): void {
    const keep = this.mode === Mode.InObject ? this.objStart : this.pos;
    if (keep >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = keep === 0 ? this.buf + chunk : this.buf.slice(keep) + chunk;
    }
    if (keep === 0) return;
    this.pos -= keep;
    if (this.objStart >= 0) {
      this.objStart -= keep;
      this.objScan -= keep;
      this.objNl = Math.max(0, this.objNl - keep);
    }
    if (this.sStart >= 0) {
      this.sStart -= keep;
      this.sPos -= keep;
    }
    this.nlAt = this.nlAt >= keep ? this.nlAt - keep : -1;
    this.nlSearched = Math.max(0, this.nlSearched - keep);
  }

  private run(final: boolean): void {
    for (;;) {
      let progressed: boolean;
      switch (this.mode) {
        case Mode.Root:
          progressed = this.stepRoot(final);
          break;
        case Mode.InArray:
          progressed = this.stepArray();
          break;
        case Mode.InObject:
          progressed = this.stepObject();
          break;
        case Mode.AfterWrapper:
          progressed = this.stepAfterWrapper();
          break;
        case Mode.SkipValue:
          progressed = this.stepSkipValue();
          break;
        case Mode.SkipLine:
          progressed = this.stepSkipLine();
          break;
        default:
          progressed = this.stepResync(final);
      }
      if (!progressed) return;
    }
  }

  /** Skip whitespace (and BOMs), counting newlines. Returns false at the end of the buffer. */
  private skipWs(): boolean {
    const buf = this.buf;
    let i = this.pos;
    const n = buf.length;
    while (i < n) {
      const c = buf.charCodeAt(i);
      if (c === 10) {
        this.line++;
        this.atLineStart = true;
        this.lineEnv = undefined;
      } else if (c !== 32 && c !== 13 && c !== 9 && c !== 0xfeff) break;
      i++;
    }
    this.pos = i;
    return i < n;
  }

  /** Position of the next newline at or after `from`, or -1 if the buffer holds none. */
  private findNl(from: number): number {
    if (this.nlAt >= from) return this.nlAt;
    const k = this.buf.indexOf('\n', Math.max(from, this.nlSearched));
    if (k >= 0) {
      this.nlAt = k;
      this.nlSearched = k + 1;
    } else {
      this.nlSearched = this.buf.length;
    }
    return k;
  }

  private stepRoot(final: boolean): boolean {
    if (!this.skipWs()) return false;
    const buf = this.buf;
    const start = this.pos;
    const c = buf.charCodeAt(start);
    if (c === 123 /* { */ || c === 91 /* [ */) return this.rootValue(start, c, final);
    if (c >= 48 && c <= 57 && this.atLineStart) {
      // CloudWatch Logs export line: `<ISO-8601 timestamp> <message>`; the message is the JSON document.
      const json = exportPrefixEnd(buf, start);
      if (json === NEED_MORE && !final) return false;
      if (json >= 0) {
        let tsEnd = start;
        while (buf.charCodeAt(tsEnd) !== 32 && buf.charCodeAt(tsEnd) !== 9) tsEnd++;
        this.lineEnv = { timestamp: buf.slice(start, tsEnd) };
        this.pos = json;
        this.atLineStart = false;
        return true;
      }
    }
    this.handler.error(
      this.line,
      `not JSON: unexpected ${describeChar(buf, start)} ${this.atLineStart ? 'at start of line' : 'after a JSON value'}`,
    );
    this.mode = Mode.SkipLine;
    return true;
  }

  /** A document starts at `start`: parse its line at once when it is exactly one document, else frame it. */
  private rootValue(start: number, c: number, final: boolean): boolean {
    if (this.noFastLine === this.line) return this.beginDocument(start, c);
    const buf = this.buf;
    const nl = this.findNl(start);
    if (nl < 0 && !final) {
      if (buf.length - start > this.fastLimit) {
        this.noFastLine = this.line;
        return this.beginDocument(start, c);
      }
      this.waitNl = true;
      return false;
    }
    const lineEnd = nl < 0 ? buf.length : nl;
    let end = lineEnd;
    for (;;) {
      const t = buf.charCodeAt(end - 1);
      if (t !== 13 && t !== 32 && t !== 9) break;
      end--;
    }
    const last = buf.charCodeAt(end - 1);
    // Compared untrimmed, exactly as the wait in push() measures it, so chunking never changes the outcome.
    if (lineEnd - start <= this.fastLimit && ((c === 123 && last === 125) || (c === 91 && last === 93))) {
      let doc: unknown;
      let ok = true;
      try {
        doc = JSON.parse(buf.slice(start, end));
      } catch {
        ok = false;
      }
      if (ok) {
        this.emitDocument(doc, this.line, this.lineEnv);
        if (nl >= 0) {
          // Step over the line end here: the next line starts a new value.
          this.pos = nl + 1;
          this.line++;
          this.atLineStart = true;
          this.lineEnv = undefined;
        } else {
          this.pos = end;
          this.atLineStart = false;
        }
        return true;
      }
    }
    // Several documents on the line, a broken line, a document continued on later lines, or an over-long one.
    this.noFastLine = this.line;
    return this.beginDocument(start, c);
  }

  private beginDocument(start: number, c: number): boolean {
    this.docLine = this.line;
    this.docEnv = this.lineEnv;
    this.atLineStart = false;
    if (c === 91) {
      this.mode = Mode.InArray;
      this.inWrapper = false;
      this.wrapperKey = undefined;
      this.envelope = this.docEnv;
      this.index = 0;
      this.arr = Arr.ValueOrEnd;
      this.pos = start + 1;
      return true;
    }
    this.mode = Mode.InObject;
    this.objStart = start;
    this.objScan = start + 1;
    this.objNl = start;
    this.obj = Obj.KeyOrEnd;
    this.pos = start;
    return true;
  }

  private emitDocument(doc: unknown, line: number, env: Record<string, unknown> | undefined): void {
    const handler = this.handler;
    if (Array.isArray(doc)) {
      for (let i = 0; i < doc.length; i++) handler.value(doc[i], line, i, undefined, env);
      return;
    }
    if (doc !== null && typeof doc === 'object') {
      const obj = doc as Record<string, unknown>;
      // Cheap membership probes first: most documents are plain records.
      if (
        obj.Records !== undefined ||
        obj.Events !== undefined ||
        obj.logEvents !== undefined ||
        obj.findings !== undefined ||
        obj.Findings !== undefined ||
        obj.QueryResultRows !== undefined
      ) {
        for (const key in obj) {
          const items = obj[key];
          if (WRAPPER_KEYS.has(key) && Array.isArray(items)) {
            const envelope = mergeEnv(env, scalarMembers(obj));
            for (let i = 0; i < items.length; i++) handler.value(items[i], line, i, key, envelope);
            return;
          }
        }
      }
    }
    handler.value(doc, line, undefined, undefined, env);
  }

  /**
   * The end of what may be scanned for a value starting at `start`: size decisions depend only on the first
   * `maxValue + 1` characters, so they come out the same however the input is chunked.
   */
  private limitFor(start: number): number {
    return Math.min(this.buf.length, start + this.maxValue + 1);
  }

  /** True when the value starting at `start` is incomplete within the first `maxValue + 1` characters. */
  private overLimit(start: number): boolean {
    return this.buf.length - start > this.maxValue;
  }

  /** Elements of a root array or of a wrapper array. */
  private stepArray(): boolean {
    if (!this.skipWs()) return false;
    const buf = this.buf;
    const start = this.pos;
    const c = buf.charCodeAt(start);
    if (this.arr === Arr.CommaOrEnd) {
      if (c === 44 /* , */) {
        this.pos++;
        this.arr = Arr.Value;
        return true;
      }
      if (c === 93 /* ] */) return this.closeArray();
      // Lenient: report the missing comma and read on.
      this.handler.error(
        this.line,
        `invalid JSON: expected ',' or ']' after record ${this.index - 1}, found ${describeChar(buf, start)}`,
      );
      this.arr = Arr.Value;
      return true;
    }
    if (c === 93) {
      if (this.arr === Arr.Value) this.handler.error(this.line, "invalid JSON: trailing ',' before ']'");
      return this.closeArray();
    }
    if (c === 44 || c === 58 || c === 125) {
      this.handler.error(this.line, `invalid JSON: unexpected ${describeChar(buf, start)} in array`);
      this.pos++;
      return true;
    }
    if (this.sStart !== start) this.elemLine = this.line;
    const end = this.scanValue(start, this.limitFor(start));
    if (end < 0) {
      if (!this.overLimit(start)) return false;
      const index = this.index++;
      this.handler.error(this.elemLine, `record ${index} larger than ${this.maxValue} characters; skipped`);
      this.arr = Arr.CommaOrEnd;
      this.skipRestOfValue(start, Mode.InArray, 0, false);
      return true;
    }
    const text = buf.slice(start, end);
    const line = this.elemLine;
    this.line += countNewlines(text);
    this.pos = end;
    this.arr = Arr.CommaOrEnd;
    const index = this.index++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.handler.error(line, `invalid JSON in record ${index}: ${(err as Error).message}`);
      return true;
    }
    this.handler.value(value, line, index, this.wrapperKey, this.envelope);
    return true;
  }

  private closeArray(): boolean {
    this.pos++;
    this.mode = this.inWrapper ? Mode.AfterWrapper : Mode.Root;
    this.atLineStart = false;
    return true;
  }

  /**
   * Scan the members of a root object. If a wrapper key holding an array appears, stream that array; otherwise
   * parse the whole object once it closes.
   */
  private stepObject(): boolean {
    const buf = this.buf;
    const objStart = this.objStart;
    const lim = this.limitFor(objStart);
    let i = this.objScan;
    let closedAt = -1;
    let broken: string | undefined;
    let wrapperAt = -1;
    scan: while (i < lim) {
      const c = buf.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        i++;
        continue;
      }
      switch (this.obj) {
        case Obj.KeyOrEnd:
        case Obj.Key: {
          if (c === 125 && this.obj === Obj.KeyOrEnd) {
            closedAt = i + 1;
            break scan;
          }
          if (c !== 34) {
            broken = `expected a member name${this.obj === Obj.KeyOrEnd ? " or '}'" : ''}, found ${describeChar(buf, i)}`;
            break scan;
          }
          const keyEnd = scanStringEnd(buf, i, lim);
          if (keyEnd < 0) break scan;
          this.objKey = buf.slice(i + 1, keyEnd - 1);
          this.obj = Obj.Colon;
          i = keyEnd;
          break;
        }
        case Obj.Colon:
          if (c !== 58) {
            broken = `expected ':' after "${truncate(this.objKey)}", found ${describeChar(buf, i)}`;
            break scan;
          }
          this.obj = Obj.Value;
          i++;
          break;
        case Obj.Value: {
          if (c === 91 && WRAPPER_KEYS.has(this.objKey)) {
            wrapperAt = i;
            break scan;
          }
          if (c === 125 || c === 93 || c === 44 || c === 58) {
            broken = `expected a value for "${truncate(this.objKey)}", found ${describeChar(buf, i)}`;
            break scan;
          }
          const end = this.scanValue(i, lim);
          if (end < 0) break scan;
          this.obj = Obj.CommaOrEnd;
          i = end;
          break;
        }
        default:
          if (c === 44) {
            this.obj = Obj.Key;
            i++;
          } else if (c === 125) {
            closedAt = i + 1;
            break scan;
          } else {
            broken = `expected ',' or '}' after the value of "${truncate(this.objKey)}", found ${describeChar(buf, i)}`;
            break scan;
          }
      }
    }
    this.objScan = i;

    // A line that starts a new document while this one is open means this one was cut short (a truncated NDJSON
    // line): pretty-printed JSON indents everything but the root's closing bracket. Only for documents whose
    // first line has content: a pretty-printer's lone `{` line may be followed by unindented lines (indent=0).
    const checkTo = closedAt >= 0 ? closedAt : broken !== undefined ? i + 1 : wrapperAt >= 0 ? wrapperAt : lim;
    const restart = this.ndjsonLike(objStart) ? newDocumentLine(buf, this.objNl, checkTo) : -1;
    if (restart >= 0) {
      this.handler.error(
        this.docLine,
        `truncated JSON: document not closed before line ${this.lineOf(restart)}, which starts a new one`,
      );
      this.resyncAt(restart);
      return true;
    }
    this.objNl = checkTo > 0 && buf.charCodeAt(checkTo - 1) === 10 ? checkTo - 1 : checkTo;

    if (broken !== undefined) {
      const at = this.lineOf(i);
      this.handler.error(this.docLine, `invalid JSON${at !== this.docLine ? ` (line ${at})` : ''}: ${broken}`);
      // Broken on its own first line (a bad NDJSON line): go on with the next line, whatever it holds.
      // Otherwise skip the rest of the document, up to a line that starts a new one.
      const oneLine = at === this.docLine && this.ndjsonLike(objStart);
      this.line = at;
      this.pos = i;
      this.objStart = -1;
      this.sStart = -1;
      this.mode = oneLine ? Mode.SkipLine : Mode.Resync;
      return true;
    }
    if (wrapperAt >= 0) {
      this.envelope = mergeEnv(this.docEnv, parseEnvelopePrefix(buf.slice(objStart, wrapperAt)));
      this.line = this.lineOf(wrapperAt);
      this.pos = wrapperAt + 1;
      this.objStart = -1;
      this.mode = Mode.InArray;
      this.inWrapper = true;
      this.wrapperKey = this.objKey;
      this.index = 0;
      this.arr = Arr.ValueOrEnd;
      return true;
    }
    if (closedAt >= 0) {
      const text = buf.slice(objStart, closedAt);
      const line = this.docLine;
      this.line = line + countNewlines(text);
      this.pos = closedAt;
      this.objStart = -1;
      this.mode = Mode.Root;
      this.atLineStart = false;
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (err) {
        this.handler.error(line, `invalid JSON: ${(err as Error).message}`);
        return true;
      }
      this.emitDocument(doc, line, this.docEnv);
      return true;
    }
    if (!this.overLimit(objStart)) return false;
    this.handler.error(this.docLine, `JSON document larger than ${this.maxValue} characters; skipped`);
    const ndjson = this.ndjsonLike(objStart);
    if (this.obj === Obj.Value && this.sStart === i) {
      this.line = this.lineOf(i);
      this.objStart = -1;
      this.skipRestOfValue(i, Mode.Root, 1, ndjson);
    } else {
      // Stopped at a token boundary at depth 1 (or at the start of an incomplete key).
      this.line = this.lineOf(i);
      this.objStart = -1;
      this.pos = i;
      this.kDepth = 1;
      this.kInStr = false;
      this.kEsc = false;
      this.kReturn = Mode.Root;
      this.kNdjson = ndjson;
      this.mode = Mode.SkipValue;
    }
    return true;
  }

  /** True unless the document's first line is only its opening bracket (looked at within the size limit). */
  private ndjsonLike(start: number): boolean {
    const buf = this.buf;
    const lim = this.limitFor(start);
    for (let i = start + 1; i < lim; i++) {
      const c = buf.charCodeAt(i);
      if (c === 10) return false;
      if (c !== 32 && c !== 13 && c !== 9) return true;
    }
    return true;
  }

  /** Line number of buffer position `at` inside the current root object. */
  private lineOf(at: number): number {
    return this.docLine + countNewlines(this.buf.slice(this.objStart, at));
  }

  private resyncAt(lineStart: number): void {
    this.line = this.lineOf(lineStart);
    this.pos = lineStart;
    this.objStart = -1;
    this.sStart = -1;
    this.atLineStart = true;
    this.lineEnv = undefined;
    this.mode = Mode.Root;
  }

  /** After the wrapper array: consume the remaining members of the root object. */
  private stepAfterWrapper(): boolean {
    for (;;) {
      if (!this.skipWs()) return false;
      const buf = this.buf;
      const start = this.pos;
      const c = buf.charCodeAt(start);
      if (c === 125) {
        this.pos++;
        this.mode = Mode.Root;
        this.atLineStart = false;
        return true;
      }
      if (c === 44 || c === 58) {
        this.pos++;
        continue;
      }
      const end = this.scanValue(start, this.limitFor(start));
      if (end < 0) {
        if (!this.overLimit(start)) return false;
        this.handler.error(this.line, `member larger than ${this.maxValue} characters after the records array`);
        this.skipRestOfValue(start, Mode.AfterWrapper, 0, false);
        return true;
      }
      if (end === start) {
        this.handler.error(this.line, `invalid JSON: unexpected ${describeChar(buf, start)} after the records array`);
        this.pos++;
        continue;
      }
      this.line += countNewlines(buf.slice(start, end));
      this.pos = end;
    }
  }

  /**
   * Index just after the JSON value starting at `start`, or -1 if it does not end before `limit`; the scan state is
   * kept so the next call for the same value resumes where this one stopped. Strings are skipped with indexOf.
   */
  private scanValue(start: number, limit: number): number {
    const buf = this.buf;
    let i: number;
    let depth: number;
    let inStr: boolean;
    if (this.sStart === start) {
      i = this.sPos;
      depth = this.sDepth;
      inStr = this.sInStr;
    } else {
      const first = buf.charCodeAt(start);
      if (first === 34) {
        i = start + 1;
        depth = 0;
        inStr = true;
      } else if (first === 123 || first === 91) {
        i = start + 1;
        depth = 1;
        inStr = false;
      } else {
        // Scalar: ends at the next delimiter.
        for (let j = start; j < limit; j++) {
          const c = buf.charCodeAt(j);
          if (c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9) return j;
        }
        return -1;
      }
    }
    for (;;) {
      if (inStr) {
        const k = buf.indexOf('"', i);
        if (k < 0 || k >= limit) {
          i = limit;
          break;
        }
        let b = k - 1;
        while (buf.charCodeAt(b) === 92) b--;
        i = k + 1;
        if ((k - 1 - b) % 2 === 1) continue; // escaped quote
        inStr = false;
        if (depth === 0) {
          this.sStart = -1;
          return i;
        }
        continue;
      }
      if (i >= limit) break;
      const c = buf.charCodeAt(i++);
      if (c === 34) inStr = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (--depth === 0) {
          this.sStart = -1;
          return i;
        }
      }
    }
    this.sStart = start;
    this.sPos = i;
    this.sDepth = depth;
    this.sInStr = inStr;
    return -1;
  }

  /**
   * Skip the rest of the value starting at `start` (scanned up to the size limit) without buffering it, then
   * continue in `returnTo`. `outer` is the nesting depth around the value (1 inside a root object). With
   * `ndjson`, a line starting a new document ends the skip too (the over-long document was a broken line).
   */
  private skipRestOfValue(start: number, returnTo: Mode, outer: number, ndjson: boolean): void {
    const buf = this.buf;
    let from: number;
    if (this.sStart === start) {
      from = this.sPos;
      this.kDepth = this.sDepth + outer;
      this.kInStr = this.sInStr;
      let b = from - 1;
      while (b > start && buf.charCodeAt(b) === 92) b--;
      this.kEsc = this.sInStr && (from - 1 - b) % 2 === 1;
    } else {
      // A scalar: skip to its delimiter.
      from = start;
      this.kDepth = outer;
      this.kInStr = false;
      this.kEsc = false;
    }
    this.line += countNewlines(buf.slice(start, from));
    this.sStart = -1;
    this.pos = from;
    this.kReturn = returnTo;
    this.kNdjson = ndjson;
    this.mode = Mode.SkipValue;
  }

  private stepSkipValue(): boolean {
    const buf = this.buf;
    const n = buf.length;
    let i = this.pos;
    let depth = this.kDepth;
    let inStr = this.kInStr;
    let esc = this.kEsc;
    let done = false;
    while (i < n) {
      const c = buf.charCodeAt(i++);
      if (c === 10) {
        if (this.kNdjson) {
          if (i >= n) {
            i--; // decide when the next character arrives
            break;
          }
          const d = buf.charCodeAt(i);
          if (d === 123 || d === 91 || (d >= 48 && d <= 57)) {
            this.line++;
            this.pos = i;
            this.atLineStart = true;
            this.lineEnv = undefined;
            this.mode = Mode.Root;
            return true;
          }
        }
        if (!inStr && depth === 0) {
          // End of a skipped scalar; the newline is left for the caller.
          i--;
          done = true;
          break;
        }
        this.line++;
        esc = false;
        continue;
      }
      if (inStr) {
        if (esc) esc = false;
        else if (c === 92) esc = true;
        else if (c === 34) {
          inStr = false;
          if (depth === 0) {
            done = true;
            break;
          }
        }
      } else if (depth === 0) {
        // A skipped scalar ends before its delimiter, which is left for the caller.
        if (c === 44 || c === 93 || c === 125 || c === 32 || c === 13 || c === 9) {
          i--;
          done = true;
          break;
        }
      } else if (c === 34) inStr = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (--depth === 0) {
          done = true;
          break;
        }
      }
    }
    this.pos = i;
    this.kDepth = depth;
    this.kInStr = inStr;
    this.kEsc = esc;
    if (!done) return false;
    this.mode = this.kReturn;
    return true;
  }

  private stepSkipLine(): boolean {
    const nl = this.buf.indexOf('\n', this.pos);
    if (nl < 0) {
      this.pos = this.buf.length;
      return false;
    }
    this.pos = nl;
    this.mode = Mode.Root;
    return true;
  }

  /** Skip to the next line that starts a new document: `{`, `[` or a timestamp at column 0. */
  private stepResync(final: boolean): boolean {
    const buf = this.buf;
    const n = buf.length;
    let i = this.pos;
    for (;;) {
      const nl = buf.indexOf('\n', i);
      if (nl < 0) {
        this.pos = n;
        return false;
      }
      if (nl + 1 >= n && !final) {
        this.pos = nl; // decide when the next character arrives
        return false;
      }
      this.line++;
      const c = buf.charCodeAt(nl + 1);
      if (c === 123 || c === 91 || (c >= 48 && c <= 57)) {
        this.pos = nl + 1;
        this.atLineStart = true;
        this.lineEnv = undefined;
        this.mode = Mode.Root;
        return true;
      }
      i = nl + 1;
      if (i >= n) {
        this.pos = n;
        return false;
      }
    }
  }
}

const NEED_MORE = -2;
const EXPORT_PREFIX = /\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d(?::?\d\d)?)?[ \t]+(?=[{[])/y;

/**
 * For a CloudWatch Logs export line (`2024-05-01T12:00:00.000Z {"eventVersion":…}`): the index where the JSON
 * message starts; -1 when the line is not of that form; NEED_MORE when the buffer ends too early to tell.
 */
function exportPrefixEnd(buf: string, start: number): number {
  EXPORT_PREFIX.lastIndex = start;
  if (EXPORT_PREFIX.test(buf)) return EXPORT_PREFIX.lastIndex;
  // Undecided only if the buffer ends within what a prefix could span and no line end was seen.
  const rest = buf.length - start;
  if (rest < 48 && buf.indexOf('\n', start) < 0) return NEED_MORE;
  return -1;
}

/**
 * First position in [from, to) that starts a line beginning with `{`, `[` or a digit, or -1. Such a line cannot be
 * inside a pretty-printed document (nested lines are indented) — it starts a new document.
 */
function newDocumentLine(buf: string, from: number, to: number): number {
  let i = buf.indexOf('\n', from);
  while (i >= 0 && i + 1 < to) {
    const c = buf.charCodeAt(i + 1);
    if (c === 123 || c === 91 || (c >= 48 && c <= 57)) return i + 1;
    i = buf.indexOf('\n', i + 1);
  }
  return -1;
}

/** Index just after the closing quote of the string starting at `i`, or -1 if it does not end before `limit`. */
function scanStringEnd(buf: string, i: number, limit: number): number {
  let j = i + 1;
  for (;;) {
    const k = buf.indexOf('"', j);
    if (k < 0 || k >= limit) return -1;
    let b = k - 1;
    while (buf.charCodeAt(b) === 92) b--;
    if ((k - 1 - b) % 2 === 0) return k + 1;
    j = k + 1;
  }
}

function countNewlines(text: string): number {
  let count = 0;
  let i = text.indexOf('\n');
  while (i >= 0) {
    count++;
    i = text.indexOf('\n', i + 1);
  }
  return count;
}

function scalarMembers(obj: Record<string, unknown>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const key in obj) {
    const v = obj[key];
    if (v === null || typeof v !== 'object') (out ??= {})[key] = v;
  }
  return out;
}

function mergeEnv(
  outer: Record<string, unknown> | undefined,
  inner: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (outer === undefined) return inner;
  if (inner === undefined) return outer;
  return { ...outer, ...inner };
}

/** Parse the members written before the wrapper key (`{"messageType":"…","owner":"…",`) as an envelope. */
function parseEnvelopePrefix(prefix: string): Record<string, unknown> | undefined {
  // The prefix ends just before the wrapper key: drop that key and the comma before it.
  const keyStart = prefix.lastIndexOf('"', prefix.lastIndexOf('"') - 1);
  const members = (keyStart > 0 ? prefix.slice(0, keyStart) : prefix).trimEnd().replace(/,$/, '');
  try {
    const obj = JSON.parse(`${members}}`) as Record<string, unknown>;
    return scalarMembers(obj);
  } catch {
    return undefined;
  }
}

function describeChar(buf: string, i: number): string {
  const c = buf.charCodeAt(i);
  if (c < 32 || c > 126) return `byte 0x${c.toString(16).padStart(2, '0')}`;
  return `'${buf[i]}'`;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
