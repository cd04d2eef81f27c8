/**
 * Scores for reports: share of decided evaluations that pass, compliant / (compliant + non_compliant), per pack
 * and overall; NOT_APPLICABLE and INSUFFICIENT_DATA are counted but do not move the score.
 */
import { type Evaluation, ruleCompliance } from '../engine.js';
import type { ComplianceType } from '../model.js';
import type { PackPlan, PackResult } from '../packs/index.js';
import { rollUp } from '../packs/index.js';
import type { Severity } from '../rule.js';

export interface Tally {
  compliant: number;
  nonCompliant: number;
  insufficientData: number;
  notApplicable: number;
  /** 0–100 with one decimal; null when nothing was decided. */
  score: number | null;
}

export function tally(evals: Iterable<Evaluation>): Tally {
  let compliant = 0;
  let nonCompliant = 0;
  let insufficientData = 0;
  let notApplicable = 0;
  for (const e of evals) {
    if (e.complianceType === 'COMPLIANT') compliant++;
    else if (e.complianceType === 'NON_COMPLIANT') nonCompliant++;
    else if (e.complianceType === 'INSUFFICIENT_DATA') insufficientData++;
    else notApplicable++;
  }
  return { compliant, nonCompliant, insufficientData, notApplicable, score: score(compliant, nonCompliant) };
}

export function score(compliant: number, nonCompliant: number): number | null {
  const decided = compliant + nonCompliant;
  return decided === 0 ? null : Math.round((compliant / decided) * 1000) / 10;
}

export interface PackScore extends Tally {
  pack: string;
  title: string;
  /** ConfigRuleNames the pack selects. */
  rules: number;
  /** Of those, how many produced evaluations in this run (others were not selected or had no resources). */
  rulesEvaluated: number;
  /** Per-control roll-up (control status and failing count). */
  controls: PackResult['controls'];
}

/** Attribute evaluations to each pack by ConfigRuleName (exact: a parameterised use has its own name). */
export function packScore(plan: PackPlan, evals: readonly Evaluation[]): PackScore {
  const names = new Set(plan.selections.map((s) => s.configRuleName ?? s.rule.meta.name));
  const mine = evals.filter((e) => names.has(e.configRuleName));
  const evaluated = new Set(mine.map((e) => e.configRuleName));
  return {
    pack: plan.pack.id,
    title: plan.pack.title,
    rules: names.size,
    rulesEvaluated: evaluated.size,
    ...tally(mine),
    controls: rollUp(plan, mine).controls,
  };
}

export interface RuleRow extends Tally {
  configRuleName: string;
  identifier: string;
  severity: Severity;
  /** AWS's rule-level status. */
  status: ComplianceType;
}

/** One row per ConfigRuleName, in first-seen order. */
export function ruleRows(evals: readonly Evaluation[]): RuleRow[] {
  const by = new Map<string, Evaluation[]>();
  for (const e of evals) {
    let list = by.get(e.configRuleName);
    if (!list) by.set(e.configRuleName, (list = []));
    list.push(e);
  }
  return [...by.entries()].map(([name, list]) => ({
    configRuleName: name,
    identifier: list[0]!.identifier,
    severity: list[0]!.severity,
    status: ruleCompliance(list),
    ...tally(list),
  }));
}
