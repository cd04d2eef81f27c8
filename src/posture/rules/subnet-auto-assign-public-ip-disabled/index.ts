import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'subnet-auto-assign-public-ip-disabled',
    resourceTypes: ['AWS::EC2::Subnet'],
    severity: 'MEDIUM',
    title: 'Subnets do not auto-assign public IPv4 addresses',
    description: 'Checks that subnets are not assigning public IP addresses on launch (MapPublicIpOnLaunch false).',
    risk: 'Every instance launched into the subnet becomes directly reachable from the internet.',
    remediation: 'aws ec2 modify-subnet-attribute --no-map-public-ip-on-launch',
    runbook: 'AWSConfigRemediation-DisableSubnetAutoAssignPublicIP',
  },
  (ci) => {
    const v = bool(field(ci.configuration, 'mapPublicIpOnLaunch'));
    const ev = { path: 'configuration.mapPublicIpOnLaunch', value: v ?? null };
    if (v === undefined) return insufficient('mapPublicIpOnLaunch not recorded', ev);
    return v === true
      ? nonCompliant('subnet auto-assigns public IPv4 addresses', ev)
      : compliant('no public IPv4 on launch', ev);
  },
);
