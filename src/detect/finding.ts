/**
 * Building GuardDuty finding JSON (guardduty.md §4): deterministic ids, resource and action blocks, remote IP
 * details with offline geo data.
 */
import { createHash } from 'node:crypto';
import { ipv4ToInt } from '../core/ipv4.js';
import type { LogRecord } from '../ingest/types.js';
import type { GeoLookup } from './geo.js';
import type { Explanation, Finding, Signal } from './types.js';

export function hex32(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** GuardDuty detector ids are 32 hex characters; Vigil derives one per account and region. */
export function detectorIdFor(accountId: string, region: string): string {
  return hex32(`vigil-detector|${accountId}|${region}`);
}

/** Same (account, region, type, key) → same id, so re-processing old logs yields the same findings. */
export function findingIdFor(accountId: string, region: string, type: string, key: string): string {
  return hex32(`${accountId}|${region}|${type}|${key}`);
}

export function toIsoMs(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

export const MAX_ORIGINS = 20;

export function newFinding(
  sig: Signal,
  accountId: string,
  region: string,
  detector: string,
  params: Explanation['parameters'],
  detectorId = detectorIdFor(accountId, region),
): Finding {
  const id = findingIdFor(accountId, region, sig.type, sig.key);
  const first = sig.time;
  const last = sig.lastTime ?? sig.time;
  return {
    schemaVersion: '2.0',
    accountId,
    region,
    partition: partitionOf(region),
    id,
    arn: `arn:${partitionOf(region)}:guardduty:${region}:${accountId}:detector/${detectorId}/finding/${id}`,
    type: sig.type,
    resource: sig.resource,
    service: {
      serviceName: 'guardduty',
      detectorId,
      action: sig.action,
      resourceRole: sig.resourceRole,
      additionalInfo: {
        value: JSON.stringify(sig.additionalInfo ?? {}),
        type: 'default',
        ...(sig.additionalInfo ?? {}),
      },
      ...(sig.threatIntelligenceDetails
        ? { evidence: { threatIntelligenceDetails: sig.threatIntelligenceDetails } }
        : {}),
      eventFirstSeen: toIsoMs(first),
      eventLastSeen: toIsoMs(last),
      archived: false,
      count: sig.count ?? 1,
    },
    severity: sig.severity,
    createdAt: toIsoMs(first),
    updatedAt: toIsoMs(last),
    title: sig.title,
    description: sig.description,
    explanation: {
      detector,
      parameters: params,
      ...(sig.thresholds ? { thresholds: sig.thresholds } : {}),
      reason: sig.reason,
      evidence: sig.evidence,
      records: sig.origins.slice(0, MAX_ORIGINS),
      recordCount: sig.origins.length,
    },
  };
}

/** Fold a repeat occurrence into an existing finding (count grows, first/last seen widen). */
export function aggregate(f: Finding, sig: Signal): void {
  const s = f.service;
  s.count += sig.count ?? 1;
  const first = sig.time;
  const last = sig.lastTime ?? sig.time;
  if (first < Date.parse(s.eventFirstSeen)) {
    s.eventFirstSeen = toIsoMs(first);
    f.createdAt = s.eventFirstSeen;
  }
  if (last > Date.parse(s.eventLastSeen)) {
    s.eventLastSeen = toIsoMs(last);
    f.updatedAt = s.eventLastSeen;
  }
  // Severity can only rise (e.g. a later occurrence on an Elasticsearch port).
  if (sig.severity > f.severity) f.severity = sig.severity;
  const ex = f.explanation;
  for (const o of sig.origins) {
    if (ex.records.length >= MAX_ORIGINS) break;
    ex.records.push(o);
  }
  ex.recordCount += sig.origins.length;
  if (sig.threatIntelligenceDetails && !s.evidence)
    s.evidence = { threatIntelligenceDetails: sig.threatIntelligenceDetails };
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** GuardDuty `remoteIpDetails` for an address, with geo/ASN when known. */
export function remoteIpDetails(ip: string, geo: GeoLookup): Record<string, unknown> {
  const out: Record<string, unknown> = ipv4ToInt(ip) >= 0 ? { ipAddressV4: ip } : { ipAddressV6: ip };
  const g = geo.lookup(ip);
  if (g) {
    if (g.asn !== undefined || g.asnOrg !== undefined)
      out.organization = { asn: g.asn, asnOrg: g.asnOrg, isp: g.asnOrg, org: g.asnOrg };
    if (g.countryCode) out.country = { countryCode: g.countryCode, countryName: g.countryName };
    if (g.cityName) out.city = { cityName: g.cityName };
    if (g.lat !== undefined && g.lon !== undefined) out.geoLocation = { lat: g.lat, lon: g.lon };
  }
  return out;
}

export function localIpDetails(ip: string): Record<string, unknown> {
  return ipv4ToInt(ip) >= 0 ? { ipAddressV4: ip } : { ipAddressV6: ip };
}

const PORT_NAMES: Record<number, string> = {
  22: 'SSH',
  23: 'Telnet',
  25: 'SMTP',
  53: 'DNS',
  80: 'HTTP',
  123: 'NTP',
  389: 'LDAP',
  443: 'HTTPS',
  445: 'SMB',
  465: 'SMTPS',
  587: 'SMTP',
  853: 'DNS over TLS',
  1433: 'MSSQL',
  1900: 'SSDP',
  3306: 'MYSQL',
  3389: 'RDP',
  5432: 'POSTGRESQL',
  5985: 'WinRM',
  5986: 'WinRM',
  6379: 'REDIS',
  8080: 'HTTP',
  9200: 'ELASTICSEARCH',
  9300: 'ELASTICSEARCH',
  11211: 'MEMCACHED',
  27017: 'MONGODB',
};

export function portDetails(port: number | undefined): { port: number; portName: string } {
  const p = port ?? 0;
  return { port: p, portName: PORT_NAMES[p] ?? 'Unknown' };
}

/** IANA protocol numbers to GuardDuty's protocol names. */
export function protocolName(proto: unknown): string {
  switch (proto) {
    case 6:
      return 'TCP';
    case 17:
      return 'UDP';
    case 1:
      return 'ICMP';
    case 58:
      return 'ICMPV6';
    case 2:
      return 'IGMP';
    case 47:
      return 'GRE';
    case 50:
      return 'ESP';
    default:
      return typeof proto === 'number' ? `PROTO_${proto}` : 'Unknown';
  }
}

/** `Instance` resource from a flow/DNS record (what is known from the log: id, ENI, private address). */
export function instanceResource(
  instanceId: string | undefined,
  eni: string | undefined,
  privateIp: string | undefined,
  vpcId?: string,
  subnetId?: string,
): Record<string, unknown> {
  const nic: Record<string, unknown> = {};
  if (eni) nic.networkInterfaceId = eni;
  if (privateIp) nic.privateIpAddress = privateIp;
  if (vpcId) nic.vpcId = vpcId;
  if (subnetId) nic.subnetId = subnetId;
  return {
    resourceType: 'Instance',
    instanceDetails: {
      instanceId: instanceId ?? (eni ? `unknown (ENI ${eni})` : 'unknown'),
      networkInterfaces: Object.keys(nic).length > 0 ? [nic] : [],
    },
  };
}

/** Entity key of the local side of a flow (instance id, else ENI, else address). */
export function instanceKeyOf(r: LogRecord, localIp: string): string {
  const f = r.fields;
  return (f['instance-id'] as string | undefined) ?? (f['interface-id'] as string | undefined) ?? localIp;
}
