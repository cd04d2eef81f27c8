/** Make an EBS snapshot private: remove the `all` group from its createVolumePermission (public restore). */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({ snapshotId: z.string().regex(/^snap-[0-9a-f]+$/, 'must be a snapshot id (snap-…)') });
type Params = z.infer<typeof params>;

export const ec2MakeSnapshotPrivate = defineAction<Params>({
  name: 'ec2-make-snapshot-private',
  category: 'data',
  title: 'Make an EBS snapshot private',
  description:
    'Removes the public (group "all") create-volume permission from an EBS snapshot; explicit account shares are kept.',
  params,
  permissions: ['ec2:DescribeSnapshotAttribute', 'ec2:ModifySnapshotAttribute'],
  undo: 'ec2:ModifySnapshotAttribute with OperationType=add, GroupNames=[all] (makes it public again).',
  references: [
    'AWS Config rule ebs-snapshot-public-restorable-check',
    'AWS Security Hub ASR playbook EC2.1 (MakeEBSSnapshotsPrivate)',
    'Cloud Custodian ebs-snapshot action set-permissions (remove: matched)',
  ],
  target: (p) => p.snapshotId,
  async plan(p, ctx) {
    const { DescribeSnapshotAttributeCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await awsClient(ctx, 'ec2');
    const attr = await ec2.send(
      new DescribeSnapshotAttributeCommand({ SnapshotId: p.snapshotId, Attribute: 'createVolumePermission' }),
    );
    const perms = attr.CreateVolumePermissions ?? [];
    const calls = perms.some((x) => x.Group === 'all')
      ? [
          call(
            'ec2:ModifySnapshotAttribute',
            {
              SnapshotId: p.snapshotId,
              Attribute: 'createVolumePermission',
              OperationType: 'remove',
              GroupNames: ['all'],
            },
            'anyone can create a volume from this snapshot (createVolumePermission group all)',
          ),
        ]
      : [];
    return makePlan('ec2-make-snapshot-private', p.snapshotId, calls, {
      sharedWithAccounts: perms.filter((x) => x.UserId).map((x) => x.UserId),
      public: calls.length > 0,
    });
  },
});
