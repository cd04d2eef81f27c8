/**
 * A drifted stack for `vigil drift` / `vigil demo` (examples/drift/): the template of stack `shop-edge`, an AWS
 * Config snapshot taken after people changed it by hand, and the CloudTrail records of those changes. Planted:
 * SSH opened to the world on the web security group (alice), bucket encryption removed and a tag changed (bob),
 * the app role deleted (alice), and a security group plus a bucket created outside any stack (bob).
 * test/drift/example.test.ts checks what `vigil drift` reports on them.
 */
import { BASE_TIME, isoSeconds, MINUTE } from './clock.js';
import { PROD } from './world.js';
import type { ExampleWriter } from './writer.js';

export const DRIFT_DIR = 'drift';
const STACK = 'shop-edge';
const REGION = 'us-east-1';
const SG = 'sg-0e1d9c8b7a6f5e4d3';
const HAND_SG = 'sg-0aa11bb22cc33dd44';
const BUCKET = `shop-edge-assets-${PROD}`;
const STACK_UPDATED = BASE_TIME + 10 * MINUTE;

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Description: Vigil example - the edge stack of the shop; see examples/drift for what changed outside it.
Parameters:
  Env: {Type: String, Default: prod}
Resources:
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: shop web tier
      VpcId: vpc-0f00ba4
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8, Description: https from the load balancers}
      Tags: [{Key: env, Value: !Ref Env}]
  Assets:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub 'shop-edge-assets-\${AWS::AccountId}'
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: alias/shop-assets}
      VersioningConfiguration: {Status: Enabled}
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        BlockPublicPolicy: true
        RestrictPublicBuckets: true
      Tags:
        - {Key: env, Value: !Ref Env}
        - {Key: data-class, Value: internal}
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: shop-edge-app
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']
`;

const cfnTags = (logical: string) => [
  { key: 'aws:cloudformation:stack-name', value: STACK },
  { key: 'aws:cloudformation:logical-id', value: logical },
];

function ci(type: string, id: string, name: string, tags: { key: string; value: string }[], extra: object) {
  return {
    version: '1.3',
    accountId: PROD,
    configurationItemCaptureTime: isoSeconds(BASE_TIME + 90 * MINUTE),
    configurationItemStatus: 'OK',
    configurationStateId: '1',
    resourceType: type,
    resourceId: id,
    resourceName: name,
    awsRegion: REGION,
    tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
    relationships: [],
    supplementaryConfiguration: {},
    ...extra,
  };
}

function snapshot(): object {
  return {
    fileVersion: '1.0',
    configSnapshotId: 'drift-example',
    configurationItems: [
      ci(
        'AWS::EC2::SecurityGroup',
        SG,
        'shop-edge-WebSg-1Q2W3E',
        [...cfnTags('WebSg'), { key: 'env', value: 'prod' }],
        {
          configuration: {
            groupName: 'shop-edge-WebSg-1Q2W3E',
            groupId: SG,
            description: 'shop web tier',
            vpcId: 'vpc-0f00ba4',
            ipPermissions: [
              {
                ipProtocol: 'tcp',
                fromPort: 443,
                toPort: 443,
                ipv4Ranges: [{ cidrIp: '10.0.0.0/8', description: 'https from the load balancers' }],
                ipRanges: ['10.0.0.0/8'],
              },
              {
                ipProtocol: 'tcp',
                fromPort: 22,
                toPort: 22,
                ipv4Ranges: [{ cidrIp: '0.0.0.0/0', description: 'debug' }],
                ipRanges: ['0.0.0.0/0'],
              },
            ],
            ipPermissionsEgress: [{ ipProtocol: '-1', ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }], ipRanges: ['0.0.0.0/0'] }],
          },
        },
      ),
      ci(
        'AWS::S3::Bucket',
        BUCKET,
        BUCKET,
        [...cfnTags('Assets'), { key: 'env', value: 'staging' }, { key: 'data-class', value: 'internal' }],
        {
          configuration: { name: BUCKET },
          supplementaryConfiguration: {
            BucketVersioningConfiguration: { status: 'Enabled', isMfaDeleteEnabled: null },
            PublicAccessBlockConfiguration: {
              blockPublicAcls: true,
              ignorePublicAcls: true,
              blockPublicPolicy: true,
              restrictPublicBuckets: true,
            },
            ServerSideEncryptionConfiguration: null,
          },
        },
      ),
      ci('AWS::EC2::SecurityGroup', HAND_SG, 'temp-debug', [], {
        configuration: { groupName: 'temp-debug', groupId: HAND_SG, description: 'temp', vpcId: 'vpc-0f00ba4' },
      }),
      ci('AWS::EC2::SecurityGroup', 'sg-0default000000001', 'default', [], {
        configuration: { groupName: 'default', groupId: 'sg-0default000000001', vpcId: 'vpc-0f00ba4' },
      }),
      ci('AWS::S3::Bucket', 'shop-edge-scratch', 'shop-edge-scratch', [{ key: 'owner', value: 'bob' }], {
        configuration: { name: 'shop-edge-scratch' },
      }),
    ],
  };
}

const ALICE = `arn:aws:iam::${PROD}:user/alice`;
const BOB = `arn:aws:sts::${PROD}:assumed-role/OpsAdmin/bob`;

function record(
  n: number,
  minute: number,
  eventName: string,
  source: string,
  arn: string,
  req: object,
  resp: object | null = null,
) {
  const alice = arn === ALICE;
  return {
    eventVersion: '1.08',
    userIdentity: alice
      ? {
          type: 'IAMUser',
          principalId: 'AIDAALICEEXAMPLE0001',
          arn,
          accountId: PROD,
          accessKeyId: 'AKIAALICEEXAMPLE0001',
          userName: 'alice',
        }
      : {
          type: 'AssumedRole',
          principalId: 'AROABOBEXAMPLE000001:bob',
          arn,
          accountId: PROD,
          accessKeyId: 'ASIABOBEXAMPLE000001',
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              arn: `arn:aws:iam::${PROD}:role/OpsAdmin`,
              accountId: PROD,
              userName: 'OpsAdmin',
            },
          },
        },
    eventTime: isoSeconds(BASE_TIME + minute * MINUTE),
    eventSource: source,
    eventName,
    awsRegion: REGION,
    sourceIPAddress: alice ? '198.51.100.23' : '203.0.113.77',
    userAgent: alice ? 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1' : 'console.amazonaws.com',
    requestParameters: req,
    responseElements: resp,
    requestID: `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`,
    eventID: `00000000-0000-4000-9000-0000000000${String(n).padStart(2, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: PROD,
    eventCategory: 'Management',
  };
}

function trail(): object {
  return {
    Records: [
      // Before the stack's last update: not attributed.
      record(1, 5, 'PutBucketTagging', 's3.amazonaws.com', ALICE, { bucketName: BUCKET, tagging: '' }),
      record(
        2,
        31,
        'AuthorizeSecurityGroupIngress',
        'ec2.amazonaws.com',
        ALICE,
        {
          groupId: SG,
          ipPermissions: {
            items: [
              {
                ipProtocol: 'tcp',
                fromPort: 22,
                toPort: 22,
                ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: 'debug' }] },
              },
            ],
          },
        },
        { _return: true },
      ),
      record(3, 44, 'DeleteBucketEncryption', 's3.amazonaws.com', BOB, { bucketName: BUCKET, encryption: '' }),
      record(4, 46, 'PutBucketTagging', 's3.amazonaws.com', BOB, { bucketName: BUCKET, tagging: '' }),
      record(5, 52, 'DetachRolePolicy', 'iam.amazonaws.com', ALICE, {
        roleName: 'shop-edge-app',
        policyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      }),
      record(6, 53, 'DeleteRole', 'iam.amazonaws.com', ALICE, { roleName: 'shop-edge-app' }),
      record(
        7,
        61,
        'CreateSecurityGroup',
        'ec2.amazonaws.com',
        BOB,
        { groupName: 'temp-debug', groupDescription: 'temp', vpcId: 'vpc-0f00ba4' },
        { _return: true, groupId: HAND_SG },
      ),
      record(8, 62, 'CreateBucket', 's3.amazonaws.com', BOB, {
        bucketName: 'shop-edge-scratch',
        Host: 's3.amazonaws.com',
      }),
    ],
  };
}

/** The stack's last update, for `vigil drift --since`-like filtering in the example test. */
export const DRIFT_STACK_UPDATED = isoSeconds(STACK_UPDATED);

export function generateDriftExample(writer: ExampleWriter): void {
  writer.doc(`${DRIFT_DIR}/stack.yaml`, TEMPLATE);
  writer.doc(`${DRIFT_DIR}/config-snapshot.json`, `${JSON.stringify(snapshot(), null, 2)}\n`);
  writer.doc(`${DRIFT_DIR}/cloudtrail.json`, `${JSON.stringify(trail(), null, 2)}\n`);
}
