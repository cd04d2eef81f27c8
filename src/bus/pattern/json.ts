/**
 * A small JSON parser for event patterns and events that keeps what `JSON.parse` throws away and AWS relies on:
 * duplicate keys (kept in order), the literal text of numbers, and the offset of every token, so errors can carry
 * the same line/column as the Jackson parser behind EventBridge. Syntax errors use Jackson's wording.
 *
 * Parsing never throws: an error is recorded where it happened (an `error` node, or a `broken` container), so a
 * streaming-order consumer (the pattern compiler) reports whichever problem AWS would meet first.
 */

export interface JsonSyntaxError {
  /** Jackson's message, without the location suffix. */
  readonly message: string;
  /** Offset used for Jackson's `line`/`column`. */
  readonly offset: number;
  /** Extra Jackson context appended to the message (the start marker of an unclosed container). */
  readonly startMarker?: number;
}

interface Span {
  /** Offset of the first character of the token (-1 when built from a JS value). */
  readonly start: number;
  /** Offset just after the token (after the closing bracket for containers). */
  readonly end: number;
}

export interface JsonEntry {
  readonly key: string;
  readonly value: JsonNode;
}

export interface JsonObject extends Span {
  readonly type: 'object';
  readonly entries: JsonEntry[];
  /** Set when the object did not parse to its end: the error a reader meets after the last entry. */
  broken?: JsonSyntaxError;
}

export interface JsonArray extends Span {
  readonly type: 'array';
  readonly items: JsonNode[];
  broken?: JsonSyntaxError;
}

export interface JsonString extends Span {
  readonly type: 'string';
  readonly value: string;
}

export interface JsonNumber extends Span {
  readonly type: 'number';
  /** The literal text, e.g. `3.018e2`. */
  readonly raw: string;
}

export interface JsonLiteral extends Span {
  readonly type: 'literal';
  readonly value: true | false | null;
}

/** A token that failed to parse. `inString` marks a string whose body is bad: Jackson only notices on reading it. */
export interface JsonError extends Span {
  readonly type: 'error';
  readonly error: JsonSyntaxError;
  readonly inString: boolean;
}

export type JsonNode = JsonObject | JsonArray | JsonString | JsonNumber | JsonLiteral | JsonError;

const VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/** Jackson's rendering of a character in error messages: `'x' (code 120)` or `(CTRL-CHAR, code 1)`. */
function charDesc(code: number): string {
  if (code < 32) return `(CTRL-CHAR, code ${code})`;
  return `'${String.fromCodePoint(code)}' (code ${code})`;
}

function isIdentPart(code: number): boolean {
  // Java's Character.isJavaIdentifierPart, close enough for the tokens Jackson echoes back.
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95 ||
    code === 36 ||
    code > 127
  );
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  err(message: string, offset: number, startMarker?: number): JsonSyntaxError {
    return startMarker === undefined ? { message, offset } : { message, offset, startMarker };
  }

  /** Skip whitespace; returns the next char code or -1 at the end. Illegal control characters are reported. */
  skipWs(): number | JsonSyntaxError {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        this.pos++;
        continue;
      }
      if (c === 47) {
        return this.err(
          `Unexpected character (${charDesc(c)}): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)`,
          this.pos,
        );
      }
      if (c < 32) {
        return this.err(
          `Illegal character (${charDesc(c)}): only regular white space (\\r, \\n, \\t) is allowed between tokens`,
          this.pos,
        );
      }
      return c;
    }
    return -1;
  }

  value(): JsonNode {
    const c = this.skipWs();
    const start = this.pos;
    if (typeof c !== 'number') return { type: 'error', start, end: start, error: c, inString: false };
    if (c === -1) {
      return {
        type: 'error',
        start,
        end: start,
        error: this.err(`Unexpected end-of-input: expected a value ${VALID_VALUES}`, start),
        inString: false,
      };
    }
    switch (c) {
      case 123:
        return this.object();
      case 91:
        return this.array();
      case 34:
        return this.string();
      case 116:
        return this.literal('true', true);
      case 102:
        return this.literal('false', false);
      case 110:
        return this.literal('null', null);
      case 45:
        return this.number();
      case 93:
      case 125:
        return this.tokenError(this.err(`Unexpected character (${charDesc(c)}): expected a value`, start));
      default:
        if (c >= 48 && c <= 57) return this.number();
        return this.tokenError(this.oddValue(start));
    }
  }

  tokenError(error: JsonSyntaxError): JsonError {
    return { type: 'error', start: error.offset, end: error.offset, error, inString: false };
  }

  /** Jackson's report for a value that starts with an unexpected character. */
  oddValue(start: number): JsonSyntaxError {
    const t = this.text;
    const c = t.codePointAt(start) ?? 0;
    if (!isIdentPart(c)) {
      return this.err(`Unexpected character (${charDesc(c)}): expected a valid value ${VALID_VALUES}`, start);
    }
    let i = start;
    while (i < t.length && isIdentPart(t.charCodeAt(i))) i++;
    return this.err(`Unrecognized token '${t.slice(start, i)}': was expecting ${VALID_VALUES}`, i);
  }

  literal(word: string, value: true | false | null): JsonNode {
    const t = this.text;
    const start = this.pos;
    let i = start;
    while (i < t.length && isIdentPart(t.charCodeAt(i))) i++;
    if (t.slice(start, i) !== word) {
      return this.tokenError(this.err(`Unrecognized token '${t.slice(start, i)}': was expecting ${VALID_VALUES}`, i));
    }
    this.pos = i;
    return { type: 'literal', start, end: i, value };
  }

  number(): JsonNode {
    const t = this.text;
    const start = this.pos;
    let i = start;
    const digitAt = (k: number) => k < t.length && t.charCodeAt(k) >= 48 && t.charCodeAt(k) <= 57;
    const found = (k: number) => (k < t.length ? charDesc(t.codePointAt(k) ?? 0) : 'end-of-input');
    if (t.charCodeAt(i) === 45) {
      i++;
      if (!digitAt(i)) {
        return this.tokenError(
          this.err(
            `Unexpected character (${found(i)}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value`,
            i,
          ),
        );
      }
    }
    if (t.charCodeAt(i) === 48 && digitAt(i + 1)) {
      return this.tokenError(this.err('Invalid numeric value: Leading zeroes not allowed', i + 1));
    }
    while (digitAt(i)) i++;
    if (t.charCodeAt(i) === 46) {
      i++;
      if (!digitAt(i)) {
        return this.tokenError(
          this.err(`Unexpected character (${found(i)}) in numeric value: Decimal point not followed by a digit`, i),
        );
      }
      while (digitAt(i)) i++;
    }
    const e = t.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      if (t.charCodeAt(i) === 43 || t.charCodeAt(i) === 45) i++;
      if (!digitAt(i)) {
        return this.tokenError(
          this.err(
            `Unexpected character (${found(i)}) in numeric value: Exponent indicator not followed by a digit`,
            i,
          ),
        );
      }
      while (digitAt(i)) i++;
    }
    this.pos = i;
    return { type: 'number', start, end: i, raw: t.slice(start, i) };
  }

  /** Parses a string starting at the opening quote; returns the value or an error. */
  rawString(): { value: string; end: number } | JsonSyntaxError {
    const t = this.text;
    let i = this.pos + 1;
    let out = '';
    let chunk = i;
    while (true) {
      if (i >= t.length) {
        return this.err('Unexpected end-of-input: was expecting closing quote for a string value', i);
      }
      const c = t.charCodeAt(i);
      if (c === 34) {
        out += t.slice(chunk, i);
        return { value: out, end: i + 1 };
      }
      if (c < 32) {
        return this.err(
          `Illegal unquoted character (${charDesc(c)}): has to be escaped using backslash to be included in string value`,
          i,
        );
      }
      if (c !== 92) {
        i++;
        continue;
      }
      out += t.slice(chunk, i);
      const n = t.charCodeAt(i + 1);
      if (Number.isNaN(n)) return this.err('Unexpected end-of-input in character escape sequence', i + 1);
      const short = SHORT_ESCAPES[n];
      if (short !== undefined) out += short;
      else if (n === 117) {
        let code = 0;
        for (let k = 0; k < 4; k++) {
          const h = t.charCodeAt(i + 2 + k);
          const v = Number.isNaN(h) ? -1 : hexValue(h);
          if (v < 0) {
            if (Number.isNaN(h)) return this.err('Unexpected end-of-input in character escape sequence', i + 2 + k);
            return this.err(
              `Unexpected character (${charDesc(h)}): expected a hex-digit for character escape sequence`,
              i + 2 + k,
            );
          }
          code = code * 16 + v;
        }
        out += String.fromCharCode(code);
        i += 4;
      } else return this.err(`Unrecognized character escape ${charDesc(n)}`, i + 2);
      i += 2;
      chunk = i;
    }
  }

  string(): JsonNode {
    const start = this.pos;
    const r = this.rawString();
    if ('message' in r) return { type: 'error', start, end: r.offset, error: r, inString: true };
    this.pos = r.end;
    return { type: 'string', start, end: r.end, value: r.value };
  }

  object(): JsonObject {
    const start = this.pos;
    this.pos++;
    const node: JsonObject = { type: 'object', start, end: start + 1, entries: [] };
    const fail = (e: JsonSyntaxError): JsonObject => {
      node.broken = e;
      (node as { end: number }).end = this.text.length;
      return node;
    };
    let first = true;
    while (true) {
      let c = this.skipWs();
      if (typeof c !== 'number') return fail(c);
      if (c === -1) {
        return fail(this.err('Unexpected end-of-input: expected close marker for Object', this.pos, start));
      }
      if (c === 125 && first) {
        this.pos++;
        (node as { end: number }).end = this.pos;
        return node;
      }
      if (!first) {
        if (c === 125) {
          this.pos++;
          (node as { end: number }).end = this.pos;
          return node;
        }
        if (c !== 44) {
          return fail(
            this.err(`Unexpected character (${charDesc(c)}): was expecting comma to separate Object entries`, this.pos),
          );
        }
        this.pos++;
        c = this.skipWs();
        if (typeof c !== 'number') return fail(c);
        if (c === -1) return fail(this.err('Unexpected end-of-input in field name', this.pos));
      }
      first = false;
      if (c !== 34) {
        return fail(
          this.err(`Unexpected character (${charDesc(c)}): was expecting double-quote to start field name`, this.pos),
        );
      }
      const key = this.rawString();
      if ('message' in key) return fail(key);
      this.pos = key.end;
      c = this.skipWs();
      if (typeof c !== 'number') return fail(c);
      if (c !== 58) {
        if (c === -1)
          return fail(this.err('Unexpected end-of-input: expected close marker for Object', this.pos, start));
        return fail(
          this.err(
            `Unexpected character (${charDesc(c)}): was expecting a colon to separate field name and value`,
            this.pos,
          ),
        );
      }
      this.pos++;
      const value = this.value();
      if (value.type === 'error') {
        // Jackson reads a field's first value token together with its name, so a bad token fails the name
        // read, except a bad string body, which is only read later.
        if (value.inString) node.entries.push({ key: key.value, value });
        return fail(value.error);
      }
      node.entries.push({ key: key.value, value });
      if ((value.type === 'object' || value.type === 'array') && value.broken) return fail(value.broken);
    }
  }

  array(): JsonArray {
    const start = this.pos;
    this.pos++;
    const node: JsonArray = { type: 'array', start, end: start + 1, items: [] };
    const fail = (e: JsonSyntaxError): JsonArray => {
      node.broken = e;
      (node as { end: number }).end = this.text.length;
      return node;
    };
    let first = true;
    while (true) {
      const c = this.skipWs();
      if (typeof c !== 'number') return fail(c);
      if (c === -1) return fail(this.err('Unexpected end-of-input: expected close marker for Array', this.pos, start));
      if (c === 93 && first) {
        this.pos++;
        (node as { end: number }).end = this.pos;
        return node;
      }
      if (!first) {
        if (c === 93) {
          this.pos++;
          (node as { end: number }).end = this.pos;
          return node;
        }
        if (c !== 44) {
          return fail(
            this.err(`Unexpected character (${charDesc(c)}): was expecting comma to separate Array entries`, this.pos),
          );
        }
        this.pos++;
      }
      first = false;
      const value = this.value();
      if (value.type === 'error') {
        if (value.inString) node.items.push(value);
        return fail(value.error);
      }
      node.items.push(value);
      if ((value.type === 'object' || value.type === 'array') && value.broken) return fail(value.broken);
    }
  }
}

/** The one-character JSON escapes (`\\n` …), indexed by the char code after the backslash. */
export const SHORT_ESCAPES: readonly (string | undefined)[] = (() => {
  const t: (string | undefined)[] = [];
  for (const [c, v] of [
    ['"', '"'],
    ['\\', '\\'],
    ['/', '/'],
    ['b', '\b'],
    ['f', '\f'],
    ['n', '\n'],
    ['r', '\r'],
    ['t', '\t'],
  ])
    t[(c as string).charCodeAt(0)] = v;
  return t;
})();

export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parse JSON text leniently, the way a streaming reader sees it: the result may contain error nodes or broken
 * containers; text after the first complete root value is ignored (event-ruler never reads it).
 */
export function parseJsonTree(text: string): JsonNode {
  return new Parser(text).value();
}

/** First syntax error anywhere in a tree, in document order. */
export function firstError(node: JsonNode): JsonSyntaxError | undefined {
  switch (node.type) {
    case 'error':
      return node.error;
    case 'object':
      for (const e of node.entries) {
        const inner = firstError(e.value);
        if (inner) return inner;
      }
      return node.broken;
    case 'array':
      for (const v of node.items) {
        const inner = firstError(v);
        if (inner) return inner;
      }
      return node.broken;
    default:
      return undefined;
  }
}

/** Parse a complete JSON document (trailing content is an error). Returns the tree or the first error. */
export function parseJsonStrict(text: string): { ok: true; node: JsonNode } | { ok: false; error: JsonSyntaxError } {
  const p = new Parser(text);
  const node = p.value();
  const error = firstError(node);
  if (error) return { ok: false, error };
  const c = p.skipWs();
  if (typeof c !== 'number') return { ok: false, error: c };
  if (c !== -1) {
    return {
      ok: false,
      error: p.err(`Unexpected character (${charDesc(c)}): expected end of input after the JSON value`, p.pos),
    };
  }
  return { ok: true, node };
}

/** Build a tree from an in-memory JS value (no offsets). Non-JSON values are dropped the way JSON.stringify does. */
export function toJsonTree(value: unknown): JsonNode | undefined {
  if (value === null) return { type: 'literal', start: -1, end: -1, value: null };
  switch (typeof value) {
    case 'string':
      return { type: 'string', start: -1, end: -1, value };
    case 'boolean':
      return { type: 'literal', start: -1, end: -1, value };
    case 'number':
      return Number.isFinite(value)
        ? { type: 'number', start: -1, end: -1, raw: String(value) }
        : { type: 'literal', start: -1, end: -1, value: null };
    case 'bigint':
      return { type: 'number', start: -1, end: -1, raw: value.toString() };
    case 'object': {
      const withJson = value as { toJSON?: () => unknown };
      if (typeof withJson.toJSON === 'function') return toJsonTree(withJson.toJSON());
      if (Array.isArray(value)) {
        const items: JsonNode[] = [];
        for (const v of value) items.push(toJsonTree(v) ?? { type: 'literal', start: -1, end: -1, value: null });
        return { type: 'array', start: -1, end: -1, items };
      }
      const entries: JsonEntry[] = [];
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        const node = toJsonTree(v);
        if (node) entries.push({ key, value: node });
      }
      return { type: 'object', start: -1, end: -1, entries };
    }
    default:
      return undefined;
  }
}

/** 1-based line and column of an offset, counted the way Jackson does (column = offset - line start + 1). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const SOURCE_LIMIT = 500;

/** Jackson's ` at [Source: (String)"…"; line: L, column: C]` suffix. */
export function jacksonLocation(text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  const shown =
    text.length > SOURCE_LIMIT
      ? `"${text.slice(0, SOURCE_LIMIT)}"[truncated ${text.length - SOURCE_LIMIT} chars]`
      : `"${text}"`;
  return `\n at [Source: (String)${shown}; line: ${line}, column: ${column}]`;
}

/** Full Jackson message for a syntax error, including the start marker of an unclosed container. */
export function syntaxErrorText(text: string, e: JsonSyntaxError): string {
  if (e.startMarker === undefined) return e.message;
  return `${e.message} (start marker at${jacksonLocation(text, e.startMarker).replace('\n at', '')})`;
}
