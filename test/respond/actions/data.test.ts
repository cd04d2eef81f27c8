import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeSnapshotAttributeCommand,
  EC2Client,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  CreateBucketCommand,
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPabCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/respond/action.js';
import { ec2MakeSnapshotPrivate } from '../../../src/respond/actions/ec2-make-snapshot-private.js';
import { rdsMakeSnapshotPrivate } from '../../../src/respond/actions/rds-make-snapshot-private.js';
import {
  decidePublicAccessBlock,
  s3BlockPublicAccessAccount,
  s3BlockPublicAccessBucket,
} from '../../../src/respond/actions/s3-block-public-access.js';
import {
  decideEncryption,
  s3EnableDefaultEncryption,
} from '../../../src/respond/actions/s3-enable-default-encryption.js';
import { s3EnableVersioning } from '../../../src/respond/actions/s3-enable-versioning.js';
import {
  s3RemovePublicAclGrants,
  splitPublicGrants,
} from '../../../src/respond/actions/s3-remove-public-acl-grants.js';
import {
  s3RemovePublicPolicyStatements,
  splitPublicStatements,
} from '../../../src/respond/actions/s3-remove-public-policy-statements.js';
import type { MotoServer } from '../../helpers/moto.js';
import { ACCOUNT, motoAvailable, params, planApplyReplan, type SdkConfig, startMotoContext } from './harness.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

describe('data decisions (pure)', () => {
  it('public access block: tightens only, never turns a setting off', () => {
    const p = params(s3BlockPublicAccessBucket, { bucket: 'bkt', restrictPublicBuckets: false });
    expect(
      decidePublicAccessBlock(p, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true }),
    ).toBeUndefined();
    expect(decidePublicAccessBlock(p, { RestrictPublicBuckets: true })!.config.RestrictPublicBuckets).toBe(true);
    expect(decidePublicAccessBlock(p, { BlockPublicAcls: true })!.missing).toEqual([
      'IgnorePublicAcls',
      'BlockPublicPolicy',
    ]);
  });
  it('policy statements: Allow-* removed; Deny-* and condition-restricted Allow-* kept', () => {
    const { keep, removed } = splitPublicStatements({
      Statement: [
        { Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
        { Sid: 'PublicAws', Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 's3:*', Resource: '*' },
        {
          Sid: 'TlsOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'Vpce',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } },
        },
        { Sid: 'Acct', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:GetObject' },
      ],
    });
    expect(removed.map((s) => s.Sid)).toEqual(['Public', 'PublicAws']);
    expect(keep.map((s) => s.Sid)).toEqual(['TlsOnly', 'Vpce', 'Acct']);
  });
  it('ACL grants: AllUsers and AuthenticatedUsers removed', () => {
    const { keep, removed } = splitPublicGrants([
      { Grantee: { Type: 'CanonicalUser', ID: 'owner' }, Permission: 'FULL_CONTROL' },
      { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
      {
        Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' },
        Permission: 'WRITE',
      },
      { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' }, Permission: 'WRITE' },
    ]);
    expect(removed).toHaveLength(2);
    expect(keep.map((g) => g.Grantee!.ID ?? g.Grantee!.URI)).toEqual([
      'owner',
      'http://acs.amazonaws.com/groups/s3/LogDelivery',
    ]);
  });
  it('encryption: SSE-S3 request satisfied by any default, KMS not downgraded, key mismatch rewritten', () => {
    const sse = params(s3EnableDefaultEncryption, { bucket: 'bkt' });
    const kms = params(s3EnableDefaultEncryption, { bucket: 'bkt', kmsKeyId: 'k1' });
    const aes = [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const } }];
    const k2 = [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: 'k2' } }];
    expect(decideEncryption(sse, aes)).toBeUndefined();
    expect(decideEncryption(sse, k2)).toBeUndefined();
    expect(decideEncryption(sse, [])).toEqual({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } });
    expect(decideEncryption(kms, k2)).toEqual({
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'k1' },
      BucketKeyEnabled: true,
    });
  });
});

describe.skipIf(!motoAvailable())('data actions against moto_server', () => {
  let moto: MotoServer;
  let ctx: ActionContext;
  let config: SdkConfig;
  let s3: S3Client;

  beforeAll(async () => {
    ({ moto, ctx, config } = await startMotoContext());
    s3 = new S3Client(config);
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  const bucket = async (name: string) => {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    return name;
  };

  it('s3-block-public-access-bucket: all four settings on, read back', async () => {
    const b = await bucket('bpa-bucket');
    const { plan } = await planApplyReplan(s3BlockPublicAccessBucket, ctx, { bucket: b });
    expect(plan.calls[0]).toMatchObject({ action: 's3:PutBucketPublicAccessBlock', api: 's3:PutPublicAccessBlock' });
    const got = await s3.send(new GetPublicAccessBlockCommand({ Bucket: b }));
    expect(got.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it('s3-block-public-access-account: through S3 Control, read back', async () => {
    const { plan } = await planApplyReplan(s3BlockPublicAccessAccount, ctx, {});
    expect(plan.calls[0]).toMatchObject({ api: 's3control:PutPublicAccessBlock', params: { AccountId: ACCOUNT } });
    const s3c = new S3ControlClient({
      ...config,
      endpointProvider: () => ({ url: new URL(config.endpoint) }),
    } as never);
    const got = await s3c.send(new GetAccountPabCommand({ AccountId: ACCOUNT }));
    expect(got.PublicAccessBlockConfiguration!.RestrictPublicBuckets).toBe(true);
  });

  it('s3-remove-public-acl-grants: public-read ACL becomes private, owner grant kept', async () => {
    const b = await bucket('acl-bucket');
    await s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read' }));
    const { plan } = await planApplyReplan(s3RemovePublicAclGrants, ctx, { bucket: b });
    expect(plan.calls[0]!.reason).toBe('ACL grants READ to AllUsers');
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: b }));
    expect(acl.Grants!.map((g) => g.Grantee!.URI)).not.toContain(ALL_USERS);
    expect(acl.Grants!.map((g) => g.Permission)).toEqual(['FULL_CONTROL']);
  });

  it('s3-remove-public-policy-statements: public statement removed, rest kept; policy deleted when empty', async () => {
    const b = await bucket('policy-bucket');
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` },
        {
          Sid: 'TlsOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: `arn:aws:s3:::${b}/*`,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: JSON.stringify(policy) }));
    const { plan } = await planApplyReplan(s3RemovePublicPolicyStatements, ctx, { bucket: b });
    expect(plan.calls[0]!.action).toBe('s3:PutBucketPolicy');
    const got = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: b }))).Policy!);
    expect(got.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['TlsOnly']);

    const only = await bucket('policy-only-public');
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: only,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ ...policy.Statement[0], Resource: `arn:aws:s3:::${only}/*` }],
        }),
      }),
    );
    const second = await planApplyReplan(s3RemovePublicPolicyStatements, ctx, { bucket: only });
    expect(second.plan.calls[0]).toMatchObject({ action: 's3:DeleteBucketPolicy', params: { Bucket: only } });
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: only }))).rejects.toMatchObject({
      name: 'NoSuchBucketPolicy',
    });
  });

  it('s3-enable-default-encryption: SSE-KMS with the given key, read back', async () => {
    const b = await bucket('enc-bucket');
    const key = (await new KMSClient(config).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const { plan } = await planApplyReplan(s3EnableDefaultEncryption, ctx, { bucket: b, kmsKeyId: key });
    expect(plan.calls[0]).toMatchObject({ action: 's3:PutEncryptionConfiguration', api: 's3:PutBucketEncryption' });
    const got = await s3.send(new GetBucketEncryptionCommand({ Bucket: b }));
    expect(got.ServerSideEncryptionConfiguration!.Rules![0]!.ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: key,
    });
  });

  it('s3-enable-versioning: Enabled, read back', async () => {
    const b = await bucket('ver-bucket');
    await planApplyReplan(s3EnableVersioning, ctx, { bucket: b });
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status).toBe('Enabled');
  });

  it('ec2-make-snapshot-private: createVolumePermission all removed, account share kept', async () => {
    const ec2 = new EC2Client(config);
    const vol = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }))).VolumeId!;
    const snap = (await ec2.send(new CreateSnapshotCommand({ VolumeId: vol }))).SnapshotId!;
    await ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: snap,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        GroupNames: ['all'],
        UserIds: ['111122223333'],
      }),
    );
    await planApplyReplan(ec2MakeSnapshotPrivate, ctx, { snapshotId: snap });
    const attr = await ec2.send(
      new DescribeSnapshotAttributeCommand({ SnapshotId: snap, Attribute: 'createVolumePermission' }),
    );
    expect(attr.CreateVolumePermissions).toEqual([{ UserId: '111122223333' }]);
  });

  it('rds-make-snapshot-private: restore=all removed, read back', async () => {
    const rds = new RDSClient(config);
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'db1',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        MasterUsername: 'admin',
        MasterUserPassword: 'password123',
        AllocatedStorage: 20,
      }),
    );
    await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'db1', DBSnapshotIdentifier: 'snap1' }));
    await rds.send(
      new ModifyDBSnapshotAttributeCommand({
        DBSnapshotIdentifier: 'snap1',
        AttributeName: 'restore',
        ValuesToAdd: ['all'],
      }),
    );
    await planApplyReplan(rdsMakeSnapshotPrivate, ctx, { snapshotId: 'snap1' });
    const attrs = await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: 'snap1' }));
    const restore = attrs.DBSnapshotAttributesResult!.DBSnapshotAttributes!.find((a) => a.AttributeName === 'restore');
    expect(restore?.AttributeValues ?? []).toEqual([]);
  });

  it('rds-make-snapshot-private: an Aurora cluster snapshot', async () => {
    const rds = new RDSClient(config);
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'aur',
        Engine: 'aurora-mysql',
        MasterUsername: 'admin',
        MasterUserPassword: 'password123',
      }),
    );
    await rds.send(
      new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: 'aur', DBClusterSnapshotIdentifier: 'csnap' }),
    );
    await rds.send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: 'csnap',
        AttributeName: 'restore',
        ValuesToAdd: ['all', '111122223333'],
      }),
    );
    const { plan } = await planApplyReplan(rdsMakeSnapshotPrivate, ctx, {
      snapshotId: 'csnap',
      snapshotType: 'cluster',
    });
    expect(plan.calls[0]!.action).toBe('rds:ModifyDBClusterSnapshotAttribute');
    const attrs = await rds.send(
      new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: 'csnap' }),
    );
    const restore = attrs.DBClusterSnapshotAttributesResult!.DBClusterSnapshotAttributes!.find(
      (a) => a.AttributeName === 'restore',
    );
    expect(restore?.AttributeValues).toEqual(['111122223333']);
  });
});
