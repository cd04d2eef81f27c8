import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { field, ingressOf, openCidrs, portText } from '../util.js';

/** Port specs are "443,1020-1025" as AWS accepts them. */
function parsePorts(v: unknown): [number, number][] {
  const out: [number, number][] = [];
  for (const part of Array.isArray(v) ? v : []) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(String(part));
    if (m) out.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  return out;
}

export const rule = defineRule(
  {
    name: 'vpc-sg-open-only-to-authorized-ports',
    resourceTypes: ['AWS::EC2::SecurityGroup'],
    parameters: [
      {
        name: 'authorizedTcpPorts',
        type: 'list',
        description: 'Comma-separated TCP ports or ranges (e.g. 443,1020-1025)',
      },
      { name: 'authorizedUdpPorts', type: 'list', description: 'Comma-separated UDP ports or ranges' },
    ],
    severity: 'HIGH',
    title: 'Security groups open to 0.0.0.0/0 or ::/0 only on authorized ports',
    description:
      'Checks whether any security group with inbound 0.0.0.0/0 or ::/0 has TCP or UDP ports accessible that are not authorized.',
    risk: 'Unintended internet-facing ports expose services that were never meant to be public.',
    remediation: 'Remove unrestricted sources from ingress rules outside the authorized port list.',
    runbook: 'AWSConfigRemediation-RemoveUnrestrictedSourceIngressRules',
  },
  (ci, params) => {
    if (!Array.isArray(field(ci.configuration, 'ipPermissions')))
      return insufficient('ingress rules not recorded as a list');
    const allowed: Record<string, [number, number][]> = {
      tcp: parsePorts(params.authorizedTcpPorts),
      udp: parsePorts(params.authorizedUdpPorts),
    };
    for (const p of ingressOf(ci.configuration)) {
      const open = openCidrs(p);
      if (open.length === 0) continue;
      const protos = p.protocol === '-1' ? ['tcp', 'udp'] : [p.protocol];
      for (const proto of protos) {
        const ranges = allowed[proto];
        // Other protocols (icmp, …) open to the world are not authorized ports either.
        const inside = ranges?.some(([a, b]) => a <= p.from && p.to <= b) ?? false;
        if (!inside)
          return nonCompliant(
            `ingress ${portText(p)} from ${open.join(', ')} is not within the authorized ${proto} ports`,
            {
              path: `configuration.ipPermissions[${p.index}]`,
              value: { ipProtocol: p.protocol, fromPort: p.from, toPort: p.to, sources: open },
            },
          );
      }
    }
    return compliant('every unrestricted ingress rule is on an authorized port');
  },
);
