/**
 * A bundled AWS Config snapshot (`examples/config-snapshot.json`, the S3-delivered ConfigSnapshot file format:
 * `{fileVersion, configSnapshotId, configurationItems[]}` with CIs in the file spelling — `ARN`,
 * `configurationItemVersion`, `configuration` as an object) for the production account of the example world, with
 * compliant and non-compliant resources of the types Vigil's rules evaluate. `vigil demo` audits it.
 *
 * It is a plain file at the top of examples/ (not a log folder), so log ingestion never sees it.
 */
import { createHash } from 'node:crypto';
import { BASE_TIME } from './clock.js';
import { PROD, REGION, VPC_APP } from './world.js';
import type { ExampleWriter } from './writer.js';

export const CONFIG_SNAPSHOT_PATH = 'config-snapshot.json';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const CAPTURE = iso(BASE_TIME);
const daysBefore = (d: number) => iso(BASE_TIME - d * DAY);

type Obj = Record<string, unknown>;

interface ItemSpec {
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn: string;
  region?: string;
  availabilityZone?: string;
  createdDaysAgo: number;
  tags?: Record<string, string>;
  relationships?: { resourceType: string; resourceId: string; name: string }[];
  configuration: Obj;
  supplementaryConfiguration?: Obj;
}

/** Deterministic pseudo-ids (state ids, hashes) derived from the resource, so the file is stable. */
function digest(s: string, n: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, n);
}

function item(s: ItemSpec): Obj {
  const configuration = s.configuration;
  return {
    relatedEvents: [],
    relationships: (s.relationships ?? []).map((r) => ({ ...r, resourceName: null })),
    configuration,
    supplementaryConfiguration: s.supplementaryConfiguration ?? {},
    // Tagged for cost allocation unless the spec says otherwise (required-tags checks CostCenter).
    tags: s.tags ?? { CostCenter: 'shop' },
    configurationItemVersion: '1.3',
    configurationItemCaptureTime: CAPTURE,
    configurationStateId: Number.parseInt(digest(`${s.arn}|state`, 12), 16),
    awsAccountId: PROD,
    configurationItemStatus: 'OK',
    resourceType: s.resourceType,
    resourceId: s.resourceId,
    resourceName: s.resourceName ?? s.resourceId,
    ARN: s.arn,
    awsRegion: s.region ?? REGION,
    availabilityZone: s.availabilityZone ?? 'Not Applicable',
    configurationStateMd5Hash: '',
    resourceCreationTime: daysBefore(s.createdDaysAgo),
  };
}

const ec2Arn = (kind: string, id: string) => `arn:aws:ec2:${REGION}:${PROD}:${kind}/${id}`;

function securityGroup(id: string, name: string, rules: [number, number, string][], createdDaysAgo: number): Obj {
  return item({
    resourceType: 'AWS::EC2::SecurityGroup',
    resourceId: id,
    resourceName: name,
    arn: ec2Arn('security-group', id),
    createdDaysAgo,
    tags: { env: 'prod', owner: 'platform', CostCenter: 'platform' },
    relationships: [{ resourceType: 'AWS::EC2::VPC', resourceId: VPC_APP.id, name: 'Is contained in Vpc' }],
    configuration: {
      description: name === 'default' ? 'default VPC security group' : `${name} security group`,
      groupName: name,
      ownerId: PROD,
      groupId: id,
      vpcId: VPC_APP.id,
      ipPermissions: rules.map(([from, to, cidr]) => ({
        fromPort: from,
        ipProtocol: 'tcp',
        ipv6Ranges: cidr.includes(':') ? [{ cidrIpv6: cidr }] : [],
        prefixListIds: [],
        toPort: to,
        userIdGroupPairs: [],
        ipv4Ranges: cidr.includes(':') ? [] : [{ cidrIp: cidr }],
        ipRanges: cidr.includes(':') ? [] : [cidr],
      })),
      ipPermissionsEgress: [
        {
          ipProtocol: '-1',
          ipv6Ranges: [],
          prefixListIds: [],
          userIdGroupPairs: [],
          ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
          ipRanges: ['0.0.0.0/0'],
        },
      ],
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'owner', value: 'platform' },
        { key: 'CostCenter', value: 'platform' },
      ],
    },
  });
}

function bucket(name: string, createdDaysAgo: number, supp: Obj, tags: Record<string, string>): Obj {
  return item({
    resourceType: 'AWS::S3::Bucket',
    resourceId: name,
    arn: `arn:aws:s3:::${name}`,
    createdDaysAgo,
    tags,
    configuration: { name, owner: { displayName: null, id: 'owner-id' }, creationDate: daysBefore(createdDaysAgo) },
    supplementaryConfiguration: supp,
  });
}

const sse = (sseAlgorithm: string) => ({
  ServerSideEncryptionConfiguration: {
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyID: null }, bucketKeyEnabled: false }],
  },
});

const sslOnly = (name: string) => ({
  policyText: JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  }),
});

function volume(id: string, encrypted: boolean, instanceId: string | undefined, createdDaysAgo: number): Obj {
  return item({
    // The forgotten, unattached volume was never tagged.
    tags: instanceId ? undefined : {},
    resourceType: 'AWS::EC2::Volume',
    resourceId: id,
    arn: ec2Arn('volume', id),
    availabilityZone: `${REGION}a`,
    createdDaysAgo,
    configuration: {
      attachments: instanceId
        ? [
            {
              attachTime: daysBefore(createdDaysAgo),
              device: '/dev/xvda',
              instanceId,
              state: 'attached',
              volumeId: id,
              deleteOnTermination: true,
            },
          ]
        : [],
      availabilityZone: `${REGION}a`,
      createTime: daysBefore(createdDaysAgo),
      encrypted,
      kmsKeyId: encrypted ? `arn:aws:kms:${REGION}:${PROD}:key/5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f` : null,
      size: 50,
      state: instanceId ? 'in-use' : 'available',
      volumeId: id,
      volumeType: 'gp3',
    },
  });
}

function eip(allocationId: string, publicIp: string, instanceId?: string): Obj {
  return item({
    resourceType: 'AWS::EC2::EIP',
    resourceId: allocationId,
    arn: ec2Arn('eip-allocation', allocationId),
    createdDaysAgo: 90,
    configuration: {
      allocationId,
      publicIp,
      domain: 'vpc',
      ...(instanceId ? { instanceId, associationId: `eipassoc-${digest(allocationId, 17)}` } : {}),
    },
  });
}

function dbInstance(id: string, c: Obj): Obj {
  return item({
    resourceType: 'AWS::RDS::DBInstance',
    resourceId: `db-${digest(id, 26).toUpperCase()}`,
    resourceName: id,
    arn: `arn:aws:rds:${REGION}:${PROD}:db:${id}`,
    createdDaysAgo: 400,
    configuration: {
      dBInstanceIdentifier: id,
      engine: 'postgres',
      engineVersion: '16.4',
      dBInstanceClass: 'db.t4g.medium',
      ...c,
    },
  });
}

function table(name: string, pitr: 'ENABLED' | 'DISABLED', kmsKey?: string): Obj {
  return item({
    resourceType: 'AWS::DynamoDB::Table',
    resourceId: name,
    arn: `arn:aws:dynamodb:${REGION}:${PROD}:table/${name}`,
    createdDaysAgo: 200,
    configuration: {
      tableName: name,
      tableStatus: 'ACTIVE',
      ...(kmsKey ? { sSEDescription: { status: 'ENABLED', sSEType: 'KMS', kMSMasterKeyArn: kmsKey } } : {}),
    },
    supplementaryConfiguration: {
      ContinuousBackupsDescription: {
        continuousBackupsStatus: 'ENABLED',
        pointInTimeRecoveryDescription: {
          pointInTimeRecoveryStatus: pitr,
          ...(pitr === 'ENABLED' ? { recoveryPeriodInDays: 35 } : {}),
        },
      },
    },
  });
}

function kmsKey(id: string, rotation: boolean): Obj {
  return item({
    resourceType: 'AWS::KMS::Key',
    resourceId: id,
    arn: `arn:aws:kms:${REGION}:${PROD}:key/${id}`,
    createdDaysAgo: 500,
    configuration: {
      keyId: id,
      arn: `arn:aws:kms:${REGION}:${PROD}:key/${id}`,
      keyManager: 'CUSTOMER',
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      keyState: 'Enabled',
      origin: 'AWS_KMS',
      enabled: true,
    },
    supplementaryConfiguration: { KeyRotationStatus: rotation },
  });
}

function iamUser(name: string, c: Obj): Obj {
  const id = `AIDA${digest(name, 17).toUpperCase()}`;
  return item({
    resourceType: 'AWS::IAM::User',
    resourceId: id,
    resourceName: name,
    arn: `arn:aws:iam::${PROD}:user/${name}`,
    region: 'global',
    createdDaysAgo: 700,
    configuration: {
      path: '/',
      userName: name,
      userId: id,
      arn: `arn:aws:iam::${PROD}:user/${name}`,
      createDate: daysBefore(700),
      userPolicyList: [],
      groupList: [],
      attachedManagedPolicies: [],
      permissionsBoundary: null,
      tags: [],
      ...c,
    },
  });
}

function trail(name: string, c: Obj): Obj {
  return item({
    resourceType: 'AWS::CloudTrail::Trail',
    resourceId: name,
    arn: `arn:aws:cloudtrail:${REGION}:${PROD}:trail/${name}`,
    createdDaysAgo: 800,
    configuration: {
      name,
      trailARN: `arn:aws:cloudtrail:${REGION}:${PROD}:trail/${name}`,
      s3BucketName: 'example-org-cloudtrail',
      includeGlobalServiceEvents: true,
      homeRegion: REGION,
      ...c,
    },
    supplementaryConfiguration: {
      TrailStatus: { isLogging: true },
      EventSelectors: [{ readWriteType: 'All', includeManagementEvents: true, dataResources: [] }],
    },
  });
}

/** The snapshot document (pure). */
export function configSnapshot(): Obj {
  const items: Obj[] = [
    securityGroup('sg-0a1b2c3d4e5f60718', 'web-alb', [[443, 443, '0.0.0.0/0']], 300),
    securityGroup(
      'sg-0b2c3d4e5f6071829',
      'bastion',
      [
        [22, 22, '0.0.0.0/0'],
        [3389, 3389, '0.0.0.0/0'],
      ],
      120,
    ),
    securityGroup('sg-0c3d4e5f607182930', 'app', [[8080, 8080, '10.0.0.0/16']], 300),
    securityGroup('sg-0d4e5f60718293041', 'default', [[0, 65535, '10.0.0.0/16']], 800),
    bucket(
      'example-shop-assets',
      600,
      {
        ...sse('AES256'),
        BucketVersioningConfiguration: { status: 'Enabled', isMfaDeleteEnabled: null },
        BucketLoggingConfiguration: { destinationBucketName: 'example-shop-access-logs', logFilePrefix: 'assets/' },
        BucketPolicy: sslOnly('example-shop-assets'),
        PublicAccessBlockConfiguration: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      },
      { env: 'prod', owner: 'shop', CostCenter: 'shop' },
    ),
    bucket(
      'example-shop-public-uploads',
      45,
      {
        BucketVersioningConfiguration: { status: 'Off' },
        BucketLoggingConfiguration: {},
        AccessControlList: { grantList: [{ grantee: 'AllUsers', permission: 'Read' }], owner: { id: 'owner-id' } },
      },
      { env: 'prod' },
    ),
    volume('vol-0aa11bb22cc33dd44', true, 'i-0123456789abcdef0', 200),
    volume('vol-0ee55ff66aa77bb88', false, undefined, 30),
    eip('eipalloc-0a1b2c3d4e5f60718', '3.215.77.120', 'i-0123456789abcdef0'),
    eip('eipalloc-0f1e2d3c4b5a69788', '44.206.18.34'),
    dbInstance('orders-db', {
      storageEncrypted: true,
      multiAZ: true,
      publiclyAccessible: false,
      backupRetentionPeriod: 7,
      deletionProtection: true,
      autoMinorVersionUpgrade: true,
    }),
    dbInstance('reporting-db', {
      storageEncrypted: false,
      multiAZ: false,
      publiclyAccessible: true,
      backupRetentionPeriod: 0,
      deletionProtection: false,
      autoMinorVersionUpgrade: false,
    }),
    table('orders', 'ENABLED', `arn:aws:kms:${REGION}:${PROD}:key/5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f`),
    table('sessions', 'DISABLED'),
    kmsKey('5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f', true),
    kmsKey('0a9b8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d', false),
    iamUser('ci-deploy', {
      attachedManagedPolicies: [
        { policyName: 'AdministratorAccess', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      ],
    }),
    iamUser('alice', { groupList: ['engineers'] }),
    trail('org-trail', {
      isMultiRegionTrail: true,
      logFileValidationEnabled: true,
      kmsKeyId: `arn:aws:kms:${REGION}:${PROD}:key/5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f`,
      cloudWatchLogsLogGroupArn: `arn:aws:logs:${REGION}:${PROD}:log-group:cloudtrail:*`,
    }),
  ];
  return { fileVersion: '1.0', configSnapshotId: '3b8f0c2e-7d41-4a6e-9f15-2c9e8d7a6b50', configurationItems: items };
}

export function generateConfigSnapshot(writer: ExampleWriter): void {
  writer.doc(CONFIG_SNAPSHOT_PATH, `${JSON.stringify(configSnapshot(), null, 2)}\n`);
}
