/** Shared views of records for detectors: CloudTrail caller / resource blocks and a reusable flow-log view. */
import type { LogRecord, RecordOrigin } from '../../ingest/types.js';
import { instanceResource, localIpDetails, portDetails, protocolName, remoteIpDetails } from '../finding.js';
import type { GeoLookup } from '../geo.js';
import type { IntelHit, ThreatIntel } from '../intel.js';
import { ipv4ToInt, isPrivateV4, isPublicIp } from '../ipv4.js';
import type { NetContext } from '../net.js';
import type { FindingAction, ThreatIntelDetail } from '../types.js';

export type Json = Record<string, unknown>;

export function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function origin(r: LogRecord): RecordOrigin {
  return r.origin;
}

// ---------- CloudTrail ----------

export interface Caller {
  type: string;
  arn: string;
  principalId: string;
  accessKeyId: string;
  userName: string;
  accountId: string;
}

/** The caller of a CloudTrail event (userIdentity), with the user name GuardDuty shows (role session issuer's). */
export function callerOf(r: LogRecord): Caller {
  const u = obj(r.fields.userIdentity) ?? {};
  const issuer = obj(obj(u.sessionContext)?.sessionIssuer);
  const type = str(u.type) ?? 'Unknown';
  return {
    type,
    arn: str(u.arn) ?? '',
    principalId: str(u.principalId) ?? '',
    accessKeyId: str(u.accessKeyId) ?? '',
    userName: str(u.userName) ?? str(issuer?.userName) ?? (type === 'Root' ? 'Root' : (str(u.invokedBy) ?? '')),
    accountId: str(u.accountId) ?? str(r.fields.recipientAccountId) ?? '',
  };
}

export function accessKeyResource(c: Caller): Json {
  return {
    resourceType: 'AccessKey',
    accessKeyDetails: {
      accessKeyId: c.accessKeyId,
      principalId: c.principalId,
      userName: c.userName,
      userType: c.type,
    },
  };
}

export function isSuccess(r: LogRecord): boolean {
  return r.fields.errorCode === undefined || r.fields.errorCode === null;
}

/** `serviceName` as GuardDuty shows it: the event source (`cloudtrail.amazonaws.com`). */
export function apiCallAction(r: LogRecord, geo: GeoLookup, extra: Json = {}): FindingAction {
  const f = r.fields;
  const ip = str(f.sourceIPAddress) ?? '';
  const isIp = /^[0-9.]+$|:/.test(ip);
  const block: Json = {
    api: str(f.eventName) ?? '',
    serviceName: str(f.eventSource) ?? '',
    callerType: isIp ? 'Remote IP' : 'Domain',
    ...(isIp ? { remoteIpDetails: remoteIpDetails(ip, geo) } : { domainDetails: { domain: ip } }),
    ...(f.errorCode ? { errorCode: f.errorCode } : {}),
    ...(typeof f.userAgent === 'string' ? { userAgent: f.userAgent } : {}),
    ...extra,
  };
  return { actionType: 'AWS_API_CALL', awsApiCallAction: block };
}

export function ctEvidence(r: LogRecord, more: Json = {}): Json {
  const f = r.fields;
  return {
    eventName: f.eventName,
    eventSource: f.eventSource,
    eventTime: f.eventTime,
    sourceIPAddress: f.sourceIPAddress,
    userAgent: f.userAgent,
    'userIdentity.arn': obj(f.userIdentity)?.arn,
    ...(f.errorCode ? { errorCode: f.errorCode } : {}),
    ...more,
  };
}

export function intelDetails(hits: IntelHit[]): ThreatIntelDetail[] {
  const byList = new Map<string, Set<string>>();
  for (const h of hits) {
    let s = byList.get(h.list);
    if (!s) byList.set(h.list, (s = new Set()));
    s.add(h.threatName);
  }
  return [...byList].map(([threatListName, names]) => ({ threatListName, threatNames: [...names] }));
}

// ---------- VPC Flow Logs ----------

/** A flow record seen from our side. One object reused for every record (detectors run synchronously). */
export interface FlowView {
  record: LogRecord | undefined;
  ok: boolean;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  proto: number;
  packets: number;
  bytes: number;
  accepted: boolean;
  flags: number;
  /** OUTBOUND: our side is the source; INBOUND: our side is the destination. */
  direction: 'INBOUND' | 'OUTBOUND' | 'INTERNAL' | 'UNKNOWN';
  localIp: string;
  remoteIp: string;
  localPort: number;
  remotePort: number;
  /** Instance id, else ENI, else local address. */
  entity: string;
  /** The local and remote addresses as IPv4 numbers, -1 when not IPv4. */
  localN: number;
  remoteN: number;
  /** The remote address is a public (internet) address (computed once per record for every flow detector). */
  remotePublic: boolean;
  instanceId: string | undefined;
  eni: string | undefined;
  /**
   * The ENI belongs to no instance (NAT gateway, load balancer, endpoint): the record's format carries instance
   * metadata (vpc-id) but no instance-id. Instance-centric detectors skip it, as GuardDuty reports EC2 instances.
   */
  nonInstance: boolean;
}

const view: FlowView = {
  record: undefined,
  ok: false,
  src: '',
  dst: '',
  srcPort: 0,
  dstPort: 0,
  proto: 0,
  packets: 0,
  bytes: 0,
  accepted: false,
  flags: 0,
  direction: 'UNKNOWN',
  localIp: '',
  remoteIp: '',
  localPort: 0,
  remotePort: 0,
  entity: '',
  localN: -1,
  remoteN: -1,
  remotePublic: false,
  instanceId: undefined,
  eni: undefined,
  nonInstance: false,
};

/**
 * The flow view of a record (memoised for the record being processed). `ok` is false for records without
 * addresses (NODATA / SKIPDATA) or that are not flow records.
 */
export function flowOf(r: LogRecord, net: NetContext): FlowView {
  if (view.record === r) return view;
  view.record = r;
  const f = r.fields;
  const src = f.srcaddr;
  const dst = f.dstaddr;
  if (typeof src !== 'string' || typeof dst !== 'string') {
    view.ok = false;
    return view;
  }
  view.ok = true;
  view.src = src;
  view.dst = dst;
  view.srcPort = typeof f.srcport === 'number' ? f.srcport : 0;
  view.dstPort = typeof f.dstport === 'number' ? f.dstport : 0;
  view.proto = typeof f.protocol === 'number' ? f.protocol : -1;
  view.packets = typeof f.packets === 'number' ? f.packets : 0;
  view.bytes = typeof f.bytes === 'number' ? f.bytes : 0;
  view.accepted = f.action === 'ACCEPT';
  view.flags = typeof f['tcp-flags'] === 'number' ? f['tcp-flags'] : -1;
  // Each address is converted to a number once and shared by every flow detector (direction, public checks).
  const srcN = ipv4ToInt(src);
  const dstN = ipv4ToInt(dst);
  const dir = f['flow-direction'];
  let direction: FlowView['direction'];
  if (dir === 'egress') direction = 'OUTBOUND';
  else if (dir === 'ingress') direction = 'INBOUND';
  else {
    const sl = srcN >= 0 ? net.isLocalV4(srcN) : net.isLocal(src);
    const dl = dstN >= 0 ? net.isLocalV4(dstN) : net.isLocal(dst);
    direction = sl && !dl ? 'OUTBOUND' : !sl && dl ? 'INBOUND' : sl && dl ? 'INTERNAL' : 'UNKNOWN';
  }
  view.direction = direction;
  let remoteN: number;
  if (direction === 'INBOUND') {
    view.localIp = dst;
    view.remoteIp = src;
    view.localPort = view.dstPort;
    view.remotePort = view.srcPort;
    remoteN = srcN;
    view.localN = dstN;
  } else {
    view.localIp = src;
    view.remoteIp = dst;
    view.localPort = view.srcPort;
    view.remotePort = view.dstPort;
    remoteN = dstN;
    view.localN = srcN;
  }
  view.remoteN = remoteN;
  view.remotePublic = remoteN >= 0 ? !isPrivateV4(remoteN) : isPublicIp(view.remoteIp);
  view.instanceId = typeof f['instance-id'] === 'string' ? f['instance-id'] : undefined;
  view.eni = typeof f['interface-id'] === 'string' ? f['interface-id'] : undefined;
  view.entity = view.instanceId ?? view.eni ?? view.localIp;
  view.nonInstance = view.instanceId === undefined && f['vpc-id'] !== undefined;
  return view;
}

let intelRecord: LogRecord | undefined;
let intelSource: ThreatIntel | undefined;
let intelHits: IntelHit[] | undefined;

/** Threat-list entries of the flow's remote address (looked up once per record, whichever detector asks first). */
export function remoteIntel(v: FlowView, intel: ThreatIntel): IntelHit[] | undefined {
  if (intelRecord !== v.record || intelSource !== intel) {
    intelRecord = v.record;
    intelSource = intel;
    intelHits = v.remoteN >= 0 ? intel.lookupV4(v.remoteN, v.remoteIp) : intel.lookupIp(v.remoteIp);
  }
  return intelHits;
}

export function flowResource(v: FlowView, r: LogRecord): Json {
  return instanceResource(v.instanceId, v.eni, v.localIp, str(r.fields['vpc-id']), str(r.fields['subnet-id']));
}

export function networkAction(v: FlowView, geo: GeoLookup, direction = v.direction): FindingAction {
  return {
    actionType: 'NETWORK_CONNECTION',
    networkConnectionAction: {
      connectionDirection: direction === 'INBOUND' || direction === 'OUTBOUND' ? direction : 'UNKNOWN',
      protocol: protocolName(v.proto),
      blocked: !v.accepted,
      localIpDetails: localIpDetails(v.localIp),
      localPortDetails: portDetails(v.localPort),
      remoteIpDetails: remoteIpDetails(v.remoteIp, geo),
      remotePortDetails: portDetails(v.remotePort),
    },
  };
}

export function flowEvidence(v: FlowView, more: Json = {}): Json {
  return {
    srcaddr: v.src,
    dstaddr: v.dst,
    srcport: v.srcPort,
    dstport: v.dstPort,
    protocol: v.proto,
    packets: v.packets,
    bytes: v.bytes,
    action: v.accepted ? 'ACCEPT' : 'REJECT',
    direction: v.direction,
    ...more,
  };
}

/** Keep at most `max` origins in a window (explanations cite the first records). */
export function pushOrigin(list: RecordOrigin[], o: RecordOrigin, max = 20): void {
  if (list.length < max) list.push(o);
}
