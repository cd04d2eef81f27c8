/** Shared views of records for detectors: CloudTrail caller / resource blocks and a reusable flow-log view. */

import { ipv4ToInt, isPrivateV4, isPublicIp } from '../../core/ipv4.js';
import type { LogRecord, RecordOrigin } from '../../ingest/types.js';
import { Hot } from '../../ingest/vpcflow/layout.js';
import type { FlowRow } from '../../ingest/vpcflow/row.js';
import { instanceResource, localIpDetails, portDetails, protocolName, remoteIpDetails } from '../finding.js';
import type { GeoLookup } from '../geo.js';
import type { IntelHit, ThreatIntel } from '../intel.js';
import type { NetContext } from '../net.js';
import type { FindingAction, ThreatIntelDetail } from '../types.js';

export type Json = Record<string, unknown>;

export function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
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

export type FlowDirection = 'INBOUND' | 'OUTBOUND' | 'INTERNAL' | 'UNKNOWN';

/** Numbers every loaded view gets: a memo key unique across engines (views are per engine, lists are shared). */
let nextSeq = 0;

/** A numeric field's value, else `absent`. */
function n(v: unknown, absent: number): number {
  return typeof v === 'number' ? v : absent;
}

/** A hot value of a row, else (NaN: absent) `absent`. */
function orElse(v: number, absent: number): number {
  return Number.isNaN(v) ? absent : v;
}

/**
 * A flow record seen from our side. One per engine, refilled for every record (detectors run synchronously), from a
 * row read in place (the parser's fast path: no fields object) or from a LogRecord. Texts (addresses, other fields),
 * the origin and the LogRecord itself are produced only when a detector asks.
 */
export class FlowView {
  /** Unique per loaded record: the memo key of look-ups several detectors share (entity, pair, profile, intel). */
  seq = 0;
  /** False for records without addresses (NODATA / SKIPDATA): the engine calls no flow detector for them. */
  ok = false;
  time = Number.NaN;
  srcPort = 0;
  dstPort = 0;
  proto = -1;
  packets = 0;
  bytes = 0;
  accepted = false;
  flags = -1;
  /** OUTBOUND: our side is the source; INBOUND: our side is the destination. */
  direction: FlowDirection = 'UNKNOWN';
  localPort = 0;
  remotePort = 0;
  /** The local and remote addresses as IPv4 numbers, -1 when not IPv4. */
  localN = -1;
  remoteN = -1;
  /** The remote address is a public (internet) address. */
  remotePublic = false;
  instanceId: string | undefined = undefined;
  eni: string | undefined = undefined;
  /**
   * The ENI belongs to no instance (NAT gateway, load balancer, endpoint): the record's format carries instance
   * metadata (vpc-id) but no instance-id. Instance-centric detectors skip it, as GuardDuty reports EC2 instances.
   */
  nonInstance = false;
  /** Instance id, else ENI, else local address. */
  entity = '';
  private srcN = -1;
  private dstN = -1;
  private srcText: string | undefined = undefined;
  private dstText: string | undefined = undefined;
  private row: FlowRow | undefined = undefined;
  private rec: LogRecord | undefined = undefined;

  /** Load a row read in place (valid until the next load). */
  fromRow(row: FlowRow, net: NetContext): this {
    this.seq = ++nextSeq;
    this.row = row;
    this.rec = undefined;
    this.srcText = undefined;
    this.dstText = undefined;
    this.time = row.time;
    const h = row.hot;
    this.ok = !Number.isNaN(h[Hot.srcaddr]!) && !Number.isNaN(h[Hot.dstaddr]!);
    if (!this.ok) return this;
    // Address slots hold the IPv4 number, -1 when the address is not IPv4.
    this.srcN = h[Hot.srcaddr]!;
    this.dstN = h[Hot.dstaddr]!;
    this.srcPort = orElse(h[Hot.srcport]!, 0);
    this.dstPort = orElse(h[Hot.dstport]!, 0);
    this.proto = orElse(h[Hot.protocol]!, -1);
    this.packets = orElse(h[Hot.packets]!, 0);
    this.bytes = orElse(h[Hot.bytes]!, 0);
    this.flags = orElse(h[Hot['tcp-flags']]!, -1);
    this.accepted = h[Hot.action] === 1;
    this.instanceId = row.instanceId;
    this.eni = row.eni;
    this.nonInstance = row.instanceId === undefined && h[Hot['vpc-id']] === 1;
    const fd = h[Hot['flow-direction']];
    this.derive(net, fd === 2 ? 'OUTBOUND' : fd === 1 ? 'INBOUND' : undefined);
    return this;
  }

  /** Load a LogRecord (records that did not come through a row: JSON-wrapped input, tests, other readers). */
  fromRecord(r: LogRecord, net: NetContext): this {
    this.seq = ++nextSeq;
    this.row = undefined;
    this.rec = r;
    this.time = r.time;
    const f = r.fields;
    const src = f.srcaddr;
    const dst = f.dstaddr;
    this.ok = typeof src === 'string' && typeof dst === 'string';
    if (!this.ok) return this;
    this.srcText = src as string;
    this.dstText = dst as string;
    this.srcN = ipv4ToInt(src as string);
    this.dstN = ipv4ToInt(dst as string);
    this.srcPort = n(f.srcport, 0);
    this.dstPort = n(f.dstport, 0);
    this.proto = n(f.protocol, -1);
    this.packets = n(f.packets, 0);
    this.bytes = n(f.bytes, 0);
    this.flags = n(f['tcp-flags'], -1);
    this.accepted = f.action === 'ACCEPT';
    this.instanceId = str(f['instance-id']);
    this.eni = str(f['interface-id']);
    this.nonInstance = this.instanceId === undefined && f['vpc-id'] !== undefined;
    const dir = f['flow-direction'];
    this.derive(net, dir === 'egress' ? 'OUTBOUND' : dir === 'ingress' ? 'INBOUND' : undefined);
    return this;
  }

  /** Direction (from flow-direction when the record has it, else which side is local), sides, entity. */
  private derive(net: NetContext, given: FlowDirection | undefined): void {
    const srcN = this.srcN;
    const dstN = this.dstN;
    let direction = given;
    if (direction === undefined) {
      const sl = srcN >= 0 ? net.isLocalV4(srcN) : net.isLocal(this.src);
      const dl = dstN >= 0 ? net.isLocalV4(dstN) : net.isLocal(this.dst);
      direction = sl && !dl ? 'OUTBOUND' : !sl && dl ? 'INBOUND' : sl && dl ? 'INTERNAL' : 'UNKNOWN';
    }
    this.direction = direction;
    if (direction === 'INBOUND') {
      this.localPort = this.dstPort;
      this.remotePort = this.srcPort;
      this.localN = dstN;
      this.remoteN = srcN;
    } else {
      this.localPort = this.srcPort;
      this.remotePort = this.dstPort;
      this.localN = srcN;
      this.remoteN = dstN;
    }
    this.remotePublic = this.remoteN >= 0 ? !isPrivateV4(this.remoteN) : isPublicIp(this.remoteIp);
    this.entity = this.instanceId ?? this.eni ?? this.localIp;
  }

  get src(): string {
    if (this.srcText === undefined) this.srcText = this.row!.column(this.row!.layout.srcaddr)!;
    return this.srcText;
  }

  get dst(): string {
    if (this.dstText === undefined) this.dstText = this.row!.column(this.row!.layout.dstaddr)!;
    return this.dstText;
  }

  get localIp(): string {
    return this.direction === 'INBOUND' ? this.dst : this.src;
  }

  get remoteIp(): string {
    return this.direction === 'INBOUND' ? this.src : this.dst;
  }

  /** Where the record came from (one object per record: windows keep it). */
  get origin(): RecordOrigin {
    return this.row !== undefined ? this.row.origin : this.rec!.origin;
  }

  /** The record as a LogRecord (built on demand for a row). */
  get record(): LogRecord {
    return this.row !== undefined ? this.row.record() : this.rec!;
  }

  /** A native field as the record's `fields` holds it. */
  field(name: string): unknown {
    return this.row !== undefined ? this.row.value(name) : this.rec!.fields[name];
  }
}

/** The flow view of a record, for code outside the detectors' loop (rule-source finding context). */
export function flowOf(r: LogRecord, net: NetContext): FlowView {
  return new FlowView().fromRecord(r, net);
}

let intelSeq = 0;
let intelSource: ThreatIntel | undefined;
let intelHits: IntelHit[] | undefined;

/** Threat-list entries of the flow's remote address (looked up once per record, whichever detector asks first). */
export function remoteIntel(v: FlowView, intel: ThreatIntel): IntelHit[] | undefined {
  if (intelSeq !== v.seq || intelSource !== intel) {
    intelSeq = v.seq;
    intelSource = intel;
    intelHits = v.remoteN >= 0 ? intel.lookupV4(v.remoteN) : intel.lookupIp(v.remoteIp);
  }
  return intelHits;
}

export function flowResource(v: FlowView): Json {
  return instanceResource(v.instanceId, v.eni, v.localIp, str(v.field('vpc-id')), str(v.field('subnet-id')));
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
