/**
 * `*:IAMUser/AnomalousBehavior` approximated with first-seen baselines ("new terms", as public detection rule sets
 * do): an identity that has been active for at least the learning period calls an API of a tactic family that it
 * has never called before, from a network (ASN, else country) or with a user-agent family it first used recently.
 * GuardDuty uses an ML model; this is a transparent stand-in.
 */
import { isSpace } from '../../core/chars.js';
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

const DISCOVERY_RE = /^(List|Describe|Get)/;

/** One (event source, API) pair: a single object per pair, so per-identity caches compare pointers. */
interface ApiPair {
  source: string;
  api: string;
}

/** What is known of an API name: its family, and its pair objects by event source (the last one used first). */
interface ApiInfo {
  fam: Family | undefined;
  last: ApiPair | undefined;
  pairs: Map<string, ApiPair>;
}

/** By API name, so each distinct name is classified once (API names are a small vocabulary). */
const apiInfos = new Map<string, ApiInfo>();

function apiInfo(api: string): ApiInfo {
  let info = apiInfos.get(api);
  if (info === undefined) {
    const fam = API_FAMILY.get(api) ?? (DISCOVERY_RE.test(api) ? 'Discovery' : undefined);
    // The bound only guards against garbage input; dropping the table only costs classifying again.
    if (apiInfos.size >= 10_000) apiInfos.clear();
    info = { fam, last: undefined, pairs: new Map() };
    apiInfos.set(api, info);
  }
  return info;
}

function apiPair(info: ApiInfo, source: string, api: string): ApiPair {
  let pair = info.last;
  if (pair !== undefined && pair.source === source) return pair;
  pair = info.pairs.get(source);
  if (pair === undefined) {
    pair = { source, api };
    info.pairs.set(source, pair);
  }
  info.last = pair;
  return pair;
}

export function anomalyFamily(api: string): Family | undefined {
  return apiInfo(api).fam;
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

/**
 * `aws-cli/2.13.5 Python/3.11 …` → `aws-cli/2`: tool and major version, the part that is stable for a user. It is
 * the first whitespace-separated token cut before the first `.` after its first `/`, at most 40 characters.
 */
export function userAgentFamily(ua: string): string {
  const end = familyEnd(ua);
  return ua.slice(familyStart, end);
}

/** Start of the span found by the last `familyEnd` call. */
let familyStart = 0;

/**
 * End of the user-agent family in `ua` (its start is left in `familyStart`): found by scanning, so a long user agent
 * is never split, copied or hashed as a whole.
 */
function familyEnd(ua: string): number {
  const n = ua.length;
  let start = 0;
  while (start < n && isSpace(ua.charCodeAt(start))) start++;
  let end = start;
  let slash = false;
  while (end < n) {
    const c = ua.charCodeAt(end);
    if (isSpace(c) || (slash && c === 46)) break;
    if (c === 47) slash = true;
    end++;
  }
  familyStart = start;
  return Math.min(end, start + 40);
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
    // One string per user-agent family, found by the family text alone (user agents are long; families short).
    const families = new Map<string, string>();
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
        const stored = b.get<IdentityProfile | Profile>(NS, id);
        let prof: IdentityProfile;
        let changed = false;
        // A call not earlier than any before it by this identity (the usual case): its cached values are known to be
        // first seen no later than t, and so is its first activity.
        let inOrder = false;
        let firstActive: number | undefined; // before this call
        if (stored === undefined) {
          prof = new IdentityProfile(t, {}, {}, {});
          changed = true;
        } else {
          if (stored instanceof IdentityProfile) {
            prof = stored;
            inOrder = Math.floor(t / 1000) - EPOCH_S >= prof.maxSec;
          } else {
            // Loaded from a state file: the persisted shape, given its in-memory form.
            prof = new IdentityProfile(stored.first, stored.nets, stored.uas, stored.apis);
            changed = true;
          }
          if (!inOrder) {
            firstActive = prof.first;
            if (t < firstActive) {
              prof.first = t;
              changed = true;
            }
          }
        }
        const sec = secondsAtOrAfter(t);
        if (sec > prof.maxSec) prof.maxSec = sec;
        const ip = typeof f.sourceIPAddress === 'string' ? f.sourceIPAddress : '';
        const g = ip !== '' && !ip.endsWith('.com') ? ctx.geo.lookup(ip) : undefined;
        const net = g?.asn ? `AS${g.asn}` : (g?.countryCode ?? (ip.endsWith('.amazonaws.com') ? ip : 'unknown'));
        // First-seen times of the network and user-agent family: read (and lowered) unless the call is in order and
        // they are the identity's last ones (then they are known to be <= t: nothing to update).
        let prevNet: number | undefined;
        let netRead = false;
        if (!inOrder || net !== prof.lastNet) {
          prevNet = prof.nets[net];
          netRead = true;
          if (prevNet === undefined || t < prevNet) {
            prof.nets[net] = t;
            changed = true;
          }
          prof.lastNet = net;
        }
        const ua = typeof f.userAgent === 'string' ? f.userAgent : '';
        const uaEnd = familyEnd(ua);
        const uaStart = familyStart;
        let uaFam = prof.lastUa;
        let prevUa: number | undefined;
        let uaRead = false;
        if (!inOrder || uaFam === undefined || uaFam.length !== uaEnd - uaStart || !ua.startsWith(uaFam, uaStart)) {
          const text = ua.slice(uaStart, uaEnd);
          uaFam = families.get(text);
          if (uaFam === undefined) {
            if (families.size >= 10_000) families.clear();
            families.set(text, (uaFam = text));
          }
          prevUa = prof.uas[uaFam];
          uaRead = true;
          if (prevUa === undefined || t < prevUa) {
            prof.uas[uaFam] = t;
            changed = true;
          }
          prof.lastUa = uaFam;
        }
        const info = apiInfo(api);
        const fam = info.fam;
        if (!fam || f.errorCode !== undefined) {
          if (changed) b.put(NS, id, prof);
          return;
        }
        const source = typeof f.eventSource === 'string' ? f.eventSource : '';
        const pair = apiPair(info, source, api);
        if (inOrder && prof.knows(pair)) {
          // Called before, no later than t: not new, nothing to update.
          if (changed) b.put(NS, id, prof);
          return;
        }
        let apis = prof.apis[source];
        if (apis === undefined) prof.apis[source] = apis = {};
        const prevApi = apis[api];
        if (prevApi === undefined || t < prevApi) {
          apis[api] = t;
          changed = true;
        }
        prof.remember(pair);
        if (changed) b.put(NS, id, prof);
        // A value counts as new when it was never seen, or only seen later (out-of-order input).
        if (!isNew(prevApi, t)) return;
        if (inOrder) firstActive = prof.first; // not read above: unchanged by an in-order call
        if (firstActive === undefined || t - firstActive < learningMs) return;
        // Not read above: unchanged by this call, the same value as before it.
        if (!netRead) prevNet = prof.nets[net];
        if (!uaRead) prevUa = prof.uas[uaFam];
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

const NS = 'ident-profile';

/** `maxSec` counts seconds from 2020: a small integer (stored unboxed in the object), for ~34 years either side. */
const EPOCH_S = 1_577_836_800;

/** The second (from EPOCH_S) at or after `t` ms: `(s + EPOCH_S) * 1000 >= t`, even after rounding. */
function secondsAtOrAfter(t: number): number {
  const s = Math.ceil(t / 1000) - EPOCH_S;
  return (s + EPOCH_S) * 1000 < t ? s + 1 : s;
}

/**
 * The in-memory profile: the persisted fields, plus the network, the user-agent family and (a small round-robin cache)
 * the APIs of the identity's last calls. Each of these, and the first activity, was first seen no later than the
 * bound `(maxSec + EPOCH_S) * 1000` ms, the latest call time seen rounded up to the second: a call at or after it
 * finds them without any map lookup. Persisted (`toJSON`) as the plain profile.
 */
class IdentityProfile implements Profile {
  maxSec: number;
  lastNet: string | undefined = undefined;
  lastUa: string | undefined = undefined;
  api0: ApiPair | undefined = undefined;
  api1: ApiPair | undefined = undefined;
  api2: ApiPair | undefined = undefined;
  api3: ApiPair | undefined = undefined;
  nextSlot = 0;
  constructor(
    public first: number,
    public nets: Record<string, number>,
    public uas: Record<string, number>,
    public apis: Record<string, Record<string, number>>,
  ) {
    this.maxSec = secondsAtOrAfter(first);
  }

  knows(pair: ApiPair): boolean {
    return this.api0 === pair || this.api1 === pair || this.api2 === pair || this.api3 === pair;
  }

  /** Cache a pair whose first call is no later than the current call. */
  remember(pair: ApiPair): void {
    if (this.knows(pair)) return;
    const slot = this.nextSlot;
    this.nextSlot = (slot + 1) & 3;
    if (slot === 0) this.api0 = pair;
    else if (slot === 1) this.api1 = pair;
    else if (slot === 2) this.api2 = pair;
    else this.api3 = pair;
  }

  toJSON(): Profile {
    return { first: this.first, nets: this.nets, uas: this.uas, apis: this.apis };
  }
}

function isNew(prev: number | undefined, t: number): boolean {
  return prev === undefined || prev > t;
}
