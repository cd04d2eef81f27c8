/** Every rule, keyed by name and identifier. Adding a rule = adding its folder and one line here. */
import type { Rule } from '../rule.js';
import { rule as accessKeysRotated } from './access-keys-rotated/index.js';
import { rule as albDesync } from './alb-desync-mode-check/index.js';
import { rule as albDropInvalidHeader } from './alb-http-drop-invalid-header-enabled/index.js';
import { rule as albHttpsRedirect } from './alb-http-to-https-redirection-check/index.js';
import { rule as albWaf } from './alb-waf-enabled/index.js';
import { rule as auroraBackupPlan } from './aurora-resources-protected-by-backup-plan/index.js';
import { rule as backupPlan } from './backup-plan-min-frequency-and-min-retention-check/index.js';
import { rule as cloudTrailCloudWatchLogs } from './cloud-trail-cloud-watch-logs-enabled/index.js';
import { rule as cloudTrailEncryption } from './cloud-trail-encryption-enabled/index.js';
import { rule as cloudTrailValidation } from './cloud-trail-log-file-validation-enabled/index.js';
import { rule as cfAccessLogs } from './cloudfront-accesslogs-enabled/index.js';
import { rule as cfWaf } from './cloudfront-associated-with-waf/index.js';
import { rule as cfCustomCert } from './cloudfront-custom-ssl-certificate/index.js';
import { rule as cfRootObject } from './cloudfront-default-root-object-configured/index.js';
import { rule as cfNoSslv3 } from './cloudfront-no-deprecated-ssl-protocols/index.js';
import { rule as cfOai } from './cloudfront-origin-access-identity-enabled/index.js';
import { rule as cfFailover } from './cloudfront-origin-failover-enabled/index.js';
import { rule as cfOac } from './cloudfront-s3-origin-access-control-enabled/index.js';
import { rule as cfSni } from './cloudfront-sni-enabled/index.js';
import { rule as cfOriginTls } from './cloudfront-traffic-to-origin-encrypted/index.js';
import { rule as cfViewerHttps } from './cloudfront-viewer-policy-https/index.js';
import { rule as cloudtrailEnabled } from './cloudtrail-enabled/index.js';
import { rule as cloudtrailS3DataEvents } from './cloudtrail-s3-dataevents-enabled/index.js';
import { rule as cmkRotation } from './cmk-backing-key-rotation-enabled/index.js';
import { rule as dbInstanceBackup } from './db-instance-backup-enabled/index.js';
import { rule as dynamodbBackupPlan } from './dynamodb-in-backup-plan/index.js';
import { rule as dynamodbPitr } from './dynamodb-pitr-enabled/index.js';
import { rule as dynamodbKms } from './dynamodb-table-encrypted-kms/index.js';
import { rule as ebsBackupPlan } from './ebs-in-backup-plan/index.js';
import { rule as ebsSnapshotPublic } from './ebs-snapshot-public-restorable-check/index.js';
import { rule as ebsDefault } from './ec2-ebs-encryption-by-default/index.js';
import { rule as imdsv2 } from './ec2-imdsv2-check/index.js';
import { rule as ssmManaged } from './ec2-instance-managed-by-systems-manager/index.js';
import { rule as noPublicIp } from './ec2-instance-no-public-ip/index.js';
import { rule as instancesInVpc } from './ec2-instances-in-vpc/index.js';
import { rule as ssmAssociation } from './ec2-managedinstance-association-compliance-status-check/index.js';
import { rule as ssmPatch } from './ec2-managedinstance-patch-compliance-status-check/index.js';
import { rule as stoppedInstance } from './ec2-stopped-instance/index.js';
import { rule as volumeInUse } from './ec2-volume-inuse-check/index.js';
import { rule as efsEncrypted } from './efs-encrypted-check/index.js';
import { rule as efsBackupPlan } from './efs-in-backup-plan/index.js';
import { rule as eipAttached } from './eip-attached/index.js';
import { rule as elbAcm } from './elb-acm-certificate-required/index.js';
import { rule as elbDeletion } from './elb-deletion-protection-enabled/index.js';
import { rule as elbLogging } from './elb-logging-enabled/index.js';
import { rule as elbTlsOnly } from './elb-tls-https-listeners-only/index.js';
import { rule as encryptedVolumes } from './encrypted-volumes/index.js';
import { rule as guardduty } from './guardduty-enabled-centralized/index.js';
import { rule as groupHasUsers } from './iam-group-has-users-check/index.js';
import { rule as noInlinePolicy } from './iam-no-inline-policy-check/index.js';
import { rule as passwordPolicy } from './iam-password-policy/index.js';
import { rule as adminAccess } from './iam-policy-no-statements-with-admin-access/index.js';
import { rule as policyFullAccess } from './iam-policy-no-statements-with-full-access/index.js';
import { rule as rootAccessKey } from './iam-root-access-key-check/index.js';
import { rule as userGroupMembership } from './iam-user-group-membership-check/index.js';
import { rule as userMfa } from './iam-user-mfa-enabled/index.js';
import { rule as userNoPolicies } from './iam-user-no-policies-check/index.js';
import { rule as unusedCredentials } from './iam-user-unused-credentials-check/index.js';
import { rule as kmsNotDeleted } from './kms-cmk-not-scheduled-for-deletion/index.js';
import { rule as kmsKeyPolicyNoPublicAccess } from './kms-key-policy-no-public-access/index.js';
import { rule as lambdaDlq } from './lambda-dlq-check/index.js';
import { rule as lambdaPublic } from './lambda-function-public-access-prohibited/index.js';
import { rule as lambdaVpc } from './lambda-inside-vpc/index.js';
import { rule as consoleMfa } from './mfa-enabled-for-iam-console-access/index.js';
import { rule as multiRegionTrail } from './multi-region-cloudtrail-enabled/index.js';
import { rule as naclSshRdp } from './nacl-no-unrestricted-ssh-rdp/index.js';
import { rule as rdsMinorUpgrade } from './rds-automatic-minor-version-upgrade-enabled/index.js';
import { rule as rdsClusterDeletion } from './rds-cluster-deletion-protection-enabled/index.js';
import { rule as rdsClusterIamAuth } from './rds-cluster-iam-authentication-enabled/index.js';
import { rule as rdsClusterMultiAz } from './rds-cluster-multi-az-enabled/index.js';
import { rule as rdsMonitoring } from './rds-enhanced-monitoring-enabled/index.js';
import { rule as rdsBackupPlan } from './rds-in-backup-plan/index.js';
import { rule as rdsDeletion } from './rds-instance-deletion-protection-enabled/index.js';
import { rule as rdsIamAuth } from './rds-instance-iam-authentication-enabled/index.js';
import { rule as rdsPublic } from './rds-instance-public-access-check/index.js';
import { rule as rdsLogging } from './rds-logging-enabled/index.js';
import { rule as rdsMultiAz } from './rds-multi-az-support/index.js';
import { rule as rdsSnapshotEncrypted } from './rds-snapshot-encrypted/index.js';
import { rule as rdsSnapshotPublic } from './rds-snapshots-public-prohibited/index.js';
import { rule as rdsEncrypted } from './rds-storage-encrypted/index.js';
import { rule as requiredTags } from './required-tags/index.js';
import { rule as restrictedCommonPorts } from './restricted-common-ports/index.js';
import { rule as restrictedSsh } from './restricted-ssh/index.js';
import { rule as rootMfa } from './root-account-mfa-enabled/index.js';
import { rule as s3AccountPab } from './s3-account-level-public-access-blocks-periodic/index.js';
import { rule as s3AclProhibited } from './s3-bucket-acl-prohibited/index.js';
import { rule as s3BucketPab } from './s3-bucket-level-public-access-prohibited/index.js';
import { rule as s3Logging } from './s3-bucket-logging-enabled/index.js';
import { rule as s3PublicRead } from './s3-bucket-public-read-prohibited/index.js';
import { rule as s3PublicWrite } from './s3-bucket-public-write-prohibited/index.js';
import { rule as s3Replication } from './s3-bucket-replication-enabled/index.js';
import { rule as s3Sse } from './s3-bucket-server-side-encryption-enabled/index.js';
import { rule as s3Ssl } from './s3-bucket-ssl-requests-only/index.js';
import { rule as s3Versioning } from './s3-bucket-versioning-enabled/index.js';
import { rule as s3Kms } from './s3-default-encryption-kms/index.js';
import { rule as securityhub } from './securityhub-enabled/index.js';
import { rule as snsKms } from './sns-encrypted-kms/index.js';
import { rule as subnetPublicIp } from './subnet-auto-assign-public-ip-disabled/index.js';
import { rule as vpcDefaultSg } from './vpc-default-security-group-closed/index.js';
import { rule as flowLogs } from './vpc-flow-logs-enabled/index.js';
import { rule as sgAuthorizedPorts } from './vpc-sg-open-only-to-authorized-ports/index.js';
import { rule as wafLogging } from './wafv2-logging-enabled/index.js';
import { rule as wafNotEmpty } from './wafv2-webacl-not-empty/index.js';

export const ALL_RULES: readonly Rule[] = [
  accessKeysRotated,
  cloudTrailCloudWatchLogs,
  cloudTrailEncryption,
  cloudTrailValidation,
  cloudtrailEnabled,
  cloudtrailS3DataEvents,
  cmkRotation,
  dbInstanceBackup,
  dynamodbPitr,
  ebsSnapshotPublic,
  ebsDefault,
  imdsv2,
  noPublicIp,
  eipAttached,
  encryptedVolumes,
  guardduty,
  noInlinePolicy,
  passwordPolicy,
  adminAccess,
  rootAccessKey,
  userMfa,
  userNoPolicies,
  unusedCredentials,
  consoleMfa,
  multiRegionTrail,
  rdsPublic,
  rdsEncrypted,
  requiredTags,
  restrictedCommonPorts,
  restrictedSsh,
  rootMfa,
  s3AccountPab,
  s3Logging,
  s3PublicRead,
  s3PublicWrite,
  s3Replication,
  s3Sse,
  s3Ssl,
  s3Versioning,
  s3Kms,
  securityhub,
  vpcDefaultSg,
  flowLogs,
  sgAuthorizedPorts,
  backupPlan,
  dynamodbKms,
  instancesInVpc,
  volumeInUse,
  policyFullAccess,
  kmsNotDeleted,
  naclSshRdp,
  rdsMinorUpgrade,
  rdsClusterDeletion,
  rdsDeletion,
  rdsMultiAz,
  s3BucketPab,
  subnetPublicIp,
  albDropInvalidHeader,
  albHttpsRedirect,
  albWaf,
  auroraBackupPlan,
  cfAccessLogs,
  cfWaf,
  cfRootObject,
  cfNoSslv3,
  cfOai,
  cfOac,
  cfSni,
  cfOriginTls,
  cfViewerHttps,
  dynamodbBackupPlan,
  ebsBackupPlan,
  ssmManaged,
  ssmAssociation,
  ssmPatch,
  stoppedInstance,
  efsEncrypted,
  efsBackupPlan,
  elbAcm,
  elbDeletion,
  elbLogging,
  elbTlsOnly,
  groupHasUsers,
  lambdaPublic,
  lambdaVpc,
  rdsMonitoring,
  rdsBackupPlan,
  rdsLogging,
  rdsSnapshotEncrypted,
  rdsSnapshotPublic,
  s3AclProhibited,
  snsKms,
  wafLogging,
  albDesync,
  wafNotEmpty,
  userGroupMembership,
  lambdaDlq,
  rdsIamAuth,
  rdsClusterIamAuth,
  rdsClusterMultiAz,
  cfCustomCert,
  cfFailover,
  kmsKeyPolicyNoPublicAccess,
];

const byKey = new Map<string, Rule>();
for (const r of ALL_RULES) {
  byKey.set(r.meta.name.toLowerCase(), r);
  byKey.set(r.meta.identifier.toLowerCase(), r);
}

/** Look a rule up by AWS name (restricted-ssh) or identifier (INCOMING_SSH_DISABLED). */
export function findRule(nameOrIdentifier: string): Rule | undefined {
  return byKey.get(nameOrIdentifier.trim().toLowerCase());
}
