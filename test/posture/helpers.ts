import type { Evaluation, RuleSelection } from '../../src/posture/engine.js';
import { evaluate } from '../../src/posture/engine.js';
import { type ConfigItem, emptyCi } from '../../src/posture/model.js';
import { findRule } from '../../src/posture/rules/index.js';

export const ACCOUNT = '111122223333';
export const NOW = Date.parse('2026-11-01T00:00:00Z');
export const daysAgo = (d: number) => new Date(NOW - d * 86_400_000).toISOString();

export function ci(resourceType: string, resourceId: string, partial: Partial<ConfigItem> = {}): ConfigItem {
  return emptyCi({ resourceType, resourceId, awsAccountId: ACCOUNT, awsRegion: 'eu-west-1', ...partial });
}

export function account(configuration: Record<string, unknown>): ConfigItem {
  return ci('AWS::::Account', ACCOUNT, { configuration, awsRegion: 'global' });
}

/** Evaluate one rule over items; returns the evaluations (throws on parameter errors so tests see them). */
export function run(
  rule: string,
  items: ConfigItem[],
  params?: Record<string, unknown>,
  collectedTypes?: string[],
): Evaluation[] {
  const r = findRule(rule);
  if (!r) throw new Error(`no rule ${rule}`);
  const sel: RuleSelection = { rule: r, params };
  const res = evaluate({ items, collectedTypes: collectedTypes && new Set(collectedTypes) }, [sel], { now: NOW });
  if (res.errors.length > 0) throw new Error(res.errors.join('; '));
  return res.evaluations;
}

/** The single evaluation of `resourceId` (account rules: the account id). */
export function one(
  rule: string,
  items: ConfigItem[],
  resourceId: string,
  params?: Record<string, unknown>,
  collected?: string[],
) {
  const evs = run(rule, items, params, collected).filter((e) => e.resourceId === resourceId);
  if (evs.length !== 1) throw new Error(`expected one evaluation of ${resourceId}, got ${evs.length}`);
  return evs[0]!;
}
