/**
 * Add a network ACL deny entry for an attacker IP. NACL entries are evaluated in rule-number order and the first match
 * wins, so the deny must sit below the lowest allow: the action picks the highest free rule number under the lowest
 * allow entry (leaving room for later denies beneath it). NACLs are stateless and subnet-wide, so unlike a security
 * group change this also cuts established connections from that address.
 */
import type { NetworkAclEntry } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { sameCidr, toCidr } from './cidr.js';
import { defineAction } from './define.js';
import { awsClient, blockedPlan, call, makePlan } from './sdk.js';

const params = z
  .object({
    ip: z.string().refine((s) => toCidr(s) !== undefined, 'must be an IPv4/IPv6 address or CIDR'),
    networkAclId: z
      .string()
      .regex(/^acl-[0-9a-f]+$/, 'must be a network ACL id (acl-…)')
      .optional(),
    subnetId: z
      .string()
      .regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id (subnet-…)')
      .optional(),
    egress: z.boolean().default(false).describe('Deny outbound traffic to the IP instead of inbound from it'),
  })
  .refine((p) => p.networkAclId || p.subnetId, 'give networkAclId or subnetId');
type Params = z.infer<typeof params>;

/** Pure: the rule number for a new deny (highest free below the lowest allow), or why there is none. */
export function pickDenyRuleNumber(entries: NetworkAclEntry[], egress: boolean): number | { error: string } {
  const own = entries.filter((e) => !!e.Egress === egress && e.RuleNumber !== undefined && e.RuleNumber < 32767);
  const used = new Set(own.map((e) => e.RuleNumber!));
  const allows = own.filter((e) => e.RuleAction === 'allow').map((e) => e.RuleNumber!);
  const ceiling = allows.length ? Math.min(...allows) : 32767;
  for (let n = ceiling - 1; n >= 1; n--) if (!used.has(n)) return n;
  return { error: `no free rule number below the lowest allow entry (${ceiling})` };
}

/** Pure: whether a deny covering exactly this CIDR for all protocols already exists (before any allow). */
export function existingDeny(entries: NetworkAclEntry[], cidr: string, egress: boolean): NetworkAclEntry | undefined {
  return entries.find(
    (e) =>
      !!e.Egress === egress &&
      e.RuleAction === 'deny' &&
      e.Protocol === '-1' &&
      (sameCidr(e.CidrBlock, cidr) || sameCidr(e.Ipv6CidrBlock, cidr)),
  );
}

export const ec2NaclDenyIp = defineAction<Params>({
  name: 'ec2-nacl-deny-ip',
  category: 'network',
  title: 'Deny an IP in a network ACL',
  description:
    'Adds a deny-all-protocols entry for the IP/CIDR to the network ACL (given directly or as the ACL of a subnet), numbered below the lowest allow entry.',
  params,
  permissions: ['ec2:CreateNetworkAclEntry', 'ec2:DescribeNetworkAcls'],
  undo: 'ec2:DeleteNetworkAclEntry with the ACL id, rule number and direction from the plan.',
  references: [
    'AWS Security Incident Response Guide: network containment with NACLs',
    'AWS sample: aws-automated-incident-response (NACL block of malicious IPs)',
  ],
  target: (p) => p.networkAclId ?? p.subnetId ?? '',
  async plan(p, ctx) {
    const name = 'ec2-nacl-deny-ip';
    const { DescribeNetworkAclsCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await awsClient(ctx, 'ec2');
    const out = await ec2.send(
      new DescribeNetworkAclsCommand(
        p.networkAclId
          ? { NetworkAclIds: [p.networkAclId] }
          : { Filters: [{ Name: 'association.subnet-id', Values: [p.subnetId!] }] },
      ),
    );
    const acl = out.NetworkAcls?.[0];
    const target = acl?.NetworkAclId ?? p.networkAclId ?? p.subnetId!;
    if (!acl) return blockedPlan(name, target, `no network ACL for ${p.networkAclId ?? p.subnetId}`);
    const { cidr, version } = toCidr(p.ip)!;
    const entries = acl.Entries ?? [];
    const found = existingDeny(entries, cidr, p.egress);
    const observed = { networkAclId: acl.NetworkAclId, vpcId: acl.VpcId, cidr, entries: entries.length };
    if (found) return makePlan(name, target, [], { ...observed, existingRule: found.RuleNumber });
    const n = pickDenyRuleNumber(entries, p.egress);
    if (typeof n !== 'number') return blockedPlan(name, target, n.error, observed);
    return makePlan(
      name,
      target,
      [
        call(
          'ec2:CreateNetworkAclEntry',
          {
            NetworkAclId: acl.NetworkAclId,
            RuleNumber: n,
            Protocol: '-1',
            RuleAction: 'deny',
            Egress: p.egress,
            ...(version === 4 ? { CidrBlock: cidr } : { Ipv6CidrBlock: cidr }),
          },
          `${cidr} is not denied ${p.egress ? 'outbound' : 'inbound'}; rule ${n} is the highest free number below the first allow`,
        ),
      ],
      observed,
    );
  },
});
