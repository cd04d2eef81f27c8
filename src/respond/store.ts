/**
 * The remediation execution store: one SQLite row per execution (plan, calls, results, errors, timings and what
 * triggered it), so `vigil respond history` can explain every change Vigil made and `vigil respond approve <id>`
 * can find a pending plan written by a bus target in another process.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { VigilError } from '../core/errors.js';
import type { CallResult, Plan } from './action.js';

export const MODES = ['dryRun', 'approve', 'auto'] as const;
export type Mode = (typeof MODES)[number];

/**
 * - `planned`: dry run, nothing changed; `pending`: waiting for `vigil respond approve`;
 * - `applied`: every planned call succeeded; `noop`: already in the desired state;
 * - `blocked`: the action cannot proceed (resource missing, unsupported state);
 * - `failed`: planning or a call failed (see `error`); `invalid`: unknown action or bad parameters;
 * - `rejected`: a pending plan the operator declined.
 */
export type ExecutionStatus =
  | 'planned'
  | 'pending'
  | 'applied'
  | 'noop'
  | 'blocked'
  | 'failed'
  | 'invalid'
  | 'rejected';

export interface ExecutionError {
  code: string;
  message: string;
  retriable: boolean;
  /** The call that failed (IAM action), when a call failed. */
  call?: string;
}

/** What caused the execution: a bus delivery (event, rule, target) or the CLI. */
export interface Trigger {
  via: 'bus' | 'cli';
  eventId?: string;
  ruleArn?: string;
  ruleName?: string;
  targetId?: string;
  /** Delivery attempt (1 = first); retries of one delivery share event, rule and target. */
  attempt?: number;
}

export interface Approval {
  at: string;
  /** The fresh plan made the same calls as the recorded one. */
  matched: boolean;
  /** Calls only in the recorded plan (`-`) or only in the fresh one (`+`). */
  diff: string[];
  /** Applied even though the plan changed (`--force`). */
  forced: boolean;
}

export interface Execution {
  id: string;
  action: string;
  mode: Mode;
  status: ExecutionStatus;
  /** The validated parameters (defaults filled in), or the raw input when validation failed. */
  params: Record<string, unknown>;
  /** The resource acted on (from the plan). */
  target?: string;
  plan?: Plan;
  results: CallResult[];
  error?: ExecutionError;
  trigger: Trigger;
  region: string;
  endpoint?: string;
  accountId: string;
  timings: { planMs?: number; applyMs?: number; totalMs: number };
  createdAt: string;
  updatedAt: string;
  approval?: Approval;
}

export interface HistoryQuery {
  limit?: number;
  status?: ExecutionStatus;
  action?: string;
  eventId?: string;
}

const SCHEMA = '1';

/** `$VIGIL_DATA_DIR`, else `$XDG_DATA_HOME/vigil`, else `~/.local/share/vigil`. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VIGIL_DATA_DIR) return env.VIGIL_DATA_DIR;
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'vigil');
  return join(homedir(), '.local', 'share', 'vigil');
}

/** The default store file: `$VIGIL_RESPOND_STATE`, else `<data dir>/respond.db`. */
export function defaultStatePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIGIL_RESPOND_STATE || join(dataDir(env), 'respond.db');
}

interface Row {
  json: string;
}

export class ExecutionStore {
  private readonly db: Database.Database;
  private readonly putStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly prefixStmt: Database.Statement<[string], Row>;

  constructor(readonly path: string) {
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      // Bus workers and a CLI approving at the same time share the file.
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS executions (
          id TEXT PRIMARY KEY,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          action TEXT NOT NULL,
          mode TEXT NOT NULL,
          status TEXT NOT NULL,
          event_id TEXT,
          rule_arn TEXT,
          target_id TEXT,
          json TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS executions_created ON executions (created_at);
        CREATE INDEX IF NOT EXISTS executions_status ON executions (status);
      `);
      const v = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'").get()?.value;
      if (v === undefined) this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA);
      else if (v !== SCHEMA) throw new Error(`remediation store schema ${v} is not supported (expected ${SCHEMA})`);
      this.putStmt = this.db.prepare(
        `INSERT INTO executions (id, created_at, updated_at, action, mode, status, event_id, rule_arn, target_id, json)
         VALUES (@id, @createdAt, @updatedAt, @action, @mode, @status, @eventId, @ruleArn, @targetId, @json)
         ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, status = excluded.status, json = excluded.json`,
      );
      this.getStmt = this.db.prepare('SELECT json FROM executions WHERE id = ?');
      this.prefixStmt = this.db.prepare("SELECT json FROM executions WHERE id LIKE ? || '%' LIMIT 2");
    } catch (err) {
      throw new VigilError(`--state ${path}: cannot open as a remediation store: ${(err as Error).message}`);
    }
  }

  /** Insert or update an execution (by id). */
  put(e: Execution): void {
    this.putStmt.run({
      id: e.id,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      action: e.action,
      mode: e.mode,
      status: e.status,
      eventId: e.trigger.eventId ?? null,
      ruleArn: e.trigger.ruleArn ?? null,
      targetId: e.trigger.targetId ?? null,
      json: JSON.stringify(e),
    });
  }

  get(id: string): Execution | undefined {
    const r = this.getStmt.get(id);
    return r ? (JSON.parse(r.json) as Execution) : undefined;
  }

  /** An execution by its id or a unique prefix of it (as git accepts short hashes); a string says why not. */
  find(idOrPrefix: string): Execution | string {
    const exact = this.get(idOrPrefix);
    if (exact) return exact;
    if (idOrPrefix.length < 4 || /[%_]/.test(idOrPrefix))
      return `no execution ${idOrPrefix} in ${this.path} (give the id or at least 4 of its first characters)`;
    const rows = this.prefixStmt.all(idOrPrefix);
    if (rows.length === 1) return JSON.parse(rows[0]!.json) as Execution;
    if (rows.length === 0) return `no execution ${idOrPrefix} in ${this.path}`;
    return `${idOrPrefix} matches more than one execution in ${this.path}; give more of the id`;
  }

  /** Newest first. */
  history(q: HistoryQuery = {}): Execution[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.action) {
      where.push('action = ?');
      args.push(q.action);
    }
    if (q.eventId) {
      where.push('event_id = ?');
      args.push(q.eventId);
    }
    const sql = `SELECT json FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    args.push(q.limit && q.limit > 0 ? q.limit : -1);
    return this.db
      .prepare<(string | number)[], Row>(sql)
      .all(...args)
      .map((r) => JSON.parse(r.json) as Execution);
  }

  close(): void {
    this.db.close();
  }
}
