/**
 * Who is calling: penetration-testing distributions in the user agent, callers on threat lists (Tor, malicious,
 * custom), EC2 instance credentials used from outside AWS, console sign-ins from distant places at about the same time.
 */
import type { LogRecord } from '../../ingest/types.js';
import { distanceKm, type GeoInfo } from '../geo.js';
import type { IntelHit } from '../intel.js';
import type { Detector, MitreRef } from '../types.js';
import { s3Resource } from './cloudtrail-rules.js';
import { accessKeyResource, apiCallAction, callerOf, ctEvidence, intelDetails, obj, str } from './util.js';

/** Which pentest distribution a user agent reveals (kernel strings such as `Linux/6.1.0-kali9-amd64`). */
const PENTEST_RE = /kali|parrot|pentoo/i;

type Distro = 'KaliLinux' | 'ParrotLinux' | 'PentooLinux';

/** The last user agent classified and its answer: a tool's calls come in runs with one user agent. */
let lastUa = '';
let lastDistro: Distro | undefined;

export function pentestDistro(ua: string): Distro | undefined {
  // Comparing with the previous agent is cheaper than searching it again (equal texts compare in one pass).
  if (ua === lastUa) return lastDistro;
  const d = classifyUserAgent(ua);
  lastUa = ua;
  lastDistro = d;
  return d;
}

function classifyUserAgent(ua: string): Distro | undefined {
  if (!PENTEST_RE.test(ua)) return undefined; // the common case, without allocating a lower-cased copy
  const l = ua.toLowerCase();
  if (l.includes('kali')) return 'KaliLinux';
  if (l.includes('parrot')) return 'ParrotLinux';
  if (l.includes('pentoo')) return 'PentooLinux';
  return undefined;
}

const PENTEST_MITRE: MitreRef = { tactic: 'Discovery', technique: 'T1526', name: 'Cloud Service Discovery' };

/** S3 object-level (data plane) API names as CloudTrail data events spell them. */
export const S3_DATA_EVENTS = new Set([
  'GetObject',
  'PutObject',
  'CopyObject',
  'DeleteObject',
  'DeleteObjects',
  'HeadObject',
  'GetObjectAcl',
  'PutObjectAcl',
  'ListObjects',
  'ListObjectsV2',
  'ListObjectVersions',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
  'CreateMultipartUpload',
  'RestoreObject',
  'SelectObjectContent',
  'GetObjectTagging',
  'PutObjectTagging',
  'HeadBucket',
  'ListBucket',
]);

export function isS3DataEvent(r: LogRecord): boolean {
  return r.fields.eventSource === 's3.amazonaws.com' && S3_DATA_EVENTS.has(r.fields.eventName as string);
}

export const pentestUserAgent: Detector = {
  meta: {
    id: 'pentest-user-agent',
    title: 'Penetration-testing distribution in the user agent',
    dataSources: ['cloudtrail', 's3access'],
    kind: 'stateless',
    trigger:
      'The user agent of a CloudTrail event (or an S3 server access log request) names Kali, Parrot or Pentoo Linux; S3 data-plane calls give the S3 variant.',
    params: {},
    findings: [
      { type: 'PenTest:IAMUser/KaliLinux', severity: 5, mitre: PENTEST_MITRE },
      { type: 'PenTest:IAMUser/ParrotLinux', severity: 5, mitre: PENTEST_MITRE },
      { type: 'PenTest:IAMUser/PentooLinux', severity: 5, mitre: PENTEST_MITRE },
      { type: 'PenTest:S3/KaliLinux', severity: 5, mitre: PENTEST_MITRE },
      { type: 'PenTest:S3/ParrotLinux', severity: 5, mitre: PENTEST_MITRE },
      { type: 'PenTest:S3/PentooLinux', severity: 5, mitre: PENTEST_MITRE },
    ],
  },
  create(ctx) {
    return {
      onRecord(r) {
        if (r.type === 's3access') {
          const ua = str(r.fields.useragent);
          const distro = ua ? pentestDistro(ua) : undefined;
          if (!distro) return;
          const s3 = s3AccessView(r);
          ctx.emit({
            type: `PenTest:S3/${distro}`,
            severity: 5,
            key: `${s3.bucket}|${s3.requester}|${r.sourceIp ?? ''}`,
            time: r.time,
            title: `S3 API ${s3.api} was invoked from a ${distro} machine`,
            description: `${s3.requester || 'An anonymous caller'} called ${s3.api} on bucket ${s3.bucket} with user agent "${ua}".`,
            resource: s3AccessResource(s3),
            action: s3AccessAction(r, s3, ctx.geo),
            resourceRole: 'TARGET',
            reason: `useragent "${ua}" names ${distro}`,
            evidence: { useragent: ua, operation: r.fields.operation, bucket: s3.bucket, remoteip: r.sourceIp },
            origins: [r.origin],
          });
          return;
        }
        const ua = r.fields.userAgent;
        if (typeof ua !== 'string') return;
        const distro = pentestDistro(ua);
        if (!distro) return;
        const c = callerOf(r);
        const s3 = isS3DataEvent(r);
        const bucket = str(obj(r.fields.requestParameters)?.bucketName) ?? '';
        ctx.emit({
          type: s3 ? `PenTest:S3/${distro}` : `PenTest:IAMUser/${distro}`,
          severity: 5,
          key: `${c.arn || c.principalId}|${s3 ? bucket : ''}`,
          time: r.time,
          title: `API ${r.fields.eventName} was invoked from a ${distro} machine`,
          description: `${c.userName || c.arn} called ${r.fields.eventName} with user agent "${ua}".`,
          resource: s3 ? s3Resource(bucket, c) : accessKeyResource(c),
          action: apiCallAction(r, ctx.geo),
          resourceRole: 'TARGET',
          reason: `userAgent "${ua}" names ${distro}`,
          evidence: ctEvidence(r),
          origins: [r.origin],
        });
      },
    };
  },
};

/** API names GuardDuty treats as reconnaissance (List/Describe/Get…). */
export function isReconApi(name: string): boolean {
  return /^(List|Describe|Get|Head|Lookup|Search|Scan)/.test(name);
}

function pickHit(hits: IntelHit[]): IntelHit | undefined {
  // Prefer the most telling category: Tor, then threat feeds, then the user's custom list.
  return (
    hits.find((h) => h.category === 'tor') ??
    hits.find((h) => h.category !== 'custom' && h.category !== 'doh') ??
    hits.find((h) => h.category === 'custom')
  );
}

export const iamMaliciousCaller: Detector = {
  meta: {
    id: 'iam-threat-list-caller',
    title: 'API called from a Tor exit or a listed IP',
    dataSources: ['cloudtrail'],
    kind: 'stateless',
    trigger:
      'sourceIPAddress of a management event is on a threat list: Tor (tor category), a threat feed, or a custom list (.Custom). List/Describe/Get APIs give Recon:, the others UnauthorizedAccess:.',
    params: {},
    needs: ['intel'],
    findings: [
      {
        type: 'Recon:IAMUser/TorIPCaller',
        severity: 5,
        mitre: { tactic: 'Discovery', technique: 'T1526', name: 'Cloud Service Discovery' },
      },
      {
        type: 'UnauthorizedAccess:IAMUser/TorIPCaller',
        severity: 5,
        mitre: { tactic: 'Command and Control', technique: 'T1090.003', name: 'Proxy: Multi-hop Proxy' },
      },
      {
        type: 'Recon:IAMUser/MaliciousIPCaller',
        severity: 5,
        mitre: { tactic: 'Discovery', technique: 'T1526', name: 'Cloud Service Discovery' },
      },
      {
        type: 'Recon:IAMUser/MaliciousIPCaller.Custom',
        severity: 5,
        mitre: { tactic: 'Discovery', technique: 'T1526', name: 'Cloud Service Discovery' },
      },
      {
        type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
        severity: 5,
        mitre: { tactic: 'Initial Access', technique: 'T1078.004', name: 'Valid Accounts: Cloud Accounts' },
      },
      {
        type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
        severity: 5,
        mitre: { tactic: 'Initial Access', technique: 'T1078.004', name: 'Valid Accounts: Cloud Accounts' },
      },
    ],
  },
  create(ctx) {
    return {
      onRecord(r) {
        const ip = r.fields.sourceIPAddress;
        if (typeof ip !== 'string' || isS3DataEvent(r)) return;
        const hits = ctx.intel.lookupIp(ip);
        if (!hits) return;
        const hit = pickHit(hits);
        if (!hit) return;
        const api = String(r.fields.eventName ?? '');
        const purpose = isReconApi(api) ? 'Recon' : 'UnauthorizedAccess';
        const family =
          hit.category === 'tor'
            ? 'TorIPCaller'
            : hit.category === 'custom'
              ? 'MaliciousIPCaller.Custom'
              : 'MaliciousIPCaller';
        const c = callerOf(r);
        ctx.emit({
          type: `${purpose}:IAMUser/${family}`,
          severity: 5,
          key: `${c.arn || c.principalId}|${ip}`,
          time: r.time,
          title: `API ${api} was invoked from ${hit.category === 'tor' ? 'a Tor exit node' : 'an IP address on a threat list'}`,
          description: `${c.userName || c.arn} called ${api} from ${ip}, listed in ${hit.list} (${hit.threatName}).`,
          resource: accessKeyResource(c),
          action: apiCallAction(r, ctx.geo),
          resourceRole: 'TARGET',
          threatIntelligenceDetails: intelDetails(hits),
          reason: `sourceIPAddress ${ip} matches ${hit.entry} in list "${hit.list}" (category ${hit.category}); ${api} is ${purpose === 'Recon' ? 'a reconnaissance (List/Describe/Get) API' : 'not a read-only API'}`,
          evidence: ctEvidence(r, { listEntry: hit.entry, list: hit.list }),
          origins: [r.origin],
        });
      },
    };
  },
};

/**
 * An instance-role session: principalId ends in `:i-` and 8–17 hex digits (case-insensitive), the same as
 * `/:i-[0-9a-f]{8,17}$/i`, checked from the end without a regex (it runs for every assumed-role event).
 */
export function isInstanceSession(pid: string): boolean {
  let i = pid.length;
  while (i > 0 && isHexDigit(pid.charCodeAt(i - 1))) i--;
  const digits = pid.length - i;
  // 'i' and '-' are not hex digits: the digits the pattern ends with are exactly this run.
  return (
    digits >= 8 &&
    digits <= 17 &&
    pid.charCodeAt(i - 1) === 45 /* - */ &&
    (pid.charCodeAt(i - 2) | 32) === 105 /* i or I */ &&
    pid.charCodeAt(i - 3) === 58 /* : */
  );
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}

export const instanceCredentialExfiltration: Detector = {
  meta: {
    id: 'instance-credential-exfiltration',
    title: 'EC2 instance credentials used from outside AWS',
    dataSources: ['cloudtrail'],
    kind: 'stateless',
    trigger:
      'An assumed-role session named after an instance (principalId ends in ":i-…") with a temporary (ASIA) key calls an API from an IP address that is in none of the ranges of the supplied ip-ranges.json.',
    params: {},
    needs: ['ip-ranges'],
    findings: [
      {
        type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
        severity: 8,
        mitre: {
          tactic: 'Credential Access',
          technique: 'T1552.005',
          name: 'Unsecured Credentials: Cloud Instance Metadata API',
        },
      },
    ],
  },
  create(ctx) {
    return {
      onRecord(r) {
        const ranges = ctx.awsRanges;
        if (!ranges) return;
        const u = obj(r.fields.userIdentity);
        if (u?.type !== 'AssumedRole') return;
        const pid = str(u.principalId) ?? '';
        const key = str(u.accessKeyId) ?? '';
        if (!isInstanceSession(pid) || !key.startsWith('ASIA')) return;
        const ip = str(r.fields.sourceIPAddress) ?? '';
        if (!/^[0-9.]+$|:/.test(ip)) return; // "ec2.amazonaws.com" etc.: an AWS service acting
        if (ranges.find(ip)) return;
        const c = callerOf(r);
        const instance = pid.slice(pid.lastIndexOf(':') + 1);
        ctx.emit({
          type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
          severity: 8,
          key: `${pid}|${ip}`,
          time: r.time,
          title: `Credentials for instance ${instance} used from an external IP address`,
          description: `Temporary credentials of the role session ${c.arn} (instance ${instance}) were used from ${ip}, outside the AWS address ranges.`,
          resource: accessKeyResource(c),
          action: apiCallAction(r, ctx.geo),
          resourceRole: 'TARGET',
          reason: `principalId ${pid} is an instance session, accessKeyId ${key} is temporary, and ${ip} is in no prefix of ip-ranges.json (${ranges.count} prefixes${ranges.syncToken ? `, syncToken ${ranges.syncToken}` : ''})`,
          evidence: ctEvidence(r, { accessKeyId: key, instanceId: instance }),
          origins: [r.origin],
        });
      },
    };
  },
};

interface LastLogin {
  last: number;
  time: number;
  ip: string;
  country?: string;
  lat?: number;
  lon?: number;
  line: string;
  origin: LogRecord['origin'];
}

export const consoleLoginImpossibleTravel: Detector = {
  eventNames: ['ConsoleLogin'],
  meta: {
    id: 'console-login-impossible-travel',
    title: 'Console sign-ins from distant places at about the same time',
    dataSources: ['cloudtrail'],
    kind: 'windowed',
    trigger:
      'Two successful ConsoleLogin events of one identity within the window from different countries; with coordinates (a city database) the implied speed must also exceed maxSpeedKmh.',
    params: {
      windowMinutes: { default: 60, description: 'how close in time two sign-ins must be' },
      maxSpeedKmh: { default: 900, description: 'travel speed (km/h) above which two located sign-ins are impossible' },
    },
    needs: ['geoip'],
    findings: [
      {
        type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
        severity: 5,
        mitre: { tactic: 'Initial Access', technique: 'T1078.004', name: 'Valid Accounts: Cloud Accounts' },
      },
    ],
  },
  create(ctx) {
    const last = ctx.windows.create<LastLogin>('last-login');
    const windowMs = (ctx.params.windowMinutes as number) * 60_000;
    const maxSpeed = ctx.params.maxSpeedKmh as number;
    return {
      onRecord(r) {
        if (r.fields.eventName !== 'ConsoleLogin') return;
        if (obj(r.fields.responseElements)?.ConsoleLogin !== 'Success') return;
        const ip = str(r.fields.sourceIPAddress);
        if (!ip || Number.isNaN(r.time)) return;
        const c = callerOf(r);
        const id = c.arn || c.principalId;
        const g: GeoInfo | undefined = ctx.geo.lookup(ip);
        const prev = last.get(id);
        const cur: LastLogin = {
          last: r.time,
          time: r.time,
          ip,
          country: g?.countryCode,
          lat: g?.lat,
          lon: g?.lon,
          line: '',
          origin: r.origin,
        };
        last.upsert(id, r.time, () => cur);
        if (
          prev &&
          prev.ip !== ip &&
          Math.abs(r.time - prev.time) <= windowMs &&
          prev.country &&
          cur.country &&
          prev.country !== cur.country
        ) {
          let speed: number | undefined;
          if (prev.lat !== undefined && prev.lon !== undefined && cur.lat !== undefined && cur.lon !== undefined) {
            const km = distanceKm({ lat: prev.lat, lon: prev.lon }, { lat: cur.lat, lon: cur.lon });
            const hours = Math.max(Math.abs(r.time - prev.time), 60_000) / 3_600_000;
            speed = km / hours;
            if (speed <= maxSpeed) {
              Object.assign(prev, cur);
              return;
            }
          }
          const pair = [prev.country, cur.country].sort().join('/');
          ctx.emit({
            type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
            severity: 5,
            key: `${id}|${pair}`,
            time: Math.min(prev.time, r.time),
            lastTime: Math.max(prev.time, r.time),
            title: `Successful console sign-ins of ${c.userName || id} from ${prev.country} and ${cur.country}`,
            description: `${c.userName || id} signed in from ${prev.ip} (${prev.country}) and ${ip} (${cur.country}) within ${Math.round(Math.abs(r.time - prev.time) / 60_000)} minutes.`,
            resource: accessKeyResource(c),
            action: apiCallAction(r, ctx.geo),
            resourceRole: 'TARGET',
            reason: `ConsoleLogin Success from ${prev.country} then ${cur.country} ${Math.round(Math.abs(r.time - prev.time) / 60_000)} min apart${speed !== undefined ? `, implied speed ${Math.round(speed)} km/h` : ''}`,
            evidence: ctEvidence(r, { previousIp: prev.ip, previousCountry: prev.country, country: cur.country }),
            thresholds: { windowMinutes: ctx.params.windowMinutes!, maxSpeedKmh: maxSpeed },
            origins: [prev.origin, r.origin],
          });
        }
        if (prev) Object.assign(prev, cur);
      },
    };
  },
};

// ---------- S3 server access logs / S3 data events from listed IPs ----------

export interface S3View {
  bucket: string;
  api: string;
  requester: string;
  requestId: string;
}

const S3_OPERATION_APIS: Record<string, string> = {
  'REST.GET.OBJECT': 'GetObject',
  'REST.HEAD.OBJECT': 'HeadObject',
  'REST.PUT.OBJECT': 'PutObject',
  'REST.COPY.OBJECT': 'CopyObject',
  'REST.COPY.OBJECT_GET': 'CopyObject',
  'REST.DELETE.OBJECT': 'DeleteObject',
  'REST.POST.MULTI_OBJECT_DELETE': 'DeleteObjects',
  'REST.GET.BUCKET': 'ListObjects',
  'REST.HEAD.BUCKET': 'HeadBucket',
  'REST.GET.ACL': 'GetObjectAcl',
  'REST.PUT.ACL': 'PutObjectAcl',
  'REST.GET.BUCKETVERSIONS': 'ListObjectVersions',
  'REST.POST.UPLOADS': 'CreateMultipartUpload',
  'REST.PUT.PART': 'UploadPart',
  'REST.POST.UPLOAD': 'CompleteMultipartUpload',
};

export function s3AccessView(r: LogRecord): S3View {
  const f = r.fields;
  const op = str(f.operation) ?? '';
  return {
    bucket: str(f.bucket_name) ?? str(f.bucket) ?? '',
    api: S3_OPERATION_APIS[op] ?? op,
    requester: str(f.requester) ?? '',
    requestId: str(f.requestid) ?? str(f.request_id) ?? '',
  };
}

export function s3AccessResource(s: S3View): Record<string, unknown> {
  return {
    resourceType: 'S3Bucket',
    accessKeyDetails: {
      accessKeyId: '',
      principalId: s.requester,
      userName: s.requester.split('/').pop() ?? '',
      userType: s.requester.includes(':assumed-role/') ? 'AssumedRole' : s.requester === '' ? 'Anonymous' : 'IAMUser',
    },
    s3BucketDetails: [{ arn: `arn:aws:s3:::${s.bucket}`, name: s.bucket, type: 'Destination' }],
  };
}

export function s3AccessAction(r: LogRecord, s: S3View, geo: import('../geo.js').GeoLookup) {
  const ip = r.sourceIp ?? '';
  return {
    actionType: 'AWS_API_CALL' as const,
    awsApiCallAction: {
      api: s.api,
      serviceName: 's3.amazonaws.com',
      callerType: 'Remote IP',
      remoteIpDetails: ip
        ? (
            apiCallAction({ ...r, fields: { sourceIPAddress: ip } }, geo).awsApiCallAction as {
              remoteIpDetails: unknown;
            }
          ).remoteIpDetails
        : undefined,
      ...(typeof r.fields.useragent === 'string' ? { userAgent: r.fields.useragent } : {}),
      ...(typeof r.fields.httpstatus === 'number' && r.fields.httpstatus >= 400
        ? { errorCode: String(r.fields.error_code ?? r.fields.httpstatus) }
        : {}),
    },
  };
}

/** Discovery, read (exfiltration) or write (impact) class of an S3 data-plane API. */
export function s3ApiClass(api: string): 'Discovery' | 'Exfiltration' | 'Impact' {
  if (/^(List|Head|Get(Object|Bucket)(Acl|Policy|Tagging|Location|Versioning))/.test(api) || api === 'HeadObject')
    return 'Discovery';
  if (
    api === 'GetObject' ||
    api === 'CopyObject' ||
    api === 'UploadPartCopy' ||
    api === 'SelectObjectContent' ||
    api === 'RestoreObject'
  )
    return 'Exfiltration';
  return 'Impact';
}

export const s3MaliciousCaller: Detector = {
  meta: {
    id: 's3-threat-list-caller',
    title: 'S3 data accessed from a Tor exit or a listed IP',
    dataSources: ['cloudtrail', 's3access'],
    kind: 'stateless',
    trigger:
      'An S3 data-plane request (CloudTrail data event or server access log line) from an IP on a threat list. Discovery APIs (List/Head/Get…Acl) → Discovery:, GetObject/CopyObject → Exfiltration: (threat feeds) or UnauthorizedAccess: (Tor, custom), writes/deletes → Impact: / UnauthorizedAccess:. A request seen in both logs (same request ID) counts once.',
    params: {},
    needs: ['intel'],
    findings: [
      {
        type: 'Discovery:S3/MaliciousIPCaller',
        severity: 8,
        mitre: { tactic: 'Discovery', technique: 'T1619', name: 'Cloud Storage Object Discovery' },
      },
      {
        type: 'Discovery:S3/MaliciousIPCaller.Custom',
        severity: 8,
        mitre: { tactic: 'Discovery', technique: 'T1619', name: 'Cloud Storage Object Discovery' },
      },
      {
        type: 'Discovery:S3/TorIPCaller',
        severity: 5,
        mitre: { tactic: 'Discovery', technique: 'T1619', name: 'Cloud Storage Object Discovery' },
      },
      {
        type: 'Exfiltration:S3/MaliciousIPCaller',
        severity: 8,
        mitre: { tactic: 'Collection', technique: 'T1530', name: 'Data from Cloud Storage' },
      },
      {
        type: 'Impact:S3/MaliciousIPCaller',
        severity: 8,
        mitre: { tactic: 'Impact', technique: 'T1485', name: 'Data Destruction' },
      },
      {
        type: 'UnauthorizedAccess:S3/MaliciousIPCaller.Custom',
        severity: 8,
        mitre: { tactic: 'Collection', technique: 'T1530', name: 'Data from Cloud Storage' },
      },
      {
        type: 'UnauthorizedAccess:S3/TorIPCaller',
        severity: 8,
        mitre: { tactic: 'Collection', technique: 'T1530', name: 'Data from Cloud Storage' },
      },
    ],
  },
  create(ctx) {
    const seenRequests = ctx.windows.create<{ last: number }>('request-ids', 3_600_000, 100_000);
    return {
      onRecord(r) {
        let ip: string | undefined;
        if (r.type === 's3access') ip = r.sourceIp;
        else if (isS3DataEvent(r)) ip = str(r.fields.sourceIPAddress);
        if (!ip) return;
        // The list lookup first: the request view is only built for the rare listed caller.
        const hits = ctx.intel.lookupIp(ip);
        if (!hits) return;
        const hit = pickHit(hits);
        if (!hit) return;
        let view: S3View;
        if (r.type === 's3access') view = s3AccessView(r);
        else {
          const rp = obj(r.fields.requestParameters) ?? {};
          view = {
            bucket: str(rp.bucketName) ?? '',
            api: String(r.fields.eventName),
            requester: callerOf(r).arn,
            requestId: str(r.fields.requestID) ?? '',
          };
        }
        if (view.requestId) {
          if (seenRequests.get(view.requestId)) return;
          seenRequests.upsert(view.requestId, r.time, (t) => ({ last: t }));
        }
        const cls = s3ApiClass(view.api);
        let type: string;
        let severity = 8;
        if (hit.category === 'tor') {
          type = cls === 'Discovery' ? 'Discovery:S3/TorIPCaller' : 'UnauthorizedAccess:S3/TorIPCaller';
          if (cls === 'Discovery') severity = 5;
        } else if (hit.category === 'custom') {
          type =
            cls === 'Discovery'
              ? 'Discovery:S3/MaliciousIPCaller.Custom'
              : 'UnauthorizedAccess:S3/MaliciousIPCaller.Custom';
        } else type = `${cls}:S3/MaliciousIPCaller`;
        const resource = r.type === 's3access' ? s3AccessResource(view) : s3Resource(view.bucket, callerOf(r));
        const action = r.type === 's3access' ? s3AccessAction(r, view, ctx.geo) : apiCallAction(r, ctx.geo);
        ctx.emit({
          type,
          severity,
          key: `${view.bucket}|${ip}`,
          time: r.time,
          title: `S3 API ${view.api} was invoked from ${hit.category === 'tor' ? 'a Tor exit node' : 'a listed IP address'}`,
          description: `${view.requester || 'An anonymous caller'} called ${view.api} on bucket ${view.bucket} from ${ip} (${hit.list}: ${hit.threatName}).`,
          resource,
          action,
          resourceRole: 'TARGET',
          threatIntelligenceDetails: intelDetails(hits),
          reason: `${r.type === 's3access' ? 'remoteip' : 'sourceIPAddress'} ${ip} matches ${hit.entry} in "${hit.list}" (category ${hit.category}); ${view.api} is a ${cls.toLowerCase()} API`,
          evidence: {
            ip,
            api: view.api,
            bucket: view.bucket,
            requester: view.requester,
            requestId: view.requestId,
            log: r.type,
          },
          origins: [r.origin],
        });
      },
    };
  },
};
