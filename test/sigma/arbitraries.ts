import fc from 'fast-check';
import { parseSigmaText } from '../../src/sigma/parse.js';
import type { SigmaCollection } from '../../src/sigma/types.js';

/**
 * Random Sigma rules and CloudTrail-like records for the property tests that compare matchers (engine vs
 * reference, generated vs interpreted program). Each test passes the fields, modifiers and values it stresses.
 */
export interface SigmaArbitraryOptions {
  /** Rule field names (dotted paths allowed). */
  fields: readonly string[];
  /** Modifier suffixes, '' included for a plain value. */
  mods: readonly string[];
  /** Rule values beyond the generated wildcard strings, small integers and null. */
  ruleWords: readonly string[];
  /** Record strings beyond the generated ones, small integers, null and booleans. */
  recordWords: readonly string[];
  /** Top-level record keys holding a random value (`n` always holds `{x}`). */
  recordKeys: readonly string[];
  /** Selections added to the random maps and lists of maps (keyword lists, fixed maps). */
  extraSelections: readonly fc.Arbitrary<unknown>[];
  conditions: readonly string[];
}

/** Conditions over the two generated selections that both matcher comparisons use. */
export const SELECTION_CONDITIONS: readonly string[] = [
  'sel1',
  'sel1 and sel2',
  'sel1 or sel2',
  'sel1 and not sel2',
  'not sel1',
  '1 of sel*',
  'all of sel*',
  'sel1 or (sel2 and not sel1)',
];

export function sigmaArbitraries(o: SigmaArbitraryOptions) {
  const ruleValue = fc.oneof(
    fc.stringMatching(/^[abAB*?\\]{0,4}$/),
    fc.constantFrom(...o.ruleWords),
    fc.integer({ min: 0, max: 3 }),
    fc.constant(null),
  );
  const recordScalar = fc.oneof(
    fc.stringMatching(/^[abAB*?\\xy]{0,5}$/),
    fc.constantFrom(...o.recordWords),
    fc.integer({ min: 0, max: 3 }),
    fc.constant(null),
    fc.boolean(),
  );
  const recordValue = fc.oneof(recordScalar, fc.array(recordScalar, { maxLength: 3 }), fc.record({ x: recordScalar }));
  const record = fc.record(
    {
      ...Object.fromEntries(o.recordKeys.map((k) => [k, recordValue])),
      n: fc.record({ x: recordValue }),
    },
    { requiredKeys: [] },
  );
  const item = fc
    .tuple(
      fc.constantFrom(...o.fields),
      fc.constantFrom(...o.mods),
      fc.array(ruleValue, { minLength: 1, maxLength: 3 }),
    )
    .map(([field, mod, values]) => {
      if (mod === '|exists') return [`${field}|exists`, values.length % 2 === 0] as const;
      if (mod === '|re') return [`${field}|re`, String(values[0]).replace(/[\\*?]/g, '')] as const;
      if (values.length === 1) return [`${field}${mod}`, values[0]] as const;
      return [`${field}${mod}`, values] as const;
    });
  const selection = fc.oneof(
    fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => Object.fromEntries(items)),
    fc.array(
      fc.array(item, { minLength: 1, maxLength: 2 }).map((i) => Object.fromEntries(i)),
      { minLength: 2, maxLength: 3 },
    ),
    ...o.extraSelections,
  );
  const ruleDoc = fc
    .record({ sel1: selection, sel2: selection, condition: fc.constantFrom(...o.conditions) })
    .map((detection) => ({ title: 'generated', logsource: { product: 'aws', service: 'cloudtrail' }, detection }));
  return { record, ruleDoc };
}

/** The documents as one multi-document Sigma file. */
export function collectionOf(docs: unknown[]): SigmaCollection {
  return parseSigmaText(docs.map((d) => JSON.stringify(d)).join('\n---\n'), 'gen.yml');
}
