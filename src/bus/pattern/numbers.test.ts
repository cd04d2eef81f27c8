import { describe, expect, it } from 'vitest';
import { expectNumbersAgree } from '../../../test/helpers/bus-numbers.js';
import { PatternIndex } from './compiled.js';
import { parseEvent } from './flatten.js';
import { comparableNumber, quickComparable } from './numbers.js';
import { matches } from './reference.js';

describe('number comparability', () => {
  it('takes the quick path only for plain literals of at most 15 significant digits', () => {
    expect(quickComparable('1.5', 1.5)).toBe(1.5);
    expect(quickComparable('-0', -0)).toBe(0);
    expect(Object.is(quickComparable('-0.000', -0), 0)).toBe(true);
    expect(quickComparable('0.000123456789012345', 0.000123456789012345)).toBe(0.000123456789012345);
    expect(quickComparable('123456789012345', 123456789012345)).toBe(123456789012345);
    // 16+ significant digits, exponents: decided by comparableNumber.
    expect(quickComparable('1234567890123456', 1234567890123456)).toBeNaN();
    expect(quickComparable('1e3', 1000)).toBeNaN();
    expect(quickComparable('1.00000000000000000000', 1)).toBeNaN();
  });

  it('agrees with comparableNumber on every literal it answers', () => {
    const texts = ['0', '-0', '7', '-122.5', '37.000001', '0.1', '0.30000000000000004', '99999999999999.9', '0.0'];
    for (const t of texts) {
      const q = quickComparable(t, Number(t));
      if (!Number.isNaN(q)) expect(q, t).toBe(comparableNumber(t));
    }
  });

  it('matches long literals lazily with the same verdicts on every path', () => {
    const index = new PatternIndex<string>();
    index.add('gt0', { a: [{ numeric: ['>', 0] }] });
    index.add('one', { a: [1] });
    index.add('not-one', { a: [{ 'anything-but': [1] }] });
    index.add('first-x', { t: ['P'], a: [{ numeric: ['=', 1] }] });
    const cases: [string, string[]][] = [
      // 1.0000000000000001 rounds to 1 but is not 1: not comparable, so no numeric operator accepts it.
      ['{"t":"P","a":1.0000000000000001}', ['not-one']],
      ['{"t":"P","a":1.00000000000000000000}', ['gt0', 'one', 'first-x']],
      ['{"t":"P","a":12345678901234567890}', ['not-one']],
      ['{"t":"P","a":-122.42916360922355}', ['not-one']],
      ['{"t":"P","a":[0.5, 1.0000000000000001, 1]}', ['gt0', 'one', 'not-one', 'first-x']],
    ];
    for (const [text, expected] of cases) {
      const res = index.matchJson(text);
      expect(res.ok && res.ids, text).toEqual(expected);
      const parsed = parseEvent(text);
      if (!parsed.ok) throw new Error(parsed.error);
      expect(index.match(parsed.event), text).toEqual(expected);
      for (const id of ['gt0', 'one', 'not-one', 'first-x']) {
        const pattern = index.get(id);
        if (!pattern) throw new Error(id);
        expect(matches(pattern, parsed.event), `${id} ${text}`).toBe(expected.includes(id));
      }
    }
  });
});

describe('numeric ranges in the compiled index', () => {
  const ops = ['<', '<=', '>', '>='] as const;
  const check = expectNumbersAgree;

  it('agrees with the reference on values inside pieces and exactly on open and closed ends', () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const patterns: object[] = [];
    for (let i = 0; i < 200; i++) {
      const lo = rand(50);
      const hi = lo + 1 + rand(10);
      patterns.push({
        n: [{ numeric: [ops[2 + rand(2)], lo, ops[rand(2)], hi] }, ...(rand(4) === 0 ? [{ numeric: ['=', hi] }] : [])],
      });
      if (rand(5) === 0) patterns.push({ n: [{ numeric: [ops[rand(4)], rand(60)] }] });
    }
    const values: number[] = [];
    for (let v = -2; v <= 62; v += 0.5) values.push(v);
    check(patterns, values);
  });

  it('falls back to the interval tree for heavily nested ranges with the same results', () => {
    // 1,200 nested ranges: their piece lists would be quadratic, so the index keeps only the tree.
    const patterns = Array.from({ length: 1200 }, (_, i) => ({ n: [{ numeric: ['>=', -i, '<', i + 1] }] }));
    check(patterns, [-1300, -600, -599.5, 0, 0.25, 599, 599.5, 1199, 1200, 5000]);
  });
});
