/**
 * Add an IP to a WAFv2 IP set (referenced by a blocking rule of a web ACL). UpdateIPSet replaces the whole address
 * list and needs the LockToken read with it: a concurrent change makes AWS answer WAFOptimisticLockException, which
 * the runner's retry handles by planning again.
 */
import { z } from 'zod';
import { toCidr } from './cidr.js';
import { defineAction } from './define.js';
import { awsClient, blockedPlan, call, makePlan } from './sdk.js';

const params = z.object({
  ip: z.string().refine((s) => toCidr(s) !== undefined, 'must be an IPv4/IPv6 address or CIDR'),
  ipSetName: z.string().min(1).max(128),
  ipSetId: z.string().min(1).max(36),
  scope: z.enum(['REGIONAL', 'CLOUDFRONT']).default('REGIONAL'),
});
type Params = z.infer<typeof params>;

/** Pure: the new address list, or none when the CIDR is already in the set. */
export function decideIpSetAddresses(addresses: string[], ip: string): string[] | undefined {
  const cidr = toCidr(ip)!.cidr;
  if (addresses.some((a) => toCidr(a)?.cidr === cidr)) return undefined;
  return [...addresses, cidr];
}

export const wafv2BlockIp = defineAction<Params>({
  name: 'wafv2-block-ip',
  category: 'network',
  title: 'Block an IP in a WAFv2 IP set',
  description:
    'Appends the IP/CIDR to a WAFv2 IP set (UpdateIPSet with the LockToken read in the same plan). The IP set must be referenced by a Block rule of a web ACL.',
  params,
  permissions: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet'],
  undo: 'wafv2:UpdateIPSet with the address list in observed.addresses (and a fresh LockToken).',
  references: [
    'AWS WAF Security Automations (IP reputation / bad-bot IP sets)',
    'AWS Security Hub ASR: block malicious IP in WAF IP set',
  ],
  target: (p) => `${p.scope}/${p.ipSetName}/${p.ipSetId}`,
  async plan(p, ctx) {
    const name = 'wafv2-block-ip';
    const { GetIPSetCommand } = await import('@aws-sdk/client-wafv2');
    const waf = await awsClient(ctx, 'wafv2');
    const out = await waf.send(new GetIPSetCommand({ Name: p.ipSetName, Id: p.ipSetId, Scope: p.scope }));
    const set = out.IPSet;
    const target = set?.ARN ?? `${p.scope}/${p.ipSetName}/${p.ipSetId}`;
    const { cidr, version } = toCidr(p.ip)!;
    const observed = { addresses: set?.Addresses ?? [], ipAddressVersion: set?.IPAddressVersion, cidr };
    if (set?.IPAddressVersion && set.IPAddressVersion !== `IPV${version}`) {
      return blockedPlan(name, target, `IP set is ${set.IPAddressVersion}, ${cidr} is IPv${version}`, observed);
    }
    const next = decideIpSetAddresses(set?.Addresses ?? [], cidr);
    const calls = next
      ? [
          call(
            'wafv2:UpdateIPSet',
            { Name: p.ipSetName, Id: p.ipSetId, Scope: p.scope, Addresses: next, LockToken: out.LockToken },
            `${cidr} is not in IP set ${p.ipSetName}`,
          ),
        ]
      : [];
    return makePlan(name, target, calls, observed);
  },
});
