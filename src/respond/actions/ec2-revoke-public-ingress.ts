/**
 * Revoke security-group ingress open to the world (0.0.0.0/0 or ::/0) on the given ports — the semantics of AWS Config's
 * AWS-DisablePublicAccessForSecurityGroup runbook (default ports 22 and 3389), extended to any port list. A rule whose
 * port range *covers* a listed port is revoked (a 0-65535 rule leaves 22 open just as well as a 22-22 rule); only the
 * world-open ranges of that rule are removed, other CIDRs and group references on it stay.
 */
import type { IpPermission } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({
  groupId: z.string().regex(/^sg-[0-9a-f]+$/, 'must be a security group id (sg-…)'),
  ports: z
    .array(z.number().int().min(0).max(65535))
    .default([22, 3389])
    .describe('Ports to close; an empty list means every port'),
});
type Params = z.infer<typeof params>;

const WORLD_V4 = '0.0.0.0/0';
const WORLD_V6 = '::/0';

function covers(p: IpPermission, ports: number[]): boolean {
  if (p.IpProtocol === '-1' || ports.length === 0) return true;
  if (!['tcp', 'udp', '6', '17'].includes(p.IpProtocol ?? '')) return false;
  const from = p.FromPort ?? 0;
  const to = p.ToPort ?? 65535;
  return ports.some((port) => port >= from && port <= to);
}

/** Pure: the permissions to revoke (world-open ranges only) and why. */
export function decidePublicIngressRevocations(
  permissions: IpPermission[],
  ports: number[],
): { revoke: IpPermission[]; reasons: string[] } {
  const revoke: IpPermission[] = [];
  const reasons: string[] = [];
  for (const p of permissions) {
    const v4 = (p.IpRanges ?? []).some((r) => r.CidrIp === WORLD_V4);
    const v6 = (p.Ipv6Ranges ?? []).some((r) => r.CidrIpv6 === WORLD_V6);
    if (!(v4 || v6) || !covers(p, ports)) continue;
    const r: IpPermission = { IpProtocol: p.IpProtocol };
    if (p.IpProtocol !== '-1') {
      r.FromPort = p.FromPort;
      r.ToPort = p.ToPort;
    }
    if (v4) r.IpRanges = [{ CidrIp: WORLD_V4 }];
    if (v6) r.Ipv6Ranges = [{ CidrIpv6: WORLD_V6 }];
    revoke.push(r);
    const range = p.IpProtocol === '-1' ? 'all traffic' : `${p.IpProtocol}/${p.FromPort}-${p.ToPort}`;
    reasons.push(`${range} open to ${[v4 && WORLD_V4, v6 && WORLD_V6].filter(Boolean).join(' and ')}`);
  }
  return { revoke, reasons };
}

export const ec2RevokePublicIngress = defineAction<Params>({
  name: 'ec2-revoke-public-ingress',
  category: 'network',
  title: 'Revoke world-open security group ingress',
  description:
    'Removes ingress rules open to 0.0.0.0/0 or ::/0 that cover the given ports (default 22 and 3389; empty = all ports). Other sources on the same rule are kept.',
  params,
  permissions: ['ec2:DescribeSecurityGroups', 'ec2:RevokeSecurityGroupIngress'],
  undo: 'Re-authorize the revoked permissions (listed in the plan) with ec2:AuthorizeSecurityGroupIngress.',
  references: [
    'AWS Config remediation runbook AWS-DisablePublicAccessForSecurityGroup',
    'AWS Security Hub ASR playbook EC2.13/EC2.14 (RemoveVPCDefaultSecurityGroupRules, DisablePublicAccessForSecurityGroup)',
    'Cloud Custodian security-group action remove-permissions',
  ],
  target: (p) => p.groupId,
  async plan(p, ctx) {
    const { DescribeSecurityGroupsCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await awsClient(ctx, 'ec2');
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [p.groupId] }));
    const sg = out.SecurityGroups?.[0];
    const perms = sg?.IpPermissions ?? [];
    const { revoke, reasons } = decidePublicIngressRevocations(perms, p.ports);
    const calls = revoke.length
      ? [
          call(
            'ec2:RevokeSecurityGroupIngress',
            { GroupId: p.groupId, IpPermissions: revoke },
            `${reasons.join('; ')} (ports ${p.ports.length ? p.ports.join(', ') : 'all'})`,
          ),
        ]
      : [];
    return makePlan('ec2-revoke-public-ingress', p.groupId, calls, {
      groupName: sg?.GroupName,
      vpcId: sg?.VpcId,
      ingressRules: perms.length,
      worldOpen: reasons,
    });
  },
});
