/**
 * State that outlives one run: first-seen baselines and profiles (key → value per namespace), aggregated findings
 * and open windows. In memory by default; SQLite (`--state FILE`) when given a path.
 *
 * SQLite access is batched: reads go through a cache, writes are marked dirty and flushed in one transaction at the
 * end (and every `FLUSH_EVERY` writes), so the hot path never waits on the disk.
 */
import Database from 'better-sqlite3';
import { VigilError } from '../core/errors.js';
import type { Finding } from './types.js';

const SCHEMA_VERSION = '1';
const FLUSH_EVERY = 50_000;

/** Per-namespace key/value memory of what was seen before (first-seen sets, profiles). */
export interface Baseline {
  /**
   * Record that `key` was seen at `time` in namespace `ns`; return the earliest time it had been seen before
   * this call (undefined = never: the value is new).
   */
  seen(ns: string, key: string, time: number): number | undefined;
  /** Read a JSON value. */
  get<T>(ns: string, key: string): T | undefined;
  put(ns: string, key: string, value: unknown): void;
}

export interface StateStore {
  baseline: Baseline;
  loadFindings(): Finding[];
  saveFinding(f: Finding): void;
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** Persist everything pending and release the file. */
  close(): void;
  readonly path: string | undefined;
}

/**
 * Values kept per namespace (no key concatenation on the hot path): numbers for first-seen times, objects for
 * profiles (kept parsed; serialised only when written to SQLite).
 */
class MemoryBaseline implements Baseline {
  protected readonly spaces = new Map<string, Map<string, unknown>>();
  protected readonly dirty = new Map<string, Set<string>>();
  protected dirtyCount = 0;

  protected load(_ns: string, _key: string): unknown {
    return undefined;
  }

  protected space(ns: string): Map<string, unknown> {
    let m = this.spaces.get(ns);
    if (m === undefined) {
      m = new Map();
      this.spaces.set(ns, m);
    }
    return m;
  }

  private read(space: Map<string, unknown>, ns: string, key: string): unknown {
    const hit = space.get(key);
    if (hit !== undefined) return hit;
    const v = this.load(ns, key);
    if (v !== undefined) space.set(key, v);
    return v;
  }

  protected write(space: Map<string, unknown>, ns: string, key: string, value: unknown): void {
    space.set(key, value);
    this.markDirty(ns, key);
  }

  protected markDirty(_ns: string, _key: string): void {}

  seen(ns: string, key: string, time: number): number | undefined {
    const space = this.space(ns);
    const prev = this.read(space, ns, key) as number | undefined;
    if (prev === undefined) {
      this.write(space, ns, key, time);
      return undefined;
    }
    // Out-of-order input: keep the earliest time so a later replay answers the same.
    if (time < prev) this.write(space, ns, key, time);
    return prev;
  }

  get<T>(ns: string, key: string): T | undefined {
    return this.read(this.space(ns), ns, key) as T | undefined;
  }

  put(ns: string, key: string, value: unknown): void {
    this.write(this.space(ns), ns, key, value);
  }
}

export class MemoryStateStore implements StateStore {
  readonly baseline: Baseline = new MemoryBaseline();
  private readonly findings = new Map<string, Finding>();
  private readonly meta = new Map<string, string>();
  readonly path = undefined;

  loadFindings(): Finding[] {
    return [...this.findings.values()];
  }
  saveFinding(f: Finding): void {
    this.findings.set(f.id, f);
  }
  getMeta(key: string): string | undefined {
    return this.meta.get(key);
  }
  setMeta(key: string, value: string): void {
    this.meta.set(key, value);
  }
  close(): void {}
}

class SqliteBaseline extends MemoryBaseline {
  private readonly select: Database.Statement<[string, string], { value: string }>;
  private readonly upsert: Database.Statement<[string, string, string]>;

  constructor(private readonly db: Database.Database) {
    super();
    this.select = db.prepare('SELECT value FROM kv WHERE ns = ? AND key = ?');
    this.upsert = db.prepare(
      'INSERT INTO kv (ns, key, value) VALUES (?, ?, ?) ON CONFLICT(ns, key) DO UPDATE SET value = excluded.value',
    );
  }

  protected override load(ns: string, key: string): unknown {
    const row = this.select.get(ns, key);
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  protected override markDirty(ns: string, key: string): void {
    let set = this.dirty.get(ns);
    if (set === undefined) {
      set = new Set();
      this.dirty.set(ns, set);
    }
    if (!set.has(key)) {
      set.add(key);
      if (++this.dirtyCount >= FLUSH_EVERY) this.flush();
    }
  }

  flush(): void {
    if (this.dirtyCount === 0) return;
    this.db.transaction(() => {
      for (const [ns, keys] of this.dirty) {
        const space = this.space(ns);
        for (const key of keys) this.upsert.run(ns, key, JSON.stringify(space.get(key)));
      }
    })();
    this.dirty.clear();
    this.dirtyCount = 0;
    // The cache only speeds up reads; drop it when large so memory stays bounded for huge baselines.
    let cached = 0;
    for (const m of this.spaces.values()) cached += m.size;
    if (cached > 4 * FLUSH_EVERY) this.spaces.clear();
  }
}

export class SqliteStateStore implements StateStore {
  private readonly db: Database.Database;
  readonly baseline: SqliteBaseline;
  private readonly pendingFindings = new Map<string, Finding>();

  constructor(readonly path: string) {
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS kv (ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
          PRIMARY KEY (ns, key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS findings (id TEXT PRIMARY KEY, json TEXT NOT NULL);
      `);
    } catch (err) {
      throw new VigilError(`--state ${path}: cannot open as a SQLite state file: ${(err as Error).message}`);
    }
    const version = this.getMeta('schema');
    if (version === undefined) this.setMeta('schema', SCHEMA_VERSION);
    else if (version !== SCHEMA_VERSION) {
      this.db.close();
      throw new VigilError(`--state ${path}: state schema ${version} is not supported (expected ${SCHEMA_VERSION})`);
    }
    this.baseline = new SqliteBaseline(this.db);
  }

  loadFindings(): Finding[] {
    return this.db
      .prepare<[], { json: string }>('SELECT json FROM findings ORDER BY id')
      .all()
      .map((r) => JSON.parse(r.json) as Finding);
  }

  saveFinding(f: Finding): void {
    this.pendingFindings.set(f.id, f);
  }

  getMeta(key: string): string | undefined {
    return this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  close(): void {
    this.baseline.flush();
    const put = this.db.prepare(
      'INSERT INTO findings (id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json',
    );
    this.db.transaction(() => {
      for (const f of this.pendingFindings.values()) put.run(f.id, JSON.stringify(f));
    })();
    this.pendingFindings.clear();
    this.db.close();
  }
}

export function openStateStore(path: string | undefined): StateStore {
  return path === undefined ? new MemoryStateStore() : new SqliteStateStore(path);
}
