/** Evaluate functions shared by the "in backup plan" rules (metadata stays in each rule's folder). */
import type { Rule } from '../rule.js';
import { compliant, insufficient, nonCompliant } from '../rule.js';
import { inPlanDecision, resourceArn } from './backup.js';

const SEL_PATH = 'AWS::Backup::BackupSelection';

/** One evaluation per resource CI. */
export function resourceInPlanRule(label: string): Rule['evaluate'] {
  return (ci, _p, ctx) => {
    const d = inPlanDecision(ci, ctx, label);
    if (d.kind === 'unknown') return insufficient(d.annotation);
    const ev = { path: SEL_PATH, value: d.kind === 'covered' ? d.cov.selections.map((s) => s.resourceId) : [] };
    return d.kind === 'none' ? nonCompliant(d.annotation, ev) : compliant(d.annotation, ev);
  };
}

/** Account-scoped: every resource of `type` in the account must be covered. */
export function accountInPlanRule(type: string, label: string): Rule['evaluate'] {
  return (ci, _p, ctx) => {
    if (!ctx.known(type)) return insufficient(`${type} resources were not collected`);
    const mine = ctx.itemsOf(type).filter((r) => r.awsAccountId === ci.resourceId);
    if (mine.length > 0 && !ctx.known(SEL_PATH)) return insufficient('AWS Backup selections were not collected');
    const missing = mine.filter((r) => inPlanDecision(r, ctx, label).kind !== 'covered');
    if (missing.length > 0)
      return nonCompliant(
        `${missing.length} of ${mine.length} ${label}(s) in no backup plan: ${missing.map((m) => m.resourceId).join(', ')}`,
        { path: type, value: missing.map(resourceArn) },
      );
    return compliant(`all ${mine.length} ${label}(s) are in a backup plan selection`, {
      path: type,
      value: mine.length,
    });
  };
}
