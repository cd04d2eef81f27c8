import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { field, path } from '../util.js';

const INVENTORY = 'AWS::SSM::ManagedInstanceInventory';

export const rule = defineRule(
  {
    name: 'ec2-instance-managed-by-systems-manager',
    identifier: 'EC2_INSTANCE_MANAGED_BY_SSM',
    resourceTypes: ['AWS::EC2::Instance', INVENTORY],
    severity: 'MEDIUM',
    title: 'EC2 instances are managed by AWS Systems Manager',
    description:
      'Checks whether the EC2 instances in the account are managed by AWS Systems Manager (SSM Agent registered).',
    risk: 'Unmanaged instances get no Patch Manager patching, no inventory and no Session Manager audit trail.',
    remediation:
      'Install and start SSM Agent and attach an instance profile with AmazonSSMManagedInstanceCore (or enable Default Host Management).',
  },
  (ci, _p, ctx) => {
    // The inventory CI is in scope only so a change to it re-evaluates; the decision is made on the EC2 instance.
    if (ci.resourceType === INVENTORY) return notApplicable('evaluated on the EC2 instance');
    const state = String(path(ci.configuration, 'state.name') ?? '');
    if (state === 'terminated' || state === 'shutting-down') return notApplicable(`instance is ${state}`);
    if (!ctx.known(INVENTORY)) return insufficient('Systems Manager managed instances were not collected');
    const inv = ctx.find(INVENTORY, ci.resourceId);
    if (!inv)
      return nonCompliant(`instance ${ci.resourceId} is not registered with Systems Manager`, {
        path: INVENTORY,
        value: null,
      });
    const ping = field(inv.configuration, 'pingStatus');
    return compliant(
      `instance is managed by Systems Manager${ping ? ` (ping ${String(ping)}, agent ${String(field(inv.configuration, 'agentVersion') ?? '?')})` : ''}`,
      { path: `${INVENTORY}.configuration.pingStatus`, value: ping ?? null },
    );
  },
);
