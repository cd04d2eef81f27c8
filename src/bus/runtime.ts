import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BusAwsSettings, sqsDeadLetter } from './aws-targets.js';
import { httpTargetFor, SlackTarget } from './http-target.js';
import type { DeliveryContext } from './input.js';
import { type Delivery, type NewDelivery, Outbox } from './outbox.js';
import { explain } from './pattern/index.js';
import {
  type BusEvent,
  envelopeTime,
  type PutEventsEntry,
  type PutEventsOptions,
  preparePutEvents,
} from './put-events.js';
import type { EventBusRegistry, Rule, TargetSpec } from './registry.js';
import { createInvoker, type InvokeResult, type TargetInvoker } from './targets.js';

/**
 * The bus at run time: PutEvents/publish route each event through the bus's compiled index, shape the input of
 * every target of every matching rule, and write the deliveries to the durable outbox in one transaction before
 * answering. A worker then delivers them with EventBridge's retry policy (exponential backoff with jitter, up to
 * MaximumRetryAttempts / MaximumEventAgeInSeconds, Retry-After honoured), sending exhausted or non-retriable
 * deliveries to the target's dead-letter queue with AWS's message attributes.
 */

export interface RetryOptions {
  /** First backoff step (default 1 s). */
  baseMs?: number;
  /** Longest backoff (default 10 min). */
  capMs?: number;
  random?: () => number;
}

export interface RuntimeOptions {
  registry: EventBusRegistry;
  outbox?: Outbox;
  retry?: RetryOptions;
  putEvents?: PutEventsOptions;
  now?: () => number;
  /** Resolve a target spec to an invoker (default: createInvoker with HTTP and Slack support). */
  invoker?: (spec: TargetSpec) => TargetInvoker | string;
  /** Parallel deliveries per drain round (default 16). */
  concurrency?: number;
}

export const DEFAULT_MAX_RETRIES = 185;
export const DEFAULT_MAX_AGE_SECONDS = 86_400;

/** DLQ message attributes, named as AWS names them. */
export interface DeadLetterAttributes {
  RULE_ARN: string;
  TARGET_ARN: string;
  ERROR_CODE: string;
  ERROR_MESSAGE: string;
  RETRY_ATTEMPTS: string;
  EXHAUSTED_RETRY_CONDITION?: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';
}

export interface PutEventsResponse {
  FailedEntryCount: number;
  Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
}

/** Backoff before retry number `retry` (1-based): exponential with "equal jitter". */
export function backoffMs(retry: number, opts: RetryOptions = {}): number {
  const base = opts.baseMs ?? 1000;
  const cap = opts.capMs ?? 600_000;
  const step = Math.min(cap, base * 2 ** Math.min(retry - 1, 30));
  return Math.round(step / 2 + (opts.random ?? Math.random)() * (step / 2));
}

export class BusRuntime {
  readonly registry: EventBusRegistry;
  readonly outbox: Outbox;
  private readonly now: () => number;
  private readonly invokers = new Map<string, TargetInvoker | string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** Called for every accepted PutEvents entry with its bus name (archives listen here). */
  readonly acceptedListeners: ((busName: string, event: BusEvent) => void)[] = [];

  constructor(private readonly opts: RuntimeOptions) {
    this.registry = opts.registry;
    this.outbox = opts.outbox ?? new Outbox();
    this.now = opts.now ?? Date.now;
  }

  /** The PutEvents API: validate, route and durably enqueue; per-entry results in request order. */
  putEvents(entries: PutEventsEntry[]): PutEventsResponse {
    const prepared = preparePutEvents(this.registry, entries, {
      ...this.opts.putEvents,
      now: () => new Date(this.now()),
    });
    const deliveries: NewDelivery[] = [];
    const out: PutEventsResponse['Entries'] = [];
    let failed = 0;
    for (const r of prepared) {
      if (!r.ok) {
        failed++;
        out.push({ ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage });
        continue;
      }
      deliveries.push(...this.route(r.busName, r.event));
      out.push({ EventId: r.event.id });
      if (this.acceptedListeners.length > 0) {
        const bus = this.registry.bus(r.busName).name;
        for (const listener of this.acceptedListeners) listener(bus, r.event);
      }
    }
    this.outbox.enqueue(deliveries, this.now());
    this.kick();
    return { FailedEntryCount: failed, Entries: out };
  }

  /**
   * Route an already-formed event (Vigil's own publishers, bus-to-bus targets, replays); returns the deliveries
   * queued. `ruleArns` restricts delivery to those rules (a replay's Destination.FilterArns).
   */
  publish(busName: string | undefined, event: Record<string, unknown>, ruleArns?: ReadonlySet<string>): number {
    let deliveries = this.route(busName, event);
    if (ruleArns) deliveries = deliveries.filter((d) => ruleArns.has(d.ruleArn));
    this.outbox.enqueue(deliveries, this.now());
    this.kick();
    return deliveries.length;
  }

  /** Deliveries for one event: every target of every matching rule, with the input shaped and the match explained. */
  route(busName: string | undefined, event: Record<string, unknown>): NewDelivery[] {
    const bus = this.registry.bus(busName);
    return this.routeTo(bus.name, this.registry.matchingRules(bus.name, event), event);
  }

  /** Deliveries of one event to the targets of the given rules (the scheduler targets its rule directly). */
  routeTo(bus: string, rules: readonly Rule[], event: Record<string, unknown>): NewDelivery[] {
    const ingestion = this.now();
    const ingestionTime = envelopeTime(new Date(ingestion));
    const out: NewDelivery[] = [];
    for (const rule of rules) {
      if (rule.targets.size === 0) continue;
      const explanation = rule.pattern ? explain(rule.pattern, event).summary : 'scheduled';
      const ctx: DeliveryContext = { ruleArn: rule.arn, ruleName: rule.name, ingestionTime };
      for (const target of rule.targets.values()) {
        const shaped = target.shaper.shape(event, ctx);
        out.push(this.delivery(bus, rule, target.spec, event, ingestion, explanation, shaped));
      }
    }
    return out;
  }

  private delivery(
    bus: string,
    rule: Rule,
    spec: TargetSpec,
    event: Record<string, unknown>,
    ingestion: number,
    explanation: string,
    shaped: { ok: true; body: string } | { ok: false; error: string },
  ): NewDelivery {
    return {
      eventId: String(event.id ?? ''),
      bus,
      ruleName: rule.name,
      ruleArn: rule.arn,
      targetId: spec.Id,
      targetArn: spec.Arn,
      body: shaped.ok ? shaped.body : undefined,
      ...(shaped.ok ? {} : { error: { code: 'SDK_CLIENT_ERROR', message: shaped.error } }),
      eventTime: ingestion,
      maxRetries: spec.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES,
      maxAgeSeconds: spec.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS,
      deadLetterArn: spec.DeadLetterConfig?.Arn,
      explanation,
    };
  }

  private invokerFor(d: Delivery): TargetInvoker | string {
    const key = `${d.ruleArn}\u0000${d.targetId}\u0000${d.targetArn}`;
    let inv = this.invokers.get(key);
    if (inv === undefined) {
      const rule = this.registry.bus(d.bus).rules.get(d.ruleName);
      const spec = rule?.targets.get(d.targetId)?.spec ?? { Id: d.targetId, Arn: d.targetArn };
      inv = this.opts.invoker
        ? this.opts.invoker(spec)
        : createInvoker(spec, {
            publish: (busName, event) => {
              this.publish(busName, event);
            },
            http: (s, url) => httpTargetFor(s, url),
            aws: this.registry.aws,
            slack: (url) => new SlackTarget(url),
          });
      this.invokers.set(key, inv);
    }
    return inv;
  }

  /** Deliver everything due now; repeat until nothing is due. Returns the number of attempts made. */
  async drain(): Promise<number> {
    let attempts = 0;
    const concurrency = this.opts.concurrency ?? 16;
    for (;;) {
      const due = this.outbox.dueDeliveries(this.now(), concurrency);
      if (due.length === 0) return attempts;
      await Promise.all(due.map((d) => this.attempt(d)));
      attempts += due.length;
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    const attempts = d.attempts + 1;
    const now = this.now();
    if (d.error) {
      // The input could not be shaped: not retriable.
      await this.exhaust(d, attempts - 1, d.error, undefined);
      return;
    }
    if (now - d.eventTime > d.maxAgeSeconds * 1000) {
      await this.exhaust(
        d,
        d.attempts,
        { code: d.lastErrorCode ?? 'TIMEOUT', message: d.lastErrorMessage ?? 'event too old' },
        'MaximumEventAgeInSeconds',
      );
      return;
    }
    const inv = this.invokerFor(d);
    let result: InvokeResult;
    if (typeof inv === 'string') {
      result = { ok: false, retriable: false, code: 'NO_RESOURCE', message: inv };
    } else {
      try {
        result = await inv.invoke(d.body ?? '', {
          ruleArn: d.ruleArn,
          ruleName: d.ruleName,
          targetId: d.targetId,
          eventId: d.eventId,
          attempt: attempts,
        });
      } catch (err) {
        result = { ok: false, retriable: true, code: 'SDK_CLIENT_ERROR', message: (err as Error).message };
      }
    }
    if (result.ok) {
      this.outbox.complete(d.id, 'delivered', attempts);
      this.outbox.count('Invocations', d.ruleArn, d.targetId);
      return;
    }
    const error = { code: result.code, message: result.message };
    if (!result.retriable) {
      await this.exhaust(d, attempts - 1, error, undefined);
      return;
    }
    if (result.stopRetrying || attempts - 1 >= d.maxRetries) {
      await this.exhaust(d, attempts - 1, error, 'MaximumRetryAttempts');
      return;
    }
    const wait = Math.max(backoffMs(attempts, this.opts.retry), result.retryAfterMs ?? 0);
    const next = this.now() + wait;
    if (next - d.eventTime > d.maxAgeSeconds * 1000) {
      await this.exhaust(d, attempts - 1, error, 'MaximumEventAgeInSeconds');
      return;
    }
    this.outbox.retryLater(d.id, attempts, next, error);
  }

  /** A delivery that will not be retried: to the DLQ when configured, else dropped. */
  private async exhaust(
    d: Delivery,
    retries: number,
    error: { code: string; message: string },
    condition: DeadLetterAttributes['EXHAUSTED_RETRY_CONDITION'],
  ): Promise<void> {
    const attempts = retries + 1;
    this.outbox.count('Invocations', d.ruleArn, d.targetId);
    this.outbox.count('FailedInvocations', d.ruleArn, d.targetId);
    if (!d.deadLetterArn) {
      this.outbox.complete(d.id, 'dropped', attempts, error);
      return;
    }
    const attributes: DeadLetterAttributes = {
      RULE_ARN: d.ruleArn,
      TARGET_ARN: d.targetArn,
      ERROR_CODE: error.code,
      ERROR_MESSAGE: error.message,
      RETRY_ATTEMPTS: String(retries),
      ...(condition ? { EXHAUSTED_RETRY_CONDITION: condition } : {}),
    };
    const sent = await sendToDeadLetter(d.deadLetterArn, d.body ?? '', attributes, this.registry.aws);
    if (sent === true) {
      this.outbox.count('InvocationsSentToDLQ', d.ruleArn, d.targetId);
      this.outbox.complete(d.id, 'dead-lettered', attempts, error);
    } else {
      this.outbox.count('InvocationsFailedToBeSentToDLQ', d.ruleArn, d.targetId);
      this.outbox.complete(d.id, 'dropped', attempts, { code: error.code, message: `${error.message}; DLQ: ${sent}` });
    }
  }

  /** Enqueue deliveries built elsewhere (scheduler) and wake the worker. */
  enqueue(deliveries: NewDelivery[]): void {
    this.outbox.enqueue(deliveries, this.now());
    this.kick();
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.loop(), 0);
  }

  private loop(): void {
    if (this.stopped || this.running) return;
    this.running = this.drain()
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const next = this.outbox.nextDueAt();
        if (next !== undefined)
          this.timer = setTimeout(() => this.loop(), Math.max(0, Math.min(next - this.now(), 60_000)));
      });
  }

  /** Deliver in the background until stop(). */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * Write a dead letter: SQS queues get the body with the attributes as message attributes (as AWS sends them);
 * `file:` DLQs get one JSON line {body, attributes}. Returns true or why it failed.
 */
export async function sendToDeadLetter(
  arn: string,
  body: string,
  attributes: DeadLetterAttributes,
  aws: BusAwsSettings = {},
): Promise<true | string> {
  if (/^arn:[^:]+:sqs:/.test(arn)) return sqsDeadLetter(arn, body, attributes, { endpoint: aws.endpoint });
  if (!arn.startsWith('file:'))
    return `dead-letter target ${arn} is not supported (use an SQS queue ARN or a file: DLQ)`;
  const path = arn.startsWith('file://') ? fileURLToPath(arn) : arn.slice(5);
  try {
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, `${JSON.stringify({ body, attributes })}\n`);
    return true;
  } catch (err) {
    return (err as Error).message;
  }
}

export type { BusEvent };
