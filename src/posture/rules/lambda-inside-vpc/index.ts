import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { arr, field, path } from '../util.js';

export const rule = defineRule(
  {
    name: 'lambda-inside-vpc',
    resourceTypes: ['AWS::Lambda::Function'],
    parameters: [{ name: 'subnetIds', type: 'list', description: 'Comma-separated subnet IDs the functions must use' }],
    severity: 'LOW',
    title: 'Lambda functions run inside a VPC',
    description: 'Checks whether a Lambda function is attached to a VPC (and only to the given subnets).',
    risk: 'A function outside a VPC cannot be confined by security groups, NACLs or VPC endpoints policies.',
    remediation:
      'aws lambda update-function-configuration --function-name NAME --vpc-config SubnetIds=…,SecurityGroupIds=…',
  },
  (ci, p) => {
    const vpc = field(ci.configuration, 'vpcConfig');
    const subnets = arr(field(vpc, 'subnetIds')).map(String);
    const vpcId = path(vpc, 'vpcId');
    if (subnets.length === 0)
      return nonCompliant('the function is not attached to a VPC', {
        path: 'configuration.vpcConfig.subnetIds',
        value: subnets,
      });
    const allowed = p.subnetIds as string[] | undefined;
    const outside = allowed && allowed.length > 0 ? subnets.filter((s) => !allowed.includes(s)) : [];
    if (outside.length > 0)
      return nonCompliant(`subnet(s) ${outside.join(', ')} are not in the allowed list`, {
        path: 'configuration.vpcConfig.subnetIds',
        value: subnets,
      });
    return compliant(`attached to ${String(vpcId ?? 'a VPC')} via ${subnets.join(', ')}`, {
      path: 'configuration.vpcConfig.subnetIds',
      value: subnets,
    });
  },
);
