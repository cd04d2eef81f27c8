import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/posture/collect/index.js';
import type { Evaluation } from '../../src/posture/engine.js';
import { hasCommand, integrationAvailable } from '../helpers/integration.js';
import { type MotoServer, startMoto } from '../helpers/moto.js';
import { vigil } from './cli-harness.js';
import { collectAndEvaluate } from './moto-collect.js';
import { buildFixture, CREDENTIALS, type Fixture, REGION } from './moto-fixture.js';

const available = integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));

describe.skipIf(!available)('collector against moto_server → rules', () => {
  let moto: MotoServer;
  let fx: Fixture;
  let evals: Evaluation[];
  let result: Awaited<ReturnType<typeof collect>>;

  beforeAll(async () => {
    // moto's ~1,200 bundled AMI snapshots would each cost a DescribeSnapshotAttribute call.
    process.env.MOTO_EC2_LOAD_DEFAULT_AMIS = 'false';
    moto = await startMoto();
    fx = await buildFixture(moto.endpoint);
    ({ result, evals } = await collectAndEvaluate(moto.endpoint));
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
  });

  const get = (rule: string, id: string) => {
    const e = evals.filter((x) => x.configRuleName === rule && x.resourceId === id);
    expect(e, `${rule} on ${id}`).toHaveLength(1);
    return e[0]!;
  };
  const status = (rule: string, id: string) => get(rule, id).complianceType;

  it('snapshot: account from the security-group owner, collected types, API calls counted once per resource set', () => {
    const s = result.snapshot;
    expect(s.configurationItems.find((c) => c.resourceType === 'AWS::::Account')!.resourceId).toBe('123456789012');
    for (const t of [
      'AWS::EC2::SecurityGroup',
      'AWS::S3::Bucket',
      'AWS::IAM::User',
      'AWS::CloudTrail::Trail',
      'AWS::KMS::Key',
      'AWS::RDS::DBInstance',
    ])
      expect(s.collectedTypes).toContain(t);
    expect(result.calls['ec2:DescribeSecurityGroups']).toBe(1);
    expect(result.calls['s3:ListBuckets']).toBe(1);
    expect(result.calls['s3:GetBucketAcl']).toBe(3);
    expect(result.totalCalls).toBeGreaterThan(30);
    if (s.errors.length > 0) console.warn('collection partial failures:', s.errors);
  });

  it('security groups, EIPs, volumes, snapshots, flow logs', () => {
    expect(get('restricted-ssh', fx.sgOpenSsh).annotation).toBe(
      'ingress tcp port 22 from 0.0.0.0/0 includes SSH port 22',
    );
    expect(status('restricted-ssh', fx.sgWeb)).toBe('COMPLIANT');
    expect(status('vpc-sg-open-only-to-authorized-ports', fx.sgWeb)).toBe('NON_COMPLIANT');
    expect(status('restricted-common-ports', fx.sgWeb)).toBe('COMPLIANT');
    expect(status('eip-attached', fx.eip)).toBe('NON_COMPLIANT');
    expect(status('s3-bucket-versioning-enabled', 'vigil-private')).toBe('COMPLIANT');
    expect(get('ebs-snapshot-public-restorable-check', '123456789012').annotation).toBe(
      `1 snapshot(s) restorable by anyone: ${fx.snapPublic}`,
    );
    expect(status('vpc-flow-logs-enabled', fx.vpcWithLogs)).toBe('COMPLIANT');
    expect(
      evals.some((e) => e.configRuleName === 'vpc-flow-logs-enabled' && e.complianceType === 'NON_COMPLIANT'),
    ).toBe(true);
    expect(status('ec2-ebs-encryption-by-default', '123456789012')).toBe('NON_COMPLIANT');
    // The default network ACLs allow all traffic from 0.0.0.0/0 (rule 100).
    const nacl = evals.filter((e) => e.configRuleName === 'nacl-no-unrestricted-ssh-rdp');
    expect(nacl.length).toBeGreaterThan(0);
    expect(nacl[0]!.annotation).toBe('entry 100 allows port 22 from 0.0.0.0/0');
  });

  it('S3 buckets', () => {
    expect(get('s3-bucket-public-read-prohibited', 'vigil-public').annotation).toBe('ACL grants read to AllUsers');
    expect(status('s3-bucket-public-read-prohibited', 'vigil-private')).toBe('COMPLIANT');
    expect(status('s3-bucket-server-side-encryption-enabled', 'vigil-private')).toBe('COMPLIANT');
    expect(status('s3-bucket-ssl-requests-only', 'vigil-private')).toBe('COMPLIANT');
    expect(status('s3-bucket-ssl-requests-only', 'vigil-public')).toBe('NON_COMPLIANT');
    expect(status('s3-bucket-versioning-enabled', 'vigil-public')).toBe('NON_COMPLIANT');
  });

  it('IAM users, password policy, policies', () => {
    const byName = (n: string) => result.snapshot.configurationItems.find((c) => c.resourceName === n)!.resourceId;
    expect(status('mfa-enabled-for-iam-console-access', byName('console-no-mfa'))).toBe('NON_COMPLIANT');
    expect(status('mfa-enabled-for-iam-console-access', byName('api-only'))).toBe('NOT_APPLICABLE');
    expect(status('access-keys-rotated', byName('api-only'))).toBe('COMPLIANT');
    expect(get('iam-password-policy', '123456789012').annotation).toMatch(/MinimumPasswordLength is 8 \(need ≥ 14\)/);
    expect(status('iam-policy-no-statements-with-admin-access', byName('too-broad'))).toBe('NON_COMPLIANT');
    expect(status('iam-policy-no-statements-with-admin-access', byName('read-logs'))).toBe('COMPLIANT');
  });

  it('CloudTrail, KMS, DynamoDB, RDS, GuardDuty', () => {
    expect(status('cloudtrail-enabled', '123456789012')).toBe('COMPLIANT');
    expect(status('multi-region-cloudtrail-enabled', '123456789012')).toBe('COMPLIANT');
    expect(status('cloud-trail-log-file-validation-enabled', '123456789012')).toBe('COMPLIANT');
    expect(status('cloud-trail-encryption-enabled', '123456789012')).toBe('NON_COMPLIANT');
    expect(status('cmk-backing-key-rotation-enabled', fx.kmsRotated)).toBe('COMPLIANT');
    expect(status('cmk-backing-key-rotation-enabled', fx.kmsPlain)).toBe('NON_COMPLIANT');
    // moto's default key policy (collected for kms-key-policy-no-public-access) grants the account root only.
    const key = result.snapshot.configurationItems.find((c) => c.resourceId === fx.kmsPlain)!;
    expect(JSON.stringify(key.supplementaryConfiguration.KeyPolicy)).toContain(':root');
    expect(status('dynamodb-pitr-enabled', 'orders')).toBe('COMPLIANT');
    expect(status('dynamodb-pitr-enabled', 'scratch')).toBe('NON_COMPLIANT');
    expect(status('db-instance-backup-enabled', 'db-backed-up')).toBe('COMPLIANT');
    expect(get('db-instance-backup-enabled', 'db-no-backup').annotation).toBe(
      'automated backups are disabled (backupRetentionPeriod 0)',
    );
    expect(status('rds-instance-public-access-check', 'db-no-backup')).toBe('NON_COMPLIANT');
    expect(status('guardduty-enabled-centralized', '123456789012')).toBe('COMPLIANT');
  });

  it('vigil posture scan --live against the endpoint gates with --fail-on', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    const r = await vigil([
      'posture',
      'scan',
      '--live',
      '--endpoint-url',
      moto.endpoint,
      '--region',
      REGION,
      '--services',
      'ec2',
      '--rules',
      'restricted-ssh',
      '-f',
      'json',
      '--fail-on',
      'HIGH',
    ]);
    expect(r.code).toBe(1);
    const open = JSON.parse(r.stdout).evaluations.find((e: { resourceId: string }) => e.resourceId === fx.sgOpenSsh);
    expect(open.complianceType).toBe('NON_COMPLIANT');
  });

  it('a failing endpoint is a recorded partial failure, not a crash', async () => {
    const r = await collect({
      regions: [REGION],
      endpoint: 'http://127.0.0.1:9',
      credentials: CREDENTIALS,
      services: ['kms'],
      maxAttempts: 1,
      timeoutMs: 2000,
    });
    expect(r.snapshot.errors[0]).toMatchObject({ service: 'kms', region: REGION, operation: 'ListKeys' });
    expect(r.snapshot.collectedTypes).toEqual(['AWS::::Account']);
  });
});
