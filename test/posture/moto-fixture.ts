/** A realistic account in moto_server with compliant and non-compliant resources, created through the SDK. */
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CreateTableCommand, DynamoDBClient, UpdateContinuousBackupsCommand } from '@aws-sdk/client-dynamodb';
import {
  AllocateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateFlowLogsCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  EC2Client,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { CreateDetectorCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  IAMClient,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateKeyCommand, EnableKeyRotationCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  CreateBucketCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface Fixture {
  sgOpenSsh: string;
  sgWeb: string;
  eip: string;
  volPlain: string;
  volEncrypted: string;
  snapPublic: string;
  vpcWithLogs: string;
  kmsRotated: string;
  kmsPlain: string;
}

export async function buildFixture(endpoint: string): Promise<Fixture> {
  const cfg = { region: REGION, endpoint, credentials: CREDENTIALS };
  const ec2 = new EC2Client(cfg);
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  const iam = new IAMClient(cfg);
  const ct = new CloudTrailClient(cfg);
  const kms = new KMSClient(cfg);
  const ddb = new DynamoDBClient(cfg);
  const rds = new RDSClient(cfg);
  const gd = new GuardDutyClient(cfg);

  // EC2 / VPC
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  const sgOpenSsh = (
    await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'open-ssh', Description: 'bad', VpcId: vpc }))
  ).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sgOpenSsh,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  const sgWeb = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'ok', VpcId: vpc })))
    .GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sgWeb,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
      ],
    }),
  );
  const eip = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
  const volPlain = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }))).VolumeId!;
  const volEncrypted = (
    await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8, Encrypted: true }))
  ).VolumeId!;
  const snapPublic = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volPlain }))).SnapshotId!;
  await ec2.send(
    new ModifySnapshotAttributeCommand({
      SnapshotId: snapPublic,
      Attribute: 'createVolumePermission',
      OperationType: 'add',
      GroupNames: ['all'],
    }),
  );

  // S3
  await s3.send(new CreateBucketCommand({ Bucket: 'vigil-public', ACL: 'public-read' }));
  await s3.send(new PutBucketAclCommand({ Bucket: 'vigil-public', ACL: 'public-read' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'vigil-private' }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: 'vigil-private',
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    }),
  );
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: 'vigil-private', VersioningConfiguration: { Status: 'Enabled' } }),
  );
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: 'vigil-private',
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TLSOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: ['arn:aws:s3:::vigil-private', 'arn:aws:s3:::vigil-private/*'],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: 'vigil-trail-logs' }));
  await ec2.send(
    new CreateFlowLogsCommand({
      ResourceIds: [vpc],
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 's3',
      LogDestination: 'arn:aws:s3:::vigil-trail-logs',
    }),
  );

  // IAM
  await iam.send(new CreateUserCommand({ UserName: 'console-no-mfa' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'console-no-mfa', Password: 'Sup3r-secret-pw!' }));
  await iam.send(new CreateUserCommand({ UserName: 'api-only' }));
  await iam.send(new CreateAccessKeyCommand({ UserName: 'api-only' }));
  await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, RequireSymbols: true }));
  await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'too-broad',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'read-logs',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::vigil-trail-logs/*' }],
      }),
    }),
  );

  // CloudTrail
  await ct.send(
    new CreateTrailCommand({
      Name: 'org-trail',
      S3BucketName: 'vigil-trail-logs',
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
    }),
  );
  await ct.send(new StartLoggingCommand({ Name: 'org-trail' }));

  // KMS
  const kmsRotated = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  await kms.send(new EnableKeyRotationCommand({ KeyId: kmsRotated }));
  const kmsPlain = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;

  // DynamoDB
  for (const TableName of ['orders', 'scratch'])
    await ddb.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  await ddb.send(
    new UpdateContinuousBackupsCommand({
      TableName: 'orders',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    }),
  );

  // RDS
  for (const [id, days] of [
    ['db-backed-up', 7],
    ['db-no-backup', 0],
  ] as const)
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        AllocatedStorage: 20,
        MasterUsername: 'admin1',
        MasterUserPassword: 'password-123',
        BackupRetentionPeriod: days,
        StorageEncrypted: days > 0,
        PubliclyAccessible: days === 0,
      }),
    );

  // GuardDuty
  await gd.send(new CreateDetectorCommand({ Enable: true }));

  return { sgOpenSsh, sgWeb, eip, volPlain, volEncrypted, snapPublic, vpcWithLogs: vpc, kmsRotated, kmsPlain };
}
