/**
 * Actual state in CloudFormation property space: a configuration item (AWS Config's shape, from a Config snapshot
 * or `vigil collect`) converted back to the properties of the CloudFormation type. Config and Vigil's collector
 * both use lowerCamel describe output; where Config's own snapshot differs (e.g. security-group `ipv4Ranges`, IAM
 * URL-encoded policy documents), both forms are read.
 */
import type { ConfigItem } from '../posture/model.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Drop undefined members so absent properties stay absent. */
function clean(o: Obj): Obj {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function cfnTags(ci: ConfigItem): { Key: string; Value: string }[] | undefined {
  const keys = Object.keys(ci.tags);
  // CloudFormation adds aws:cloudformation:* tags itself; they are never in a template.
  const own = keys.filter((k) => !k.startsWith('aws:'));
  return own.map((Key) => ({ Key, Value: ci.tags[Key]! }));
}

/** Security-group permissions → one CloudFormation rule per source (CloudFormation's own flattening). */
function sgRules(perms: unknown[], egress: boolean): Obj[] {
  const out: Obj[] = [];
  for (const p of perms) {
    if (!isObj(p)) continue;
    const base = clean({
      IpProtocol: p.ipProtocol,
      FromPort: p.ipProtocol === '-1' ? undefined : p.fromPort,
      ToPort: p.ipProtocol === '-1' ? undefined : p.toPort,
    });
    const v4 = arr(p.ipv4Ranges).length > 0 ? arr(p.ipv4Ranges) : arr(p.ipRanges);
    for (const r of v4) {
      const cidr = typeof r === 'string' ? r : isObj(r) ? r.cidrIp : undefined;
      out.push(clean({ ...base, CidrIp: cidr, Description: isObj(r) ? r.description : undefined }));
    }
    for (const r of arr(p.ipv6Ranges)) {
      const cidr = typeof r === 'string' ? r : isObj(r) ? r.cidrIpv6 : undefined;
      out.push(clean({ ...base, CidrIpv6: cidr, Description: isObj(r) ? r.description : undefined }));
    }
    for (const g of arr(p.userIdGroupPairs))
      if (isObj(g))
        out.push(
          clean({
            ...base,
            [egress ? 'DestinationSecurityGroupId' : 'SourceSecurityGroupId']: g.groupId,
            ...(egress ? {} : { SourceSecurityGroupOwnerId: undefined }),
            Description: g.description,
          }),
        );
    for (const l of arr(p.prefixListIds))
      if (isObj(l))
        out.push(
          clean({
            ...base,
            [egress ? 'DestinationPrefixListId' : 'SourcePrefixListId']: l.prefixListId,
            Description: l.description,
          }),
        );
  }
  return out;
}

function policyDoc(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  let t = v;
  if (/^%7B/i.test(t)) {
    try {
      t = decodeURIComponent(t);
    } catch {
      return v;
    }
  }
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

const inlinePolicies = (list: unknown) =>
  arr(list)
    .filter(isObj)
    .filter((p) => p.policyDocument !== undefined)
    .map((p) => ({ PolicyName: p.policyName, PolicyDocument: policyDoc(p.policyDocument) }));

const managedArns = (list: unknown) =>
  arr(list)
    .filter(isObj)
    .map((p) => p.policyArn)
    .filter((a) => typeof a === 'string');

type Converter = (ci: ConfigItem, all: readonly ConfigItem[]) => Obj;

const CONVERTERS: Record<string, Converter> = {
  'AWS::EC2::SecurityGroup': (ci) => {
    const c = ci.configuration;
    return {
      GroupDescription: c.description,
      GroupName: c.groupName,
      VpcId: c.vpcId,
      SecurityGroupIngress: sgRules(arr(c.ipPermissions), false),
      SecurityGroupEgress: sgRules(arr(c.ipPermissionsEgress), true),
      Tags: cfnTags(ci),
    };
  },
  'AWS::S3::Bucket': (ci) => {
    const s = ci.supplementaryConfiguration;
    const enc = s.ServerSideEncryptionConfiguration;
    const ver = s.BucketVersioningConfiguration;
    const pab = s.PublicAccessBlockConfiguration;
    const log = s.BucketLoggingConfiguration;
    return {
      BucketName: ci.resourceName ?? ci.configuration.name,
      BucketEncryption:
        isObj(enc) && arr(enc.rules).length > 0
          ? {
              ServerSideEncryptionConfiguration: arr(enc.rules)
                .filter(isObj)
                .map((r) => {
                  const d = isObj(r.applyServerSideEncryptionByDefault) ? r.applyServerSideEncryptionByDefault : {};
                  return clean({
                    ServerSideEncryptionByDefault: clean({
                      SSEAlgorithm: d.sseAlgorithm,
                      KMSMasterKeyID: d.kmsMasterKeyID ?? undefined,
                    }),
                    BucketKeyEnabled: r.bucketKeyEnabled,
                  });
                }),
            }
          : undefined,
      // Versioning never enabled ("Off") has no CloudFormation representation: the property is absent.
      VersioningConfiguration: isObj(ver) && ver.status !== 'Off' ? { Status: ver.status } : undefined,
      PublicAccessBlockConfiguration: isObj(pab)
        ? clean({
            BlockPublicAcls: pab.blockPublicAcls,
            BlockPublicPolicy: pab.blockPublicPolicy,
            IgnorePublicAcls: pab.ignorePublicAcls,
            RestrictPublicBuckets: pab.restrictPublicBuckets,
          })
        : undefined,
      LoggingConfiguration:
        isObj(log) && log.destinationBucketName
          ? clean({ DestinationBucketName: log.destinationBucketName, LogFilePrefix: log.logFilePrefix ?? undefined })
          : undefined,
      Tags: cfnTags(ci),
    };
  },
  'AWS::IAM::Role': (ci) => {
    const c = ci.configuration;
    const pb = isObj(c.permissionsBoundary) ? c.permissionsBoundary.permissionsBoundaryArn : undefined;
    return {
      RoleName: c.roleName ?? ci.resourceName,
      Path: c.path,
      Description: c.description,
      MaxSessionDuration: c.maxSessionDuration,
      AssumeRolePolicyDocument: policyDoc(c.assumeRolePolicyDocument),
      ManagedPolicyArns: managedArns(c.attachedManagedPolicies),
      Policies: inlinePolicies(c.rolePolicyList),
      PermissionsBoundary: pb,
      Tags: cfnTags(ci),
    };
  },
  'AWS::IAM::User': (ci) => {
    const c = ci.configuration;
    const pb = isObj(c.permissionsBoundary) ? c.permissionsBoundary.permissionsBoundaryArn : undefined;
    const policies = inlinePolicies(c.userPolicyList);
    return {
      UserName: c.userName ?? ci.resourceName,
      Path: c.path,
      Groups: Array.isArray(c.groupList) ? c.groupList : undefined,
      ManagedPolicyArns: managedArns(c.attachedManagedPolicies),
      Policies: policies,
      PermissionsBoundary: pb,
      Tags: cfnTags(ci),
    };
  },
  'AWS::IAM::ManagedPolicy': (ci) => {
    const c = ci.configuration;
    const def = arr(c.policyVersionList)
      .filter(isObj)
      .find((v) => v.isDefaultVersion === true);
    return {
      ManagedPolicyName: c.policyName ?? ci.resourceName,
      Path: c.path,
      Description: c.description,
      PolicyDocument: def ? policyDoc(def.document) : undefined,
    };
  },
  'AWS::EC2::Instance': (ci, all) => {
    const c = ci.configuration;
    const sgs = arr(c.securityGroups).filter(isObj);
    const sgName = (id: unknown) =>
      all.find((x) => x.resourceType === 'AWS::EC2::SecurityGroup' && x.resourceId === id)?.resourceName;
    return {
      InstanceType: c.instanceType,
      ImageId: c.imageId,
      KeyName: c.keyName,
      SubnetId: c.subnetId,
      SecurityGroupIds: sgs.map((g) => g.groupId),
      SecurityGroups: sgs.map((g) => g.groupName ?? sgName(g.groupId)),
      Monitoring: isObj(c.monitoring) ? c.monitoring.state === 'enabled' : undefined,
      EbsOptimized: c.ebsOptimized,
      IamInstanceProfile: isObj(c.iamInstanceProfile) ? c.iamInstanceProfile.arn : undefined,
      Tags: cfnTags(ci),
    };
  },
  'AWS::EC2::VPC': (ci) => {
    const c = ci.configuration;
    return { CidrBlock: c.cidrBlock, InstanceTenancy: c.instanceTenancy, Tags: cfnTags(ci) };
  },
  'AWS::EC2::Subnet': (ci) => {
    const c = ci.configuration;
    return {
      VpcId: c.vpcId,
      CidrBlock: c.cidrBlock,
      AvailabilityZone: c.availabilityZone,
      MapPublicIpOnLaunch: c.mapPublicIpOnLaunch,
      Tags: cfnTags(ci),
    };
  },
  'AWS::KMS::Key': (ci) => {
    const c = ci.configuration;
    const s = ci.supplementaryConfiguration;
    return {
      Description: c.description,
      KeyUsage: c.keyUsage,
      KeySpec: c.keySpec ?? c.customerMasterKeySpec,
      Enabled: c.enabled ?? (c.keyState === undefined ? undefined : c.keyState === 'Enabled'),
      MultiRegion: c.multiRegion,
      EnableKeyRotation: typeof s.KeyRotationStatus === 'boolean' ? s.KeyRotationStatus : undefined,
      KeyPolicy: s.KeyPolicy === undefined ? undefined : policyDoc(s.KeyPolicy),
      Tags: cfnTags(ci),
    };
  },
  'AWS::DynamoDB::Table': (ci, _all) => {
    const c = ci.configuration;
    const pt = isObj(c.provisionedThroughput) ? c.provisionedThroughput : undefined;
    const billing = isObj(c.billingModeSummary) ? c.billingModeSummary.billingMode : undefined;
    const sse = isObj(c.sSEDescription) ? c.sSEDescription : isObj(c.sseDescription) ? c.sseDescription : undefined;
    const pitr = ci.supplementaryConfiguration.ContinuousBackupsDescription;
    const pitrStatus =
      isObj(pitr) && isObj(pitr.pointInTimeRecoveryDescription)
        ? pitr.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus
        : undefined;
    return {
      TableName: c.tableName,
      BillingMode: billing ?? (pt && Number(pt.readCapacityUnits) > 0 ? 'PROVISIONED' : undefined),
      KeySchema: arr(c.keySchema)
        .filter(isObj)
        .map((k) => ({ AttributeName: k.attributeName, KeyType: k.keyType })),
      AttributeDefinitions: arr(c.attributeDefinitions)
        .filter(isObj)
        .map((a) => ({ AttributeName: a.attributeName, AttributeType: a.attributeType })),
      ProvisionedThroughput:
        pt && Number(pt.readCapacityUnits) > 0
          ? { ReadCapacityUnits: pt.readCapacityUnits, WriteCapacityUnits: pt.writeCapacityUnits }
          : undefined,
      SSESpecification: sse
        ? clean({
            SSEEnabled: sse.status === 'ENABLED' || sse.status === 'ENABLING',
            SSEType: sse.sSEType ?? sse.sseType,
          })
        : undefined,
      PointInTimeRecoverySpecification:
        pitrStatus === undefined ? undefined : { PointInTimeRecoveryEnabled: pitrStatus === 'ENABLED' },
      DeletionProtectionEnabled: c.deletionProtectionEnabled,
      Tags: cfnTags(ci),
    };
  },
  'AWS::Lambda::Function': (ci) => {
    const c = ci.configuration;
    const env = isObj(c.environment) ? c.environment.variables : undefined;
    const vpc = isObj(c.vpcConfig) ? c.vpcConfig : undefined;
    return {
      FunctionName: c.functionName,
      Runtime: c.runtime,
      Handler: c.handler,
      Role: c.role,
      MemorySize: c.memorySize,
      Timeout: c.timeout,
      Description: c.description,
      Environment: isObj(env) ? { Variables: env } : undefined,
      VpcConfig: vpc ? { SecurityGroupIds: vpc.securityGroupIds, SubnetIds: vpc.subnetIds } : undefined,
      Architectures: c.architectures,
      TracingConfig: isObj(c.tracingConfig) ? { Mode: c.tracingConfig.mode } : undefined,
      Tags: cfnTags(ci),
    };
  },
  'AWS::RDS::DBInstance': (ci) => {
    const c = ci.configuration;
    return {
      DBInstanceIdentifier: c.dBInstanceIdentifier ?? c.dbInstanceIdentifier,
      DBInstanceClass: c.dBInstanceClass ?? c.dbInstanceClass,
      Engine: c.engine,
      EngineVersion: c.engineVersion,
      AllocatedStorage: c.allocatedStorage,
      StorageType: c.storageType,
      StorageEncrypted: c.storageEncrypted,
      KmsKeyId: c.kmsKeyId,
      PubliclyAccessible: c.publiclyAccessible,
      MultiAZ: c.multiAZ,
      BackupRetentionPeriod: c.backupRetentionPeriod,
      DeletionProtection: c.deletionProtection,
      MasterUsername: c.masterUsername,
      VPCSecurityGroups: arr(c.vpcSecurityGroups)
        .filter(isObj)
        .map((g) => g.vpcSecurityGroupId),
      Tags: cfnTags(ci),
    };
  },
};

/** The Config resource type that holds a CloudFormation type's live state (they differ for managed policies). */
export const CONFIG_TYPE: Record<string, string> = {
  'AWS::IAM::ManagedPolicy': 'AWS::IAM::Policy',
};

export const configTypeOf = (cfnType: string) => CONFIG_TYPE[cfnType] ?? cfnType;

/** Types whose actual properties Vigil can read. */
export const SUPPORTED_TYPES: readonly string[] = [...Object.keys(CONVERTERS), 'AWS::IAM::Policy'];

/** The CI a physical id names (resource id, name or ARN: CloudFormation's physical ids vary by type). */
export function findCi(items: readonly ConfigItem[], cfnType: string, physicalId: string): ConfigItem | undefined {
  const t = configTypeOf(cfnType);
  return items.find(
    (ci) =>
      ci.resourceType === t &&
      (ci.resourceId === physicalId || ci.resourceName === physicalId || ci.arn === physicalId),
  );
}

/**
 * Properties whose source the inventory may not carry (a Config snapshot that does not record the setting, a
 * collector that lists inline policy names only): absent source = not read, rather than "removed".
 */
const NOT_COLLECTED: Record<string, Record<string, (ci: ConfigItem) => boolean>> = {
  'AWS::S3::Bucket': {
    BucketEncryption: (ci) => !('ServerSideEncryptionConfiguration' in ci.supplementaryConfiguration),
    VersioningConfiguration: (ci) => !('BucketVersioningConfiguration' in ci.supplementaryConfiguration),
    PublicAccessBlockConfiguration: (ci) => !('PublicAccessBlockConfiguration' in ci.supplementaryConfiguration),
    LoggingConfiguration: (ci) => !('BucketLoggingConfiguration' in ci.supplementaryConfiguration),
  },
  'AWS::EC2::SecurityGroup': {
    SecurityGroupIngress: (ci) => !Array.isArray(ci.configuration.ipPermissions),
    SecurityGroupEgress: (ci) => !Array.isArray(ci.configuration.ipPermissionsEgress),
  },
  'AWS::IAM::Role': {
    Policies: (ci) => !Array.isArray(ci.configuration.rolePolicyList),
    ManagedPolicyArns: (ci) => !Array.isArray(ci.configuration.attachedManagedPolicies),
  },
  'AWS::IAM::User': {
    Policies: (ci) =>
      !Array.isArray(ci.configuration.userPolicyList) ||
      arr(ci.configuration.userPolicyList).some((p) => !isObj(p) || p.policyDocument === undefined),
    ManagedPolicyArns: (ci) => !Array.isArray(ci.configuration.attachedManagedPolicies),
  },
  'AWS::KMS::Key': {
    EnableKeyRotation: (ci) => !('KeyRotationStatus' in ci.supplementaryConfiguration),
    KeyPolicy: (ci) => !('KeyPolicy' in ci.supplementaryConfiguration),
  },
  'AWS::DynamoDB::Table': {
    PointInTimeRecoverySpecification: (ci) => !('ContinuousBackupsDescription' in ci.supplementaryConfiguration),
  },
};

/**
 * Actual CloudFormation properties of one resource (absent values removed), the top-level properties Vigil maps for
 * the type (`reads`), and those whose source this item does not carry (`missing`); undefined for unsupported types.
 */
export function actualProperties(
  cfnType: string,
  ci: ConfigItem,
  all: readonly ConfigItem[],
): { props: Obj; reads: ReadonlySet<string>; missing: ReadonlySet<string> } | undefined {
  const conv = CONVERTERS[cfnType];
  if (!conv) return undefined;
  const raw = conv(ci, all);
  const missing = new Set<string>();
  for (const [k, absent] of Object.entries(NOT_COLLECTED[cfnType] ?? {}))
    if (absent(ci)) {
      missing.add(k);
      delete raw[k];
    }
  return { reads: new Set(Object.keys(raw)), missing, props: clean(raw) };
}

/**
 * AWS::IAM::Policy (an inline policy) lives on its roles/users/groups: the actual state is the named policy on
 * the principals the template lists. Returns undefined when none of them is in the inventory.
 */
export function actualInlinePolicy(expected: Obj, items: readonly ConfigItem[]): Obj | undefined {
  const name = str(expected.PolicyName);
  if (!name) return undefined;
  let doc: unknown;
  const found: Record<'Roles' | 'Users' | 'Groups', string[]> = { Roles: [], Users: [], Groups: [] };
  const kinds: ['Roles' | 'Users' | 'Groups', string, string][] = [
    ['Roles', 'AWS::IAM::Role', 'rolePolicyList'],
    ['Users', 'AWS::IAM::User', 'userPolicyList'],
    ['Groups', 'AWS::IAM::Group', 'groupPolicyList'],
  ];
  let seen = false;
  for (const [prop, type, list] of kinds) {
    for (const p of arr(expected[prop])) {
      if (typeof p !== 'string') continue;
      const ci = items.find((c) => c.resourceType === type && (c.resourceName === p || c.resourceId === p));
      if (!ci) continue;
      seen = true;
      const pol = arr(ci.configuration[list])
        .filter(isObj)
        .find((x) => x.policyName === name);
      if (pol) {
        found[prop].push(p);
        doc ??= policyDoc(pol.policyDocument);
      }
    }
  }
  if (!seen) return undefined;
  return clean({
    PolicyName: doc === undefined && Object.values(found).every((l) => l.length === 0) ? undefined : name,
    PolicyDocument: doc,
    Roles: expected.Roles ? found.Roles : undefined,
    Users: expected.Users ? found.Users : undefined,
    Groups: expected.Groups ? found.Groups : undefined,
  });
}
