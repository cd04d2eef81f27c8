/** Make an RDS DB (or Aurora cluster) snapshot private: remove `all` from its `restore` attribute. */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({
  snapshotId: z.string().min(1).max(255),
  snapshotType: z.enum(['instance', 'cluster']).default('instance'),
});
type Params = z.infer<typeof params>;

export const rdsMakeSnapshotPrivate = defineAction<Params>({
  name: 'rds-make-snapshot-private',
  category: 'data',
  title: 'Make an RDS snapshot private',
  description:
    'Removes the public ("all") restore permission from a DB snapshot or DB cluster snapshot; explicit account shares are kept.',
  params,
  permissions: [
    'rds:DescribeDBClusterSnapshotAttributes',
    'rds:DescribeDBSnapshotAttributes',
    'rds:ModifyDBClusterSnapshotAttribute',
    'rds:ModifyDBSnapshotAttribute',
  ],
  undo: 'rds:ModifyDBSnapshotAttribute (or ModifyDBClusterSnapshotAttribute) with AttributeName=restore, ValuesToAdd=[all].',
  references: [
    'AWS Config rule rds-snapshots-public-prohibited',
    'AWS Security Hub ASR playbook RDS.1 (MakeRDSSnapshotPrivate)',
    'Cloud Custodian rds-snapshot action set-permissions',
  ],
  target: (p) => p.snapshotId,
  async plan(p, ctx) {
    const rds = await import('@aws-sdk/client-rds');
    const c = await awsClient(ctx, 'rds');
    const cluster = p.snapshotType === 'cluster';
    const attrs = cluster
      ? (
          await c.send(
            new rds.DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: p.snapshotId }),
          )
        ).DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes
      : (await c.send(new rds.DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: p.snapshotId })))
          .DBSnapshotAttributesResult?.DBSnapshotAttributes;
    const restore = (attrs ?? []).find((a) => a.AttributeName === 'restore')?.AttributeValues ?? [];
    const calls = restore.includes('all')
      ? [
          cluster
            ? call(
                'rds:ModifyDBClusterSnapshotAttribute',
                { DBClusterSnapshotIdentifier: p.snapshotId, AttributeName: 'restore', ValuesToRemove: ['all'] },
                'anyone can restore this cluster snapshot (restore includes all)',
              )
            : call(
                'rds:ModifyDBSnapshotAttribute',
                { DBSnapshotIdentifier: p.snapshotId, AttributeName: 'restore', ValuesToRemove: ['all'] },
                'anyone can restore this snapshot (restore includes all)',
              ),
        ]
      : [];
    return makePlan('rds-make-snapshot-private', p.snapshotId, calls, {
      restore,
    });
  },
});
