import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 'eip-attached',
    resourceTypes: ['AWS::EC2::EIP'],
    severity: 'LOW',
    title: 'Elastic IP addresses are attached to an instance or network interface',
    description:
      'Checks whether all Elastic IP addresses allocated to an AWS account are attached to EC2 instances or in-use ENIs.',
    risk: 'Unattached Elastic IPs cost money and may be re-used by mistake.',
    remediation: 'Associate the address with an instance or network interface, or release it.',
    runbook: 'AWS-ReleaseElasticIP',
  },
  (ci) => {
    const assoc = field(ci.configuration, 'associationId');
    const inst = field(ci.configuration, 'instanceId');
    const eni = field(ci.configuration, 'networkInterfaceId');
    if (assoc || inst || eni)
      return compliant(`attached (${inst ? `instance ${inst}` : `network interface ${eni ?? assoc}`})`, {
        path: inst ? 'configuration.instanceId' : 'configuration.networkInterfaceId',
        value: inst ?? eni ?? assoc,
      });
    return nonCompliant(
      `Elastic IP ${String(field(ci.configuration, 'publicIp') ?? ci.resourceId)} is not associated`,
      {
        path: 'configuration.associationId',
        value: null,
      },
    );
  },
);
