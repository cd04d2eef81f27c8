import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { coversPort, field, ingressOf, openCidrs, portText } from '../util.js';

const DEFAULTS = ['20', '21', '3389', '3306', '4333'];

export const rule = defineRule(
  {
    name: 'restricted-common-ports',
    identifier: 'RESTRICTED_INCOMING_TRAFFIC',
    resourceTypes: ['AWS::EC2::SecurityGroup'],
    triggers: ['ConfigurationChange', 'Periodic'],
    parameters: DEFAULTS.map((d, i) => ({
      name: `blockedPort${i + 1}`,
      type: 'int' as const,
      default: d,
      description: `Blocked TCP port number ${i + 1}`,
    })),
    severity: 'HIGH',
    title: 'Security groups do not allow unrestricted incoming traffic to high-risk ports',
    description:
      'Checks whether security groups in use allow unrestricted incoming TCP traffic (0.0.0.0/0 or ::/0) to the specified ports.',
    risk: 'FTP, RDP, MySQL and similar services exposed to the internet are common intrusion paths.',
    remediation: 'Restrict the sources of ingress rules covering the blocked ports to known networks.',
    runbook: 'AWS-DisablePublicAccessForSecurityGroup',
    frameworks: ['cis-aws-4.0.1:5.3', 'cis-aws-4.0.1:5.4'],
  },
  (ci, params) => {
    if (!Array.isArray(field(ci.configuration, 'ipPermissions')))
      return insufficient('ingress rules not recorded as a list');
    const blocked: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const v = params[`blockedPort${i}`];
      if (typeof v === 'number') blocked.push(v);
    }
    for (const p of ingressOf(ci.configuration)) {
      const open = openCidrs(p);
      if (open.length === 0) continue;
      const hit = blocked.find((port) => coversPort(p, port));
      if (hit !== undefined)
        return nonCompliant(`ingress ${portText(p)} from ${open.join(', ')} includes blocked port ${hit}`, {
          path: `configuration.ipPermissions[${p.index}]`,
          value: { ipProtocol: p.protocol, fromPort: p.from, toPort: p.to, sources: open, blockedPort: hit },
        });
    }
    return compliant(`no unrestricted ingress to blocked ports ${blocked.join(', ')}`);
  },
);
