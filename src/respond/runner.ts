/**
 * The remediation runner: validates parameters, plans, and — by mode — records the plan (dryRun), parks it for an
 * operator (approve) or applies it (auto). Every execution is written to the store and emitted as a
 * "Vigil Remediation Execution" event so bus rules can route results (alert on failures, audit every change).
 * Retrying is not done here: a failed execution says whether it is retriable, and the bus target turns that into
 * the bus's retry policy and dead-letter queue.
 */
import { randomUUID } from 'node:crypto';
import type { Action, ActionContext, CallResult, Plan, PlannedCall } from './action.js';
import type { Approval, Execution, ExecutionError, ExecutionStatus, ExecutionStore, Mode, Trigger } from './store.js';

export const EVENT_SOURCE = 'vigil.respond';
export const EVENT_DETAIL_TYPE = 'Vigil Remediation Execution';

// ---------------------------------------------------------------------------------------------------------------
// Error classification

export interface ClassifiedError {
  code: string;
  message: string;
  retriable: boolean;
  /** EventBridge DLQ ERROR_CODE: THROTTLING, TIMEOUT, NO_PERMISSIONS, NO_RESOURCE or SDK_CLIENT_ERROR. */
  dlqCode: string;
}

/** Codes AWS services use for request-rate limits. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'SlowDown',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
]);
const TIMEOUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ETIMEDOUT']);
/** Transient server or transport failures. */
const TRANSIENT = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'InternalServiceErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const PERMISSION =
  /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|AuthFailure|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|ExpiredTokenException|UnrecognizedClientException|OptInRequired|Forbidden|HTTP40[13])$/;
const MISSING = /NotFound|NoSuch|DoesNotExist|NonExistent|^HTTP404$/;

/**
 * Throttling, timeouts and 5xx are transient: the bus retries them. A missing permission or resource, or a rejected
 * request, fails the same way again, so it goes straight to the dead-letter queue. `HTTPnnn` codes come from the
 * webhook actions.
 */
export function classifyCode(code: string, message: string, httpStatus?: number): ClassifiedError {
  const http = /^HTTP(\d{3})$/.exec(code);
  const status = httpStatus ?? (http ? Number(http[1]) : undefined);
  if (THROTTLING.has(code) || status === 429) return { code, message, retriable: true, dlqCode: 'THROTTLING' };
  if (TIMEOUT.has(code)) return { code, message, retriable: true, dlqCode: 'TIMEOUT' };
  if (TRANSIENT.has(code) || (status !== undefined && status >= 500))
    return { code, message, retriable: true, dlqCode: 'SDK_CLIENT_ERROR' };
  if (PERMISSION.test(code)) return { code, message, retriable: false, dlqCode: 'NO_PERMISSIONS' };
  if (MISSING.test(code)) return { code, message, retriable: false, dlqCode: 'NO_RESOURCE' };
  return { code, message, retriable: false, dlqCode: 'SDK_CLIENT_ERROR' };
}

/** A thrown value: AWS SDK v3 errors (name, $metadata, $retryable), Node system errors, anything else. */
export function classifyError(err: unknown): ClassifiedError {
  if (err instanceof Error) {
    const e = err as Error & {
      Code?: unknown;
      code?: unknown;
      $metadata?: { httpStatusCode?: number };
      $retryable?: { throttling?: boolean };
      cause?: { code?: unknown };
    };
    const named = [e.Code, e.code, e.cause?.code, e.name].find((v) => typeof v === 'string' && v !== 'Error');
    const code = (named as string | undefined) ?? 'Error';
    const c = classifyCode(code, e.message || code, e.$metadata?.httpStatusCode);
    return e.$retryable?.throttling && !c.retriable ? { ...c, retriable: true, dlqCode: 'THROTTLING' } : c;
  }
  return classifyCode('Error', String(err));
}

/**
 * Actions turn planning exceptions into a blocked plan whose reason starts with AWS's code (`Code: message`);
 * a transient code there (a throttled Describe call) makes the execution a retriable failure, not a block.
 */
function blockedAsError(reason: string): ClassifiedError | undefined {
  const m = /^([A-Za-z][\w.]*): ([\s\S]*)$/.exec(reason);
  if (!m) return undefined;
  const c = classifyCode(m[1]!, m[2]!);
  return c.retriable ? c : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Runner

export interface RunRequest {
  action: string;
  /** Raw parameters; validated against the action's schema. */
  params: unknown;
  mode?: Mode;
  /** Region to act in (default: the runner's). */
  region?: string;
  /** The account, when known before the context is built (recorded even when validation fails). */
  accountId?: string;
  trigger?: Trigger;
}

export interface RunnerOptions {
  /** Action lookup by name. */
  actions: (name: string) => Action<unknown> | undefined;
  /** The clients an execution runs with, per region (async: the account id may need an STS call). */
  context: (region: string) => ActionContext | Promise<ActionContext>;
  region: string;
  /** Recorded with each execution (an emulator endpoint, for the record and for approving later). */
  endpoint?: string;
  /** Where executions are recorded (none: plan-only use, e.g. `vigil respond plan`). */
  store?: ExecutionStore;
  /** Receives each execution event (AWS envelope); the bus target publishes it on the bus. */
  emit?: (event: Record<string, unknown>) => void | Promise<void>;
  now?: () => Date;
  newId?: () => string;
}

export interface ApproveResult {
  execution: Execution;
  /** The fresh plan matched the recorded one (or `force` was given) and was applied. */
  applied: boolean;
  diff: string[];
}

/** Parameter errors of one action, each naming the parameter; empty when valid. */
export function paramErrors(action: Action<unknown>, raw: unknown): { params?: unknown; errors: string[] } {
  const r = action.params.safeParse(raw ?? {});
  if (r.success) return { params: r.data, errors: [] };
  return {
    errors: r.error.issues.map(
      (i) => `${action.name}: parameter ${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`,
    ),
  };
}

/** Canonical JSON (sorted keys) so that two plans compare by content, not key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    return `{${keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const callText = (c: PlannedCall) => `${c.api ?? c.action} ${canonical(c.params)}`;

/** Calls only in `before` (`- …`) and only in `after` (`+ …`); empty when both plans make the same calls. */
export function diffPlans(before: Plan, after: Plan): string[] {
  const a = before.calls.map(callText);
  const b = after.calls.map(callText);
  if (a.length === b.length && a.every((x, i) => x === b[i])) return [];
  const out: string[] = [];
  const inB = new Set(b);
  const inA = new Set(a);
  for (const x of a) if (!inB.has(x)) out.push(`- ${x}`);
  for (const x of b) if (!inA.has(x)) out.push(`+ ${x}`);
  // Same calls in another order: still a different plan.
  if (out.length === 0) out.push('~ the same calls in a different order');
  return out;
}

function errorOf(c: ClassifiedError, call?: string): ExecutionError {
  return { code: c.code, message: c.message, retriable: c.retriable, ...(call ? { call } : {}) };
}

export class RemediationRunner {
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly opts: RunnerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.newId = opts.newId ?? randomUUID;
  }

  /** Plan only (nothing recorded, nothing emitted): for `vigil respond plan`. Throws on unknown action/bad params. */
  async plan(name: string, raw: unknown, region = this.opts.region): Promise<{ plan: Plan; params: unknown }> {
    const action = this.opts.actions(name);
    if (!action) throw new Error(`unknown action ${name}`);
    const v = paramErrors(action, raw);
    if (v.errors.length > 0) throw new Error(v.errors.join('; '));
    return { plan: await action.plan(v.params, await this.opts.context(region)), params: v.params };
  }

  /** Validate, plan and — by mode — record, park or apply; the execution is recorded and emitted in every case. */
  async run(req: RunRequest): Promise<Execution> {
    const started = performance.now();
    const region = req.region ?? this.opts.region;
    const at = this.now().toISOString();
    const exec: Execution = {
      id: this.newId(),
      action: req.action,
      mode: req.mode ?? 'dryRun',
      status: 'planned',
      params: (req.params && typeof req.params === 'object' ? req.params : {}) as Record<string, unknown>,
      results: [],
      trigger: req.trigger ?? { via: 'cli' },
      region,
      ...(this.opts.endpoint ? { endpoint: this.opts.endpoint } : {}),
      accountId: req.accountId ?? '',
      timings: { totalMs: 0 },
      createdAt: at,
      updatedAt: at,
    };
    const action = this.opts.actions(req.action);
    if (!action) {
      exec.status = 'invalid';
      exec.error = { code: 'UnknownAction', message: `unknown action ${req.action}`, retriable: false };
      return this.finish(exec, started);
    }
    const v = paramErrors(action, req.params);
    if (v.errors.length > 0) {
      exec.status = 'invalid';
      exec.error = { code: 'InvalidParameters', message: v.errors.join('; '), retriable: false };
      return this.finish(exec, started);
    }
    exec.params = v.params as Record<string, unknown>;
    let ctx: ActionContext;
    try {
      ctx = await this.opts.context(region);
    } catch (err) {
      exec.status = 'failed';
      exec.error = errorOf(classifyError(err));
      return this.finish(exec, started);
    }
    exec.accountId = ctx.accountId;
    const plan = await this.planTimed(action, v.params, ctx, exec);
    if (!plan) return this.finish(exec, started);
    if (plan.blocked || plan.noop || exec.mode === 'dryRun') return this.finish(exec, started);
    if (exec.mode === 'approve') {
      exec.status = 'pending';
      return this.finish(exec, started);
    }
    await this.applyTimed(action, plan, v.params, ctx, exec);
    return this.finish(exec, started);
  }

  /**
   * Approve a pending execution: re-plan with the recorded parameters; when the fresh plan makes the same calls
   * (or `force`), apply it. A plan that changed is not applied: the diff is recorded and returned.
   */
  async approve(id: string, options: { force?: boolean } = {}): Promise<ApproveResult> {
    const store = this.opts.store;
    if (!store) throw new Error('approving needs a store');
    const found = store.find(id);
    if (typeof found === 'string') throw new Error(found);
    const exec = found;
    if (exec.status !== 'pending')
      throw new Error(`execution ${exec.id} is ${exec.status}, not pending approval (only approve-mode plans wait)`);
    const action = this.opts.actions(exec.action);
    if (!action) throw new Error(`execution ${exec.id}: unknown action ${exec.action}`);
    const v = paramErrors(action, exec.params);
    if (v.errors.length > 0) throw new Error(v.errors.join('; '));
    const started = performance.now();
    const ctx = await this.opts.context(exec.region);
    const before = exec.plan!;
    const fresh = await this.planTimed(action, v.params, ctx, exec);
    if (!fresh || (exec.status as ExecutionStatus) === 'failed') {
      // Re-planning failed (throttled, no access): nothing was changed, so the plan keeps waiting.
      exec.plan = before;
      exec.target = before.target;
      exec.status = 'pending';
      return { execution: await this.finish(exec, started), applied: false, diff: [] };
    }
    const diff = diffPlans(before, fresh);
    const approval: Approval = {
      at: this.now().toISOString(),
      matched: diff.length === 0,
      diff,
      forced: diff.length > 0 && Boolean(options.force),
    };
    exec.approval = approval;
    if (fresh.blocked || fresh.noop) return { execution: await this.finish(exec, started), applied: false, diff };
    if (diff.length > 0 && !options.force) {
      // Keep waiting: the operator sees the diff and approves again (with --force) or rejects.
      exec.plan = before;
      exec.status = 'pending';
      exec.target = before.target;
      return { execution: await this.finish(exec, started), applied: false, diff };
    }
    await this.applyTimed(action, fresh, v.params, ctx, exec);
    const done = await this.finish(exec, started);
    return { execution: done, applied: done.status === 'applied', diff };
  }

  /** Decline a pending execution (recorded and emitted as `rejected`). */
  async reject(id: string, reason?: string): Promise<Execution> {
    const store = this.opts.store;
    if (!store) throw new Error('rejecting needs a store');
    const found = store.find(id);
    if (typeof found === 'string') throw new Error(found);
    if (found.status !== 'pending') throw new Error(`execution ${found.id} is ${found.status}, not pending approval`);
    found.status = 'rejected';
    found.error = { code: 'Rejected', message: reason ?? 'rejected by the operator', retriable: false };
    return this.finish(found, performance.now(), false);
  }

  private async planTimed(
    action: Action<unknown>,
    params: unknown,
    ctx: ActionContext,
    exec: Execution,
  ): Promise<Plan | undefined> {
    const t = performance.now();
    let plan: Plan;
    try {
      plan = await action.plan(params, ctx);
    } catch (err) {
      exec.timings.planMs = ms(performance.now() - t);
      exec.status = 'failed';
      exec.error = errorOf(classifyError(err));
      return undefined;
    }
    exec.timings.planMs = ms(performance.now() - t);
    exec.plan = plan;
    exec.target = plan.target;
    if (plan.blocked) {
      const transient = blockedAsError(plan.blocked);
      exec.status = transient ? 'failed' : 'blocked';
      exec.error = transient ? errorOf(transient) : { code: 'Blocked', message: plan.blocked, retriable: false };
    } else if (plan.noop) {
      exec.status = 'noop';
      exec.error = undefined;
    } else {
      exec.status = exec.mode === 'dryRun' ? 'planned' : exec.status;
      exec.error = undefined;
    }
    return plan;
  }

  private async applyTimed(
    action: Action<unknown>,
    plan: Plan,
    params: unknown,
    ctx: ActionContext,
    exec: Execution,
  ): Promise<void> {
    const t = performance.now();
    let results: CallResult[];
    try {
      results = await action.apply(plan, params, ctx);
    } catch (err) {
      exec.timings.applyMs = ms(performance.now() - t);
      exec.status = 'failed';
      exec.error = errorOf(classifyError(err));
      return;
    }
    exec.timings.applyMs = ms(performance.now() - t);
    exec.results = results;
    const failed = results.find((r) => !r.ok);
    if (failed) {
      exec.status = 'failed';
      const e = failed.error ?? { code: 'Error', message: 'call failed' };
      exec.error = errorOf(classifyCode(e.code, e.message), failed.call.action);
    } else if (results.length < plan.calls.length) {
      exec.status = 'failed';
      exec.error = {
        code: 'Incomplete',
        message: `${results.length} of ${plan.calls.length} planned calls were made`,
        retriable: false,
      };
    } else {
      exec.status = 'applied';
      exec.error = undefined;
    }
  }

  private async finish(exec: Execution, started: number, timed = true): Promise<Execution> {
    if (timed) exec.timings.totalMs = ms(performance.now() - started);
    exec.updatedAt = this.now().toISOString();
    this.opts.store?.put(exec);
    if (this.opts.emit) await this.opts.emit(executionEvent(exec, this.now()));
    return exec;
  }
}

const ms = (x: number) => Math.round(x * 10) / 10;

/**
 * The event for an execution, in EventBridge's envelope. `detail` carries everything a rule may route on: status,
 * action, mode, resource, the triggering event/rule/target, the calls (planned, and made with their results) and the
 * error with whether it was retriable.
 */
export function executionEvent(exec: Execution, time: Date = new Date()): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': EVENT_DETAIL_TYPE,
    source: EVENT_SOURCE,
    account: exec.accountId,
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: exec.region,
    resources: exec.target ? [exec.target] : [],
    detail: {
      executionId: exec.id,
      action: exec.action,
      mode: exec.mode,
      status: exec.status,
      target: exec.target ?? null,
      params: exec.params,
      trigger: exec.trigger,
      plan: exec.plan
        ? {
            noop: exec.plan.noop,
            ...(exec.plan.blocked ? { blocked: exec.plan.blocked } : {}),
            calls: exec.plan.calls,
            observed: exec.plan.observed,
          }
        : null,
      results: exec.results,
      error: exec.error ?? null,
      ...(exec.approval ? { approval: exec.approval } : {}),
      timings: exec.timings,
      createdAt: exec.createdAt,
      updatedAt: exec.updatedAt,
    },
  };
}
