/**
 * Quarantine an EC2 instance — the steps of AWS's GuardDuty EC2 isolation sample and the ASR/IR playbooks:
 * 1. enable termination protection (an ASG or a responder must not destroy the evidence),
 * 2. detach it from its Auto Scaling group (else the failing health check replaces and terminates it),
 * 3. deregister it from every ELBv2 target group,
 * 4. create (or reuse) an isolation security group with no inbound and no outbound rules,
 * 5. replace the security groups of every network interface with only the isolation group,
 * 6. snapshot every attached EBS volume for forensics (tagged with the instance id),
 * 7. tag the instance.
 * Order matters: 1–3 come before isolation because isolation fails health checks. Security-group changes do not cut
 * already-tracked connections (see the EC2 docs on connection tracking); the plan says so in `observed`.
 */
import type { Instance } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { PlannedCall } from '../action.js';
import { defineAction } from './define.js';
import { awsClient, blockedPlan, call, makePlan } from './sdk.js';

const params = z.object({
  instanceId: z.string().regex(/^i-[0-9a-f]+$/, 'must be an instance id (i-…)'),
  isolationGroupName: z.string().min(1).max(255).default('vigil-isolation'),
  snapshotVolumes: z.boolean().default(true),
  terminationProtection: z.boolean().default(true),
  detachFromAutoScaling: z.boolean().default(true),
  /** Keep the group at capacity by default: a healthy replacement is launched. */
  decrementDesiredCapacity: z.boolean().default(false),
  deregisterFromTargetGroups: z.boolean().default(true),
  tagKey: z.string().min(1).default('vigil:quarantine'),
  tagValue: z.string().default('true'),
});
type Params = z.infer<typeof params>;

export interface QuarantineState {
  instance: Instance;
  /** The isolation group if it exists in the instance's VPC, with its rule counts. */
  isolation?: { groupId: string; ingress: number; egress: import('@aws-sdk/client-ec2').IpPermission[] };
  terminationProtected: boolean;
  autoScalingGroup?: string;
  /** Target groups the instance is registered in, with the registered port. */
  targets: { targetGroupArn: string; port?: number }[];
  /** Volume ids that already have a forensic snapshot from this action. */
  snapshotted: Set<string>;
}

const SNAPSHOT_TAG = 'vigil:forensics-instance';

/** Pure: the calls that bring an instance from the observed state to quarantined. */
export function decideQuarantine(p: Params, s: QuarantineState): PlannedCall[] {
  const calls: PlannedCall[] = [];
  const id = p.instanceId;
  if (p.terminationProtection && !s.terminationProtected) {
    calls.push(
      call(
        'ec2:ModifyInstanceAttribute',
        { InstanceId: id, DisableApiTermination: { Value: true } },
        'termination protection is off; the evidence could be destroyed',
      ),
    );
  }
  if (p.detachFromAutoScaling && s.autoScalingGroup) {
    calls.push(
      call(
        'autoscaling:DetachInstances',
        {
          AutoScalingGroupName: s.autoScalingGroup,
          InstanceIds: [id],
          ShouldDecrementDesiredCapacity: p.decrementDesiredCapacity,
        },
        `instance is in Auto Scaling group ${s.autoScalingGroup}, which would replace and terminate it once isolated`,
      ),
    );
  }
  if (p.deregisterFromTargetGroups) {
    for (const t of s.targets) {
      calls.push(
        call(
          'elasticloadbalancing:DeregisterTargets',
          { TargetGroupArn: t.targetGroupArn, Targets: [t.port === undefined ? { Id: id } : { Id: id, Port: t.port }] },
          `instance is registered in target group ${t.targetGroupArn}`,
        ),
      );
    }
  }
  let groupRef: unknown = s.isolation?.groupId;
  if (!s.isolation) {
    const i = calls.length;
    calls.push(
      call(
        'ec2:CreateSecurityGroup',
        {
          GroupName: p.isolationGroupName,
          Description: 'Vigil quarantine: no inbound or outbound traffic',
          VpcId: s.instance.VpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: p.tagKey, Value: 'isolation' }] }],
        },
        `no isolation group ${p.isolationGroupName} in ${s.instance.VpcId}`,
      ),
    );
    groupRef = { $from: { call: i, path: 'GroupId' } };
    // A new group allows all egress by default.
    calls.push(
      call(
        'ec2:RevokeSecurityGroupEgress',
        { GroupId: groupRef, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
        'a new security group allows all outbound traffic; the isolation group must allow none',
      ),
    );
  } else if (s.isolation.egress.length > 0) {
    calls.push(
      call(
        'ec2:RevokeSecurityGroupEgress',
        { GroupId: s.isolation.groupId, IpPermissions: s.isolation.egress },
        `isolation group ${s.isolation.groupId} has ${s.isolation.egress.length} outbound rule(s)`,
      ),
    );
  }
  // The instance-level call is the GuardDuty sample's (it sets the primary interface's groups on AWS); the per-ENI
  // calls cover secondary interfaces. Both are made for the primary interface: redundant on AWS, but moto 5.2 keeps
  // an interface's launch groups unless both are replaced, and a repeated identical set is harmless.
  const instGroups = (s.instance.SecurityGroups ?? []).map((g) => g.GroupId);
  if (!(s.isolation && instGroups.length === 1 && instGroups[0] === s.isolation.groupId)) {
    calls.push(
      call(
        'ec2:ModifyInstanceAttribute',
        { InstanceId: id, Groups: [groupRef] },
        `instance has security groups ${instGroups.join(', ') || '(none)'}`,
      ),
    );
  }
  for (const eni of s.instance.NetworkInterfaces ?? []) {
    const groups = (eni.Groups ?? []).map((g) => g.GroupId);
    if (s.isolation && groups.length === 1 && groups[0] === s.isolation.groupId) continue;
    calls.push(
      call(
        'ec2:ModifyNetworkInterfaceAttribute',
        { NetworkInterfaceId: eni.NetworkInterfaceId, Groups: [groupRef] },
        `interface ${eni.NetworkInterfaceId} has groups ${groups.join(', ') || '(none)'}`,
      ),
    );
  }
  if (p.snapshotVolumes) {
    for (const m of s.instance.BlockDeviceMappings ?? []) {
      const vol = m.Ebs?.VolumeId;
      if (!vol || s.snapshotted.has(vol)) continue;
      calls.push(
        call(
          'ec2:CreateSnapshot',
          {
            VolumeId: vol,
            Description: `Vigil forensic snapshot of ${vol} (${m.DeviceName}) from quarantined ${id}`,
            TagSpecifications: [
              {
                ResourceType: 'snapshot',
                Tags: [
                  { Key: SNAPSHOT_TAG, Value: id },
                  { Key: p.tagKey, Value: p.tagValue },
                ],
              },
            ],
          },
          `volume ${vol} at ${m.DeviceName} has no forensic snapshot`,
        ),
      );
    }
  }
  if (!(s.instance.Tags ?? []).some((t) => t.Key === p.tagKey && t.Value === p.tagValue)) {
    calls.push(
      call(
        'ec2:CreateTags',
        { Resources: [id], Tags: [{ Key: p.tagKey, Value: p.tagValue }] },
        `instance is not tagged ${p.tagKey}=${p.tagValue}`,
      ),
    );
  }
  return calls;
}

export const ec2QuarantineInstance = defineAction<Params>({
  name: 'ec2-quarantine-instance',
  category: 'network',
  title: 'Quarantine an EC2 instance',
  description:
    'Isolates an instance for forensics: termination protection, detach from Auto Scaling and ELBv2 target groups, an isolation security group (no rules) on every interface, EBS snapshots, a quarantine tag.',
  params,
  permissions: [
    'autoscaling:DescribeAutoScalingInstances',
    'autoscaling:DetachInstances',
    'ec2:CreateSecurityGroup',
    'ec2:CreateSnapshot',
    'ec2:CreateTags',
    'ec2:DescribeInstanceAttribute',
    'ec2:DescribeInstances',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSnapshots',
    'ec2:ModifyInstanceAttribute',
    'ec2:ModifyNetworkInterfaceAttribute',
    'ec2:RevokeSecurityGroupEgress',
    'elasticloadbalancing:DeregisterTargets',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetHealth',
  ],
  undo: "Restore the interfaces' original groups (observed.interfaces) with ec2:ModifyNetworkInterfaceAttribute, re-register targets, attach to the Auto Scaling group (autoscaling:AttachInstances), disable termination protection. Snapshots are evidence and are kept.",
  references: [
    'AWS sample: amazon-guardduty-to-ec2-isolation (GuardDuty → EventBridge → Lambda quarantine)',
    'AWS Security Incident Response Guide: EC2 containment (isolation security group)',
    'Cloud Custodian ec2 actions: set-instance-profile, modify-security-groups (isolation-group), snapshot, mark',
  ],
  testing:
    'moto_server with an instance in an Auto Scaling group and an ELBv2 target group. moto 5.2 keeps an interface’s launch groups unless both ModifyInstanceAttribute(Groups) and ModifyNetworkInterfaceAttribute are made, which is why the plan makes both for the primary interface.',
  target: (p) => p.instanceId,
  async plan(p, ctx) {
    const name = 'ec2-quarantine-instance';
    const ec2m = await import('@aws-sdk/client-ec2');
    const ec2 = await awsClient(ctx, 'ec2');
    const inst = (await ec2.send(new ec2m.DescribeInstancesCommand({ InstanceIds: [p.instanceId] }))).Reservations?.[0]
      ?.Instances?.[0];
    if (!inst) return blockedPlan(name, p.instanceId, `instance ${p.instanceId} not found`);
    if (inst.State?.Name === 'terminated') return blockedPlan(name, p.instanceId, 'instance is terminated');
    if (!inst.VpcId)
      return blockedPlan(name, p.instanceId, 'EC2-Classic instance (no VPC): security groups cannot be swapped');

    const groups = await ec2.send(
      new ec2m.DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'group-name', Values: [p.isolationGroupName] },
          { Name: 'vpc-id', Values: [inst.VpcId] },
        ],
      }),
    );
    const iso = groups.SecurityGroups?.[0];
    if (iso && (iso.IpPermissions ?? []).length > 0) {
      return blockedPlan(
        name,
        p.instanceId,
        `isolation group ${iso.GroupId} (${p.isolationGroupName}) has inbound rules; refusing to use it as an isolation group`,
      );
    }
    const attr = await ec2.send(
      new ec2m.DescribeInstanceAttributeCommand({ InstanceId: p.instanceId, Attribute: 'disableApiTermination' }),
    );

    let autoScalingGroup: string | undefined;
    if (p.detachFromAutoScaling) {
      const { DescribeAutoScalingInstancesCommand } = await import('@aws-sdk/client-auto-scaling');
      const asg = await awsClient(ctx, 'autoscaling');
      const out = await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [p.instanceId] }));
      autoScalingGroup = out.AutoScalingInstances?.[0]?.AutoScalingGroupName;
    }

    const targets: QuarantineState['targets'] = [];
    if (p.deregisterFromTargetGroups) {
      const elb = await import('@aws-sdk/client-elastic-load-balancing-v2');
      const c = await awsClient(ctx, 'elasticloadbalancing');
      let marker: string | undefined;
      do {
        const page = await c.send(new elb.DescribeTargetGroupsCommand({ Marker: marker }));
        for (const tg of page.TargetGroups ?? []) {
          if (tg.TargetType && tg.TargetType !== 'instance') continue;
          if (tg.VpcId && tg.VpcId !== inst.VpcId) continue;
          const health = await c.send(new elb.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
          for (const d of health.TargetHealthDescriptions ?? []) {
            if (d.Target?.Id === p.instanceId)
              targets.push({ targetGroupArn: tg.TargetGroupArn!, port: d.Target.Port });
          }
        }
        marker = page.NextMarker;
      } while (marker);
    }

    const snapshotted = new Set<string>();
    if (p.snapshotVolumes) {
      const snaps = await ec2.send(
        new ec2m.DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: `tag:${SNAPSHOT_TAG}`, Values: [p.instanceId] }],
        }),
      );
      for (const s of snaps.Snapshots ?? []) if (s.VolumeId) snapshotted.add(s.VolumeId);
    }

    const state: QuarantineState = {
      instance: inst,
      isolation: iso?.GroupId
        ? { groupId: iso.GroupId, ingress: (iso.IpPermissions ?? []).length, egress: iso.IpPermissionsEgress ?? [] }
        : undefined,
      terminationProtected: attr.DisableApiTermination?.Value === true,
      autoScalingGroup,
      targets,
      snapshotted,
    };
    return makePlan(name, p.instanceId, decideQuarantine(p, state), {
      vpcId: inst.VpcId,
      state: inst.State?.Name,
      interfaces: (inst.NetworkInterfaces ?? []).map((e) => ({
        id: e.NetworkInterfaceId,
        groups: (e.Groups ?? []).map((g) => g.GroupId),
      })),
      isolationGroup: iso?.GroupId ?? null,
      terminationProtected: state.terminationProtected,
      autoScalingGroup: autoScalingGroup ?? null,
      targetGroups: targets.map((t) => t.targetGroupArn),
      volumes: (inst.BlockDeviceMappings ?? []).map((m) => m.Ebs?.VolumeId).filter(Boolean),
      alreadySnapshotted: [...snapshotted],
      note: 'security-group changes do not terminate already-tracked connections',
    });
  },
});
