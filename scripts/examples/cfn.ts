/**
 * Two CloudFormation templates for `vigil iac scan` / `vigil demo` (examples/cfn/): `compliant.yaml` passes every
 * rule that can be judged before deploy; `planted.yaml` carries one planted problem per family (open SSH, public
 * bucket, hard-coded password and access key, unencrypted database, wildcard IAM, missing DeletionPolicy, an
 * applied suppression and one without a reason). test/cfn/scan/examples.test.ts checks the verdicts.
 */
import type { ExampleWriter } from './writer.js';

export const CFN_DIR = 'cfn';

const COMPLIANT = `AWSTemplateFormatVersion: '2010-09-09'
Description: Vigil example - a data stack that passes every rule judged before deploy.
Parameters:
  CostCenter:
    Type: String
    Default: platform
Resources:
  DataKey:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      Description: data at rest
      EnableKeyRotation: true
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Sid: AccountAdmin
            Effect: Allow
            Principal: {AWS: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root'}
            Action: 'kms:*'
            Resource: '*'
      Tags: [{Key: CostCenter, Value: !Ref CostCenter}]
  DataBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: !GetAtt DataKey.Arn}
            BucketKeyEnabled: true
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        BlockPublicPolicy: true
        RestrictPublicBuckets: true
      OwnershipControls:
        Rules: [{ObjectOwnership: BucketOwnerEnforced}]
      VersioningConfiguration: {Status: Enabled}
      LoggingConfiguration:
        DestinationBucketName: example-central-access-logs
        LogFilePrefix: data/
      ReplicationConfiguration:
        Role: !GetAtt ReplicationRole.Arn
        Rules:
          - Id: to-dr-region
            Status: Enabled
            Prefix: ''
            Destination: {Bucket: 'arn:aws:s3:::example-data-replica-eu-west-1'}
      Tags: [{Key: CostCenter, Value: !Ref CostCenter}]
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: TlsOnly
            Effect: Deny
            Principal: '*'
            Action: 's3:*'
            Resource: [!GetAtt DataBucket.Arn, !Sub '\${DataBucket.Arn}/*']
            Condition: {Bool: {'aws:SecureTransport': false}}
  ReplicationRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - {Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: 'sts:AssumeRole'}
      Tags: [{Key: CostCenter, Value: !Ref CostCenter}]
  ReplicationPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref ReplicationRole]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: ['s3:GetReplicationConfiguration', 's3:ListBucket']
            Resource: !GetAtt DataBucket.Arn
          - Effect: Allow
            Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl']
            Resource: !Sub '\${DataBucket.Arn}/*'
          - Effect: Allow
            Action: ['s3:ReplicateObject', 's3:ReplicateDelete']
            Resource: 'arn:aws:s3:::example-data-replica-eu-west-1/*'
  Orders:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      SSESpecification: {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: !GetAtt DataKey.Arn}
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
      Tags: [{Key: CostCenter, Value: !Ref CostCenter}]
  BackupPlan:
    Type: AWS::Backup::BackupPlan
    Properties:
      BackupPlan:
        BackupPlanName: daily-35d
        BackupPlanRule:
          - RuleName: daily
            TargetBackupVault: Default
            ScheduleExpression: cron(0 5 ? * * *)
            Lifecycle: {DeleteAfterDays: 35}
  BackupSelection:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !Ref BackupPlan
      BackupSelection:
        SelectionName: data
        IamRoleArn: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/service-role/AWSBackupDefaultServiceRole'
        Resources: [!GetAtt Orders.Arn]
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: HTTPS from the corporate network
      VpcId: vpc-0a1b2c3d4e5f60718
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
      Tags: [{Key: CostCenter, Value: !Ref CostCenter}]
`;

const PLANTED = `AWSTemplateFormatVersion: '2010-09-09'
Description: Vigil example - planted problems for vigil iac scan (do not deploy).
Parameters:
  DbUser:
    Type: String
    Default: admin
Resources:
  AdminSsh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: SSH from anywhere (planted)
      VpcId: vpc-0a1b2c3d4e5f60718
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  WebsiteBucket:
    Type: AWS::S3::Bucket
    Metadata:
      cfn_nag:
        rules_to_suppress:
          - {id: W35, reason: static website assets; CloudFront keeps the access logs}
      checkov:
        skip:
          - {id: CKV_AWS_21}
    Properties:
      PublicAccessBlockConfiguration:
        BlockPublicAcls: false
        IgnorePublicAcls: false
        BlockPublicPolicy: false
        RestrictPublicBuckets: false
  WebsiteBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref WebsiteBucket
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: !Sub '\${WebsiteBucket.Arn}/*'}
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t3.micro
      AllocatedStorage: '20'
      MasterUsername: !Ref DbUser
      MasterUserPassword: 'Wint3r-is-c0ming!'
      PubliclyAccessible: true
      StorageEncrypted: false
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: codebuild.amazonaws.com}, Action: 'sts:AssumeRole'}
      Policies:
        - PolicyName: everything
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: '*', Resource: '*'}
  Notifier:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt DeployRole.Arn
      Code: {ZipFile: 'def handler(e, c): return e'}
      Environment:
        Variables:
          AWS_ACCESS_KEY_ID: AKIA4EXAMPLQ7JZTWL5K
  Sessions:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Scratch:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: us-east-1a
      Size: 10
      Encrypted: false
`;

export function generateCfnExamples(writer: ExampleWriter): void {
  writer.doc(`${CFN_DIR}/compliant.yaml`, COMPLIANT);
  writer.doc(`${CFN_DIR}/planted.yaml`, PLANTED);
}

/** Text of the bundled templates (tests scan them without writing files). */
export const CFN_EXAMPLES: Record<string, string> = { 'compliant.yaml': COMPLIANT, 'planted.yaml': PLANTED };
