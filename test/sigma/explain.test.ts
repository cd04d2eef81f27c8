import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMatch, SigmaEngine } from '../../src/sigma/engine.js';
import { parseSigmaText } from '../../src/sigma/parse.js';

// The engine explains matches from the record's cached atom results (and skips re-testing single-valued items);
// the reference evaluator explains from scratch. Both must say the same thing.
const FIELDS = ['eventName', 'a', 'n.x', 'arr'];
const MODS = ['', '|contains', '|endswith', '|cased', '|neq', '|exists', '|all', '|gt'];
const value = fc.constantFrom('Stop', 'stop', 'x*y', 'Trail', 'b', 3, 'A');
const item = fc
  .tuple(fc.constantFrom(...FIELDS), fc.constantFrom(...MODS), fc.array(value, { minLength: 1, maxLength: 3 }))
  .map(([f, m, vs]) => {
    if (m === '|exists') return [`${f}${m}`, vs.length % 2 === 0] as const;
    if (m === '|gt') return [`${f}${m}`, 1] as const;
    if (m === '|all') return [`${f}|contains|all`, vs.map(String)] as const;
    return [`${f}${m}`, vs.length === 1 ? vs[0] : vs] as const;
  });
const selection = fc.oneof(
  fc.array(item, { minLength: 1, maxLength: 3 }).map((i) => Object.fromEntries(i)),
  fc.array(
    fc.array(item, { minLength: 1, maxLength: 2 }).map((i) => Object.fromEntries(i)),
    { minLength: 2, maxLength: 3 },
  ),
);
const scalar = fc.oneof(fc.constantFrom('Stop', 'STOP', 'xQy', 'Trail', 'b', 'AB'), fc.integer({ min: 0, max: 4 }));
const fieldValue = fc.oneof(scalar, fc.array(fc.oneof(scalar, fc.constant(null)), { maxLength: 3 }), fc.constant(null));
const record = fc.record(
  { eventName: fieldValue, a: fieldValue, n: fc.record({ x: fieldValue }), arr: fieldValue },
  { requiredKeys: [] },
);
const condition = fc.constantFrom('s1', 's1 and s2', 's1 or s2', 's1 and not s2', '1 of s*', 'all of s*');

describe('engine explanations ≡ reference explanations', () => {
  it('random rules and records', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ s1: selection, s2: selection, condition }), { minLength: 1, maxLength: 6 }),
        fc.array(record, { minLength: 1, maxLength: 6 }),
        (detections, records) => {
          const text = detections
            .map((d, i) =>
              JSON.stringify({ title: `r${i}`, logsource: { product: 'aws', service: 'cloudtrail' }, detection: d }),
            )
            .join('\n---\n');
          const engine = new SigmaEngine(parseSigmaText(text, 'gen.yml'));
          const compiled = engine.compiled('cloudtrail');
          for (const fields of records) {
            const origin = { file: 'f', line: 1 };
            const fast = engine.matchFields('cloudtrail', fields, origin, 0);
            const byRule = new Map(compiled.map((c) => [c.ref, c]));
            for (const m of fast) {
              expect(m).toEqual(buildMatch(byRule.get(m.rule)!, fields, origin, 0));
              compared++;
            }
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(compared).toBeGreaterThan(50);
  });
});
