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

class MemoryBaseline implements Baseline {
  protected readonly cache = new Map<string, string>();
  protected readonly dirty = new Set<string>();

  protected load(_id: string): string | undefined {
    return undefined;
  }

  private read(id: string): string | undefined {
    const hit = this.cache.get(id);
    if (hit !== undefined) return hit;
    const v = this.load(id);
    if (v !== undefined) this.cache.set(id, v);
    return v;
  }

  protected write(id: string, value: string): void {
    this.cache.set(id, value);
    this.dirty.add(id);
  }

  seen(ns: string, key: string, time: number): number | undefined {
    const id = `${ns}\u0000${key}`;
    const prev = this.read(id);
    if (prev === undefined) {
      this.write(id, String(time));
      return undefined;
    }
    const first = Number(prev);
    // Out-of-order input: keep the earliest time so a later replay answers the same.
    if (time < first) this.write(id, String(time));
    return first;
  }

  get<T>(ns: string, key: string): T | undefined {
    const v = this.read(`${ns}\u0000${key}`);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }

  put(ns: string, key: string, value: unknown): void {
    this.write(`${ns}\u0000${key}`, JSON.stringify(value));
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

  protected override load(id: string): string | undefined {
    const i = id.indexOf('\u0000');
    return this.select.get(id.slice(0, i), id.slice(i + 1))?.value;
  }

  protected override write(id: string, value: string): void {
    super.write(id, value);
    if (this.dirty.size >= FLUSH_EVERY) this.flush();
  }

  flush(): void {
    if (this.dirty.size === 0) return;
    const run = this.db.transaction(() => {
      for (const id of this.dirty) {
        const i = id.indexOf('\u0000');
        this.upsert.run(id.slice(0, i), id.slice(i + 1), this.cache.get(id)!);
      }
    });
    run();
    this.dirty.clear();
    // The cache only speeds up reads; drop it when large so memory stays bounded for huge baselines.
    if (this.cache.size > 4 * FLUSH_EVERY) this.cache.clear();
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
