import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numbers, patternObject, strings } from '../../../test/bus/pattern-arbitraries.js';
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
