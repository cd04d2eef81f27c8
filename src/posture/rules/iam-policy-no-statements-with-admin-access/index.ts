import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { customerPolicyStatements } from '../iam.js';
import { stmtLabel } from '../util.js';

export const rule = defineRule(
  {
    name: 'iam-policy-no-statements-with-admin-access',
    resourceTypes: ['AWS::IAM::Policy'],
    parameters: [
      {
        name: 'excludePermissionBoundaryPolicy',
        type: 'boolean',
        description: 'Skip policies used only as permissions boundaries',
      },
    ],
    severity: 'HIGH',
    title: 'Customer managed policies do not allow "*" on "*"',
    description:
      'Checks whether the default version of customer managed IAM policies allows Action "*" on Resource "*".',
    risk: 'Full administrative access through a custom policy bypasses least privilege and review.',
    remediation: 'Replace "*:*" statements with the actions and resources actually needed.',
    frameworks: ['cis-aws-4.0.1:1.16'],
  },
  (ci, p) => {
    const policy = customerPolicyStatements(ci, p);
    if ('decision' in policy) return policy.decision;
    const stmts = policy.stmts;
    for (const s of stmts)
      if (s.effect === 'Allow' && s.actions.includes('*') && s.resources.includes('*'))
        return nonCompliant(`${stmtLabel(s)} allows Action "*" on Resource "*"`, {
          path: `configuration.policyVersionList[default].document.Statement[${s.index}]`,
          value: { Effect: s.effect, Action: s.actions, Resource: s.resources },
        });
    return compliant(`no statement allows "*" on "*" (${stmts.length} statement(s))`);
  },
);
