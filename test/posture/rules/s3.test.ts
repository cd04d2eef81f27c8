import { describe, expect, it } from 'vitest';
import { ACCOUNT, account, ci, one } from '../helpers.js';

const bucket = (name: string, supp: Record<string, unknown>, region = 'eu-west-1') =>
  ci('AWS::S3::Bucket', name, { supplementaryConfiguration: supp, awsRegion: region, arn: `arn:aws:s3:::${name}` });

const policy = (...Statement: unknown[]) => ({ policyText: JSON.stringify({ Version: '2012-10-17', Statement }) });
const publicGet = { Sid: 'Pub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };

describe('s3-bucket-public-read-prohibited / -write-prohibited', () => {
  it('ACL grant to AllUsers (Config spelling) is public read', () => {
    const b = bucket('b', { AccessControlList: { grantList: [{ grantee: 'AllUsers', permission: 'Read' }] } });
    const e = one('s3-bucket-public-read-prohibited', [b], 'b');
    expect(e.complianceType).toBe('NON_COMPLIANT');
    expect(e.annotation).toBe('ACL grants read to AllUsers');
    expect(one('s3-bucket-public-write-prohibited', [b], 'b').complianceType).toBe('COMPLIANT');
  });
  it('SDK ACL shape (Group URI, WRITE) is public write', () => {
    const b = bucket('b', {
      AccessControlList: {
        Grants: [
          {
            Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' },
            Permission: 'WRITE',
          },
        ],
      },
    });
    expect(one('s3-bucket-public-write-prohibited', [b], 'b').annotation).toBe(
      'ACL grants write to AuthenticatedUsers',
    );
  });
  it('policy Principal * without condition is public; a SourceIp condition restricts it', () => {
    const pub = bucket('b', { BucketPolicy: policy(publicGet) });
    const e = one('s3-bucket-public-read-prohibited', [pub], 'b');
    expect(e.annotation).toBe(
      'bucket policy statement 0 (Sid Pub) allows s3:GetObject to Principal "*" without a restricting condition',
    );
    expect(e.evidence[0]!.path).toBe('supplementaryConfiguration.BucketPolicy.policyText.Statement[0]');
    const cond = bucket('c', {
      BucketPolicy: policy({ ...publicGet, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }),
    });
    expect(one('s3-bucket-public-read-prohibited', [cond], 'c').complianceType).toBe('COMPLIANT');
    const wild = bucket('d', { BucketPolicy: policy({ ...publicGet, Principal: { AWS: ['*'] }, Action: ['s3:*'] }) });
    expect(one('s3-bucket-public-write-prohibited', [wild], 'd').annotation).toMatch(/allows s3:PutObject/);
  });
  it('bucket or account Block Public Access overrides ACL and policy', () => {
    const b = bucket('b', {
      BucketPolicy: policy(publicGet),
      AccessControlList: { grantList: [{ grantee: 'AllUsers', permission: 'Read' }] },
    });
    const acct = account({ s3PublicAccessBlock: { ignorePublicAcls: true, restrictPublicBuckets: true } });
    const e = one('s3-bucket-public-read-prohibited', [b, acct], 'b');
    expect(e.complianceType).toBe('COMPLIANT');
    expect(e.annotation).toMatch(/account ignorePublicAcls, account restrictPublicBuckets/);
    const bb = bucket('b', {
      ...b.supplementaryConfiguration,
      PublicAccessBlockConfiguration: { ignorePublicAcls: true },
    });
    expect(one('s3-bucket-public-read-prohibited', [bb], 'b').annotation).toMatch(/bucket policy statement 0/);
  });
  it('an unparseable policy is INSUFFICIENT_DATA, never COMPLIANT', () => {
    const b = bucket('b', { BucketPolicy: { policyText: '{not json' } });
    expect(one('s3-bucket-public-read-prohibited', [b], 'b').complianceType).toBe('INSUFFICIENT_DATA');
  });
});

describe('s3 encryption rules', () => {
  const sse = (alg: string, key?: string) => ({
    ServerSideEncryptionConfiguration: {
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: alg, kmsMasterKeyID: key } }],
    },
  });
  it('server-side-encryption-enabled', () => {
    expect(one('s3-bucket-server-side-encryption-enabled', [bucket('a', sse('AES256'))], 'a').annotation).toBe(
      'default encryption AES256',
    );
    expect(one('s3-bucket-server-side-encryption-enabled', [bucket('b', {})], 'b').complianceType).toBe(
      'NON_COMPLIANT',
    );
  });
  it('default-encryption-kms with kmsKeyArns', () => {
    expect(one('s3-default-encryption-kms', [bucket('a', sse('AES256'))], 'a').annotation).toBe(
      'default encryption is AES256, not aws:kms',
    );
    expect(one('s3-default-encryption-kms', [bucket('a', sse('aws:kms', 'arn:k1'))], 'a').complianceType).toBe(
      'COMPLIANT',
    );
    expect(
      one('s3-default-encryption-kms', [bucket('a', sse('aws:kms', 'arn:k1'))], 'a', { kmsKeyArns: 'arn:k2' })
        .annotation,
    ).toBe('KMS key arn:k1 is not in kmsKeyArns');
  });
});

describe('s3-bucket-ssl-requests-only', () => {
  const deny = {
    Sid: 'TLS',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: ['arn:aws:s3:::a', 'arn:aws:s3:::a/*'],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
  it('Deny on SecureTransport false passes; no policy fails', () => {
    expect(one('s3-bucket-ssl-requests-only', [bucket('a', { BucketPolicy: policy(deny) })], 'a').annotation).toBe(
      'statement 0 (Sid TLS) denies requests with aws:SecureTransport false',
    );
    expect(
      one('s3-bucket-ssl-requests-only', [bucket('b', { BucketPolicy: { policyText: null } })], 'b').annotation,
    ).toBe('bucket has no policy');
    const onlyGet = { ...deny, Action: 's3:GetObject' };
    expect(
      one('s3-bucket-ssl-requests-only', [bucket('c', { BucketPolicy: policy(onlyGet) })], 'c').complianceType,
    ).toBe('NON_COMPLIANT');
  });
});

describe('s3 logging / versioning / replication', () => {
  it('logging with targetBucket', () => {
    const a = bucket('a', { BucketLoggingConfiguration: { destinationBucketName: 'logs', logFilePrefix: 'a/' } });
    expect(one('s3-bucket-logging-enabled', [a], 'a').annotation).toBe('logging to logs/a/');
    expect(one('s3-bucket-logging-enabled', [a], 'a', { targetBucket: 'other' }).annotation).toBe(
      'logs go to logs, not other',
    );
    expect(
      one('s3-bucket-logging-enabled', [bucket('b', { BucketLoggingConfiguration: {} })], 'b').complianceType,
    ).toBe('NON_COMPLIANT');
  });
  it('versioning and MFA delete', () => {
    const on = bucket('a', { BucketVersioningConfiguration: { status: 'Enabled', isMfaDeleteEnabled: null } });
    const off = bucket('b', { BucketVersioningConfiguration: { status: 'Off' } });
    expect(one('s3-bucket-versioning-enabled', [on], 'a').complianceType).toBe('COMPLIANT');
    expect(one('s3-bucket-versioning-enabled', [on], 'a', { isMfaDeleteEnabled: 'true' }).complianceType).toBe(
      'NON_COMPLIANT',
    );
    expect(one('s3-bucket-versioning-enabled', [off], 'b').annotation).toBe('versioning is Off');
  });
  it('replication (Config map form), cross-region type checked against the destination bucket', () => {
    const src = bucket('src', {
      BucketReplicationConfiguration: {
        roleARN: 'arn:aws:iam::1:role/r',
        rules: { r1: { status: 'Enabled', destinationConfig: { bucketARN: 'arn:aws:s3:::dst' } } },
      },
    });
    const dst = bucket('dst', {}, 'us-west-2');
    expect(one('s3-bucket-replication-enabled', [src, dst], 'src').annotation).toBe('1 enabled replication rule(s)');
    expect(
      one('s3-bucket-replication-enabled', [src, dst], 'src', { ReplicationType: 'CROSS-REGION' }).complianceType,
    ).toBe('COMPLIANT');
    expect(
      one('s3-bucket-replication-enabled', [src, dst], 'src', { ReplicationType: 'SAME-REGION' }).complianceType,
    ).toBe('NON_COMPLIANT');
    expect(one('s3-bucket-replication-enabled', [src, dst], 'dst').annotation).toBe(
      'no enabled replication rule (0 rule(s))',
    );
  });
});

describe('s3-account-level-public-access-blocks-periodic', () => {
  it('all four flags required by default; parameters can relax one', () => {
    const full = {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    };
    expect(
      one('s3-account-level-public-access-blocks-periodic', [account({ s3PublicAccessBlock: full })], ACCOUNT)
        .complianceType,
    ).toBe('COMPLIANT');
    const part = { ...full, restrictPublicBuckets: false };
    expect(
      one('s3-account-level-public-access-blocks-periodic', [account({ s3PublicAccessBlock: part })], ACCOUNT)
        .annotation,
    ).toBe('account-level RestrictPublicBuckets not enabled');
    expect(
      one('s3-account-level-public-access-blocks-periodic', [account({ s3PublicAccessBlock: part })], ACCOUNT, {
        RestrictPublicBuckets: 'False',
      }).complianceType,
    ).toBe('COMPLIANT');
    expect(
      one('s3-account-level-public-access-blocks-periodic', [account({ s3PublicAccessBlock: null })], ACCOUNT)
        .annotation,
    ).toBe('no account-level public access block');
  });
});
