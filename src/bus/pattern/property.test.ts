import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern } from './compile.js';
import { PatternIndex } from './compiled.js';
import { explain } from './explain.js';
import { parseEvent } from './flatten.js';
import { matches } from './reference.js';
import type { Pattern } from './types.js';

/**
 * Differential tests: the compiled index must select exactly the patterns the reference matcher accepts, for
 * random patterns over a small universe of fields and values (so that hits are frequent) and random events with
 * nested objects, arrays of scalars and arrays of objects.
 */

const strings = fc.constantFrom(
  'x',
  'xy',
  'yx',
  'X',
  'XY',
  '',
  'ab',
  'aXb',
  '10.0.0.1',
  '10.0.1.7',
  '2001:db8::1',
  'ß',
  'SS',
);
const nonEmpty = strings.filter((s) => s !== '');
const numbers = fc.constantFrom(0, 1, 5, 10, 1.5, -3, 300);
const wildcards = fc.constantFrom('x*', '*y', '*', 'a*b', '*x*', '', 'x', 'a\\*b');

const element: fc.Arbitrary<unknown> = fc.oneof(
  strings,
  numbers,
  fc.constantFrom(true, false, null),
  strings.map((s) => ({ prefix: s })),
  strings.map((s) => ({ suffix: s })),
  strings.map((s) => ({ 'equals-ignore-case': s })),
  strings.map((s) => ({ prefix: { 'equals-ignore-case': s } })),
  strings.map((s) => ({ suffix: { 'equals-ignore-case': s } })),
  wildcards.map((w) => ({ wildcard: w })),
  fc
    .oneof(
      strings,
      numbers,
      fc.array(strings, { minLength: 1, maxLength: 3 }),
      fc.array(numbers, { minLength: 1, maxLength: 3 }),
    )
    .map((v) => ({ 'anything-but': v })),
  fc.array(nonEmpty, { minLength: 1, maxLength: 2 }).map((v) => ({ 'anything-but': { prefix: v } })),
  fc.array(nonEmpty, { minLength: 1, maxLength: 2 }).map((v) => ({ 'anything-but': { suffix: v } })),
  fc.array(strings, { minLength: 1, maxLength: 2 }).map((v) => ({ 'anything-but': { 'equals-ignore-case': v } })),
  wildcards.map((w) => ({ 'anything-but': { wildcard: w } })),
  fc
    .tuple(numbers, numbers, fc.boolean(), fc.boolean())
    .map(([a, b, openLo, openHi]) =>
      a < b ? { numeric: [openLo ? '>' : '>=', a, openHi ? '<' : '<=', b] } : { numeric: [openLo ? '>' : '<=', a] },
    ),
  numbers.map((n) => ({ numeric: ['=', n] })),
  fc.boolean().map((b) => ({ exists: b })),
  fc.constantFrom('10.0.0.0/24', '10.0.0.0/8', '2001:db8::/32').map((c) => ({ cidr: c })),
);

const paths = fc.constantFrom('a', 'b', 'c', 'a.x', 'a.y', 'b.x', 'c.z');
const field = fc.tuple(paths, fc.array(element, { minLength: 1, maxLength: 3 }));

/** Nest dotted paths into objects where possible; otherwise keep the dotted key (AWS joins both the same way). */
function build(fields: [string, unknown[]][], nest: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, list] of fields) {
    const parts = path.split('.');
    if (!nest || parts.length === 1) {
      out[path] = list;
      continue;
    }
    const head = out[parts[0]];
    if (head === undefined) out[parts[0]] = { [parts[1]]: list };
    else if (!Array.isArray(head)) (head as Record<string, unknown>)[parts[1]] = list;
    else out[path] = list;
  }
  return out;
}

const sub = fc.tuple(fc.array(field, { minLength: 1, maxLength: 2 }), fc.boolean()).map(([f, nest]) => build(f, nest));
const patternObject: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 3, arbitrary: sub },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.option(sub, { nil: undefined }), fc.array(sub, { minLength: 2, maxLength: 3 }))
      .map(([base, alternatives]) => ({ ...(base ?? {}), $or: alternatives })),
  },
);

const scalar = fc.oneof(strings, numbers, fc.constantFrom(true, false, null));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 3 },
    { weight: 3, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('x', 'y', 'z'), tie('value'), { minKeys: 1, maxKeys: 3 }) },
  ),
}));
const event = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'a.x', 'd'), value, { minKeys: 2, maxKeys: 5 });

function tryCompile(p: Record<string, unknown>): Pattern | undefined {
  try {
    return compilePattern(p);
  } catch {
    return undefined;
  }
}

describe('compiled index vs reference matcher (fast-check)', () => {
  it('select the same patterns for every event, before and after removals', () => {
    fc.assert(
      fc.property(
        fc.array(patternObject, { minLength: 1, maxLength: 12 }),
        fc.array(event, { minLength: 1, maxLength: 5 }),
        (rawPatterns, events) => {
          const compiled = rawPatterns.map(tryCompile);
          const index = new PatternIndex<number>();
          compiled.forEach((p, i) => {
            if (p) index.add(i, p);
          });
          const check = () => {
            for (const e of events) {
              const expected = compiled.flatMap((p, i) => (p && index.has(i) && matches(p, e) ? [i] : []));
              expect(index.match(e)).toEqual(expected);
            }
          };
          check();
          compiled.forEach((_, i) => {
            if (i % 2 === 0) index.remove(i);
          });
          check();
        },
      ),
      { numRuns: Number(process.env.VIGIL_FC_RUNS ?? 400) },
    );
  });

  it('agree on events given as JSON text, and explain agrees with matches', () => {
    fc.assert(
      fc.property(patternObject, event, (raw, e) => {
        const p = tryCompile(raw);
        if (!p) return;
        const parsed = parseEvent(JSON.stringify(e));
        if (!parsed.ok) throw new Error(parsed.error);
        const expected = matches(p, e);
        expect(matches(p, parsed.event)).toBe(expected);
        const index = new PatternIndex();
        index.add('p', p);
        expect(index.match(parsed.event)).toEqual(expected ? ['p'] : []);
        expect(explain(p, e).matched).toBe(expected);
      }),
      { numRuns: Number(process.env.VIGIL_FC_RUNS ?? 400) },
    );
  });

  it('the generators produce a useful mix (valid patterns that match and that do not)', () => {
    const sample = fc.sample(fc.tuple(patternObject, event), { numRuns: 500, seed: 7 });
    let valid = 0;
    let hits = 0;
    for (const [raw, e] of sample) {
      const p = tryCompile(raw);
      if (!p) continue;
      valid++;
      if (matches(p, e)) hits++;
    }
    expect(valid).toBeGreaterThan(250);
    expect(hits).toBeGreaterThan(40);
    expect(hits).toBeLessThan(valid - 25);
  });
});
