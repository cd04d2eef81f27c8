import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/respond/action.js';
import {
  decidePublicIngressRevocations,
  ec2RevokePublicIngress,
} from '../../../src/respond/actions/ec2-revoke-public-ingress.js';
import type { MotoServer } from '../../helpers/moto.js';
import { motoAvailable, params, planApplyReplan, type SdkConfig, startMotoContext } from './harness.js';

describe('decidePublicIngressRevocations (pure)', () => {
  const perms = [
    { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }] },
    { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    { IpProtocol: 'tcp', FromPort: 3000, ToPort: 4000, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    { IpProtocol: '-1', IpRanges: [{ CidrIp: '192.168.0.0/16' }] },
  ];
  it('revokes only world-open ranges of rules covering the ports', () => {
    const { revoke, reasons } = decidePublicIngressRevocations(perms, [22]);
    expect(revoke).toEqual([{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
    expect(reasons).toEqual(['tcp/22-22 open to 0.0.0.0/0']);
  });
  it('a range covering the port counts; empty port list means every port', () => {
    expect(decidePublicIngressRevocations(perms, [3389]).revoke[0]).toEqual({
      IpProtocol: 'tcp',
      FromPort: 3000,
      ToPort: 4000,
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    });
    expect(decidePublicIngressRevocations(perms, []).revoke).toHaveLength(3);
    expect(
      decidePublicIngressRevocations([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], [22]).revoke,
    ).toEqual([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
  });
  it('params: defaults and clear errors', () => {
    expect(params(ec2RevokePublicIngress, { groupId: 'sg-0123abcd' }).ports).toEqual([22, 3389]);
    expect(() => params(ec2RevokePublicIngress, { groupId: 'web' })).toThrow(
      'ec2-revoke-public-ingress: parameter groupId: must be a security group id (sg-…)',
    );
  });
});

describe.skipIf(!motoAvailable())('network actions against moto_server', () => {
  let moto: MotoServer;
  let ctx: ActionContext;
  let ec2: EC2Client;
  let vpcId: string;

  beforeAll(async () => {
    let config: SdkConfig;
    ({ moto, ctx, config } = await startMotoContext());
    ec2 = new EC2Client(config);
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('ec2-revoke-public-ingress: revokes 0.0.0.0/0 and ::/0 on 22, keeps 443 and private ranges', async () => {
    const g = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }));
    const groupId = g.GroupId!;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
            Ipv6Ranges: [{ CidrIpv6: '::/0' }],
          },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      }),
    );
    const { plan } = await planApplyReplan(ec2RevokePublicIngress, ctx, { groupId, ports: [22] });
    expect(plan.calls).toEqual([
      {
        action: 'ec2:RevokeSecurityGroupIngress',
        params: {
          GroupId: groupId,
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 22,
              ToPort: 22,
              IpRanges: [{ CidrIp: '0.0.0.0/0' }],
              Ipv6Ranges: [{ CidrIpv6: '::/0' }],
            },
          ],
        },
        reason: 'tcp/22-22 open to 0.0.0.0/0 and ::/0 (ports 22)',
      },
    ]);
    const sg = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!;
    const rules = sg.IpPermissions!.map((p) => ({
      port: p.FromPort,
      v4: (p.IpRanges ?? []).map((r) => r.CidrIp).sort(),
      v6: (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6),
    }));
    expect(rules.sort((a, b) => a.port! - b.port!)).toEqual([
      { port: 22, v4: ['10.0.0.0/8'], v6: [] },
      { port: 443, v4: ['0.0.0.0/0'], v6: [] },
    ]);
  });

  it('ec2-revoke-public-ingress: a missing group is a blocked plan with the AWS error code', async () => {
    const plan = await ec2RevokePublicIngress.plan(params(ec2RevokePublicIngress, { groupId: 'sg-00000000' }), ctx);
    expect(plan.blocked).toMatch(/^InvalidGroup\.NotFound: /);
    expect(plan.calls).toEqual([]);
  });
});
