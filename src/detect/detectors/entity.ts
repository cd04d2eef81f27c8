/**
 * Per-instance flow state shared by the flow detectors: one aggregate per entity (instance id, else ENI, else local
 * address) holding the denial-of-service packet gate, the traffic-volume window and a reference to the instance's
 * behaviour profile (which the baseline store persists), so a flow record costs one table lookup for all of them
 * instead of one per detector. Each entity name also gets a small number, so per-(entity, remote) state (pair.ts) is
 * keyed by a number instead of a string built and hashed for every record.
 */

import { intToIpv4, ipv4ToInt } from '../../core/ipv4.js';
import type { RecordOrigin } from '../../ingest/types.js';
import type { IntTable } from '../int-table.js';
import { type Key, type KeyedState, type KeyedStateFactory, registerReviver } from '../keyed.js';
import type { DetectorContext } from '../types.js';
import type { Pair } from './pair.js';
import type { FlowView } from './util.js';

export class FlowEntity {
  last: number;
  /** Entity number for numeric pair keys (-1 until known; numbers are per run, never persisted). */
  idx = -1;
  // Denial of service: outbound packets of the instance in the current window (gate for per-target counts).
  gStart = Number.NEGATIVE_INFINITY;
  gPackets = 0;
  // Traffic volume: outbound bytes in the current window; per-remote totals once it nears the limit.
  vStart = Number.NEGATIVE_INFINITY;
  vBytes = 0;
  vTracked = 0;
  vFired = 0;
  vByRemote: Map<string, number> | undefined;
  vO: RecordOrigin[] | undefined;
  /** The behaviour profile (flow-behavior.ts) as the baseline store holds it; persisted by the store, not here. */
  profile: object | undefined;
  /** IPv4 resolvers of the profile, mirroring its string-keyed record (rebuilt on demand). */
  resolvers: IntTable | undefined;
  /** Remote (protocol, port) first uses of the profile, mirroring its record (rebuilt on demand). */
  ports: IntTable | undefined;

  constructor(t: number) {
    this.last = t;
  }

  toJSON(): Record<string, unknown> {
    return {
      $kind: 'entity',
      gStart: this.gStart,
      gPackets: this.gPackets,
      vStart: this.vStart,
      vBytes: this.vBytes,
      vTracked: this.vTracked,
      vFired: this.vFired,
      vByRemote: this.vByRemote,
      vO: this.vO,
    };
  }

  static from(v: Record<string, unknown>): FlowEntity {
    const e = new FlowEntity(0);
    const num = (x: unknown, fallback: number) => (typeof x === 'number' ? x : fallback);
    // JSON has no infinities: a window that never started comes back as null.
    e.gStart = num(v.gStart, Number.NEGATIVE_INFINITY);
    e.gPackets = num(v.gPackets, 0);
    e.vStart = num(v.vStart, Number.NEGATIVE_INFINITY);
    e.vBytes = num(v.vBytes, 0);
    e.vTracked = num(v.vTracked, 0);
    e.vFired = num(v.vFired, 0);
    e.vByRemote = v.vByRemote instanceof Map ? (v.vByRemote as Map<string, number>) : undefined;
    e.vO = Array.isArray(v.vO) ? (v.vO as RecordOrigin[]) : undefined;
    return e;
  }
}
registerReviver('entity', (v) => FlowEntity.from(v));

/** Numeric pair keys: entity number × 2^32 + remote IPv4 address (exact in a double while the number < 2^21). */
export const TWO_32 = 4294967296;
/** Entity names numbered per engine; later names use string pair keys (memory stays bounded). */
const MAX_NUMBERED = 1 << 20;

export class FlowTables {
  readonly entities: KeyedState<FlowEntity>;
  readonly pairs: KeyedState<Pair>;
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  constructor(shared: KeyedStateFactory) {
    this.entities = shared.named<FlowEntity>('entities');
    this.pairs = shared.named<Pair>('pairs');
    this.pairs.setKeyCodec({
      encode: (k) => `${this.nameOf(Math.floor(k / TWO_32))}|${intToIpv4(k % TWO_32)}`,
      decode: (s) => {
        const bar = s.lastIndexOf('|');
        if (bar < 0) return s;
        const remoteIp = s.slice(bar + 1);
        return this.pairKey(this.idOf(s.slice(0, bar)), s.slice(0, bar), { remoteN: ipv4ToInt(remoteIp), remoteIp });
      },
    });
  }

  nameOf(idx: number): string {
    return this.names[idx]!;
  }

  /** The entity's number (-1 when the numbering is full). */
  idOf(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      if (this.names.length >= MAX_NUMBERED) return -1;
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  /**
   * Key of an (entity, remote) pair: numeric when both are numbered, else `entity|remote` (the remote's text is read
   * only then: a flow view makes it on demand).
   */
  pairKey(idx: number, entity: string, remote: { remoteN: number; remoteIp: string }): Key {
    return idx >= 0 && remote.remoteN >= 0 ? idx * TWO_32 + remote.remoteN : `${entity}|${remote.remoteIp}`;
  }
}

const tablesOf = new WeakMap<KeyedStateFactory, FlowTables>();

/** The engine's shared flow tables (get them once, in a detector's create). */
export function flowTables(ctx: DetectorContext): FlowTables {
  const shared = ctx.shared('vpcflow');
  let t = tablesOf.get(shared);
  if (t === undefined) tablesOf.set(shared, (t = new FlowTables(shared)));
  return t;
}

const newEntity = (t: number) => new FlowEntity(t);
let memoSeq = 0;
let memoTables: FlowTables | undefined;
let memoEntity: FlowEntity | undefined;

/** The entity aggregate of this flow record (looked up once per record, whichever detector asks first). */
export function entityOf(tables: FlowTables, v: FlowView): FlowEntity {
  if (memoSeq === v.seq && memoTables === tables) return memoEntity!;
  const t = v.time;
  const e = tables.entities.upsert(v.entity, t, newEntity);
  if (e.idx < 0) e.idx = tables.idOf(v.entity);
  if (t > e.last) e.last = t;
  memoSeq = v.seq;
  memoTables = tables;
  memoEntity = e;
  return e;
}
