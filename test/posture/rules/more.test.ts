import { describe, expect, it } from 'vitest';
import { scheduleHours } from '../../../src/posture/rules/schedule.js';
import { ACCOUNT, ci, one } from '../helpers.js';

describe('EC2 extras', () => {
  it('ec2-instances-in-vpc (INSTANCES_IN_VPC)', () => {
    const a = ci('AWS::EC2::Instance', 'i-a', { configuration: { vpcId: 'vpc-1' } });
    const b = ci('AWS::EC2::Instance', 'i-b', { configuration: {} });
    expect(one('INSTANCES_IN_VPC', [a, b], 'i-a').complianceType).toBe('COMPLIANT');
    expect(one('ec2-instances-in-vpc', [a, b], 'i-a', { vpcId: 'vpc-2' }).annotation).toBe(
      'instance is in vpc-1, not vpc-2',
    );
    expect(one('ec2-instances-in-vpc', [a, b], 'i-b').annotation).toBe('instance is not in a VPC');
  });
  it('ec2-volume-inuse-check', () => {
    const a = ci('AWS::EC2::Volume', 'v-a', {
      configuration: { attachments: [{ instanceId: 'i-1', deleteOnTermination: false }] },
    });
    const b = ci('AWS::EC2::Volume', 'v-b', { configuration: { attachments: [] } });
    expect(one('ec2-volume-inuse-check', [a, b], 'v-a').annotation).toBe('attached to i-1');
    expect(one('ec2-volume-inuse-check', [a, b], 'v-a', { deleteOnTermination: 'true' }).complianceType).toBe(
      'NON_COMPLIANT',
    );
    expect(one('ec2-volume-inuse-check', [a, b], 'v-b').complianceType).toBe('NON_COMPLIANT');
  });
  it('subnet-auto-assign-public-ip-disabled', () => {
    expect(
      one(
        'subnet-auto-assign-public-ip-disabled',
        [ci('AWS::EC2::Subnet', 's', { configuration: { mapPublicIpOnLaunch: true } })],
        's',
      ).complianceType,
    ).toBe('NON_COMPLIANT');
    expect(
      one(
        'subnet-auto-assign-public-ip-disabled',
        [ci('AWS::EC2::Subnet', 's', { configuration: { mapPublicIpOnLaunch: false } })],
        's',
      ).complianceType,
    ).toBe('COMPLIANT');
  });
  it('nacl-no-unrestricted-ssh-rdp: first matching entry by rule number decides', () => {
    const entry = (
      ruleNumber: number,
      ruleAction: string,
      protocol: string,
      from?: number,
      to?: number,
      cidrBlock = '0.0.0.0/0',
    ) => ({
      ruleNumber,
      ruleAction,
      protocol,
      egress: false,
      cidrBlock,
      ...(from !== undefined ? { portRange: { from, to } } : {}),
    });
    const open = ci('AWS::EC2::NetworkAcl', 'acl-1', {
      configuration: { entries: [entry(100, 'allow', '-1'), entry(32767, 'deny', '-1')] },
    });
    expect(one('nacl-no-unrestricted-ssh-rdp', [open], 'acl-1').annotation).toBe(
      'entry 100 allows port 22 from 0.0.0.0/0',
    );
    const denyFirst = ci('AWS::EC2::NetworkAcl', 'acl-2', {
      configuration: {
        entries: [
          entry(200, 'allow', '6', 0, 65535),
          entry(90, 'deny', '6', 22, 22),
          entry(91, 'deny', '6', 3389, 3389),
        ],
      },
    });
    expect(one('nacl-no-unrestricted-ssh-rdp', [denyFirst], 'acl-2').complianceType).toBe('COMPLIANT');
    const rdp = ci('AWS::EC2::NetworkAcl', 'acl-3', {
      configuration: { entries: [entry(100, 'allow', '6', 3389, 3389)] },
    });
    expect(one('nacl-no-unrestricted-ssh-rdp', [rdp], 'acl-3').annotation).toBe(
      'entry 100 allows port 3389 from 0.0.0.0/0',
    );
  });
});

describe('RDS, DynamoDB, KMS extras', () => {
  const db = ci('AWS::RDS::DBInstance', 'db', {
    configuration: { engine: 'mysql', multiAZ: false, autoMinorVersionUpgrade: true, deletionProtection: false },
  });
  it('Multi-AZ, minor upgrades, deletion protection', () => {
    expect(one('rds-multi-az-support', [db], 'db').annotation).toBe('Multi-AZ is disabled');
    expect(one('rds-automatic-minor-version-upgrade-enabled', [db], 'db').complianceType).toBe('COMPLIANT');
    expect(one('rds-instance-deletion-protection-enabled', [db], 'db').complianceType).toBe('NON_COMPLIANT');
    expect(
      one('rds-instance-deletion-protection-enabled', [db], 'db', { databaseEngines: 'postgres' }).complianceType,
    ).toBe('NOT_APPLICABLE');
    const cl = ci('AWS::RDS::DBCluster', 'c', { configuration: { deletionProtection: true } });
    expect(one('rds-cluster-deletion-protection-enabled', [cl], 'c').complianceType).toBe('COMPLIANT');
  });
  it('dynamodb-table-encrypted-kms (SDK lowerCamel of SSEDescription)', () => {
    const kms = ci('AWS::DynamoDB::Table', 't1', {
      configuration: { sSEDescription: { status: 'ENABLED', sSEType: 'KMS', kMSMasterKeyArn: 'arn:k' } },
    });
    const owned = ci('AWS::DynamoDB::Table', 't2', { configuration: {} });
    expect(one('dynamodb-table-encrypted-kms', [kms, owned], 't1').annotation).toBe('encrypted with arn:k');
    expect(one('dynamodb-table-encrypted-kms', [kms, owned], 't2').annotation).toBe(
      'table is not encrypted with a KMS key (SSEType none)',
    );
    expect(one('dynamodb-table-encrypted-kms', [kms], 't1', { kmsKeyArns: 'arn:other' }).complianceType).toBe(
      'NON_COMPLIANT',
    );
  });
  it('kms-cmk-not-scheduled-for-deletion', () => {
    const k = ci('AWS::KMS::Key', 'k1', {
      configuration: { keyManager: 'CUSTOMER', keyState: 'PendingDeletion', deletionDate: '2026-11-08T00:00:00Z' },
    });
    expect(one('kms-cmk-not-scheduled-for-deletion', [k], 'k1').annotation).toBe(
      'key is PendingDeletion (deletion date 2026-11-08T00:00:00Z)',
    );
    expect(one('kms-cmk-not-scheduled-for-deletion', [k], 'k1', { kmsKeyIds: 'k2' }).complianceType).toBe(
      'NOT_APPLICABLE',
    );
  });
});

describe('IAM / S3 extras', () => {
  it('iam-policy-no-statements-with-full-access', () => {
    const p = (id: string, Action: unknown) =>
      ci('AWS::IAM::Policy', id, {
        configuration: {
          arn: `arn:aws:iam::${ACCOUNT}:policy/${id}`,
          policyVersionList: [
            { isDefaultVersion: true, document: { Statement: [{ Effect: 'Allow', Action, Resource: '*' }] } },
          ],
        },
      });
    expect(one('iam-policy-no-statements-with-full-access', [p('a', ['s3:GetObject', 'kms:*'])], 'a').annotation).toBe(
      'statement 0 allows kms:*',
    );
    expect(one('iam-policy-no-statements-with-full-access', [p('b', 's3:Get*')], 'b').complianceType).toBe('COMPLIANT');
  });
  it('s3-bucket-level-public-access-prohibited', () => {
    const full = {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    };
    const a = ci('AWS::S3::Bucket', 'a', { supplementaryConfiguration: { PublicAccessBlockConfiguration: full } });
    const b = ci('AWS::S3::Bucket', 'b', {
      supplementaryConfiguration: { PublicAccessBlockConfiguration: { ...full, blockPublicPolicy: false } },
    });
    const c = ci('AWS::S3::Bucket', 'c', {});
    expect(one('s3-bucket-level-public-access-prohibited', [a, b, c], 'a').complianceType).toBe('COMPLIANT');
    expect(one('s3-bucket-level-public-access-prohibited', [a, b, c], 'b').annotation).toBe(
      'bucket-level blockPublicPolicy not enabled',
    );
    expect(one('s3-bucket-level-public-access-prohibited', [a, b, c], 'c').annotation).toBe(
      'no bucket-level public access block',
    );
    expect(
      one('s3-bucket-level-public-access-prohibited', [a, b, c], 'c', { excludedPublicBuckets: 'c' }).complianceType,
    ).toBe('NOT_APPLICABLE');
  });
});

describe('backup-plan-min-frequency-and-min-retention-check', () => {
  it('schedule periods', () => {
    expect(scheduleHours('cron(0 5 ? * * *)')).toBe(24);
    expect(scheduleHours('cron(0 */12 ? * * *)')).toBe(12);
    expect(scheduleHours('cron(0 1,7 ? * * *)')).toBe(18);
    expect(scheduleHours('cron(0 5 ? * SUN *)')).toBe(168);
    expect(scheduleHours('cron(0 5 ? * MON-FRI *)')).toBe(72);
    expect(scheduleHours('cron(0 5 1 * ? *)')).toBe(744);
    expect(scheduleHours('rate(6 hours)')).toBe(6);
    expect(scheduleHours('every day')).toBeUndefined();
  });
  const plan = (rules: unknown[]) =>
    ci('AWS::Backup::BackupPlan', 'plan-1', { configuration: { backupPlan: { backupPlanName: 'p', rules } } });
  it('defaults: daily, 35 days', () => {
    expect(
      one(
        'backup-plan-min-frequency-and-min-retention-check',
        [plan([{ ruleName: 'd', scheduleExpression: 'cron(0 5 ? * * *)', lifecycle: { deleteAfterDays: 35 } }])],
        'plan-1',
      ).complianceType,
    ).toBe('COMPLIANT');
    expect(
      one(
        'backup-plan-min-frequency-and-min-retention-check',
        [plan([{ ruleName: 'w', scheduleExpression: 'cron(0 5 ? * SUN *)', lifecycle: { deleteAfterDays: 90 } }])],
        'plan-1',
      ).annotation,
    ).toBe('rule w runs every 168 hours (cron(0 5 ? * SUN *)); required at least every 1 days');
    expect(
      one(
        'backup-plan-min-frequency-and-min-retention-check',
        [plan([{ ruleName: 'd', scheduleExpression: 'cron(0 5 ? * * *)', lifecycle: { deleteAfterDays: 7 } }])],
        'plan-1',
      ).annotation,
    ).toBe('rule d keeps recovery points 7 days; required 35');
    expect(
      one(
        'backup-plan-min-frequency-and-min-retention-check',
        [plan([{ ruleName: 'd', scheduleExpression: 'cron(0 5 ? * * *)' }])],
        'plan-1',
        {
          requiredFrequencyValue: 12,
          requiredFrequencyUnit: 'hours',
        },
      ).complianceType,
    ).toBe('NON_COMPLIANT');
  });
});
