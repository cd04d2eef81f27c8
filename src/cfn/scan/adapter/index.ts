/**
 * CloudFormation → AWS Config configuration items (config-rules.md §1), per resource type the posture rules read,
 * so the same rule functions judge a template and a live account. Defaults are AWS's deploy-time defaults (a new S3
 * bucket gets SSE-S3 and Block Public Access; an ALB has access logs off …); values that depend on the account or on
 * deploy-time facts are Unknown markers (their reads are tracked, see track.ts). Helper resources (bucket policies,
 * security-group ingress, NACL entries, flow logs' targets, web ACL associations, inline IAM policies …) are merged
 * into the CI of the resource they configure, remembering where each field came from for file:line attribution.
 */
import { isUnknown, type ResolvedResource, type ResolvedTemplate, unknown } from '../../model.js';
import { lc, list, newCi, obj, origin, type TemplateCi } from './build.js';
import { type Env, makeEnv, physicalId, resolveRefs } from './symbolic.js';

export type { Origin, TemplateCi } from './build.js';
export { locateEvidence } from './build.js';

export interface AdaptOptions {
  region?: string;
  accountId?: string;
  partition?: string;
}

export interface Adapted {
  cis: TemplateCi[];
  env: Env;
  /** Resource types mapped with a dedicated mapping (others are copied generically). */
  mappedTypes: Set<string>;
}

type P = Record<string, unknown>;
type Mapper = (r: ResolvedResource, p: P, env: Env, all: Helpers) => TemplateCi | undefined;

interface Helpers {
  /** Resources of a type whose property (after symbolic resolution) equals `id`. */
  pointing(type: string, prop: string, ids: string[]): { r: ResolvedResource; p: P }[];
  props(r: ResolvedResource): P;
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
const DEPLOY = (what: string) => (expr: unknown) => unknown(what, expr);

function ipPermission(x: P): P {
  const proto = x.IpProtocol;
  return {
    ipProtocol: typeof proto === 'number' ? String(proto) : lower(proto),
    fromPort: x.FromPort,
    toPort: x.ToPort,
    ipv4Ranges: x.CidrIp !== undefined ? [{ cidrIp: x.CidrIp }] : [],
    ipv6Ranges: x.CidrIpv6 !== undefined ? [{ cidrIpv6: x.CidrIpv6 }] : [],
    userIdGroupPairs:
      x.SourceSecurityGroupId !== undefined || x.DestinationSecurityGroupId !== undefined
        ? [{ groupId: x.SourceSecurityGroupId ?? x.DestinationSecurityGroupId }]
        : [],
    prefixListIds: x.SourcePrefixListId !== undefined ? [{ prefixListId: x.SourcePrefixListId }] : [],
  };
}

const s3Bucket: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  const { ci } = t;
  const id = ci.resourceId;
  ci.configuration = { name: id };
  const sup = ci.supplementaryConfiguration;
  // Since January 2023 every new bucket is encrypted with SSE-S3 when the template says nothing.
  const enc = p.BucketEncryption;
  if (enc === undefined)
    sup.ServerSideEncryptionConfiguration = {
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256', kmsMasterKeyID: null },
          bucketKeyEnabled: false,
        },
      ],
    };
  else if (isUnknown(enc)) sup.ServerSideEncryptionConfiguration = enc;
  else {
    const rules = obj(enc).ServerSideEncryptionConfiguration;
    sup.ServerSideEncryptionConfiguration = isUnknown(rules)
      ? rules
      : {
          rules: list(rules).map((x) => {
            const d = obj(x).ServerSideEncryptionByDefault;
            return {
              applyServerSideEncryptionByDefault: isUnknown(d)
                ? d
                : { sseAlgorithm: obj(d).SSEAlgorithm, kmsMasterKeyID: obj(d).KMSMasterKeyID ?? null },
              bucketKeyEnabled: obj(x).BucketKeyEnabled ?? false,
            };
          }),
        };
    origin(t, 'supplementaryConfiguration.ServerSideEncryptionConfiguration', [
      'BucketEncryption',
      'ServerSideEncryptionConfiguration',
    ]);
  }
  // Since April 2023 new buckets block public access unless the template turns it off.
  const pab = p.PublicAccessBlockConfiguration;
  const pabObj = obj(pab);
  sup.PublicAccessBlockConfiguration = isUnknown(pab)
    ? pab
    : {
        blockPublicAcls: pabObj.BlockPublicAcls ?? pab === undefined,
        ignorePublicAcls: pabObj.IgnorePublicAcls ?? pab === undefined,
        blockPublicPolicy: pabObj.BlockPublicPolicy ?? pab === undefined,
        restrictPublicBuckets: pabObj.RestrictPublicBuckets ?? pab === undefined,
      };
  if (pab !== undefined)
    origin(t, 'supplementaryConfiguration.PublicAccessBlockConfiguration', ['PublicAccessBlockConfiguration']);
  const ver = p.VersioningConfiguration;
  sup.BucketVersioningConfiguration = isUnknown(ver)
    ? ver
    : { status: ver === undefined ? 'Off' : obj(ver).Status, isMfaDeleteEnabled: null };
  if (ver !== undefined)
    origin(t, 'supplementaryConfiguration.BucketVersioningConfiguration', ['VersioningConfiguration']);
  const log = p.LoggingConfiguration;
  sup.BucketLoggingConfiguration = isUnknown(log)
    ? log
    : log === undefined
      ? { destinationBucketName: null, logFilePrefix: null }
      : // Without DestinationBucketName, CloudFormation logs to the bucket itself.
        { destinationBucketName: obj(log).DestinationBucketName ?? id, logFilePrefix: obj(log).LogFilePrefix ?? null };
  if (log !== undefined) origin(t, 'supplementaryConfiguration.BucketLoggingConfiguration', ['LoggingConfiguration']);
  const rep = p.ReplicationConfiguration;
  if (rep !== undefined) {
    const rules = obj(rep).Rules;
    sup.BucketReplicationConfiguration = isUnknown(rep)
      ? rep
      : {
          roleARN: obj(rep).Role,
          rules: isUnknown(rules)
            ? rules
            : Object.fromEntries(
                list(rules).map((x, i) => {
                  const o = obj(x);
                  return [
                    typeof o.Id === 'string' ? o.Id : `rule-${i}`,
                    {
                      status: o.Status,
                      prefix: o.Prefix ?? null,
                      destinationConfig: { bucketARN: obj(o.Destination).Bucket },
                    },
                  ];
                }),
              ),
        };
    origin(t, 'supplementaryConfiguration.BucketReplicationConfiguration', ['ReplicationConfiguration']);
  } else sup.BucketReplicationConfiguration = null;
  // Canned ACLs → Config's grant list (owner grant omitted).
  const acl = p.AccessControl;
  const grants: P[] = [];
  if (acl === 'PublicRead' || acl === 'PublicReadWrite') grants.push({ grantee: 'AllUsers', permission: 'Read' });
  if (acl === 'PublicReadWrite') grants.push({ grantee: 'AllUsers', permission: 'Write' });
  if (acl === 'AuthenticatedRead') grants.push({ grantee: 'AuthenticatedUsers', permission: 'Read' });
  sup.AccessControlList = isUnknown(acl) ? acl : { grantList: grants };
  if (acl !== undefined) origin(t, 'supplementaryConfiguration.AccessControlList', ['AccessControl']);
  const pol = h.pointing('AWS::S3::BucketPolicy', 'Bucket', [id])[0];
  sup.BucketPolicy = { policyText: pol ? pol.p.PolicyDocument : null };
  if (pol) origin(t, 'supplementaryConfiguration.BucketPolicy.policyText', ['PolicyDocument'], pol.r, true);
  return t;
};

const securityGroup: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  const id = t.ci.resourceId;
  const ingress = Array.isArray(p.SecurityGroupIngress) ? p.SecurityGroupIngress : [];
  const perms: unknown[] = ingress.map((x, i) => {
    origin(t, `configuration.ipPermissions.${i}`, ['SecurityGroupIngress', i]);
    return isUnknown(x) ? x : ipPermission(obj(x));
  });
  for (const ext of h.pointing('AWS::EC2::SecurityGroupIngress', 'GroupId', [id])) {
    origin(t, `configuration.ipPermissions.${perms.length}`, [], ext.r);
    perms.push(ipPermission(ext.p));
  }
  // Without SecurityGroupEgress CloudFormation keeps the default allow-all egress rule.
  const egressIn = p.SecurityGroupEgress;
  const egress: unknown[] =
    egressIn === undefined
      ? [
          {
            ipProtocol: '-1',
            ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
            ipv6Ranges: [],
            userIdGroupPairs: [],
            prefixListIds: [],
          },
        ]
      : isUnknown(egressIn)
        ? [egressIn]
        : list(egressIn).map((x) => (isUnknown(x) ? x : ipPermission(obj(x))));
  for (const ext of h.pointing('AWS::EC2::SecurityGroupEgress', 'GroupId', [id])) egress.push(ipPermission(ext.p));
  t.ci.configuration = {
    groupId: id,
    groupName: p.GroupName ?? `${id}`,
    description: p.GroupDescription,
    vpcId: p.VpcId ?? DEPLOY('VpcId not set: the default VPC of the region')({ Ref: 'AWS::NoValue' }),
    ipPermissions: isUnknown(p.SecurityGroupIngress) ? [p.SecurityGroupIngress, ...perms] : perms,
    ipPermissionsEgress: egress,
  };
  if (isUnknown(p.SecurityGroupIngress)) origin(t, 'configuration.ipPermissions', ['SecurityGroupIngress']);
  return t;
};

function subnetOf(id: unknown, h: Helpers, env: Env): P | undefined {
  if (typeof id !== 'string') return undefined;
  for (const r of env.byId.values()) if (r.type === 'AWS::EC2::Subnet' && physicalId(r, env) === id) return h.props(r);
  return undefined;
}

const instance: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  const nis = list(p.NetworkInterfaces).map(obj);
  const primary = nis.find((n) => String(n.DeviceIndex) === '0') ?? nis[0];
  const subnetId = p.SubnetId ?? primary?.SubnetId;
  const subnet = subnetOf(subnetId, h, env);
  let publicIp: unknown;
  const assoc = primary?.AssociatePublicIpAddress;
  if (assoc !== undefined)
    publicIp = isUnknown(assoc) ? assoc : assoc === true || assoc === 'true' ? '(assigned at launch)' : undefined;
  else if (subnet) {
    const m = subnet.MapPublicIpOnLaunch;
    publicIp = isUnknown(m)
      ? m
      : m === true || m === 'true'
        ? '(assigned at launch: subnet maps public IPs)'
        : undefined;
  } else
    publicIp = unknown(
      subnetId === undefined
        ? 'no subnet given: the default subnet of the default VPC assigns a public IP unless changed'
        : 'whether the subnet maps public IPs on launch is known at deploy time',
      subnetId ?? null,
    );
  if (assoc !== undefined)
    origin(t, 'configuration.publicIpAddress', [
      'NetworkInterfaces',
      nis.indexOf(primary!),
      'AssociatePublicIpAddress',
    ]);
  else if (p.SubnetId !== undefined) origin(t, 'configuration.publicIpAddress', ['SubnetId']);
  // IMDS: the instance's MetadataOptions, else its launch template's, else AWS's default (which depends on the AMI).
  let tokens = obj(p.MetadataOptions).HttpTokens;
  if (tokens === undefined) {
    const ltRef = obj(p.LaunchTemplate);
    const ltId = ltRef.LaunchTemplateId ?? ltRef.LaunchTemplateName;
    const lt = [...env.byId.values()].find(
      (x) =>
        x.type === 'AWS::EC2::LaunchTemplate' &&
        (physicalId(x, env) === ltId || obj(x.properties).LaunchTemplateName === ltId),
    );
    if (lt) tokens = obj(obj(h.props(lt).LaunchTemplateData).MetadataOptions).HttpTokens;
  } else origin(t, 'configuration.metadataOptions', ['MetadataOptions']);
  const vpcId = subnet ? subnet.VpcId : undefined;
  t.ci.configuration = {
    instanceId: t.ci.resourceId,
    instanceType: p.InstanceType,
    imageId: p.ImageId,
    subnetId,
    // EC2-Classic is retired: every instance is in a VPC, named here when the template says which.
    vpcId:
      vpcId ??
      (subnetId !== undefined
        ? `(VPC of subnet ${String(isUnknown(subnetId) ? subnetId.reason : subnetId)})`
        : '(default VPC)'),
    state: { name: 'running' },
    publicIpAddress: publicIp,
    metadataOptions: {
      httpTokens:
        tokens ??
        unknown('HttpTokens not set: the default depends on the AMI (ImdsSupport) and the account IMDS defaults', null),
    },
    iamInstanceProfile: p.IamInstanceProfile,
  };
  return t;
};

const volume: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  const id = t.ci.resourceId;
  const attachments = [
    ...h
      .pointing('AWS::EC2::VolumeAttachment', 'VolumeId', [id])
      .map((a) => ({ instanceId: a.p.InstanceId, device: a.p.Device, deleteOnTermination: false })),
    ...[...env.byId.values()]
      .filter((x) => x.type === 'AWS::EC2::Instance')
      .flatMap((x) =>
        list(h.props(x).Volumes)
          .filter((v) => obj(v).VolumeId === id)
          .map((v) => ({ instanceId: physicalId(x, env), device: obj(v).Device, deleteOnTermination: false })),
      ),
  ];
  t.ci.configuration = {
    volumeId: id,
    size: p.Size,
    volumeType: p.VolumeType ?? 'gp2',
    // Without Encrypted, the account's EBS encryption-by-default setting decides.
    encrypted: p.Encrypted ?? unknown('Encrypted not set: the account EBS encryption-by-default setting decides', null),
    kmsKeyId: p.KmsKeyId,
    attachments,
  };
  if (p.Encrypted !== undefined) origin(t, 'configuration.encrypted', ['Encrypted']);
  if (p.KmsKeyId !== undefined) origin(t, 'configuration.kmsKeyId', ['KmsKeyId']);
  return t;
};

const eip: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  const id = t.ci.resourceId;
  const assoc = [
    ...h.pointing('AWS::EC2::EIPAssociation', 'AllocationId', [id]),
    ...h.pointing('AWS::EC2::EIPAssociation', 'EIP', [id]),
  ][0];
  t.ci.configuration = {
    allocationId: id,
    publicIp: id,
    domain: p.Domain ?? 'vpc',
    instanceId: p.InstanceId ?? assoc?.p.InstanceId,
    networkInterfaceId: assoc?.p.NetworkInterfaceId,
    associationId: assoc ? assoc.r.logicalId : undefined,
  };
  if (p.InstanceId !== undefined) origin(t, 'configuration.instanceId', ['InstanceId']);
  return t;
};

const vpc: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  t.ci.configuration = { vpcId: t.ci.resourceId, cidrBlock: p.CidrBlock, isDefault: false };
  return t;
};

const flowLog: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  t.ci.configuration = {
    flowLogId: t.ci.resourceId,
    resourceId: p.ResourceId,
    resourceType: p.ResourceType,
    trafficType: p.TrafficType ?? 'ALL',
    flowLogStatus: 'ACTIVE',
    logDestinationType: p.LogDestinationType ?? 'cloud-watch-logs',
  };
  return t;
};

const subnet: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  t.ci.configuration = {
    subnetId: t.ci.resourceId,
    vpcId: p.VpcId,
    cidrBlock: p.CidrBlock,
    mapPublicIpOnLaunch: p.MapPublicIpOnLaunch ?? false,
    availabilityZone: p.AvailabilityZone,
  };
  if (p.MapPublicIpOnLaunch !== undefined) origin(t, 'configuration.mapPublicIpOnLaunch', ['MapPublicIpOnLaunch']);
  return t;
};

const nacl: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  const id = t.ci.resourceId;
  const entries = h.pointing('AWS::EC2::NetworkAclEntry', 'NetworkAclId', [id]).map(({ r: er, p: e }, i) => {
    origin(t, `configuration.entries.${i}`, [], er);
    const range = obj(e.PortRange);
    return {
      ruleNumber: e.RuleNumber,
      protocol: typeof e.Protocol === 'number' ? String(e.Protocol) : e.Protocol,
      ruleAction: lower(e.RuleAction),
      egress: e.Egress ?? false,
      cidrBlock: e.CidrBlock,
      ipv6CidrBlock: e.Ipv6CidrBlock,
      portRange:
        e.PortRange === undefined
          ? undefined
          : isUnknown(e.PortRange)
            ? e.PortRange
            : { from: range.From, to: range.To },
    };
  });
  t.ci.configuration = { networkAclId: id, vpcId: p.VpcId, isDefault: false, entries };
  return t;
};

function inlinePolicies(
  r: ResolvedResource,
  p: P,
  t: TemplateCi,
  kind: 'Users' | 'Roles' | 'Groups',
  env: Env,
  h: Helpers,
) {
  const key = kind === 'Users' ? 'userPolicyList' : kind === 'Roles' ? 'rolePolicyList' : 'groupPolicyList';
  const id = t.ci.resourceId;
  const own = list(p.Policies).map((x, i) => {
    origin(t, `configuration.${key}.${i}`, ['Policies', i]);
    return isUnknown(x) ? x : { policyName: obj(x).PolicyName, policyDocument: obj(x).PolicyDocument };
  });
  const ext = [...env.byId.values()]
    .filter(
      (x) =>
        x.type === 'AWS::IAM::Policy' ||
        x.type === 'AWS::IAM::UserPolicy' ||
        x.type === 'AWS::IAM::RolePolicy' ||
        x.type === 'AWS::IAM::GroupPolicy',
    )
    .map((x) => ({ r: x, p: h.props(x) }))
    .filter(({ r: x, p: xp }) =>
      x.type === 'AWS::IAM::Policy'
        ? list(xp[kind]).includes(id)
        : xp[kind === 'Users' ? 'UserName' : kind === 'Roles' ? 'RoleName' : 'GroupName'] === id,
    );
  for (const e of ext) {
    origin(t, `configuration.${key}.${own.length}`, [], e.r);
    own.push({ policyName: e.p.PolicyName, policyDocument: e.p.PolicyDocument });
  }
  const managed = [
    ...list(p.ManagedPolicyArns).map((a, i) => {
      origin(t, `configuration.attachedManagedPolicies.${i}`, ['ManagedPolicyArns', i]);
      return { policyArn: a, policyName: typeof a === 'string' ? a.split('/').pop() : a };
    }),
  ];
  for (const x of env.byId.values())
    if (x.type === 'AWS::IAM::ManagedPolicy' && list(h.props(x)[kind]).includes(id)) {
      origin(t, `configuration.attachedManagedPolicies.${managed.length}`, [kind], x);
      managed.push({ policyArn: physicalId(x, env), policyName: obj(h.props(x)).ManagedPolicyName ?? x.logicalId });
    }
  t.ci.configuration[key] = own;
  t.ci.configuration.attachedManagedPolicies = managed;
  void r;
}

const iamUser: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  t.ci.configuration = {
    userName: t.ci.resourceId,
    userId: r.logicalId,
    path: p.Path ?? '/',
    groupList: p.Groups ?? [],
  };
  inlinePolicies(r, p, t, 'Users', env, h);
  const sup = t.ci.supplementaryConfiguration;
  sup.LoginProfile =
    p.LoginProfile === undefined
      ? null
      : isUnknown(p.LoginProfile)
        ? p.LoginProfile
        : { createDate: null, passwordResetRequired: obj(p.LoginProfile).PasswordResetRequired ?? false };
  if (p.LoginProfile !== undefined) origin(t, 'supplementaryConfiguration.LoginProfile', ['LoginProfile']);
  const keys = h.pointing('AWS::IAM::AccessKey', 'UserName', [t.ci.resourceId]);
  sup.AccessKeys = keys.map((k) => ({
    accessKeyId: k.r.logicalId,
    status: k.p.Status ?? 'Active',
    createDate: null,
    lastUsedDate: null,
  }));
  // MFA devices are enabled by the user after deploy (a template cannot activate one).
  sup.MfaDevices = unknown('MFA devices are activated by the user after deploy', null);
  return t;
};

const iamRole: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  t.ci.configuration = {
    roleName: t.ci.resourceId,
    roleId: r.logicalId,
    path: p.Path ?? '/',
    assumeRolePolicyDocument: p.AssumeRolePolicyDocument,
  };
  inlinePolicies(r, p, t, 'Roles', env, h);
  return t;
};

const iamGroup: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  t.ci.configuration = { groupName: t.ci.resourceId, groupId: r.logicalId, path: p.Path ?? '/' };
  inlinePolicies(r, p, t, 'Groups', env, h);
  return t;
};

/** A customer managed policy is Config's AWS::IAM::Policy. */
const managedPolicy: Mapper = (r, p, env) => {
  const t = newCi(r, env, 'AWS::IAM::Policy');
  const attachments = list(p.Users).length + list(p.Roles).length + list(p.Groups).length;
  t.ci.configuration = {
    policyName: t.ci.resourceId,
    policyId: r.logicalId,
    arn: t.ci.arn,
    path: p.Path ?? '/',
    attachmentCount: attachments,
    permissionsBoundaryUsageCount: 0,
    isAttachable: true,
    policyVersionList: [{ versionId: 'v1', isDefaultVersion: true, document: p.PolicyDocument }],
  };
  origin(t, 'configuration.policyVersionList.default.document', ['PolicyDocument'], r, true);
  origin(t, 'configuration.policyVersionList.0.document', ['PolicyDocument'], r, true);
  return t;
};

const trail: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  t.ci.configuration = {
    name: t.ci.resourceId,
    trailARN: t.ci.arn,
    isMultiRegionTrail: p.IsMultiRegionTrail ?? false,
    includeGlobalServiceEvents: p.IncludeGlobalServiceEvents ?? true,
    s3BucketName: p.S3BucketName,
    snsTopicARN: p.SnsTopicName,
    kmsKeyId: p.KMSKeyId,
    logFileValidationEnabled: p.EnableLogFileValidation ?? false,
    cloudWatchLogsLogGroupArn: p.CloudWatchLogsLogGroupArn,
    isOrganizationTrail: p.IsOrganizationTrail ?? false,
  };
  t.ci.supplementaryConfiguration.TrailStatus = { isLogging: p.IsLogging };
  t.ci.supplementaryConfiguration.EventSelectors = lc(p.EventSelectors ?? []);
  t.ci.supplementaryConfiguration.AdvancedEventSelectors = lc(p.AdvancedEventSelectors ?? []);
  return t;
};

const kmsKey: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  const enabled = p.Enabled;
  t.ci.configuration = {
    keyId: t.ci.resourceId,
    arn: t.ci.arn,
    keyManager: 'CUSTOMER',
    keySpec: p.KeySpec ?? 'SYMMETRIC_DEFAULT',
    keyUsage: p.KeyUsage ?? 'ENCRYPT_DECRYPT',
    keyState: isUnknown(enabled) ? enabled : enabled === false || enabled === 'false' ? 'Disabled' : 'Enabled',
    origin: p.Origin ?? 'AWS_KMS',
    multiRegion: p.MultiRegion ?? false,
  };
  t.ci.supplementaryConfiguration.KeyRotationStatus = p.EnableKeyRotation ?? false;
  origin(t, 'supplementaryConfiguration.KeyRotationStatus', ['EnableKeyRotation']);
  // Without KeyPolicy, CloudFormation gives the key AWS's default policy: the account root, nothing else.
  t.ci.supplementaryConfiguration.KeyPolicy = p.KeyPolicy ?? {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${env.partition}:iam::${env.account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
  if (p.KeyPolicy !== undefined) origin(t, 'supplementaryConfiguration.KeyPolicy', ['KeyPolicy']);
  return t;
};

const rdsInstance: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  const cluster = p.DBClusterIdentifier;
  t.ci.configuration = {
    dBInstanceIdentifier: t.ci.resourceId,
    dBInstanceArn: t.ci.arn,
    engine: p.Engine,
    dBClusterIdentifier: cluster,
    // RDS: without a DB subnet group the instance lands in the default VPC, where PubliclyAccessible defaults to true.
    publiclyAccessible: p.PubliclyAccessible ?? p.DBSubnetGroupName === undefined,
    storageEncrypted:
      p.StorageEncrypted ??
      (cluster !== undefined ? unknown('Aurora instance: the cluster sets encryption', null) : false),
    kmsKeyId: p.KmsKeyId,
    multiAZ: p.MultiAZ ?? false,
    deletionProtection: p.DeletionProtection ?? false,
    autoMinorVersionUpgrade: p.AutoMinorVersionUpgrade ?? true,
    backupRetentionPeriod: p.BackupRetentionPeriod ?? (cluster !== undefined ? undefined : 1),
    preferredBackupWindow: p.PreferredBackupWindow,
    readReplicaSourceDBInstanceIdentifier: p.SourceDBInstanceIdentifier,
    iAMDatabaseAuthenticationEnabled: p.EnableIAMDatabaseAuthentication ?? false,
    monitoringInterval: p.MonitoringInterval ?? 0,
    enabledCloudwatchLogsExports: p.EnableCloudwatchLogsExports ?? [],
  };
  for (const [k, c] of Object.entries({
    publiclyAccessible: 'PubliclyAccessible',
    storageEncrypted: 'StorageEncrypted',
    kmsKeyId: 'KmsKeyId',
    multiAZ: 'MultiAZ',
    deletionProtection: 'DeletionProtection',
    autoMinorVersionUpgrade: 'AutoMinorVersionUpgrade',
    backupRetentionPeriod: 'BackupRetentionPeriod',
    preferredBackupWindow: 'PreferredBackupWindow',
  }))
    if (p[c] !== undefined) origin(t, `configuration.${k}`, [c]);
  return t;
};

const rdsCluster: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  t.ci.configuration = {
    dBClusterIdentifier: t.ci.resourceId,
    dBClusterArn: t.ci.arn,
    engine: p.Engine,
    storageEncrypted: p.StorageEncrypted ?? false,
    kmsKeyId: p.KmsKeyId,
    deletionProtection: p.DeletionProtection ?? false,
    backupRetentionPeriod: p.BackupRetentionPeriod ?? 1,
    multiAZ: false,
  };
  for (const [k, c] of Object.entries({
    storageEncrypted: 'StorageEncrypted',
    deletionProtection: 'DeletionProtection',
    backupRetentionPeriod: 'BackupRetentionPeriod',
  }))
    if (p[c] !== undefined) origin(t, `configuration.${k}`, [c]);
  return t;
};

const dynamoTable: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  const sse = p.SSESpecification;
  const s = obj(sse);
  // SSEEnabled true = a KMS key (AWS managed aws/dynamodb unless KMSMasterKeyId); absent/false = AWS owned key,
  // which Config records without an SSEDescription.
  const enabled = s.SSEEnabled;
  t.ci.configuration = {
    tableName: t.ci.resourceId,
    tableArn: t.ci.arn,
    sSEDescription: isUnknown(sse)
      ? sse
      : isUnknown(enabled)
        ? enabled
        : enabled === true || enabled === 'true'
          ? {
              status: 'ENABLED',
              sSEType: s.SSEType ?? 'KMS',
              kMSMasterKeyArn:
                s.KMSMasterKeyId ?? `arn:${env.partition}:kms:${env.region}:${env.account}:alias/aws/dynamodb`,
            }
          : undefined,
    billingModeSummary: { billingMode: p.BillingMode ?? 'PROVISIONED' },
    deletionProtectionEnabled: p.DeletionProtectionEnabled ?? false,
  };
  if (sse !== undefined) origin(t, 'configuration.sSEDescription', ['SSESpecification']);
  const pitr = obj(p.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled;
  t.ci.supplementaryConfiguration.ContinuousBackupsDescription = isUnknown(p.PointInTimeRecoverySpecification)
    ? p.PointInTimeRecoverySpecification
    : {
        continuousBackupsStatus: 'ENABLED',
        pointInTimeRecoveryDescription: {
          pointInTimeRecoveryStatus: isUnknown(pitr) ? pitr : pitr === true || pitr === 'true' ? 'ENABLED' : 'DISABLED',
        },
      };
  if (p.PointInTimeRecoverySpecification !== undefined)
    origin(t, 'supplementaryConfiguration.ContinuousBackupsDescription', ['PointInTimeRecoverySpecification']);
  return t;
};

const ELBV2_DEFAULTS: Record<string, string> = {
  'deletion_protection.enabled': 'false',
  'access_logs.s3.enabled': 'false',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
};

const elbv2: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  const type = p.Type ?? 'application';
  t.ci.configuration = {
    loadBalancerArn: t.ci.arn,
    loadBalancerName: obj(r.properties).Name ?? r.logicalId,
    type,
    scheme: p.Scheme ?? 'internet-facing',
  };
  const given = Array.isArray(p.LoadBalancerAttributes) ? p.LoadBalancerAttributes : [];
  const attrs = new Map<string, unknown>(Object.entries(ELBV2_DEFAULTS));
  const from = new Map<string, number>();
  given.forEach((a, i) => {
    const k = obj(a).Key;
    if (typeof k === 'string') {
      attrs.set(k, obj(a).Value);
      from.set(k, i);
    }
  });
  const list2 = [...attrs].map(([key, value]) => ({ key, value: typeof value === 'boolean' ? String(value) : value }));
  t.ci.supplementaryConfiguration.LoadBalancerAttributes = isUnknown(p.LoadBalancerAttributes)
    ? p.LoadBalancerAttributes
    : list2;
  for (const [k, i] of from)
    origin(
      t,
      ['supplementaryConfiguration', 'LoadBalancerAttributes', `key=${k}`],
      ['LoadBalancerAttributes', i, 'Value'],
    );
  if (p.LoadBalancerAttributes !== undefined)
    origin(t, 'supplementaryConfiguration.LoadBalancerAttributes', ['LoadBalancerAttributes']);
  return t;
};

const listener: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  t.ci.configuration = {
    listenerArn: t.ci.resourceId,
    loadBalancerArn: p.LoadBalancerArn,
    port: p.Port,
    protocol: p.Protocol,
    defaultActions: lc(p.DefaultActions ?? []),
    certificates: lc(p.Certificates ?? []),
  };
  origin(t, 'configuration.defaultActions', ['DefaultActions']);
  return t;
};

const classicElb: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  t.ci.configuration = {
    loadBalancerName: t.ci.resourceId,
    scheme: p.Scheme ?? 'internet-facing',
    listenerDescriptions: list(p.Listeners).map((l, i) => {
      origin(t, `configuration.listenerDescriptions.${i}`, ['Listeners', i]);
      const o = obj(l);
      return {
        listener: {
          protocol: o.Protocol,
          loadBalancerPort: o.LoadBalancerPort,
          instancePort: o.InstancePort,
          instanceProtocol: o.InstanceProtocol,
          sSLCertificateId: o.SSLCertificateId,
        },
        policyNames: o.PolicyNames ?? [],
      };
    }),
  };
  const log = obj(p.AccessLoggingPolicy);
  t.ci.supplementaryConfiguration.LoadBalancerAttributes = {
    accessLog: isUnknown(p.AccessLoggingPolicy)
      ? p.AccessLoggingPolicy
      : { enabled: log.Enabled ?? false, s3BucketName: log.S3BucketName, s3BucketPrefix: log.S3BucketPrefix },
  };
  if (p.AccessLoggingPolicy !== undefined)
    origin(t, 'supplementaryConfiguration.LoadBalancerAttributes.accessLog', ['AccessLoggingPolicy']);
  return t;
};

const webAcl: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  t.ci.configuration = {
    id: r.logicalId,
    name: p.Name ?? r.logicalId,
    arn: t.ci.arn,
    scope: p.Scope,
    defaultAction: lc(p.DefaultAction),
    rules: lc(p.Rules ?? []),
  };
  t.ci.supplementaryConfiguration.AssociatedResources = h
    .pointing('AWS::WAFv2::WebACLAssociation', 'WebACLArn', [t.ci.arn!])
    .map((a) => a.p.ResourceArn);
  const logging = h.pointing('AWS::WAFv2::LoggingConfiguration', 'ResourceArn', [t.ci.arn!])[0];
  t.ci.supplementaryConfiguration.LoggingConfiguration = logging
    ? { resourceArn: t.ci.arn, logDestinationConfigs: logging.p.LogDestinationConfigs }
    : null;
  if (logging) origin(t, 'supplementaryConfiguration.LoggingConfiguration', [], logging.r);
  return t;
};

const backupPlan: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  const plan = obj(p.BackupPlan);
  // CloudFormation's TargetBackupVault / CopyActions → the API's targetBackupVaultName / copyActions.
  const rules = isUnknown(plan.BackupPlanRule)
    ? plan.BackupPlanRule
    : list(plan.BackupPlanRule).map((x) => {
        const o = obj(x);
        return {
          ruleName: o.RuleName,
          targetBackupVaultName: o.TargetBackupVault,
          scheduleExpression: o.ScheduleExpression,
          startWindowMinutes: o.StartWindowMinutes,
          completionWindowMinutes: o.CompletionWindowMinutes,
          enableContinuousBackup: o.EnableContinuousBackup ?? false,
          lifecycle: lc(o.Lifecycle),
          copyActions: list(o.CopyActions).map((c) => ({
            destinationBackupVaultArn: obj(c).DestinationBackupVaultArn,
            lifecycle: lc(obj(c).Lifecycle),
          })),
        };
      });
  t.ci.configuration = {
    backupPlanId: t.ci.resourceId,
    backupPlanArn: t.ci.arn,
    backupPlan: { backupPlanName: plan.BackupPlanName, rules },
  };
  origin(t, 'configuration.backupPlan.rules', ['BackupPlan', 'BackupPlanRule']);
  return t;
};

const backupSelection: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  const sel = obj(p.BackupSelection);
  t.ci.configuration = {
    backupPlanId: p.BackupPlanId,
    selectionId: t.ci.resourceId,
    backupSelection: {
      selectionName: sel.SelectionName,
      iamRoleArn: sel.IamRoleArn,
      resources: sel.Resources ?? [],
      notResources: sel.NotResources ?? [],
      listOfTags: lc(sel.ListOfTags ?? []),
      conditions: lc(sel.Conditions ?? {}),
    },
  };
  return t;
};

const efs: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  t.ci.configuration = {
    fileSystemId: t.ci.resourceId,
    fileSystemArn: t.ci.arn,
    encrypted: p.Encrypted ?? false,
    kmsKeyId: p.KmsKeyId,
    backupPolicy: lc(p.BackupPolicy),
  };
  return t;
};

/** Lambda: VPC config, DLQ, and the resource policy built from AWS::Lambda::Permission resources. */
const lambdaFn: Mapper = (r, p, env, h) => {
  const t = newCi(r, env);
  const vpc = obj(p.VpcConfig);
  t.ci.configuration = {
    functionName: t.ci.resourceId,
    functionArn: t.ci.arn,
    runtime: p.Runtime,
    vpcConfig: isUnknown(p.VpcConfig)
      ? p.VpcConfig
      : { subnetIds: vpc.SubnetIds ?? [], securityGroupIds: vpc.SecurityGroupIds ?? [] },
    deadLetterConfig: isUnknown(p.DeadLetterConfig)
      ? p.DeadLetterConfig
      : { targetArn: obj(p.DeadLetterConfig).TargetArn },
  };
  if (p.VpcConfig !== undefined) origin(t, 'configuration.vpcConfig', ['VpcConfig']);
  if (p.DeadLetterConfig !== undefined) origin(t, 'configuration.deadLetterConfig', ['DeadLetterConfig']);
  const perms = h.pointing('AWS::Lambda::Permission', 'FunctionName', [t.ci.resourceId, t.ci.arn!]);
  const statements = perms.map(({ r: pr, p: x }, i) => {
    origin(t, `supplementaryConfiguration.Policy.Statement.${i}`, [], pr);
    const who = x.Principal;
    const principal =
      who === '*'
        ? '*'
        : typeof who === 'string' && who.endsWith('.amazonaws.com')
          ? { Service: who }
          : isUnknown(who)
            ? who
            : { AWS: who };
    const condition: Record<string, Record<string, unknown>> = {};
    if (x.SourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': x.SourceAccount };
    if (x.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': x.SourceArn };
    if (x.PrincipalOrgID !== undefined)
      condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': x.PrincipalOrgID };
    return {
      Sid: pr.logicalId,
      Effect: 'Allow',
      Principal: principal,
      Action: x.Action,
      Resource: t.ci.arn,
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    };
  });
  t.ci.supplementaryConfiguration.Policy =
    statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : null;
  return t;
};

const snsTopic: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  t.ci.configuration = { topicArn: t.ci.arn, topicName: t.ci.resourceId, kmsMasterKeyId: p.KmsMasterKeyId };
  if (p.KmsMasterKeyId !== undefined) origin(t, 'configuration.KmsMasterKeyId', ['KmsMasterKeyId']);
  return t;
};

/** CloudFormation lists → CloudFront's `{quantity, items}`. */
const qi = (v: unknown, map: (x: unknown) => unknown = lc) =>
  isUnknown(v) ? v : { quantity: list(v).length, items: list(v).map(map) };

const cfOrigin = (o: unknown): unknown => {
  if (isUnknown(o)) return o;
  const x = obj(o);
  const custom = x.CustomOriginConfig;
  return {
    ...(lc({
      Id: x.Id,
      DomainName: x.DomainName,
      OriginPath: x.OriginPath,
      OriginAccessControlId: x.OriginAccessControlId,
    }) as Record<string, unknown>),
    ...(x.S3OriginConfig !== undefined ? { s3OriginConfig: lc(x.S3OriginConfig) } : {}),
    ...(custom !== undefined
      ? {
          customOriginConfig: isUnknown(custom)
            ? custom
            : {
                ...(lc({ ...obj(custom), OriginSSLProtocols: undefined }) as Record<string, unknown>),
                originSslProtocols: qi(obj(custom).OriginSSLProtocols ?? ['TLSv1.2'], (y) => y),
              },
        }
      : {}),
  };
};

const distribution: Mapper = (r, p, env) => {
  const t = newCi(r, env);
  const d = p.DistributionConfig;
  if (isUnknown(d)) {
    t.ci.configuration = { distributionConfig: d };
    return t;
  }
  const c = obj(d);
  const vc = c.ViewerCertificate;
  const v = obj(vc);
  const logging = c.Logging;
  t.ci.configuration = {
    id: r.logicalId,
    arn: t.ci.arn,
    distributionConfig: {
      enabled: c.Enabled,
      defaultRootObject: c.DefaultRootObject ?? '',
      webACLId: c.WebACLId ?? '',
      origins: qi(c.Origins, cfOrigin),
      originGroups: c.OriginGroups === undefined ? { quantity: 0, items: [] } : lc(c.OriginGroups),
      defaultCacheBehavior: lc(c.DefaultCacheBehavior),
      cacheBehaviors: qi(c.CacheBehaviors ?? []),
      // Logging present = enabled (the CloudFormation property has no Enabled flag).
      logging: isUnknown(logging)
        ? logging
        : logging === undefined
          ? { enabled: false, bucket: '' }
          : { enabled: true, bucket: obj(logging).Bucket, prefix: obj(logging).Prefix ?? '' },
      viewerCertificate: isUnknown(vc)
        ? vc
        : {
            aCMCertificateArn: v.AcmCertificateArn,
            iAMCertificateId: v.IamCertificateId,
            cloudFrontDefaultCertificate:
              v.CloudFrontDefaultCertificate ?? (v.AcmCertificateArn === undefined && v.IamCertificateId === undefined),
            sSLSupportMethod: v.SslSupportMethod,
            minimumProtocolVersion: v.MinimumProtocolVersion ?? 'TLSv1',
          },
    },
  };
  for (const [k, cfn] of Object.entries({
    defaultRootObject: 'DefaultRootObject',
    webACLId: 'WebACLId',
    origins: 'Origins',
    originGroups: 'OriginGroups',
    defaultCacheBehavior: 'DefaultCacheBehavior',
    cacheBehaviors: 'CacheBehaviors',
    logging: 'Logging',
    viewerCertificate: 'ViewerCertificate',
  }))
    if (c[cfn] !== undefined) origin(t, `configuration.distributionConfig.${k}`, ['DistributionConfig', cfn]);
  return t;
};

export const MAPPERS: Record<string, Mapper> = {
  'AWS::S3::Bucket': s3Bucket,
  'AWS::EC2::SecurityGroup': securityGroup,
  'AWS::EC2::Instance': instance,
  'AWS::EC2::Volume': volume,
  'AWS::EC2::EIP': eip,
  'AWS::EC2::VPC': vpc,
  'AWS::EC2::FlowLog': flowLog,
  'AWS::EC2::Subnet': subnet,
  'AWS::EC2::NetworkAcl': nacl,
  'AWS::IAM::User': iamUser,
  'AWS::IAM::Role': iamRole,
  'AWS::IAM::Group': iamGroup,
  'AWS::IAM::ManagedPolicy': managedPolicy,
  'AWS::CloudTrail::Trail': trail,
  'AWS::KMS::Key': kmsKey,
  'AWS::RDS::DBInstance': rdsInstance,
  'AWS::RDS::DBCluster': rdsCluster,
  'AWS::DynamoDB::Table': dynamoTable,
  'AWS::ElasticLoadBalancingV2::LoadBalancer': elbv2,
  'AWS::ElasticLoadBalancingV2::Listener': listener,
  'AWS::ElasticLoadBalancing::LoadBalancer': classicElb,
  'AWS::WAFv2::WebACL': webAcl,
  'AWS::Backup::BackupPlan': backupPlan,
  'AWS::Backup::BackupSelection': backupSelection,
  'AWS::EFS::FileSystem': efs,
  'AWS::Lambda::Function': lambdaFn,
  'AWS::SNS::Topic': snsTopic,
  'AWS::CloudFront::Distribution': distribution,
};

/**
 * Resource types folded into another resource's CI (so they are "used" though no rule evaluates them directly).
 */
export const HELPER_TYPES = new Set([
  'AWS::S3::BucketPolicy',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::NetworkAclEntry',
  'AWS::EC2::VolumeAttachment',
  'AWS::EC2::EIPAssociation',
  'AWS::IAM::Policy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::GroupPolicy',
  'AWS::IAM::AccessKey',
  'AWS::WAFv2::WebACLAssociation',
  'AWS::WAFv2::LoggingConfiguration',
  'AWS::EC2::LaunchTemplate',
  'AWS::Lambda::Permission',
]);

/** Map every resource of a resolved template (conditions false are skipped; unknown conditions are mapped). */
export function adaptTemplate(tpl: ResolvedTemplate, opts: AdaptOptions = {}): Adapted {
  const env = makeEnv(tpl, opts);
  const props = new Map<ResolvedResource, P>();
  const propsOf = (r: ResolvedResource): P => {
    let p = props.get(r);
    if (!p) props.set(r, (p = resolveRefs(r.properties, env) as P));
    return p;
  };
  const live = tpl.resources.filter((r) => r.condition?.value !== false);
  const byType = new Map<string, ResolvedResource[]>();
  for (const r of live) {
    const l = byType.get(r.type) ?? [];
    l.push(r);
    byType.set(r.type, l);
  }
  const helpers: Helpers = {
    props: propsOf,
    pointing: (type, prop, ids) =>
      (byType.get(type) ?? [])
        .map((r) => ({ r, p: propsOf(r) }))
        .filter(({ p }) => typeof p[prop] === 'string' && ids.includes(p[prop] as string)),
  };
  const cis: TemplateCi[] = [];
  const mappedTypes = new Set<string>();
  for (const r of live) {
    const m = MAPPERS[r.type];
    if (m) {
      const t = m(r, propsOf(r), env, helpers);
      if (t) {
        mappedTypes.add(t.ci.resourceType);
        cis.push(t);
      }
    } else if (!HELPER_TYPES.has(r.type) && r.type !== 'AWS::CloudFormation::Stack') {
      const t = newCi(r, env);
      t.ci.configuration = lc(propsOf(r)) as P;
      t.generic = true;
      cis.push(t);
    }
  }
  return { cis, env, mappedTypes };
}
