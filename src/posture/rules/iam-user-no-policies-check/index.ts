import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { arr, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'iam-user-no-policies-check',
    resourceTypes: ['AWS::IAM::User'],
    severity: 'LOW',
    title: 'IAM users have no directly attached or inline policies',
    description: 'Checks that none of your IAM users have policies attached; permissions come through groups or roles.',
    risk: 'Per-user policies drift and are hard to review; groups keep permissions consistent.',
    remediation: 'Move the user policies to a group and add the user to it.',
    frameworks: ['cis-aws-4.0.1:1.15'],
  },
  (ci) => {
    if (
      field(ci.configuration, 'userPolicyList') === undefined &&
      field(ci.configuration, 'attachedManagedPolicies') === undefined
    )
      return insufficient('user policies not recorded');
    const inline = arr(field(ci.configuration, 'userPolicyList')).map((x) => String(field(x, 'policyName')));
    const attached = arr(field(ci.configuration, 'attachedManagedPolicies')).map((x) => String(field(x, 'policyName')));
    if (inline.length + attached.length > 0)
      return nonCompliant(
        `user has ${[...attached.map((n) => `attached ${n}`), ...inline.map((n) => `inline ${n}`)].join(', ')}`,
        {
          path: 'configuration.attachedManagedPolicies',
          value: attached,
        },
        { path: 'configuration.userPolicyList', value: inline },
      );
    return compliant('no user-level policies');
  },
);
