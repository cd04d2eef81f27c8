import type Database from 'better-sqlite3';
import { DEFAULT_BUS, type EventBusRegistry, type TargetSpec } from './registry.js';

/**
 * Persistence of the control plane (buses, rules, targets, tags) next to the outbox in the same SQLite file. The
 * registry stays the in-memory source of truth; after every successful mutating API call the server writes one
 * snapshot row, and at start-up the snapshot is replayed through the registry's own API methods, so a restored
 * rule passes exactly the validation a new one would.
 */

export interface ControlPlaneSnapshot {
  version: 1;
  buses: { Name: string; Description?: string }[];
  rules: {
    Name: string;
    EventBusName: string;
    EventPattern?: string;
    ScheduleExpression?: string;
    State: string;
    Description?: string;
    RoleArn?: string;
    Targets: TargetSpec[];
  }[];
  tags: Record<string, Record<string, string>>;
  /** Extra sections owned by other modules (archives, replays), stored verbatim. */
  extra?: Record<string, unknown>;
}

export function snapshotRegistry(
  registry: EventBusRegistry,
  tags: Map<string, Map<string, string>>,
  extra?: Record<string, unknown>,
): ControlPlaneSnapshot {
  const snap: ControlPlaneSnapshot = { version: 1, buses: [], rules: [], tags: {} };
  for (const bus of registry.allBuses()) {
    if (bus.name !== DEFAULT_BUS) {
      snap.buses.push(
        bus.description !== undefined ? { Name: bus.name, Description: bus.description } : { Name: bus.name },
      );
    }
    for (const rule of bus.rules.values()) {
      snap.rules.push({
        Name: rule.name,
        EventBusName: bus.name,
        ...(rule.eventPattern !== undefined ? { EventPattern: rule.eventPattern } : {}),
        ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
        State: rule.state,
        ...(rule.description !== undefined ? { Description: rule.description } : {}),
        ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
        Targets: [...rule.targets.values()].map((t) => ({ ...t.spec })),
      });
    }
  }
  for (const [arn, kv] of tags) if (kv.size > 0) snap.tags[arn] = Object.fromEntries(kv);
  if (extra) snap.extra = extra;
  return snap;
}

/** Replay a snapshot into an empty registry; returns one problem string per item that no longer validates. */
export function restoreRegistry(
  registry: EventBusRegistry,
  tags: Map<string, Map<string, string>>,
  snap: ControlPlaneSnapshot,
): string[] {
  const problems: string[] = [];
  const attempt = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`);
    }
  };
  for (const b of snap.buses ?? []) attempt(`bus ${b.Name}`, () => registry.createEventBus(b));
  for (const r of snap.rules ?? []) {
    const { Targets, ...rule } = r;
    attempt(`rule ${r.EventBusName}/${r.Name}`, () => {
      registry.putRule(rule);
      if (Targets.length > 0) registry.putTargets({ Rule: r.Name, EventBusName: r.EventBusName, Targets });
    });
  }
  for (const [arn, kv] of Object.entries(snap.tags ?? {})) tags.set(arn, new Map(Object.entries(kv)));
  return problems;
}

const SCHEMA = 'CREATE TABLE IF NOT EXISTS control_plane (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)';

/** One-row snapshot table in the outbox database. */
export class ControlPlaneStore {
  private readonly write: Database.Statement;
  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.write = db.prepare(
      'INSERT INTO control_plane (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json',
    );
  }

  load(): ControlPlaneSnapshot | undefined {
    const row = this.db.prepare('SELECT json FROM control_plane WHERE id = 1').get() as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as ControlPlaneSnapshot) : undefined;
  }

  save(snap: ControlPlaneSnapshot): void {
    this.write.run(JSON.stringify(snap));
  }
}
