/**
 * Single-event CloudTrail detectors (stateless): logging disabled, password policy weakened, S3 access logging
 * disabled, flow logs deleted, root credential usage, S3 Block Public Access disabled, public S3 grants, Windows
 * password data retrieved.
 */
import type { LogRecord } from '../../ingest/types.js';
import type { Detector, DetectorContext, DetectorMeta, Signal } from '../types.js';
import {
  accessKeyResource,
  apiCallAction,
  type Caller,
  callerOf,
  ctEvidence,
  isSuccess,
  type Json,
  obj,
  str,
} from './util.js';

type Check = (
  r: LogRecord,
  ctx: DetectorContext,
) => (Partial<Signal> & Pick<Signal, 'type' | 'severity' | 'reason'>) | undefined;

/** A detector over a fixed set of CloudTrail event names; `check` decides and describes. */
export function ctRule(meta: DetectorMeta, events: string[], check: Check): Detector {
  const names = new Set(events);
  return {
    meta,
    eventNames: events,
    create(ctx) {
      return {
        onRecord(r) {
          const name = r.fields.eventName;
          if (typeof name !== 'string' || !names.has(name)) return;
          const hit = check(r, ctx);
          if (!hit) return;
          const c = callerOf(r);
          ctx.emit({
            key: hit.key ?? `${c.arn || c.principalId}|${name}`,
            time: r.time,
            title: hit.title ?? `${hit.type} by ${c.userName || c.arn}`,
            description: hit.description ?? hit.reason,
            resource: hit.resource ?? accessKeyResource(c),
            action: hit.action ?? apiCallAction(r, ctx.geo),
            resourceRole: hit.resourceRole ?? 'TARGET',
            evidence: hit.evidence ?? ctEvidence(r),
            origins: [r.origin],
            ...hit,
          } as Signal);
        },
      };
    },
  };
}

const T1562_008 = {
  tactic: 'Defense Evasion',
  technique: 'T1562.008',
  name: 'Impair Defenses: Disable or Modify Cloud Logs',
};

export const cloudTrailLoggingDisabled = ctRule(
  {
    id: 'cloudtrail-logging-disabled',
    title: 'CloudTrail trail stopped or deleted',
    dataSources: ['cloudtrail'],
    kind: 'stateless',
    trigger:
      'A successful StopLogging or DeleteTrail call, or an UpdateTrail that points the trail away from logging (removes its bucket).',
    params: {},
    findings: [{ type: 'Stealth:IAMUser/CloudTrailLoggingDisabled', severity: 2, mitre: T1562_008 }],
  },
  ['StopLogging', 'DeleteTrail', 'UpdateTrail'],
  (r) => {
    if (!isSuccess(r)) return undefined;
    const name = r.fields.eventName as string;
    const rp = obj(r.fields.requestParameters) ?? {};
    const trail = str(rp.name) ?? str(rp.trailName) ?? '';
    if (name === 'UpdateTrail' && !('s3BucketName' in rp && !rp.s3BucketName)) return undefined;
    return {
      type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
      severity: 2,
      key: `${callerOf(r).arn}|${trail}`,
      title: `CloudTrail trail ${trail.split('/').pop()} was disabled`,
      description: `${callerOf(r).userName || callerOf(r).arn} called ${name} on trail ${trail}; API activity is no longer logged by it.`,
      reason: `eventName=${name} succeeded (no errorCode) on trail "${trail}"`,
      evidence: ctEvidence(r, { trail }),
    };
  },
);

/** Points of weakness of a requested password policy (Vigil's grading of "how much the policy is weakened"). */
export function passwordPolicyWeakness(rp: Json): { points: number; reasons: string[] } {
  const reasons: string[] = [];
  let points = 0;
  const len = typeof rp.minimumPasswordLength === 'number' ? rp.minimumPasswordLength : 6; // AWS default is 8; unset = weakest accepted
  if (len < 8) {
    points += 2;
    reasons.push(`minimumPasswordLength ${len} < 8`);
  } else if (len < 14) {
    points += 1;
    reasons.push(`minimumPasswordLength ${len} < 14 (CIS)`);
  }
  for (const k of ['requireSymbols', 'requireNumbers', 'requireUppercaseCharacters', 'requireLowercaseCharacters']) {
    if (rp[k] !== true) {
      points++;
      reasons.push(`${k} not set`);
    }
  }
  if (rp.passwordReusePrevention === undefined) {
    points++;
    reasons.push('passwordReusePrevention not set');
  }
  return { points, reasons };
}

export const passwordPolicyChange = ctRule(
  {
    id: 'password-policy-change',
    title: 'Account password policy weakened',
    dataSources: ['cloudtrail'],
    kind: 'stateless',
    trigger:
      'A successful DeleteAccountPasswordPolicy (High) or UpdateAccountPasswordPolicy graded by weakness points: short minimum length (2, or 1 below 14), each missing character class (1), no reuse prevention (1).',
    params: {
      mediumPoints: { default: 3, description: 'weakness points from which the finding is Medium' },
      highPoints: { default: 5, description: 'weakness points from which the finding is High' },
    },
    findings: [
      {
        type: 'Stealth:IAMUser/PasswordPolicyChange',
        severity: 2,
        severityNote: 'Low, Medium or High by how much the policy is weakened',
        mitre: { tactic: 'Defense Evasion', technique: 'T1556', name: 'Modify Authentication Process' },
      },
    ],
  },
  ['UpdateAccountPasswordPolicy', 'DeleteAccountPasswordPolicy'],
  (r, ctx) => {
    if (!isSuccess(r)) return undefined;
    const name = r.fields.eventName as string;
    const c = callerOf(r);
    if (name === 'DeleteAccountPasswordPolicy') {
      return {
        type: 'Stealth:IAMUser/PasswordPolicyChange',
        severity: 8,
        key: `${c.accountId}|password-policy`,
        reason: 'DeleteAccountPasswordPolicy succeeded: the account has no password policy',
        description: `${c.userName || c.arn} deleted the account password policy.`,
        thresholds: { mediumPoints: ctx.params.mediumPoints!, highPoints: ctx.params.highPoints! },
      };
    }
    const w = passwordPolicyWeakness(obj(r.fields.requestParameters) ?? {});
    const high = ctx.params.highPoints as number;
    const medium = ctx.params.mediumPoints as number;
    const severity = w.points >= high ? 8 : w.points >= medium ? 5 : 2;
    return {
      type: 'Stealth:IAMUser/PasswordPolicyChange',
      severity,
      key: `${c.accountId}|password-policy`,
      reason: `UpdateAccountPasswordPolicy: ${w.points} weakness points (${w.reasons.join('; ') || 'none'})`,
      description: `${c.userName || c.arn} changed the account password policy (${w.points} weakness points).`,
      evidence: ctEvidence(r, { requestParameters: r.fields.requestParameters, weaknessPoints: w.points }),
      thresholds: { mediumPoints: medium, highPoints: high },
    };
  },
);

export const serverAccessLoggingDisabled = ctRule(
  {
    id: 's3-server-access-logging-disabled',
    title: 'S3 server access logging disabled',
    dataSources: ['cloudtrail'],
    kind: 'stateless',
    trigger: 'A successful PutBucketLogging whose BucketLoggingStatus has no LoggingEnabled element.',
    params: {},
    findings: [{ type: 'Stealth:S3/ServerAccessLoggingDisabled', severity: 2, mitre: T1562_008 }],
  },
  ['PutBucketLogging'],
  (r) => {
    if (!isSuccess(r)) return undefined;
    const rp = obj(r.fields.requestParameters) ?? {};
    const status = obj(rp.BucketLoggingStatus) ?? obj(rp.bucketLoggingStatus) ?? {};
    if (status.LoggingEnabled !== undefined || status.loggingEnabled !== undefined) return undefined;
    const bucket = str(rp.bucketName) ?? '';
    return {
      type: 'Stealth:S3/ServerAccessLoggingDisabled',
      severity: 2,
      key: `bucket|${bucket}`,
      resource: s3Resource(bucket, callerOf(r)),
      title: `S3 server access logging was disabled for bucket ${bucket}`,
      reason: `PutBucketLogging on "${bucket}" with an empty BucketLoggingStatus (no LoggingEnabled)`,
      evidence: ctEvidence(r, { bucketName: bucket }),
    };
  },
);

export function s3Resource(bucket: string, c: Caller): Json {
  return {
    resourceType: 'S3Bucket',
    accessKeyDetails: accessKeyResource(c).accessKeyDetails,
    s3BucketDetails: [{ arn: `arn:aws:s3:::${bucket}`, name: bucket, type: 'Destination' }],
  };
}

export const flowLogsDeleted = ctRule(
  {
    id: 'vpc-flow-logs-deleted',
    title: 'VPC flow logs deleted',
    dataSources: ['cloudtrail'],
    kind: 'stateless',
    trigger: 'A successful DeleteFlowLogs call (custom-detection signal VPCFlowLogsDeleted).',
    params: {},
    findings: [{ type: 'DefenseImpairment:EC2/DisableOrModifyTools', severity: 8, mitre: T1562_008 }],
  },
  ['DeleteFlowLogs'],
  (r) => {
    if (!isSuccess(r)) return undefined;
    const rp = obj(r.fields.requestParameters) ?? {};
    const ids = JSON.stringify(rp.DeleteFlowLogsRequest ?? rp.flowLogIds ?? rp);
    return {
      type: 'DefenseImpairment:EC2/DisableOrModifyTools',
      severity: 8,
      title: 'VPC flow logs were deleted',
      reason: `DeleteFlowLogs succeeded (${ids.slice(0, 200)})`,
      additionalInfo: { signal: 'VPCFlowLogsDeleted' },
    };
  },
);

export const rootCredentialUsage = ctRule(
  {
    id: 'root-credential-usage',
    title: 'Root credentials used',
    dataSources: ['cloudtrail'],
    kind: 'stateless',
    trigger:
      'Any API call whose userIdentity.type is Root and that was not invoked by an AWS service; sessions from sts:AssumeRoot (sessionContext.assumedRoot) are the short-term variant.',
    params: {},
    findings: [
      {
        type: 'Policy:IAMUser/RootCredentialUsage',
        severity: 2,
        mitre: { tactic: 'Privilege Escalation', technique: 'T1078.004', name: 'Valid Accounts: Cloud Accounts' },
      },
      {
        type: 'Policy:IAMUser/ShortTermRootCredentialUsage',
        severity: 2,
        mitre: { tactic: 'Privilege Escalation', technique: 'T1078.004', name: 'Valid Accounts: Cloud Accounts' },
      },
    ],
  },
  [],
  () => undefined,
);
// Root usage applies to every event name: replace the name filter with a type check.
rootCredentialUsage.eventNames = undefined;
rootCredentialUsage.create = (ctx) => ({
  onRecord(r) {
    const u = obj(r.fields.userIdentity);
    if (u?.type !== 'Root' || u.invokedBy !== undefined) return;
    const c = callerOf(r);
    const shortTerm = obj(u.sessionContext)?.assumedRoot === 'true' || obj(u.sessionContext)?.assumedRoot === true;
    const type = shortTerm ? 'Policy:IAMUser/ShortTermRootCredentialUsage' : 'Policy:IAMUser/RootCredentialUsage';
    const api = str(r.fields.eventName) ?? '';
    ctx.emit({
      type,
      severity: 2,
      key: `${c.accountId}|${api}`,
      time: r.time,
      title: `API ${api} was invoked using root credentials`,
      description: `The root user of account ${c.accountId} called ${api} from ${str(r.fields.sourceIPAddress) ?? 'unknown'}.`,
      resource: accessKeyResource(c),
      action: apiCallAction(r, ctx.geo),
      resourceRole: 'TARGET',
      reason: `userIdentity.type=Root${shortTerm ? ' with sessionContext.assumedRoot=true (short-term)' : ''}, eventName=${api}`,
      evidence: ctEvidence(r),
      origins: [r.origin],
    });
  },
});

const BPA_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'];

function bpaConfig(rp: Json): Json | undefined {
  return obj(rp.PublicAccessBlockConfiguration) ?? obj(rp.publicAccessBlockConfiguration) ?? obj(rp.PublicAccessBlock);
}

export const blockPublicAccessDisabled = ctRule(
  {
    id: 's3-block-public-access-disabled',
    title: 'S3 Block Public Access disabled',
    dataSources: ['cloudtrail'],
    kind: 'stateless',
    trigger:
      'A successful Put(Bucket|Account)PublicAccessBlock with any of the four flags false, or a Delete(Bucket|Account)PublicAccessBlock.',
    params: {},
    findings: [
      {
        type: 'Policy:S3/BucketBlockPublicAccessDisabled',
        severity: 2,
        mitre: { tactic: 'Defense Evasion', technique: 'T1562', name: 'Impair Defenses' },
      },
      {
        type: 'Policy:S3/AccountBlockPublicAccessDisabled',
        severity: 2,
        mitre: { tactic: 'Defense Evasion', technique: 'T1562', name: 'Impair Defenses' },
      },
    ],
  },
  [
    'PutBucketPublicAccessBlock',
    'DeleteBucketPublicAccessBlock',
    'PutAccountPublicAccessBlock',
    'DeleteAccountPublicAccessBlock',
  ],
  (r) => {
    if (!isSuccess(r)) return undefined;
    const name = r.fields.eventName as string;
    const rp = obj(r.fields.requestParameters) ?? {};
    const account = name.includes('Account');
    let off: string[];
    if (name.startsWith('Delete')) off = BPA_FLAGS;
    else {
      const cfg = bpaConfig(rp) ?? {};
      off = BPA_FLAGS.filter((k) => cfg[k] === false || cfg[k] === 'false');
      if (off.length === 0) return undefined;
    }
    const c = callerOf(r);
    const bucket = str(rp.bucketName) ?? '';
    return {
      type: account ? 'Policy:S3/AccountBlockPublicAccessDisabled' : 'Policy:S3/BucketBlockPublicAccessDisabled',
      severity: 2,
      key: account ? `account|${c.accountId}` : `bucket|${bucket}`,
      resource: account ? accessKeyResource(c) : s3Resource(bucket, c),
      title: account
        ? `S3 Block Public Access was disabled for account ${c.accountId}`
        : `S3 Block Public Access was disabled for bucket ${bucket}`,
      reason: `${name}: ${off.join(', ')} ${name.startsWith('Delete') ? 'removed' : 'set to false'}`,
      evidence: ctEvidence(r, { disabledFlags: off, bucketName: bucket || undefined }),
    };
  },
);

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTH_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** Which audience a PutBucketAcl / PutBucketPolicy opens the bucket to: anonymous (internet), any AWS user, none. */
export function publicGrant(
  name: string,
  rp: Json,
): { audience: 'anonymous' | 'authenticated'; how: string } | undefined {
  if (name === 'PutBucketAcl' || name === 'CreateBucket') {
    const canned = str(rp['x-amz-acl']) ?? (Array.isArray(rp['x-amz-acl']) ? String(rp['x-amz-acl'][0]) : undefined);
    if (canned === 'public-read' || canned === 'public-read-write')
      return { audience: 'anonymous', how: `canned ACL ${canned}` };
    if (canned === 'authenticated-read') return { audience: 'authenticated', how: 'canned ACL authenticated-read' };
    const text = JSON.stringify(rp.AccessControlPolicy ?? rp.accessControlPolicy ?? {});
    const hdr = JSON.stringify([
      rp['x-amz-grant-read'],
      rp['x-amz-grant-write'],
      rp['x-amz-grant-full-control'],
      rp['x-amz-grant-read-acp'],
      rp['x-amz-grant-write-acp'],
    ]);
    if (text.includes(ALL_USERS) || hdr.includes(ALL_USERS))
      return { audience: 'anonymous', how: 'ACL grant to AllUsers' };
    if (text.includes(AUTH_USERS) || hdr.includes(AUTH_USERS))
      return { audience: 'authenticated', how: 'ACL grant to AuthenticatedUsers' };
    return undefined;
  }
  if (name === 'PutBucketPolicy') {
    let pol: unknown = rp.bucketPolicy ?? rp.policy;
    if (typeof pol === 'string') {
      try {
        pol = JSON.parse(pol);
      } catch {
        return undefined;
      }
    }
    const stmts = obj(pol)?.Statement;
    for (const s of (Array.isArray(stmts) ? stmts : stmts ? [stmts] : []) as Json[]) {
      if (s.Effect !== 'Allow' || s.Condition !== undefined) continue;
      const p = s.Principal;
      const aws = obj(p)?.AWS;
      if (p === '*' || aws === '*' || (Array.isArray(aws) && aws.includes('*')))
        return { audience: 'anonymous', how: 'bucket policy Allow statement with Principal "*" and no Condition' };
    }
  }
  return undefined;
}

export const bucketPublicGrant = ctRule(
  {
    id: 's3-bucket-public-grant',
    title: 'S3 bucket opened to the public',
    dataSources: ['cloudtrail'],
    kind: 'stateless',
    trigger:
      'A successful PutBucketAcl / CreateBucket granting AllUsers (or a public-read canned ACL) → anonymous; AuthenticatedUsers → any AWS user; PutBucketPolicy with an unconditional Allow to Principal "*" → anonymous.',
    params: {},
    findings: [
      {
        type: 'Policy:S3/BucketAnonymousAccessGranted',
        severity: 8,
        mitre: { tactic: 'Exfiltration', technique: 'T1537', name: 'Transfer Data to Cloud Account' },
      },
      {
        type: 'Policy:S3/BucketPublicAccessGranted',
        severity: 8,
        mitre: { tactic: 'Exfiltration', technique: 'T1537', name: 'Transfer Data to Cloud Account' },
      },
    ],
  },
  ['PutBucketAcl', 'PutBucketPolicy', 'CreateBucket'],
  (r) => {
    if (!isSuccess(r)) return undefined;
    const rp = obj(r.fields.requestParameters) ?? {};
    const g = publicGrant(r.fields.eventName as string, rp);
    if (!g) return undefined;
    const bucket = str(rp.bucketName) ?? '';
    const anonymous = g.audience === 'anonymous';
    return {
      type: anonymous ? 'Policy:S3/BucketAnonymousAccessGranted' : 'Policy:S3/BucketPublicAccessGranted',
      severity: 8,
      key: `bucket|${bucket}`,
      resource: s3Resource(bucket, callerOf(r)),
      title: anonymous
        ? `Anonymous access was granted to S3 bucket ${bucket}`
        : `All AWS users were granted access to S3 bucket ${bucket}`,
      reason: `${r.fields.eventName} on "${bucket}": ${g.how}`,
      evidence: ctEvidence(r, { bucketName: bucket, grant: g.how }),
    };
  },
);

export const unsecuredCredentials = ctRule(
  {
    id: 'ec2-password-data-retrieved',
    title: 'EC2 Windows password data retrieved',
    dataSources: ['cloudtrail'],
    kind: 'stateless',
    trigger: 'A successful GetPasswordData call (custom-detection signal EC2PasswordDataRetrieved).',
    params: {},
    findings: [
      {
        type: 'CredentialAccess:EC2/UnsecuredCredentials',
        severity: 5,
        mitre: {
          tactic: 'Credential Access',
          technique: 'T1552.005',
          name: 'Unsecured Credentials: Cloud Instance Metadata API',
        },
      },
    ],
  },
  ['GetPasswordData'],
  (r) => {
    if (!isSuccess(r)) return undefined;
    const instance = str(obj(r.fields.requestParameters)?.instanceId) ?? '';
    return {
      type: 'CredentialAccess:EC2/UnsecuredCredentials',
      severity: 5,
      key: `${callerOf(r).arn}|${instance}`,
      title: `Windows password data of ${instance || 'an instance'} was retrieved`,
      reason: `GetPasswordData succeeded for instance "${instance}"`,
      additionalInfo: { signal: 'EC2PasswordDataRetrieved' },
    };
  },
);
