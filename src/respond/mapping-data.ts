/**
 * The default remediation table. Choices follow AWS's own playbooks: compromised EC2 → the GuardDuty isolation sample;
 * compromised credentials → deactivate the key / revoke the role's sessions; public S3 → Block Public Access (what ASR
 * S3.2/S3.3 do); weakened logging → turn it back on. Findings where acting automatically is unsafe (root usage, DDoS)
 * notify instead. Values only a site knows (webhook URL, backup plan, log bucket) come from `${env:…}`.
 */
import type { MappingEntry, ResponseMapping } from './mapping.js';

/** `${env:NAME}`: a value read from the environment when the mapping is resolved. */
const env = (name: string) => `\${env:${name}}`;

const INSTANCE_ID = '$.detail.resource.instanceDetails.instanceId';
const SUBNET_ID = '$.detail.resource.instanceDetails.networkInterfaces[0].subnetId';
const REMOTE_IP = [
  '$.detail.service.action.networkConnectionAction.remoteIpDetails.ipAddressV4',
  '$.detail.service.action.networkConnectionAction.remoteIpDetails.ipAddressV6',
  '$.detail.service.action.portProbeAction.portProbeDetails[0].remoteIpDetails.ipAddressV4',
  '$.detail.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4',
  '$.detail.service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4',
];
const ACCESS_KEY = '$.detail.resource.accessKeyDetails.accessKeyId';
const USER_NAME = '$.detail.resource.accessKeyDetails.userName';
const BUCKET = '$.detail.resource.s3BucketDetails[0].name';
const RESOURCE_ID = '$.detail.resourceId';
const NOTIFY_URL = env('VIGIL_NOTIFY_URL');

const quarantine: MappingEntry = {
  action: 'ec2-quarantine-instance',
  params: { instanceId: INSTANCE_ID },
  note: 'the instance itself behaves as compromised (malware, mining, C2, exfiltration): isolate it for forensics',
};
const denyAttacker: MappingEntry = {
  action: 'ec2-nacl-deny-ip',
  params: { ip: REMOTE_IP, subnetId: SUBNET_ID },
  note: 'an outside address attacks the instance: deny it at the subnet NACL',
};
const deactivateKey: MappingEntry = {
  action: 'iam-deactivate-access-key',
  params: { accessKeyId: ACCESS_KEY, userName: USER_NAME },
  note: 'the credentials are used from a malicious place or tool: deactivate the key (role keys are blocked with a hint to revoke sessions)',
};
const notify = (why: string): MappingEntry => ({
  action: 'notify-webhook',
  params: {
    url: NOTIFY_URL,
    title: '$.detail.title',
    text: '$.detail.description',
    severity: { path: '$.detail.severity', default: 'unknown' },
    fields: { value: {} },
  },
  note: why,
});

export const DEFAULT_MAPPING: ResponseMapping = {
  findingTypes: {
    'Backdoor:EC2/*': quarantine,
    'Behavior:EC2/*': quarantine,
    'CryptoCurrency:EC2/*': quarantine,
    'Trojan:EC2/*': quarantine,
    'DefenseEvasion:EC2/*': quarantine,
    'DefenseImpairment:EC2/*': quarantine,
    'Impact:EC2/PortSweep': quarantine,
    'Impact:EC2/WinRMBruteForce': quarantine,
    'Impact:EC2/AbusedDomainRequest.Reputation': quarantine,
    'Impact:EC2/MaliciousDomainRequest.Reputation': quarantine,
    'Impact:EC2/MaliciousDomainRequest.Custom': quarantine,
    'Recon:EC2/Portscan': quarantine,
    'UnauthorizedAccess:EC2/TorClient': quarantine,
    'UnauthorizedAccess:EC2/TorRelay': quarantine,
    'UnauthorizedAccess:EC2/MetadataDNSRebind': quarantine,
    'CredentialAccess:EC2/UnsecuredCredentials': quarantine,
    'UnauthorizedAccess:EC2/SSHBruteForce': denyAttacker,
    'UnauthorizedAccess:EC2/RDPBruteForce': denyAttacker,
    'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom': denyAttacker,
    'Recon:EC2/PortProbeUnprotectedPort': denyAttacker,
    'Recon:EC2/PortProbeEMRUnprotectedPort': denyAttacker,
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS': {
      action: 'iam-revoke-role-sessions',
      params: { roleName: USER_NAME, issuedBefore: ['$.detail.updatedAt', '$.time'] },
      note: "an instance role's temporary credentials are used outside AWS: deny sessions issued up to the finding",
    },
    'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B': {
      action: 'iam-delete-login-profile',
      params: { userName: USER_NAME },
      note: 'a console sign-in from an unusual place: remove the console password',
    },
    'UnauthorizedAccess:IAMUser/*': deactivateKey,
    'Recon:IAMUser/*': deactivateKey,
    'PenTest:IAMUser/*': deactivateKey,
    'Discovery:S3/*': deactivateKey,
    'Exfiltration:S3/*': deactivateKey,
    'Impact:S3/*': deactivateKey,
    'PenTest:S3/*': deactivateKey,
    'UnauthorizedAccess:S3/*': deactivateKey,
    'Stealth:IAMUser/CloudTrailLoggingDisabled': {
      action: 'cloudtrail-start-logging',
      params: {
        trailName: [
          "$.detail.service.action.awsApiCallAction.affectedResources['AWS::CloudTrail::Trail']",
          '$.detail.explanation.evidence.trail',
        ],
      },
      note: 'logging was stopped: start it again',
    },
    'Stealth:IAMUser/PasswordPolicyChange': {
      action: 'iam-enforce-password-policy',
      params: {},
      note: 'the password policy was weakened: enforce the CIS policy',
    },
    'Policy:S3/AccountBlockPublicAccessDisabled': {
      action: 's3-block-public-access-account',
      params: {},
      note: 'account-level Block Public Access was turned off',
    },
    'Policy:S3/BucketBlockPublicAccessDisabled': {
      action: 's3-block-public-access-bucket',
      params: { bucket: BUCKET },
      note: 'bucket-level Block Public Access was turned off',
    },
    'Policy:S3/BucketAnonymousAccessGranted': {
      action: 's3-block-public-access-bucket',
      params: { bucket: BUCKET },
      note: 'Block Public Access overrides the public ACL/policy without editing it (ASR S3.2)',
    },
    'Policy:S3/BucketPublicAccessGranted': {
      action: 's3-block-public-access-bucket',
      params: { bucket: BUCKET },
      note: 'Block Public Access overrides the public ACL/policy without editing it (ASR S3.2)',
    },
    'Policy:IAMUser/RootCredentialUsage': notify('root activity: a human decides'),
    'Policy:IAMUser/ShortTermRootCredentialUsage': notify('root activity: a human decides'),
    'Stealth:S3/ServerAccessLoggingDisabled': notify('no automatic action re-enables S3 server access logging yet'),
    // Anomaly-model findings are probabilistic: a human confirms before anything is disabled.
    ...Object.fromEntries(
      [
        'CredentialAccess',
        'DefenseEvasion',
        'Discovery',
        'Exfiltration',
        'Impact',
        'InitialAccess',
        'Persistence',
        'PrivilegeEscalation',
      ].map((t) => [`${t}:IAMUser/AnomalousBehavior`, notify('anomaly-based finding: a human confirms before acting')]),
    ),
    'DDoS:*': notify('volumetric attack: blocking needs a site-specific WAF IP set (override with wafv2-block-ip)'),
  },
  configRules: {
    'restricted-ssh': {
      action: 'ec2-revoke-public-ingress',
      params: { groupId: RESOURCE_ID, ports: [22] },
    },
    'restricted-common-ports': {
      action: 'ec2-revoke-public-ingress',
      params: { groupId: RESOURCE_ID, ports: [20, 21, 3389, 3306, 4333] },
      note: "the rule's default blockedPort1-5",
    },
    's3-bucket-level-public-access-prohibited': {
      action: 's3-block-public-access-bucket',
      params: { bucket: RESOURCE_ID },
    },
    's3-bucket-public-read-prohibited': { action: 's3-block-public-access-bucket', params: { bucket: RESOURCE_ID } },
    's3-bucket-public-write-prohibited': { action: 's3-block-public-access-bucket', params: { bucket: RESOURCE_ID } },
    's3-account-level-public-access-blocks-periodic': { action: 's3-block-public-access-account', params: {} },
    's3-bucket-server-side-encryption-enabled': {
      action: 's3-enable-default-encryption',
      params: { bucket: RESOURCE_ID },
    },
    's3-default-encryption-kms': {
      action: 's3-enable-default-encryption',
      params: { bucket: RESOURCE_ID, kmsKeyId: 'alias/aws/s3' },
      note: 'the AWS-managed S3 key unless overridden with a customer key',
    },
    's3-bucket-versioning-enabled': { action: 's3-enable-versioning', params: { bucket: RESOURCE_ID } },
    'rds-snapshots-public-prohibited': {
      action: 'rds-make-snapshot-private',
      params: {
        snapshotId: RESOURCE_ID,
        snapshotType: {
          path: '$.detail.resourceType',
          map: { 'AWS::RDS::DBClusterSnapshot': 'cluster' },
          default: 'instance',
        },
      },
    },
    'cloud-trail-log-file-validation-enabled': {
      action: 'cloudtrail-enable-log-file-validation',
      params: { trailName: RESOURCE_ID },
    },
    'cmk-backing-key-rotation-enabled': { action: 'kms-enable-key-rotation', params: { keyId: RESOURCE_ID } },
    'guardduty-enabled-centralized': { action: 'guardduty-enable', params: {} },
    'iam-password-policy': { action: 'iam-enforce-password-policy', params: {} },
    'vpc-flow-logs-enabled': {
      action: 'ec2-enable-vpc-flow-logs',
      params: { vpcId: RESOURCE_ID, deliverLogsPermissionArn: env('VIGIL_FLOW_LOGS_ROLE_ARN') },
    },
    'elb-logging-enabled': {
      action: 'elbv2-enable-access-logs',
      params: { loadBalancerArn: RESOURCE_ID, bucket: env('VIGIL_ELB_LOG_BUCKET') },
    },
    'db-instance-backup-enabled': {
      action: 'rds-set-backup-retention',
      params: { dbInstanceIdentifier: RESOURCE_ID, retentionDays: 7 },
    },
    'dynamodb-pitr-enabled': { action: 'dynamodb-enable-pitr', params: { tableName: RESOURCE_ID } },
    'dynamodb-in-backup-plan': {
      action: 'backup-add-resource',
      params: {
        backupPlanId: env('VIGIL_BACKUP_PLAN_ID'),
        resourceArn: {
          template: 'arn:aws:dynamodb:{$.detail.awsRegion}:{$.detail.awsAccountId}:table/{$.detail.resourceId}',
        },
      },
    },
    'rds-in-backup-plan': {
      action: 'backup-add-resource',
      params: {
        backupPlanId: env('VIGIL_BACKUP_PLAN_ID'),
        resourceArn: { template: 'arn:aws:rds:{$.detail.awsRegion}:{$.detail.awsAccountId}:db:{$.detail.resourceId}' },
      },
    },
  },
};
