/**
 * Behaviour baselines on flow logs (first-seen stores, persisted with --state): first use of a remote port,
 * SMTP from a host that never sent mail, unusual traffic volume, DNS to resolvers outside the VPC, DoT and DoH.
 * Each fires only for an instance observed for at least the learning period.
 */

import { ipv4ToInt } from '../../core/ipv4.js';
import { IntTable } from '../int-table.js';
import type { IntelHit } from '../intel.js';
import type { Baseline } from '../state.js';
import type { Detector, DetectorContext } from '../types.js';
import { entityOf, type FlowTables, flowTables } from './entity.js';
import { type FlowView, flowEvidence, flowResource, networkAction, remoteIntel } from './util.js';

const LEARNING = {
  default: 168,
  description: 'hours an instance must have been observed (first flow) before deviations are reported',
};

/**
 * Everything the flow baselines remember about one instance, in one object (one lookup per record): first activity,
 * first use of each remote (protocol, port), of each DNS resolver / DoT / DoH server, and its traffic-volume profile.
 * Resolver sets are capped: an instance that talks to more than MAX_RESOLVERS distinct resolvers is a DNS server or
 * scanner, not a host with "a" resolver, and its set stops growing (so memory stays bounded).
 */
interface FlowProfile {
  first: number;
  ports: Record<number, number>;
  dns: Record<string, number>;
  dnsCount: number;
  vol?: VolumeProfile;
}

const MAX_RESOLVERS = 64;
const NS = 'flow-profile';

let memoSeq = 0;
let memoTables: FlowTables | undefined;
let memoProfile: FlowProfile | undefined;
/** First activity before the memoised record (NaN: none). A field always holding a number is stored in place; a
 * module variable would box a new heap number for every record. */
const memoFirst = { t: Number.NaN };

/**
 * The instance's profile for this record (memoised: several baseline detectors ask about the same record; the entity
 * aggregate keeps the store's object between records). Its first activity before this record is left in `memoFirst.t`
 * (no result object per call: this runs for every flow record).
 */
function profileOf(b: Baseline, tables: FlowTables, v: FlowView): FlowProfile {
  if (memoSeq !== v.seq || memoTables !== tables) {
    const t = v.time;
    const e = entityOf(tables, v);
    let prof = e.profile as FlowProfile | undefined;
    if (prof === undefined) {
      prof = b.get<FlowProfile>(NS, v.entity);
      e.resolvers = undefined;
      e.ports = undefined;
    }
    if (prof === undefined) {
      prof = { first: t, ports: {}, dns: {}, dnsCount: 0 };
      memoFirst.t = Number.NaN;
      b.put(NS, v.entity, prof);
    } else {
      memoFirst.t = prof.first;
      if (t < prof.first) {
        prof.first = t;
        b.put(NS, v.entity, prof);
      }
    }
    e.profile = prof;
    memoSeq = v.seq;
    memoTables = tables;
    memoProfile = prof;
  }
  return memoProfile!;
}

/** True when the instance is past its learning period at the record's time (its first activity is recorded). */
function learned(b: Baseline, tables: FlowTables, v: FlowView, hours: number): boolean {
  profileOf(b, tables, v);
  return v.time - memoFirst.t >= hours * 3_600_000; // false when NaN (no earlier activity)
}

/** Since when the instance has been observed (for explanations; call after `learned`). */
function observedSince(v: FlowView): number {
  return Number.isNaN(memoFirst.t) ? v.time : Math.min(memoFirst.t, v.time);
}

function isNew(prev: number | undefined, t: number): boolean {
  return prev === undefined || prev > t;
}

/** The local side opened the connection (client uses the higher, ephemeral port). */
function localClient(v: FlowView): boolean {
  return v.direction === 'OUTBOUND' && v.localPort > v.remotePort;
}

const MAIL_PORTS = new Set([25, 465, 587]);

export const networkPortUnusual: Detector = {
  meta: {
    id: 'ec2-network-port-unusual',
    title: 'Outbound connection on a port the instance never used / SMTP spam',
    dataSources: ['vpcflow'],
    kind: 'baseline',
    trigger:
      'An accepted outbound connection from an instance past its learning period to a remote (protocol, port) it has never used before. SMTP ports (25/465/587) that the instance never used give Backdoor:EC2/Spambot instead.',
    params: { learningPeriodHours: LEARNING },
    needs: ['baseline'],
    findings: [
      {
        type: 'Behavior:EC2/NetworkPortUnusual',
        severity: 5,
        mitre: { tactic: 'Command and Control', technique: 'T1571', name: 'Non-Standard Port' },
      },
      {
        type: 'Backdoor:EC2/Spambot',
        severity: 5,
        mitre: { tactic: 'Impact', technique: 'T1496', name: 'Resource Hijacking' },
      },
    ],
  },
  create(ctx) {
    const hours = ctx.params.learningPeriodHours as number;
    const tables = flowTables(ctx);
    return {
      onFlow(v) {
        if (v.nonInstance || Number.isNaN(v.time)) return;
        const ok = learned(ctx.baseline, tables, v, hours);
        if (!v.accepted || !localClient(v)) return;
        const prof = profileOf(ctx.baseline, tables, v);
        const portKey = v.proto * 65536 + v.remotePort;
        // Looked up in the entity's IntTable mirror of prof.ports (a sparse numeric-keyed object is a slow dictionary).
        const e = entityOf(tables, v);
        if (e.ports === undefined) e.ports = portIndex(prof);
        const prev = e.ports.get(0, portKey);
        if (prev === undefined || v.time < prev) {
          prof.ports[portKey] = v.time;
          e.ports.set(0, portKey, v.time);
          ctx.baseline.put(NS, v.entity, prof);
        }
        if (!isNew(prev, v.time) || !ok) return;
        const spam = v.proto === 6 && MAIL_PORTS.has(v.remotePort);
        emitBehavior(
          ctx,
          v,
          spam ? 'Backdoor:EC2/Spambot' : 'Behavior:EC2/NetworkPortUnusual',
          `${v.entity}|${spam ? 'smtp' : v.remotePort}`,
          spam
            ? `${v.entity} is sending mail (port ${v.remotePort}) for the first time`
            : `${v.entity} is communicating on unusual port ${v.remotePort}`,
          `first outbound ${v.proto === 6 ? 'TCP' : v.proto === 17 ? 'UDP' : `protocol ${v.proto}`} connection to remote port ${v.remotePort} by ${v.entity} (observed since ${new Date(observedSince(v)).toISOString()})`,
          hours,
        );
      },
    };
  },
};

function emitBehavior(
  ctx: DetectorContext,
  v: FlowView,
  type: string,
  key: string,
  title: string,
  reason: string,
  hours: number,
): void {
  ctx.emit({
    type,
    severity: 5,
    key,
    time: v.time,
    title,
    description: `${title}: ${v.localIp} → ${v.remoteIp}:${v.remotePort}.`,
    resource: flowResource(v),
    action: networkAction(v, ctx.geo),
    resourceRole: 'ACTOR',
    reason,
    evidence: flowEvidence(v),
    thresholds: { learningPeriodHours: hours },
    origins: [v.origin],
  });
}

interface VolumeProfile {
  windows: number;
  max: number;
}

export const trafficVolumeUnusual: Detector = {
  meta: {
    id: 'ec2-traffic-volume-unusual',
    title: 'Unusually large traffic to one remote host',
    dataSources: ['vpcflow'],
    kind: 'baseline',
    trigger:
      "An instance's outbound bytes within windowMinutes exceed factor × its largest earlier window (at least minHistoryWindows of history) and minBytes, and one remote host received most of them. Per-remote totals are kept from half the limit on.",
    params: {
      learningPeriodHours: LEARNING,
      windowMinutes: { default: 10, description: 'event-time window for byte totals' },
      factor: { default: 10, description: 'multiple of the largest earlier window' },
      minBytes: { default: 100_000_000, description: 'ignore windows smaller than this' },
      minHistoryWindows: { default: 10, description: 'completed windows needed before judging' },
    },
    needs: ['baseline'],
    findings: [
      {
        type: 'Behavior:EC2/TrafficVolumeUnusual',
        severity: 5,
        mitre: { tactic: 'Exfiltration', technique: 'T1048', name: 'Exfiltration Over Alternative Protocol' },
      },
    ],
  },
  flowDirections: ['OUTBOUND'],
  create(ctx) {
    const tables = flowTables(ctx);
    const windowMs = (ctx.params.windowMinutes as number) * 60_000;
    const factor = ctx.params.factor as number;
    const minBytes = ctx.params.minBytes as number;
    const minWin = ctx.params.minHistoryWindows as number;
    const hours = ctx.params.learningPeriodHours as number;
    return {
      onFlow(v) {
        if (v.nonInstance || v.direction !== 'OUTBOUND' || Number.isNaN(v.time)) return;
        const t = v.time;
        // The window lives in the entity aggregate (entity.ts): vStart, vBytes, vTracked, vFired, vByRemote, vO.
        const w = entityOf(tables, v);
        const fp = profileOf(ctx.baseline, tables, v);
        let prof = fp.vol;
        if (t - w.vStart >= windowMs) {
          if (w.vBytes > 0) {
            // The old window is complete: it joins the profile.
            // Updated in place: one small object per instance, not one per completed window.
            if (prof === undefined) fp.vol = prof = { windows: 1, max: w.vBytes };
            else {
              prof.windows++;
              if (w.vBytes > prof.max) prof.max = w.vBytes;
            }
            ctx.baseline.put(NS, v.entity, fp);
          }
          w.vStart = t;
          w.vBytes = 0;
          w.vTracked = 0;
          w.vFired = 0;
          w.vByRemote = undefined;
          w.vO = undefined;
        } else if (t < w.vStart) w.vStart = t;
        w.vBytes += v.bytes;
        if (prof === undefined || w.vFired !== 0 || prof.windows < minWin) return;
        const limit = Math.max(prof.max * factor, minBytes);
        if (w.vBytes * 2 < limit) return;
        if (w.vByRemote === undefined) w.vByRemote = new Map();
        const toRemote = (w.vByRemote.get(v.remoteIp) ?? 0) + v.bytes;
        w.vByRemote.set(v.remoteIp, toRemote);
        w.vTracked += v.bytes;
        if (w.vO === undefined) w.vO = [];
        if (w.vO.length < 20) w.vO.push(v.origin);
        if (w.vBytes <= limit || toRemote * 2 < w.vTracked) return;
        if (!learned(ctx.baseline, tables, v, hours)) return;
        w.vFired = 1;
        ctx.emit({
          type: 'Behavior:EC2/TrafficVolumeUnusual',
          severity: 5,
          key: `${v.entity}|${v.remoteIp}`,
          time: w.vStart,
          lastTime: t,
          title: `${v.entity} is sending an unusually large amount of data to ${v.remoteIp}`,
          description: `${w.vBytes} bytes out within ${ctx.params.windowMinutes} minutes, mostly to ${v.remoteIp}; the largest earlier window was ${prof.max} bytes.`,
          resource: flowResource(v),
          action: networkAction(v, ctx.geo),
          resourceRole: 'ACTOR',
          reason: `${w.vBytes} bytes > max(${factor} × ${prof.max}, ${minBytes}) over ${prof.windows} earlier windows; ${v.remoteIp} received ${toRemote} of the ${w.vTracked} bytes counted per remote`,
          evidence: flowEvidence(v, {
            windowBytes: w.vBytes,
            toRemoteBytes: toRemote,
            historicalMax: prof.max,
            historyWindows: prof.windows,
          }),
          thresholds: { factor, minBytes, minHistoryWindows: minWin, windowMinutes: ctx.params.windowMinutes! },
          origins: [...w.vO],
        });
      },
    };
  },
};

const DNS_TYPES = [
  'DefenseEvasion:EC2/UnusualDNSResolver',
  'DefenseEvasion:EC2/UnusualDoTActivity',
  'DefenseEvasion:EC2/UnusualDoHActivity',
];
/** Key prefixes of the resolver memory per kind (persisted in the flow profile: keep them stable). */
const DNS_PREFIX = ['dns|', 'dot|', 'doh|'];

/** The profile's remote (protocol, port) first-use times (a per-run mirror of its JSON record). */
function portIndex(prof: FlowProfile): IntTable {
  const out = new IntTable();
  for (const [key, time] of Object.entries(prof.ports)) out.set(0, Number(key), time);
  return out;
}

/**
 * The profile's IPv4 resolvers as (kind, address) → first use (a per-run mirror of its string-keyed record). The
 * lookup runs for every DNS-looking flow and usually misses (an instance that talks to many resolvers saturates its
 * set): see IntTable for why not a Map.
 */
function resolverIndex(prof: FlowProfile): IntTable {
  const out = new IntTable();
  for (const [key, time] of Object.entries(prof.dns)) {
    const kind = DNS_PREFIX.indexOf(key.slice(0, 4));
    const ip = ipv4ToInt(key.slice(4));
    if (kind >= 0 && ip >= 0) out.set(kind, ip, time);
  }
  return out;
}

export const dnsEvasion: Detector = {
  meta: {
    id: 'ec2-unusual-dns-resolver',
    title: 'DNS to an unusual resolver, DNS over TLS or DNS over HTTPS',
    dataSources: ['vpcflow'],
    kind: 'baseline',
    trigger:
      'An accepted outbound request from an instance past its learning period: port 53 to a public resolver it never used (UnusualDNSResolver); TCP 853 to a host it never used (UnusualDoTActivity); TCP 443 to a known DoH resolver (doh list) it never used (UnusualDoHActivity). Each instance remembers at most 64 resolvers: one that talks to more is a DNS server or scanner and gets no further findings.',
    params: { learningPeriodHours: LEARNING },
    needs: ['baseline', 'intel'],
    findings: [
      {
        type: 'DefenseEvasion:EC2/UnusualDNSResolver',
        severity: 5,
        mitre: { tactic: 'Defense Evasion', technique: 'T1071.004', name: 'Application Layer Protocol: DNS' },
      },
      {
        type: 'DefenseEvasion:EC2/UnusualDoHActivity',
        severity: 5,
        mitre: { tactic: 'Defense Evasion', technique: 'T1572', name: 'Protocol Tunneling' },
      },
      {
        type: 'DefenseEvasion:EC2/UnusualDoTActivity',
        severity: 5,
        mitre: { tactic: 'Defense Evasion', technique: 'T1572', name: 'Protocol Tunneling' },
      },
    ],
  },
  flowDirections: ['OUTBOUND'],
  create(ctx) {
    const hours = ctx.params.learningPeriodHours as number;
    const tables = flowTables(ctx);
    return {
      onFlow(v) {
        if (v.nonInstance || !v.accepted || Number.isNaN(v.time) || !localClient(v)) return;
        // Kind 0: resolver, 1: DoT, 2: DoH (explanation text is built only when a finding is emitted).
        let kind: number;
        let doh: IntelHit | undefined;
        if (v.remotePort === 53 && (v.proto === 17 || v.proto === 6)) kind = 0;
        else if (v.remotePort === 853 && v.proto === 6) kind = 1;
        else if (v.remotePort === 443 && v.proto === 6) {
          doh = remoteIntel(v, ctx.intel)?.find((h) => h.category === 'doh');
          if (!doh) return;
          kind = 2;
        } else return;
        const type = DNS_TYPES[kind]!;
        const prof = profileOf(ctx.baseline, tables, v);
        // IPv4 resolvers are looked up by number in the entity's mirror of prof.dns (no key string per record).
        const e = entityOf(tables, v);
        let seen: IntTable | undefined;
        let prev: number | undefined;
        if (v.remoteN >= 0) {
          if (e.resolvers === undefined) e.resolvers = resolverIndex(prof);
          seen = e.resolvers;
          prev = seen.get(kind, v.remoteN);
        } else prev = prof.dns[`${DNS_PREFIX[kind]}${v.remoteIp}`];
        if (prev === undefined) {
          if (prof.dnsCount >= MAX_RESOLVERS) return; // saturated: see FlowProfile
          prof.dnsCount++;
        }
        if (prev === undefined || v.time < prev) {
          prof.dns[`${DNS_PREFIX[kind]}${v.remoteIp}`] = v.time;
          seen?.set(kind, v.remoteN, v.time);
          ctx.baseline.put(NS, v.entity, prof);
        }
        const ok = learned(ctx.baseline, tables, v, hours);
        if (!isNew(prev, v.time) || !ok) return;
        const what =
          kind === 0
            ? `DNS (port 53) to resolver ${v.remoteIp} outside the VPC`
            : kind === 1
              ? `DNS over TLS (TCP 853) to ${v.remoteIp}`
              : `HTTPS to ${v.remoteIp}, a DNS-over-HTTPS resolver (${doh!.list})`;
        emitBehavior(
          ctx,
          v,
          type,
          `${v.entity}|${v.remoteIp}`,
          `${v.entity} is using ${what.split(' to ')[0]} to ${v.remoteIp}`,
          `first ${what} by ${v.entity} (observed since ${new Date(observedSince(v)).toISOString()})`,
          hours,
        );
      },
    };
  },
};
