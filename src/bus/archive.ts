import type Database from 'better-sqlite3';
import {
  alreadyExists,
  BusApiError,
  CONSTRAINT,
  checkName,
  constraintError,
  limitExceeded,
  notFound,
  type Violation,
  validation,
} from './errors.js';
import { compilePattern, type Pattern, PatternError, PatternIndex } from './pattern/index.js';
import type { BusEvent } from './put-events.js';
import { page } from './registry.js';
import type { BusRuntime } from './runtime.js';

/**
 * Archives and replays (eventbridge.md §5), stored in the outbox's SQLite database. Every accepted PutEvents entry
 * on a bus is appended to each ENABLED archive of that bus whose (optional) pattern matches; replays re-publish the
 * archived events of a time window, in event-time order, to the archive's bus with `replay-name` set, optionally
 * only to the rules in Destination.FilterArns. Messages are the AWS-recorded ones (test_archive_and_replay).
 */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS archives (
  name TEXT PRIMARY KEY, bus TEXT NOT NULL, description TEXT, event_pattern TEXT,
  retention_days INTEGER NOT NULL, state TEXT NOT NULL, creation_time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS archived_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, archive TEXT NOT NULL, event_time INTEGER NOT NULL,
  archived_at INTEGER NOT NULL, size INTEGER NOT NULL, event TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS archived_events_time ON archived_events (archive, event_time);
CREATE TABLE IF NOT EXISTS replays (
  name TEXT PRIMARY KEY, archive TEXT NOT NULL, description TEXT, destination TEXT NOT NULL,
  event_start INTEGER NOT NULL, event_end INTEGER NOT NULL, state TEXT NOT NULL, state_reason TEXT,
  replay_start INTEGER NOT NULL, replay_end INTEGER, last_replayed INTEGER
);
`;

interface ArchiveRow {
  name: string;
  bus: string;
  description: string | null;
  event_pattern: string | null;
  retention_days: number;
  state: string;
  creation_time: number;
}

interface ReplayRow {
  name: string;
  archive: string;
  description: string | null;
  destination: string;
  event_start: number;
  event_end: number;
  state: string;
  state_reason: string | null;
  replay_start: number;
  replay_end: number | null;
  last_replayed: number | null;
}

type Input = Record<string, unknown>;
const ACTIVE = new Set(['STARTING', 'RUNNING', 'CANCELLING']);
const MAX_ACTIVE_REPLAYS = 10;
const DAY_MS = 86_400_000;

/** JSON 1.1 timestamps arrive as epoch seconds; Vigil also accepts ISO strings and Dates (in-process callers). */
function timestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return v * 1000;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

const date = (ms: number | null | undefined) => (ms === null || ms === undefined ? undefined : new Date(ms));

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export class ArchiveStore {
  private readonly patterns = new Map<string, Pattern | undefined>();
  /** The archives' patterns in one compiled index: an event is matched once, whatever the number of archives. */
  private readonly index = new PatternIndex<string>();
  private readonly insert: Database.Statement;
  private readonly enabledOf: Database.Statement<[string], { name: string }>;
  private lastPurge = 0;
  /** Replays run in the background; tests and shutdown can await them. */
  readonly running = new Set<Promise<void>>();

  constructor(
    private readonly runtime: BusRuntime,
    private readonly db: Database.Database = runtime.outbox.db,
    private readonly now: () => number = Date.now,
  ) {
    db.exec(SCHEMA);
    this.insert = db.prepare(
      'INSERT INTO archived_events (archive, event_time, archived_at, size, event) VALUES (?, ?, ?, ?, ?)',
    );
    this.enabledOf = db.prepare("SELECT name FROM archives WHERE bus = ? AND state = 'ENABLED'");
    for (const a of db.prepare('SELECT * FROM archives').all() as ArchiveRow[]) {
      this.setPattern(a.name, a.event_pattern ? compilePattern(a.event_pattern) : undefined);
    }
    // A replay interrupted by a restart cannot resume where it stopped without duplicates: mark it failed.
    db.prepare(
      "UPDATE replays SET state = 'FAILED', state_reason = 'interrupted by a restart', replay_end = ? WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING')",
    ).run(this.now());
    runtime.acceptedListeners.push((bus, event) => this.record(bus, event));
  }

  private get registry() {
    return this.runtime.registry;
  }

  archiveArn(name: string): string {
    return `arn:aws:events:${this.registry.region}:${this.registry.account}:archive/${name}`;
  }

  replayArn(name: string): string {
    return `arn:aws:events:${this.registry.region}:${this.registry.account}:replay/${name}`;
  }

  private archive(name: string): ArchiveRow {
    const row = this.db.prepare('SELECT * FROM archives WHERE name = ?').get(name) as ArchiveRow | undefined;
    if (!row) throw notFound(`Archive ${name} does not exist.`);
    return row;
  }

  private setPattern(name: string, pattern: Pattern | undefined): void {
    this.patterns.set(name, pattern);
    this.index.remove(name);
    if (pattern) this.index.add(name, pattern);
  }

  private compile(text: string | undefined): Pattern | undefined {
    if (text === undefined) return undefined;
    try {
      return compilePattern(text);
    } catch (e) {
      if (e instanceof PatternError) throw new BusApiError('InvalidEventPatternException', e.rawMessage);
      throw e;
    }
  }

  /** Append an accepted event to the matching archives of its bus (replayed events are not archived again). */
  record(bus: string, event: BusEvent | Record<string, unknown>): void {
    if ('replay-name' in event) return;
    const archives = this.enabledOf.all(bus);
    if (archives.length === 0) return;
    const text = JSON.stringify(event);
    const time = Date.parse(String(event.time)) || this.now();
    const size = Buffer.byteLength(text);
    let hits: string[] | undefined;
    for (const a of archives) {
      if (this.patterns.get(a.name) !== undefined) {
        hits ??= this.index.match(event);
        if (!hits.includes(a.name)) continue;
      }
      this.insert.run(a.name, time, this.now(), size, text);
    }
    this.purge();
  }

  /** Drop events past their archive's retention (at most once a minute; RetentionDays 0 keeps them forever). */
  private purge(): void {
    const now = this.now();
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    this.db
      .prepare(
        `DELETE FROM archived_events WHERE id IN (SELECT e.id FROM archived_events e JOIN archives a ON a.name = e.archive
         WHERE a.retention_days > 0 AND e.archived_at < ? - a.retention_days * ${DAY_MS})`,
      )
      .run(now);
  }

  createArchive(i: Input): { ArchiveArn: string; State: string; CreationTime: Date } {
    const name = typeof i.ArchiveName === 'string' ? i.ArchiveName : '';
    const violations: Violation[] = [];
    checkName(name, 'archiveName', 48, violations);
    const retention = i.RetentionDays ?? 0;
    if (typeof retention !== 'number' || retention < 0) {
      violations.push({ value: String(retention), at: 'retentionDays', constraint: CONSTRAINT.minValue(0) });
    }
    const invalid = constraintError(violations);
    if (invalid) throw invalid;
    const bus = this.registry.bus(typeof i.EventSourceArn === 'string' ? i.EventSourceArn : undefined);
    const patternText = typeof i.EventPattern === 'string' ? i.EventPattern : undefined;
    const pattern = this.compile(patternText);
    if (this.db.prepare('SELECT 1 FROM archives WHERE name = ?').get(name)) {
      throw alreadyExists(`Archive ${name} already exists.`);
    }
    const created = this.now();
    this.db
      .prepare('INSERT INTO archives VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(
        name,
        bus.name,
        typeof i.Description === 'string' ? i.Description : null,
        patternText ?? null,
        retention,
        'ENABLED',
        created,
      );
    this.setPattern(name, pattern);
    return { ArchiveArn: this.archiveArn(name), State: 'ENABLED', CreationTime: new Date(created) };
  }

  private stats(name: string): { EventCount: number; SizeBytes: number } {
    const r = this.db
      .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM archived_events WHERE archive = ?')
      .get(name) as { n: number; bytes: number };
    return { EventCount: r.n, SizeBytes: r.bytes };
  }

  describeArchive(i: Input): Record<string, unknown> {
    const a = this.archive(String(i.ArchiveName ?? ''));
    return compact({
      ArchiveArn: this.archiveArn(a.name),
      ArchiveName: a.name,
      EventSourceArn: this.registry.busArn(a.bus),
      Description: a.description ?? undefined,
      EventPattern: a.event_pattern ?? undefined,
      State: a.state,
      RetentionDays: a.retention_days,
      ...this.stats(a.name),
      CreationTime: new Date(a.creation_time),
    });
  }

  listArchives(i: Input): Record<string, unknown> {
    let bus: string | undefined;
    if (typeof i.EventSourceArn === 'string') bus = this.registry.bus(i.EventSourceArn).name;
    const rows = (this.db.prepare('SELECT * FROM archives ORDER BY name').all() as ArchiveRow[]).filter(
      (a) =>
        (typeof i.NamePrefix !== 'string' || a.name.startsWith(i.NamePrefix)) &&
        (bus === undefined || a.bus === bus) &&
        (typeof i.State !== 'string' || a.state === i.State),
    );
    const p = page(
      rows.map((a) => ({
        ArchiveName: a.name,
        EventSourceArn: this.registry.busArn(a.bus),
        State: a.state,
        RetentionDays: a.retention_days,
        ...this.stats(a.name),
        CreationTime: new Date(a.creation_time),
      })),
      typeof i.Limit === 'number' ? i.Limit : undefined,
      typeof i.NextToken === 'string' ? i.NextToken : undefined,
    );
    return p.next ? { Archives: p.items, NextToken: p.next } : { Archives: p.items };
  }

  updateArchive(i: Input): Record<string, unknown> {
    if (i.EventPattern === undefined && i.RetentionDays === undefined && i.Description === undefined) {
      throw validation('At least one of EventPattern, RetentionDays or Description must be provided.');
    }
    const a = this.archive(String(i.ArchiveName ?? ''));
    const patternText = typeof i.EventPattern === 'string' ? i.EventPattern : undefined;
    const pattern = patternText !== undefined ? this.compile(patternText) : this.patterns.get(a.name);
    this.db
      .prepare('UPDATE archives SET description = ?, event_pattern = ?, retention_days = ? WHERE name = ?')
      .run(
        typeof i.Description === 'string' ? i.Description : a.description,
        patternText ?? a.event_pattern,
        typeof i.RetentionDays === 'number' ? i.RetentionDays : a.retention_days,
        a.name,
      );
    this.setPattern(a.name, pattern);
    return { ArchiveArn: this.archiveArn(a.name), State: a.state, CreationTime: new Date(a.creation_time) };
  }

  deleteArchive(i: Input): Record<string, never> {
    const a = this.archive(String(i.ArchiveName ?? ''));
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM archived_events WHERE archive = ?').run(a.name);
      this.db.prepare('DELETE FROM archives WHERE name = ?').run(a.name);
    })();
    this.patterns.delete(a.name);
    this.index.remove(a.name);
    return {};
  }

  startReplay(i: Input): { ReplayArn: string; State: string; ReplayStartTime: Date } {
    const name = typeof i.ReplayName === 'string' ? i.ReplayName : '';
    const violations: Violation[] = [];
    checkName(name, 'replayName', 64, violations);
    const start = timestamp(i.EventStartTime);
    const end = timestamp(i.EventEndTime);
    if (start === undefined) violations.push({ value: 'null', at: 'eventStartTime', constraint: CONSTRAINT.notNull() });
    if (end === undefined) violations.push({ value: 'null', at: 'eventEndTime', constraint: CONSTRAINT.notNull() });
    const destination = (i.Destination ?? undefined) as { Arn?: string; FilterArns?: string[] } | undefined;
    if (!destination || typeof destination.Arn !== 'string') {
      violations.push({ value: 'null', at: 'destination', constraint: CONSTRAINT.notNull() });
    }
    const invalid = constraintError(violations);
    if (invalid) throw invalid;
    const source = typeof i.EventSourceArn === 'string' ? i.EventSourceArn : '';
    const archiveName = /:archive\/(.+)$/.exec(source)?.[1] ?? source;
    const archive = this.db.prepare('SELECT * FROM archives WHERE name = ?').get(archiveName) as ArchiveRow | undefined;
    if (!archive) {
      throw validation(`Parameter EventSourceArn is not valid. Reason: Archive ${archiveName} does not exist.`);
    }
    const destBus = this.registry.bus(destination!.Arn);
    if (destBus.name !== archive.bus) {
      throw validation('Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.');
    }
    if (start! >= end!) {
      throw validation('Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.');
    }
    if (this.db.prepare('SELECT 1 FROM replays WHERE name = ?').get(name)) {
      throw alreadyExists(`Replay ${name} already exists.`);
    }
    const active = this.db
      .prepare("SELECT COUNT(*) AS n FROM replays WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING')")
      .get() as { n: number };
    if (active.n >= MAX_ACTIVE_REPLAYS) throw limitExceeded();
    const began = this.now();
    const dest = { Arn: destBus.arn, ...(destination!.FilterArns ? { FilterArns: destination!.FilterArns } : {}) };
    this.db
      .prepare(
        'INSERT INTO replays (name, archive, description, destination, event_start, event_end, state, replay_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        name,
        archive.name,
        typeof i.Description === 'string' ? i.Description : null,
        JSON.stringify(dest),
        start,
        end,
        'STARTING',
        began,
      );
    const job = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(name))
      .finally(() => this.running.delete(job));
    this.running.add(job);
    return { ReplayArn: this.replayArn(name), State: 'STARTING', ReplayStartTime: new Date(began) };
  }

  /** Re-publish the window's events in event-time order, checking for cancellation between events. */
  private async run(name: string): Promise<void> {
    const r = this.db.prepare('SELECT * FROM replays WHERE name = ?').get(name) as ReplayRow;
    const setState = this.db.prepare('UPDATE replays SET state = ?, replay_end = ?, last_replayed = ? WHERE name = ?');
    if (r.state === 'CANCELLING') {
      setState.run('CANCELLED', this.now(), null, name);
      return;
    }
    if (r.state !== 'STARTING') return;
    this.db.prepare("UPDATE replays SET state = 'RUNNING' WHERE name = ?").run(name);
    const dest = JSON.parse(r.destination) as { Arn: string; FilterArns?: string[] };
    const filter = dest.FilterArns && dest.FilterArns.length > 0 ? new Set(dest.FilterArns) : undefined;
    // Pages by (event_time, id): the connection cannot write (publish enqueues) while a query iterates.
    const pageQuery = this.db.prepare(
      `SELECT id, event_time, event FROM archived_events WHERE archive = ? AND event_time < ?
       AND (event_time > ? OR (event_time = ? AND id > ?)) ORDER BY event_time, id LIMIT 500`,
    );
    let last: number | null = null;
    const state = this.db.prepare('SELECT state FROM replays WHERE name = ?');
    const cancelling = () => (state.get(name) as { state: string }).state === 'CANCELLING';
    try {
      let cursor = { time: r.event_start, id: -1 };
      for (;;) {
        const rows = pageQuery.all(r.archive, r.event_end, cursor.time, cursor.time, cursor.id) as {
          id: number;
          event_time: number;
          event: string;
        }[];
        if (rows.length === 0 || cancelling()) break;
        for (const row of rows) {
          this.runtime.publish(
            dest.Arn,
            withReplayName(JSON.parse(row.event) as Record<string, unknown>, name),
            filter,
          );
          last = row.event_time;
        }
        const end = rows[rows.length - 1]!;
        cursor = { time: end.event_time, id: end.id };
        // Yield between pages so a CancelReplay request can be served.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const cancelled = (state.get(name) as { state: string }).state === 'CANCELLING';
      setState.run(cancelled ? 'CANCELLED' : 'COMPLETED', this.now(), last, name);
    } catch (err) {
      this.db
        .prepare("UPDATE replays SET state = 'FAILED', state_reason = ?, replay_end = ? WHERE name = ?")
        .run((err as Error).message, this.now(), name);
    }
  }

  private replay(name: string): ReplayRow {
    const row = this.db.prepare('SELECT * FROM replays WHERE name = ?').get(name) as ReplayRow | undefined;
    if (!row) throw notFound(`Replay ${name} does not exist.`);
    return row;
  }

  describeReplay(i: Input): Record<string, unknown> {
    const r = this.replay(String(i.ReplayName ?? ''));
    return compact({
      ReplayName: r.name,
      ReplayArn: this.replayArn(r.name),
      Description: r.description ?? undefined,
      State: r.state,
      StateReason: r.state_reason ?? undefined,
      EventSourceArn: this.archiveArn(r.archive),
      Destination: JSON.parse(r.destination) as unknown,
      EventStartTime: new Date(r.event_start),
      EventEndTime: new Date(r.event_end),
      EventLastReplayedTime: date(r.last_replayed),
      ReplayStartTime: new Date(r.replay_start),
      ReplayEndTime: date(r.replay_end),
    });
  }

  listReplays(i: Input): Record<string, unknown> {
    const archive = typeof i.EventSourceArn === 'string' ? /:archive\/(.+)$/.exec(i.EventSourceArn)?.[1] : undefined;
    const rows = (this.db.prepare('SELECT * FROM replays ORDER BY name').all() as ReplayRow[]).filter(
      (r) =>
        (typeof i.NamePrefix !== 'string' || r.name.startsWith(i.NamePrefix)) &&
        (archive === undefined || r.archive === archive) &&
        (typeof i.State !== 'string' || r.state === i.State),
    );
    const p = page(
      rows.map((r) =>
        compact({
          ReplayName: r.name,
          EventSourceArn: this.archiveArn(r.archive),
          State: r.state,
          StateReason: r.state_reason ?? undefined,
          EventStartTime: new Date(r.event_start),
          EventEndTime: new Date(r.event_end),
          EventLastReplayedTime: date(r.last_replayed),
          ReplayStartTime: new Date(r.replay_start),
          ReplayEndTime: date(r.replay_end),
        }),
      ),
      typeof i.Limit === 'number' ? i.Limit : undefined,
      typeof i.NextToken === 'string' ? i.NextToken : undefined,
    );
    return p.next ? { Replays: p.items, NextToken: p.next } : { Replays: p.items };
  }

  cancelReplay(i: Input): { ReplayArn: string; State: string } {
    const r = this.replay(String(i.ReplayName ?? ''));
    if (!ACTIVE.has(r.state) || r.state === 'CANCELLING') {
      // AWS's text for this case was not recorded; Vigil's wording.
      throw validation(`Replay ${r.name} is not in a valid state for this operation (state ${r.state}).`);
    }
    this.db.prepare("UPDATE replays SET state = 'CANCELLING' WHERE name = ?").run(r.name);
    return { ReplayArn: this.replayArn(r.name), State: 'CANCELLING' };
  }
}

/** AWS places `replay-name` between `region` and `resources`. */
export function withReplayName(event: Record<string, unknown>, name: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) {
    if (k === 'replay-name') continue;
    if (k === 'resources') out['replay-name'] = name;
    out[k] = v;
  }
  if (!('replay-name' in out)) out['replay-name'] = name;
  return out;
}
