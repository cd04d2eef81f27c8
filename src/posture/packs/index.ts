/**
 * Packs: built-in frameworks (data) and AWS conformance-pack templates, turned into rule selections; results rolled
 * up per control with a score.
 */

import type { Evaluation, RuleSelection } from '../engine.js';
import type { ComplianceType } from '../model.js';
import { findRule } from '../rules/index.js';
import { CIS_AWS_4_0_1 } from './cis-aws-4.0.1.js';
import { SECURITY_BASELINE } from './security-baseline.js';
import type { Pack } from './types.js';

export type { Pack, PackControl, PackRuleRef } from './types.js';

export const PACKS: Record<string, Pack> = {
  [CIS_AWS_4_0_1.id]: CIS_AWS_4_0_1,
  [SECURITY_BASELINE.id]: SECURITY_BASELINE,
};

export interface PackPlan {
  pack: Pack;
  selections: RuleSelection[];
  /** configRuleName → control ids using it. */
  controlsOf: Map<string, string[]>;
  /** control id → configRuleNames. */
  rulesOf: Map<string, string[]>;
  errors: string[];
}

/** One selection per distinct (rule, parameters); a parameterised use gets its own ConfigRuleName. */
export function planPack(pack: Pack): PackPlan {
  const byKey = new Map<string, RuleSelection>();
  const controlsOf = new Map<string, string[]>();
  const rulesOf = new Map<string, string[]>();
  const errors: string[] = [];
  for (const c of pack.controls) {
    const names: string[] = [];
    for (const ref of c.rules) {
      const rule = findRule(ref.rule);
      if (!rule) {
        errors.push(`${pack.id} ${c.id}: unknown rule ${ref.rule}`);
        continue;
      }
      const key = `${rule.meta.name}|${JSON.stringify(ref.params ?? {})}`;
      let sel = byKey.get(key);
      if (!sel) {
        const configRuleName = ref.params ? `${pack.id}-${c.id}-${rule.meta.name}` : rule.meta.name;
        sel = { rule, params: ref.params, configRuleName };
        byKey.set(key, sel);
      }
      const name = sel.configRuleName!;
      names.push(name);
      controlsOf.set(name, [...(controlsOf.get(name) ?? []), c.id]);
    }
    rulesOf.set(c.id, names);
  }
  return { pack, selections: [...byKey.values()], controlsOf, rulesOf, errors };
}

export type ControlStatus = ComplianceType | 'NOT_EVALUATED';

export interface ControlResult {
  id: string;
  title: string;
  status: ControlStatus;
  nonCompliant: number;
  note?: string;
}

export interface PackResult {
  pack: string;
  controls: ControlResult[];
  /** Passing share of the controls that were decided (COMPLIANT or NON_COMPLIANT), 0–100. */
  score: number | null;
}

export function rollUp(plan: PackPlan, evals: Evaluation[]): PackResult {
  const byRule = new Map<string, Evaluation[]>();
  for (const e of evals) byRule.set(e.configRuleName, [...(byRule.get(e.configRuleName) ?? []), e]);
  const controls: ControlResult[] = plan.pack.controls.map((c) => {
    const names = plan.rulesOf.get(c.id) ?? [];
    if (names.length === 0)
      return { id: c.id, title: c.title, status: 'NOT_EVALUATED', nonCompliant: 0, note: c.unmapped };
    const es = names.flatMap((n) => byRule.get(n) ?? []);
    const bad = es.filter((e) => e.complianceType === 'NON_COMPLIANT').length;
    const status: ControlStatus =
      bad > 0
        ? 'NON_COMPLIANT'
        : es.some((e) => e.complianceType === 'INSUFFICIENT_DATA')
          ? 'INSUFFICIENT_DATA'
          : es.some((e) => e.complianceType === 'COMPLIANT')
            ? 'COMPLIANT'
            : 'NOT_APPLICABLE';
    return { id: c.id, title: c.title, status, nonCompliant: bad };
  });
  const pass = controls.filter((c) => c.status === 'COMPLIANT').length;
  const fail = controls.filter((c) => c.status === 'NON_COMPLIANT').length;
  return {
    pack: plan.pack.id,
    controls,
    score: pass + fail === 0 ? null : Math.round((pass / (pass + fail)) * 1000) / 10,
  };
}
