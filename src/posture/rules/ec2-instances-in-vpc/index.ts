import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { field, path } from '../util.js';

export const rule = defineRule(
  {
    name: 'ec2-instances-in-vpc',
    identifier: 'INSTANCES_IN_VPC',
    resourceTypes: ['AWS::EC2::Instance'],
    parameters: [{ name: 'vpcId', type: 'string', description: 'VPC the instances must be in' }],
    severity: 'MEDIUM',
    title: 'EC2 instances run in a VPC',
    description: 'Checks whether EC2 instances belong to a VPC (optionally the given VPC).',
    risk: 'EC2-Classic style instances lack VPC network isolation, security-group egress control and flow logs.',
    remediation: 'Relaunch the instance in a VPC subnet.',
  },
  (ci, p) => {
    if (path(ci.configuration, 'state.name') === 'terminated') return notApplicable('instance is terminated');
    const vpc = field(ci.configuration, 'vpcId');
    const ev = { path: 'configuration.vpcId', value: vpc ?? null };
    if (typeof vpc !== 'string' || vpc === '') return nonCompliant('instance is not in a VPC', ev);
    if (typeof p.vpcId === 'string' && vpc !== p.vpcId)
      return nonCompliant(`instance is in ${vpc}, not ${p.vpcId}`, ev);
    return compliant(`instance is in ${vpc}`, ev);
  },
);
