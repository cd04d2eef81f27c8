/**
 * Real components: a template deployed to moto_server through CloudFormation, then changed outside the stack through
 * the EC2, S3 and IAM APIs. `vigil drift --stack-name` must report exactly those changes (and nothing else), and with
 * CloudTrail records of those calls name the principal behind each one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { IAMClient, UpdateRoleCommand } from '@aws-sdk/client-iam';
import { DeleteBucketEncryptionCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DriftReport, runDrift } from '../../src/drift/index.js';
import { hasCommand, integrationAvailable } from '../helpers/integration.js';
import { type MotoServer, startMoto } from '../helpers/moto.js';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String, Default: prod}
Resources:
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
  DbSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 5432
          ToPort: 5432
          SourceSecurityGroupId: !GetAtt WebSg.GroupId
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: vigil-drift-data
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: alias/data}
      Tags:
        - {Key: env, Value: !Ref Env}
        - {Key: team, Value: core}
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: vigil-drift-logs
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: vigil-drift-app
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]
      Description: reads the data bucket
`;

const ALICE = 'arn:aws:iam::123456789012:user/alice';
const BOB = 'arn:aws:iam::123456789012:user/bob';

function trailRecord(
  eventName: string,
  eventSource: string,
  arn: string,
  time: Date,
  requestParameters: unknown,
  responseElements: unknown = null,
) {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn,
      accountId: '123456789012',
      accessKeyId: arn === ALICE ? 'AKIAALICE0000000000' : 'AKIABOB00000000000000',
      userName: arn.split('/')[1],
    },
    eventTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource,
    eventName,
    awsRegion: REGION,
    sourceIPAddress: arn === ALICE ? '198.51.100.7' : '203.0.113.9',
    userAgent: 'aws-cli/2.9.19',
    requestParameters,
    responseElements,
    requestID: `req-${eventName}`,
    eventID: `evt-${eventName}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
  };
}

const available = integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));

describe.skipIf(!available)('vigil drift against a stack deployed on moto_server', () => {
  let moto: MotoServer;
  let report: DriftReport;
  let before: DriftReport;
  const ids: Record<string, string> = {};
  let extraSg = '';

  beforeAll(async () => {
    process.env.MOTO_EC2_LOAD_DEFAULT_AMIS = 'false';
    moto = await startMoto();
    const aws = { region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS };
    const cfn = new CloudFormationClient(aws);
    await cfn.send(new CreateStackCommand({ StackName: 'app', TemplateBody: TEMPLATE }));
    const res = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'app' }));
    for (const r of res.StackResources ?? []) ids[r.LogicalResourceId!] = r.PhysicalResourceId!;
    const opts = { stackName: 'app', region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS };
    before = await runDrift(opts);

    const ec2 = new EC2Client(aws);
    const s3 = new S3Client({ ...aws, forcePathStyle: true });
    const t0 = Date.now() + 1000;
    const at = (n: number) => new Date(t0 + n * 1000);
    const ssh = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ids.WebSg, IpPermissions: [ssh] }));
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'vigil-drift-data' }));
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: 'vigil-drift-data',
        Tagging: {
          TagSet: [
            { Key: 'env', Value: 'dev' },
            { Key: 'team', Value: 'core' },
          ],
        },
      }),
    );
    await new IAMClient(aws).send(
      new UpdateRoleCommand({ RoleName: 'vigil-drift-app', Description: 'temporary admin' }),
    );
    // DbSg references WebSg, so the deleted one is DbSg.
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: ids.DbSg }));
    extraSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'hand-made', Description: 'outside' })))
      .GroupId!;

    const dir = mkdtempSync(join(tmpdir(), 'vigil-drift-'));
    const trail = join(dir, 'trail.json');
    writeFileSync(
      trail,
      JSON.stringify({
        Records: [
          trailRecord('AuthorizeSecurityGroupIngress', 'ec2.amazonaws.com', ALICE, at(1), {
            groupId: ids.WebSg,
            ipPermissions: {
              items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
            },
          }),
          trailRecord('DeleteBucketEncryption', 's3.amazonaws.com', BOB, at(2), {
            bucketName: 'vigil-drift-data',
            Host: 'vigil-drift-data.s3.amazonaws.com',
            encryption: '',
          }),
          trailRecord('PutBucketTagging', 's3.amazonaws.com', BOB, at(3), {
            bucketName: 'vigil-drift-data',
            tagging: '',
          }),
          trailRecord('DeleteSecurityGroup', 'ec2.amazonaws.com', ALICE, at(4), { groupId: ids.DbSg }),
          trailRecord('UpdateRole', 'iam.amazonaws.com', BOB, at(4), {
            roleName: 'vigil-drift-app',
            description: 'temporary admin',
          }),
          trailRecord(
            'CreateSecurityGroup',
            'ec2.amazonaws.com',
            BOB,
            at(5),
            { groupName: 'hand-made', groupDescription: 'outside' },
            { _return: true, groupId: extraSg },
          ),
          // A failed call changes nothing and must not be attributed.
          {
            ...trailRecord('PutBucketVersioning', 's3.amazonaws.com', ALICE, at(6), { bucketName: 'vigil-drift-data' }),
            errorCode: 'AccessDenied',
          },
          // A call on another resource is not linked.
          trailRecord('AuthorizeSecurityGroupIngress', 'ec2.amazonaws.com', ALICE, at(7), {
            groupId: 'sg-0000000000other',
          }),
        ],
      }),
    );
    report = await runDrift({ ...opts, cloudtrail: [trail] });
  }, 180_000);
  afterAll(async () => {
    await moto?.stop();
  });

  const drift = (r: DriftReport, logical: string) =>
    r.StackResourceDrifts.find((d) => d.LogicalResourceId === logical)!;

  it('is IN_SYNC right after deploy', () => {
    expect(
      before.StackResourceDrifts.map((d) => `${d.LogicalResourceId} ${d.StackResourceDriftStatus}`).sort(),
    ).toEqual(['AppRole IN_SYNC', 'Data IN_SYNC', 'DbSg IN_SYNC', 'Logs IN_SYNC', 'WebSg IN_SYNC']);
    expect(before.StackDriftStatus).toBe('IN_SYNC');
    expect(before.unmanaged).toEqual([]);
  });

  it('reports exactly the changes made outside the stack', () => {
    expect(report.StackDriftStatus).toBe('DRIFTED');
    expect(report.DriftedStackResourceCount).toBe(4);
    expect(drift(report, 'AppRole').PropertyDifferences).toEqual([
      {
        PropertyPath: '/Description',
        ExpectedValue: '"reads the data bucket"',
        ActualValue: '"temporary admin"',
        DifferenceType: 'NOT_EQUAL',
      },
    ]);
    expect(drift(report, 'Logs').StackResourceDriftStatus).toBe('IN_SYNC');
    const web = drift(report, 'WebSg');
    expect(web.StackResourceDriftStatus).toBe('MODIFIED');
    expect(web.PhysicalResourceId).toBe(ids.WebSg);
    expect(web.PropertyDifferences).toEqual([
      {
        PropertyPath: '/SecurityGroupIngress/1',
        ExpectedValue: 'null',
        ActualValue: JSON.stringify({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }),
        DifferenceType: 'ADD',
      },
    ]);
    const data = drift(report, 'Data');
    expect(data.StackResourceDriftStatus).toBe('MODIFIED');
    expect(data.PropertyDifferences).toEqual([
      {
        PropertyPath: '/BucketEncryption',
        ExpectedValue: JSON.stringify({
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/data' } },
          ],
        }),
        ActualValue: 'null',
        DifferenceType: 'REMOVE',
      },
      { PropertyPath: '/Tags/0/Value', ExpectedValue: '"prod"', ActualValue: '"dev"', DifferenceType: 'NOT_EQUAL' },
    ]);
    expect(JSON.parse(data.ExpectedProperties!).Tags).toEqual([
      { Key: 'env', Value: 'prod' },
      { Key: 'team', Value: 'core' },
    ]);
    const db = drift(report, 'DbSg');
    expect(db.StackResourceDriftStatus).toBe('DELETED');
    expect(db.ActualProperties).toBeUndefined();
    // The GetAtt to WebSg was resolved from the stack's physical id, not skipped.
    expect(JSON.parse(db.ExpectedProperties!).SecurityGroupIngress[0].SourceSecurityGroupId).toBe(ids.WebSg);
    expect(report.unmanaged.map((u) => `${u.resourceType} ${u.resourceId}`)).toEqual([
      `AWS::EC2::SecurityGroup ${extraSg}`,
    ]);
  });

  it('a stack that does not exist is a clear input error (exit 2)', async () => {
    const err = await runDrift({
      stackName: 'nope',
      region: REGION,
      endpoint: moto.endpoint,
      credentials: CREDENTIALS,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2 });
    expect((err as Error).message).toMatch(/^--stack-name nope: /);
  });

  it('names the principal of each change from CloudTrail', () => {
    const who = (logical: string) =>
      (drift(report, logical).attribution ?? []).map((a) => `${a.eventName} ${a.principalArn} ${a.paths.join(',')}`);
    expect(who('WebSg')).toEqual([`AuthorizeSecurityGroupIngress ${ALICE} /SecurityGroupIngress/1`]);
    expect(who('Data')).toEqual([
      `DeleteBucketEncryption ${BOB} /BucketEncryption`,
      `PutBucketTagging ${BOB} /Tags/0/Value`,
    ]);
    expect(who('DbSg')).toEqual([`DeleteSecurityGroup ${ALICE} resource`]);
    expect(who('AppRole')).toEqual([`UpdateRole ${BOB} /Description`]);
    expect(who('Logs')).toEqual([]);
    const ssh = drift(report, 'WebSg').attribution![0]!;
    expect(ssh).toMatchObject({
      accessKeyId: 'AKIAALICE0000000000',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.9.19',
    });
    expect(ssh.reason).toBe(
      `requestParameters.groupId = ${ids.WebSg} names this resource; AuthorizeSecurityGroupIngress changes SecurityGroupIngress; ` +
        'requestParameters.ipPermissions (tcp 22-22 0.0.0.0/0) is the added rule /SecurityGroupIngress/1',
    );
    expect(report.unmanaged[0]!.attribution!.map((a) => `${a.eventName} ${a.principalArn}`)).toEqual([
      `CreateSecurityGroup ${BOB}`,
    ]);
  });
});
