import { expect } from 'vitest';
import { SigmaEngine } from '../../src/sigma/engine.js';
import { type LoadOptions, parseSigmaText } from '../../src/sigma/parse.js';
import { referenceMatch } from '../../src/sigma/reference.js';
import type { SigmaRule } from '../../src/sigma/types.js';
import { ruleText } from './helpers.js';

/** Load a one-rule detection block; fails the test on any load error. */
export function loadRule(detection: string, opts: LoadOptions = {}): SigmaRule {
  const c = parseSigmaText(ruleText(detection), 'test.yml', opts);
  expect(c.issues.filter((i) => i.severity === 'error')).toEqual([]);
  expect(c.rules).toHaveLength(1);
  return c.rules[0]!;
}

/** Load errors of a detection block (reasons only). */
export function loadErrors(detection: string, opts: LoadOptions = {}): string[] {
  const c = parseSigmaText(ruleText(detection), 'test.yml', opts);
  return c.issues.filter((i) => i.severity === 'error').map((i) => i.reason);
}

/**
 * Evaluate a detection block on one record with both the fast engine and the reference evaluator; they must
 * agree. Returns the verdict.
 */
export function matches(
  detection: string | SigmaRule,
  fields: Record<string, unknown>,
  opts: LoadOptions = {},
): boolean {
  const rule = typeof detection === 'string' ? loadRule(detection, opts) : detection;
  const engine = new SigmaEngine({ rules: [rule], filters: [] }, { placeholders: opts.placeholders ?? {} });
  const fast = engine.countMatches('cloudtrail', fields) === 1;
  const ref = referenceMatch(rule.detection, fields);
  expect(fast, 'fast engine and reference evaluator disagree').toBe(ref);
  return fast;
}
