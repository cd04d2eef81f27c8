import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { arr, field } from '../util.js';

const LIST: Record<string, string> = {
  'AWS::IAM::User': 'userPolicyList',
  'AWS::IAM::Role': 'rolePolicyList',
  'AWS::IAM::Group': 'groupPolicyList',
};

export const rule = defineRule(
  {
    name: 'iam-no-inline-policy-check',
    resourceTypes: ['AWS::IAM::User', 'AWS::IAM::Role', 'AWS::IAM::Group'],
    severity: 'LOW',
    title: 'IAM identities have no inline policies',
    description: 'Checks that no IAM user, role or group has an inline policy (service-linked roles excepted).',
    risk: 'Inline policies cannot be reused, versioned or reviewed centrally.',
    remediation: 'Convert inline policies to customer managed policies.',
  },
  (ci) => {
    if (String(field(ci.configuration, 'path') ?? '').startsWith('/aws-service-role/'))
      return notApplicable('service-linked role');
    const key = LIST[ci.resourceType]!;
    if (field(ci.configuration, key) === undefined) return insufficient(`${key} not recorded`);
    const names = arr(field(ci.configuration, key)).map((x) => String(field(x, 'policyName')));
    if (names.length > 0)
      return nonCompliant(`inline policies: ${names.join(', ')}`, { path: `configuration.${key}`, value: names });
    return compliant('no inline policies');
  },
);
