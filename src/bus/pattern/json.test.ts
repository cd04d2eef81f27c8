import { describe, expect, it } from 'vitest';
import { compilePattern, type PatternError } from './compile.js';
import { parseEvent } from './flatten.js';
import { firstError, type JsonNode, jacksonLocation, lineColumn, parseJsonStrict, parseJsonTree } from './json.js';

function strict(text: string): JsonNode {
  const r = parseJsonStrict(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.node;
}

function syntaxError(text: string): string {
  try {
    compilePattern(text);
  } catch (e) {
    return (e as PatternError).reason;
  }
  throw new Error('compiled');
}

describe('JSON parser', () => {
  it('keeps duplicate keys in order and the literal text of numbers', () => {
    const node = strict('{"a": 1, "a": 3.0e2, "b": [-0.5, 1E+2]}');
    expect(node.type).toBe('object');
    if (node.type !== 'object') return;
    expect(node.entries.map((e) => e.key)).toEqual(['a', 'a', 'b']);
    expect(node.entries[1].value).toMatchObject({ type: 'number', raw: '3.0e2' });
    const b = node.entries[2].value;
    expect(b.type === 'array' && b.items.map((i) => (i.type === 'number' ? i.raw : ''))).toEqual(['-0.5', '1E+2']);
  });

  it('decodes escapes, including surrogate pairs', () => {
    const node = strict('"a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude80"');
    expect(node).toMatchObject({ type: 'string', value: 'a"\\/\b\f\n\r\té🚀' });
  });

  it('records offsets for every token', () => {
    const node = strict(' {"k": [true, null]}');
    expect(node).toMatchObject({ start: 1, end: 20 });
  });

  it.each([
    [
      '{"a": tru}',
      "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    ],
    ['{"a" 1}', "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value"],
    ['{"a": ["x"] "b": 2}', "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries"],
    ['{"a": [1 2]}', "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries"],
    ['{"a": [1,]}', "Unexpected character (']' (code 93)): expected a value"],
    ['{"a": 01}', 'Invalid numeric value: Leading zeroes not allowed'],
    [
      '{"a": -x}',
      "Unexpected character ('x' (code 120)) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value",
    ],
    ['{"a": 1.}', "Unexpected character ('}' (code 125)) in numeric value: Decimal point not followed by a digit"],
    [
      '{"a": ["x\ny"]}',
      'Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped using backslash to be included in string value',
    ],
    ['{"a": ["\\q"]}', "Unrecognized character escape 'q' (code 113)"],
    [
      '{"a": // c\n [1]}',
      "Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)",
    ],
    [
      '{"a": ["x"]',
      'Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)"{"a": ["x"]"; line: 1, column: 1])',
    ],
  ])('%j → Jackson message', (text, message) => {
    expect(syntaxError(text)).toBe(message);
  });

  it('reads strings lazily like Jackson: a bad string that is never read does not hide a pattern error', () => {
    expect(syntaxError('{"a": "x\ny"}')).toBe('"a" must be an object or an array');
    expect(syntaxError('{"a": 1 "b": 2}')).toBe('"a" must be an object or an array');
  });

  it('strict parsing rejects trailing content; lenient parsing stops after the first value', () => {
    expect(parseJsonStrict('{} x').ok).toBe(false);
    expect(firstError(parseJsonTree('{} x'))).toBeUndefined();
  });

  it('computes Jackson line/column (1-based, column = offset - line start + 1)', () => {
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\r\ncd', 5)).toEqual({ line: 2, column: 2 });
    expect(jacksonLocation('{}', 1)).toBe('\n at [Source: (String)"{}"; line: 1, column: 2]');
    expect(jacksonLocation('x'.repeat(600), 3)).toContain('"[truncated 100 chars]; line: 1, column: 4]');
  });
});

describe('parseEvent', () => {
  it('accepts JSON objects only, reporting errors without throwing', () => {
    expect(parseEvent('{"a": 1}').ok).toBe(true);
    expect(parseEvent('"plain string"')).toEqual({ ok: false, error: 'Event must be a JSON object' });
    expect(parseEvent('["array"]')).toEqual({ ok: false, error: 'Event must be a JSON object' });
    const bad = parseEvent('{"a": }');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^Unexpected character \('}' \(code 125\)\): expected a value/);
  });
});
