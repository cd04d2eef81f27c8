/**
 * Remediation actions as bus targets. A target whose Arn is `vigil:remediation:<action>` runs that action on each
 * delivery; its settings sit in `RemediationParameters`, as SqsParameters/EcsParameters do for AWS targets:
 *
 *   Targets:
 *     - Id: quarantine
 *       Arn: vigil:remediation:ec2-quarantine-instance
 *       RemediationParameters: { Mode: auto, Parameters: { isolationGroupName: vigil-isolation } }
 *       InputTransformer: { InputPathsMap: { id: $.detail.resource.instanceDetails.instanceId },
 *                           InputTemplate: '{"instanceId": <id>}' }
 *       RetryPolicy: { MaximumRetryAttempts: 5 }
 *       DeadLetterConfig: { Arn: file:///var/lib/vigil/remediation-dlq.jsonl }
 *
 * The delivered input (after InputPath / InputTransformer) is the action's parameters; when it is a whole event
 * (no shaping), the parameters come from the finding-type / Config-rule mapping. Static `Parameters` win over values
 * from the event (the operator's configuration is the last word). A retriable failure (throttling, 5xx) is returned
 * as retriable so the bus retries with the target's RetryPolicy and then dead-letters it.
 */

import type { TargetSpec } from '../bus/registry.js';
import type { InvokeContext, InvokeResult, InvokerDeps, TargetInvoker } from '../bus/targets.js';
import type { Action, ActionContext } from './action.js';
import { classifyCode, EVENT_SOURCE, RemediationRunner } from './runner.js';
import type { Execution, ExecutionStore } from './store.js';
import { MODES, type Mode } from './store.js';

export const REMEDIATION_ARN_PREFIX = 'vigil:remediation:';

/** `RemediationParameters` of a remediation target. */
export interface RemediationTargetSettings {
  /** dryRun (default): plan and record only; approve: record as pending for `vigil respond approve`; auto: apply. */
  Mode?: Mode;
  /** Static action parameters; they win over parameters taken from the event. */
  Parameters?: Record<string, unknown>;
  /** Region to act in (default: the event's `region`, else the runner's default region). */
  Region?: string;
  /** Account the action acts in (default: the event's `account`, else the configured/resolved account). */
  AccountId?: string;
  /** Bus that receives the execution events (default: the bus of the rule that matched). */
  EventBusName?: string;
}

const SETTING_KEYS = new Set(['Mode', 'Parameters', 'Region', 'AccountId', 'EventBusName']);

export interface ParsedTarget {
  action: Action<unknown>;
  mode: Mode;
  parameters: Record<string, unknown>;
  region?: string;
  accountId?: string;
  eventBusName?: string;
}

/** Check a target spec; returns its settings or why it cannot run (unknown action, bad mode, unknown setting). */
export function parseRemediationTarget(
  spec: TargetSpec,
  actions: (name: string) => Action<unknown> | undefined,
): ParsedTarget | string {
  const name = spec.Arn.slice(REMEDIATION_ARN_PREFIX.length);
  const action = actions(name);
  if (!action) return `target ${spec.Id}: unknown remediation action "${name}" (see vigil respond list)`;
  const raw = spec.RemediationParameters ?? {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return `target ${spec.Id}: RemediationParameters must be a mapping`;
  const s = raw as Record<string, unknown>;
  const unknown = Object.keys(s).filter((k) => !SETTING_KEYS.has(k));
  if (unknown.length > 0)
    return `target ${spec.Id}: unknown RemediationParameters ${unknown.join(', ')} (known: ${[...SETTING_KEYS].join(', ')})`;
  const mode = s.Mode ?? 'dryRun';
  if (!(MODES as readonly unknown[]).includes(mode))
    return `target ${spec.Id}: RemediationParameters.Mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`;
  const params = s.Parameters ?? {};
  if (!params || typeof params !== 'object' || Array.isArray(params))
    return `target ${spec.Id}: RemediationParameters.Parameters must be a mapping`;
  for (const k of ['Region', 'AccountId', 'EventBusName'] as const) {
    if (s[k] !== undefined && typeof s[k] !== 'string')
      return `target ${spec.Id}: RemediationParameters.${k} must be a string`;
  }
  return {
    action,
    mode: mode as Mode,
    parameters: params as Record<string, unknown>,
    ...(s.Region ? { region: s.Region as string } : {}),
    ...(s.AccountId ? { accountId: s.AccountId as string } : {}),
    ...(s.EventBusName ? { eventBusName: s.EventBusName as string } : {}),
  };
}

/** An EventBridge event envelope (the whole event was delivered, not a shaped input). */
export function isEventEnvelope(v: unknown): v is Record<string, unknown> & { detail: Record<string, unknown> } {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.source === 'string' &&
    typeof e['detail-type'] === 'string' &&
    !!e.detail &&
    typeof e.detail === 'object' &&
    !Array.isArray(e.detail)
  );
}

/** Parameters for an action from a whole event (the mapping's extraction); a string says why there are none. */
export type EventParams = (action: string, event: Record<string, unknown>) => Record<string, unknown> | string;

export interface RemediationTargetOptions {
  actions: (name: string) => Action<unknown> | undefined;
  /** The store, opened on first use (a bus without remediation targets never creates the file). */
  store: () => ExecutionStore;
  /** Clients for a region and account. */
  context: (region: string, accountId: string | undefined) => ActionContext | Promise<ActionContext>;
  /** Default region when neither the target nor the event names one. */
  region: string;
  endpoint?: string;
  eventParams?: EventParams;
}

/** The bus of a rule ARN (`…:rule/<bus>/<name>`, or `…:rule/<name>` on the default bus). */
export function busOfRule(ruleArn: string): string {
  const m = /:rule\/(.+)$/.exec(ruleArn);
  if (!m) return 'default';
  const parts = m[1]!.split('/');
  return parts.length > 1 ? parts.slice(0, -1).join('/') : 'default';
}

export class RemediationTarget implements TargetInvoker {
  constructor(
    readonly spec: TargetSpec,
    readonly settings: ParsedTarget,
    private readonly opts: RemediationTargetOptions,
    private readonly publish: InvokerDeps['publish'],
  ) {}

  async invoke(body: string, ictx: InvokeContext): Promise<InvokeResult> {
    const s = this.settings;
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      input = body;
    }
    const envelope = isEventEnvelope(input) ? input : undefined;
    let fromEvent: unknown = input;
    let note: string | undefined;
    if (envelope) {
      const mapped = this.opts.eventParams
        ? this.opts.eventParams(s.action.name, envelope)
        : 'no parameter mapping is configured';
      if (typeof mapped === 'string') {
        fromEvent = {};
        note = mapped;
      } else fromEvent = mapped;
    }
    const params =
      fromEvent && typeof fromEvent === 'object' && !Array.isArray(fromEvent)
        ? { ...(fromEvent as Record<string, unknown>), ...s.parameters }
        : Object.keys(s.parameters).length > 0
          ? s.parameters
          : fromEvent;
    const region = s.region ?? (typeof envelope?.region === 'string' ? envelope.region : undefined) ?? this.opts.region;
    const accountId = s.accountId ?? (typeof envelope?.account === 'string' ? envelope.account : undefined);
    // Results of remediations are not re-emitted when a remediation event triggered this one: a rule that matches
    // its own results would otherwise loop forever.
    const quiet = envelope?.source === EVENT_SOURCE;
    const bus = s.eventBusName ?? busOfRule(ictx.ruleArn);
    const runner = new RemediationRunner({
      actions: this.opts.actions,
      context: (r) => this.opts.context(r, accountId),
      region,
      ...(this.opts.endpoint ? { endpoint: this.opts.endpoint } : {}),
      store: this.opts.store(),
      emit: quiet
        ? undefined
        : (event) => {
            try {
              this.publish(bus, event);
            } catch {
              // The bus may be gone (config reloaded); the store still has the execution.
            }
          },
    });
    let exec: Execution;
    try {
      exec = await runner.run({
        action: s.action.name,
        params,
        mode: s.mode,
        region,
        ...(accountId ? { accountId } : {}),
        trigger: {
          via: 'bus',
          eventId: ictx.eventId,
          ruleArn: ictx.ruleArn,
          ruleName: ictx.ruleName,
          targetId: ictx.targetId,
          attempt: ictx.attempt,
        },
      });
    } catch (err) {
      // The store itself failed (disk full, locked): worth retrying.
      return { ok: false, retriable: true, code: 'SDK_CLIENT_ERROR', message: (err as Error).message };
    }
    return invokeResult(exec, note);
  }
}

/** The bus's view of an execution: delivered, or a failure that is (not) worth retrying. */
export function invokeResult(exec: Execution, note?: string): InvokeResult {
  const tag = `remediation ${exec.id} (${exec.action})`;
  switch (exec.status) {
    case 'planned':
    case 'pending':
    case 'applied':
    case 'noop':
      return { ok: true };
    case 'invalid':
      return {
        ok: false,
        retriable: false,
        code: 'SDK_CLIENT_ERROR',
        message: `${tag}: ${exec.error?.message ?? 'invalid'}${note ? ` (${note})` : ''}`,
      };
    case 'blocked':
      return { ok: false, retriable: false, code: 'NO_RESOURCE', message: `${tag}: ${exec.error?.message ?? ''}` };
    default: {
      const e = exec.error ?? { code: 'Error', message: exec.status, retriable: false };
      const c = classifyCode(e.code, e.message);
      return {
        ok: false,
        retriable: e.retriable,
        code: c.dlqCode,
        message: `${tag}: ${e.call ? `${e.call}: ` : ''}${e.code}: ${e.message}`,
      };
    }
  }
}

/** The target factory for the bus (registered with registerTargetFactory). */
export function remediationTargetFactory(
  opts: RemediationTargetOptions,
): (spec: TargetSpec, deps: InvokerDeps) => TargetInvoker | string {
  return (spec, deps) => {
    const parsed = parseRemediationTarget(spec, opts.actions);
    return typeof parsed === 'string' ? parsed : new RemediationTarget(spec, parsed, opts, deps.publish);
  };
}

export const isRemediationTarget = (spec: TargetSpec): boolean =>
  typeof spec.Arn === 'string' && spec.Arn.startsWith(REMEDIATION_ARN_PREFIX);

/** Problems of every remediation target of a registry's rules, for reporting right after loading a bus config. */
export function checkRemediationTargets(
  rules: Iterable<{ name: string; targets: Map<string, { spec: TargetSpec }> }>,
  actions: (name: string) => Action<unknown> | undefined,
): string[] {
  const out: string[] = [];
  for (const rule of rules)
    for (const t of rule.targets.values())
      if (isRemediationTarget(t.spec)) {
        const p = parseRemediationTarget(t.spec, actions);
        if (typeof p === 'string') out.push(`rule ${rule.name}: ${p}`);
      }
  return out;
}
