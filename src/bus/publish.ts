/**
 * One-shot publishing through an in-process bus loaded from a bus config (the `bus:` section vigil bus serve reads),
 * so CLI commands that emit events (detect --route, posture/respond --bus-config) get the same rules, input shaping,
 * retries and dead-letter queues as the server, then a delivery summary.
 */
import { VigilError } from '../core/errors.js';
import { loadBusConfig } from './config.js';
import type { MetricName } from './outbox.js';
import { EventBusRegistry } from './registry.js';
import { BusRuntime } from './runtime.js';

export interface BusPublishOptions {
  /** Bus to publish on (default: the default bus). */
  busName?: string;
  /** How long to keep retrying failed deliveries before reporting them as pending (default 10 s). */
  budgetMs?: number;
  account?: string;
  region?: string;
  /** Backoff between retries (default 100 ms doubling to 2 s; tests shorten it). */
  retry?: { baseMs?: number; capMs?: number };
}

export interface BusPublishSummary {
  /** Bus config items rejected (file:line: reason); the valid rules still apply. */
  issues: string[];
  /** Events published. */
  events: number;
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

/**
 * Publish `events` (iterated once, lazily: an error while producing one is reported like a publish error) and
 * deliver, retrying within `budgetMs`. A bus that does not exist is a VigilError naming --event-bus-name.
 */
export async function publishThroughBus(
  config: { text: string; file: string },
  events: Iterable<Record<string, unknown>>,
  opts: BusPublishOptions = {},
): Promise<BusPublishSummary> {
  const registry = new EventBusRegistry({ account: opts.account, region: opts.region });
  const loaded = loadBusConfig(registry, config.text, config.file);
  const issues = loaded.issues.map((i) => `${i.where}: ${i.reason}`);
  const runtime = new BusRuntime({ registry, retry: opts.retry ?? { baseMs: 100, capMs: 2000 } });
  let routed = 0;
  let published = 0;
  try {
    for (const ev of events) {
      routed += runtime.publish(opts.busName, ev);
      published++;
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
      events: published,
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
