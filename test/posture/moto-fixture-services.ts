/**
 * The second half of the moto account: load balancers, WAF, CloudFront, AWS Backup, SSM, Lambda, SNS, SQS, EFS and
 * RDS snapshots, each with a compliant and a non-compliant resource where moto can create one.
 */
import { BackupClient, CreateBackupPlanCommand, CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSubnetCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateFileSystemCommand, EFSClient } from '@aws-sdk/client-efs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  AssociateWebACLCommand,
  CreateWebACLCommand,
  PutLoggingConfigurationCommand,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { CREDENTIALS, REGION } from './moto-fixture.js';

export interface ServicesFixture {
  albGood: string;
  albBad: string;
  webAcl: string;
  distGood: string;
  distBad: string;
  volInPlan: string;
  volOutside: string;
  topicKms: string;
  topicPlain: string;
  instance: string;
}

/** A minimal valid zip (one empty file), enough for CreateFunction. */
const ZIP = Buffer.from(
  'UEsDBAoAAAAAAAAAIQAAAAAAAAAAAAAAAAAIAAAAaW5kZXguanNQSwECFAAKAAAAAAAAACEAAAAAAAAAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAAAaW5kZXguanNQSwUGAAAAAAEAAQA2AAAAJgAAAAAA',
  'base64',
);

export async function buildServicesFixture(endpoint: string): Promise<ServicesFixture> {
  const cfg = { region: REGION, endpoint, credentials: CREDENTIALS };
  const ec2 = new EC2Client(cfg);
  const elb = new ElasticLoadBalancingV2Client(cfg);
  const waf = new WAFV2Client(cfg);
  const cf = new CloudFrontClient(cfg);
  const bk = new BackupClient(cfg);
  const lambda = new LambdaClient(cfg);
  const sns = new SNSClient(cfg);
  const sqs = new SQSClient(cfg);
  const efs = new EFSClient(cfg);
  const rds = new RDSClient(cfg);
  const iam = new IAMClient(cfg);
  const ddb = new DynamoDBClient(cfg);

  // Load balancers: "shop" logs, is protected and redirects HTTP; "legacy" does none of it.
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
  const subnets = await Promise.all(
    ['a', 'b'].map(
      async (z, i) =>
        (
          await ec2.send(
            new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.30.${i}.0/24`, AvailabilityZone: `${REGION}${z}` }),
          )
        ).Subnet!.SubnetId!,
    ),
  );
  const mkLb = async (Name: string) =>
    (await elb.send(new CreateLoadBalancerCommand({ Name, Subnets: subnets, Type: 'application' }))).LoadBalancers![0]!
      .LoadBalancerArn!;
  const albGood = await mkLb('shop');
  const albBad = await mkLb('legacy');
  await elb.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: albGood,
      Attributes: [
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: 'lb-logs' },
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ],
    }),
  );
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: vpc })))
    .TargetGroups![0]!.TargetGroupArn!;
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: albGood,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    }),
  );
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: albBad,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
    }),
  );

  // WAFv2: one regional ACL protecting "shop", logging to a Firehose stream.
  const acl = (
    await waf.send(
      new CreateWebACLCommand({
        Name: 'shop-acl',
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'shop' },
        Rules: [],
      }),
    )
  ).Summary!;
  await waf.send(new AssociateWebACLCommand({ WebACLArn: acl.ARN, ResourceArn: albGood }));
  await waf.send(
    new PutLoggingConfigurationCommand({
      LoggingConfiguration: {
        ResourceArn: acl.ARN,
        LogDestinationConfigs: [`arn:aws:firehose:${REGION}:123456789012:deliverystream/aws-waf-logs-shop`],
      },
    }),
  );

  // CloudFront: "good" is HTTPS-only with logging, root object and OAC; "bad" allows HTTP with nothing.
  const dist = async (good: boolean) =>
    (
      await cf.send(
        new CreateDistributionCommand({
          DistributionConfig: {
            CallerReference: good ? 'good' : 'bad',
            Comment: good ? 'good' : 'bad',
            Enabled: true,
            DefaultRootObject: good ? 'index.html' : '',
            Logging: good
              ? { Enabled: true, IncludeCookies: false, Bucket: 'cf-logs.s3.amazonaws.com', Prefix: 'cf/' }
              : undefined,
            Origins: {
              Quantity: 1,
              Items: [
                {
                  Id: 'site',
                  DomainName: 'site-bucket.s3.amazonaws.com',
                  S3OriginConfig: {
                    OriginAccessIdentity: good ? 'origin-access-identity/cloudfront/E2QWRUHAPOMQZL' : '',
                  },
                },
              ],
            },
            DefaultCacheBehavior: {
              TargetOriginId: 'site',
              ViewerProtocolPolicy: good ? 'redirect-to-https' : 'allow-all',
              ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
              MinTTL: 0,
              TrustedSigners: { Enabled: false, Quantity: 0 },
            },
          },
        }),
      )
    ).Distribution!.Id!;
  const distGood = await dist(true);
  const distBad = await dist(false);

  // AWS Backup: a vault and a daily plan keeping 35 days.
  await bk.send(new CreateBackupVaultCommand({ BackupVaultName: 'main' }));
  await bk.send(
    new CreateBackupPlanCommand({
      BackupPlan: {
        BackupPlanName: 'daily',
        Rules: [
          {
            RuleName: 'daily-35',
            TargetBackupVaultName: 'main',
            ScheduleExpression: 'cron(0 5 ? * * *)',
            Lifecycle: { DeleteAfterDays: 35 },
          },
        ],
      },
    }),
  );
  // moto 5.2 has no CreateBackupSelection / ListBackupSelections: selection matching is tested on CIs only.
  const volInPlan = (
    await ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: `${REGION}a`,
        Size: 8,
        Encrypted: true,
        TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'backup', Value: 'daily' }] }],
      }),
    )
  ).VolumeId!;
  const volOutside = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 8 }))).VolumeId!;
  for (const TableName of ['svc-orders', 'svc-scratch'])
    await ddb.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        ...(TableName === 'svc-orders' ? { Tags: [{ Key: 'backup', Value: 'daily' }] } : {}),
      }),
    );

  // An EC2 instance (moto registers no SSM agent for it).
  const instance = (
    await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, SubnetId: subnets[0] }))
  ).Instances![0]!.InstanceId!;

  // Lambda: a public function and a VPC-attached private one.
  const fnRole = (
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'fn-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    )
  ).Role!.Arn!;
  const fns: [string, { SubnetIds: string[]; SecurityGroupIds: string[] } | undefined][] = [
    ['public-fn', undefined],
    ['private-fn', { SubnetIds: [subnets[0]!], SecurityGroupIds: [] }],
  ];
  for (const [name, vpcCfg] of fns)
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Role: fnRole,
        Handler: 'index.handler',
        Code: { ZipFile: ZIP },
        ...(vpcCfg ? { VpcConfig: vpcCfg } : {}),
      }),
    );
  await lambda.send(
    new AddPermissionCommand({
      FunctionName: 'public-fn',
      StatementId: 'anyone',
      Action: 'lambda:InvokeFunction',
      Principal: '*',
    }),
  );

  // SNS / SQS
  const topicKms = (
    await sns.send(new CreateTopicCommand({ Name: 'alerts', Attributes: { KmsMasterKeyId: 'alias/aws/sns' } }))
  ).TopicArn!;
  const topicPlain = (await sns.send(new CreateTopicCommand({ Name: 'plain' }))).TopicArn!;
  await sqs.send(new CreateQueueCommand({ QueueName: 'jobs', Attributes: { KmsMasterKeyId: 'alias/aws/sqs' } }));

  // EFS: one encrypted, one not.
  await efs.send(new CreateFileSystemCommand({ CreationToken: 'enc', Encrypted: true }));
  await efs.send(new CreateFileSystemCommand({ CreationToken: 'plain', Encrypted: false }));

  // RDS snapshots: a public one and a private one.
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'db-snap-src',
      DBInstanceClass: 'db.t3.micro',
      Engine: 'mysql',
      AllocatedStorage: 20,
      MasterUsername: 'admin1',
      MasterUserPassword: 'password-123',
      StorageEncrypted: true,
    }),
  );
  for (const id of ['snap-public', 'snap-private'])
    await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'db-snap-src', DBSnapshotIdentifier: id }));
  await rds.send(
    new ModifyDBSnapshotAttributeCommand({
      DBSnapshotIdentifier: 'snap-public',
      AttributeName: 'restore',
      ValuesToAdd: ['all'],
    }),
  );

  // IAM groups: one with a member, one empty.
  await iam.send(new CreateGroupCommand({ GroupName: 'ops' }));
  await iam.send(new CreateGroupCommand({ GroupName: 'empty' }));
  await iam.send(new CreateUserCommand({ UserName: 'operator' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'ops', UserName: 'operator' }));

  return { albGood, albBad, webAcl: acl.Id!, distGood, distBad, volInPlan, volOutside, topicKms, topicPlain, instance };
}
