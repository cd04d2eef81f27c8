/**
 * Bounded per-entity state for windowed detectors.
 *
 * Two generations approximate LRU in O(1): keys live in `cur` (recently used) or `prev`; a hit in `prev` moves the
 * key to `cur`; when `cur` holds half the budget, `prev` is dropped and `cur` becomes `prev`. So at most `maxKeys`
 * keys are held, the dropped ones are the least recently used, and nothing ever scans a Map from the front (V8 Maps
 * keep deleted slots until they rehash: a "pop oldest" loop over a churning Map degrades to quadratic time).
 * TTL expiry (event time) ages the current generation once it is older than the TTL and drops a generation once its
 * newest key is older than the watermark minus the TTL; a stale key touched again is reset. Every drop is counted so runs can report lost state.
 */

/**
 * Rebuilders of class instances kept in windows (Win, Pair), by the `$kind` their toJSON writes; registered by their
 * modules (no import cycle).
 */
const revivers = new Map<string, (v: Record<string, unknown>) => unknown>();
export function registerReviver(kind: string, fn: (v: Record<string, unknown>) => unknown): void {
  revivers.set(kind, fn);
}

export interface EvictionStats {
  /** Keys dropped because the table was full (state lost while possibly still relevant). */
  lru: number;
  /** Keys dropped because their last event is older than the watermark minus the TTL (normal expiry). */
  ttl: number;
  /** Largest number of live keys at once. */
  peak: number;
}

/** Values carry their own last-use time (no wrapper object per key: fewer allocations on hot paths). */
export interface Timed {
  last: number;
}

/**
 * Numeric keys for hot tables (no string building and hashing per record); persisted windows still name them with
 * strings, so a table with numeric keys converts them on snapshot and back on restore.
 */
export interface KeyCodec {
  encode(key: number): string;
  decode(key: string): string | number;
}

export type Key = string | number;

export class KeyedState<V extends Timed> {
  private cur = new Map<Key, V>();
  private prev = new Map<Key, V>();
  private codec: KeyCodec | undefined;
  private upgrade: ((value: unknown) => V | undefined) | undefined;
  private curMax = Number.NEGATIVE_INFINITY;
  /** Event time when the current generation received its first key. */
  private curStart = Number.POSITIVE_INFINITY;
  private prevMax = Number.NEGATIVE_INFINITY;
  private limit = Number.NEGATIVE_INFINITY;
  private readonly half: number;
  readonly stats: EvictionStats = { lru: 0, ttl: 0, peak: 0 };

  constructor(
    readonly name: string,
    maxKeys: number,
    private readonly ttlMs: number,
  ) {
    this.half = Math.max(1, Math.floor(maxKeys / 2));
  }

  get size(): number {
    return this.cur.size + this.prev.size;
  }

  /**
   * The value for `key`, creating it with `init(time)` when absent (or idle past the TTL); the caller keeps its
   * `last` field current (most values are windows that set it on every record).
   */
  upsert(key: Key, time: number, init: (time: number) => V): V {
    let slot = this.cur.get(key);
    if (slot === undefined) {
      slot = this.prev.get(key);
      if (slot !== undefined) {
        this.prev.delete(key);
        this.place(key, slot);
      }
    }
    if (slot !== undefined && slot.last < this.limit && time >= this.limit) {
      // Idle past the TTL: the old state is stale, start over.
      this.stats.ttl++;
      slot = init(time);
      this.cur.set(key, slot);
    }
    if (slot === undefined) {
      slot = init(time);
      this.place(key, slot);
      const size = this.cur.size + this.prev.size;
      if (size > this.stats.peak) this.stats.peak = size;
    } else if (time > slot.last) slot.last = time;
    if (time > this.curMax) this.curMax = time;
    return slot;
  }

  private place(key: Key, slot: V): void {
    if (this.cur.size >= this.half) this.rotate(false);
    if (this.cur.size === 0 || slot.last < this.curStart) this.curStart = slot.last;
    this.cur.set(key, slot);
    if (slot.last > this.curMax) this.curMax = slot.last;
  }

  /**
   * Drop the previous generation. When the table is full (`aging` false) a dropped key that was not yet idle past the
   * TTL is a memory-bound (LRU) eviction; when aging, every dropped key is an idleness (TTL) drop: untouched for a
   * whole generation, not lost for want of room.
   */
  private rotate(aging: boolean): void {
    for (const s of this.prev.values()) {
      if (aging || s.last < this.limit) this.stats.ttl++;
      else this.stats.lru++;
    }
    this.prev = this.cur;
    this.prevMax = this.curMax;
    this.cur = new Map();
    this.curMax = Number.NEGATIVE_INFINITY;
    this.curStart = Number.POSITIVE_INFINITY;
  }

  get(key: Key): V | undefined {
    return this.cur.get(key) ?? this.prev.get(key);
  }

  /** Turns a restored value into the table's current value type (undefined drops it). */
  setUpgrade(upgrade: (value: unknown) => V | undefined): void {
    this.upgrade = upgrade;
  }

  /** How numeric keys are written to and read from persisted windows. */
  setKeyCodec(codec: KeyCodec): void {
    this.codec = codec;
  }

  delete(key: Key): void {
    this.cur.delete(key);
    this.prev.delete(key);
  }

  /** Drop generations whose newest key is older than `watermark - ttl`; later touches reset stale keys. */
  expire(watermark: number): void {
    const limit = watermark - this.ttlMs;
    if (limit <= this.limit) return;
    this.limit = limit;
    if (this.prev.size > 0 && this.prevMax < limit) {
      this.stats.ttl += this.prev.size;
      this.prev = new Map();
      this.prevMax = Number.NEGATIVE_INFINITY;
    }
    if (this.cur.size > 0 && this.curMax < limit) {
      this.stats.ttl += this.cur.size;
      this.cur = new Map();
      this.curMax = Number.NEGATIVE_INFINITY;
      this.curStart = Number.POSITIVE_INFINITY;
    } else if (this.cur.size > 0 && this.curStart < limit) {
      // The current generation is older than the TTL: age it. Keys touched since move back to the new generation;
      // the others are dropped at the next aging, so state lives between one and two TTLs after its last use
      // (keeps the live set small, which matters more to the garbage collector than the key budget).
      this.rotate(true);
    }
  }

  *entries(): IterableIterator<[Key, V]> {
    yield* this.prev.entries();
    yield* this.cur.entries();
  }

  /** JSON-safe copy (Sets and Maps tagged) for persisting open windows between runs. */
  snapshot(): [string, unknown, number][] {
    const out: [string, unknown, number][] = [];
    for (const [k, s] of this.entries()) {
      if (s.last < this.limit) continue;
      out.push([typeof k === 'number' ? this.codec!.encode(k) : k, toJsonSafe(s), s.last]);
    }
    return out;
  }

  restore(rows: [string, unknown, number][]): void {
    for (const [k, v, last] of rows) {
      const revived = fromJsonSafe(v);
      // A value persisted by an earlier version in another shape is upgraded (or dropped) by the table's owner.
      const value = (this.upgrade ? this.upgrade(revived) : revived) as V | undefined;
      if (value === undefined) continue;
      value.last = last;
      this.place(this.codec ? this.codec.decode(k) : k, value);
    }
  }
}

/** Creates named keyed states and keeps them for reporting. */
export class KeyedStateFactory {
  readonly all: KeyedState<Timed>[] = [];

  constructor(
    private readonly maxKeys: number,
    private readonly defaultTtlMs: number,
    private readonly prefix = '',
  ) {}

  /** The state named `name`, created on first request (states shared by several detectors). */
  named<V extends Timed>(name: string): KeyedState<V> {
    const full = this.prefix ? `${this.prefix}.${name}` : name;
    const found = this.all.find((s) => s.name === full);
    return (found as unknown as KeyedState<V> | undefined) ?? this.create<V>(name);
  }

  /** A state named `<prefix>.<name>` (names must be unique per factory: they key persisted windows). */
  create<V extends Timed>(name: string, ttlMs = this.defaultTtlMs, maxKeys = this.maxKeys): KeyedState<V> {
    const s = new KeyedState<V>(this.prefix ? `${this.prefix}.${name}` : name, maxKeys, ttlMs);
    this.all.push(s as unknown as KeyedState<Timed>);
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
  if (v && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function' && !(v instanceof Date)) {
    return { $obj: toJsonSafe({ ...(v as { toJSON(): object }).toJSON() }) };
  }
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
    if (o.$obj && typeof o.$obj === 'object') {
      const inner = fromJsonSafe(o.$obj) as Record<string, unknown>;
      const fn = revivers.get(String(inner.$kind));
      return fn ? fn(inner) : inner;
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = fromJsonSafe(x);
    return out;
  }
  return v;
}
