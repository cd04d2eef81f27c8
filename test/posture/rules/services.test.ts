import { describe, expect, it } from 'vitest';
import { ACCOUNT, account, ci, NOW, one } from '../helpers.js';

const trail = (name: string, conf: Record<string, unknown>, supp: Record<string, unknown> = {}) =>
  ci('AWS::CloudTrail::Trail', name, {
    configuration: {
      name,
      trailARN: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/${name}`,
      s3BucketName: 'trail-logs',
      ...conf,
    },
    supplementaryConfiguration: { TrailStatus: { isLogging: true }, ...supp },
  });
const T = ['AWS::CloudTrail::Trail'];

describe('CloudTrail rules', () => {
  it('cloudtrail-enabled: a logging trail; stopped trails do not count; destinations as parameters', () => {
    const t = trail('main', {});
    expect(one('cloudtrail-enabled', [t], ACCOUNT).annotation).toBe('trail main is logging');
    expect(one('cloudtrail-enabled', [t], ACCOUNT).identifier).toBe('CLOUD_TRAIL_ENABLED');
    expect(one('cloudtrail-enabled', [t], ACCOUNT, { s3BucketName: 'other' }).complianceType).toBe('NON_COMPLIANT');
    const stopped = trail('main', {}, { TrailStatus: { isLogging: false } });
    expect(one('cloudtrail-enabled', [stopped], ACCOUNT).annotation).toBe('no logging CloudTrail trail in the account');
    expect(one('cloudtrail-enabled', [account({})], ACCOUNT, {}, ['AWS::::Account']).complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
    expect(one('cloudtrail-enabled', [account({})], ACCOUNT, {}, T).complianceType).toBe('NON_COMPLIANT');
  });
  it('multi-region-cloudtrail-enabled with management-event selectors', () => {
    const single = trail('one', { isMultiRegionTrail: false });
    expect(one('multi-region-cloudtrail-enabled', [single], ACCOUNT).annotation).toBe('no logging multi-region trail');
    const multi = trail(
      'all',
      { isMultiRegionTrail: true },
      { EventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }] },
    );
    expect(one('multi-region-cloudtrail-enabled', [multi], ACCOUNT).complianceType).toBe('COMPLIANT');
    expect(one('multi-region-cloudtrail-enabled', [multi], ACCOUNT, { readWriteType: 'All' }).complianceType).toBe(
      'NON_COMPLIANT',
    );
  });
  it('encryption, log file validation, CloudWatch Logs delivery window', () => {
    const a = trail('a', { kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k', logFileValidationEnabled: true });
    const b = trail(
      'b',
      { cloudWatchLogsLogGroupArn: 'arn:aws:logs:eu-west-1:1:log-group:ct' },
      {
        TrailStatus: { isLogging: true, latestCloudWatchLogsDeliveryTime: new Date(NOW - 5 * 3_600_000).toISOString() },
      },
    );
    expect(one('cloud-trail-encryption-enabled', [a, b], ACCOUNT).annotation).toBe('trail(s) without KmsKeyId: b');
    expect(one('cloud-trail-encryption-enabled', [a], ACCOUNT).complianceType).toBe('COMPLIANT');
    expect(one('cloud-trail-log-file-validation-enabled', [a, b], ACCOUNT).annotation).toBe(
      'log file validation disabled on b',
    );
    expect(one('cloud-trail-cloud-watch-logs-enabled', [a, b], ACCOUNT).complianceType).toBe('COMPLIANT');
    expect(
      one('cloud-trail-cloud-watch-logs-enabled', [a, b], ACCOUNT, { expectedDeliveryWindowAge: 4 }).annotation,
    ).toBe('no trail delivered to CloudWatch Logs in the last 4 hours');
    expect(one('cloud-trail-cloud-watch-logs-enabled', [a], ACCOUNT).complianceType).toBe('NON_COMPLIANT');
  });
  it('cloudtrail-s3-dataevents-enabled: classic and advanced selectors', () => {
    const all = trail(
      'd',
      {},
      { EventSelectors: [{ dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] },
    );
    expect(one('cloudtrail-s3-dataevents-enabled', [all], ACCOUNT).annotation).toBe(
      'S3 data events logged for all buckets',
    );
    const some = trail(
      'e',
      {},
      { EventSelectors: [{ dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::b1/'] }] }] },
    );
    expect(one('cloudtrail-s3-dataevents-enabled', [some], ACCOUNT).complianceType).toBe('NON_COMPLIANT');
    expect(one('cloudtrail-s3-dataevents-enabled', [some], ACCOUNT, { S3BucketNames: 'b1' }).complianceType).toBe(
      'COMPLIANT',
    );
    const adv = trail(
      'f',
      {},
      {
        AdvancedEventSelectors: [
          {
            fieldSelectors: [
              { field: 'eventCategory', equals: ['Data'] },
              { field: 'resources.type', equals: ['AWS::S3::Object'] },
            ],
          },
        ],
      },
    );
    expect(one('cloudtrail-s3-dataevents-enabled', [adv], ACCOUNT).complianceType).toBe('COMPLIANT');
  });
});

describe('KMS, GuardDuty, Security Hub', () => {
  it('cmk-backing-key-rotation-enabled', () => {
    const k = (id: string, c: Record<string, unknown>, rot?: boolean) =>
      ci('AWS::KMS::Key', id, {
        configuration: {
          keyManager: 'CUSTOMER',
          keySpec: 'SYMMETRIC_DEFAULT',
          keyState: 'Enabled',
          origin: 'AWS_KMS',
          ...c,
        },
        supplementaryConfiguration: rot === undefined ? {} : { KeyRotationStatus: rot },
      });
    const items = [
      k('k1', {}, true),
      k('k2', {}, false),
      k('k3', { keySpec: 'RSA_2048' }, false),
      k('k4', { keyManager: 'AWS' }),
      k('k5', {}),
    ];
    expect(one('cmk-backing-key-rotation-enabled', items, 'k1').complianceType).toBe('COMPLIANT');
    expect(one('cmk-backing-key-rotation-enabled', items, 'k2').annotation).toBe('automatic key rotation is disabled');
    expect(one('cmk-backing-key-rotation-enabled', items, 'k3').complianceType).toBe('NOT_APPLICABLE');
    expect(one('cmk-backing-key-rotation-enabled', items, 'k4').complianceType).toBe('NOT_APPLICABLE');
    expect(one('cmk-backing-key-rotation-enabled', items, 'k5').complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('guardduty-enabled-centralized', () => {
    const d = (status: string, admin?: string) =>
      ci('AWS::GuardDuty::Detector', 'det1', {
        configuration: { status },
        supplementaryConfiguration: admin ? { Administrator: { accountId: admin } } : {},
      });
    expect(one('guardduty-enabled-centralized', [d('ENABLED')], ACCOUNT).annotation).toBe(
      'GuardDuty enabled in eu-west-1',
    );
    expect(one('guardduty-enabled-centralized', [d('DISABLED')], ACCOUNT).annotation).toBe(
      'GuardDuty detector is disabled',
    );
    expect(
      one('guardduty-enabled-centralized', [d('ENABLED')], ACCOUNT, { CentralMonitoringAccount: '999988887777' })
        .annotation,
    ).toBe('GuardDuty administrator is none, not 999988887777');
    expect(
      one('guardduty-enabled-centralized', [d('ENABLED', '999988887777')], ACCOUNT, {
        CentralMonitoringAccount: '999988887777',
      }).complianceType,
    ).toBe('COMPLIANT');
    expect(
      one('guardduty-enabled-centralized', [account({})], ACCOUNT, {}, ['AWS::GuardDuty::Detector']).annotation,
    ).toBe('no GuardDuty detector');
  });
  it('securityhub-enabled', () => {
    expect(one('securityhub-enabled', [account({ securityHub: { 'eu-west-1': false } })], ACCOUNT).annotation).toBe(
      'Security Hub not enabled in eu-west-1',
    );
    expect(one('securityhub-enabled', [account({ securityHub: { 'eu-west-1': true } })], ACCOUNT).complianceType).toBe(
      'COMPLIANT',
    );
  });
});

describe('RDS and DynamoDB backup rules', () => {
  const db = (id: string, c: Record<string, unknown>) =>
    ci('AWS::RDS::DBInstance', id, { configuration: { dBInstanceIdentifier: id, engine: 'postgres', ...c } });
  it('db-instance-backup-enabled: RDS retention 0–35, 0 disables', () => {
    expect(one('db-instance-backup-enabled', [db('a', { backupRetentionPeriod: 0 })], 'a').annotation).toBe(
      'automated backups are disabled (backupRetentionPeriod 0)',
    );
    expect(one('db-instance-backup-enabled', [db('a', { backupRetentionPeriod: 7 })], 'a').annotation).toBe(
      'automated backups kept 7 days',
    );
    expect(
      one('db-instance-backup-enabled', [db('a', { backupRetentionPeriod: 7 })], 'a', { backupRetentionMinimum: 14 })
        .annotation,
    ).toBe('retention is 7 days, below the minimum 14');
    expect(
      one('db-instance-backup-enabled', [db('a', { backupRetentionPeriod: 7 })], 'a', { backupRetentionPeriod: 7 })
        .complianceType,
    ).toBe('COMPLIANT');
    expect(one('db-instance-backup-enabled', [db('a', { backupRetentionPeriod: 40 })], 'a').complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
    expect(
      one(
        'db-instance-backup-enabled',
        [db('a', { backupRetentionPeriod: 7, preferredBackupWindow: '03:00-03:30' })],
        'a',
        { preferredBackupWindow: '01:00-01:30' },
      ).annotation,
    ).toBe('backup window is 03:00-03:30, required 01:00-01:30');
  });
  it('read replicas only with checkReadReplicas', () => {
    const r = db('r', { backupRetentionPeriod: 0, readReplicaSourceDBInstanceIdentifier: 'a' });
    expect(one('db-instance-backup-enabled', [r], 'r').complianceType).toBe('NOT_APPLICABLE');
    expect(one('db-instance-backup-enabled', [r], 'r', { checkReadReplicas: true }).complianceType).toBe(
      'NON_COMPLIANT',
    );
  });
  it('Aurora instances use the cluster retention (1–35)', () => {
    const inst = db('au1', { engine: 'aurora-postgresql', dBClusterIdentifier: 'c1', backupRetentionPeriod: 0 });
    const cluster = ci('AWS::RDS::DBCluster', 'c1', { configuration: { backupRetentionPeriod: 1 } });
    const e = one('db-instance-backup-enabled', [inst, cluster], 'au1');
    expect(e.complianceType).toBe('COMPLIANT');
    expect(e.evidence[0]).toEqual({ path: 'AWS::RDS::DBCluster/c1.configuration.backupRetentionPeriod', value: 1 });
    expect(
      one('db-instance-backup-enabled', [inst, cluster], 'au1', { backupRetentionMinimum: 7 }).complianceType,
    ).toBe('NON_COMPLIANT');
    const bad = ci('AWS::RDS::DBCluster', 'c1', { configuration: { backupRetentionPeriod: 0 } });
    expect(one('db-instance-backup-enabled', [inst, bad], 'au1').annotation).toBe(
      'backupRetentionPeriod 0 is outside 1–35',
    );
    expect(one('db-instance-backup-enabled', [inst], 'au1').complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('rds-storage-encrypted and rds-instance-public-access-check', () => {
    const a = db('a', { storageEncrypted: false, publiclyAccessible: true });
    const b = db('b', {
      storageEncrypted: true,
      kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k1',
      publiclyAccessible: false,
    });
    expect(one('rds-storage-encrypted', [a, b], 'a').complianceType).toBe('NON_COMPLIANT');
    expect(one('rds-storage-encrypted', [a, b], 'b', { kmsKeyId: 'k1' }).complianceType).toBe('COMPLIANT');
    expect(one('rds-instance-public-access-check', [a, b], 'a').annotation).toBe('instance is publicly accessible');
    expect(one('rds-instance-public-access-check', [a, b], 'b').complianceType).toBe('COMPLIANT');
  });
  it('dynamodb-pitr-enabled', () => {
    const t = (id: string, status?: string) =>
      ci('AWS::DynamoDB::Table', id, {
        supplementaryConfiguration: status
          ? {
              ContinuousBackupsDescription: {
                pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: status, recoveryPeriodInDays: 35 },
              },
            }
          : {},
      });
    expect(one('dynamodb-pitr-enabled', [t('a', 'ENABLED')], 'a').annotation).toBe(
      'point-in-time recovery is ENABLED (35 days)',
    );
    expect(one('dynamodb-pitr-enabled', [t('b', 'DISABLED')], 'b').complianceType).toBe('NON_COMPLIANT');
    expect(one('dynamodb-pitr-enabled', [t('c')], 'c').complianceType).toBe('INSUFFICIENT_DATA');
  });
});
