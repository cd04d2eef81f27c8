/**
 * Per-type comparison metadata the schema database does not carry (docs/cfn-engine.md: the CDK service spec has no
 * `writeOnlyProperties` and no `insertionOrder`). Values are those of the CloudFormation registry schemas of these
 * types (writeOnlyProperties; arrays with `insertionOrder: false`); a test checks them against cfn-lint's copy of
 * the provider schemas when it is installed. Paths use `*` for any list index.
 */
import { resourceSchema } from '../cfn/index.js';

export const WRITE_ONLY: Record<string, string[]> = {
  'AWS::EC2::Instance': [
    'AdditionalInfo',
    'BlockDeviceMappings/*/NoDevice',
    'BlockDeviceMappings/*/VirtualName',
    'ElasticGpuSpecifications',
    'ElasticInferenceAccelerators',
    'Ipv6AddressCount',
    'Ipv6Addresses',
    'LaunchTemplate',
    'LicenseSpecifications',
    'PropagateTagsToVolumeOnCreation',
  ],
  'AWS::EC2::VPC': ['Ipv4IpamPoolId', 'Ipv4NetmaskLength'],
  'AWS::EC2::Subnet': ['Ipv4IpamPoolId', 'Ipv4NetmaskLength', 'Ipv6IpamPoolId', 'Ipv6NetmaskLength'],
  'AWS::S3::Bucket': [
    'AccessControl',
    'LifecycleConfiguration/Rules/*/NoncurrentVersionExpirationInDays',
    'LifecycleConfiguration/Rules/*/NoncurrentVersionTransition',
    'LifecycleConfiguration/Rules/*/Transition',
    'LifecycleConfiguration/Rules/*/ExpiredObjectDeleteMarker',
    'ReplicationConfiguration/Rules/*/Prefix',
  ],
  'AWS::IAM::User': ['LoginProfile/Password'],
  'AWS::KMS::Key': ['BypassPolicyLockoutSafetyCheck', 'PendingWindowInDays'],
  'AWS::DynamoDB::Table': ['ImportSourceSpecification'],
  'AWS::Lambda::Function': ['Code', 'SnapStart'],
  'AWS::RDS::DBInstance': [
    'AllowMajorVersionUpgrade',
    'CertificateRotationRestart',
    'DBSnapshotIdentifier',
    'DeleteAutomatedBackups',
    'MasterUserPassword',
    'RestoreTime',
    'SourceDBInstanceAutomatedBackupsArn',
    'SourceDBInstanceIdentifier',
    'SourceDbiResourceId',
    'SourceRegion',
    'TdeCredentialPassword',
    'UseDefaultProcessorFeatures',
    'UseLatestRestorableTime',
  ],
};

/** Arrays compared as multisets (`insertionOrder: false`), with the field that pairs items when there is one. */
export const UNORDERED: Record<string, Record<string, string | null>> = {
  'AWS::EC2::SecurityGroup': { SecurityGroupIngress: null, SecurityGroupEgress: null },
  'AWS::EC2::Instance': { SecurityGroupIds: null, SecurityGroups: null },
  'AWS::IAM::Role': { ManagedPolicyArns: null, Policies: 'PolicyName' },
  'AWS::IAM::User': { ManagedPolicyArns: null, Policies: 'PolicyName', Groups: null },
  'AWS::IAM::Policy': { Roles: null, Users: null, Groups: null },
  'AWS::IAM::ManagedPolicy': { Roles: null, Users: null, Groups: null },
  'AWS::DynamoDB::Table': { AttributeDefinitions: 'AttributeName' },
  'AWS::Lambda::Function': { 'VpcConfig/SecurityGroupIds': null, 'VpcConfig/SubnetIds': null },
  'AWS::RDS::DBInstance': { VPCSecurityGroups: null },
};

/** Properties holding an IAM policy document (compared semantically). */
export const POLICY_DOCUMENTS = new Set([
  'AssumeRolePolicyDocument',
  'PolicyDocument',
  'Policies/*/PolicyDocument',
  'KeyPolicy',
]);

/** Write-only paths: the registry schema's when the database carries them, else the table above. */
export function writeOnlyPaths(type: string): string[] {
  let fromSchema: string[] | undefined;
  try {
    fromSchema = (resourceSchema(type) as { writeOnlyProperties?: string[] } | undefined)?.writeOnlyProperties;
  } catch {
    fromSchema = undefined;
  }
  if (fromSchema) return fromSchema.map((p) => p.replace(/^\/properties\//, ''));
  return WRITE_ONLY[type] ?? [];
}

/** `a/b/3/c` → `a/b/*\/c`, the pattern form used by the tables. */
export const pattern = (path: readonly (string | number)[]): string =>
  path.map((p) => (typeof p === 'number' ? '*' : p)).join('/');

/** Arrays whose pairing/ordering is relaxed: every `Tags` list, plus the per-type table. */
export function unorderedKey(type: string, path: readonly (string | number)[]): string | null | undefined {
  const p = pattern(path);
  if (path[path.length - 1] === 'Tags') return 'Key';
  const t = UNORDERED[type];
  return t && p in t ? t[p] : undefined;
}
