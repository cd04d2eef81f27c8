/** SSM compliance summaries (PatchCompliance / AssociationCompliance CIs), shared by the two status-check rules. */
import type { Rule } from '../rule.js';
import { compliant, insufficient, nonCompliant } from '../rule.js';
import { field, num, path } from './util.js';

/**
 * Status from the collector's ListResourceComplianceSummaries item (`status`, `nonCompliantSummary`) or Config's
 * `AWS:ComplianceItem` shape (`complianceStatus` per entry).
 */
export function complianceStatusRule(kind: string): Rule['evaluate'] {
  return (ci) => {
    const c = ci.configuration;
    const status = field(c, 'status') ?? path(c, 'AWS:ComplianceItem.complianceStatus');
    if (status === undefined) return insufficient(`${kind} compliance status not recorded`);
    const ev = { path: 'configuration.status', value: status };
    if (status === 'COMPLIANT') {
      const n = num(path(c, 'compliantSummary.compliantCount'));
      return compliant(`${kind} compliance is COMPLIANT${n !== undefined ? ` (${n} item(s))` : ''}`, ev);
    }
    const n = num(path(c, 'nonCompliantSummary.nonCompliantCount'));
    const sev = path(c, 'nonCompliantSummary.severitySummary');
    const bySev = sev
      ? Object.entries(sev as Record<string, unknown>)
          .filter(([, v]) => typeof v === 'number' && v > 0)
          .map(([k, v]) => `${String(v)} ${k.replace(/Count$/, '')}`)
          .join(', ')
      : '';
    return nonCompliant(
      `${kind} compliance is ${String(status)}${n !== undefined ? `: ${n} non-compliant item(s)` : ''}${bySev ? ` (${bySev})` : ''}`,
      ev,
    );
  };
}
