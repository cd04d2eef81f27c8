/**
 * Library side of `vigil audit` / `vigil posture scan`: rule selection (names or identifiers), `rule:param=value`
 * overrides, severity gating and a summary. Errors are returned as UsageError for the CLI to print.
 */
import { UsageError } from '../core/errors.js';
import type { Evaluation, RuleSelection } from './engine.js';
import { SEVERITIES, type Severity } from './rule.js';
import { ALL_RULES, findRule } from './rules/index.js';

export function selectRules(names: string[] | undefined, paramSpecs: string[] = []): RuleSelection[] {
  const rules =
    names && names.length > 0
      ? names.map((n) => {
          const r = findRule(n);
          if (!r) throw new UsageError(`unknown rule "${n}" (see vigil posture rules)`);
          return r;
        })
      : [...ALL_RULES];
  const params = new Map<string, Record<string, string>>();
  for (const spec of paramSpecs) {
    const m = /^([^:=]+):([^=]+)=(.*)$/.exec(spec);
    if (!m) throw new UsageError(`--param must look like rule:name=value, got "${spec}"`);
    const r = findRule(m[1]!);
    if (!r) throw new UsageError(`--param ${spec}: unknown rule "${m[1]}"`);
    const p = params.get(r.meta.name) ?? {};
    p[m[2]!] = m[3]!;
    params.set(r.meta.name, p);
  }
  for (const name of params.keys())
    if (!rules.some((r) => r.meta.name === name))
      throw new UsageError(`--param given for ${name}, which is not selected`);
  return [...new Set(rules)].map((rule) => ({ rule, params: params.get(rule.meta.name) }));
}

export function parseSeverity(s: string): Severity {
  const v = s.toUpperCase();
  if (!(SEVERITIES as string[]).includes(v))
    throw new UsageError(`severity must be one of ${SEVERITIES.join(', ')}, got "${s}"`);
  return v as Severity;
}

/** NON_COMPLIANT evaluations at or above the threshold. */
export function failing(evals: Evaluation[], threshold: Severity): Evaluation[] {
  const min = SEVERITIES.indexOf(threshold);
  return evals.filter(
    (e) =>
      e.complianceType === 'NON_COMPLIANT' && !e.suppressed && !e.baseline && SEVERITIES.indexOf(e.severity) >= min,
  );
}

export interface ScanSummary {
  evaluations: number;
  byCompliance: Record<string, number>;
  nonCompliantBySeverity: Record<Severity, number>;
  rules: number;
  resources: number;
}

export function summarize(evals: Evaluation[], rules: number): ScanSummary {
  const byCompliance: Record<string, number> = {
    COMPLIANT: 0,
    NON_COMPLIANT: 0,
    NOT_APPLICABLE: 0,
    INSUFFICIENT_DATA: 0,
  };
  const sev = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 } as Record<Severity, number>;
  const resources = new Set<string>();
  for (const e of evals) {
    byCompliance[e.complianceType] = (byCompliance[e.complianceType] ?? 0) + 1;
    if (e.complianceType === 'NON_COMPLIANT') sev[e.severity]++;
    resources.add(`${e.awsAccountId}|${e.resourceType}|${e.resourceId}`);
  }
  return { evaluations: evals.length, byCompliance, nonCompliantBySeverity: sev, rules, resources: resources.size };
}

const ORDER = { NON_COMPLIANT: 0, INSUFFICIENT_DATA: 1, COMPLIANT: 2, NOT_APPLICABLE: 3 } as const;

/** Failures first, most severe first, then by rule and resource: stable output for diffs. */
export function sortEvaluations(evals: Evaluation[]): Evaluation[] {
  return [...evals].sort(
    (a, b) =>
      ORDER[a.complianceType] - ORDER[b.complianceType] ||
      SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
      a.configRuleName.localeCompare(b.configRuleName) ||
      a.resourceId.localeCompare(b.resourceId),
  );
}
