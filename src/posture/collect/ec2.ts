import {
  DescribeAddressesCommand,
  DescribeFlowLogsCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import { emptyCi } from '../model.js';
import { type Collection, lowerCamel, tagMap } from './context.js';

type Obj = Record<string, unknown>;

/** EC2 in one region. Returns EBS encryption-by-default for the account facts. */
export async function collectEc2(col: Collection, region: string): Promise<boolean | undefined> {
  const ec2 = new EC2Client(col.clientConfig(region));
  const S = 'ec2';
  const acct = () => col.accountId ?? 'unknown';
  const base = (
    type: string,
    id: string,
    tags: { Key?: string; Value?: string }[] | undefined,
    cfg: unknown,
    arnPath: string,
  ) =>
    emptyCi({
      resourceType: type,
      resourceId: id,
      awsRegion: region,
      awsAccountId: acct(),
      arn: `arn:aws:ec2:${region}:${acct()}:${arnPath}`,
      tags: tagMap(tags),
      configuration: lowerCamel(cfg) as Obj,
    });

  const sgs = await col.pages(S, region, 'DescribeSecurityGroups', async (NextToken, abortSignal) => {
    const r = await ec2.send(new DescribeSecurityGroupsCommand({ NextToken }), { abortSignal });
    return [r.SecurityGroups ?? [], r.NextToken];
  });
  if (sgs) {
    // The owner of the security groups is the account being collected (no STS client needed).
    col.accountId ??= sgs.find((g) => g.OwnerId)?.OwnerId;
    col.collectedTypes.add('AWS::EC2::SecurityGroup');
    for (const g of sgs) {
      const ci = base('AWS::EC2::SecurityGroup', g.GroupId!, g.Tags, g, `security-group/${g.GroupId}`);
      ci.resourceName = g.GroupName;
      if (g.VpcId)
        ci.relationships.push({
          resourceType: 'AWS::EC2::VPC',
          resourceId: g.VpcId,
          relationshipName: 'Is contained in Vpc',
        });
      col.add(ci);
    }
  }

  const [vpcs, subnets, flows, addrs, vols, snaps, insts, ebs, nacls] = await Promise.all([
    col.pages(S, region, 'DescribeVpcs', async (NextToken, abortSignal) => {
      const r = await ec2.send(new DescribeVpcsCommand({ NextToken }), { abortSignal });
      return [r.Vpcs ?? [], r.NextToken];
    }),
    col.pages(S, region, 'DescribeSubnets', async (NextToken, abortSignal) => {
      const r = await ec2.send(new DescribeSubnetsCommand({ NextToken }), { abortSignal });
      return [r.Subnets ?? [], r.NextToken];
    }),
    col.pages(S, region, 'DescribeFlowLogs', async (NextToken, abortSignal) => {
      const r = await ec2.send(new DescribeFlowLogsCommand({ NextToken }), { abortSignal });
      return [r.FlowLogs ?? [], r.NextToken];
    }),
    col.call(S, region, 'DescribeAddresses', (abortSignal) =>
      ec2.send(new DescribeAddressesCommand({}), { abortSignal }),
    ),
    col.pages(S, region, 'DescribeVolumes', async (NextToken, abortSignal) => {
      const r = await ec2.send(new DescribeVolumesCommand({ NextToken }), { abortSignal });
      return [r.Volumes ?? [], r.NextToken];
    }),
    col.pages(S, region, 'DescribeSnapshots', async (NextToken, abortSignal) => {
      const r = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], NextToken }), { abortSignal });
      return [r.Snapshots ?? [], r.NextToken];
    }),
    col.pages(S, region, 'DescribeInstances', async (NextToken, abortSignal) => {
      const r = await ec2.send(new DescribeInstancesCommand({ NextToken }), { abortSignal });
      return [r.Reservations ?? [], r.NextToken];
    }),
    col.call(S, region, 'GetEbsEncryptionByDefault', (abortSignal) =>
      ec2.send(new GetEbsEncryptionByDefaultCommand({}), { abortSignal }),
    ),
    col.pages(S, region, 'DescribeNetworkAcls', async (NextToken, abortSignal) => {
      const r = await ec2.send(new DescribeNetworkAclsCommand({ NextToken }), { abortSignal });
      return [r.NetworkAcls ?? [], r.NextToken];
    }),
  ]);
  if (nacls) {
    col.collectedTypes.add('AWS::EC2::NetworkAcl');
    for (const n of nacls)
      col.add(base('AWS::EC2::NetworkAcl', n.NetworkAclId!, n.Tags, n, `network-acl/${n.NetworkAclId}`));
  }
  if (vpcs) {
    col.collectedTypes.add('AWS::EC2::VPC');
    for (const v of vpcs) {
      const ci = base('AWS::EC2::VPC', v.VpcId!, v.Tags, v, `vpc/${v.VpcId}`);
      if (flows) ci.supplementaryConfiguration.FlowLogs = flows.filter((f) => f.ResourceId === v.VpcId).map(lowerCamel);
      col.add(ci);
    }
  }
  if (flows) {
    col.collectedTypes.add('AWS::EC2::FlowLog');
    for (const f of flows) col.add(base('AWS::EC2::FlowLog', f.FlowLogId!, f.Tags, f, `vpc-flow-log/${f.FlowLogId}`));
  }
  if (subnets) {
    col.collectedTypes.add('AWS::EC2::Subnet');
    for (const s of subnets) col.add(base('AWS::EC2::Subnet', s.SubnetId!, s.Tags, s, `subnet/${s.SubnetId}`));
  }
  if (addrs) {
    col.collectedTypes.add('AWS::EC2::EIP');
    for (const a of addrs.Addresses ?? []) {
      const ci = base('AWS::EC2::EIP', a.AllocationId ?? a.PublicIp!, a.Tags, a, `elastic-ip/${a.AllocationId}`);
      col.add(ci);
    }
  }
  if (vols) {
    col.collectedTypes.add('AWS::EC2::Volume');
    for (const v of vols) col.add(base('AWS::EC2::Volume', v.VolumeId!, v.Tags, v, `volume/${v.VolumeId}`));
  }
  if (snaps) {
    col.collectedTypes.add('AWS::EC2::Snapshot');
    const list = snaps;
    // One attribute call per snapshot: the permissions are not in DescribeSnapshots.
    const perms = await Promise.all(
      list.map((s) =>
        col.call(S, region, 'DescribeSnapshotAttribute', (abortSignal) =>
          ec2.send(
            new DescribeSnapshotAttributeCommand({ SnapshotId: s.SnapshotId, Attribute: 'createVolumePermission' }),
            {
              abortSignal,
            },
          ),
        ),
      ),
    );
    list.forEach((s, i) => {
      const ci = base('AWS::EC2::Snapshot', s.SnapshotId!, s.Tags, s, `snapshot/${s.SnapshotId}`);
      const p = perms[i];
      if (p) ci.supplementaryConfiguration.CreateVolumePermissions = lowerCamel(p.CreateVolumePermissions ?? []);
      col.add(ci);
    });
  }
  if (insts) {
    col.collectedTypes.add('AWS::EC2::Instance');
    for (const r of insts)
      for (const i of r.Instances ?? [])
        col.add(base('AWS::EC2::Instance', i.InstanceId!, i.Tags, i, `instance/${i.InstanceId}`));
  }
  return ebs?.EbsEncryptionByDefault;
}
