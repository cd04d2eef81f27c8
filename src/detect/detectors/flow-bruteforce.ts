/**
 * Brute force over SSH, RDP and WinRM from flow logs: many short connections from one source to one target port.
 * Our instance as the target → Low (resourceRole TARGET); as the attacker → High (ACTOR).
 */
import { intToIpv4, ipv4ToInt } from '../../core/ipv4.js';
import type { Key, KeyCodec } from '../keyed.js';
import type { Detector, MitreRef } from '../types.js';
import { entityOf, type FlowTables, flowTables, TWO_32 } from './entity.js';
import { keep } from './pair.js';
import { flowEvidence, flowResource, networkAction } from './util.js';

/** Attempts of one source against one service of one instance in the current window. */
interface Attempts {
  start: number;
  last: number;
  n: number;
  accepted: boolean;
  fired: number;
  o: import('../../ingest/types.js').RecordOrigin[] | undefined;
}

const newAttempts = (t: number): Attempts => ({ start: t, last: t, n: 0, accepted: false, fired: 0, o: undefined });

const SERVICES: { ports: number[]; type: string; name: string; index: number }[] = [
  { ports: [22], type: 'UnauthorizedAccess:EC2/SSHBruteForce', name: 'SSH', index: 0 },
  { ports: [3389], type: 'UnauthorizedAccess:EC2/RDPBruteForce', name: 'RDP', index: 1 },
  { ports: [5985, 5986], type: 'Impact:EC2/WinRMBruteForce', name: 'WinRM', index: 2 },
];
const ROLES = ['TARGET', 'ACTOR'] as const;

/**
 * Windows are keyed by a number: (entity number × 2^32 + remote IPv4) × 8 + service × 2 + role, exact in a double
 * while the entity number is below 2^18; otherwise (or for IPv6) by `entity|remote|service|role`, which is also how
 * persisted windows name them.
 */
const NUMERIC_ENTITIES = 1 << 18;

function attemptKey(idx: number, entity: string, remote: { remoteN: number; remoteIp: string }, code: number): Key {
  if (idx >= 0 && idx < NUMERIC_ENTITIES && remote.remoteN >= 0) return (idx * TWO_32 + remote.remoteN) * 8 + code;
  return `${entity}|${remote.remoteIp}|${SERVICES[code >> 1]!.name}|${ROLES[code & 1]}`;
}

function attemptCodec(tables: FlowTables): KeyCodec {
  return {
    encode(k) {
      const code = k % 8;
      const pair = (k - code) / 8;
      const name = tables.nameOf(Math.floor(pair / TWO_32));
      return `${name}|${intToIpv4(pair % TWO_32)}|${SERVICES[code >> 1]!.name}|${ROLES[code & 1]}`;
    },
    decode(s) {
      const parts = s.split('|');
      if (parts.length !== 4) return s;
      const svc = SERVICES.find((x) => x.name === parts[2]);
      const role = ROLES.indexOf(parts[3] as (typeof ROLES)[number]);
      if (!svc || role < 0) return s;
      const remoteIp = parts[1]!;
      return attemptKey(
        tables.idOf(parts[0]!),
        parts[0]!,
        { remoteN: ipv4ToInt(remoteIp), remoteIp },
        svc.index * 2 + role,
      );
    },
  };
}
/** Service index + 1 by destination port (0: no service): one typed-array read for every TCP flow record. */
const BY_PORT = new Uint8Array(65536);
for (const s of SERVICES) for (const p of s.ports) BY_PORT[p] = s.index + 1;

const MITRE: MitreRef = { tactic: 'Credential Access', technique: 'T1110', name: 'Brute Force' };

export const bruteForce: Detector = {
  meta: {
    id: 'ec2-brute-force',
    title: 'SSH / RDP / WinRM brute force',
    dataSources: ['vpcflow'],
    kind: 'windowed',
    trigger:
      'At least minAttempts TCP connection records from one source to one target on port 22 (SSH), 3389 (RDP) or 5985/5986 (WinRM) within windowMinutes, each with at most maxPacketsPerAttempt packets (failed logins are short).',
    params: {
      windowMinutes: { default: 10, description: 'event-time window' },
      minAttempts: { default: 20, description: 'connection records from one source to one target port' },
      maxPacketsPerAttempt: { default: 60, description: 'longer connections are sessions, not guesses' },
    },
    findings: SERVICES.map((s) => ({
      type: s.type,
      severity: 2,
      severityNote: 'Low when the instance is the target, High (8) when it is the actor',
      mitre: MITRE,
    })),
  },
  flowDirections: ['INBOUND', 'OUTBOUND'],
  create(ctx) {
    const state = ctx.windows.create<Attempts>('attempts');
    const tables = flowTables(ctx);
    state.setKeyCodec(attemptCodec(tables));
    const windowMs = (ctx.params.windowMinutes as number) * 60_000;
    const min = ctx.params.minAttempts as number;
    const maxPk = ctx.params.maxPacketsPerAttempt as number;
    return {
      onFlow(v) {
        if (v.nonInstance || v.proto !== 6 || Number.isNaN(v.time)) return;
        const svcIndex = BY_PORT[v.dstPort] ?? 0;
        if (svcIndex === 0 || v.packets > maxPk) return;
        const svc = SERVICES[svcIndex - 1]!;
        // The request direction only: the destination is the service side.
        let role: 'TARGET' | 'ACTOR';
        if (v.direction === 'INBOUND') role = 'TARGET';
        else if (v.direction === 'OUTBOUND') role = 'ACTOR';
        else return;
        const t = v.time;
        const code = svc.index * 2 + (role === 'TARGET' ? 0 : 1);
        const e = entityOf(tables, v);
        const w = state.upsert(attemptKey(e.idx, v.entity, v, code), t, newAttempts);
        if (t - w.start >= windowMs) {
          w.start = t;
          w.n = 0;
          w.accepted = false;
          w.fired = 0;
          w.o = undefined;
        } else if (t < w.start) w.start = t;
        if (t > w.last) w.last = t;
        w.n++;
        if (v.accepted) w.accepted = true;
        w.o = keep(w.o, v.origin);
        if (w.n < min) return;
        if (w.fired === 0) {
          w.fired = 1;
          const target = role === 'TARGET';
          ctx.emit({
            type: svc.type,
            severity: target ? 2 : 8,
            key: `${v.entity}|${v.remoteIp}|${svc.name}|${role}`,
            time: w.start,
            lastTime: w.last,
            count: 1,
            title: target
              ? `${v.remoteIp} is performing ${svc.name} brute force attacks against ${v.entity}`
              : `${v.entity} is performing ${svc.name} brute force attacks against ${v.remoteIp}`,
            description: `${w.n} short ${svc.name} connections (port ${v.dstPort}) from ${target ? v.remoteIp : v.localIp} to ${target ? v.localIp : v.remoteIp} within ${ctx.params.windowMinutes} minutes.`,
            resource: flowResource(v),
            action: networkAction(v, ctx.geo),
            resourceRole: role,
            reason: `${w.n} connection records to port ${v.dstPort} with ≤ ${maxPk} packets each ≥ minAttempts ${min} within ${ctx.params.windowMinutes} min; instance is the ${role.toLowerCase()}`,
            evidence: flowEvidence(v, { attempts: w.n, anyAccepted: w.accepted }),
            thresholds: { minAttempts: min, windowMinutes: ctx.params.windowMinutes!, maxPacketsPerAttempt: maxPk },
            origins: [...(w.o ?? [])],
          });
        }
      },
    };
  },
};
