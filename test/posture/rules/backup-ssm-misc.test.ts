import { describe, expect, it } from 'vitest';
import { ACCOUNT, account, ci, daysAgo, NOW, one, run } from '../helpers.js';

const SEL = 'AWS::Backup::BackupSelection';
const PLAN = 'AWS::Backup::BackupPlan';
const selection = (id: string, body: Record<string, unknown>, planId = 'plan-1') =>
  ci(SEL, id, {
    configuration: { backupPlanId: planId, selectionId: id, backupSelection: { selectionName: id, ...body } },
  });
const plan = (id: string, rules: Record<string, unknown>[]) =>
  ci(PLAN, id, { configuration: { backupPlanId: id, backupPlan: { backupPlanName: id, rules } } });
const table = (name: string, tags: Record<string, string> = {}) => ci('AWS::DynamoDB::Table', name, { tags });

describe('AWS Backup plan coverage', () => {
  it('dynamodb-in-backup-plan: by ARN pattern, by ListOfTags, NotResources, Conditions, none, uncollected', () => {
    const byArn = selection('all-tables', { resources: [`arn:aws:dynamodb:*:${ACCOUNT}:table/*`] });
    expect(one('dynamodb-in-backup-plan', [table('orders'), byArn], 'orders').annotation).toBe(
      `DynamoDB table orders is backed up: selection all-tables (plan plan-1) by resource pattern arn:aws:dynamodb:*:${ACCOUNT}:table/*`,
    );
    const byTag = selection('tagged', {
      listOfTags: [{ conditionType: 'STRINGEQUALS', conditionKey: 'backup', conditionValue: 'daily' }],
    });
    expect(one('dynamodb-in-backup-plan', [table('t', { backup: 'daily' }), byTag], 't').complianceType).toBe(
      'COMPLIANT',
    );
    expect(one('dynamodb-in-backup-plan', [table('u'), byTag], 'u').annotation).toBe(
      'DynamoDB table u is in no AWS Backup plan selection',
    );
    const excluded = selection('all-but', {
      resources: ['*'],
      notResources: [`arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/scratch`],
    });
    expect(one('dynamodb-in-backup-plan', [table('scratch'), excluded], 'scratch').complianceType).toBe(
      'NON_COMPLIANT',
    );
    const conditioned = selection('prod-only', {
      resources: ['*'],
      conditions: { stringEquals: [{ conditionKey: 'aws:ResourceTag/env', conditionValue: 'prod' }] },
    });
    expect(one('dynamodb-in-backup-plan', [table('p', { env: 'prod' }), conditioned], 'p').complianceType).toBe(
      'COMPLIANT',
    );
    expect(one('dynamodb-in-backup-plan', [table('d', { env: 'dev' }), conditioned], 'd').complianceType).toBe(
      'NON_COMPLIANT',
    );
    expect(one('dynamodb-in-backup-plan', [table('x')], 'x', {}, ['AWS::DynamoDB::Table']).complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
  });

  it('rds-in-backup-plan uses the instance ARN', () => {
    const db = ci('AWS::RDS::DBInstance', 'db1');
    const sel = selection('dbs', { resources: [`arn:aws:rds:eu-west-1:${ACCOUNT}:db:db1`] });
    expect(one('rds-in-backup-plan', [db, sel], 'db1').complianceType).toBe('COMPLIANT');
    expect(one('rds-in-backup-plan', [db], 'db1', {}, [SEL]).complianceType).toBe('NON_COMPLIANT');
  });

  it('ebs-in-backup-plan / efs-in-backup-plan are account-scoped lists', () => {
    const acct = account({});
    const v1 = ci('AWS::EC2::Volume', 'vol-1', { tags: { backup: 'yes' } });
    const v2 = ci('AWS::EC2::Volume', 'vol-2');
    const sel = selection('vols', {
      listOfTags: [{ conditionType: 'STRINGEQUALS', conditionKey: 'backup', conditionValue: 'yes' }],
    });
    expect(one('ebs-in-backup-plan', [acct, v1, v2, sel], ACCOUNT).annotation).toBe(
      '1 of 2 EBS volume(s) in no backup plan: vol-2',
    );
    expect(one('ebs-in-backup-plan', [acct, v1, sel], ACCOUNT).complianceType).toBe('COMPLIANT');
    expect(
      one('ebs-in-backup-plan', [acct, v1], ACCOUNT, {}, ['AWS::::Account', 'AWS::EC2::Volume']).complianceType,
    ).toBe('INSUFFICIENT_DATA');
    const fs = ci('AWS::EFS::FileSystem', 'fs-1');
    const all = selection('efs', { resources: ['arn:aws:elasticfilesystem:*:*:file-system/*'] });
    expect(one('efs-in-backup-plan', [acct, fs, all], ACCOUNT).annotation).toBe(
      'all 1 EFS file system(s) are in a backup plan selection',
    );
    expect(
      one('efs-in-backup-plan', [acct, fs], ACCOUNT, {}, ['AWS::::Account', 'AWS::EFS::FileSystem', SEL])
        .complianceType,
    ).toBe('NON_COMPLIANT');
  });

  it('aurora-resources-protected-by-backup-plan: scope parameters, copies, vault lock', () => {
    const cl = ci('AWS::RDS::DBCluster', 'aur', {
      configuration: { engine: 'aurora-postgresql' },
      tags: { tier: 'gold' },
    });
    const sel = selection('aurora', { resources: [`arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:*`] });
    const p = plan('plan-1', [
      {
        ruleName: 'daily',
        targetBackupVaultName: 'locked',
        copyActions: [{ destinationBackupVaultArn: 'arn:aws:backup:eu-central-1:999988887777:backup-vault:dr' }],
      },
    ]);
    const vault = ci('AWS::Backup::BackupVault', 'locked', {
      configuration: { backupVaultName: 'locked', locked: true, minRetentionDays: 7, maxRetentionDays: 365 },
    });
    const items = [cl, sel, p, vault];
    const R = 'aurora-resources-protected-by-backup-plan';
    expect(one(R, items, 'aur').complianceType).toBe('COMPLIANT');
    expect(
      one(R, items, 'aur', { crossRegionList: 'eu-central-1', crossAccountList: '999988887777' }).complianceType,
    ).toBe('COMPLIANT');
    expect(one(R, items, 'aur', { crossRegionList: 'us-west-2' }).annotation).toBe(
      'no backup plan copies recovery points of aur to region us-west-2',
    );
    expect(one(R, items, 'aur', { backupVaultLockCheck: 'True', minRetentionDays: 7 }).complianceType).toBe(
      'COMPLIANT',
    );
    expect(one(R, items, 'aur', { backupVaultLockCheck: 'True', minRetentionDays: 30 }).annotation).toBe(
      'no target vault of aur is locked within the required retention',
    );
    expect(one(R, items, 'aur', { resourceTags: '{"tier":"silver"}' }).complianceType).toBe('NOT_APPLICABLE');
    expect(one(R, items, 'aur', { resourceId: 'other' }).complianceType).toBe('NOT_APPLICABLE');
    expect(
      one(R, [ci('AWS::RDS::DBCluster', 'pg', { configuration: { engine: 'postgres' } })], 'pg').complianceType,
    ).toBe('NOT_APPLICABLE');
    expect(one(R, [cl], 'aur', {}, ['AWS::RDS::DBCluster', SEL]).annotation).toBe(
      'Aurora cluster aur is in no AWS Backup plan selection',
    );
    expect(one(R, [cl], 'aur', {}, ['AWS::RDS::DBCluster']).complianceType).toBe('INSUFFICIENT_DATA');
  });
});

describe('Systems Manager', () => {
  const inst = (id: string, state = 'running', extra: Record<string, unknown> = {}) =>
    ci('AWS::EC2::Instance', id, { configuration: { instanceId: id, state: { name: state }, ...extra } });
  const INV = 'AWS::SSM::ManagedInstanceInventory';
  it('ec2-instance-managed-by-systems-manager', () => {
    const inv = ci(INV, 'i-1', { configuration: { instanceId: 'i-1', pingStatus: 'Online', agentVersion: '3.3.0' } });
    const R = 'ec2-instance-managed-by-systems-manager';
    const onInstance = (items: ReturnType<typeof ci>[], id: string, collected?: string[]) =>
      run(R, items, {}, collected).filter((e) => e.resourceType === 'AWS::EC2::Instance' && e.resourceId === id);
    const [managed] = onInstance([inst('i-1'), inv], 'i-1');
    expect(managed!.annotation).toBe('instance is managed by Systems Manager (ping Online, agent 3.3.0)');
    expect(managed!.identifier).toBe('EC2_INSTANCE_MANAGED_BY_SSM');
    expect(run(R, [inv]).map((e) => e.complianceType)).toEqual(['NOT_APPLICABLE']);
    expect(onInstance([inst('i-2'), inv], 'i-2')[0]!.annotation).toBe(
      'instance i-2 is not registered with Systems Manager',
    );
    expect(onInstance([inst('i-3', 'terminated')], 'i-3')[0]!.complianceType).toBe('NOT_APPLICABLE');
    expect(onInstance([inst('i-4')], 'i-4', ['AWS::EC2::Instance'])[0]!.complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('patch and association compliance summaries', () => {
    const P = 'AWS::SSM::PatchCompliance';
    const ok = ci(P, 'i-1', { configuration: { status: 'COMPLIANT', compliantSummary: { compliantCount: 12 } } });
    const bad = ci(P, 'i-2', {
      configuration: {
        status: 'NON_COMPLIANT',
        nonCompliantSummary: { nonCompliantCount: 3, severitySummary: { criticalCount: 1, highCount: 2, lowCount: 0 } },
      },
    });
    expect(one('ec2-managedinstance-patch-compliance-status-check', [ok], 'i-1').annotation).toBe(
      'patch compliance is COMPLIANT (12 item(s))',
    );
    expect(one('ec2-managedinstance-patch-compliance-status-check', [bad], 'i-2').annotation).toBe(
      'patch compliance is NON_COMPLIANT: 3 non-compliant item(s) (1 critical, 2 high)',
    );
    expect(one('ec2-managedinstance-patch-compliance-status-check', [ci(P, 'i-3')], 'i-3').complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
    const A = 'AWS::SSM::AssociationCompliance';
    expect(
      one(
        'ec2-managedinstance-association-compliance-status-check',
        [ci(A, 'i-1', { configuration: { status: 'NON_COMPLIANT' } })],
        'i-1',
      ).complianceType,
    ).toBe('NON_COMPLIANT');
  });
  it('ec2-stopped-instance: AllowedDays default 30 from stateTransitionReason', () => {
    const at = (d: number) =>
      daysAgo(d)
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' GMT');
    const old = inst('i-5', 'stopped', { stateTransitionReason: `User initiated (${at(45)})` });
    const recent = inst('i-6', 'stopped', { stateTransitionReason: `User initiated (${at(3)})` });
    expect(one('ec2-stopped-instance', [old], 'i-5').annotation).toBe('stopped for 45 days (allowed 30)');
    expect(one('ec2-stopped-instance', [old], 'i-5', { AllowedDays: 60 }).complianceType).toBe('COMPLIANT');
    expect(one('ec2-stopped-instance', [recent], 'i-6').complianceType).toBe('COMPLIANT');
    expect(one('ec2-stopped-instance', [inst('i-7')], 'i-7').annotation).toBe('instance is running');
    expect(one('ec2-stopped-instance', [inst('i-8', 'terminated')], 'i-8').complianceType).toBe('NOT_APPLICABLE');
    expect(
      one('ec2-stopped-instance', [inst('i-9', 'stopped', { stateTransitionReason: '' })], 'i-9').complianceType,
    ).toBe('INSUFFICIENT_DATA');
    expect(NOW).toBeGreaterThan(0);
  });
});

describe('Lambda, SNS, EFS', () => {
  const fn = (name: string, conf: Record<string, unknown>, policy?: unknown) =>
    ci('AWS::Lambda::Function', name, {
      configuration: { functionName: name, ...conf },
      supplementaryConfiguration: policy === undefined ? {} : { Policy: policy },
    });
  const pol = (stmt: Record<string, unknown>) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 's1', Effect: 'Allow', Action: 'lambda:InvokeFunction', ...stmt }],
    });
  it('lambda-function-public-access-prohibited', () => {
    const R = 'lambda-function-public-access-prohibited';
    expect(one(R, [fn('f', {}, pol({ Principal: '*' }))], 'f').annotation).toBe(
      'statement 0 (Sid s1) allows any principal to lambda:InvokeFunction',
    );
    expect(one(R, [fn('f', {}, pol({ Principal: { Service: 's3.amazonaws.com' } }))], 'f').annotation).toBe(
      'statement 0 (Sid s1) allows service s3.amazonaws.com without a source account/ARN condition to lambda:InvokeFunction',
    );
    const scoped = pol({
      Principal: { Service: 's3.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceAccount': ACCOUNT } },
    });
    expect(one(R, [fn('f', {}, scoped)], 'f').complianceType).toBe('COMPLIANT');
    expect(one(R, [fn('f', {}, null)], 'f').annotation).toBe('the function has no resource-based policy');
    expect(one(R, [fn('f', {})], 'f').complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('lambda-inside-vpc with subnetIds', () => {
    const inVpc = fn('v', { vpcConfig: { subnetIds: ['subnet-a', 'subnet-b'], vpcId: 'vpc-1' } });
    expect(one('lambda-inside-vpc', [inVpc], 'v').annotation).toBe('attached to vpc-1 via subnet-a, subnet-b');
    expect(one('lambda-inside-vpc', [inVpc], 'v', { subnetIds: 'subnet-a' }).annotation).toBe(
      'subnet(s) subnet-b are not in the allowed list',
    );
    expect(one('lambda-inside-vpc', [fn('n', { vpcConfig: { subnetIds: [] } })], 'n').complianceType).toBe(
      'NON_COMPLIANT',
    );
  });
  it('sns-encrypted-kms with kmsKeyIds', () => {
    const t = (arn: string, key?: string) =>
      ci('AWS::SNS::Topic', arn, { configuration: { topicArn: arn, ...(key ? { kmsMasterKeyId: key } : {}) } });
    expect(one('sns-encrypted-kms', [t('t1', 'alias/aws/sns')], 't1').annotation).toBe('encrypted with alias/aws/sns');
    expect(one('sns-encrypted-kms', [t('t2')], 't2').complianceType).toBe('NON_COMPLIANT');
    const keyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234`;
    expect(one('sns-encrypted-kms', [t('t3', keyArn)], 't3', { kmsKeyIds: '1234' }).complianceType).toBe('COMPLIANT');
    expect(one('sns-encrypted-kms', [t('t3', keyArn)], 't3', { kmsKeyIds: '9999' }).complianceType).toBe(
      'NON_COMPLIANT',
    );
  });
  it('efs-encrypted-check with KmsKeyId', () => {
    const acct = account({});
    const enc = ci('AWS::EFS::FileSystem', 'fs-1', { configuration: { encrypted: true, kmsKeyId: 'arn:k1' } });
    const plain = ci('AWS::EFS::FileSystem', 'fs-2', { configuration: { encrypted: false } });
    expect(one('efs-encrypted-check', [acct, enc], ACCOUNT).complianceType).toBe('COMPLIANT');
    expect(one('efs-encrypted-check', [acct, enc, plain], ACCOUNT).annotation).toBe(
      '1 of 2 file system(s): fs-2 (unencrypted)',
    );
    expect(one('efs-encrypted-check', [acct, enc], ACCOUNT, { KmsKeyId: 'arn:k2' }).annotation).toBe(
      '1 of 1 file system(s): fs-1 (key arn:k1)',
    );
    expect(one('efs-encrypted-check', [acct], ACCOUNT, {}, ['AWS::::Account']).complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
  });
});

describe('RDS, S3 ACLs, IAM groups', () => {
  it('rds-snapshots-public-prohibited and rds-snapshot-encrypted', () => {
    const snap = (id: string, values: string[] | undefined, encrypted?: boolean) =>
      ci('AWS::RDS::DBSnapshot', id, {
        configuration: encrypted === undefined ? {} : { encrypted },
        supplementaryConfiguration:
          values === undefined ? {} : { DBSnapshotAttributes: [{ attributeName: 'restore', attributeValues: values }] },
      });
    expect(one('rds-snapshots-public-prohibited', [snap('s1', ['all'])], 's1').annotation).toBe(
      'the snapshot is restorable by all AWS accounts (restore=all)',
    );
    expect(one('rds-snapshots-public-prohibited', [snap('s2', ['111111111111'])], 's2').annotation).toBe(
      'shared with 1 account(s), not public',
    );
    expect(one('rds-snapshots-public-prohibited', [snap('s3', undefined)], 's3').complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
    const cs = ci('AWS::RDS::DBClusterSnapshot', 'c1', {
      configuration: { storageEncrypted: false },
      supplementaryConfiguration: { DBClusterSnapshotAttributes: [{ attributeName: 'restore', attributeValues: [] }] },
    });
    expect(one('rds-snapshots-public-prohibited', [cs], 'c1').annotation).toBe('not shared');
    expect(one('rds-snapshot-encrypted', [cs], 'c1').annotation).toBe('snapshot is not encrypted');
    expect(one('rds-snapshot-encrypted', [snap('s4', [], true)], 's4').complianceType).toBe('COMPLIANT');
    expect(one('rds-snapshot-encrypted', [snap('s5', [])], 's5').complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('rds-logging-enabled: per-engine log types, additionalLogs, Aurora cluster exports, status', () => {
    const db = (id: string, engine: string, logs: string[], extra: Record<string, unknown> = {}) =>
      ci('AWS::RDS::DBInstance', id, {
        configuration: { dBInstanceStatus: 'available', engine, enabledCloudwatchLogsExports: logs, ...extra },
      });
    expect(one('rds-logging-enabled', [db('p', 'postgres', ['postgresql', 'upgrade'])], 'p').complianceType).toBe(
      'COMPLIANT',
    );
    expect(one('rds-logging-enabled', [db('m', 'mysql', ['error'])], 'm').annotation).toBe(
      'mysql does not export log type(s) audit, general, slowquery to CloudWatch Logs',
    );
    expect(
      one('rds-logging-enabled', [db('p', 'postgres', ['postgresql', 'upgrade'])], 'p', {
        additionalLogs: 'postgres: iam-db-auth-error ; oracle: general',
      }).annotation,
    ).toBe('postgres does not export log type(s) iam-db-auth-error to CloudWatch Logs');
    expect(
      one('rds-logging-enabled', [db('o', 'oracle-ee', ['alert', 'audit', 'trace', 'listener'])], 'o').complianceType,
    ).toBe('COMPLIANT');
    expect(
      one('rds-logging-enabled', [db('s', 'postgres', [], { dBInstanceStatus: 'stopped' })], 's').complianceType,
    ).toBe('NOT_APPLICABLE');
    const member = db('a1', 'aurora-postgresql', [], { dBClusterIdentifier: 'aur' });
    const cluster = ci('AWS::RDS::DBCluster', 'aur', {
      configuration: { enabledCloudwatchLogsExports: ['postgresql'] },
    });
    expect(one('rds-logging-enabled', [member, cluster], 'a1').complianceType).toBe('COMPLIANT');
    expect(
      one('rds-logging-enabled', [db('p', 'postgres', [])], 'p', { additionalLogs: 'nonsense' }).complianceType,
    ).toBe('INSUFFICIENT_DATA');
  });
  it('rds-enhanced-monitoring-enabled', () => {
    const db = (id: string, monitoringInterval?: number) =>
      ci('AWS::RDS::DBInstance', id, { configuration: monitoringInterval === undefined ? {} : { monitoringInterval } });
    expect(one('rds-enhanced-monitoring-enabled', [db('a', 60)], 'a').annotation).toBe(
      'enhanced monitoring every 60 s',
    );
    expect(one('rds-enhanced-monitoring-enabled', [db('b', 0)], 'b').complianceType).toBe('NON_COMPLIANT');
    expect(one('rds-enhanced-monitoring-enabled', [db('a', 60)], 'a', { monitoringInterval: 5 }).annotation).toBe(
      'monitoring interval is 60 s, required 5 s',
    );
    expect(one('rds-enhanced-monitoring-enabled', [db('c')], 'c').complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('s3-bucket-acl-prohibited', () => {
    const bucket = (name: string, grants: unknown[] | undefined, own?: string) =>
      ci('AWS::S3::Bucket', name, {
        supplementaryConfiguration: {
          ...(grants === undefined ? {} : { AccessControlList: { owner: { id: 'OWNER' }, grantList: grants } }),
          ...(own ? { BucketOwnershipControls: { rules: [{ objectOwnership: own }] } } : {}),
        },
      });
    const ownerOnly = [{ grantee: { id: 'OWNER' }, permission: 'FullControl' }];
    expect(one('s3-bucket-acl-prohibited', [bucket('a', ownerOnly)], 'a').complianceType).toBe('COMPLIANT');
    expect(
      one(
        's3-bucket-acl-prohibited',
        [bucket('b', [...ownerOnly, { grantee: 'LogDelivery', permission: 'Write' }])],
        'b',
      ).annotation,
    ).toBe('ACL grants write to LogDelivery');
    expect(one('s3-bucket-acl-prohibited', [bucket('c', undefined, 'BucketOwnerEnforced')], 'c').complianceType).toBe(
      'COMPLIANT',
    );
    expect(one('s3-bucket-acl-prohibited', [bucket('d', undefined)], 'd').complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('iam-group-has-users-check from GetGroup users or users’ groupList', () => {
    const g = (name: string, users?: string[]) =>
      ci('AWS::IAM::Group', `AGPA${name}`, {
        configuration: { groupName: name },
        supplementaryConfiguration: users === undefined ? {} : { Users: users.map((userName) => ({ userName })) },
      });
    expect(one('iam-group-has-users-check', [g('admins', ['alice'])], 'AGPAadmins').annotation).toBe(
      'group admins has 1 user(s): alice',
    );
    expect(one('iam-group-has-users-check', [g('empty', [])], 'AGPAempty').annotation).toBe('group empty has no users');
    const u = ci('AWS::IAM::User', 'AIDA1', { configuration: { userName: 'bob', groupList: ['ops'] } });
    expect(one('iam-group-has-users-check', [g('ops'), u], 'AGPAops').complianceType).toBe('COMPLIANT');
    expect(one('iam-group-has-users-check', [g('ops')], 'AGPAops', {}, ['AWS::IAM::Group']).complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
  });
});
