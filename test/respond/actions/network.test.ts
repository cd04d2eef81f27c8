import {
  AttachInstancesCommand,
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateLaunchTemplateCommand,
  CreateNetworkAclEntryCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type NetworkAclEntry,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateIPSetCommand, GetIPSetCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/respond/action.js';
import { ec2NaclDenyIp, pickDenyRuleNumber } from '../../../src/respond/actions/ec2-nacl-deny-ip.js';
import { decideQuarantine, ec2QuarantineInstance } from '../../../src/respond/actions/ec2-quarantine-instance.js';
import {
  decidePublicIngressRevocations,
  ec2RevokePublicIngress,
} from '../../../src/respond/actions/ec2-revoke-public-ingress.js';
import { decideIpSetAddresses, wafv2BlockIp } from '../../../src/respond/actions/wafv2-block-ip.js';
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

describe('nacl / waf / quarantine decisions (pure)', () => {
  it('deny rule number: highest free below the lowest allow, per direction', () => {
    const e: NetworkAclEntry[] = [
      { RuleNumber: 100, RuleAction: 'allow', Egress: false },
      { RuleNumber: 99, RuleAction: 'deny', Egress: false },
      { RuleNumber: 50, RuleAction: 'allow', Egress: true },
      { RuleNumber: 32767, RuleAction: 'deny', Egress: false },
    ];
    expect(pickDenyRuleNumber(e, false)).toBe(98);
    expect(pickDenyRuleNumber(e, true)).toBe(49);
    expect(pickDenyRuleNumber([{ RuleNumber: 1, RuleAction: 'allow', Egress: false }], false)).toEqual({
      error: 'no free rule number below the lowest allow entry (1)',
    });
    expect(pickDenyRuleNumber([], false)).toBe(32766);
  });
  it('IP set: appends the canonical CIDR once', () => {
    expect(decideIpSetAddresses(['10.0.0.0/8'], '198.51.100.7')).toEqual(['10.0.0.0/8', '198.51.100.7/32']);
    expect(decideIpSetAddresses(['198.51.100.7/32'], '198.51.100.7')).toBeUndefined();
    expect(decideIpSetAddresses([], '2001:db8::1')).toEqual(['2001:db8::1/128']);
  });
  it('quarantine: a fully isolated instance needs nothing', () => {
    const p = params(ec2QuarantineInstance, { instanceId: 'i-0abc' });
    const calls = decideQuarantine(p, {
      instance: {
        InstanceId: 'i-0abc',
        VpcId: 'vpc-1',
        NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', Groups: [{ GroupId: 'sg-iso' }] }],
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1' } }],
        Tags: [{ Key: 'vigil:quarantine', Value: 'true' }],
        SecurityGroups: [{ GroupId: 'sg-iso' }],
      },
      isolation: { groupId: 'sg-iso', ingress: 0, egress: [] },
      terminationProtected: true,
      targets: [],
      snapshotted: new Set(['vol-1']),
    });
    expect(calls).toEqual([]);
  });
});

describe.skipIf(!motoAvailable())('network actions against moto_server', () => {
  let moto: MotoServer;
  let ctx: ActionContext;
  let ec2: EC2Client;
  let vpcId: string;
  let config: SdkConfig;

  beforeAll(async () => {
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

  it('ec2-revoke-public-ingress: a group deleted between plan and apply → CallResult with AWS code', async () => {
    const g = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'gone', Description: 'x', VpcId: vpcId }));
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: g.GroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const p = params(ec2RevokePublicIngress, { groupId: g.GroupId });
    const plan = await ec2RevokePublicIngress.plan(p, ctx);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: g.GroupId }));
    const [r] = await ec2RevokePublicIngress.apply(plan, p, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'InvalidGroup.NotFound' } });
    expect(r!.error!.message).toContain(g.GroupId!);
  });

  it('ec2-revoke-public-ingress: a missing group is a blocked plan with the AWS error code', async () => {
    const plan = await ec2RevokePublicIngress.plan(params(ec2RevokePublicIngress, { groupId: 'sg-00000000' }), ctx);
    expect(plan.blocked).toMatch(/^InvalidGroup\.NotFound: /);
    expect(plan.calls).toEqual([]);
  });

  it('ec2-quarantine-instance: isolation group only, ASG detached, target deregistered, snapshots, tags', async () => {
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24' }))).Subnet!
      .SubnetId!;
    const web = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpcId })))
      .GroupId!;
    const inst = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-12c6146b',
          MinCount: 1,
          MaxCount: 1,
          InstanceType: 't3.micro',
          SubnetId: subnetId,
          SecurityGroupIds: [web],
        }),
      )
    ).Instances![0]!;
    const instanceId = inst.InstanceId!;
    const asg = new AutoScalingClient(config);
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'lt',
        LaunchTemplateData: { ImageId: 'ami-12c6146b', InstanceType: 't3.micro' },
      }),
    );
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web-asg',
        LaunchTemplate: { LaunchTemplateName: 'lt' },
        MinSize: 0,
        MaxSize: 3,
        DesiredCapacity: 0,
        VPCZoneIdentifier: subnetId,
      }),
    );
    await asg.send(new AttachInstancesCommand({ AutoScalingGroupName: 'web-asg', InstanceIds: [instanceId] }));
    const elb = new ElasticLoadBalancingV2Client(config);
    const tg = (
      await elb.send(new CreateTargetGroupCommand({ Name: 'web-tg', Protocol: 'HTTP', Port: 80, VpcId: vpcId }))
    ).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: instanceId, Port: 8080 }] }));

    const { plan, results } = await planApplyReplan(ec2QuarantineInstance, ctx, { instanceId });
    expect(plan.calls.map((c) => c.action)).toEqual([
      'ec2:ModifyInstanceAttribute',
      'autoscaling:DetachInstances',
      'elasticloadbalancing:DeregisterTargets',
      'ec2:CreateSecurityGroup',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:ModifyInstanceAttribute',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:CreateSnapshot',
      'ec2:CreateTags',
    ]);
    // The ENI swap refers to the group created by call 3.
    expect(plan.calls[6]!.params.Groups).toEqual([{ $from: { call: 3, path: 'GroupId' } }]);
    expect(plan.calls[2]!.params).toEqual({ TargetGroupArn: tg, Targets: [{ Id: instanceId, Port: 8080 }] });
    const isoId = results[3]!.response!.GroupId as string;

    const after = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0]!
      .Instances![0]!;
    for (const eni of after.NetworkInterfaces!) expect(eni.Groups!.map((g) => g.GroupId)).toEqual([isoId]);
    expect(after.SecurityGroups!.map((g) => g.GroupId)).toEqual([isoId]);
    expect(after.Tags).toContainEqual({ Key: 'vigil:quarantine', Value: 'true' });
    const iso = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [isoId] }))).SecurityGroups![0]!;
    expect(iso.IpPermissions).toEqual([]);
    expect(iso.IpPermissionsEgress).toEqual([]);
    const term = await ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }),
    );
    expect(term.DisableApiTermination!.Value).toBe(true);
    const inAsg = await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
    expect(inAsg.AutoScalingInstances ?? []).toEqual([]);
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect((health.TargetHealthDescriptions ?? []).map((d) => d.Target!.Id)).not.toContain(instanceId);
    const snaps = await ec2.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:vigil:forensics-instance', Values: [instanceId] }] }),
    );
    expect(snaps.Snapshots!.map((x) => x.VolumeId)).toEqual(after.BlockDeviceMappings!.map((m) => m.Ebs!.VolumeId));
  });

  it('ec2-nacl-deny-ip: deny below the lowest allow, found by subnet', async () => {
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24' }))).Subnet!
      .SubnetId!;
    const acl = (
      await ec2.send(
        new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }),
      )
    ).NetworkAcls![0]!;
    await ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: acl.NetworkAclId,
        RuleNumber: 90,
        Protocol: '6',
        RuleAction: 'allow',
        Egress: false,
        CidrBlock: '0.0.0.0/0',
        PortRange: { From: 443, To: 443 },
      }),
    );
    const { plan } = await planApplyReplan(ec2NaclDenyIp, ctx, { subnetId, ip: '198.51.100.7' });
    expect(plan.calls[0]!.params).toEqual({
      NetworkAclId: acl.NetworkAclId,
      RuleNumber: 89,
      Protocol: '-1',
      RuleAction: 'deny',
      Egress: false,
      CidrBlock: '198.51.100.7/32',
    });
    const after = (await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [acl.NetworkAclId!] })))
      .NetworkAcls![0]!;
    expect(after.Entries).toContainEqual(
      expect.objectContaining({ RuleNumber: 89, RuleAction: 'deny', CidrBlock: '198.51.100.7/32', Egress: false }),
    );
  });

  it('wafv2-block-ip: UpdateIPSet with the LockToken; address read back', async () => {
    const waf = new WAFV2Client(config);
    const set = (
      await waf.send(
        new CreateIPSetCommand({
          Name: 'blocklist',
          Scope: 'REGIONAL',
          IPAddressVersion: 'IPV4',
          Addresses: ['203.0.113.0/24'],
        }),
      )
    ).Summary!;
    const { plan } = await planApplyReplan(wafv2BlockIp, ctx, {
      ipSetName: 'blocklist',
      ipSetId: set.Id,
      ip: '198.51.100.7',
    });
    expect(plan.calls[0]!.params).toMatchObject({
      Addresses: ['203.0.113.0/24', '198.51.100.7/32'],
      LockToken: expect.any(String),
    });
    const got = await waf.send(new GetIPSetCommand({ Name: 'blocklist', Scope: 'REGIONAL', Id: set.Id }));
    expect(got.IPSet!.Addresses).toEqual(['203.0.113.0/24', '198.51.100.7/32']);
    const v6 = await wafv2BlockIp.plan(
      params(wafv2BlockIp, { ipSetName: 'blocklist', ipSetId: set.Id, ip: '2001:db8::1' }),
      ctx,
    );
    expect(v6.blocked).toBe('IP set is IPV4, 2001:db8::1/128 is IPv6');
  });
});
