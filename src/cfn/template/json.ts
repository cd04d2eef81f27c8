/**
 * JSON templates: a small recursive-descent parser that records the offset of every key and list item in the same
 * side table as the YAML loader. About ten times faster than running JSON through the YAML parser, and it reports
 * duplicate keys (JSON.parse silently keeps the last). Never throws: the first syntax error is returned.
 */
import type { LocTable } from './parse.js';

export interface JsonResult {
  value: unknown;
  error?: { off: number; message: string };
  duplicates: { off: number; key: string }[];
}

class JsonError extends Error {
  constructor(
    readonly off: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 500;

export function parseJsonWithLocs(src: string, locs: LocTable): JsonResult {
  let i = 0;
  const n = src.length;
  const duplicates: { off: number; key: string }[] = [];

  const ws = () => {
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };
  const fail = (message: string): never => {
    throw new JsonError(
      i,
      i >= n ? `${message} (unexpected end of input)` : `${message}, found ${JSON.stringify(src[i])}`,
    );
  };

  const str = (): string => {
    const start = i; // at the opening quote
    i++;
    let escaped = false;
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 32) fail('control character in string');
      i++;
    }
    if (i >= n) {
      i = start;
      fail('unterminated string');
    }
    i++;
    if (!escaped) return src.slice(start + 1, i - 1);
    try {
      return JSON.parse(src.slice(start, i)) as string;
    } catch {
      i = start;
      return fail('bad escape in string');
    }
  };

  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    ws();
    const c = src.charCodeAt(i);
    if (c === 123) return object(depth);
    if (c === 91) return array(depth);
    if (c === 34) return str();
    if (c === 116 && src.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (c === 102 && src.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (c === 110 && src.startsWith('null', i)) {
      i += 4;
      return null;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
      m.lastIndex = i;
      const r = m.exec(src);
      if (r) {
        i += r[0].length;
        return Number(r[0]);
      }
    }
    return fail('expected a value');
  };

  const object = (depth: number): Record<string, unknown> => {
    const obj: Record<string, unknown> = {};
    const keys = new Map<string, number>();
    locs.set(obj, { off: i, keys });
    i++;
    ws();
    if (src.charCodeAt(i) === 125) {
      i++;
      return obj;
    }
    for (;;) {
      ws();
      if (src.charCodeAt(i) !== 34) fail('expected a quoted key');
      const koff = i;
      const key = str();
      ws();
      if (src.charCodeAt(i) !== 58) fail("expected ':'");
      i++;
      const v = value(depth + 1);
      if (keys.has(key)) duplicates.push({ off: koff, key });
      if (key === '__proto__') Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true });
      else obj[key] = v;
      keys.set(key, koff);
      ws();
      const c = src.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 125) {
        i++;
        return obj;
      }
      fail("expected ',' or '}'");
    }
  };

  const array = (depth: number): unknown[] => {
    const arr: unknown[] = [];
    const items: number[] = [];
    locs.set(arr, { off: i, items });
    i++;
    ws();
    if (src.charCodeAt(i) === 93) {
      i++;
      return arr;
    }
    for (;;) {
      ws();
      items.push(i);
      arr.push(value(depth + 1));
      ws();
      const c = src.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 93) {
        i++;
        return arr;
      }
      fail("expected ',' or ']'");
    }
  };

  try {
    const v = value(0);
    ws();
    if (i < n) fail('unexpected content after the JSON value');
    return { value: v, duplicates };
  } catch (e) {
    if (e instanceof JsonError) return { value: undefined, error: { off: e.off, message: e.message }, duplicates };
    throw e;
  }
}

/** Offsets of line starts, for offset → line/column by binary search. */
export function lineStarts(src: string): number[] {
  const starts = [0];
  let p = src.indexOf('\n');
  while (p >= 0) {
    starts.push(p + 1);
    p = src.indexOf('\n', p + 1);
  }
  return starts;
}

export function linePos(starts: number[], off: number): { line: number; col: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= off) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: off - (starts[lo] as number) + 1 };
}
