/**
 * Bounded per-entity state for windowed detectors.
 *
 * A Map keeps keys in recency order (touching a key re-inserts it), so the least recently used key is the first one
 * iterated: LRU eviction when the table is full and TTL expiry (event time) both pop from the front without scanning
 * the whole table. Every eviction is counted so a run can report that memory bounds cut state short.
 */

export interface EvictionStats {
  /** Keys dropped because the table was full (state lost while possibly still relevant). */
  lru: number;
  /** Keys dropped because their last event is older than the watermark minus the TTL (normal expiry). */
  ttl: number;
  /** Largest number of live keys at once. */
  peak: number;
}

interface Slot<V> {
  value: V;
  last: number;
}

export class KeyedState<V> {
  private readonly map = new Map<string, Slot<V>>();
  readonly stats: EvictionStats = { lru: 0, ttl: 0, peak: 0 };

  constructor(
    readonly name: string,
    private readonly maxKeys: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The value for `key`, creating it with `init` when absent; marks the key used at event time `time`. */
  upsert(key: string, time: number, init: () => V): V {
    const map = this.map;
    let slot = map.get(key);
    if (slot !== undefined) {
      map.delete(key);
      if (time > slot.last) slot.last = time;
    } else {
      if (map.size >= this.maxKeys) this.evictOldest();
      slot = { value: init(), last: time };
    }
    map.set(key, slot);
    if (map.size > this.stats.peak) this.stats.peak = map.size;
    return slot.value;
  }

  get(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Drop keys whose last event is older than `watermark - ttl`. Stops at the first fresh key (recency order). */
  expire(watermark: number, onExpire?: (key: string, value: V) => void): void {
    const limit = watermark - this.ttlMs;
    for (const [key, slot] of this.map) {
      if (slot.last >= limit) break;
      this.map.delete(key);
      this.stats.ttl++;
      onExpire?.(key, slot.value);
    }
  }

  entries(): IterableIterator<[string, Slot<V>]> {
    return this.map.entries();
  }

  /** JSON-safe copy (Sets and Maps tagged) for persisting open windows between runs. */
  snapshot(): [string, unknown, number][] {
    const out: [string, unknown, number][] = [];
    for (const [k, s] of this.map) out.push([k, toJsonSafe(s.value), s.last]);
    return out;
  }

  restore(rows: [string, unknown, number][]): void {
    for (const [k, v, last] of rows) this.map.set(k, { value: fromJsonSafe(v) as V, last });
  }

  private evictOldest(): void {
    const first = this.map.keys().next();
    if (!first.done) {
      this.map.delete(first.value);
      this.stats.lru++;
    }
  }
}

/** Creates named keyed states and keeps them for reporting. */
export class KeyedStateFactory {
  readonly all: KeyedState<unknown>[] = [];

  constructor(
    private readonly maxKeys: number,
    private readonly defaultTtlMs: number,
    private readonly prefix = '',
  ) {}

  /** A state named `<prefix>.<name>` (names must be unique per factory: they key persisted windows). */
  create<V>(name: string, ttlMs = this.defaultTtlMs, maxKeys = this.maxKeys): KeyedState<V> {
    const s = new KeyedState<V>(this.prefix ? `${this.prefix}.${name}` : name, maxKeys, ttlMs);
    this.all.push(s as KeyedState<unknown>);
    return s;
  }

  snapshot(): Record<string, [string, unknown, number][]> {
    const out: Record<string, [string, unknown, number][]> = {};
    for (const s of this.all) if (s.size > 0) out[s.name] = s.snapshot();
    return out;
  }

  restore(snap: Record<string, [string, unknown, number][]>): void {
    for (const s of this.all) {
      const rows = snap[s.name];
      if (rows) s.restore(rows);
    }
  }

  expireAll(watermark: number): void {
    for (const s of this.all) s.expire(watermark);
  }

  totals(): EvictionStats & { states: Record<string, EvictionStats & { size: number }> } {
    const states: Record<string, EvictionStats & { size: number }> = {};
    let lru = 0;
    let ttl = 0;
    let peak = 0;
    for (const s of this.all) {
      states[s.name] = { ...s.stats, size: s.size };
      lru += s.stats.lru;
      ttl += s.stats.ttl;
      peak += s.stats.peak;
    }
    return { lru, ttl, peak, states };
  }
}

function toJsonSafe(v: unknown): unknown {
  if (v instanceof Set) return { $set: [...v].map(toJsonSafe) };
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [k, toJsonSafe(x)]) };
  if (Array.isArray(v)) return v.map(toJsonSafe);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJsonSafe(x);
    return o;
  }
  return v;
}

function fromJsonSafe(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromJsonSafe);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.$set)) return new Set(o.$set.map(fromJsonSafe));
    if (Array.isArray(o.$map)) return new Map((o.$map as [unknown, unknown][]).map(([k, x]) => [k, fromJsonSafe(x)]));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = fromJsonSafe(x);
    return out;
  }
  return v;
}
