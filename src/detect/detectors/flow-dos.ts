/**
 * Denial of service from flow logs. Outbound: our instance floods a public target (GuardDuty
 * `Backdoor:EC2/DenialOfService.*`, instance is the ACTOR). Inbound: our instance is flooded, named with AWS Shield's
 * attack vectors (netfw.md §11): SYN floods, UDP reflection/amplification by reflector source port, UDP fragments.
 */
import { intToIpv4, ipv4ToInt } from '../../core/ipv4.js';
import { type KeyCodec, registerReviver } from '../keyed.js';
import type { Detector, MitreRef } from '../types.js';
import { entityOf, flowTables } from './entity.js';
import { keep, type Pair, pairOf } from './pair.js';
import { flowEvidence, flowResource, networkAction } from './util.js';
import { addOrigin, sample, type Win, windowAt } from './window.js';

const TCP_ONLY_PORTS = new Set([
  21, 22, 23, 25, 80, 110, 143, 443, 445, 465, 587, 993, 995, 1433, 3306, 3389, 5432, 8080, 8443,
]);
const NORMAL_PROTOCOLS = new Set([1, 6, 17, 58]);
const DOS_MITRE: MitreRef = { tactic: 'Impact', technique: 'T1498', name: 'Network Denial of Service' };
const AMPLIFICATION: MitreRef = {
  tactic: 'Impact',
  technique: 'T1498.002',
  name: 'Network Denial of Service: Reflection Amplification',
};

export const outboundDos: Detector = {
  meta: {
    id: 'ec2-denial-of-service',
    title: 'Instance flooding a remote host',
    dataSources: ['vpcflow'],
    kind: 'windowed',
    trigger:
      'Outbound packets from one instance to one public address and protocol within windowMinutes reach minPackets (minPacketsUnusualProtocol for protocols other than TCP/UDP/ICMP). UDP to port 53 → .Dns, UDP to a TCP-only service port → .UdpOnTcpPorts, other UDP → .Udp, TCP → .Tcp, other protocols → .UnusualProtocol. Per-target counts start once the instance has sent half the threshold in the window (cheap for ordinary traffic).',
    params: {
      windowMinutes: { default: 5, description: 'event-time window' },
      minPackets: { default: 500_000, description: 'packets to one target within the window' },
      minPacketsUnusualProtocol: { default: 50_000, description: 'packets for protocols other than TCP, UDP, ICMP' },
    },
    findings: ['Tcp', 'Udp', 'Dns', 'UdpOnTcpPorts', 'UnusualProtocol'].map((k) => ({
      type: `Backdoor:EC2/DenialOfService.${k}`,
      severity: 8,
      mitre: DOS_MITRE,
    })),
  },
  flowDirections: ['OUTBOUND'],
  create(ctx) {
    const windowMs = (ctx.params.windowMinutes as number) * 60_000;
    const minPk = ctx.params.minPackets as number;
    const minUnusual = ctx.params.minPacketsUnusualProtocol as number;
    const tables = flowTables(ctx);
    const gate = Math.min(minPk, minUnusual) / 2;
    return {
      onFlow(v) {
        if (v.nonInstance || v.direction !== 'OUTBOUND' || Number.isNaN(v.time)) return;
        // Instance-level gate: no target can reach the threshold before the instance's total reaches half of it.
        const e = entityOf(tables, v);
        if (v.time - e.gStart >= windowMs) {
          e.gStart = v.time;
          e.gPackets = 0;
        }
        e.gPackets += v.packets;
        if (e.gPackets < gate) return;
        let kind: number;
        if (v.proto === 6) kind = 0;
        else if (v.proto === 17) kind = v.remotePort === 53 ? 2 : TCP_ONLY_PORTS.has(v.remotePort) ? 3 : 1;
        else if (!NORMAL_PROTOCOLS.has(v.proto)) kind = 4;
        else return;
        if (!v.remotePublic) return;
        const p = pairOf(tables, v);
        const t = v.time;
        if (t - p.dStart >= windowMs) {
          p.dStart = t;
          p.d0 = p.d1 = p.d2 = p.d3 = p.d4 = 0;
          p.dBytes = 0;
          p.dFired = 0;
          p.dO = undefined;
        } else if (t < p.dStart) p.dStart = t;
        const packets = addPackets(p, kind, v.packets);
        p.dBytes += v.bytes;
        const limit = kind === 4 ? minUnusual : minPk;
        // Keep origins only once the window is a candidate (a tenth of the threshold).
        if (packets * 10 >= limit) p.dO = keep(p.dO, v.origin);
        const bit = 1 << kind;
        if ((p.dFired & bit) === 0 && packets >= limit) {
          p.dFired |= bit;
          const name = DOS_KINDS[kind]!;
          ctx.emit({
            type: `Backdoor:EC2/DenialOfService.${name}`,
            severity: 8,
            key: `${v.entity}|${v.remoteIp}|${name}`,
            time: p.dStart,
            lastTime: t,
            title: `${v.entity} is behaving in a manner that may indicate it is being used to perform a Denial of Service attack`,
            description: `${packets} packets (${p.dBytes} bytes) from ${v.localIp} to ${v.remoteIp} within ${ctx.params.windowMinutes} minutes (protocol ${v.proto}).`,
            resource: flowResource(v),
            action: networkAction(v, ctx.geo),
            resourceRole: 'ACTOR',
            reason: `${packets} packets ≥ ${limit} to one target within ${ctx.params.windowMinutes} min (${name})`,
            evidence: flowEvidence(v, { windowPackets: packets, windowBytes: p.dBytes }),
            thresholds: { minPackets: limit, windowMinutes: ctx.params.windowMinutes! },
            origins: [...(p.dO ?? [v.origin])],
          });
        }
      },
    };
  },
};

const DOS_KINDS = ['Tcp', 'Udp', 'Dns', 'UdpOnTcpPorts', 'UnusualProtocol'];

function addPackets(p: Pair, kind: number, n: number): number {
  switch (kind) {
    case 0:
      return (p.d0 += n);
    case 1:
      return (p.d1 += n);
    case 2:
      return (p.d2 += n);
    case 3:
      return (p.d3 += n);
    default:
      return (p.d4 += n);
  }
}

/** Reflector service (source) ports → AWS Shield vector names. */
export const REFLECTION_VECTORS: Record<number, string> = {
  17: 'GENERIC_UDP_REFLECTION', // QOTD
  19: 'CHARGEN_REFLECTION',
  53: 'DNS_REFLECTION',
  69: 'GENERIC_UDP_REFLECTION', // TFTP
  111: 'PORT_MAPPER',
  123: 'NTP_REFLECTION',
  137: 'NET_BIOS_REFLECTION',
  161: 'SNMP_REFLECTION',
  389: 'GENERIC_UDP_REFLECTION', // CLDAP
  520: 'RIP_REFLECTION',
  1434: 'MSSQL_REFLECTION',
  1900: 'SSDP_REFLECTION',
  3283: 'GENERIC_UDP_REFLECTION', // Apple Remote Desktop
  3702: 'GENERIC_UDP_REFLECTION', // WS-Discovery
  5683: 'GENERIC_UDP_REFLECTION', // CoAP
  11211: 'MEMCACHED_REFLECTION',
};

const VECTORS = [
  'SYN_FLOOD',
  'ACK_FLOOD',
  'UDP_TRAFFIC',
  'UDP_FRAGMENT',
  ...new Set(Object.values(REFLECTION_VECTORS)),
];

/** Window keys: local IPv4 × 65536 + port (TCP), local IPv4 × 32 + vector index (UDP); persisted as `ip|port|vector`. */
if (VECTORS.length > 32) throw new Error('ddos-flow: more than 32 vectors do not fit the numeric UDP window keys');
const TCP_KEYS: KeyCodec = {
  encode: (k) => `${intToIpv4(Math.floor(k / 65536))}|${k % 65536}`,
  decode: (s) => {
    const [ip, port, extra] = s.split('|');
    const n = ipv4ToInt(ip ?? '');
    const p = Number(port);
    return n >= 0 && extra === undefined && Number.isInteger(p) && p >= 0 && p < 65536 ? n * 65536 + p : s;
  },
};
const UDP_KEYS: KeyCodec = {
  encode: (k) => `${intToIpv4(Math.floor(k / 32))}|${VECTORS[k % 32]}`,
  decode: (s) => {
    const [ip, vector, extra] = s.split('|');
    const n = ipv4ToInt(ip ?? '');
    const i = VECTORS.indexOf(vector ?? '');
    return n >= 0 && i >= 0 && extra === undefined ? n * 32 + i : s;
  },
};

/** TCP records to one target port in the current window: all, SYN-only and ACK-only, with their sources. */
class TcpWin {
  start: number;
  last: number;
  n = 0;
  syn = 0;
  ack = 0;
  synSources = new Set<string | number>();
  ackSources = new Set<string | number>();
  fired = 0;
  o: import('../../ingest/types.js').RecordOrigin[] = [];
  constructor(t: number) {
    this.start = t;
    this.last = t;
  }
  reset(t: number): void {
    this.start = t;
    this.last = t;
    this.n = this.syn = this.ack = this.fired = 0;
    this.synSources = new Set();
    this.ackSources = new Set();
    this.o = [];
  }
  toJSON(): Record<string, unknown> {
    return { $kind: 'tcpwin', ...(this as unknown as Record<string, unknown>) };
  }
}
registerReviver('tcpwin', (v) => Object.assign(new TcpWin(v.start as number), { ...v, $kind: undefined }));
const newTcpWin = (t: number) => new TcpWin(t);

export const inboundDdos: Detector = {
  meta: {
    id: 'ddos-flow',
    title: 'Volumetric DDoS against an instance (Shield vectors)',
    dataSources: ['vpcflow'],
    kind: 'windowed',
    trigger:
      'Per local address and window: SYN_FLOOD / ACK_FLOOD — at least minSynRecords inbound TCP records to one port with tcp-flags exactly SYN (2) / ACK (16) and ≤ 3 packets from at least minSources sources, making up at least synRatio of the TCP records; UDP_TRAFFIC — inbound UDP (not from a reflector port) of at least minBytes from at least minSources sources; *_REFLECTION — inbound UDP from a reflector source port (DNS 53, NTP 123, SSDP 1900, memcached 11211, CLDAP 389, CharGEN 19 …) from at least minSources sources with at least minBytes and minBytesPerPacket on average; UDP_FRAGMENT — inbound UDP with ports 0/0 totalling minBytes.',
    params: {
      windowMinutes: { default: 1, description: 'event-time window (flow logs aggregate over 1–10 minutes)' },
      minSources: { default: 50, description: 'distinct source addresses' },
      minSynRecords: { default: 200, description: 'SYN-only records (SYN_FLOOD)' },
      synRatio: {
        default: 0.8,
        description: 'share of SYN-only among the TCP records to the target (composition test)',
      },
      minBytes: { default: 50_000_000, description: 'bytes in the window (reflection, fragments)' },
      minBytesPerPacket: {
        default: 400,
        description: 'average packet size of reflected traffic (amplified answers are large)',
      },
    },
    findings: VECTORS.map((v) => ({
      type: `DDoS:EC2/${v}`,
      severity: 8,
      mitre:
        v === 'SYN_FLOOD' || v === 'ACK_FLOOD' || v === 'UDP_FRAGMENT' || v === 'UDP_TRAFFIC'
          ? DOS_MITRE
          : AMPLIFICATION,
    })),
  },
  flowDirections: ['INBOUND'],
  create(ctx) {
    const tcp = ctx.windows.create<TcpWin>('tcp');
    const udp = ctx.windows.create<Win>('udp');
    tcp.setKeyCodec(TCP_KEYS);
    udp.setKeyCodec(UDP_KEYS);
    const p = ctx.params;
    const windowMs = (p.windowMinutes as number) * 60_000;
    const minSources = p.minSources as number;
    const minSyn = p.minSynRecords as number;
    const ratio = p.synRatio as number;
    const minBytes = p.minBytes as number;
    const minBpp = p.minBytesPerPacket as number;
    return {
      onFlow(v) {
        if (v.direction !== 'INBOUND' || Number.isNaN(v.time)) return;
        if (v.proto === 6) {
          // One window per target port counts SYN-only and ACK-only records (and their sources) among all TCP records.
          const t = v.time;
          // Keyed by number for IPv4 (inbound TCP is half of most ENIs' records); findings name it as text.
          const w = tcp.upsert(
            v.localN >= 0 ? v.localN * 65536 + v.localPort : `${v.localIp}|${v.localPort}`,
            t,
            newTcpWin,
          );
          const key = `${v.localIp}|${v.localPort}`;
          if (t - w.start >= windowMs) w.reset(t);
          else if (t < w.start) w.start = t;
          if (t > w.last) w.last = t;
          w.n++;
          if (v.packets <= 3 && (v.flags === 2 || v.flags === 16)) {
            const synOnly = v.flags === 2;
            if (synOnly) {
              w.syn++;
              w.synSources.add(v.remoteIp);
            } else {
              w.ack++;
              w.ackSources.add(v.remoteIp);
            }
            if (w.o.length < 20) w.o.push(v.origin);
          }
          for (const vector of ['SYN_FLOOD', 'ACK_FLOOD'] as const) {
            const syn = vector === 'SYN_FLOOD';
            const count = syn ? w.syn : w.ack;
            const sources = syn ? w.synSources.size : w.ackSources.size;
            const bit = syn ? 1 : 2;
            if ((w.fired & bit) !== 0 || count < minSyn || sources < minSources || count / w.n < ratio) continue;
            w.fired |= bit;
            const what = syn ? 'SYN-only' : 'ACK-only';
            emitDdos(
              ctx,
              v,
              vector,
              `${key}|${vector}`,
              { start: w.start, last: w.last, bytes: 0, distinct: syn ? w.synSources : w.ackSources, origins: w.o },
              `${count} ${what} records (≥ ${minSyn}) from ${sources} sources (≥ ${minSources}), ${((100 * count) / w.n).toFixed(0)}% of ${w.n} TCP records (≥ ${ratio * 100}%)`,
              { minSynRecords: minSyn, minSources, synRatio: ratio },
            );
          }
          return;
        }
        if (v.proto !== 17) return;
        let vector: string | undefined;
        if (v.srcPort === 0 && v.dstPort === 0) vector = 'UDP_FRAGMENT';
        else vector = REFLECTION_VECTORS[v.remotePort] ?? 'UDP_TRAFFIC';
        const key = `${v.localIp}|${vector}`;
        const w = windowAt(udp, v.localN >= 0 ? v.localN * 32 + VECTORS.indexOf(vector) : key, v.time, windowMs);
        w.packets += v.packets;
        w.bytes += v.bytes;
        w.distinct.add(v.remoteIp);
        addOrigin(w, v.origin);
        const bpp = w.packets > 0 ? w.bytes / w.packets : 0;
        const fragments = vector === 'UDP_FRAGMENT';
        // Plain UDP floods need no amplification (any packet size); reflection needs large answers.
        const sizeOk = vector === 'UDP_TRAFFIC' || bpp >= minBpp;
        if (w.fired === 0 && w.bytes >= minBytes && sizeOk && (fragments || w.distinct.size >= minSources)) {
          w.fired = 1;
          emitDdos(
            ctx,
            v,
            vector,
            key,
            w,
            vector === 'UDP_TRAFFIC'
              ? `${w.bytes} bytes of UDP (≥ ${minBytes}) from ${w.distinct.size} sources (≥ ${minSources})`
              : `${w.bytes} bytes (≥ ${minBytes}) averaging ${bpp.toFixed(0)} bytes/packet (≥ ${minBpp})${fragments ? '' : ` from ${w.distinct.size} sources on reflector port ${v.remotePort} (≥ ${minSources})`}`,
            { minBytes, minBytesPerPacket: minBpp, minSources },
          );
        }
      },
    };
  },
};

interface WindowLike {
  start: number;
  last: number;
  bytes: number;
  distinct: Set<string | number>;
  origins: import('../../ingest/types.js').RecordOrigin[];
}

function emitDdos(
  ctx: import('../types.js').DetectorContext,
  v: import('./util.js').FlowView,
  vector: string,
  key: string,
  w: WindowLike,
  reason: string,
  thresholds: Record<string, number>,
): void {
  ctx.emit({
    type: `DDoS:EC2/${vector}`,
    severity: 8,
    key,
    time: w.start,
    lastTime: w.last,
    title: `${vector} attack against ${v.entity}`,
    description: `${v.entity} (${v.localIp}) is receiving ${vector} traffic: ${reason}.`,
    resource: flowResource(v),
    action: networkAction(v, ctx.geo, 'INBOUND'),
    resourceRole: 'TARGET',
    reason,
    evidence: flowEvidence(v, { sources: w.distinct.size, topSources: sample(w.distinct, 10), windowBytes: w.bytes }),
    thresholds: { ...thresholds, windowMinutes: ctx.params.windowMinutes as number },
    additionalInfo: { vectorType: vector },
    origins: [...w.origins],
  });
}
