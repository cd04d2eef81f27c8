import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { customerPolicyStatements } from '../iam.js';
import { stmtLabel } from '../util.js';

export const rule = defineRule(
  {
    name: 'iam-policy-no-statements-with-full-access',
    resourceTypes: ['AWS::IAM::Policy'],
    parameters: [
      {
        name: 'excludePermissionBoundaryPolicy',
        type: 'boolean',
        description: 'Skip policies used only as permissions boundaries',
      },
    ],
    severity: 'MEDIUM',
    title: 'Customer managed policies grant no full service access ("service:*")',
    description: 'Checks whether customer managed IAM policies allow all actions of a service (e.g. "s3:*").',
    risk: 'Full service access includes destructive and permission-changing actions nobody intended to grant.',
    remediation: 'List the needed actions instead of "service:*".',
  },
  (ci, p) => {
    const policy = customerPolicyStatements(ci, p);
    if ('decision' in policy) return policy.decision;
    const stmts = policy.stmts;
    for (const s of stmts) {
      if (s.effect !== 'Allow') continue;
      const full = s.actions.find((a) => /^[a-z0-9-]+:\*$/i.test(a));
      if (full)
        return nonCompliant(`${stmtLabel(s)} allows ${full}`, {
          path: `configuration.policyVersionList[default].document.Statement[${s.index}].Action`,
          value: s.actions,
        });
    }
    return compliant('no statement allows a whole service');
  },
);
