/**
 * Streaming line framing: accepts text chunks, emits complete lines (without `\n` / `\r\n`, blank lines skipped)
 * with 1-based line numbers. A line longer than `maxLineLength` characters is reported once and skipped up to its
 * end without being buffered, so a single huge line never exhausts memory.
 */
export interface LineHandler {
  line(text: string, lineNo: number): void;
  /**
   * A line as `text` from `from` to `to` (instead of `line`): the chunk itself, not a substring, so a reader that
   * works in place reads a flat string (a substring is a slice that every character access must unwrap).
   */
  span?(text: string, from: number, to: number, lineNo: number): void;
  tooLong(lineNo: number, length: number): void;
}

export const DEFAULT_MAX_LINE = 64 * 1024 * 1024;

export class LineFramer {
  private rest = '';
  private lineNo = 0;
  /** Characters of the current over-long line seen so far (-1 when not skipping). */
  private skipping = -1;

  constructor(
    private readonly handler: LineHandler,
    private readonly maxLineLength = DEFAULT_MAX_LINE,
  ) {}

  push(chunk: string): void {
    let text = chunk;
    let start = 0;
    if (this.skipping >= 0) {
      const nl = text.indexOf('\n');
      if (nl < 0) {
        this.skipping += text.length;
        return;
      }
      this.handler.tooLong(this.lineNo, this.skipping + nl);
      this.skipping = -1;
      start = nl + 1;
    } else if (this.rest.length > 0) {
      const nl = text.indexOf('\n');
      if (nl < 0) {
        if (this.rest.length + text.length > this.maxLineLength) {
          this.lineNo++;
          this.skipping = this.rest.length + text.length;
          this.rest = '';
          return;
        }
        this.rest += text;
        return;
      }
      const first = this.rest + text.slice(0, nl);
      this.rest = '';
      this.emit(first);
      start = nl + 1;
    }
    const handler = this.handler;
    const span = handler.span !== undefined;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.lineNo++;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      if (end - start > this.maxLineLength) handler.tooLong(this.lineNo, end - start);
      else if (end > start && !isBlank(text, start, end)) {
        if (span) handler.span!(text, start, end, this.lineNo);
        else handler.line(text.slice(start, end), this.lineNo);
      }
      start = nl + 1;
    }
    if (start < text.length) {
      const tail = text.length - start;
      if (tail > this.maxLineLength) {
        this.lineNo++;
        this.skipping = tail;
      } else {
        this.rest = text.slice(start);
      }
    }
    text = '';
  }

  end(): void {
    if (this.skipping >= 0) {
      this.handler.tooLong(this.lineNo, this.skipping);
      this.skipping = -1;
    } else if (this.rest.length > 0) {
      this.emit(this.rest);
      this.rest = '';
    }
  }

  private emit(raw: string): void {
    this.lineNo++;
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (line.length > this.maxLineLength) this.handler.tooLong(this.lineNo, line.length);
    else if (line.length > 0 && !isBlank(line, 0, line.length)) {
      if (this.handler.span !== undefined) this.handler.span(line, 0, line.length, this.lineNo);
      else this.handler.line(line, this.lineNo);
    }
  }
}

function isBlank(text: string, start: number, end: number): boolean {
  // Fast path: most lines start with a non-space character.
  const c = text.charCodeAt(start);
  if (c !== 32 && c !== 9 && c !== 13) return false;
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch !== 32 && ch !== 9 && ch !== 13) return false;
  }
  return true;
}
