/**
 * Set automated-backup retention on an RDS DB instance, or on an Aurora cluster (Aurora instances inherit the
 * cluster's retention, so an Aurora instance id is resolved to its cluster). RDS allows 0–35 days (0 disables
 * backups); Aurora 1–35. By default retention is only ever raised: a longer existing retention is left alone.
 */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, blockedPlan, call, makePlan } from './sdk.js';

const params = z
  .object({
    dbInstanceIdentifier: z.string().min(1).max(63).optional(),
    dbClusterIdentifier: z.string().min(1).max(63).optional(),
    retentionDays: z.number().int().min(0).max(35).default(7),
    onlyIncrease: z.boolean().default(true).describe('Leave a longer existing retention alone'),
    applyImmediately: z.boolean().default(true),
  })
  .refine((p) => p.dbInstanceIdentifier || p.dbClusterIdentifier, 'give dbInstanceIdentifier or dbClusterIdentifier');
type Params = z.infer<typeof params>;

/** Pure: whether the current retention must change, and the error for an invalid Aurora value. */
export function decideRetention(p: Params, current: number, aurora: boolean): { change: boolean; error?: string } {
  if (aurora && p.retentionDays < 1) return { change: false, error: 'Aurora backup retention must be 1–35 days' };
  if (current === p.retentionDays) return { change: false };
  if (p.onlyIncrease && current > p.retentionDays) return { change: false };
  return { change: true };
}

export const rdsSetBackupRetention = defineAction<Params>({
  name: 'rds-set-backup-retention',
  category: 'backup',
  title: 'Set RDS backup retention',
  description:
    'Sets the automated backup retention period (default 7 days) of a DB instance, or of the Aurora cluster an instance belongs to. Only raises retention unless onlyIncrease is false.',
  params,
  permissions: ['rds:DescribeDBClusters', 'rds:DescribeDBInstances', 'rds:ModifyDBCluster', 'rds:ModifyDBInstance'],
  undo: 'rds:ModifyDBInstance / rds:ModifyDBCluster with BackupRetentionPeriod = observed.current.',
  references: [
    'AWS Config rule db-instance-backup-enabled',
    'AWS Config remediation runbook AWSConfigRemediation-EnableRDSInstanceBackup',
    'AWS Security Hub ASR playbook RDS.11',
  ],
  target: (p) => p.dbClusterIdentifier ?? p.dbInstanceIdentifier ?? '',
  async plan(p, ctx) {
    const name = 'rds-set-backup-retention';
    const rds = await import('@aws-sdk/client-rds');
    const c = await awsClient(ctx, 'rds');
    let clusterId = p.dbClusterIdentifier;
    if (!clusterId) {
      const inst = (await c.send(new rds.DescribeDBInstancesCommand({ DBInstanceIdentifier: p.dbInstanceIdentifier })))
        .DBInstances?.[0];
      if (!inst) return blockedPlan(name, p.dbInstanceIdentifier!, `DB instance ${p.dbInstanceIdentifier} not found`);
      if (!(inst.Engine?.startsWith('aurora') && inst.DBClusterIdentifier)) {
        const current = inst.BackupRetentionPeriod ?? 0;
        const d = decideRetention(p, current, false);
        const calls = d.change
          ? [
              call(
                'rds:ModifyDBInstance',
                {
                  DBInstanceIdentifier: p.dbInstanceIdentifier,
                  BackupRetentionPeriod: p.retentionDays,
                  ApplyImmediately: p.applyImmediately,
                },
                `backup retention is ${current} day(s), required ${p.retentionDays}`,
              ),
            ]
          : [];
        return makePlan(name, inst.DBInstanceArn ?? p.dbInstanceIdentifier!, calls, { current, engine: inst.Engine });
      }
      clusterId = inst.DBClusterIdentifier;
    }
    const cl = (await c.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }))).DBClusters?.[0];
    if (!cl) return blockedPlan(name, clusterId, `DB cluster ${clusterId} not found`);
    const current = cl.BackupRetentionPeriod ?? 0;
    const aurora = !!cl.Engine?.startsWith('aurora');
    const d = decideRetention(p, current, aurora);
    const target = cl.DBClusterArn ?? clusterId;
    if (d.error) return blockedPlan(name, target, d.error, { current, engine: cl.Engine });
    const calls = d.change
      ? [
          call(
            'rds:ModifyDBCluster',
            {
              DBClusterIdentifier: clusterId,
              BackupRetentionPeriod: p.retentionDays,
              ApplyImmediately: p.applyImmediately,
            },
            `cluster backup retention is ${current} day(s), required ${p.retentionDays}`,
          ),
        ]
      : [];
    return makePlan(name, target, calls, { current, engine: cl.Engine, viaInstance: p.dbInstanceIdentifier ?? null });
  },
});
