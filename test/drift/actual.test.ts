/** Configuration items (AWS Config's lowerCamel shape) converted back to CloudFormation properties, per type. */
import { describe, expect, it } from 'vitest';
import { actualInlinePolicy, actualProperties } from '../../src/drift/actual.js';
import { type ConfigItem, emptyCi } from '../../src/posture/model.js';

const props = (type: string, ci: ConfigItem, all: ConfigItem[] = [ci]) => actualProperties(type, ci, all)!.props;

describe('actual properties from configuration items', () => {
  it('EC2 instance: type, security groups by id and name, tags (aws:* tags are not template tags)', () => {
    const sg = emptyCi({ resourceType: 'AWS::EC2::SecurityGroup', resourceId: 'sg-1', resourceName: 'web' });
    const ci = emptyCi({
      resourceType: 'AWS::EC2::Instance',
      resourceId: 'i-1',
      tags: { Name: 'web-1', 'aws:cloudformation:stack-name': 's' },
      configuration: {
        instanceType: 'm5.large',
        imageId: 'ami-1',
        subnetId: 'subnet-1',
        securityGroups: [{ groupId: 'sg-1' }],
        monitoring: { state: 'disabled' },
      },
    });
    expect(props('AWS::EC2::Instance', ci, [ci, sg])).toEqual({
      InstanceType: 'm5.large',
      ImageId: 'ami-1',
      SubnetId: 'subnet-1',
      SecurityGroupIds: ['sg-1'],
      SecurityGroups: ['web'],
      Monitoring: false,
      Tags: [{ Key: 'Name', Value: 'web-1' }],
    });
  });

  it('security group egress and group-to-group rules, IPv6 and prefix lists', () => {
    const ci = emptyCi({
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-2',
      configuration: {
        description: 'd',
        ipPermissions: [
          {
            ipProtocol: 'tcp',
            fromPort: 5432,
            toPort: 5432,
            userIdGroupPairs: [{ groupId: 'sg-1' }],
            ipv6Ranges: [{ cidrIpv6: '::/0' }],
            prefixListIds: [{ prefixListId: 'pl-1' }],
          },
        ],
        ipPermissionsEgress: [{ ipProtocol: '-1', ipRanges: [{ cidrIp: '0.0.0.0/0' }] }],
      },
    });
    const p = props('AWS::EC2::SecurityGroup', ci);
    expect(p.SecurityGroupIngress).toEqual([
      { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIpv6: '::/0' },
      { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: 'sg-1' },
      { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourcePrefixListId: 'pl-1' },
    ]);
    expect(p.SecurityGroupEgress).toEqual([{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }]);
  });

  it('S3 bucket: versioning never enabled is absent, suspended is Suspended; logging and public access block', () => {
    const ci = (ver: string) =>
      emptyCi({
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'b',
        resourceName: 'b',
        supplementaryConfiguration: {
          BucketVersioningConfiguration: { status: ver },
          BucketLoggingConfiguration: { destinationBucketName: 'logs', logFilePrefix: 'b/' },
          PublicAccessBlockConfiguration: {
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: false,
            restrictPublicBuckets: true,
          },
        },
      });
    expect(props('AWS::S3::Bucket', ci('Off')).VersioningConfiguration).toBeUndefined();
    const p = props('AWS::S3::Bucket', ci('Suspended'));
    expect(p.VersioningConfiguration).toEqual({ Status: 'Suspended' });
    expect(p.LoggingConfiguration).toEqual({ DestinationBucketName: 'logs', LogFilePrefix: 'b/' });
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: false,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('VPC, subnet, KMS key', () => {
    expect(
      props(
        'AWS::EC2::VPC',
        emptyCi({
          resourceType: 'AWS::EC2::VPC',
          resourceId: 'v',
          configuration: { cidrBlock: '10.0.0.0/16', instanceTenancy: 'default' },
        }),
      ),
    ).toEqual({ CidrBlock: '10.0.0.0/16', InstanceTenancy: 'default', Tags: [] });
    expect(
      props(
        'AWS::EC2::Subnet',
        emptyCi({
          resourceType: 'AWS::EC2::Subnet',
          resourceId: 's',
          configuration: {
            vpcId: 'v',
            cidrBlock: '10.0.1.0/24',
            availabilityZone: 'us-east-1a',
            mapPublicIpOnLaunch: true,
          },
        }),
      ),
    ).toEqual({
      VpcId: 'v',
      CidrBlock: '10.0.1.0/24',
      AvailabilityZone: 'us-east-1a',
      MapPublicIpOnLaunch: true,
      Tags: [],
    });
    const key = emptyCi({
      resourceType: 'AWS::KMS::Key',
      resourceId: 'k',
      configuration: {
        description: 'd',
        keyUsage: 'ENCRYPT_DECRYPT',
        keySpec: 'SYMMETRIC_DEFAULT',
        keyState: 'Disabled',
      },
      supplementaryConfiguration: { KeyRotationStatus: false, KeyPolicy: '{"Version":"2012-10-17","Statement":[]}' },
    });
    expect(props('AWS::KMS::Key', key)).toEqual({
      Description: 'd',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Enabled: false,
      EnableKeyRotation: false,
      KeyPolicy: { Version: '2012-10-17', Statement: [] },
      Tags: [],
    });
  });

  it('DynamoDB table, Lambda function, RDS instance', () => {
    const table = emptyCi({
      resourceType: 'AWS::DynamoDB::Table',
      resourceId: 't',
      configuration: {
        tableName: 't',
        keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
        attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
        billingModeSummary: { billingMode: 'PAY_PER_REQUEST' },
        provisionedThroughput: { readCapacityUnits: 0, writeCapacityUnits: 0 },
        sSEDescription: { status: 'ENABLED', sSEType: 'KMS' },
      },
      supplementaryConfiguration: {
        ContinuousBackupsDescription: { pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'DISABLED' } },
      },
    });
    expect(props('AWS::DynamoDB::Table', table)).toEqual({
      TableName: 't',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
      Tags: [],
    });
    const fn = emptyCi({
      resourceType: 'AWS::Lambda::Function',
      resourceId: 'f',
      configuration: {
        functionName: 'f',
        runtime: 'nodejs20.x',
        handler: 'index.handler',
        role: 'arn:aws:iam::1:role/r',
        memorySize: 256,
        timeout: 30,
        environment: { variables: { STAGE: 'prod' } },
        tracingConfig: { mode: 'PassThrough' },
      },
    });
    expect(props('AWS::Lambda::Function', fn)).toMatchObject({
      FunctionName: 'f',
      Runtime: 'nodejs20.x',
      MemorySize: 256,
      Environment: { Variables: { STAGE: 'prod' } },
      TracingConfig: { Mode: 'PassThrough' },
    });
    const db = emptyCi({
      resourceType: 'AWS::RDS::DBInstance',
      resourceId: 'db-1',
      configuration: {
        dBInstanceIdentifier: 'd',
        dBInstanceClass: 'db.t3.micro',
        storageEncrypted: true,
        publiclyAccessible: false,
      },
    });
    expect(props('AWS::RDS::DBInstance', db)).toMatchObject({
      DBInstanceIdentifier: 'd',
      DBInstanceClass: 'db.t3.micro',
      StorageEncrypted: true,
      PubliclyAccessible: false,
    });
  });

  it('IAM managed policy (default version) and an inline AWS::IAM::Policy on the roles the template lists', () => {
    const doc = '%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D';
    const mp = emptyCi({
      resourceType: 'AWS::IAM::Policy',
      resourceId: 'ANPA1',
      resourceName: 'mp',
      configuration: {
        policyName: 'mp',
        path: '/',
        policyVersionList: [
          { versionId: 'v1', isDefaultVersion: false, document: '{}' },
          { versionId: 'v2', isDefaultVersion: true, document: doc },
        ],
      },
    });
    expect(props('AWS::IAM::ManagedPolicy', mp)).toEqual({
      ManagedPolicyName: 'mp',
      Path: '/',
      PolicyDocument: { Version: '2012-10-17', Statement: [] },
    });
    const role = emptyCi({
      resourceType: 'AWS::IAM::Role',
      resourceId: 'AROA1',
      resourceName: 'r1',
      configuration: { roleName: 'r1', rolePolicyList: [{ policyName: 'inline', policyDocument: doc }] },
    });
    expect(actualInlinePolicy({ PolicyName: 'inline', Roles: ['r1', 'r2'] }, [role])).toEqual({
      PolicyName: 'inline',
      PolicyDocument: { Version: '2012-10-17', Statement: [] },
      Roles: ['r1'],
    });
    // The policy is gone from every listed principal that exists: no PolicyName (DELETED).
    expect(actualInlinePolicy({ PolicyName: 'other', Roles: ['r1'] }, [role])).toEqual({ Roles: [] });
    // None of the principals is in the inventory: nothing to say.
    expect(actualInlinePolicy({ PolicyName: 'inline', Roles: ['r9'] }, [role])).toBeUndefined();
  });
});
