import { compliant, defineRule, type Evidence, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { bool, field, num } from '../util.js';

/**
 * RDS instances: BackupRetentionPeriod 0–35, 0 = automated backups off. Instances in an Aurora cluster ignore their
 * own value: the cluster's 1–35 retention applies (backup-dns-patching.md §1.1), so that is what is checked.
 */
export const rule = defineRule(
  {
    name: 'db-instance-backup-enabled',
    resourceTypes: ['AWS::RDS::DBInstance'],
    parameters: [
      { name: 'backupRetentionPeriod', type: 'int', description: 'Required retention period in days' },
      { name: 'backupRetentionMinimum', type: 'int', description: 'Minimum retention period in days' },
      { name: 'preferredBackupWindow', type: 'string', description: 'Required backup window (hh24:mi-hh24:mi UTC)' },
      { name: 'checkReadReplicas', type: 'boolean', description: 'Also evaluate read replicas' },
    ],
    severity: 'MEDIUM',
    title: 'RDS DB instances have automated backups enabled',
    description:
      'Checks whether RDS DB instances have backups enabled; optionally the retention period and backup window.',
    risk: 'Without automated backups there is no point-in-time recovery after corruption, deletion or ransomware.',
    remediation: 'aws rds modify-db-instance --backup-retention-period 7 (1–35 days) --apply-immediately',
  },
  (ci, p, ctx) => {
    const c = ci.configuration;
    const replicaOf = field(c, 'readReplicaSourceDBInstanceIdentifier');
    if (replicaOf && p.checkReadReplicas !== true) return notApplicable(`read replica of ${String(replicaOf)}`);
    const clusterId = field(c, 'dBClusterIdentifier');
    const engine = String(field(c, 'engine') ?? '');
    let retention: number | undefined;
    let where: Evidence;
    let range: [number, number];
    if (typeof clusterId === 'string' && clusterId !== '' && engine.startsWith('aurora')) {
      const cluster = ctx.find('AWS::RDS::DBCluster', clusterId);
      if (!cluster) return insufficient(`Aurora cluster ${clusterId} not in the inventory; its retention applies`);
      retention = num(field(cluster.configuration, 'backupRetentionPeriod'));
      where = {
        path: `AWS::RDS::DBCluster/${clusterId}.configuration.backupRetentionPeriod`,
        value: retention ?? null,
      };
      range = [1, 35];
    } else {
      retention = num(field(c, 'backupRetentionPeriod'));
      where = { path: 'configuration.backupRetentionPeriod', value: retention ?? null };
      range = [0, 35];
    }
    if (retention === undefined) return insufficient('backupRetentionPeriod not recorded', where);
    if (retention < range[0] || retention > range[1] || !Number.isInteger(retention))
      return insufficient(`backupRetentionPeriod ${retention} is outside ${range[0]}–${range[1]}`, where);
    if (retention === 0) return nonCompliant('automated backups are disabled (backupRetentionPeriod 0)', where);
    if (typeof p.backupRetentionPeriod === 'number' && retention !== p.backupRetentionPeriod)
      return nonCompliant(`retention is ${retention} days, required ${p.backupRetentionPeriod}`, where);
    if (typeof p.backupRetentionMinimum === 'number' && retention < p.backupRetentionMinimum)
      return nonCompliant(`retention is ${retention} days, below the minimum ${p.backupRetentionMinimum}`, where);
    const window = field(c, 'preferredBackupWindow');
    if (typeof p.preferredBackupWindow === 'string' && window !== p.preferredBackupWindow)
      return nonCompliant(`backup window is ${String(window)}, required ${p.preferredBackupWindow}`, {
        path: 'configuration.preferredBackupWindow',
        value: window ?? null,
      });
    const multiAz = bool(field(c, 'multiAZ'));
    return compliant(`automated backups kept ${retention} days${multiAz ? ' (Multi-AZ)' : ''}`, where);
  },
);
