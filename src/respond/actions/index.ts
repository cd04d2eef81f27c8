/** The remediation action library: every action, looked up by name. */
import type { Action } from '../action.js';
import { backupAddResource } from './backup-add-resource.js';
import { cloudtrailEnableLogFileValidation, cloudtrailStartLogging } from './cloudtrail.js';
import { dynamodbEnablePitr } from './dynamodb-enable-pitr.js';
import { ec2EnableVpcFlowLogs } from './ec2-enable-vpc-flow-logs.js';
import { ec2MakeSnapshotPrivate } from './ec2-make-snapshot-private.js';
import { ec2NaclDenyIp } from './ec2-nacl-deny-ip.js';
import { ec2QuarantineInstance } from './ec2-quarantine-instance.js';
import { ec2RevokePublicIngress } from './ec2-revoke-public-ingress.js';
import { elbv2EnableAccessLogs } from './elbv2-enable-access-logs.js';
import { guarddutyEnable } from './guardduty-enable.js';
import { iamAttachDenyAll } from './iam-attach-deny-all.js';
import { iamDeactivateAccessKey } from './iam-deactivate-access-key.js';
import { iamDeleteLoginProfile } from './iam-delete-login-profile.js';
import { iamEnforcePasswordPolicy } from './iam-enforce-password-policy.js';
import { iamRevokeRoleSessions } from './iam-revoke-role-sessions.js';
import { kmsEnableKeyRotation } from './kms-enable-key-rotation.js';
import { rdsMakeSnapshotPrivate } from './rds-make-snapshot-private.js';
import { rdsSetBackupRetention } from './rds-set-backup-retention.js';
import { s3BlockPublicAccessAccount, s3BlockPublicAccessBucket } from './s3-block-public-access.js';
import { s3EnableDefaultEncryption } from './s3-enable-default-encryption.js';
import { s3EnableVersioning } from './s3-enable-versioning.js';
import { s3RemovePublicAclGrants } from './s3-remove-public-acl-grants.js';
import { s3RemovePublicPolicyStatements } from './s3-remove-public-policy-statements.js';
import { tagResource } from './tag-resource.js';
import { wafv2BlockIp } from './wafv2-block-ip.js';
import { wafv2EnableLogging } from './wafv2-enable-logging.js';
import { notifyWebhook, ticketWebhook } from './webhook.js';

export { validateParams } from './define.js';
export { apiOf, applyCalls } from './sdk.js';

export const ACTIONS: Action[] = [
  // network
  ec2RevokePublicIngress,
  ec2QuarantineInstance,
  ec2NaclDenyIp,
  wafv2BlockIp,
  // identity
  iamDeactivateAccessKey,
  iamAttachDenyAll,
  iamRevokeRoleSessions,
  iamDeleteLoginProfile,
  iamEnforcePasswordPolicy,
  // data
  s3BlockPublicAccessBucket,
  s3BlockPublicAccessAccount,
  s3RemovePublicAclGrants,
  s3RemovePublicPolicyStatements,
  s3EnableDefaultEncryption,
  s3EnableVersioning,
  ec2MakeSnapshotPrivate,
  rdsMakeSnapshotPrivate,
  // logging and detection
  cloudtrailStartLogging,
  cloudtrailEnableLogFileValidation,
  ec2EnableVpcFlowLogs,
  guarddutyEnable,
  kmsEnableKeyRotation,
  elbv2EnableAccessLogs,
  wafv2EnableLogging,
  // backup
  rdsSetBackupRetention,
  dynamodbEnablePitr,
  backupAddResource,
  // generic
  tagResource,
  notifyWebhook,
  ticketWebhook,
] as unknown as Action[];

const BY_NAME = new Map(ACTIONS.map((a) => [a.name, a]));

export function actionByName(name: string): Action | undefined {
  return BY_NAME.get(name);
}
