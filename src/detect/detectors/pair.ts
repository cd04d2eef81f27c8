/**
 * One aggregate per (instance, remote address) shared by the flow detectors that need per-remote state (port scan,
 * port probe, denial of service): one table lookup per flow record instead of one per detector, and
 * one small object per new remote. Each detector keeps its own window fields inside it. The table is part of the
 * engine's FlowTables (entity.ts), keyed by entity number and IPv4 address. Origins (file:line) are kept from the
 * second record of a window on; the first is a reference to the record's own origin object.
 */
import type { RecordOrigin } from '../../ingest/types.js';
import { registerReviver } from '../keyed.js';
import { entityOf, type FlowTables } from './entity.js';
import type { FlowView } from './util.js';

export class Pair {
  last = 0;
  // Port scan (outbound requests: distinct remote ports).
  sStart = 0;
  sFired = 0;
  sPorts: number | Set<number> = -1;
  sO: RecordOrigin[] | undefined;
  // Port probe (inbound requests: distinct local ports, accepted ones).
  pStart = 0;
  pFired = 0;
  pPorts: number | Set<number> = -1;
  pOpen: Set<number> | undefined;
  pO: RecordOrigin[] | undefined;
  // Denial of service (outbound packets by kind).
  dStart = 0;
  /** Packets by kind: Tcp, Udp, Dns, UdpOnTcpPorts, UnusualProtocol. */
  d0 = 0;
  d1 = 0;
  d2 = 0;
  d3 = 0;
  d4 = 0;
  dBytes = 0;
  dFired = 0;
  dO: RecordOrigin[] | undefined;

  toJSON(): Record<string, unknown> {
    return { $kind: 'pair', ...(this as unknown as Record<string, unknown>) };
  }

  static from(v: Record<string, unknown>): Pair {
    const p = new Pair();
    const { $kind: _k, ...rest } = v;
    Object.assign(p, rest);
    return p;
  }
}
registerReviver('pair', (v) => Pair.from(v));

/** Number of distinct values in a one-or-many holder. */
export function countOf(h: number | Set<number>): number {
  return typeof h === 'number' ? (h < 0 ? 0 : 1) : h.size;
}

/** Add a value to a one-or-many holder (a Set only once there are two different values). */
export function addTo(h: number | Set<number>, v: number): number | Set<number> {
  if (typeof h === 'number') {
    if (h < 0 || h === v) return v;
    return new Set([h, v]);
  }
  h.add(v);
  return h;
}

export function valuesOf(h: number | Set<number>): number[] {
  return typeof h === 'number' ? (h < 0 ? [] : [h]) : [...h].sort((a, b) => a - b);
}

export function keep(list: RecordOrigin[] | undefined, o: RecordOrigin, max = 20): RecordOrigin[] {
  if (list === undefined) return [o];
  if (list.length < max) list.push(o);
  return list;
}

const newPair = (t: number) => {
  const p = new Pair();
  p.last = t;
  return p;
};
let memoSeq = 0;
let memoTables: FlowTables | undefined;
let memoPair: Pair | undefined;

/** The pair aggregate of this flow record (looked up once per record, whichever detector asks first). */
export function pairOf(tables: FlowTables, v: FlowView): Pair {
  if (memoSeq === v.seq && memoTables === tables) return memoPair!;
  const e = entityOf(tables, v);
  const t = v.time;
  const p = tables.pairs.upsert(tables.pairKey(e.idx, v.entity, v), t, newPair);
  if (t > p.last) p.last = t;
  memoSeq = v.seq;
  memoTables = tables;
  memoPair = p;
  return p;
}
