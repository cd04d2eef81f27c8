import type { Pack } from './types.js';

/**
 * The "security baseline" pack: the project seed's security considerations and backup expectations (issue 6 §2 —
 * MFA, no long-lived keys, security groups, CloudTrail, least privilege, GuardDuty, key rotation, database backups
 * with RDS 0–35 / Aurora 1–35 / DynamoDB PITR 35 days, EBS snapshots, S3 cross-region replication), each mapped to
 * the managed-rule equivalents that check it. Data only; controls are numbered SB-1 … SB-10.
 */
export const SECURITY_BASELINE: Pack = {
  id: 'security-baseline',
  title: 'Vigil security baseline (the seed’s ten security considerations)',
  controls: [
    {
      id: 'SB-1',
      title: 'MFA on the root user and on every console user',
      automated: true,
      rules: [
        { rule: 'root-account-mfa-enabled' },
        { rule: 'mfa-enabled-for-iam-console-access' },
        { rule: 'iam-user-mfa-enabled' },
      ],
    },
    {
      id: 'SB-2',
      title: 'No long-lived access keys to leak into code: none for root, rotated and used, or removed',
      automated: true,
      rules: [
        { rule: 'iam-root-access-key-check' },
        { rule: 'access-keys-rotated' },
        { rule: 'iam-user-unused-credentials-check' },
      ],
    },
    {
      id: 'SB-3',
      title: 'Security groups and network ACLs expose no administration or database ports to the internet',
      automated: true,
      rules: [
        // One check over the administration (SSH, RDP) and database (MySQL, PostgreSQL, SQL Server) ports; the AWS
        // defaults (20, 21, 3389, 3306, 4333) miss SSH and two of the three database engines.
        {
          rule: 'restricted-common-ports',
          params: {
            blockedPort1: '22',
            blockedPort2: '3389',
            blockedPort3: '3306',
            blockedPort4: '5432',
            blockedPort5: '1433',
          },
        },
        { rule: 'vpc-default-security-group-closed' },
        { rule: 'nacl-no-unrestricted-ssh-rdp' },
      ],
    },
    {
      id: 'SB-4',
      title: 'CloudTrail records every region, is encrypted and tamper-evident',
      automated: true,
      rules: [
        { rule: 'cloudtrail-enabled' },
        { rule: 'multi-region-cloudtrail-enabled' },
        { rule: 'cloud-trail-log-file-validation-enabled' },
        { rule: 'cloud-trail-encryption-enabled' },
      ],
    },
    {
      id: 'SB-5',
      title: 'Least privilege: no administrator or service-wide policies, permissions through groups and roles',
      automated: true,
      rules: [
        { rule: 'iam-policy-no-statements-with-admin-access' },
        { rule: 'iam-policy-no-statements-with-full-access' },
        { rule: 'iam-user-no-policies-check' },
        { rule: 'iam-no-inline-policy-check' },
      ],
    },
    {
      id: 'SB-6',
      title: 'GuardDuty (and Security Hub) are enabled',
      automated: true,
      rules: [{ rule: 'guardduty-enabled-centralized' }, { rule: 'securityhub-enabled' }],
    },
    {
      id: 'SB-7',
      title: 'Customer managed KMS keys rotate and are not pending deletion',
      automated: true,
      rules: [{ rule: 'cmk-backing-key-rotation-enabled' }, { rule: 'kms-cmk-not-scheduled-for-deletion' }],
    },
    {
      id: 'SB-8',
      title: 'Databases are backed up: RDS retention 1–35 days, Aurora in a backup plan, DynamoDB PITR',
      automated: true,
      rules: [
        { rule: 'db-instance-backup-enabled' },
        { rule: 'rds-in-backup-plan' },
        { rule: 'aurora-resources-protected-by-backup-plan' },
        { rule: 'dynamodb-pitr-enabled' },
        { rule: 'dynamodb-in-backup-plan' },
        { rule: 'backup-plan-min-frequency-and-min-retention-check' },
      ],
    },
    {
      id: 'SB-9',
      title: 'EBS volumes are snapshotted by a backup plan; snapshots are private',
      automated: true,
      rules: [
        { rule: 'ebs-in-backup-plan' },
        { rule: 'ebs-snapshot-public-restorable-check' },
        { rule: 'rds-snapshots-public-prohibited' },
      ],
    },
    {
      id: 'SB-10',
      title: 'S3 data is replicated to another region and versioned',
      automated: true,
      rules: [
        { rule: 's3-bucket-replication-enabled', params: { ReplicationType: 'CROSS-REGION' } },
        { rule: 's3-bucket-versioning-enabled' },
      ],
    },
  ],
};
