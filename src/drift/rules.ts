/**
 * Per-type comparison metadata the schema database does not carry (docs/cfn-engine.md: the CDK service spec has no
 * `writeOnlyProperties` and no `insertionOrder`). The values are facts of the CloudFormation registry (provider)
 * schemas of these types — writeOnlyProperties, and arrays with `insertionOrder: false` — as of the us-east-1 schemas
 * shipped with cfn-lint 1.51.0; test/drift/rules.test.ts re-checks them against that copy when cfn-lint is installed.
 * Paths use `*` for any list index.
 */
import { resourceSchema } from '../cfn/index.js';

export const WRITE_ONLY: Record<string, string[]> = {
  'AWS::EC2::SecurityGroup': ['SecurityGroupIngress/*/SourceSecurityGroupName'],
  'AWS::EC2::Instance': [
    'AdditionalInfo',
    'BlockDeviceMappings/*/NoDevice',
    'BlockDeviceMappings/*/VirtualName',
    'Ipv6AddressCount',
    'Ipv6Addresses',
    'LicenseSpecifications',
    'PropagateTagsToVolumeOnCreation',
  ],
  'AWS::EC2::VPC': ['Ipv4IpamPoolId', 'Ipv4NetmaskLength'],
  'AWS::EC2::Subnet': [
    'EnableLniAtDeviceIndex',
    'Ipv4IpamPoolId',
    'Ipv4NetmaskLength',
    'Ipv6IpamPoolId',
    'Ipv6NetmaskLength',
  ],
  'AWS::S3::Bucket': [
    'AccessControl',
    'BucketNamePrefix',
    'BucketNamespace',
    'LifecycleConfiguration/Rules/*/ExpiredObjectDeleteMarker',
    'LifecycleConfiguration/Rules/*/NoncurrentVersionExpirationInDays',
    'LifecycleConfiguration/Rules/*/NoncurrentVersionTransition',
    'LifecycleConfiguration/Rules/*/Transition',
    'MetadataConfiguration/InventoryTableConfiguration/EncryptionConfiguration',
    'MetadataConfiguration/JournalTableConfiguration/EncryptionConfiguration',
    'ReplicationConfiguration/Rules/*/Prefix',
  ],
  'AWS::IAM::User': ['LoginProfile/Password'],
  'AWS::KMS::Key': ['BypassPolicyLockoutSafetyCheck', 'PendingWindowInDays', 'RotationPeriodInDays'],
  'AWS::DynamoDB::Table': ['ImportSourceSpecification'],
  'AWS::Lambda::Function': [
    'Code/ImageUri',
    'Code/S3Bucket',
    'Code/S3Key',
    'Code/S3ObjectVersion',
    'Code/SourceKMSKeyArn',
    'Code/ZipFile',
    'PublishToLatestPublished',
    'SnapStart',
    'SnapStart/ApplyOn',
  ],
  'AWS::RDS::DBInstance': [
    'AllowMajorVersionUpgrade',
    'ApplyImmediately',
    'AutomaticBackupReplicationKmsKeyId',
    'CertificateRotationRestart',
    'DBSnapshotIdentifier',
    'DeleteAutomatedBackups',
    'MasterUserAuthenticationType',
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
};

/** Types whose schema leaves `Tags` ordered (insertionOrder defaults to true). */
export const ORDERED_TAGS = new Set(['AWS::EC2::Subnet', 'AWS::DynamoDB::Table']);

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

/** Arrays compared as multisets: `Tags` (paired by Key) unless the schema orders them, plus the per-type table. */
export function unorderedKey(type: string, path: readonly (string | number)[]): string | null | undefined {
  const p = pattern(path);
  if (p === 'Tags' && !ORDERED_TAGS.has(type)) return 'Key';
  const t = UNORDERED[type];
  return t && p in t ? t[p] : undefined;
}
