/**
 * Streaming JSON value framing for formats whose records are JSON values that may span lines or come wrapped:
 * NDJSON, a bare array `[record, …]`, `{"Records":[…]}` (CloudTrail S3 files), `{"Events":[…]}` (LookupEvents),
 * `{"logEvents":[…]}` (CloudWatch Logs subscription), `{"findings":[…]}` (GuardDuty), pretty-printed or not.
 *
 * Fast path: a line that is a complete JSON document is parsed with one `JSON.parse` (the common NDJSON and
 * single-line S3-file cases). Otherwise the framer scans for value boundaries (skipping strings with indexOf) and
 * parses one record at a time, so memory stays bounded by the largest record, not the file.
 */

export const WRAPPER_KEYS = new Set(['Records', 'Events', 'logEvents', 'findings', 'Findings', 'QueryResultRows']);

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
  /** Inside a root array, before an element or a comma. */
  InArray,
  /** Inside a root object scanned incrementally (pretty-printed or too long for the fast path). */
  InObject,
  /** Inside the wrapper array of a root object. */
  InWrapper,
  /** After the wrapper array, skipping the rest of the root object. */
  AfterWrapper,
}

export class JsonFramer {
  private buf = '';
  private pos = 0;
  private line = 1;
  private mode: Mode = Mode.Root;
  private index = 0;
  private wrapperKey: string | undefined;
  private envelope: Record<string, unknown> | undefined;
  /** Start of the root object being scanned (kept in the buffer until its shape is known). */
  private objStart = -1;
  private objLine = 0;
  private objDepthScan = 0;
  /** Set after an unrecoverable structural error: the rest of the input is ignored. */
  private skipRest = false;
  private readonly maxValue: number;

  constructor(
    private readonly handler: JsonValueHandler,
    maxValueLength = 64 * 1024 * 1024,
  ) {
    this.maxValue = maxValueLength;
  }

  push(chunk: string): void {
    if (this.skipRest) return;
    const keep = this.objStart >= 0 ? Math.min(this.objStart, this.pos) : this.pos;
    this.buf = keep < this.buf.length ? this.buf.slice(keep) + chunk : chunk;
    this.pos -= keep;
    if (this.objStart >= 0) {
      this.objStart -= keep;
      this.objDepthScan -= keep;
    }
    this.run(false);
  }

  end(): void {
    if (!this.skipRest) this.run(true);
    if (this.mode !== Mode.Root) {
      this.handler.error(this.objLine || this.line, 'truncated JSON: unexpected end of input');
    }
    this.buf = '';
    this.pos = 0;
  }

  private run(final: boolean): void {
    for (;;) {
      const progressed =
        this.mode === Mode.Root
          ? this.stepRoot(final)
          : this.mode === Mode.InArray || this.mode === Mode.InWrapper
            ? this.stepArray(final)
            : this.mode === Mode.InObject
              ? this.stepObject(final)
              : this.stepAfterWrapper(final);
      if (!progressed) return;
    }
  }

  /** Skip whitespace, counting newlines. Returns false at end of buffer. */
  private skipWs(): boolean {
    const buf = this.buf;
    let i = this.pos;
    const n = buf.length;
    while (i < n) {
      const c = buf.charCodeAt(i);
      if (c === 10) this.line++;
      else if (c !== 32 && c !== 13 && c !== 9 && c !== 0xfeff) break;
      i++;
    }
    this.pos = i;
    return i < n;
  }

  private stepRoot(final: boolean): boolean {
    if (!this.skipWs()) return false;
    const buf = this.buf;
    const start = this.pos;
    const c = buf.charCodeAt(start);
    if (c !== 123 && c !== 91) {
      // Not a JSON document start: report the line and resynchronise on the next one.
      const nl = buf.indexOf('\n', start);
      if (nl < 0 && !final) return false;
      const end = nl < 0 ? buf.length : nl;
      this.handler.error(this.line, `not JSON: unexpected ${describeChar(buf, start)} at start of line`);
      this.pos = end;
      return true;
    }
    // Fast path: the whole document is on this line.
    const nl = buf.indexOf('\n', start);
    if (nl >= 0 || final) {
      let end = nl < 0 ? buf.length : nl;
      while (end > start && (buf.charCodeAt(end - 1) === 13 || buf.charCodeAt(end - 1) === 32)) end--;
      const last = buf.charCodeAt(end - 1);
      if ((c === 123 && last === 125) || (c === 91 && last === 93)) {
        let doc: unknown;
        let ok = true;
        try {
          doc = JSON.parse(buf.slice(start, end));
        } catch (err) {
          ok = false;
          if (c === 123) {
            // A one-line object that does not parse is a bad NDJSON line: report it, keep going.
            this.handler.error(this.line, `invalid JSON: ${(err as Error).message}`);
            this.pos = nl < 0 ? buf.length : nl;
            return true;
          }
        }
        if (ok) {
          this.emitDocument(doc, this.line);
          this.pos = nl < 0 ? buf.length : nl;
          return true;
        }
      }
    } else if (buf.length - start <= this.maxValue) {
      return false; // wait for the end of the line
    }
    // Multi-line (or over-long) document: scan it incrementally.
    this.pos = start + 1;
    this.index = 0;
    this.objLine = this.line;
    if (c === 91) {
      this.mode = Mode.InArray;
      this.wrapperKey = undefined;
      this.envelope = undefined;
    } else {
      this.mode = Mode.InObject;
      this.objStart = start;
      this.objDepthScan = start + 1;
    }
    return true;
  }

  private emitDocument(doc: unknown, line: number): void {
    if (Array.isArray(doc)) {
      for (let i = 0; i < doc.length; i++) this.handler.value(doc[i], line, i);
      return;
    }
    if (doc !== null && typeof doc === 'object') {
      const obj = doc as Record<string, unknown>;
      for (const key in obj) {
        if (WRAPPER_KEYS.has(key) && Array.isArray(obj[key])) {
          const items = obj[key] as unknown[];
          const envelope = scalarMembers(obj);
          for (let i = 0; i < items.length; i++) this.handler.value(items[i], line, i, key, envelope);
          return;
        }
      }
    }
    this.handler.value(doc, line, undefined);
  }

  /** Elements of a root array or of a wrapper array. */
  private stepArray(final: boolean): boolean {
    if (!this.skipWs()) return false;
    const buf = this.buf;
    const c = buf.charCodeAt(this.pos);
    if (c === 44 /* , */) {
      this.pos++;
      return true;
    }
    if (c === 93 /* ] */) {
      this.pos++;
      this.mode = this.mode === Mode.InWrapper ? Mode.AfterWrapper : Mode.Root;
      if (this.mode === Mode.AfterWrapper) this.objDepthScan = 1;
      return true;
    }
    const start = this.pos;
    const end = scanValueEnd(buf, start);
    if (end < 0) {
      if (buf.length - start > this.maxValue) {
        this.handler.error(this.line, `record larger than ${this.maxValue} characters; rest of document skipped`);
        this.abandon();
        return true;
      }
      if (final) {
        this.handler.error(this.line, 'truncated JSON: unexpected end of input inside a record');
        this.abandon();
      }
      return false;
    }
    const text = buf.slice(start, end);
    const line = this.line;
    this.line += countNewlines(text);
    this.pos = end;
    const index = this.index++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.handler.error(line, `invalid JSON in record ${index}: ${(err as Error).message}`);
      return true;
    }
    if (this.mode === Mode.InWrapper) this.handler.value(value, line, index, this.wrapperKey, this.envelope);
    else this.handler.value(value, line, index);
    return true;
  }

  /**
   * Scan the members of a multi-line root object. If a wrapper key holding an array appears, stream that array;
   * otherwise parse the whole object when it closes.
   */
  private stepObject(final: boolean): boolean {
    const buf = this.buf;
    const start = this.objStart;
    // Look for the end of the object, or a wrapper key at depth 1, from where we stopped.
    let i = this.objDepthScan;
    const n = buf.length;
    while (i < n) {
      const c = buf.charCodeAt(i);
      if (c === 125 /* } */) {
        const text = buf.slice(start, i + 1);
        this.finishObject(text);
        this.pos = i + 1;
        return true;
      }
      if (c === 34 /* " */) {
        const keyEnd = scanStringEnd(buf, i);
        if (keyEnd < 0) break;
        const key = buf.slice(i + 1, keyEnd - 1);
        let j = keyEnd;
        while (j < n && isWs(buf.charCodeAt(j))) j++;
        if (j >= n) break;
        if (buf.charCodeAt(j) !== 58 /* : */) {
          this.failObject(`invalid JSON: expected ':' after key "${truncate(key)}"`);
          return true;
        }
        j++;
        while (j < n && isWs(buf.charCodeAt(j))) j++;
        if (j >= n) break;
        if (WRAPPER_KEYS.has(key) && buf.charCodeAt(j) === 91) {
          this.envelope = parseEnvelopePrefix(buf.slice(start, i));
          this.line += countNewlines(buf.slice(this.pos, j + 1));
          this.pos = j + 1;
          this.mode = Mode.InWrapper;
          this.wrapperKey = key;
          this.index = 0;
          this.objStart = -1;
          return true;
        }
        const vEnd = scanValueEnd(buf, j);
        if (vEnd < 0) break;
        i = vEnd;
        continue;
      }
      i++;
    }
    this.objDepthScan = i;
    if (n - start > this.maxValue) {
      this.failObject(`JSON document larger than ${this.maxValue} characters`);
      return true;
    }
    if (final) {
      this.handler.error(this.objLine, 'truncated JSON: unexpected end of input');
      this.abandon();
    }
    return false;
  }

  private finishObject(text: string): void {
    const line = this.objLine;
    this.line = line + countNewlines(text);
    this.mode = Mode.Root;
    this.objStart = -1;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      this.handler.error(line, `invalid JSON: ${(err as Error).message}`);
      return;
    }
    this.emitDocument(doc, line);
  }

  private failObject(reason: string): void {
    this.handler.error(this.objLine, reason);
    this.abandon();
  }

  /** Give up on the current document and the rest of the input: its structure can no longer be trusted. */
  private abandon(): void {
    this.pos = this.buf.length;
    this.mode = Mode.Root;
    this.objStart = -1;
    this.skipRest = true;
  }

  /** After a wrapper array: consume the remaining members of the root object. */
  private stepAfterWrapper(final: boolean): boolean {
    const buf = this.buf;
    let i = this.pos;
    const n = buf.length;
    while (i < n) {
      const c = buf.charCodeAt(i);
      if (c === 10) this.line++;
      if (c === 125) {
        this.pos = i + 1;
        this.mode = Mode.Root;
        return true;
      }
      if (c === 34 || c === 123 || c === 91) {
        const end = scanValueEnd(buf, i);
        if (end < 0) break;
        this.line += countNewlines(buf.slice(i, end));
        i = end;
        continue;
      }
      i++;
    }
    this.pos = i;
    if (final) {
      this.handler.error(this.line, 'truncated JSON: unexpected end of input after records array');
      this.mode = Mode.Root;
    }
    return false;
  }
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Index just after the closing quote of the string starting at `i`, or -1 if incomplete. */
function scanStringEnd(buf: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const k = buf.indexOf('"', j);
    if (k < 0) return -1;
    let b = k - 1;
    while (buf.charCodeAt(b) === 92) b--;
    if ((k - 1 - b) % 2 === 0) return k + 1;
    j = k + 1;
  }
}

/**
 * Index just after the JSON value starting at `i` (object, array, string or scalar), or -1 if the buffer ends
 * first. Strings are skipped with indexOf, so the cost is dominated by structural characters.
 */
export function scanValueEnd(buf: string, i: number): number {
  const n = buf.length;
  const first = buf.charCodeAt(i);
  if (first === 34) return scanStringEnd(buf, i);
  if (first !== 123 && first !== 91) {
    // Scalar: ends at the next delimiter.
    let j = i;
    while (j < n) {
      const c = buf.charCodeAt(j);
      if (c === 44 || c === 93 || c === 125 || isWs(c)) return j;
      j++;
    }
    return -1;
  }
  let depth = 0;
  while (i < n) {
    const c = buf.charCodeAt(i);
    if (c === 34) {
      const e = scanStringEnd(buf, i);
      if (e < 0) return -1;
      i = e;
      continue;
    }
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
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

/** Parse the members written before the wrapper key (`{"messageType":"…","owner":"…",`) as an envelope. */
function parseEnvelopePrefix(prefix: string): Record<string, unknown> | undefined {
  const trimmed = prefix.trimEnd().replace(/,$/, '');
  try {
    const obj = JSON.parse(`${trimmed}}`) as Record<string, unknown>;
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
