import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { envelopeTime } from './put-events.js';
import { DEFAULT_BUS, type Rule } from './registry.js';
import type { BusRuntime } from './runtime.js';
import { nextFireTime } from './schedule.js';

/**
 * Runs scheduled rules (eventbridge.md §3): at each fire time of an enabled rule with a ScheduleExpression, its
 * targets receive `{"source": "aws.events", "detail-type": "Scheduled Event", "resources": [<rule ARN>],
 * "detail": {}}` with `time` = the scheduled time. Progress is kept in SQLite (`schedule_state`) and written in the
 * same transaction as the deliveries, so a restart neither repeats nor loses a fire. `rate()` schedules are anchored
 * at the time the scheduler first saw the rule (AWS anchors at rule creation). After downtime only the most recent
 * missed fire is delivered, not every one.
 */

const SCHEMA = `CREATE TABLE IF NOT EXISTS schedule_state (
  rule_arn TEXT PRIMARY KEY, expression TEXT NOT NULL, anchor INTEGER NOT NULL, last_fire INTEGER NOT NULL
)`;

interface StateRow {
  rule_arn: string;
  expression: string;
  anchor: number;
  last_fire: number;
}

export class BusScheduler {
  private readonly db: Database.Database;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly runtime: BusRuntime,
    private readonly now: () => number = Date.now,
  ) {
    this.db = runtime.outbox.db;
    this.db.exec(SCHEMA);
  }

  private scheduledRules(): Rule[] {
    const bus = this.runtime.registry.bus(DEFAULT_BUS);
    return [...bus.rules.values()].filter((r) => r.schedule && r.state !== 'DISABLED');
  }

  /** Fire every scheduled rule that is due at `now`; returns the events emitted (one per rule fire). */
  tick(): { rule: string; time: string }[] {
    const now = this.now();
    const get = this.db.prepare('SELECT * FROM schedule_state WHERE rule_arn = ?');
    const put = this.db.prepare(
      `INSERT INTO schedule_state (rule_arn, expression, anchor, last_fire) VALUES (?, ?, ?, ?)
       ON CONFLICT(rule_arn) DO UPDATE SET expression = excluded.expression, anchor = excluded.anchor,
       last_fire = excluded.last_fire`,
    );
    const fired: { rule: string; time: string }[] = [];
    for (const rule of this.scheduledRules()) {
      const schedule = rule.schedule!;
      let state = get.get(rule.arn) as StateRow | undefined;
      if (!state || state.expression !== schedule.text) {
        // A new (or changed) schedule starts now: nothing in the past is due.
        state = { rule_arn: rule.arn, expression: schedule.text, anchor: now, last_fire: now };
        put.run(rule.arn, schedule.text, now, now);
        continue;
      }
      let due: number | undefined;
      for (let t = nextFireTime(schedule, state.last_fire, state.anchor); t !== undefined && t <= now; ) {
        due = t;
        t = nextFireTime(schedule, t, state.anchor);
      }
      if (due === undefined) continue;
      const time = envelopeTime(new Date(due));
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: this.runtime.registry.account,
        time,
        region: this.runtime.registry.region,
        resources: [rule.arn],
        detail: {},
      };
      const deliveries = this.runtime.routeTo(DEFAULT_BUS, [rule], event);
      const anchor = state.anchor;
      this.db.transaction(() => {
        this.runtime.enqueue(deliveries);
        put.run(rule.arn, schedule.text, anchor, due);
      })();
      fired.push({ rule: rule.name, time });
    }
    return fired;
  }

  /** Milliseconds until the next fire of any scheduled rule (capped at a minute, so new rules are noticed). */
  private delay(): number {
    const now = this.now();
    let next = now + 60_000;
    const get = this.db.prepare('SELECT * FROM schedule_state WHERE rule_arn = ?');
    for (const rule of this.scheduledRules()) {
      const state = get.get(rule.arn) as StateRow | undefined;
      if (!state) return 0;
      const t = nextFireTime(rule.schedule!, state.last_fire, state.anchor);
      if (t !== undefined) next = Math.min(next, t);
    }
    return Math.max(0, next - now);
  }

  start(): void {
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.tick();
      this.timer = setTimeout(loop, this.delay());
    };
    loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
