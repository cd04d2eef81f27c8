import Database from 'better-sqlite3';
import { VigilError } from '../core/errors.js';

/**
 * The durable delivery outbox (SQLite, WAL). Deliveries for an accepted event are written in one transaction before
 * PutEvents answers, and a delivery leaves the `pending` state only once its outcome is recorded, so a crash at any
 * point leads to a retry, never to a loss (at-least-once). Metrics per rule and target live in the same database.
 */

export type DeliveryState = 'pending' | 'delivered' | 'dead-lettered' | 'dropped';

export interface NewDelivery {
  eventId: string;
  bus: string;
  ruleName: string;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  /** The shaped input, or undefined when shaping failed (`error` then says why). */
  body: string | undefined;
  error?: { code: string; message: string };
  /** The event's ingestion time (ms), the base of MaximumEventAgeInSeconds. */
  eventTime: number;
  maxRetries: number;
  maxAgeSeconds: number;
  deadLetterArn: string | undefined;
  /** Why the rule matched (explain summary). */
  explanation: string;
}

export interface Delivery extends NewDelivery {
  id: number;
  attempts: number;
  nextAttemptAt: number;
  state: DeliveryState;
  lastErrorCode: string | undefined;
  lastErrorMessage: string | undefined;
}

export type MetricName =
  | 'Invocations'
  | 'FailedInvocations'
  | 'InvocationsSentToDLQ'
  | 'InvocationsFailedToBeSentToDLQ';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL, bus TEXT NOT NULL, rule_name TEXT NOT NULL, rule_arn TEXT NOT NULL,
  target_id TEXT NOT NULL, target_arn TEXT NOT NULL,
  body TEXT, error_code TEXT, error_message TEXT,
  event_time INTEGER NOT NULL, max_retries INTEGER NOT NULL, max_age_s INTEGER NOT NULL, dlq_arn TEXT,
  explanation TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending', last_error_code TEXT, last_error_message TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS metrics (
  rule_arn TEXT NOT NULL, target_id TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
  PRIMARY KEY (rule_arn, target_id, name)
);
`;

interface Row {
  id: number;
  event_id: string;
  bus: string;
  rule_name: string;
  rule_arn: string;
  target_id: string;
  target_arn: string;
  body: string | null;
  error_code: string | null;
  error_message: string | null;
  event_time: number;
  max_retries: number;
  max_age_s: number;
  dlq_arn: string | null;
  explanation: string;
  attempts: number;
  next_attempt_at: number;
  state: DeliveryState;
  last_error_code: string | null;
  last_error_message: string | null;
}

function fromRow(r: Row): Delivery {
  return {
    id: r.id,
    eventId: r.event_id,
    bus: r.bus,
    ruleName: r.rule_name,
    ruleArn: r.rule_arn,
    targetId: r.target_id,
    targetArn: r.target_arn,
    body: r.body ?? undefined,
    ...(r.error_code ? { error: { code: r.error_code, message: r.error_message ?? '' } } : {}),
    eventTime: r.event_time,
    maxRetries: r.max_retries,
    maxAgeSeconds: r.max_age_s,
    deadLetterArn: r.dlq_arn ?? undefined,
    explanation: r.explanation,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    state: r.state,
    lastErrorCode: r.last_error_code ?? undefined,
    lastErrorMessage: r.last_error_message ?? undefined,
  };
}

export class Outbox {
  readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly due: Database.Statement;
  private readonly finish: Database.Statement;
  private readonly reschedule: Database.Statement;
  private readonly bump: Database.Statement;

  constructor(readonly file?: string) {
    try {
      this.db = new Database(file ?? ':memory:');
    } catch (err) {
      throw new VigilError(`${file}: cannot open the bus outbox: ${(err as Error).message}`);
    }
    if (file) this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.insert = this.db.prepare(`INSERT INTO deliveries (event_id, bus, rule_name, rule_arn, target_id, target_arn,
      body, error_code, error_message, event_time, max_retries, max_age_s, dlq_arn, explanation, next_attempt_at,
      updated_at) VALUES (@eventId, @bus, @ruleName, @ruleArn, @targetId, @targetArn, @body, @errorCode, @errorMessage,
      @eventTime, @maxRetries, @maxAgeSeconds, @deadLetterArn, @explanation, @now, @now)`);
    this.due = this.db.prepare(
      `SELECT * FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
    );
    this.finish = this.db.prepare(
      `UPDATE deliveries SET state = @state, attempts = @attempts, last_error_code = @code, last_error_message = @message,
       updated_at = @now WHERE id = @id`,
    );
    this.reschedule = this.db.prepare(
      `UPDATE deliveries SET attempts = @attempts, next_attempt_at = @next, last_error_code = @code,
       last_error_message = @message, updated_at = @now WHERE id = @id`,
    );
    this.bump = this.db.prepare(
      `INSERT INTO metrics (rule_arn, target_id, name, value) VALUES (?, ?, ?, 1)
       ON CONFLICT (rule_arn, target_id, name) DO UPDATE SET value = value + 1`,
    );
  }

  /** Persist the deliveries of one or more accepted events atomically. */
  enqueue(deliveries: readonly NewDelivery[], now = Date.now()): void {
    const tx = this.db.transaction((items: readonly NewDelivery[]) => {
      for (const d of items) {
        this.insert.run({
          ...d,
          body: d.body ?? null,
          errorCode: d.error?.code ?? null,
          errorMessage: d.error?.message ?? null,
          deadLetterArn: d.deadLetterArn ?? null,
          now,
        });
      }
    });
    tx(deliveries);
  }

  /** Pending deliveries whose next attempt is due. */
  dueDeliveries(now: number, limit = 100): Delivery[] {
    return (this.due.all(now, limit) as Row[]).map(fromRow);
  }

  /** Earliest next attempt among pending deliveries, if any. */
  nextDueAt(): number | undefined {
    const row = this.db.prepare(`SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'pending'`).get() as {
      t: number | null;
    };
    return row.t ?? undefined;
  }

  complete(
    id: number,
    state: Exclude<DeliveryState, 'pending'>,
    attempts: number,
    error?: { code: string; message: string },
  ) {
    this.finish.run({
      id,
      state,
      attempts,
      code: error?.code ?? null,
      message: error?.message ?? null,
      now: Date.now(),
    });
  }

  retryLater(id: number, attempts: number, next: number, error: { code: string; message: string }): void {
    this.reschedule.run({ id, attempts, next, code: error.code, message: error.message, now: Date.now() });
  }

  count(metric: MetricName, ruleArn: string, targetId: string): void {
    this.bump.run(ruleArn, targetId, metric);
  }

  metrics(ruleArn?: string): { ruleArn: string; targetId: string; name: MetricName; value: number }[] {
    const rows = (
      ruleArn
        ? this.db.prepare('SELECT * FROM metrics WHERE rule_arn = ? ORDER BY rule_arn, target_id, name').all(ruleArn)
        : this.db.prepare('SELECT * FROM metrics ORDER BY rule_arn, target_id, name').all()
    ) as { rule_arn: string; target_id: string; name: MetricName; value: number }[];
    return rows.map((r) => ({ ruleArn: r.rule_arn, targetId: r.target_id, name: r.name, value: r.value }));
  }

  /** All deliveries of an event (for inspection and tests). */
  deliveriesOf(eventId?: string): Delivery[] {
    const rows = (
      eventId
        ? this.db.prepare('SELECT * FROM deliveries WHERE event_id = ? ORDER BY id').all(eventId)
        : this.db.prepare('SELECT * FROM deliveries ORDER BY id').all()
    ) as Row[];
    return rows.map(fromRow);
  }

  close(): void {
    this.db.close();
  }
}
