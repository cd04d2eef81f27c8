/**
 * detectDrift on a template and a Config-shaped inventory: physical ids from CloudFormation's tags or names,
 * deploy-time values, write-only properties, NOT_CHECKED reasons, DELETED, unmanaged resources with an ignore file,
 * and attribution filters (failed calls, events before the stack's last update).
 */
import { describe, expect, it } from 'vitest';
import { resolveTemplateText } from '../../src/cfn/index.js';
import { effectOf, type TrailEvent } from '../../src/drift/attribution.js';
import { detectDrift } from '../../src/drift/detect.js';
import { parseIgnore } from '../../src/drift/ignore.js';
import { type ConfigItem, emptyCi } from '../../src/posture/model.js';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  DbPassword: {Type: String, NoEcho: true, Default: hunter22}
  Subnet: {Type: AWS::EC2::Subnet::Id}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: appdb
      DBInstanceClass: db.t3.micro
      Engine: postgres
      AllocatedStorage: '20'
      MasterUsername: admin
      MasterUserPassword: !Ref DbPassword
      VPCSecurityGroups: [!GetAtt Sg.GroupId]
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app-role
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  Web:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: t3.micro
      SubnetId: !Ref Subnet
      SecurityGroupIds: [!Ref Sg]
  Topic:
    Type: AWS::SNS::Topic
  Gone:
    Type: AWS::S3::Bucket
    Properties: {BucketName: gone-bucket}
`;

const cfnTags = (logical: string) => ({
  'aws:cloudformation:logical-id': logical,
  'aws:cloudformation:stack-name': 'app',
});

const items: ConfigItem[] = [
  emptyCi({
    resourceType: 'AWS::EC2::VPC',
    resourceId: 'vpc-1',
    tags: cfnTags('Vpc'),
    configuration: { cidrBlock: '10.0.0.0/16', isDefault: false },
  }),
  emptyCi({ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-default', configuration: { isDefault: true } }),
  emptyCi({
    resourceType: 'AWS::EC2::SecurityGroup',
    resourceId: 'sg-1',
    resourceName: 'app-Sg-XYZ',
    tags: cfnTags('Sg'),
    configuration: {
      groupName: 'app-Sg-XYZ',
      description: 'app',
      vpcId: 'vpc-1',
      // AWS Config's own snapshot shape: ipv4Ranges objects and ipRanges strings.
      ipPermissions: [
        {
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          ipv4Ranges: [{ cidrIp: '10.0.0.0/8' }],
          ipRanges: ['10.0.0.0/8'],
        },
      ],
      ipPermissionsEgress: [{ ipProtocol: '-1', ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }] }],
    },
  }),
  emptyCi({ resourceType: 'AWS::EC2::SecurityGroup', resourceId: 'sg-def', configuration: { groupName: 'default' } }),
  emptyCi({
    resourceType: 'AWS::RDS::DBInstance',
    resourceId: 'db-ABC',
    resourceName: 'appdb',
    configuration: {
      dBInstanceIdentifier: 'appdb',
      dBInstanceClass: 'db.t3.small',
      engine: 'postgres',
      allocatedStorage: 20,
      masterUsername: 'admin',
      vpcSecurityGroups: [{ vpcSecurityGroupId: 'sg-1', status: 'active' }],
    },
  }),
  emptyCi({
    resourceType: 'AWS::IAM::Role',
    resourceId: 'AROA1',
    resourceName: 'app-role',
    arn: 'arn:aws:iam::123456789012:role/app-role',
    awsRegion: 'global',
    configuration: {
      roleName: 'app-role',
      assumeRolePolicyDocument: encodeURIComponent(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]}',
      ),
      attachedManagedPolicies: [
        { policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
        { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      ],
    },
  }),
  emptyCi({
    resourceType: 'AWS::EC2::Instance',
    resourceId: 'i-1',
    tags: cfnTags('Web'),
    configuration: { instanceType: 't3.micro', subnetId: 'subnet-9', securityGroups: [{ groupId: 'sg-1' }] },
  }),
  emptyCi({ resourceType: 'AWS::S3::Bucket', resourceId: 'stray', resourceName: 'stray', tags: { owner: 'data' } }),
  emptyCi({
    resourceType: 'AWS::S3::Bucket',
    resourceId: 'other',
    resourceName: 'other',
    tags: { 'aws:cloudformation:stack-name': 'other' },
  }),
  emptyCi({ resourceType: 'AWS::EC2::SecurityGroup', resourceId: 'sg-hand', resourceName: 'hand' }),
];

const template = resolveTemplateText(TEMPLATE, 'app.yaml', { stackName: 'app' });

const trail = (eventName: string, time: string, req: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const fields = {
    eventName,
    eventTime: time,
    userIdentity: { arn: 'arn:aws:iam::123456789012:user/eve', accessKeyId: 'AKIAEVE' },
    requestParameters: req,
    ...extra,
  };
  const effect = effectOf(fields);
  return effect ? [{ fields, time: Date.parse(time), effect } satisfies TrailEvent] : [];
};

describe('detectDrift', () => {
  const report = detectDrift({ template, stackName: 'app', items, now: '2026-01-01T00:00:00.000Z' });
  const by = (id: string) => report.StackResourceDrifts.find((d) => d.LogicalResourceId === id)!;

  it('statuses per resource and the stack status', () => {
    expect(report.StackResourceDrifts.map((d) => `${d.LogicalResourceId} ${d.StackResourceDriftStatus}`)).toEqual([
      'Vpc IN_SYNC',
      'Sg IN_SYNC',
      'Db MODIFIED',
      'Role MODIFIED',
      'Web IN_SYNC',
      'Topic NOT_CHECKED',
      'Gone DELETED',
    ]);
    expect(report.StackDriftStatus).toBe('DRIFTED');
    expect(report.DriftedStackResourceCount).toBe(3);
    expect(by('Topic').DriftStatusReason).toBe('Vigil cannot read the actual properties of AWS::SNS::Topic');
    expect(by('Gone').ExpectedProperties).toBe('{"BucketName":"gone-bucket"}');
    expect(by('Gone').ActualProperties).toBeUndefined();
    expect(by('Sg').location).toBe('app.yaml:9');
  });

  it('physical ids come from the aws:cloudformation tags, then name properties; Ref/GetAtt resolve through them', () => {
    expect(by('Sg').PhysicalResourceId).toBe('sg-1');
    expect(by('Db').PhysicalResourceId).toBe('appdb');
    expect(JSON.parse(by('Sg').ExpectedProperties!).VpcId).toBe('vpc-1');
    expect(JSON.parse(by('Db').ExpectedProperties!).VPCSecurityGroups).toEqual(['sg-1']);
  });

  it('write-only properties are skipped, with a note; only the real change is reported', () => {
    const db = by('Db');
    expect(JSON.parse(db.ExpectedProperties!).MasterUserPassword).toBeUndefined();
    expect(db.notes).toEqual([
      '/MasterUserPassword: not compared: write-only property (the read handler cannot return it)',
    ]);
    expect(db.PropertyDifferences).toEqual([
      {
        PropertyPath: '/DBInstanceClass',
        ExpectedValue: '"db.t3.micro"',
        ActualValue: '"db.t3.small"',
        DifferenceType: 'NOT_EQUAL',
      },
    ]);
  });

  it('a value unknown before deploy (parameter without value) is not compared, with a note', () => {
    expect(by('Web').notes?.[0]).toMatch(/^\/SubnetId: not compared: value known only at deploy time/);
  });

  it('URL-encoded policy documents compare semantically; an attached policy is ADD', () => {
    expect(by('Role').PropertyDifferences).toEqual([
      {
        PropertyPath: '/ManagedPolicyArns/1',
        ExpectedValue: 'null',
        ActualValue: '"arn:aws:iam::aws:policy/AdministratorAccess"',
        DifferenceType: 'ADD',
      },
    ]);
  });

  it('unmanaged: stray resources, not AWS defaults or other stacks; IaC coverage', () => {
    expect(report.unmanaged.map((u) => `${u.resourceType} ${u.resourceId}`)).toEqual([
      'AWS::S3::Bucket stray',
      'AWS::EC2::SecurityGroup sg-hand',
    ]);
    expect(report.summary).toEqual({
      // Vpc, Sg, Db, Role, Web exist (Topic is not checked, Gone is missing) + 2 unmanaged: 5 / 7.
      total_resources: 7,
      total_managed: 5,
      total_unmanaged: 2,
      total_missing: 1,
      total_ignored: 0,
      coverage: 71,
    });
  });

  it('an ignore file removes unmanaged resources by type/id glob or tag', () => {
    const { rules, issues } = parseIgnore(
      '# comment\nAWS::EC2::SecurityGroup:sg-h*\ntag:own?r=da*\nbad line\n',
      '.driftignore',
    );
    expect(issues).toEqual([
      '.driftignore:4: expected TYPE:ID (e.g. AWS::EC2::SecurityGroup:sg-*) or tag:KEY=VALUE, got "bad line"',
    ]);
    const r = detectDrift({ template, stackName: 'app', items, ignore: rules });
    expect(r.unmanaged).toEqual([]);
    expect(r.summary.total_ignored).toBe(2);
  });

  it('NOT_CHECKED when the inventory does not cover the type, or no physical id can be found', () => {
    const r = detectDrift({
      template,
      stackName: 'app',
      items: items.filter((i) => i.resourceType !== 'AWS::RDS::DBInstance'),
      collectedTypes: new Set(['AWS::EC2::VPC', 'AWS::EC2::SecurityGroup', 'AWS::IAM::Role', 'AWS::S3::Bucket']),
    });
    const s = (id: string) => r.StackResourceDrifts.find((d) => d.LogicalResourceId === id)!;
    expect(s('Db').StackResourceDriftStatus).toBe('NOT_CHECKED');
    expect(s('Db').DriftStatusReason).toBe('the inventory does not cover AWS::RDS::DBInstance');
    const none = detectDrift({ template, stackName: 'app', items: [] });
    expect(none.StackResourceDrifts.find((d) => d.LogicalResourceId === 'Sg')!.DriftStatusReason).toMatch(
      /^physical id unknown/,
    );
  });

  it('attribution: only successful calls on the resource, after the stack update, that touch the drifted property', () => {
    const events = [
      ...trail('AttachRolePolicy', '2026-01-02T10:00:00Z', { roleName: 'app-role', policyArn: 'x' }),
      ...trail('AttachRolePolicy', '2025-12-01T10:00:00Z', { roleName: 'app-role', policyArn: 'y' }),
      ...trail('AttachRolePolicy', '2026-01-02T11:00:00Z', { roleName: 'app-role' }, { errorCode: 'AccessDenied' }),
      ...trail('TagRole', '2026-01-02T12:00:00Z', { roleName: 'app-role' }),
      ...trail('AttachRolePolicy', '2026-01-02T13:00:00Z', { roleName: 'other-role' }),
      ...trail('ModifyDBInstance', '2026-01-03T09:00:00Z', {
        dBInstanceIdentifier: 'appdb',
        dBInstanceClass: 'db.t3.small',
      }),
      ...trail('DeleteBucket', '2026-01-04T09:00:00Z', { bucketName: 'gone-bucket' }),
      ...trail('CreateBucket', '2026-01-04T10:00:00Z', { bucketName: 'stray' }),
    ];
    expect(events).toHaveLength(7);
    const r = detectDrift({ template, stackName: 'app', items, events, since: Date.parse('2026-01-01T00:00:00Z') });
    const a = (id: string) => r.StackResourceDrifts.find((d) => d.LogicalResourceId === id)!.attribution!;
    expect(a('Role').map((x) => `${x.eventName} ${x.eventTime} ${x.principalArn} ${x.accessKeyId}`)).toEqual([
      'AttachRolePolicy 2026-01-02T10:00:00Z arn:aws:iam::123456789012:user/eve AKIAEVE',
    ]);
    expect(a('Role')[0]!.reason).toBe(
      'requestParameters.roleName = app-role names this resource; AttachRolePolicy changes ManagedPolicyArns',
    );
    expect(a('Db').map((x) => x.paths)).toEqual([['/DBInstanceClass']]);
    expect(a('Gone').map((x) => x.eventName)).toEqual(['DeleteBucket']);
    expect(r.unmanaged.find((u) => u.resourceId === 'stray')!.attribution!.map((x) => x.eventName)).toEqual([
      'CreateBucket',
    ]);
  });

  it('a template property Vigil does not read is skipped with a note, not reported as removed', () => {
    const t = resolveTemplateText(
      'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: stray\n      OwnershipControls: {Rules: [{ObjectOwnership: BucketOwnerEnforced}]}\n',
      'b.yaml',
    );
    const r = detectDrift({ template: t, stackName: 'b', items });
    const b = r.StackResourceDrifts[0]!;
    expect(b.StackResourceDriftStatus).toBe('IN_SYNC');
    expect(b.notes).toEqual([
      '/OwnershipControls: not compared: Vigil does not read OwnershipControls of AWS::S3::Bucket',
    ]);
    expect(b.ExpectedProperties).toBe('{"BucketName":"stray"}');
  });

  it('a setting the inventory does not carry is skipped with a note; one recorded as absent (null) is REMOVE', () => {
    const t = resolveTemplateText(
      'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: stray\n      BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}}]}\n',
      'b.yaml',
    );
    const notRecorded = detectDrift({ template: t, stackName: 'b', items }).StackResourceDrifts[0]!;
    expect(notRecorded.StackResourceDriftStatus).toBe('IN_SYNC');
    expect(notRecorded.notes).toEqual([
      '/BucketEncryption: not compared: the inventory does not carry the actual BucketEncryption',
    ]);
    const none = items.map((i) =>
      i.resourceId === 'stray' ? { ...i, supplementaryConfiguration: { ServerSideEncryptionConfiguration: null } } : i,
    );
    const removed = detectDrift({ template: t, stackName: 'b', items: none }).StackResourceDrifts[0]!;
    expect(removed.PropertyDifferences?.map((d) => `${d.DifferenceType} ${d.PropertyPath}`)).toEqual([
      'REMOVE /BucketEncryption',
    ]);
  });
});
