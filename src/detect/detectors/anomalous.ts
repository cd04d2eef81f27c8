/**
 * `*:IAMUser/AnomalousBehavior` approximated with first-seen baselines ("new terms", as public detection rule sets
 * do): an identity that has been active for at least the learning period calls an API of a tactic family that it
 * has never called before, from a network (ASN, else country) or with a user-agent family it first used recently.
 * GuardDuty uses an ML model; this is a transparent stand-in.
 */
import type { Detector, MitreRef } from '../types.js';
import { accessKeyResource, apiCallAction, callerOf, ctEvidence } from './util.js';

type Family =
  | 'CredentialAccess'
  | 'DefenseEvasion'
  | 'Discovery'
  | 'Exfiltration'
  | 'Impact'
  | 'InitialAccess'
  | 'Persistence'
  | 'PrivilegeEscalation';

const FAMILY_APIS: Record<Exclude<Family, 'Discovery'>, string[]> = {
  CredentialAccess: [
    'GetPasswordData',
    'GetSecretValue',
    'BatchGetSecretValue',
    'GenerateDbAuthToken',
    'GetParametersByPath',
  ],
  DefenseEvasion: [
    'StopLogging',
    'DeleteTrail',
    'UpdateTrail',
    'PutEventSelectors',
    'DeleteFlowLogs',
    'DeleteDetector',
    'DisassociateFromMasterAccount',
    'DisableSecurityHub',
    'StopConfigurationRecorder',
    'DeleteConfigurationRecorder',
    'DeleteConfigRule',
    'DeleteLogGroup',
    'DeleteLogStream',
    'DeleteResolverQueryLogConfig',
    'LeaveOrganization',
    'PutBucketLogging',
  ],
  Exfiltration: [
    'ModifySnapshotAttribute',
    'ModifyImageAttribute',
    'ModifyDBSnapshotAttribute',
    'ModifyDBClusterSnapshotAttribute',
    'PutBucketReplication',
    'CreateStoreImageTask',
    'SharedSnapshotCopyInitiated',
  ],
  Impact: [
    'DeleteBucket',
    'DeleteDBInstance',
    'DeleteDBCluster',
    'TerminateInstances',
    'DeleteVolume',
    'DeleteSnapshot',
    'PutBucketVersioning',
    'DeleteObjects',
    'ScheduleKeyDeletion',
    'DisableKey',
    'PutBucketLifecycle',
    'PutBucketLifecycleConfiguration',
  ],
  InitialAccess: [
    'ConsoleLogin',
    'GetSessionToken',
    'GetFederationToken',
    'GetSigninToken',
    'StartSession',
    'AssumeRoleWithWebIdentity',
  ],
  Persistence: [
    'CreateAccessKey',
    'CreateUser',
    'CreateLoginProfile',
    'UpdateLoginProfile',
    'CreateRole',
    'ImportKeyPair',
    'CreateKeyPair',
    'AuthorizeSecurityGroupIngress',
    'CreateFunction20150331',
    'UpdateFunctionCode20150331v2',
    'PublishLayerVersion20181031',
    'CreateTrustAnchor',
    'SendSSHPublicKey',
  ],
  PrivilegeEscalation: [
    'AttachUserPolicy',
    'AttachRolePolicy',
    'AttachGroupPolicy',
    'PutUserPolicy',
    'PutRolePolicy',
    'PutGroupPolicy',
    'AddUserToGroup',
    'CreatePolicyVersion',
    'SetDefaultPolicyVersion',
    'UpdateAssumeRolePolicy',
  ],
};

const API_FAMILY = new Map<string, Family>();
for (const [fam, apis] of Object.entries(FAMILY_APIS)) for (const a of apis) API_FAMILY.set(a, fam as Family);

export function anomalyFamily(api: string): Family | undefined {
  return API_FAMILY.get(api) ?? (/^(List|Describe|Get)/.test(api) ? 'Discovery' : undefined);
}

const SEVERITY: Record<Family, number> = {
  CredentialAccess: 5,
  DefenseEvasion: 5,
  Discovery: 2,
  Exfiltration: 8,
  Impact: 8,
  InitialAccess: 5,
  Persistence: 5,
  PrivilegeEscalation: 5,
};

const MITRE: Record<Family, MitreRef> = {
  CredentialAccess: { tactic: 'Credential Access', technique: 'T1555', name: 'Credentials from Password Stores' },
  DefenseEvasion: { tactic: 'Defense Evasion', technique: 'T1562', name: 'Impair Defenses' },
  Discovery: { tactic: 'Discovery', technique: 'T1526', name: 'Cloud Service Discovery' },
  Exfiltration: { tactic: 'Exfiltration', technique: 'T1537', name: 'Transfer Data to Cloud Account' },
  Impact: { tactic: 'Impact', technique: 'T1485', name: 'Data Destruction' },
  InitialAccess: { tactic: 'Initial Access', technique: 'T1078.004', name: 'Valid Accounts: Cloud Accounts' },
  Persistence: { tactic: 'Persistence', technique: 'T1098', name: 'Account Manipulation' },
  PrivilegeEscalation: {
    tactic: 'Privilege Escalation',
    technique: 'T1098.003',
    name: 'Account Manipulation: Additional Cloud Roles',
  },
};

/** `aws-cli/2.13.5 Python/3.11 …` → `aws-cli/2`: tool and major version, the part that is stable for a user. */
export function userAgentFamily(ua: string): string {
  const first = ua.trim().split(/\s+/)[0] ?? '';
  const slash = first.indexOf('/');
  if (slash < 0) return first.slice(0, 40);
  const major = first.slice(slash + 1).split('.')[0];
  return `${first.slice(0, slash)}/${major}`.slice(0, 40);
}

export const anomalousBehavior: Detector = {
  meta: {
    id: 'iam-anomalous-behavior',
    title: 'Anomalous API behaviour of an identity (first-seen baseline)',
    dataSources: ['cloudtrail'],
    kind: 'baseline',
    trigger:
      'A successful call, by an identity first seen at least learningPeriodHours earlier, of an API in a tactic family that is new for that identity, made from a network (ASN, else country) or a user-agent family the identity first used less than newContextHours ago.',
    params: {
      learningPeriodHours: {
        default: 168,
        description: 'how long an identity must have been observed before anomalies are reported',
      },
      requireNewContext: {
        default: true,
        description: 'also require a new network or user-agent family (fewer false positives)',
      },
      newContextHours: {
        default: 24,
        description:
          'a network or user-agent family first seen less than this long ago still counts as new (bursts from a new place)',
      },
    },
    needs: ['baseline', 'geoip'],
    findings: (Object.keys(SEVERITY) as Family[]).map((f) => ({
      type: `${f}:IAMUser/AnomalousBehavior`,
      severity: SEVERITY[f],
      mitre: MITRE[f],
    })),
  },
  create(ctx) {
    const learningMs = (ctx.params.learningPeriodHours as number) * 3_600_000;
    const requireNew = ctx.params.requireNewContext !== false;
    const recentMs = (ctx.params.newContextHours as number) * 3_600_000;
    const recent = (prev: number | undefined, t: number) => prev === undefined || prev > t || t - prev < recentMs;
    const b = ctx.baseline;
    const uaCache = new Map<string, string>();
    return {
      onRecord(r) {
        const f = r.fields;
        const api = f.eventName;
        const u = f.userIdentity as Record<string, unknown> | undefined;
        if (typeof api !== 'string' || Number.isNaN(r.time) || !u || typeof u !== 'object') return;
        if (u.type === 'AWSService') return;
        const id = (typeof u.arn === 'string' && u.arn) || (typeof u.principalId === 'string' && u.principalId) || '';
        if (!id) return;
        const t = r.time;
        // One profile object per identity (first activity; first use of each network, user-agent family and API).
        let prof = b.get<Profile>('ident-profile', id);
        let changed = false;
        let firstActive: number | undefined;
        if (prof === undefined) {
          prof = { first: t, nets: {}, uas: {}, apis: {} };
          changed = true;
        } else {
          firstActive = prof.first;
          if (t < prof.first) {
            prof.first = t;
            changed = true;
          }
        }
        const ip = typeof f.sourceIPAddress === 'string' ? f.sourceIPAddress : '';
        const g = ip !== '' && !ip.endsWith('.com') ? ctx.geo.lookup(ip) : undefined;
        const net = g?.asn ? `AS${g.asn}` : (g?.countryCode ?? (ip.endsWith('.amazonaws.com') ? ip : 'unknown'));
        const ua = typeof f.userAgent === 'string' ? f.userAgent : '';
        let uaFam = uaCache.get(ua);
        if (uaFam === undefined) {
          uaFam = userAgentFamily(ua);
          if (uaCache.size > 10_000) uaCache.clear();
          uaCache.set(ua, uaFam);
        }
        const prevNet = prof.nets[net];
        const prevUa = prof.uas[uaFam];
        if (prevNet === undefined || t < prevNet) {
          prof.nets[net] = t;
          changed = true;
        }
        if (prevUa === undefined || t < prevUa) {
          prof.uas[uaFam] = t;
          changed = true;
        }
        const fam = anomalyFamily(api);
        if (!fam || f.errorCode !== undefined) {
          if (changed) b.put('ident-profile', id, prof);
          return;
        }
        const source = typeof f.eventSource === 'string' ? f.eventSource : '';
        let apis = prof.apis[source];
        if (apis === undefined) prof.apis[source] = apis = {};
        const prevApi = apis[api];
        if (prevApi === undefined || t < prevApi) {
          apis[api] = t;
          changed = true;
        }
        if (changed) b.put('ident-profile', id, prof);
        // A value counts as new when it was never seen, or only seen later (out-of-order input).
        if (!isNew(prevApi, t) || firstActive === undefined || t - firstActive < learningMs) return;
        const newNet = recent(prevNet, t);
        const newUa = recent(prevUa, t);
        if (requireNew && !newNet && !newUa) return;
        const c = callerOf(r);
        const what = [newNet ? `network ${net}` : '', newUa ? `user agent ${uaFam}` : ''].filter(Boolean).join(' and ');
        ctx.emit({
          type: `${fam}:IAMUser/AnomalousBehavior`,
          severity: SEVERITY[fam],
          key: `${id}|${fam}`,
          time: t,
          title: `Anomalous ${fam} API ${api} by ${c.userName || id}`,
          description: `${c.userName || id} called ${api} for the first time${what ? `, from ${what} first used recently` : ''}.`,
          resource: accessKeyResource(c),
          action: apiCallAction(r, ctx.geo),
          resourceRole: 'TARGET',
          reason: `first ${api} by ${id} (active since ${new Date(firstActive).toISOString()})${what ? `; new ${what}` : ''}`,
          evidence: ctEvidence(r, {
            family: fam,
            network: net,
            userAgentFamily: uaFam,
            newNetwork: newNet,
            newUserAgent: newUa,
          }),
          thresholds: { learningPeriodHours: ctx.params.learningPeriodHours! },
          additionalInfo: { anomalousAPIs: api },
          origins: [r.origin],
        });
      },
    };
  },
};

/** What the baseline remembers per identity: first activity and first use (event time) of each value. */
interface Profile {
  first: number;
  nets: Record<string, number>;
  uas: Record<string, number>;
  apis: Record<string, Record<string, number>>;
}

function isNew(prev: number | undefined, t: number): boolean {
  return prev === undefined || prev > t;
}
