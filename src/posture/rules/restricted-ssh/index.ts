import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { coversPort, field, ingressOf, openCidrs, portText } from '../util.js';

/** Config semantics (config-rules.md §5): any ingress covering TCP 22 from 0.0.0.0/0 or ::/0, ranges included. */
export const rule = defineRule(
  {
    name: 'restricted-ssh',
    identifier: 'INCOMING_SSH_DISABLED',
    resourceTypes: ['AWS::EC2::SecurityGroup'],
    severity: 'HIGH',
    title: 'Security groups do not allow unrestricted incoming SSH (TCP 22)',
    description:
      'Checks whether the incoming SSH traffic for the security groups is accessible from 0.0.0.0/0 or ::/0.',
    risk: 'SSH open to the internet invites brute force and exploitation of the SSH service.',
    remediation: 'Remove the 0.0.0.0/0 and ::/0 sources from ingress rules that cover port 22; use Session Manager.',
    runbook: 'AWS-DisableIncomingSSHOnPort22',
    frameworks: ['cis-aws-4.0.1:5.3', 'cis-aws-4.0.1:5.4'],
  },
  (ci) => {
    const perms = field(ci.configuration, 'ipPermissions');
    if (perms === undefined) return notApplicable('security group has no ingress permissions recorded');
    if (!Array.isArray(perms)) return insufficient('ipPermissions is not a list');
    for (const p of ingressOf(ci.configuration)) {
      const open = openCidrs(p);
      if (open.length > 0 && coversPort(p, 22))
        return nonCompliant(`ingress ${portText(p)} from ${open.join(', ')} includes SSH port 22`, {
          path: `configuration.ipPermissions[${p.index}]`,
          value: { ipProtocol: p.protocol, fromPort: p.from, toPort: p.to, sources: open },
        });
    }
    return compliant('no ingress rule opens TCP 22 to 0.0.0.0/0 or ::/0');
  },
);
