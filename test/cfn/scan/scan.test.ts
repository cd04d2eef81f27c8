import { describe, expect, it } from 'vitest';
import { resolveTemplateText, type TemplateOptions } from '../../../src/cfn/index.js';
import { type IacFinding, scanResolved } from '../../../src/cfn/scan/index.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function scan(yaml: string, opts: TemplateOptions & { inlineSuppressions?: boolean } = {}) {
  const t = resolveTemplateText(yaml, 'stack.yaml', { schemaCheck: false, ...opts });
  return scanResolved(t, { now: NOW, ...opts });
}

function one(findings: IacFinding[], rule: string, logicalId: string): IacFinding {
  const f = findings.filter((x) => x.configRuleName === rule && x.logicalId === logicalId);
  if (f.length !== 1) throw new Error(`${f.length} results for ${rule} ${logicalId}`);
  return f[0]!;
}

const VERSIONED = `
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: !If [IsProd, Enabled, Suspended]
`;

describe('posture rules on templates: Unknown values', () => {
  it('a value only known at deploy time is INSUFFICIENT_DATA with the reason, never COMPLIANT', () => {
    const f = one(scan(VERSIONED).findings, 's3-bucket-versioning-enabled', 'Bucket');
    expect(f.complianceType).toBe('INSUFFICIENT_DATA');
    expect(f.annotation).toMatch(/only known at deploy time.*condition IsProd/);
    // Located on the property that decided.
    expect([f.file, f.line, f.property]).toEqual(['stack.yaml', 10, 'Bucket.VersioningConfiguration']);
  });

  it('the same template decides once the parameter is given', () => {
    expect(
      one(scan(VERSIONED, { parameters: { Env: 'prod' } }).findings, 's3-bucket-versioning-enabled', 'Bucket')
        .complianceType,
    ).toBe('COMPLIANT');
    const dev = one(scan(VERSIONED, { parameters: { Env: 'dev' } }).findings, 's3-bucket-versioning-enabled', 'Bucket');
    expect(dev.complianceType).toBe('NON_COMPLIANT');
    expect(dev.annotation).toBe('versioning is Suspended');
  });

  it('NON_COMPLIANT decided by a known value stands even when another value is unknown', () => {
    const s = scan(`
Parameters:
  Trusted: {Type: String}
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !Ref Trusted}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  Only:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: admin
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Trusted}
`);
    const sg = one(s.findings, 'restricted-ssh', 'Sg');
    expect(sg.complianceType).toBe('NON_COMPLIANT');
    expect(sg.line).toBe(11); // the second ingress entry
    expect(sg.property).toBe('Sg.SecurityGroupIngress[1]');
    const only = one(s.findings, 'restricted-ssh', 'Only');
    expect(only.complianceType).toBe('INSUFFICIENT_DATA');
    expect(only.annotation).toMatch(/parameter Trusted/);
  });

  it('a resource whose whole Properties are unknown is INSUFFICIENT_DATA for every rule', () => {
    const s = scan(`
Parameters:
  P: {Type: String}
Conditions:
  C: !Equals [!Ref P, x]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: !If [C, {BucketName: a}, {BucketName: b}]
`);
    const rows = s.findings.filter((f) => f.source === 'posture' && f.logicalId === 'Bucket');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((f) => f.complianceType === 'INSUFFICIENT_DATA' || f.complianceType === 'NOT_APPLICABLE')).toBe(
      true,
    );
  });
});

describe('CloudFormation → Config mapping', () => {
  it("a bare bucket gets AWS's deploy-time defaults: SSE-S3 and Block Public Access", () => {
    const s = scan('Resources:\n  B: {Type: AWS::S3::Bucket}\n');
    expect(one(s.findings, 's3-bucket-server-side-encryption-enabled', 'B').complianceType).toBe('COMPLIANT');
    expect(one(s.findings, 's3-bucket-level-public-access-prohibited', 'B').complianceType).toBe('COMPLIANT');
    expect(one(s.findings, 's3-default-encryption-kms', 'B').complianceType).toBe('NON_COMPLIANT');
    expect(one(s.findings, 's3-bucket-logging-enabled', 'B').complianceType).toBe('NON_COMPLIANT');
    expect(one(s.findings, 's3-bucket-versioning-enabled', 'B').annotation).toBe('versioning is Off');
  });

  it('a separate bucket policy is merged into the bucket and findings point at its statement', () => {
    const s = scan(`
Resources:
  B: {Type: AWS::S3::Bucket}
  Pol:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref B
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: s3:GetObject
            Resource: !Sub '\${B.Arn}/*'
          - Effect: Deny
            Principal: '*'
            Action: 's3:*'
            Resource: [!GetAtt B.Arn, !Sub '\${B.Arn}/*']
            Condition: {Bool: {'aws:SecureTransport': false}}
      `);
    const ssl = one(s.findings, 's3-bucket-ssl-requests-only', 'B');
    expect(ssl.complianceType).toBe('COMPLIANT');
    expect(ssl.line).toBe(14);
    expect(ssl.property).toBe('Pol.PolicyDocument.Statement[1]');
    // Block Public Access is on by default, so the public Allow is not effective.
    expect(one(s.findings, 's3-bucket-public-read-prohibited', 'B').complianceType).toBe('COMPLIANT');
  });

  it('public policy with Block Public Access turned off is NON_COMPLIANT, located on the statement', () => {
    const s = scan(`
Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration: {BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false}
  Pol:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref B
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: !Sub '\${B.Arn}/*'}
`);
    const f = one(s.findings, 's3-bucket-public-read-prohibited', 'B');
    expect(f.complianceType).toBe('NON_COMPLIANT');
    expect(f.line).toBe(13);
  });

  it('separate SecurityGroupIngress and NetworkAclEntry resources join their group / ACL', () => {
    const s = scan(`
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: x}
  Rdp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !GetAtt Sg.GroupId, IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: 0.0.0.0/0}
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: vpc-1}
  In22:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 22, To: 22}}
`);
    const sg = one(s.findings, 'restricted-common-ports', 'Sg');
    expect(sg.complianceType).toBe('NON_COMPLIANT');
    expect(sg.line).toBe(6); // the Rdp resource
    const acl = one(s.findings, 'nacl-no-unrestricted-ssh-rdp', 'Acl');
    expect(acl.complianceType).toBe('NON_COMPLIANT');
    expect(acl.annotation).toMatch(/allows port 22/);
  });

  it('relationships by Ref: flow logs, web ACL associations, volume attachments', () => {
    const s = scan(`
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Bare: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.1.0.0/16}}
  Logs:
    Type: AWS::EC2::FlowLog
    Properties: {ResourceId: !Ref Vpc, ResourceType: VPC, TrafficType: ALL}
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [a, b]}
  Acl:
    Type: AWS::WAFv2::WebACL
    Properties: {Scope: REGIONAL, DefaultAction: {Allow: {}}, VisibilityConfig: {}}
  Assoc:
    Type: AWS::WAFv2::WebACLAssociation
    Properties: {ResourceArn: !Ref Alb, WebACLArn: !GetAtt Acl.Arn}
`);
    expect(one(s.findings, 'vpc-flow-logs-enabled', 'Vpc').complianceType).toBe('COMPLIANT');
    expect(one(s.findings, 'vpc-flow-logs-enabled', 'Bare').complianceType).toBe('NON_COMPLIANT');
    expect(one(s.findings, 'alb-waf-enabled', 'Alb').complianceType).toBe('COMPLIANT');
    expect(one(s.findings, 'elb-deletion-protection-enabled', 'Alb').complianceType).toBe('NON_COMPLIANT');
  });

  it('RDS: unknown encryption stays unknown; known settings decide', () => {
    const s = scan(`
Parameters:
  Enc: {Type: String, AllowedValues: ['true', 'false']}
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: mysql, StorageEncrypted: !Ref Enc, PubliclyAccessible: true, DBSubnetGroupName: g, DeletionProtection: true}
`);
    expect(one(s.findings, 'rds-storage-encrypted', 'Db').complianceType).toBe('INSUFFICIENT_DATA');
    expect(one(s.findings, 'rds-instance-public-access-check', 'Db').complianceType).toBe('NON_COMPLIANT');
    expect(one(s.findings, 'rds-instance-deletion-protection-enabled', 'Db').complianceType).toBe('COMPLIANT');
  });

  it('account-level and live-only rules are not judged from a template', () => {
    const s = scan(`
Resources:
  U: {Type: AWS::IAM::User, Properties: {LoginProfile: {Password: '{{resolve:secretsmanager:u:SecretString:pw}}'}}}
  T: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true, S3BucketName: b}}
`);
    expect(s.findings.some((f) => f.configRuleName === 'cloudtrail-enabled')).toBe(false);
    expect(one(s.findings, 'access-keys-rotated', 'U').complianceType).toBe('NOT_APPLICABLE');
    // MFA cannot be activated by a template.
    expect(one(s.findings, 'mfa-enabled-for-iam-console-access', 'U').complianceType).toBe('INSUFFICIENT_DATA');
  });
});

describe('template-only checks', () => {
  it('hard-coded secrets: literals and parameters without NoEcho fail; NoEcho and dynamic references pass', () => {
    const s = scan(`
Parameters:
  Plain: {Type: String}
  Hidden: {Type: String, NoEcho: true}
Resources:
  Lit: {Type: AWS::RDS::DBInstance, Properties: {Engine: mysql, MasterUsername: admin, MasterUserPassword: 'Sup3rS3cretPw!'}}
  Par: {Type: AWS::RDS::DBInstance, Properties: {Engine: mysql, MasterUserPassword: !Ref Plain}}
  Echo: {Type: AWS::RDS::DBInstance, Properties: {Engine: mysql, MasterUserPassword: !Ref Hidden}}
  Dyn: {Type: AWS::RDS::DBInstance, Properties: {Engine: mysql, MasterUserPassword: '{{resolve:secretsmanager:db:SecretString:password}}'}}
  Key:
    Type: AWS::Lambda::Function
    Properties:
      Environment: {Variables: {KEY_ID: AKIA2E3FK5LMNOPQRSTU}}
`);
    const r = (id: string) =>
      s.findings.filter((f) => f.configRuleName === 'cfn-hardcoded-secret' && f.logicalId === id);
    expect(r('Lit')[0]!.complianceType).toBe('NON_COMPLIANT');
    expect(r('Lit')[0]!.annotation).toBe('MasterUserPassword is a literal value in the template');
    expect(JSON.stringify(s.findings)).not.toContain('Sup3rS3cretPw!');
    expect(r('Par')[0]!.annotation).toMatch(/parameter Plain without NoEcho/);
    expect(r('Echo')[0]!.complianceType).toBe('COMPLIANT');
    expect(r('Dyn')[0]!.complianceType).toBe('COMPLIANT');
    const key = r('Key')[0]!;
    expect(key.complianceType).toBe('NON_COMPLIANT');
    expect(key.annotation).toMatch(/AWS access key id AKIA\*+ \(20 chars\)/);
    expect(JSON.stringify(s.findings)).not.toContain('AKIA2E3FK5LMNOPQRSTU');
    expect(key.line).toBe(13);
  });

  it('DeletionPolicy on data stores (RDS defaults to Snapshot on delete)', () => {
    const s = scan(`
Resources:
  B: {Type: AWS::S3::Bucket}
  Kept: {Type: AWS::S3::Bucket, DeletionPolicy: Retain, UpdateReplacePolicy: Retain}
  Db: {Type: AWS::RDS::DBInstance, UpdateReplacePolicy: Snapshot, Properties: {Engine: mysql}}
`);
    const d = (id: string) => one(s.findings, 'cfn-data-store-deletion-policy', id);
    expect(d('B').complianceType).toBe('NON_COMPLIANT');
    expect(d('B').annotation).toMatch(/DeletionPolicy Delete and UpdateReplacePolicy Delete/);
    expect(d('Kept').complianceType).toBe('COMPLIANT');
    expect(d('Db').complianceType).toBe('COMPLIANT');
    expect(d('Db').annotation).toBe('DeletionPolicy Snapshot, UpdateReplacePolicy Snapshot');
  });

  it('IAM wildcards in inline policies', () => {
    const s = scan(`
Resources:
  Admin:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: all
          PolicyDocument:
            Statement: [{Effect: Allow, Action: '*', Resource: '*'}]
  Reader:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement: [{Effect: Allow, Action: ['s3:GetObject', 'ec2:Describe*'], Resource: '*'}]
  Writer:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: w
      Roles: [!Ref Reader]
      PolicyDocument:
        Statement: [{Effect: Allow, Action: ['s3:PutObject'], Resource: '*'}]
`);
    const w = (id: string) => one(s.findings, 'cfn-iam-inline-policy-wildcard', id);
    expect(w('Admin').complianceType).toBe('NON_COMPLIANT');
    expect(w('Admin').line).toBe(10);
    expect(w('Reader').complianceType).toBe('COMPLIANT');
    expect(w('Writer').annotation).toBe('statement 0 allows write action s3:PutObject on Resource "*"');
    // The separate AWS::IAM::Policy is an inline policy of Reader for the Config rule too.
    expect(one(s.findings, 'iam-no-inline-policy-check', 'Reader').annotation).toBe('inline policies: read, w');
  });
});

describe('inline suppressions', () => {
  const T = `
Resources:
  B:
    Type: AWS::S3::Bucket
    Metadata:
      cfn_nag:
        rules_to_suppress:
          - {id: W35, reason: access logs are collected by the CDN}
          - {id: W41}
      checkov:
        skip:
          - {id: CKV_AWS_21, comment: scratch bucket}
      guard:
        SuppressedRules: [S3_DEFAULT_ENCRYPTION_KMS]
      vigil:
        suppress:
          - {id: cfn-data-store-deletion-policy, reason: temporary, expires: '2026-01-01'}
          - {id: S3_BUCKET_REPLICATION_ENABLED, reason: single-region data}
`;
  it('applies suppressions with a reason, maps peer ids, reports the rest', () => {
    const s = scan(T);
    expect(one(s.findings, 's3-bucket-logging-enabled', 'B').suppressed).toEqual({
      reason: 'access logs are collected by the CDN',
      source: 'Metadata.cfn_nag',
    });
    expect(one(s.findings, 's3-bucket-versioning-enabled', 'B').suppressed?.source).toBe('Metadata.checkov');
    expect(one(s.findings, 's3-bucket-replication-enabled', 'B').suppressed?.reason).toBe('single-region data');
    // No reason → not applied, reported.
    expect(one(s.findings, 's3-default-encryption-kms', 'B').suppressed).toBeUndefined();
    expect(s.inlineProblems.map((p) => `${p.source} ${p.id}`)).toEqual([
      'cfn_nag W41',
      'guard S3_DEFAULT_ENCRYPTION_KMS',
    ]);
    // Expired → not applied.
    expect(one(s.findings, 'cfn-data-store-deletion-policy', 'B').suppressed).toBeUndefined();
  });

  it('--no-inline-suppressions ignores them all', () => {
    const s = scan(T, { inlineSuppressions: false });
    expect(s.findings.filter((f) => f.suppressed)).toEqual([]);
    expect(s.inlineProblems).toEqual([]);
  });
});

describe('nested stacks', () => {
  const parent = new URL('../engine/fixtures/parent.yaml', import.meta.url).pathname;

  it('scans each nested template with its own file, with the parameters the parent passes', async () => {
    const { scanPaths } = await import('../../../src/cfn/scan/index.js');
    const dev = await scanPaths([parent], { schemaCheck: false });
    const network = dev.templates.find((t) => t.file.endsWith('nested/network.yaml'))!;
    expect(network).toBeDefined();
    const flow = network.findings.find((f) => f.configRuleName === 'vpc-flow-logs-enabled' && f.logicalId === 'Vpc')!;
    // Env defaults to dev in the parent, so the FlowLog (Condition IsProd) does not exist.
    expect([flow.complianceType, flow.file.endsWith('nested/network.yaml'), flow.line]).toEqual([
      'NON_COMPLIANT',
      true,
      12,
    ]);
    const prod = await scanPaths([parent], { schemaCheck: false, parameters: { Env: 'prod' } });
    const flow2 = prod.templates
      .find((t) => t.file.endsWith('nested/network.yaml'))!
      .findings.find((f) => f.configRuleName === 'vpc-flow-logs-enabled' && f.logicalId === 'Vpc')!;
    expect(flow2.complianceType).toBe('COMPLIANT');
  });
});

describe('helper resources under an unknown condition', () => {
  it('a bucket policy that may not exist cannot make the bucket COMPLIANT', () => {
    const s = scan(`
Parameters:
  Env: {Type: String}
Conditions:
  Prod: !Equals [!Ref Env, prod]
Resources:
  B: {Type: AWS::S3::Bucket}
  Pol:
    Type: AWS::S3::BucketPolicy
    Condition: Prod
    Properties:
      Bucket: !Ref B
      PolicyDocument:
        Statement:
          - {Effect: Deny, Principal: '*', Action: 's3:*', Resource: '*', Condition: {Bool: {'aws:SecureTransport': false}}}
`);
    const f = one(s.findings, 's3-bucket-ssl-requests-only', 'B');
    expect(f.complianceType).toBe('INSUFFICIENT_DATA');
    expect(f.annotation).toMatch(/^depends on Pol, which exists only if condition Prod holds/);
  });
});
