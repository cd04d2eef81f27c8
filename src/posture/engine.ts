/**
 * Runs rules over an inventory: index the CIs by type once, resolve each rule's parameters once, call the pure rule
 * function per in-scope CI. A rule that throws on odd data yields INSUFFICIENT_DATA for that resource (never a crash,
 * never a false COMPLIANT).
 */
import { ACCOUNT_TYPE, type ComplianceType, type ConfigItem, emptyCi, type Inventory } from './model.js';
import { resolveParams } from './params.js';
import type { EvalContext, Evidence, Rule, Severity } from './rule.js';

export interface Evaluation {
  configRuleName: string;
  identifier: string;
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn?: string;
  awsRegion: string;
  awsAccountId: string;
  complianceType: ComplianceType;
  /** ≤ 256 characters, as AWS's Evaluation.Annotation. */
  annotation: string;
  severity: Severity;
  evidence: Evidence[];
  orderingTimestamp: string;
  /** The resource's tags (shared with the CI, not copied), for suppressions by tag. */
  tags: Record<string, string>;
  /** Set when a suppression matched (reason required). */
  suppressed?: { reason: string; expires?: string };
  /** Set when the evaluation's fingerprint is in the baseline. */
  baseline?: boolean;
}

export interface RuleSelection {
  rule: Rule;
  /** InputParameters (strings as AWS accepts them, or typed values). */
  params?: Record<string, unknown>;
  /** ConfigRuleName when a pack renames the rule; defaults to the managed-rule name. */
  configRuleName?: string;
  /** AWS Config rule Scope: narrows the resources evaluated. */
  scope?: RuleScope;
}

export interface RuleScope {
  resourceTypes?: string[];
  resourceId?: string;
  tagKey?: string;
  tagValue?: string;
}

function inScope(ci: ConfigItem, s: RuleScope | undefined): boolean {
  if (!s) return true;
  if (s.resourceId !== undefined && ci.resourceId !== s.resourceId) return false;
  if (s.tagKey !== undefined) {
    const v = ci.tags[s.tagKey];
    if (v === undefined || (s.tagValue !== undefined && v !== s.tagValue)) return false;
  }
  return true;
}

export interface EvaluateResult {
  evaluations: Evaluation[];
  /** Parameter problems; the rule is skipped. */
  errors: string[];
  /** Resource types the rules evaluated or looked up through the context (trails read by account rules, …). */
  typesUsed: Set<string>;
}

const NO_ITEMS: readonly ConfigItem[] = [];

export function buildContext(
  inv: Inventory,
  now: number,
  used?: Set<string>,
): EvalContext & { accounts: ConfigItem[] } {
  const byType = new Map<string, ConfigItem[]>();
  const byId = new Map<string, ConfigItem>();
  for (const ci of inv.items) {
    let list = byType.get(ci.resourceType);
    if (!list) byType.set(ci.resourceType, (list = []));
    list.push(ci);
    byId.set(`${ci.resourceType}|${ci.resourceId}`, ci);
  }
  // Account-scoped rules need one AWS::::Account CI per account seen even when no facts were collected.
  const accounts = [...(byType.get(ACCOUNT_TYPE) ?? [])];
  const have = new Set(accounts.map((a) => a.resourceId));
  for (const ci of inv.items)
    if (!have.has(ci.awsAccountId)) {
      have.add(ci.awsAccountId);
      accounts.push(
        emptyCi({
          resourceType: ACCOUNT_TYPE,
          resourceId: ci.awsAccountId,
          awsAccountId: ci.awsAccountId,
          awsRegion: 'global',
        }),
      );
    }
  byType.set(ACCOUNT_TYPE, accounts);
  const collected = inv.collectedTypes;
  const memos = new Map<string, unknown>();
  return {
    now,
    memo: <T>(key: string, build: () => T): T => {
      if (!memos.has(key)) memos.set(key, build());
      return memos.get(key) as T;
    },
    accounts,
    itemsOf: (t) => {
      used?.add(t);
      return byType.get(t) ?? NO_ITEMS;
    },
    find: (t, id) => {
      used?.add(t);
      return byId.get(`${t}|${id}`);
    },
    known: (t) => collected === undefined || collected.has(t) || byType.has(t),
  };
}

function clip(s: string): string {
  return s.length <= 256 ? s : `${s.slice(0, 255)}…`;
}

export function evaluate(inv: Inventory, selections: RuleSelection[], opts: { now?: number } = {}): EvaluateResult {
  const now = opts.now ?? (inv.capturedAt ? Date.parse(inv.capturedAt) : Date.now());
  const typesUsed = new Set<string>();
  const ctx = buildContext(inv, now, typesUsed);
  const stamp = new Date(now).toISOString();
  const evaluations: Evaluation[] = [];
  const errors: string[] = [];
  for (const sel of selections) {
    const { meta } = sel.rule;
    const resolved = resolveParams(meta, sel.params);
    if (resolved.errors.length > 0) {
      errors.push(...resolved.errors);
      continue;
    }
    const name = sel.configRuleName ?? meta.name;
    const types = sel.scope?.resourceTypes?.length
      ? meta.resourceTypes.filter((t) => sel.scope!.resourceTypes!.includes(t))
      : meta.resourceTypes;
    for (const type of types)
      for (const ci of ctx.itemsOf(type)) {
        if (!inScope(ci, sel.scope)) continue;
        let d: ReturnType<Rule['evaluate']>;
        try {
          d = sel.rule.evaluate(ci, resolved.params, ctx);
        } catch (e) {
          d = {
            compliance: 'INSUFFICIENT_DATA',
            annotation: `could not evaluate: ${(e as Error).message}`,
            evidence: [],
          };
        }
        evaluations.push({
          configRuleName: name,
          identifier: meta.identifier,
          resourceType: ci.resourceType,
          resourceId: ci.resourceId,
          resourceName: ci.resourceName,
          arn: ci.arn,
          awsRegion: ci.awsRegion,
          awsAccountId: ci.awsAccountId,
          complianceType: d.compliance,
          annotation: clip(d.annotation),
          severity: meta.severity,
          evidence: d.evidence,
          orderingTimestamp: stamp,
          tags: ci.tags,
        });
      }
  }
  return { evaluations, errors, typesUsed };
}

/**
 * AWS's rule-level status: NON_COMPLIANT if any resource is; COMPLIANT if any is and none fail; INSUFFICIENT_DATA
 * when nothing was decided and some data was missing (or nothing was evaluated); NOT_APPLICABLE otherwise.
 */
export function ruleCompliance(evals: Evaluation[]): ComplianceType {
  let sawCompliant = false;
  let sawInsufficient = false;
  for (const e of evals) {
    if (e.complianceType === 'NON_COMPLIANT') return 'NON_COMPLIANT';
    if (e.complianceType === 'COMPLIANT') sawCompliant = true;
    else if (e.complianceType === 'INSUFFICIENT_DATA') sawInsufficient = true;
  }
  if (sawCompliant) return 'COMPLIANT';
  // Unknown data is never reported as "nothing to check".
  return sawInsufficient || evals.length === 0 ? 'INSUFFICIENT_DATA' : 'NOT_APPLICABLE';
}

/**
 * Resource types present in the inventory that no rule evaluated or looked at (unknown or unsupported types, or
 * types the selected rules do not cover), with their counts: reported so that "no finding" is never mistaken for
 * "checked and fine".
 */
export function unusedTypes(inv: Inventory, used: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const ci of inv.items)
    if (!used.has(ci.resourceType)) out.set(ci.resourceType, (out.get(ci.resourceType) ?? 0) + 1);
  return out;
}
