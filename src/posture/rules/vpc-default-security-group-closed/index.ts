import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { arr, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'vpc-default-security-group-closed',
    resourceTypes: ['AWS::EC2::SecurityGroup'],
    severity: 'MEDIUM',
    title: 'Default security group of every VPC allows no traffic',
    description: 'Checks that the default security group of any VPC does not allow inbound or outbound traffic.',
    risk: 'Resources launched without an explicit group silently get the default group and its rules.',
    remediation: 'Remove every inbound and outbound rule from the default security group.',
    runbook: 'AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules',
    frameworks: ['cis-aws-4.0.1:5.5'],
  },
  (ci) => {
    const name = field(ci.configuration, 'groupName');
    if (name !== 'default') return notApplicable(`security group ${String(name)} is not a default group`);
    const inbound = arr(field(ci.configuration, 'ipPermissions')).length;
    const outbound = arr(field(ci.configuration, 'ipPermissionsEgress')).length;
    if (inbound + outbound > 0)
      return nonCompliant(
        `default security group has ${inbound} inbound and ${outbound} outbound rules`,
        {
          path: 'configuration.ipPermissions',
          value: inbound,
        },
        { path: 'configuration.ipPermissionsEgress', value: outbound },
      );
    return compliant('default security group has no rules');
  },
);
