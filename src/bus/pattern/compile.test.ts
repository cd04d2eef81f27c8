import { describe, expect, it } from 'vitest';
import { compilePattern, PatternError, TOO_COMPLEX } from './compile.js';
import { PatternIndex } from './compiled.js';
import { parseEvent } from './flatten.js';
import { matches } from './reference.js';

/** The matcher message (AWS's `Reason: …`) for an invalid pattern. */
function reason(pattern: string | object, options = {}): string {
  try {
    compilePattern(pattern, options);
  } catch (e) {
    if (e instanceof PatternError) return e.reason;
    throw e;
  }
  throw new Error(`pattern compiled: ${typeof pattern === 'string' ? pattern : JSON.stringify(pattern)}`);
}

/** Both matchers, on a JSON-text event (keeps number literals and duplicate keys). */
function both(pattern: string | object, eventText: string): boolean {
  const parsed = parseEvent(eventText);
  if (!parsed.ok) throw new Error(parsed.error);
  const p = compilePattern(pattern);
  const ref = matches(p, parsed.event);
  const index = new PatternIndex();
  index.add('p', p);
  expect(index.match(parsed.event)).toEqual(ref ? ['p'] : []);
  return ref;
}

describe('pattern validation: event-ruler messages beyond the recorded corpus', () => {
  it.each([
    ['{}', 'Empty objects are not allowed'],
    ['{"a": {}}', 'Empty objects are not allowed'],
    ['[]', 'Filter is not an object'],
    ['"x"', 'Filter is not an object'],
    ['42', 'Filter is not an object'],
    ['', 'Filter is not an object'],
    ['{"a": [["x"]]}', 'Match value must be String, number, true, false, or null'],
    ['{"a": [{}]}', 'Match expression name not found'],
    ['{"a": [{"prefix": "x", "suffix": "y"}]}', 'Only one key allowed in match expression'],
    ['{"a": [{"exactly": 5}]}', 'exact match pattern must be a string'],
    ['{"a": [{"prefix": {}}]}', 'Prefix expression name not found'],
    ['{"a": [{"prefix": {"foo": "x"}}]}', 'Unsupported prefix pattern: foo'],
    ['{"a": [{"suffix": {"bar": "x"}}]}', 'Unsupported suffix pattern: bar'],
    ['{"a": [{"suffix": {"equals-ignore-case": 1}}]}', 'equals-ignore-case match pattern must be a string'],
    ['{"a": [{"prefix": {"equals-ignore-case": "x", "y": 1}}]}', 'Only one key allowed in match expression'],
    ['{"a": [{"numeric": []}]}', 'Invalid member in numeric match: ]'],
    ['{"a": [{"numeric": [5]}]}', 'Invalid member in numeric match: 5'],
    ['{"a": [{"numeric": ["=", "5"]}]}', 'Value of equals must be numeric'],
    ['{"a": [{"numeric": ["=", 5, 6]}]}', 'Too many elements in numeric expression'],
    ['{"a": [{"numeric": [">=", "x"]}]}', 'Value of >= must be numeric'],
    ['{"a": [{"numeric": ["<=", null]}]}', 'Value of <= must be numeric'],
    ['{"a": [{"numeric": ["<", 5, ">", 1]}]}', 'Too many elements in numeric expression'],
    ['{"a": [{"numeric": ["!=", 5]}]}', 'Unrecognized numeric range operator: !='],
    ['{"a": [{"numeric": [">", 5, 6]}]}', 'Bad value in numeric range: 6'],
    ['{"a": [{"numeric": [">", 5, "<", 10, 1]}]}', 'Too many terms in numeric range expression'],
    ['{"a": [{"numeric": [">", 10, "<", 5]}]}', 'Bottom must be less than top'],
    ['{"a": [{"numeric": [">=", 5, "<=", 5]}]}', 'Bottom must be less than top'],
    ['{"a": [{"numeric": [">", 0.30000000000000001]}]}', 'Cannot compare number : 0.30000000000000001'],
    ['{"a": [{"numeric": [">", 1e400]}]}', 'Cannot compare number : 1e400'],
    ['{"a": [{"numeric": ["=", 12345678901234567890]}]}', 'Cannot compare number : 12345678901234567890'],
    ['{"a": [{"numeric": [">", 1], "x": 1}]}', 'Too many elements in numeric expression'],
    ['{"a": [{"anything-but": {}}]}', 'Anything-But expression name not found'],
    ['{"a": [{"anything-but": {"numeric": 1}}]}', 'Unsupported anything-but pattern: numeric'],
    ['{"a": [{"anything-but": true}]}', 'Value of anything-but must be an array or single string/number value.'],
    [
      '{"a": [{"anything-but": []}]}',
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    [
      '{"a": [{"anything-but": ["x", 1]}]}',
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    ['{"a": [{"anything-but": [1e400]}]}', 'Cannot compare number : 1e400'],
    ['{"a": [{"anything-but": 12345678901234567890}]}', 'Cannot compare number : 12345678901234567890'],
    ['{"a": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}', 'Too many elements in numeric expression'],
    ['{"a": [{"anything-but": "a", "b": 1}]}', 'Too many elements in numeric expression'],
    ['{"a": [{"anything-but": {"wildcard": "a**"}}]}', 'Consecutive wildcard characters at pos 2'],
    ['{"a": [{"anything-but": {"wildcard": ["ok", "a\\\\x"]}}]}', 'Invalid escape character at pos 2'],
    ['{"a": [{"exists": "yes"}]}', 'exists match pattern must be either true or false.'],
    ['{"a": [{"exists": null}]}', 'exists match pattern must be either true or false.'],
    ['{"a": [{"exists": true, "x": 1}]}', 'Only one key allowed in match expression'],
    ['{"a": [{"cidr": "10.0.0.0/32"}]}', 'IPv4 mask bits must be < 32'],
    ['{"a": [{"cidr": "::/128"}]}', 'IPv6 mask bits must be < 128'],
    ['{"a": [{"cidr": "10.0.0.0/-1"}]}', 'Malformed CIDR, mask bits must not be negative'],
    ['{"a": [{"cidr": "10.0.0.0/"}]}', "Malformed CIDR, one '/' required"],
    ['{"a": [{"cidr": "10.0.0.256/8"}]}', 'Invalid IP address: 10.0.0.256'],
    ['{"a": [{"cidr": "1::2::3/8"}]}', 'Invalid IP address: 1::2::3'],
    ['{"a": [{"cidr": "010.0.0.1/8"}]}', 'Invalid IP address: 010.0.0.1'],
    ['{"a": [{"wildcard": "a\\\\"}]}', 'Invalid escape character at pos 2'],
    ['{"a": [{"wildcard": "a\\\\b"}]}', 'Invalid escape character at pos 2'],
    ['{"a": [{"wildcard": "é**"}]}', 'Consecutive wildcard characters at pos 3'],
    ['{"a": [{"regex": "x"}]}', 'Unrecognized match type regex'],
  ])('%s → %s', (pattern, expected) => {
    expect(reason(pattern)).toBe(expected);
  });

  it('reports the first problem in document order, before a later syntax error', () => {
    expect(reason('{"a": 1, "b": [')).toBe('"a" must be an object or an array');
    expect(reason('{"a": ["x"], "b": [}')).toMatch(/^Unexpected character \('}' \(code 125\)\): expected a value/);
  });

  it('ignores text after the pattern object, like the streaming compiler', () => {
    expect(compilePattern('{"a": ["x"]} trailing').subPatterns).toHaveLength(1);
  });

  it('gives Jackson locations for multi-line patterns', () => {
    try {
      compilePattern('{\n  "detail": {\n    "slug": "x"\n  }\n}');
      throw new Error('compiled');
    } catch (e) {
      expect((e as PatternError).location).toEqual({ line: 3, column: 14 });
      expect((e as PatternError).rawMessage).toContain('; line: 3, column: 14]');
    }
  });

  it('errors from object patterns carry no location', () => {
    const e = (() => {
      try {
        compilePattern({ a: 'x' });
        return undefined;
      } catch (err) {
        return err as PatternError;
      }
    })();
    expect(e?.message).toBe('Event pattern is not valid. Reason: "a" must be an object or an array');
    expect(e?.location).toBeUndefined();
    expect(e?.rawMessage).toBe(e?.message);
    expect(e?.exitCode).toBe(2);
  });
});

describe('$or', () => {
  it.each([
    ['{"$or": [{"a": ["x"]}]}', 'There must have at least 2 Objects in $or relationship.'],
    ['{"$or": "x"}', 'It must be an Array followed with $or.'],
    ['{"$or": [{"a": ["x"]}, "y"]}', 'Only JSON object is allowed in array of $or relationship.'],
    [
      '{"$or": [{"numeric": [1]}, {"b": ["y"]}]}',
      'numeric is Ruler reserved fieldName which cannot be used inside $or.',
    ],
    [
      '{"x": {"$or": [{"a": {"cidr": ["y"]}}, {"b": ["y"]}]}}',
      'cidr is Ruler reserved fieldName which cannot be used inside $or.',
    ],
  ])('%s → %s', (pattern, expected) => {
    expect(reason(pattern)).toBe(expected);
  });

  it('falls back to "$or" as a plain field name when only that reading compiles (event-ruler)', () => {
    expect(both('{"$or": {"a": ["x"]}}', '{"$or": {"a": "x"}}')).toBe(true);
    expect(both('{"$or": [{"prefix": "x"}, {"suffix": "y"}]}', '{"$or": "xa"}')).toBe(true);
    expect(both('{"$or": [{"prefix": "x"}, {"suffix": "y"}]}', '{"$or": "ab"}')).toBe(false);
  });

  it('later fields override earlier ones per combination, in document order', () => {
    const p = '{"a": ["1"], "$or": [{"a": ["2"]}, {"b": ["3"]}]}';
    expect(both(p, '{"a": "2"}')).toBe(true);
    expect(both(p, '{"a": "1"}')).toBe(false);
    expect(both(p, '{"a": "1", "b": "3"}')).toBe(true);
    const q = '{"$or": [{"a": ["2"]}, {"b": ["3"]}], "a": ["1"]}';
    expect(both(q, '{"a": "2"}')).toBe(false);
    expect(both(q, '{"a": "1", "b": "x"}')).toBe(true);
  });

  it('nests, including inside nested objects', () => {
    const p = { detail: { $or: [{ x: [1] }, { $or: [{ y: [2] }, { z: [3] }] }] } };
    expect(compilePattern(p).subPatterns).toHaveLength(3);
    expect(both(p, '{"detail": {"z": 3}}')).toBe(true);
    expect(both(p, '{"detail": {"w": 3}}')).toBe(false);
  });

  it('allows up to 1,000 combinations and rejects more', () => {
    const alt = (n: number, name: string) => Array.from({ length: n }, (_, i) => ({ [`${name}${i}`]: [i] }));
    const ok = { $or: alt(10, 'a'), b: { $or: alt(10, 'b') }, c: { $or: alt(10, 'c') } };
    expect(compilePattern(ok, { maxLength: 0 }).subPatterns).toHaveLength(1000);
    const tooMany = { ...ok, d: { $or: alt(2, 'd') } };
    expect(reason(tooMany, { maxLength: 0 })).toBe(
      'The pattern has 2000 combinations of $or alternatives; the maximum is 1000',
    );
    // The count is computed without materializing the combinations.
    const huge = {
      $or: alt(10, 'a'),
      b: { $or: alt(10, 'b') },
      c: { $or: alt(10, 'c') },
      d: { $or: alt(10, 'd') },
      e: { $or: alt(10, 'e') },
    };
    expect(reason(huge, { maxLength: 0 })).toMatch(/^The pattern has 100000 combinations/);
  });
});

describe('limits', () => {
  it('rejects patterns longer than 2,048 characters by default (configurable)', () => {
    const long = JSON.stringify({ a: ['x'.repeat(2040)] });
    expect(long.length).toBeGreaterThan(2048);
    expect(reason(long)).toBe(`Event pattern is ${long.length} characters long; the maximum is 2048`);
    expect(compilePattern(long, { maxLength: 4096 }).paths).toEqual(['a']);
    const exact = JSON.stringify({ a: ['x'.repeat(2048 - 10)] });
    expect(exact.length).toBe(2048);
    expect(compilePattern(exact).paths).toEqual(['a']);
  });

  it('wildcard complexity: accepts AWS-accepted shapes, rejects AWS-rejected ones', () => {
    for (const ok of [
      'arn:aws:events:us-east-1:*:event-bus/*',
      '/Users/*/dir/dir/dir/dir/dir/doc.txt',
      '*/dir/*',
      '*:*:*',
    ]) {
      expect(compilePattern({ f: [{ wildcard: ok }] }).paths).toEqual(['f']);
    }
    expect(reason({ f: [{ wildcard: '*:*:*:*:*:event-bus/*' }] })).toBe(TOO_COMPLEX);
    // Wildcards of one field add up (a reported AWS rejection: 4 rules of `*:stack/<name>/*`).
    const stacks = (n: number) =>
      ['Shared', 'Monitoring', 'Data', 'Api'].slice(0, n).map((s) => ({ wildcard: `*:stack/${s}/*` }));
    expect(compilePattern({ f: stacks(3) }).paths).toEqual(['f']);
    expect(reason({ f: stacks(4) })).toBe(TOO_COMPLEX);
    expect(reason({ f: [{ 'anything-but': { wildcard: ['*a*b*c*', '*a*c*b*', '*b*a*c*'] } }] })).toBe(TOO_COMPLEX);
    expect(compilePattern({ f: [{ wildcard: '*:*:*:*:*:event-bus/*' }] }, { maxWildcardComplexity: 20 }).paths).toEqual(
      ['f'],
    );
  });
});

describe('matching semantics', () => {
  it('numbers: float64 equality for comparable literals, literal text otherwise', () => {
    expect(both('{"n": [300]}', '{"n": 3.0e2}')).toBe(true);
    expect(both('{"n": [1e2]}', '{"n": 100}')).toBe(true);
    expect(both('{"n": [5]}', '{"n": "5"}')).toBe(false);
    expect(both('{"n": [12345678901234567890]}', '{"n": 12345678901234567890}')).toBe(true);
    expect(both('{"n": [12345678901234567890]}', '{"n": 12345678901234567000}')).toBe(false);
    expect(both('{"n": [{"numeric": [">", 0.2]}]}', '{"n": 0.30000000000000001}')).toBe(false);
    expect(both('{"n": [{"numeric": [">", 0.2]}]}', '{"n": 0.3}')).toBe(true);
    expect(both('{"n": [0]}', '{"n": -0.0}')).toBe(true);
    expect(both('{"n": [{"numeric": ["=", 0]}]}', '{"n": -0}')).toBe(true);
    expect(both('{"n": [{"numeric": [">", -1, "<", 1e308]}]}', '{"n": 1.5e300}')).toBe(true);
    expect(both('{"n": [{"numeric": [">", 0]}]}', '{"n": true}')).toBe(false);
  });

  it('IP addresses in exact strings compare as addresses; cidr for v4, v6 and IPv4-mapped', () => {
    expect(both('{"ip": ["2001:db8::1"]}', '{"ip": "2001:0DB8:0:0:0:0:0:1"}')).toBe(true);
    expect(both('{"ip": ["10.0.0.1"]}', '{"ip": "10.0.0.01"}')).toBe(false);
    expect(both('{"ip": ["::ffff:a00:1"]}', '{"ip": "10.0.0.1"}')).toBe(true);
    expect(both('{"ip": [{"cidr": "10.0.0.0/8"}]}', '{"ip": "::ffff:a01:203"}')).toBe(true);
    expect(both('{"ip": [{"cidr": "10.0.0.0/8"}]}', '{"ip": "11.0.0.1"}')).toBe(false);
    expect(both('{"ip": [{"cidr": "0.0.0.0/0"}]}', '{"ip": "2001:db8::1"}')).toBe(false);
    expect(both('{"ip": [{"cidr": "::/0"}]}', '{"ip": "2001:db8::1"}')).toBe(true);
    expect(both('{"ip": [{"cidr": "10.1.2.3/16"}]}', '{"ip": "10.1.255.255"}')).toBe(true);
    expect(both('{"ip": [{"cidr": "10.0.0.0/8"}]}', '{"ip": ["x", "10.9.9.9"]}')).toBe(true);
    expect(both('{"ip": ["not-an-ip"]}', '{"ip": "not-an-ip"}')).toBe(true);
  });

  it('strings: prefix/suffix "" match any string only; ignore-case uses each character\'s case forms', () => {
    expect(both('{"s": [{"prefix": ""}]}', '{"s": ""}')).toBe(true);
    expect(both('{"s": [{"prefix": ""}]}', '{"s": 5}')).toBe(false);
    expect(both('{"s": [{"suffix": ""}]}', '{"s": null}')).toBe(false);
    expect(both('{"s": [{"equals-ignore-case": "straße"}]}', '{"s": "STRASSE"}')).toBe(true);
    expect(both('{"s": [{"equals-ignore-case": "straße"}]}', '{"s": "STRAßE"}')).toBe(true);
    expect(both('{"s": [{"equals-ignore-case": "ß"}]}', '{"s": "ss"}')).toBe(false);
    expect(both('{"s": [{"prefix": {"equals-ignore-case": "ÉTÉ"}}]}', '{"s": "été 2024"}')).toBe(true);
    expect(both('{"s": [{"suffix": {"equals-ignore-case": ".Png"}}]}', '{"s": "a.pNG"}')).toBe(true);
    expect(both('{"s": [{"exactly": "10.0.0.1"}]}', '{"s": "10.0.0.1"}')).toBe(true);
    expect(both('{"s": [{"exactly": "10.0.0.1"}]}', '{"s": "010.0.0.1"}')).toBe(false);
  });

  it('wildcards: escapes, anchoring, repeated segments', () => {
    expect(both('{"w": [{"wildcard": "a\\\\*b*"}]}', '{"w": "a*bcd"}')).toBe(true);
    expect(both('{"w": [{"wildcard": "a\\\\*b*"}]}', '{"w": "axbcd"}')).toBe(false);
    expect(both('{"w": [{"wildcard": "a\\\\\\\\b"}]}', '{"w": "a\\\\b"}')).toBe(true);
    expect(both('{"w": [{"wildcard": "*ab*ab"}]}', '{"w": "abab"}')).toBe(true);
    expect(both('{"w": [{"wildcard": "*ab*ab"}]}', '{"w": "aba"}')).toBe(false);
    expect(both('{"w": [{"wildcard": "*"}]}', '{"w": ""}')).toBe(true);
    expect(both('{"w": [{"wildcard": "*"}]}', '{"w": 1}')).toBe(false);
  });

  it('anything-but accepts other types and any other element of an array', () => {
    expect(both('{"a": [{"anything-but": "x"}]}', '{"a": ["x", "y"]}')).toBe(true);
    expect(both('{"a": [{"anything-but": "x"}]}', '{"a": ["x"]}')).toBe(false);
    expect(both('{"a": [{"anything-but": "x"}]}', '{"a": 5}')).toBe(true);
    expect(both('{"a": [{"anything-but": [5, 6]}]}', '{"a": "5"}')).toBe(true);
    expect(both('{"a": [{"anything-but": [5, 6]}]}', '{"a": 5.0}')).toBe(false);
    expect(both('{"a": [{"anything-but": {"prefix": []}}]}', '{"a": "anything"}')).toBe(true);
    expect(both('{"a": [{"anything-but": {"wildcard": ""}}]}', '{"a": ""}')).toBe(false);
  });

  it('exists, null and empty arrays', () => {
    expect(both('{"a": [{"exists": true}]}', '{"a": null}')).toBe(true);
    expect(both('{"a": [{"exists": true}]}', '{"a": []}')).toBe(false);
    expect(both('{"a": [{"exists": false}]}', '{"a": []}')).toBe(true);
    expect(both('{"a": [{"exists": false}]}', '{"a": {"b": 1}}')).toBe(true);
    expect(both('{"a": [null]}', '{}')).toBe(false);
    expect(both('{"a": [""]}', '{"a": null}')).toBe(false);
    expect(both('{"a": {"b": [{"exists": false}]}}', '{"x": 1}')).toBe(true);
  });

  it('array consistency: fields must come from the same element of an array of objects', () => {
    const p = '{"a": {"x": [1], "y": [4]}}';
    expect(both(p, '{"a": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]}')).toBe(false);
    expect(both(p, '{"a": [{"x": 1, "y": 2}, {"x": 1, "y": 4}]}')).toBe(true);
    expect(both(p, '{"a": {"x": 1, "y": 4}}')).toBe(true);
    // Nested arrays: the inner arrays are elements of the outer one.
    expect(both('{"a": {"b": {"x": [1], "y": [2]}}}', '{"a": [{"b": [{"x": 1}, {"y": 2}]}]}')).toBe(false);
    // Scalars directly in an array carry no element index, so they combine with anything.
    expect(both('{"a": {"x": [1]}, "b": [2]}', '{"a": [{"x": 1}], "b": [3, 2]}')).toBe(true);
  });

  it('exists:false is judged against the elements chosen so far (sorted field order, as event-ruler)', () => {
    // a.x is evaluated first and picks element 0; a.y only exists in element 1 → absent for this match.
    expect(both('{"a": {"x": [1], "y": [{"exists": false}]}}', '{"a": [{"x": 1}, {"y": 2}]}')).toBe(true);
    // a.b sorts before a.x, so it is judged before any element is chosen → present.
    expect(both('{"a": {"b": [{"exists": false}], "x": [1]}}', '{"a": [{"x": 1}, {"b": 2}]}')).toBe(false);
  });

  it('event JSON text with duplicate keys: every value is seen', () => {
    expect(both('{"a": ["x"]}', '{"a": "x", "a": "y"}')).toBe(true);
    expect(both('{"a": ["y"]}', '{"a": "x", "a": "y"}')).toBe(true);
    expect(matches('{"a": ["x"]}', JSON.parse('{"a": "x", "a": "y"}'))).toBe(false);
  });

  it('dotted keys join both ways and JSON in strings is not parsed', () => {
    expect(both('{"detail": {"state.status": ["on"]}}', '{"detail": {"state": {"status": "on"}}}')).toBe(true);
    expect(both('{"detail": {"state": {"status": ["on"]}}}', '{"detail.state": {"status": "on"}}')).toBe(true);
    expect(both('{"detail": {"k": ["v"]}}', '{"detail": "{\\"k\\": \\"v\\"}"}')).toBe(false);
  });

  it('JS events: undefined is absent, Dates use toJSON, non-finite numbers are null', () => {
    const p = compilePattern({ a: [{ exists: false }], d: [{ prefix: '2024-' }], n: [null] });
    expect(matches(p, { a: undefined, d: new Date('2024-05-01T00:00:00Z'), n: Number.NaN })).toBe(true);
  });
});
