import { JsonFramer } from './json-framing.js';
import { DEFAULT_MAX_LINE, LineFramer } from './lines.js';
import type { FileParser, FormatOptions, JsonValueContext, LogFormat, LogRecord, ParseIssue, Sink } from './types.js';

/** Incremental parser for one file's decompressed text: push chunks, then end. */
export interface TextParser {
  push(chunk: string): void;
  end(): void;
}

export interface TextParserOptions {
  file: string;
  options?: FormatOptions;
  maxLineLength?: number;
}

/** Wire the format's framing (lines or JSON values) to its per-file parser. Never throws on bad input. */
export function createTextParser(format: LogFormat, opts: TextParserOptions, out: Sink): TextParser {
  const file = opts.file;
  const parser: FileParser = format.open({ file, options: opts.options ?? {} });
  const max = opts.maxLineLength ?? DEFAULT_MAX_LINE;
  // A parser bug must not lose the rest of the file: report the line and go on.
  const failed = (line: number, err: unknown) =>
    out.error({ file, line, reason: `parser failure: ${(err as Error)?.message ?? String(err)}` });
  const guard = (fn: () => void, line: number) => {
    try {
      fn();
    } catch (err) {
      failed(line, err);
    }
  };
  if (format.framing === 'json' && parser.value) {
    // One context object reused for every value (hot path): parsers must not keep it beyond the call.
    const at: JsonValueContext = { line: 0, index: undefined, wrapperKey: undefined, envelope: undefined };
    const framer = new JsonFramer(
      {
        value: (v, line, index, wrapperKey, envelope) => {
          at.line = line;
          at.index = index;
          at.wrapperKey = wrapperKey;
          at.envelope = envelope;
          try {
            parser.value!(v, at, out);
          } catch (err) {
            failed(line, err);
          }
        },
        error: (line, reason) => out.error({ file, line, reason }),
      },
      max,
    );
    return {
      push: (chunk) => framer.push(chunk),
      end: () => {
        framer.end();
        if (parser.end) guard(() => parser.end!(out), 0);
      },
    };
  }
  const framer = new LineFramer(
    {
      line: (text, lineNo) => {
        try {
          parser.line(text, lineNo, out);
        } catch (err) {
          failed(lineNo, err);
        }
      },
      span:
        parser.span === undefined
          ? undefined
          : (text, from, to, lineNo) => {
              try {
                parser.span!(text, from, to, lineNo, out);
              } catch (err) {
                failed(lineNo, err);
              }
            },
      tooLong: (lineNo, length) =>
        out.error({
          file,
          line: lineNo,
          reason: `line of ${length} characters exceeds the ${max}-character limit; skipped`,
        }),
    },
    max,
  );
  return {
    push: (chunk) => framer.push(chunk),
    end: () => {
      framer.end();
      if (parser.end) guard(() => parser.end!(out), 0);
    },
  };
}

export interface ParsedText {
  records: LogRecord[];
  errors: ParseIssue[];
}

/** Parse a whole text with one format (tests, small inputs). */
export function parseTextWith(format: LogFormat, text: string, opts: Partial<TextParserOptions> = {}): ParsedText {
  const records: LogRecord[] = [];
  const errors: ParseIssue[] = [];
  const p = createTextParser(
    format,
    { file: opts.file ?? '<text>', ...opts },
    {
      record: (r) => records.push(r),
      error: (e) => errors.push(e),
    },
  );
  p.push(text);
  p.end();
  return { records, errors };
}
