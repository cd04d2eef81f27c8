/**
 * Round trip: a template deployed through CloudFormation on moto_server, collected with the posture collector and
 * audited, gives the same verdicts as `vigil iac scan` gave on the template — for every rule whose inputs are known
 * before deploy and that moto emulates (see LIVE_DIFFERS for the one it does not).
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTemplateText } from '../../../src/cfn/index.js';
import { scanResolved } from '../../../src/cfn/scan/index.js';
import { collect } from '../../../src/posture/collect/index.js';
import { evaluate } from '../../../src/posture/engine.js';
import { ALL_RULES } from '../../../src/posture/rules/index.js';
import { hasCommand, integrationAvailable } from '../../helpers/integration.js';
import { type MotoServer, startMoto } from '../../helpers/moto.js';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  OpenSsh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh from anywhere
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  Internal:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: https inside
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
  Versioned:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: vigil-roundtrip-versioned
      VersioningConfiguration: {Status: Enabled}
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: alias/data}
  Plain:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: vigil-roundtrip-plain
`;

/** Rules compared, per resource type (their inputs are all in the template). */
const COMPARED: Record<string, string[]> = {
  'AWS::EC2::SecurityGroup': ['restricted-ssh', 'restricted-common-ports', 'vpc-sg-open-only-to-authorized-ports'],
  'AWS::S3::Bucket': ['s3-bucket-versioning-enabled', 's3-default-encryption-kms'],
};

/**
 * Pairs moto does not emulate (checked in moto 5.2.1's s3/models.py: FakeBucket.create_from_cloudformation_json applies
 * BucketEncryption but not VersioningConfiguration), so the live side cannot show the template's intent.
 */
const MOTO_GAPS: Record<string, string> = {
  's3-bucket-versioning-enabled|Versioned': 'moto CloudFormation ignores VersioningConfiguration on create',
};

const available = integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));

describe.skipIf(!available)('template scan vs deployed stack (moto_server CloudFormation)', () => {
  let moto: MotoServer;
  const template = new Map<string, string>();
  const live = new Map<string, string>();
  let compared = 0;

  beforeAll(async () => {
    process.env.MOTO_EC2_LOAD_DEFAULT_AMIS = 'false';
    moto = await startMoto();
    const scan = scanResolved(resolveTemplateText(TEMPLATE, 'roundtrip.yaml'));
    for (const f of scan.findings) template.set(`${f.configRuleName}|${f.logicalId}`, f.complianceType);
    const cfn = new CloudFormationClient({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
    await cfn.send(new CreateStackCommand({ StackName: 'roundtrip', TemplateBody: TEMPLATE }));
    const res = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'roundtrip' }));
    const logicalOf = new Map((res.StackResources ?? []).map((r) => [r.PhysicalResourceId!, r.LogicalResourceId!]));
    const col = await collect({
      regions: [REGION],
      endpoint: moto.endpoint,
      credentials: CREDENTIALS,
      services: ['ec2', 's3'],
      timeoutMs: 20_000,
    });
    const inv = {
      items: col.snapshot.configurationItems as never,
      collectedTypes: new Set(col.snapshot.collectedTypes as string[]),
    };
    for (const e of evaluate(
      inv,
      ALL_RULES.map((rule) => ({ rule })),
    ).evaluations) {
      const logical = logicalOf.get(e.resourceId) ?? (e.resourceName ? logicalOf.get(e.resourceName) : undefined);
      if (logical) live.set(`${e.configRuleName}|${logical}`, e.complianceType);
    }
  }, 180_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it.each([
    ['OpenSsh', 'AWS::EC2::SecurityGroup'],
    ['Internal', 'AWS::EC2::SecurityGroup'],
    ['Versioned', 'AWS::S3::Bucket'],
    ['Plain', 'AWS::S3::Bucket'],
  ])('%s: same verdicts before and after deploy', (logical, type) => {
    for (const rule of COMPARED[type]!) {
      if (MOTO_GAPS[`${rule}|${logical}`]) continue;
      const before = template.get(`${rule}|${logical}`);
      const after = live.get(`${rule}|${logical}`);
      expect(before, `${rule} on ${logical} in the template`).toBeDefined();
      expect(after, `${rule} on ${logical} in the deployed stack`).toBeDefined();
      expect(`${rule} ${before}`).toBe(`${rule} ${after}`);
      compared++;
    }
  });

  it('the expected verdicts, as a check on the comparison itself', () => {
    expect(template.get('restricted-ssh|OpenSsh')).toBe('NON_COMPLIANT');
    expect(template.get('restricted-ssh|Internal')).toBe('COMPLIANT');
    expect(template.get('s3-bucket-versioning-enabled|Versioned')).toBe('COMPLIANT');
    expect(template.get('s3-bucket-versioning-enabled|Plain')).toBe('NON_COMPLIANT');
    expect(compared).toBe(9);
  });
});
