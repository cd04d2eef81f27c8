/** Event-time window per key: anchored at its first record, reset when a record falls `windowMs` after the anchor. */
import type { RecordOrigin } from '../../ingest/types.js';
import { type Key, type KeyedState, registerReviver } from '../keyed.js';

/** Window state; the sets and the origin list are allocated on first use (most keys see one record). */
export class Win {
  start: number;
  last: number;
  /** Records counted. */
  n = 0;
  packets = 0;
  bytes = 0;
  /** Times this window crossed its threshold (0 until it fires). */
  fired = 0;
  private d: Set<string | number> | undefined;
  private e: Set<string | number> | undefined;
  private o: RecordOrigin[] | undefined;

  constructor(t: number) {
    this.start = t;
    this.last = t;
  }

  /** Distinct values (ports, addresses …). */
  get distinct(): Set<string | number> {
    if (this.d === undefined) this.d = new Set();
    return this.d;
  }

  /** Extra distinct values for detectors that track two things (e.g. accepted ports). */
  get extra(): Set<string | number> {
    if (this.e === undefined) this.e = new Set();
    return this.e;
  }

  get origins(): RecordOrigin[] {
    if (this.o === undefined) this.o = [];
    return this.o;
  }

  reset(t: number): void {
    this.start = t;
    this.last = t;
    this.n = 0;
    this.packets = 0;
    this.bytes = 0;
    this.fired = 0;
    this.d = undefined;
    this.e = undefined;
    this.o = undefined;
  }

  /** Plain-object form for persisted windows. */
  toJSON(): Record<string, unknown> {
    return {
      $kind: 'win',
      start: this.start,
      last: this.last,
      n: this.n,
      packets: this.packets,
      bytes: this.bytes,
      fired: this.fired,
      d: this.d,
      e: this.e,
      o: this.o,
    };
  }

  static from(v: Record<string, unknown>): Win {
    const w = new Win(v.start as number);
    Object.assign(w, {
      last: v.last,
      n: v.n,
      packets: v.packets,
      bytes: v.bytes,
      fired: v.fired,
      d: v.d,
      e: v.e,
      o: v.o,
    });
    return w;
  }
}

const fresh = (t: number) => new Win(t);

/** The open window of `key` at event time `t` (a new one when the old one is over). */
export function windowAt(state: KeyedState<Win>, key: Key, t: number, windowMs: number): Win {
  const w = state.upsert(key, t, fresh);
  if (t - w.start >= windowMs) w.reset(t);
  else if (t < w.start) w.start = t; // out-of-order record inside the window
  if (t > w.last) w.last = t;
  return w;
}

export function addOrigin(w: Win, o: RecordOrigin, max = 20): void {
  if (w.origins.length < max) w.origins.push(o);
}

/** A sample of a set for evidence (sorted, capped). */
export function sample(s: Set<string | number>, max = 25): (string | number)[] {
  const arr = [...s];
  arr.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
  return arr.slice(0, max);
}

registerReviver('win', (v) => Win.from(v));
