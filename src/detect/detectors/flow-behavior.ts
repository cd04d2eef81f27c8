/**
 * Behaviour baselines on flow logs (first-seen stores, persisted with --state): first use of a remote port,
 * SMTP from a host that never sent mail, unusual traffic volume, DNS to resolvers outside the VPC, DoT and DoH.
 * Each fires only for an instance observed for at least the learning period.
 */
import type { LogRecord } from '../../ingest/types.js';
import type { IntelHit } from '../intel.js';
import type { Baseline } from '../state.js';
import type { Detector, DetectorContext } from '../types.js';
import { type FlowView, flowEvidence, flowOf, flowResource, networkAction, remoteIntel } from './util.js';

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

let memoRecord: LogRecord | undefined;
let memoProfile: FlowProfile | undefined;
let memoFirst: number | undefined;

/**
 * The instance's profile for this record (memoised: several baseline detectors ask about the same record). Its first
 * activity before this record is left in `memoFirst` (no result object per call: this runs for every flow record).
 */
function profileOf(b: Baseline, entity: string, r: LogRecord): FlowProfile {
  if (memoRecord !== r) {
    const t = r.time;
    let prof = b.get<FlowProfile>(NS, entity);
    if (prof === undefined) {
      prof = { first: t, ports: {}, dns: {}, dnsCount: 0 };
      memoFirst = undefined;
      b.put(NS, entity, prof);
    } else {
      memoFirst = prof.first;
      if (t < prof.first) {
        prof.first = t;
        b.put(NS, entity, prof);
      }
    }
    memoRecord = r;
    memoProfile = prof;
  }
  return memoProfile!;
}

/** True when the instance is past its learning period at the record's time (its first activity is recorded). */
function learned(b: Baseline, entity: string, r: LogRecord, hours: number): boolean {
  profileOf(b, entity, r);
  const first = memoFirst;
  return first !== undefined && r.time - first >= hours * 3_600_000;
}

/** Since when the instance has been observed (for explanations; call after `learned`). */
function observedSince(r: LogRecord): number {
  return memoFirst === undefined ? r.time : Math.min(memoFirst, r.time);
}

function isNew(prev: number | undefined, t: number): boolean {
  return prev === undefined || prev > t;
}

/** The local side opened the connection (client uses the higher, ephemeral port). */
function localClient(v: FlowView): boolean {
  return v.direction === 'OUTBOUND' && v.dst === v.remoteIp && v.localPort > v.remotePort;
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
    return {
      onRecord(r) {
        const v = flowOf(r, ctx.net);
        if (!v.ok || v.nonInstance || Number.isNaN(r.time)) return;
        const ok = learned(ctx.baseline, v.entity, r, hours);
        if (!v.accepted || !localClient(v)) return;
        const prof = profileOf(ctx.baseline, v.entity, r);
        const portKey = v.proto * 65536 + v.remotePort;
        const prev = prof.ports[portKey];
        if (prev === undefined || r.time < prev) {
          prof.ports[portKey] = r.time;
          ctx.baseline.put(NS, v.entity, prof);
        }
        if (!isNew(prev, r.time) || !ok) return;
        const spam = v.proto === 6 && MAIL_PORTS.has(v.remotePort);
        emitBehavior(
          ctx,
          v,
          r,
          spam ? 'Backdoor:EC2/Spambot' : 'Behavior:EC2/NetworkPortUnusual',
          `${v.entity}|${spam ? 'smtp' : v.remotePort}`,
          spam
            ? `${v.entity} is sending mail (port ${v.remotePort}) for the first time`
            : `${v.entity} is communicating on unusual port ${v.remotePort}`,
          `first outbound ${v.proto === 6 ? 'TCP' : v.proto === 17 ? 'UDP' : `protocol ${v.proto}`} connection to remote port ${v.remotePort} by ${v.entity} (observed since ${new Date(observedSince(r)).toISOString()})`,
          hours,
        );
      },
    };
  },
};

function emitBehavior(
  ctx: DetectorContext,
  v: FlowView,
  r: import('../../ingest/types.js').LogRecord,
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
    time: r.time,
    title,
    description: `${title}: ${v.localIp} → ${v.remoteIp}:${v.remotePort}.`,
    resource: flowResource(v, r),
    action: networkAction(v, ctx.geo),
    resourceRole: 'ACTOR',
    reason,
    evidence: flowEvidence(v),
    thresholds: { learningPeriodHours: hours },
    origins: [r.origin],
  });
}

interface VolumeProfile {
  windows: number;
  max: number;
}

/** Outbound bytes of one instance in the current window; per-remote totals only once the window nears the limit. */
interface VolumeWindow {
  start: number;
  last: number;
  bytes: number;
  /** Bytes counted per remote (since the window reached half the limit). */
  tracked: number;
  fired: number;
  byRemote: Map<string, number> | undefined;
  origins: import('../../ingest/types.js').RecordOrigin[] | undefined;
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
  create(ctx) {
    const state = ctx.windows.create<VolumeWindow>('volume');
    const windowMs = (ctx.params.windowMinutes as number) * 60_000;
    const factor = ctx.params.factor as number;
    const minBytes = ctx.params.minBytes as number;
    const minWin = ctx.params.minHistoryWindows as number;
    const hours = ctx.params.learningPeriodHours as number;
    const init = (t: number): VolumeWindow => ({
      start: t,
      last: t,
      bytes: 0,
      tracked: 0,
      fired: 0,
      byRemote: undefined,
      origins: undefined,
    });
    return {
      onRecord(r) {
        const v = flowOf(r, ctx.net);
        if (!v.ok || v.nonInstance || v.direction !== 'OUTBOUND' || v.src !== v.localIp || Number.isNaN(r.time)) return;
        const t = r.time;
        const w = state.upsert(v.entity, t, init);
        const fp = profileOf(ctx.baseline, v.entity, r);
        let prof = fp.vol;
        if (t - w.start >= windowMs) {
          if (w.bytes > 0) {
            // The old window is complete: it joins the profile.
            // Updated in place: one small object per instance, not one per completed window.
            if (prof === undefined) fp.vol = prof = { windows: 1, max: w.bytes };
            else {
              prof.windows++;
              if (w.bytes > prof.max) prof.max = w.bytes;
            }
            ctx.baseline.put(NS, v.entity, fp);
          }
          w.start = t;
          w.bytes = 0;
          w.tracked = 0;
          w.fired = 0;
          w.byRemote = undefined;
          w.origins = undefined;
        } else if (t < w.start) w.start = t;
        if (t > w.last) w.last = t;
        w.bytes += v.bytes;
        if (prof === undefined || w.fired !== 0 || prof.windows < minWin) return;
        const limit = Math.max(prof.max * factor, minBytes);
        if (w.bytes * 2 < limit) return;
        if (w.byRemote === undefined) w.byRemote = new Map();
        const toRemote = (w.byRemote.get(v.remoteIp) ?? 0) + v.bytes;
        w.byRemote.set(v.remoteIp, toRemote);
        w.tracked += v.bytes;
        if (w.origins === undefined) w.origins = [];
        if (w.origins.length < 20) w.origins.push(r.origin);
        if (w.bytes <= limit || toRemote * 2 < w.tracked) return;
        if (!learned(ctx.baseline, v.entity, r, hours)) return;
        w.fired = 1;
        ctx.emit({
          type: 'Behavior:EC2/TrafficVolumeUnusual',
          severity: 5,
          key: `${v.entity}|${v.remoteIp}`,
          time: w.start,
          lastTime: t,
          title: `${v.entity} is sending an unusually large amount of data to ${v.remoteIp}`,
          description: `${w.bytes} bytes out within ${ctx.params.windowMinutes} minutes, mostly to ${v.remoteIp}; the largest earlier window was ${prof.max} bytes.`,
          resource: flowResource(v, r),
          action: networkAction(v, ctx.geo),
          resourceRole: 'ACTOR',
          reason: `${w.bytes} bytes > max(${factor} × ${prof.max}, ${minBytes}) over ${prof.windows} earlier windows; ${v.remoteIp} received ${toRemote} of the ${w.tracked} bytes counted per remote`,
          evidence: flowEvidence(v, {
            windowBytes: w.bytes,
            toRemoteBytes: toRemote,
            historicalMax: prof.max,
            historyWindows: prof.windows,
          }),
          thresholds: { factor, minBytes, minHistoryWindows: minWin, windowMinutes: ctx.params.windowMinutes! },
          origins: [...w.origins],
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
  create(ctx) {
    const hours = ctx.params.learningPeriodHours as number;
    return {
      onRecord(r) {
        const v = flowOf(r, ctx.net);
        if (!v.ok || v.nonInstance || !v.accepted || Number.isNaN(r.time) || !localClient(v)) return;
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
        const prof = profileOf(ctx.baseline, v.entity, r);
        const dnsKey = `${DNS_PREFIX[kind]}${v.remoteIp}`;
        const prev = prof.dns[dnsKey];
        if (prev === undefined) {
          if (prof.dnsCount >= MAX_RESOLVERS) return; // saturated: see FlowProfile
          prof.dnsCount++;
        }
        if (prev === undefined || r.time < prev) {
          prof.dns[dnsKey] = r.time;
          ctx.baseline.put(NS, v.entity, prof);
        }
        const ok = learned(ctx.baseline, v.entity, r, hours);
        if (!isNew(prev, r.time) || !ok) return;
        const what =
          kind === 0
            ? `DNS (port 53) to resolver ${v.remoteIp} outside the VPC`
            : kind === 1
              ? `DNS over TLS (TCP 853) to ${v.remoteIp}`
              : `HTTPS to ${v.remoteIp}, a DNS-over-HTTPS resolver (${doh!.list})`;
        emitBehavior(
          ctx,
          v,
          r,
          type,
          `${v.entity}|${v.remoteIp}`,
          `${v.entity} is using ${what.split(' to ')[0]} to ${v.remoteIp}`,
          `first ${what} by ${v.entity} (observed since ${new Date(observedSince(r)).toISOString()})`,
          hours,
        );
      },
    };
  },
};
