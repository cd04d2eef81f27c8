/** Event-time window per key: anchored at its first record, reset when a record falls `windowMs` after the anchor. */
import type { RecordOrigin } from '../../ingest/types.js';
import type { KeyedState } from '../keyed.js';

export interface Win {
  start: number;
  last: number;
  /** Records counted. */
  n: number;
  /** Distinct values (ports, addresses …). */
  distinct: Set<string | number>;
  packets: number;
  bytes: number;
  /** Times this window crossed its threshold (0 until it fires). */
  fired: number;
  origins: RecordOrigin[];
  /** Extra distinct values for detectors that track two things (e.g. accepted ports). */
  extra: Set<string | number>;
}

function fresh(t: number): Win {
  return {
    start: t,
    last: t,
    n: 0,
    distinct: new Set(),
    packets: 0,
    bytes: 0,
    fired: 0,
    origins: [],
    extra: new Set(),
  };
}

/** The open window of `key` at event time `t` (a new one when the old one is over). */
export function windowAt(state: KeyedState<Win>, key: string, t: number, windowMs: number): Win {
  const w = state.upsert(key, t, () => fresh(t));
  if (t - w.start >= windowMs) {
    w.start = t;
    w.last = t;
    w.n = 0;
    w.distinct.clear();
    w.extra.clear();
    w.packets = 0;
    w.bytes = 0;
    w.fired = 0;
    w.origins.length = 0;
  } else if (t < w.start) {
    w.start = t; // out-of-order record inside the window
  }
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
