import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectNumbersAgree } from '../../../test/helpers/bus-numbers.js';
import { mulberry32 } from '../../core/random.js';
import { PatternIndex } from './compiled.js';
import { parseEvent } from './flatten.js';
import { canonicalDecimal, comparableNumber, normalUlp, plainDecimal, provenShortest } from './numbers.js';
import { matches } from './reference.js';

/** Comparability by definition: the literal's decimal value is the float64's shortest decimal. */
function comparableByDefinition(text: string): boolean {
  const v = Number(text);
  if (!Number.isFinite(v)) return false;
  return v === 0 ? canonicalDecimal(text) === '0' : canonicalDecimal(String(v)) === canonicalDecimal(text);
}

/** Plain (no exponent) decimal texts near a float64: its shortest form, 16 and 17 digits, last digit ±1, a 0. */
function textsNear(v: number): string[] {
  const out = [String(v), `${String(v)}0`];
  for (const p of [16, 17]) {
    const t = v.toPrecision(p);
    out.push(t);
    const last = Number(t[t.length - 1]);
    if (last > 0) out.push(t.slice(0, -1) + String(last - 1));
    if (last < 9) out.push(t.slice(0, -1) + String(last + 1));
  }
  return out.filter((t) => /^-?\d+(\.\d+)?$/.test(t));
}

describe('provenShortest (comparability without a float-to-string conversion)', () => {
  it('only proves literals that are the shortest decimal of their float64 (fast-check)', () => {
    const doubles = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.double({ min: -200, max: 200, noNaN: true }),
      fc.double({ min: 1e-7, max: 1e21, noNaN: true }),
      fc.integer({ min: 0, max: 2 ** 53 }).map((i) => i / 2 ** 20),
    );
    fc.assert(
      fc.property(doubles, (v) => {
        for (const t of textsNear(v)) {
          if (provenShortest(t, Number(t))) expect(comparableByDefinition(t), t).toBe(true);
          expect(comparableNumber(t) !== undefined, t).toBe(comparableByDefinition(t));
        }
      }),
      { numRuns: 8_000 },
    );
  });

  it('proves most 16–17 digit shortest forms and declines what it cannot decide', () => {
    let proven = 0;
    let total = 0;
    const r = mulberry32(5);
    for (let i = 0; i < 2000; i++) {
      const v = -122.52 + r() * 0.16;
      const t = String(v);
      if (t.replace(/[-.]/g, '').replace(/^0+/, '').length < 16) continue;
      total++;
      if (provenShortest(t, v)) proven++;
    }
    expect(total).toBeGreaterThan(1000);
    expect(proven / total).toBeGreaterThan(0.8);
    // Not the shortest form (0.1 prints as "0.1"), 15 digits, exponents, more than 17 digits: not proven.
    expect(provenShortest('0.10000000000000001', 0.1)).toBe(false);
    expect(provenShortest('0.30000000000000004', 0.30000000000000004)).toBe(true);
    expect(provenShortest('123456789012345', 123456789012345)).toBe(false);
    expect(provenShortest('1.234567890123456e5', 123456.7890123456)).toBe(false);
    expect(provenShortest('1.000000000000000000', 1)).toBe(false);
    expect(provenShortest('12345678901234567890', Number('12345678901234567890'))).toBe(false);
  });
});

describe('normalUlp (the half-ulp margin of the proof)', () => {
  // By definition: 2^(biased exponent − 1075), read from the float's bits.
  const ulpByBits = (a: number): number => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, a);
    return 2 ** (((view.getUint32(0) >>> 20) & 0x7ff) - 1075);
  };
  it('is the unit in the last place of every positive normal float64 (fast-check)', () => {
    const normals = fc.oneof(
      fc.double({ min: 2 ** -1022, max: Number.MAX_VALUE, noNaN: true }),
      fc.double({ min: 1e-7, max: 1e24, noNaN: true }),
      fc.integer({ min: -1022, max: 1023 }).map((e) => 2 ** e),
      fc.integer({ min: -1021, max: 1023 }).map((e) => 2 ** e * (1 - 2 ** -53)),
    );
    fc.assert(
      fc.property(normals, (a) => {
        if (a + normalUlp(a) === Number.POSITIVE_INFINITY) return; // the top binade's ulp would overflow the sum
        expect(normalUlp(a)).toBe(ulpByBits(a));
      }),
      { numRuns: 20_000 },
    );
    expect(normalUlp(1)).toBe(2 ** -52);
    expect(normalUlp(122.40071531385183)).toBe(2 ** -46);
    expect(normalUlp(2 ** -1022)).toBe(2 ** -1074);
  });
});

describe('plainDecimal (the literal shape the comparability proof reuses)', () => {
  it('packs significant and fraction digits of plain literals and rejects every other text (fast-check)', () => {
    const byDefinition = (t: string): number => {
      const m = /^-?(\d+)(?:\.(\d+))?$/.exec(t);
      if (!m || t.length > 24) return -1;
      const significant = `${m[1]}${m[2] ?? ''}`.replace(/^0+/, '').length;
      return significant * 32 + (m[2]?.length ?? 0);
    };
    const text = fc.oneof(
      fc.double({ noNaN: true }).map(String),
      fc.double({ noNaN: true, min: -1e6, max: 1e6 }).map((v) => v.toFixed(8)),
      fc.stringMatching(/^-?[0-9]{0,12}(\.[0-9]{0,12})?(e[+-]?[0-9]{1,3})?$/),
      fc.string({ maxLength: 26 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(plainDecimal(t), t).toBe(byDefinition(t));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('numeric range lookup and many-match output', () => {
  it('agree with the reference for clustered, wide and duplicate range ends (grid cells of uneven fill)', () => {
    const patterns: object[] = [];
    // A dense cluster, a few far ends (most grid cells empty), duplicate ends, open and closed.
    for (let i = 0; i < 300; i++) {
      const lo = 1000 + (i % 37) * 0.001;
      patterns.push({ n: [{ numeric: [i % 2 ? '>' : '>=', lo, i % 3 ? '<' : '<=', lo + 0.0005 * (1 + (i % 5))] }] });
    }
    patterns.push({ n: [{ numeric: ['>', -1e6, '<', -999_999] }] }, { n: [{ numeric: ['>=', 5e5] }] });
    const values = [-2e6, -1e6, -999_999.5, 0, 999.9995, 1000, 1000.0001, 1000.0005, 1000.001, 1000.0175, 1000.037];
    for (let k = 0; k < 400; k++) values.push(1000 + k * 0.0001, 1000 + k * 0.0001 + 0.00003);
    values.push(1000.04, 1e5, 5e5, 6e5, 1e300);
    expectNumbersAgree(patterns, values);
  });

  it('agree with the reference when the ends span more than a float64 can hold (no usable grid)', () => {
    const patterns = [
      { n: [{ numeric: ['>', -1.7e308, '<', 1.7e308] }] },
      { n: [{ numeric: ['>=', -1e308, '<=', -1e300] }] },
      { n: [{ numeric: ['>', 1e300, '<', 1.5e308] }] },
      { n: [{ numeric: ['>', 0, '<=', 5] }] },
    ];
    const index = new PatternIndex<number>();
    patterns.forEach((p, i) => {
      index.add(i, p);
    });
    for (const v of [-1.7e308, -1.6e308, -1e308, -1e300, -1, 0, 2.5, 5, 1e300, 1e307, 1.5e308, 1.7e308]) {
      const expected = patterns.flatMap((p, i) => (matches(p, { n: v }) ? [i] : []));
      expect(index.match({ n: v }), String(v)).toEqual(expected);
      const got = index.matchJson(`{"n": ${v}}`);
      expect(got.ok && got.ids, String(v)).toEqual(expected);
    }
  });

  it('returns many matches in insertion order across removals, re-adds and compaction', () => {
    const index = new PatternIndex<string>();
    const live: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const id = `r${(i * 7919) % 3000}`;
      index.add(id, i % 4 === 3 ? { $or: [{ a: [1] }, { b: ['x'] }] } : { a: [{ numeric: ['>', 0] }] });
      live.push(id);
    }
    const check = () => {
      expect(index.match({ a: 1, b: 'x' })).toEqual(live);
      const res = index.matchJson('{"a": 1, "b": "x"}');
      expect(res.ok && res.ids).toEqual(live);
      // Twice: the bitset must be clear after each event.
      expect(index.match({ a: 1, b: 'x' })).toEqual(live);
      expect(index.match({ a: -1 })).toEqual([]);
    };
    check();
    for (let i = 0; i < 3000; i += 3) index.remove(live[i]);
    for (let i = live.length - 1; i >= 0; i--) if (i % 3 === 0) live.splice(i, 1);
    check();
    for (let i = 0; i < 500; i++) {
      index.add(`late${i}`, { a: [{ numeric: ['>=', 1] }] });
      live.push(`late${i}`);
    }
    check();
  });
});

describe('several numbers at one path (walked in piece order)', () => {
  it('agree with the reference for arrays of numbers, range ends, duplicates and non-comparable literals (fast-check)', () => {
    // Ends on a coarse grid so that event values often equal an end (the interval tree) or share a piece.
    const end = fc.integer({ min: 0, max: 40 }).map((i) => i / 4);
    const range = fc.record({
      lo: end,
      width: fc.integer({ min: 1, max: 12 }),
      loOp: fc.boolean(),
      hiOp: fc.boolean(),
    });
    const numeric = range.map(({ lo, width, loOp, hiOp }) => ({
      numeric: [loOp ? '>' : '>=', lo, hiOp ? '<' : '<=', lo + width / 4],
    }));
    const pattern = fc.oneof(
      fc.array(numeric, { minLength: 1, maxLength: 3 }).map((ms) => ({ n: ms })),
      fc.tuple(numeric, end).map(([m, v]) => ({ n: [m, v] })),
      fc.tuple(numeric, numeric).map(([a, b]) => ({ $or: [{ n: [a] }, { n: [b] }] })),
      fc.tuple(numeric, fc.constantFrom('a', 'b')).map(([m, s]) => ({ n: [m], s: [s] })),
    );
    const literal = fc.oneof(
      end.map(String),
      fc.integer({ min: -4, max: 44 }).map((i) => String(i / 4 + 0.0625)),
      // Not comparable (more digits than the float64 it rounds to): matches no numeric operator.
      fc.constantFrom('2.50000000000000000001', '3.0000000000000000001', '1e400'),
    );
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 40 }),
        fc.array(fc.array(literal, { minLength: 0, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (generated, events, nested) => {
          // Nested ranges make every piece list long, which selects the walk in piece order; without them lists are
          // often short and each value reads its own.
          const patterns = nested
            ? [
                ...generated,
                ...Array.from({ length: 12 }, (_, i) => ({ n: [{ numeric: ['>=', i / 4, '<', 10 - i / 4] }] })),
              ]
            : generated;
          const index = new PatternIndex<number>();
          patterns.forEach((p, i) => {
            index.add(i, p);
          });
          for (const values of events) {
            const text = `{"n": [${values.join(', ')}], "m": {"n": 1}, "s": "a"}`;
            const parsed = parseEvent(text);
            if (!parsed.ok) throw new Error(parsed.error);
            const expected = patterns.flatMap((p, i) => (matches(p, parsed.event) ? [i] : []));
            const got = index.matchJson(text);
            expect(got.ok && got.ids, text).toEqual(expected);
            expect(index.match(parsed.event), text).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('range hits written as output bits', () => {
  it('stay in insertion order across removals, re-adds and compaction (arrays of numbers, long piece lists)', () => {
    const index = new PatternIndex<string>();
    const patterns = new Map<string, object>();
    const r = mulberry32(11);
    const add = (id: string) => {
      const lo = r() * 10;
      const p =
        r() < 0.2
          ? { $or: [{ n: [{ numeric: ['>', lo, '<', lo + 1] }] }, { s: ['x'] }] }
          : { n: [{ numeric: ['>=', lo, '<', lo + 1] }] };
      index.add(id, p);
      patterns.set(id, p);
    };
    for (let i = 0; i < 3000; i++) add(`r${(i * 7919) % 3000}`);
    const events = Array.from({ length: 40 }, () => {
      const base = r() * 10;
      return { n: Array.from({ length: 2 + Math.floor(r() * 8) }, () => base + r() * 0.5), s: r() < 0.3 ? 'x' : 'y' };
    });
    const check = () => {
      for (const event of events) {
        const expected = [...patterns].flatMap(([id, p]) => (matches(p, event) ? [id] : []));
        expect(index.match(event)).toEqual(expected);
        const got = index.matchJson(JSON.stringify(event));
        expect(got.ok && got.ids).toEqual(expected);
      }
    };
    check();
    let k = 0;
    for (const id of [...patterns.keys()]) {
      if (k++ % 3 === 0) continue;
      index.remove(id);
      patterns.delete(id);
    }
    check();
    for (let i = 0; i < 300; i++) add(`late${i}`);
    check();
  });
});

describe('range lists holding the rule slots of the hits that prove their rule', () => {
  /** Single-field ranges (a hit proves the rule), ranges with a second field, `$or` ranges, and string rules. */
  function numericRule(r: () => number): object {
    const lo = Math.floor(r() * 40) / 4;
    const range = {
      numeric: [r() < 0.5 ? '>' : '>=', lo, r() < 0.5 ? '<' : '<=', lo + 0.25 + Math.floor(r() * 8) / 4],
    };
    const pick = r();
    if (pick < 0.6) return { n: [range] };
    if (pick < 0.8) return { n: [range], s: [r() < 0.5 ? 'a' : 'b'] };
    return { $or: [{ n: [range] }, { s: ['b'] }] };
  }

  function expectAgree(index: PatternIndex<string>, patterns: Map<string, object>, events: readonly object[]): void {
    for (const event of events) {
      const expected = [...patterns].flatMap(([id, p]) => (matches(p, event) ? [id] : []));
      expect(index.match(event)).toEqual(expected);
      const got = index.matchJson(JSON.stringify(event));
      expect(got.ok && got.ids).toEqual(expected);
    }
  }

  function eventsFor(r: () => number): object[] {
    return Array.from({ length: 12 }, () => {
      const base = r() * 10;
      const n = Array.from({ length: 1 + Math.floor(r() * 6) }, () => Math.floor((base + r()) * 8) / 8 + 0.01);
      return { n, s: r() < 0.5 ? 'a' : 'b' };
    });
  }

  it('follow the renumbering when a rule of another kind compacts the slots', () => {
    const r = mulberry32(23);
    const index = new PatternIndex<string>();
    const patterns = new Map<string, object>();
    for (let i = 0; i < 200; i++) {
      const p = numericRule(r);
      index.add(`n${i}`, p);
      patterns.set(`n${i}`, p);
    }
    const events = eventsFor(r);
    expectAgree(index, patterns, events);
    // 150 holes, 50 live rules: the next add compacts, and it adds no range (the lists are not rebuilt for it).
    for (let i = 0; i < 200; i++) {
      if (i % 4 === 0) continue;
      index.remove(`n${i}`);
      patterns.delete(`n${i}`);
    }
    expectAgree(index, patterns, events);
    index.add('str', { s: ['a'] });
    patterns.set('str', { s: ['a'] });
    expectAgree(index, patterns, events);
  });

  it('agree with the reference across adds, removals, re-adds and compactions (fast-check)', () => {
    const round = fc.record({
      adds: fc.integer({ min: 0, max: 160 }),
      keepEvery: fc.integer({ min: 1, max: 5 }),
      others: fc.integer({ min: 0, max: 3 }),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    });
    fc.assert(
      fc.property(fc.array(round, { minLength: 1, maxLength: 4 }), (rounds) => {
        const index = new PatternIndex<string>();
        const patterns = new Map<string, object>();
        let next = 0;
        for (const { adds, keepEvery, others, seed } of rounds) {
          const r = mulberry32(seed);
          const events = eventsFor(r);
          for (let i = 0; i < adds; i++) {
            const id = `n${next++}`;
            const p = numericRule(r);
            index.add(id, p);
            patterns.set(id, p);
          }
          expectAgree(index, patterns, events);
          let k = 0;
          for (const id of [...patterns.keys()]) {
            if (k++ % keepEvery === 0) continue;
            index.remove(id);
            patterns.delete(id);
          }
          expectAgree(index, patterns, events);
          for (let i = 0; i < others; i++) {
            const id = `s${next++}`;
            const p = r() < 0.5 ? { s: ['a'] } : numericRule(r);
            index.add(id, p);
            patterns.set(id, p);
          }
          expectAgree(index, patterns, events);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('array consistency read from the checks (the driver a hit proves is in their header)', () => {
  it('agrees with the reference for exact drivers and other fields in arrays of objects (fast-check)', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const num = fc.integer({ min: 0, max: 4 });
    const field = fc.oneof(
      key.map((k) => [k]),
      num.map((n) => [{ numeric: ['>=', n] }]),
      key.map((k) => [{ 'anything-but': [k] }]),
      fc.constant([{ exists: false }]),
    );
    const pattern = fc.oneof(
      // An exact driver inside the array and another field of the same elements, or of a second array, or outside.
      fc.tuple(key, field).map(([k, f]) => ({ arr: { k: [k], v: f } })),
      fc.tuple(key, field).map(([k, f]) => ({ arr: { k: [k] }, other: { v: f } })),
      fc.tuple(key, field, field).map(([k, f, g]) => ({ arr: { k: [k], v: f }, top: g })),
      fc.tuple(num, key).map(([n, k]) => ({ arr: { v: [n] }, other: { k: [k] } })),
    );
    const element = fc.record({ k: key, v: fc.oneof(num, key) }, { requiredKeys: [] });
    const event = fc.record(
      {
        arr: fc.array(element, { maxLength: 4 }),
        other: fc.array(element, { maxLength: 3 }),
        top: fc.oneof(key, num),
      },
      { requiredKeys: ['arr'] },
    );
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 10 }), fc.array(event, { maxLength: 6 }), (ps, es) => {
        const index = new PatternIndex<number>();
        ps.forEach((p, i) => {
          index.add(i, p);
        });
        for (const e of es) {
          const expected = ps.flatMap((p, i) => (matches(p, e) ? [i] : []));
          expect(index.match(e)).toEqual(expected);
          const got = index.matchJson(JSON.stringify(e));
          expect(got.ok && got.ids).toEqual(expected);
        }
      }),
      { numRuns: 400 },
    );
  });
});
