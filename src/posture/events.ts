/**
 * Compliance changes as AWS Config reports them: for each rule + resource, compare the new evaluation with the one
 * recorded in the previous run and emit a "Config Rules Compliance Change" event (eventbridge.md §7) when the
 * compliance type changed or the pair is new (AWS omits oldEvaluationResult on a first evaluation). The previous
 * results live in a small SQLite state file so runs can be compared across processes.
 */
import { createHash, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { type BusPublishSummary, publishThroughBus } from '../bus/publish.js';
import { VigilError } from '../core/errors.js';
import type { Evaluation } from './engine.js';
import type { ComplianceType } from './model.js';

/** What is kept of an evaluation between runs: exactly what an oldEvaluationResult needs. */
export interface StoredResult {
  configRuleName: string;
  resourceType: string;
  resourceId: string;
  complianceType: ComplianceType;
  orderingTimestamp: string;
  resultRecordedTime: string;
  configRuleInvokedTime: string;
  annotation?: string;
}

/** Rule + resource + account + region: one compliance result per key, as AWS keeps one per rule and resource. */
export function resultKey(e: {
  awsAccountId: string;
  awsRegion: string;
  configRuleName: string;
  resourceType: string;
  resourceId: string;
}): string {
  return `${e.awsAccountId}|${e.awsRegion}|${e.configRuleName}|${e.resourceType}|${e.resourceId}`;
}

export interface ComplianceChange {
  evaluation: Evaluation;
  previous?: StoredResult;
  current: StoredResult;
}

export interface RunTimes {
  /** When the rules were invoked (configRuleInvokedTime). */
  invokedAt: string;
  /** When the results were recorded (resultRecordedTime, notificationCreationTime). */
  recordedAt: string;
}

function stored(e: Evaluation, t: RunTimes): StoredResult {
  return {
    configRuleName: e.configRuleName,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    complianceType: e.complianceType,
    orderingTimestamp: e.orderingTimestamp,
    resultRecordedTime: t.recordedAt,
    configRuleInvokedTime: t.invokedAt,
    ...(e.annotation ? { annotation: e.annotation } : {}),
  };
}

/** Pure: the changes between the previous results and this run's evaluations. */
export function complianceChanges(
  previous: (key: string) => StoredResult | undefined,
  evals: readonly Evaluation[],
  t: RunTimes,
): ComplianceChange[] {
  const out: ComplianceChange[] = [];
  for (const e of evals) {
    const prev = previous(resultKey(e));
    if (prev && prev.complianceType === e.complianceType) continue;
    out.push({ evaluation: e, previous: prev, current: stored(e, t) });
  }
  return out;
}

/** A stable, AWS-looking rule ARN (AWS assigns config-rule-<6 random chars>; ours is derived from the name). */
export function configRuleArn(name: string, account: string, region: string, partition = 'aws'): string {
  const id = createHash('sha256').update(`${account}|${region}|${name}`).digest('hex').slice(0, 6);
  return `arn:${partition}:config:${region}:${account}:config-rule/config-rule-${id}`;
}

function evaluationResult(r: StoredResult): Record<string, unknown> {
  return {
    evaluationResultIdentifier: {
      evaluationResultQualifier: {
        configRuleName: r.configRuleName,
        resourceType: r.resourceType,
        resourceId: r.resourceId,
        evaluationMode: 'DETECTIVE',
      },
      orderingTimestamp: r.orderingTimestamp,
    },
    complianceType: r.complianceType,
    resultRecordedTime: r.resultRecordedTime,
    configRuleInvokedTime: r.configRuleInvokedTime,
    ...(r.annotation !== undefined ? { annotation: r.annotation } : {}),
  };
}

export interface EventOptions {
  /** Region for global resources (IAM, account), whose CIs say `global`; AWS Config reports them from us-east-1. */
  globalRegion?: string;
  /** Event id generator (default random UUID, as AWS). */
  id?: () => string;
}

/** The full EventBridge event (envelope + detail) AWS Config emits for one change. */
export function complianceChangeEvent(c: ComplianceChange, opts: EventOptions = {}): Record<string, unknown> {
  const e = c.evaluation;
  const region = e.awsRegion === 'global' ? (opts.globalRegion ?? 'us-east-1') : e.awsRegion;
  const detail: Record<string, unknown> = {
    resourceId: e.resourceId,
    awsRegion: region,
    awsAccountId: e.awsAccountId,
    configRuleName: e.configRuleName,
    recordVersion: '1.0',
    configRuleARN: configRuleArn(e.configRuleName, e.awsAccountId, region),
    messageType: 'ComplianceChangeNotification',
    newEvaluationResult: evaluationResult(c.current),
    ...(c.previous ? { oldEvaluationResult: evaluationResult(c.previous) } : {}),
    notificationCreationTime: c.current.resultRecordedTime,
    resourceType: e.resourceType,
  };
  return {
    version: '0',
    id: (opts.id ?? randomUUID)(),
    'detail-type': 'Config Rules Compliance Change',
    source: 'aws.config',
    account: e.awsAccountId,
    time: c.current.resultRecordedTime.replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: e.arn ? [e.arn] : [],
    detail,
  };
}

const SCHEMA = '1';

/** The previous run's results, keyed by {@link resultKey}. */
export class ComplianceStateStore {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], { json: string }>;

  constructor(readonly path: string) {
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS compliance (key TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
      `);
      const v = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'").get()?.value;
      if (v === undefined) this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA);
      else if (v !== SCHEMA) throw new Error(`compliance state schema ${v} is not supported (expected ${SCHEMA})`);
      this.getStmt = this.db.prepare('SELECT json FROM compliance WHERE key = ?');
    } catch (err) {
      throw new VigilError(`--state ${path}: cannot open as a posture state file: ${(err as Error).message}`);
    }
  }

  get(key: string): StoredResult | undefined {
    const r = this.getStmt.get(key);
    return r ? (JSON.parse(r.json) as StoredResult) : undefined;
  }

  /**
   * Record this run as the new "previous": every evaluated pair is written; pairs not evaluated this run (resource
   * gone, rule not selected) are kept so a partial run does not forget them.
   */
  record(evals: readonly Evaluation[], t: RunTimes): void {
    const put = this.db.prepare(
      'INSERT INTO compliance (key, json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET json = excluded.json',
    );
    this.db.transaction(() => {
      for (const e of evals) put.run(resultKey(e), JSON.stringify(stored(e, t)));
    })();
  }

  close(): void {
    this.db.close();
  }
}

export type PublishResult = Omit<BusPublishSummary, 'metrics'>;

/**
 * Route events through an in-process bus configured from YAML (the `bus:` section vigil bus serve reads), so the
 * same rules, input transformers, retries and dead-letter queues apply as on the server; then deliver, retrying
 * within `budgetMs`.
 */
export function publishToBus(
  config: { text: string; file: string },
  events: readonly Record<string, unknown>[],
  opts: { busName?: string; budgetMs?: number; account?: string; region?: string } = {},
): Promise<PublishResult> {
  return publishThroughBus(config, events, opts);
}
