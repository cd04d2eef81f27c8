/**
 * `vigil detect --route FILE`: publish every finding as a "GuardDuty Finding" EventBridge event on an in-process
 * bus loaded from a bus config (the `bus:` section vigil bus serve reads), so the same rules, input shaping,
 * retries and dead-letter queues apply as on the server. Archived (suppressed) findings are not published, as
 * GuardDuty does not publish them (guardduty.md §6).
 */
import { readFileSync } from 'node:fs';
import { loadBusConfig } from '../bus/config.js';
import type { MetricName } from '../bus/outbox.js';
import { EventBusRegistry } from '../bus/registry.js';
import { BusRuntime } from '../bus/runtime.js';
import { VigilError } from '../core/errors.js';
import { toEventBridge } from '../report/findings.js';
import type { Finding } from './types.js';

export interface RouteOptions {
  /** Bus to publish on (default: the default bus). */
  busName?: string;
  /** EventBridge `source` (default aws.guardduty, so AWS-written rules match unchanged). */
  source?: string;
  /** How long to keep retrying failed deliveries before reporting them as pending (default 10 s). */
  budgetMs?: number;
  account?: string;
  region?: string;
  /** Backoff between retries (tests shorten it). */
  retry?: { baseMs?: number; capMs?: number };
}

export interface RouteResult {
  /** Bus config items rejected (file:line and reason). */
  issues: string[];
  /** Findings published (archived ones are not). */
  events: number;
  archivedSkipped: number;
  /** Deliveries the matching rules produced (one per target of every matching rule). */
  routed: number;
  delivered: number;
  deadLettered: number;
  /** Exhausted without a dead-letter queue, or the DLQ itself failed. */
  dropped: number;
  /** Still waiting for a retry when the time budget ran out. */
  pending: number;
  /** One line per failed delivery: rule, target and error. */
  failures: string[];
  /** EventBridge metrics per rule and target. */
  metrics: { rule: string; target: string; name: MetricName; value: number }[];
}

export function readRouteConfig(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError(`--route ${file}: cannot read: ${(err as Error).message}`);
  }
}

export async function routeFindings(
  findings: readonly Finding[],
  config: { text: string; file: string },
  opts: RouteOptions = {},
): Promise<RouteResult> {
  const registry = new EventBusRegistry({ account: opts.account, region: opts.region });
  const loaded = loadBusConfig(registry, config.text, config.file);
  const issues = loaded.issues.map((i) => `${i.where}: ${i.reason}`);
  const runtime = new BusRuntime({ registry, retry: opts.retry ?? { baseMs: 100, capMs: 2000 } });
  let routed = 0;
  let events = 0;
  let archivedSkipped = 0;
  try {
    for (const f of findings) {
      if (f.service.archived) {
        archivedSkipped++;
        continue;
      }
      routed += runtime.publish(opts.busName, toEventBridge(f, opts.source ?? 'aws.guardduty'));
      events++;
    }
  } catch (err) {
    runtime.outbox.close();
    throw new VigilError(`--event-bus-name: ${(err as Error).message}`);
  }
  try {
    const deadline = Date.now() + (opts.budgetMs ?? 10_000);
    await runtime.drain();
    for (;;) {
      const next = runtime.outbox.nextDueAt();
      if (next === undefined || next > deadline) break;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      await runtime.drain();
    }
    const all = runtime.outbox.deliveriesOf();
    const failed = all.filter((d) => d.state === 'dropped' || d.state === 'dead-lettered');
    const ruleName = new Map(all.map((d) => [d.ruleArn, d.ruleName]));
    return {
      issues,
      events,
      archivedSkipped,
      routed,
      delivered: all.filter((d) => d.state === 'delivered').length,
      deadLettered: all.filter((d) => d.state === 'dead-lettered').length,
      dropped: all.filter((d) => d.state === 'dropped').length,
      pending: all.filter((d) => d.state === 'pending').length,
      failures: failed.map(
        (d) =>
          `rule ${d.ruleName} target ${d.targetId} (${d.targetArn}): ${d.state}: ` +
          `${d.lastErrorCode ?? d.error?.code ?? 'error'}: ${d.lastErrorMessage ?? d.error?.message ?? ''}`,
      ),
      metrics: runtime.outbox
        .metrics()
        .map((m) => ({ rule: ruleName.get(m.ruleArn) ?? m.ruleArn, target: m.targetId, name: m.name, value: m.value })),
    };
  } finally {
    runtime.outbox.close();
  }
}

/** One stderr line: `routed N findings: D delivered, L dead-lettered, X dropped, P pending (R deliveries)`. */
export function formatRouteSummary(r: RouteResult): string {
  return (
    `vigil detect: routed ${r.events} findings${r.archivedSkipped ? ` (${r.archivedSkipped} archived not published)` : ''}: ` +
    `${r.routed} deliveries, ${r.delivered} delivered, ${r.deadLettered} dead-lettered, ${r.dropped} dropped, ${r.pending} pending`
  );
}
