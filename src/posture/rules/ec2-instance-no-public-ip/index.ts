import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { field, isObj } from '../util.js';

export const rule = defineRule(
  {
    name: 'ec2-instance-no-public-ip',
    resourceTypes: ['AWS::EC2::Instance'],
    severity: 'HIGH',
    title: 'EC2 instances have no public IPv4 address',
    description: 'Checks whether EC2 instances have a public IP association (IPv4 only).',
    risk: 'A public address makes the instance directly reachable from the internet.',
    remediation: 'Launch instances in private subnets behind a load balancer or NAT; disable auto-assign public IP.',
  },
  (ci) => {
    const state = field(field(ci.configuration, 'state'), 'name');
    if (state === 'terminated') return notApplicable('instance is terminated');
    const ip = field(ci.configuration, 'publicIpAddress');
    if (typeof ip === 'string' && ip !== '')
      return nonCompliant(`instance has public IP ${ip}`, { path: 'configuration.publicIpAddress', value: ip });
    // Without the instance's own description an absent publicIpAddress proves nothing (bare or foreign-shaped CI).
    if (!isObj(field(ci.configuration, 'state'))) return insufficient('instance state not recorded');
    return compliant('instance has no public IPv4 address');
  },
);
