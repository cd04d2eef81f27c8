import Database from 'better-sqlite3';
import { KmsConfigError } from './config-error.js';
import type { AliasRecord, GrantRecord, ImportTokenRecord, KeyRecord } from './model.js';
import type { Sealer } from './rootkey.js';

/**
 * SQLite persistence (better-sqlite3, WAL). Every mutation is one transaction written before the API answers, so a
 * key or ciphertext acknowledged to a client survives a crash (WAL with synchronous=NORMAL is durable against
 * process death; use synchronous=FULL via `durability: 'full'` to survive power loss too). Key material is stored
 * sealed under the root key. Without a file the same schema lives in memory.
 */

export interface StoredMaterial {
  keyId: string;
  materialId: string;
  seq: number;
  created: number;
  bytes: Buffer;
}

export interface AuditRow {
  seq: number;
  time: number;
  record: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (region TEXT NOT NULL, key_id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (region, key_id));
CREATE TABLE IF NOT EXISTS materials (key_id TEXT NOT NULL, material_id TEXT NOT NULL, seq INTEGER NOT NULL,
  created INTEGER NOT NULL, sealed BLOB NOT NULL, PRIMARY KEY (key_id, material_id));
CREATE TABLE IF NOT EXISTS aliases (account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (account, region, name));
CREATE TABLE IF NOT EXISTS grants (grant_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS import_tokens (token_id TEXT PRIMARY KEY, doc TEXT NOT NULL, sealed BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, record TEXT NOT NULL,
  delivered INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS audit_pending ON audit (delivered, seq);
CREATE INDEX IF NOT EXISTS audit_time ON audit (time);
`;

export class KmsStore {
  readonly db: Database.Database;
  readonly file: string;
  private readonly stmts;

  constructor(
    file: string | undefined,
    private readonly sealer: Sealer,
    opts: { durability?: 'normal' | 'full' } = {},
  ) {
    this.file = file ?? ':memory:';
    try {
      this.db = new Database(this.file);
    } catch (err) {
      throw new KmsConfigError(`${this.file}: cannot open KMS state: ${(err as Error).message}`);
    }
    if (file) this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    try {
      this.db.exec(SCHEMA);
    } catch (err) {
      this.db.close();
      throw new KmsConfigError(`${this.file}: not a Vigil KMS state file: ${(err as Error).message}`);
    }
    try {
      this.checkRootKey();
    } catch (err) {
      this.db.close();
      throw err;
    }
    const db = this.db;
    this.stmts = {
      putKey: db.prepare('INSERT OR REPLACE INTO keys (region, key_id, doc) VALUES (?, ?, ?)'),
      deleteKey: db.prepare('DELETE FROM keys WHERE region = ? AND key_id = ?'),
      putMaterial: db.prepare(
        'INSERT OR REPLACE INTO materials (key_id, material_id, seq, created, sealed) VALUES (?, ?, ?, ?, ?)',
      ),
      deleteMaterials: db.prepare('DELETE FROM materials WHERE key_id = ?'),
      putAlias: db.prepare('INSERT OR REPLACE INTO aliases (account, region, name, doc) VALUES (?, ?, ?, ?)'),
      deleteAlias: db.prepare('DELETE FROM aliases WHERE account = ? AND region = ? AND name = ?'),
      putGrant: db.prepare('INSERT OR REPLACE INTO grants (grant_id, doc) VALUES (?, ?)'),
      deleteGrant: db.prepare('DELETE FROM grants WHERE grant_id = ?'),
      putToken: db.prepare('INSERT OR REPLACE INTO import_tokens (token_id, doc, sealed) VALUES (?, ?, ?)'),
      getToken: db.prepare('SELECT doc, sealed FROM import_tokens WHERE token_id = ?'),
      deleteTokens: db.prepare("DELETE FROM import_tokens WHERE json_extract(doc, '$.validTo') < ?"),
      audit: db.prepare('INSERT INTO audit (time, record) VALUES (?, ?)'),
    };
  }

  private checkRootKey(): void {
    const row = this.db.prepare("SELECT value FROM meta WHERE name = 'root_key_check'").get() as
      | { value: string }
      | undefined;
    if (!row) {
      this.db.prepare("INSERT INTO meta (name, value) VALUES ('root_key_check', ?)").run(this.sealer.checkValue());
      this.db.prepare("INSERT OR IGNORE INTO meta (name, value) VALUES ('schema', '1')").run();
    } else if (!this.sealer.matches(row.value)) {
      throw new KmsConfigError(`${this.file}: the root key does not match the one this state was created with`);
    }
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // --- keys ---
  loadKeys(): KeyRecord[] {
    return (this.db.prepare('SELECT doc FROM keys').all() as { doc: string }[]).map((r) => JSON.parse(r.doc));
  }
  putKey(k: KeyRecord): void {
    this.stmts.putKey.run(k.region, k.keyId, JSON.stringify(k));
  }
  deleteKey(region: string, keyId: string): void {
    this.stmts.deleteKey.run(region, keyId);
  }

  // --- materials (sealed; AAD binds each row to its key and material IDs) ---
  putMaterial(m: StoredMaterial): void {
    this.stmts.putMaterial.run(
      m.keyId,
      m.materialId,
      m.seq,
      m.created,
      this.sealer.seal(`${m.keyId}/${m.materialId}`, m.bytes),
    );
  }
  loadMaterials(keyId: string): StoredMaterial[] {
    const rows = this.db
      .prepare('SELECT material_id, seq, created, sealed FROM materials WHERE key_id = ? ORDER BY seq')
      .all(keyId) as { material_id: string; seq: number; created: number; sealed: Buffer }[];
    return rows.map((r) => ({
      keyId,
      materialId: r.material_id,
      seq: r.seq,
      created: r.created,
      bytes: this.sealer.open(`${keyId}/${r.material_id}`, r.sealed),
    }));
  }
  deleteMaterials(keyId: string): void {
    this.stmts.deleteMaterials.run(keyId);
  }

  // --- aliases ---
  loadAliases(): AliasRecord[] {
    return (this.db.prepare('SELECT doc FROM aliases').all() as { doc: string }[]).map((r) => JSON.parse(r.doc));
  }
  putAlias(a: AliasRecord): void {
    this.stmts.putAlias.run(a.account, a.region, a.name, JSON.stringify(a));
  }
  deleteAlias(a: AliasRecord): void {
    this.stmts.deleteAlias.run(a.account, a.region, a.name);
  }

  // --- grants ---
  loadGrants(): GrantRecord[] {
    return (this.db.prepare('SELECT doc FROM grants').all() as { doc: string }[]).map((r) => JSON.parse(r.doc));
  }
  putGrant(g: GrantRecord): void {
    this.stmts.putGrant.run(g.grantId, JSON.stringify(g));
  }
  deleteGrant(grantId: string): void {
    this.stmts.deleteGrant.run(grantId);
  }

  // --- import tokens (the wrapping private key is sealed like key material) ---
  putImportToken(t: ImportTokenRecord, wrappingPrivateKey: Buffer): void {
    this.stmts.putToken.run(t.tokenId, JSON.stringify(t), this.sealer.seal(`import/${t.tokenId}`, wrappingPrivateKey));
  }
  getImportToken(tokenId: string): { token: ImportTokenRecord; privateKey: Buffer } | undefined {
    const row = this.stmts.getToken.get(tokenId) as { doc: string; sealed: Buffer } | undefined;
    if (!row) return undefined;
    return { token: JSON.parse(row.doc), privateKey: this.sealer.open(`import/${tokenId}`, row.sealed) };
  }
  deleteExpiredImportTokens(now: number): void {
    this.stmts.deleteTokens.run(now);
  }

  // --- audit ---
  appendAudit(time: number, record: string): void {
    this.stmts.audit.run(time, record);
  }
  appendAuditBatch(rows: { time: number; text: string }[]): void {
    this.transaction(() => {
      for (const r of rows) this.stmts.audit.run(r.time, r.text);
    });
  }
  pendingAudit(limit: number): AuditRow[] {
    return this.db
      .prepare('SELECT seq, time, record FROM audit WHERE delivered = 0 ORDER BY seq LIMIT ?')
      .all(limit) as AuditRow[];
  }
  markDelivered(upToSeq: number): void {
    this.db.prepare('UPDATE audit SET delivered = 1 WHERE delivered = 0 AND seq <= ?').run(upToSeq);
  }
  pruneAudit(beforeTime: number, keepLast?: number): void {
    this.db.prepare('DELETE FROM audit WHERE time < ?').run(beforeTime);
    if (keepLast !== undefined)
      this.db.prepare('DELETE FROM audit WHERE seq <= (SELECT MAX(seq) FROM audit) - ?').run(keepLast);
  }
  readAudit(opts: { since?: number; until?: number; limit?: number } = {}): AuditRow[] {
    return this.db
      .prepare('SELECT seq, time, record FROM audit WHERE time >= ? AND time < ? ORDER BY seq LIMIT ?')
      .all(opts.since ?? 0, opts.until ?? Number.MAX_SAFE_INTEGER, opts.limit ?? -1) as AuditRow[];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Read audit records from a state file without the root key (for `vigil kms audit`); the file is not modified. */
export function readAuditFile(file: string, opts: { since?: number; until?: number; limit?: number } = {}): AuditRow[] {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new KmsConfigError(`${file}: cannot open KMS state: ${(err as Error).message}`);
  }
  try {
    return db
      .prepare('SELECT seq, time, record FROM audit WHERE time >= ? AND time < ? ORDER BY seq LIMIT ?')
      .all(opts.since ?? 0, opts.until ?? Number.MAX_SAFE_INTEGER, opts.limit ?? -1) as AuditRow[];
  } catch (err) {
    throw new KmsConfigError(`${file}: not a Vigil KMS state file: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}
