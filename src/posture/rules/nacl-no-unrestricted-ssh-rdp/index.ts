import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { arr, bool, field, num, OPEN_CIDRS } from '../util.js';

/** NACL entries are evaluated in rule-number order; an allow reached before any deny is what counts (simplified to allow entries). */
export const rule = defineRule(
  {
    name: 'nacl-no-unrestricted-ssh-rdp',
    resourceTypes: ['AWS::EC2::NetworkAcl'],
    severity: 'HIGH',
    title: 'Network ACLs do not allow unrestricted SSH or RDP ingress',
    description: 'Checks that network ACL inbound entries do not allow 0.0.0.0/0 or ::/0 to TCP/UDP ports 22 and 3389.',
    risk: 'Administration ports reachable from anywhere are brute-forced within minutes.',
    remediation: 'Replace the allow entry with one limited to known administration networks.',
    runbook: 'AWS-RemoveNetworkACLUnrestrictedSSHRDP',
    frameworks: ['cis-aws-4.0.1:5.2'],
  },
  (ci) => {
    if (field(ci.configuration, 'entries') === undefined) return insufficient('network ACL entries not recorded');
    const entries = arr(field(ci.configuration, 'entries'))
      .filter((e) => bool(field(e, 'egress')) !== true)
      .sort((a, b) => (num(field(a, 'ruleNumber')) ?? 0) - (num(field(b, 'ruleNumber')) ?? 0));
    for (const port of [22, 3389]) {
      // First matching entry by rule number decides, as the NACL itself does.
      for (const e of entries) {
        const cidr = String(field(e, 'cidrBlock') ?? field(e, 'ipv6CidrBlock') ?? '');
        if (!OPEN_CIDRS.has(cidr)) continue;
        const proto = String(field(e, 'protocol') ?? '-1');
        const range = field(e, 'portRange');
        const from = num(field(range, 'from')) ?? 0;
        const to = num(field(range, 'to')) ?? 65535;
        const covers = proto === '-1' || ((proto === '6' || proto === '17') && from <= port && port <= to);
        if (!covers) continue;
        if (field(e, 'ruleAction') === 'allow')
          return nonCompliant(`entry ${String(field(e, 'ruleNumber'))} allows port ${port} from ${cidr}`, {
            path: 'configuration.entries',
            value: { ruleNumber: field(e, 'ruleNumber'), protocol: proto, portRange: { from, to }, cidr },
          });
        break;
      }
    }
    return compliant('no inbound entry allows 22 or 3389 from anywhere');
  },
);
