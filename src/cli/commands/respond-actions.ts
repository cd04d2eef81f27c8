/** `vigil respond …` actions and the remediation bus targets (registered in respond.ts). */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { loadBusConfig } from '../../bus/config.js';
import { EventBusRegistry } from '../../bus/registry.js';
import { describeError, UsageError, VigilError } from '../../core/errors.js';
import { publishToBus } from '../../posture/events.js';
import type { Action, Plan } from '../../respond/action.js';
import {
  ACTIONS,
  type AwsSettings,
  actionByName,
  checkRemediationTargets,
  contextFactory,
  defaultRegion,
  defaultStatePath,
  type Execution,
  ExecutionStore,
  eventParamsFor,
  isEventEnvelope,
  isRemediationTarget,
  leastPrivilegePolicy,
  loadMapping,
  MANAGED_POLICY_LIMIT,
  MODES,
  type Mode,
  paramErrors,
  RemediationRunner,
  type ResponseMapping,
  registerRemediationTargets,
} from '../../respond/index.js';
import { writeOut } from '../stdout.js';
import { renderTable } from '../tables.js';

/**
 * `vigil respond …`: the remediation action library from the command line (list, plan, run, approve, history,
 * permissions). Registering the group also makes `vigil:remediation:<action>` bus targets available to every bus in
 * this process (`vigil bus serve`, `vigil audit --bus-config`, `vigil detect --route`), acting where AWS_REGION /
 * AWS_ENDPOINT_URL point and recording in VIGIL_RESPOND_STATE or the data directory.
 */

interface AwsOptions {
  region?: string;
  endpointUrl?: string;
  profile?: string;
  accountId?: string;
}

interface InputOptions extends AwsOptions {
  event?: string;
  mapping?: string;
  param: string[];
  format: 'text' | 'json';
}

interface RunOptions extends InputOptions {
  mode: string;
  state?: string;
  busConfig?: string;
  eventBusName?: string;
}

const lookup = actionByName as (name: string) => Action<unknown> | undefined;

function actionOrExit(name: string): Action<unknown> {
  const a = lookup(name);
  if (!a) {
    const near = ACTIONS.map((x) => x.name).filter((n) => n.includes(name) || name.includes(n.split('-')[0]!));
    throw new UsageError(
      `unknown action "${name}"${near.length ? ` (did you mean ${near.slice(0, 3).join(', ')}?)` : ''}; see vigil respond list`,
    );
  }
  return a;
}

/** `--param k=v` flags → parameters (values as YAML so numbers and lists keep their types). */
export function parseParamFlags(flags: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param "${f}": expected key=value`);
    let value: unknown;
    try {
      value = parseYaml(f.slice(eq + 1));
    } catch (err) {
      throw new UsageError(`--param "${f}": ${describeError(err)}`);
    }
    out[f.slice(0, eq)] = value ?? '';
  }
  return out;
}

/** Read one event: an EventBridge envelope, or a bare GuardDuty finding (wrapped as GuardDuty publishes it). */
export function readEvent(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--event ${file}: cannot read: ${describeError(err)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const lines = text.trim().split('\n');
    if (lines.length > 1 && lines.every((l) => l.trim().startsWith('{')))
      throw new UsageError(`--event ${file}: holds ${lines.length} JSON lines; give one event`);
    throw new UsageError(`--event ${file}: not valid JSON: ${describeError(err)}`);
  }
  if (Array.isArray(doc)) {
    if (doc.length !== 1) throw new UsageError(`--event ${file}: holds a list of ${doc.length} items; give one event`);
    doc = doc[0];
  }
  if (isEventEnvelope(doc)) return doc;
  if (
    doc &&
    typeof doc === 'object' &&
    typeof (doc as Record<string, unknown>).type === 'string' &&
    'resource' in doc
  ) {
    const f = doc as Record<string, unknown>;
    return {
      version: '0',
      id: String(f.id ?? ''),
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      account: f.accountId,
      region: f.region,
      time: f.updatedAt,
      resources: [],
      detail: f,
    };
  }
  throw new UsageError(
    `--event ${file}: not an EventBridge event (needs source, detail-type and a detail object) nor a GuardDuty finding`,
  );
}

interface Input {
  action: Action<unknown>;
  params: Record<string, unknown>;
  event?: Record<string, unknown>;
  notes: string[];
}

/** Parameters from the event (through the mapping) overlaid with --param; validated, or exit 2 naming each problem. */
function resolveInput(name: string, o: InputOptions): Input {
  const action = actionOrExit(name);
  const notes: string[] = [];
  let params: Record<string, unknown> = {};
  let event: Record<string, unknown> | undefined;
  if (o.event) {
    event = readEvent(o.event);
    const mappingFile = o.mapping ?? process.env.VIGIL_RESPOND_MAPPING;
    const mapped = eventParamsFor(action.name, event, mappingFile ? loadMapping(mappingFile) : undefined);
    if (typeof mapped === 'string') notes.push(mapped);
    else params = mapped;
  }
  params = { ...params, ...parseParamFlags(o.param) };
  if (!o.event && o.param.length === 0)
    throw new UsageError(
      `give --event FILE or --param key=value (see vigil respond list for ${action.name}'s parameters)`,
    );
  const v = paramErrors(action, params);
  if (v.errors.length > 0)
    throw new UsageError(`${[...v.errors, ...notes.map((n) => `from the event: ${n}`)].join('; ')}`);
  return { action, params, event, notes };
}

function awsSettings(o: AwsOptions, event?: Record<string, unknown>): AwsSettings & { region: string } {
  const eventRegion = typeof event?.region === 'string' ? event.region : undefined;
  const eventAccount = typeof event?.account === 'string' && /^\d{12}$/.test(event.account) ? event.account : undefined;
  return {
    region: o.region ?? eventRegion ?? defaultRegion({}),
    ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    ...((o.accountId ?? eventAccount) ? { accountId: o.accountId ?? eventAccount } : {}),
  };
}

function runnerFor(
  s: AwsSettings & { region: string },
  extra: { store?: ExecutionStore; emit?: (e: Record<string, unknown>) => void },
) {
  const contexts = contextFactory(s);
  return new RemediationRunner({
    actions: lookup,
    context: (region) => contexts(region),
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    ...extra,
  });
}

/** The plan as the exact API calls it makes, one per line with its parameters and reason. */
export function formatPlan(plan: Plan, region: string): string {
  const lines = [`${plan.action} → ${plan.target} (${region})`];
  if (plan.blocked) lines.push(`blocked: ${plan.blocked}`);
  else if (plan.noop) lines.push('nothing to do: already in the desired state');
  else lines.push(`${plan.calls.length} call${plan.calls.length === 1 ? '' : 's'}:`);
  plan.calls.forEach((c, i) => {
    const api = c.api && c.api !== c.action ? `${c.api} (IAM ${c.action})` : c.action;
    lines.push(`  ${i + 1}. ${api} ${JSON.stringify(c.params)}`, `     why: ${c.reason}`);
  });
  if (Object.keys(plan.observed).length > 0) lines.push(`observed: ${JSON.stringify(plan.observed)}`);
  return `${lines.join('\n')}\n`;
}

function formatExecution(e: Execution): string {
  const out = [
    `execution ${e.id}: ${e.action} ${e.mode} → ${e.status}${e.target ? ` (${e.target})` : ''}`,
    ...(e.plan ? [formatPlan(e.plan, e.region).trimEnd()] : []),
  ];
  for (const r of e.results)
    out.push(
      `  ${r.ok ? 'ok    ' : 'FAILED'} ${r.call.api ?? r.call.action}${r.error ? `: ${r.error.code}: ${r.error.message}` : ''}`,
    );
  if (e.approval?.diff.length) out.push('plan changed since it was recorded:', ...e.approval.diff.map((d) => `  ${d}`));
  if (e.error) out.push(`error: ${e.error.code}: ${e.error.message}${e.error.retriable ? ' (retriable)' : ''}`);
  if (e.status === 'pending') out.push(`approve with: vigil respond approve ${e.id}`);
  return `${out.join('\n')}\n`;
}

/** Exit 1 when the remediation did not reach its goal (failed, blocked, invalid). */
const failedStatus = (e: Execution) => e.status === 'failed' || e.status === 'blocked' || e.status === 'invalid';

function openStore(path: string | undefined): ExecutionStore {
  return new ExecutionStore(path ?? defaultStatePath());
}

export async function plan(name: string, o: InputOptions): Promise<void> {
  const input = resolveInput(name, o);
  const s = awsSettings(o, input.event);
  const runner = runnerFor(s, {});
  let result: { plan: Plan; params: unknown };
  try {
    result = await runner.plan(input.action.name, input.params, s.region);
  } catch (err) {
    throw new VigilError(`${input.action.name}: planning failed: ${describeError(err)}`);
  }
  for (const n of input.notes) process.stderr.write(`vigil: from the event: ${n}\n`);
  if (o.format === 'json') await writeOut(`${JSON.stringify({ params: result.params, plan: result.plan }, null, 2)}\n`);
  else await writeOut(formatPlan(result.plan, s.region));
  if (result.plan.blocked) process.exitCode = 1;
}

export async function run(name: string, o: RunOptions): Promise<void> {
  if (!(MODES as readonly string[]).includes(o.mode))
    throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got "${o.mode}"`);
  const busText = o.busConfig ? readConfig(o.busConfig) : undefined;
  const input = resolveInput(name, o);
  const s = awsSettings(o, input.event);
  const store = openStore(o.state);
  const events: Record<string, unknown>[] = [];
  let exec: Execution;
  try {
    const runner = runnerFor(s, { store, emit: (e) => void events.push(e) });
    exec = await runner.run({
      action: input.action.name,
      params: input.params,
      mode: o.mode as Mode,
      region: s.region,
      trigger: {
        via: 'cli',
        ...(typeof input.event?.id === 'string' && input.event.id ? { eventId: input.event.id } : {}),
      },
    });
  } finally {
    store.close();
  }
  await output(exec, o.format);
  if (busText !== undefined) await publish(busText, o, events);
  if (failedStatus(exec)) process.exitCode = 1;
}

export async function approve(
  id: string,
  o: AwsOptions & { state?: string; force?: boolean; format: string; busConfig?: string; eventBusName?: string },
) {
  const busText = o.busConfig ? readConfig(o.busConfig) : undefined;
  const store = openStore(o.state);
  const events: Record<string, unknown>[] = [];
  let result: Awaited<ReturnType<RemediationRunner['approve']>>;
  try {
    const found = store.find(id);
    if (typeof found === 'string') throw new UsageError(found);
    // Approve where it was planned unless told otherwise: the recorded region, endpoint and account.
    const s = awsSettings({
      region: o.region ?? found.region,
      endpointUrl: o.endpointUrl ?? found.endpoint,
      profile: o.profile,
      accountId: o.accountId ?? (found.accountId || undefined),
    });
    const runner = runnerFor(s, { store, emit: (e) => void events.push(e) });
    try {
      result = await runner.approve(found.id, { force: o.force });
    } catch (err) {
      throw new UsageError(describeError(err));
    }
  } finally {
    store.close();
  }
  await output(result.execution, o.format);
  if (busText !== undefined) await publish(busText, o, events);
  if (!result.applied || failedStatus(result.execution)) process.exitCode = result.execution.status === 'noop' ? 0 : 1;
}

export async function reject(id: string, o: { state?: string; reason?: string; format: string }) {
  const store = openStore(o.state);
  try {
    const runner = new RemediationRunner({
      actions: lookup,
      context: () => Promise.reject(new Error('unused')),
      region: 'us-east-1',
      store,
    });
    let exec: Execution;
    try {
      exec = await runner.reject(id, o.reason);
    } catch (err) {
      throw new UsageError(describeError(err));
    }
    await output(exec, o.format);
  } finally {
    store.close();
  }
}

async function output(e: Execution, format: string): Promise<void> {
  await writeOut(format === 'json' ? `${JSON.stringify(e, null, 2)}\n` : formatExecution(e));
}

function readConfig(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--bus-config ${file}: cannot read: ${describeError(err)}`);
  }
}

async function publish(
  text: string,
  o: { busConfig?: string; eventBusName?: string },
  events: Record<string, unknown>[],
) {
  ensureRemediationTargets();
  const r = await publishToBus({ text, file: o.busConfig! }, events, { busName: o.eventBusName });
  for (const i of r.issues) process.stderr.write(`vigil: ${i}\n`);
  for (const f of r.failures.slice(0, 20)) process.stderr.write(`vigil: delivery failed: ${f}\n`);
  process.stderr.write(
    `vigil: published ${r.events} execution events: ${r.routed} deliveries, ${r.delivered} delivered\n`,
  );
}

export async function history(o: { state?: string; limit?: number; status?: string; action?: string; format: string }) {
  const store = openStore(o.state);
  try {
    const list = store.history({
      limit: o.limit ?? 50,
      ...(o.status ? { status: o.status as Execution['status'] } : {}),
      ...(o.action ? { action: o.action } : {}),
    });
    if (o.format === 'json') await writeOut(`${JSON.stringify(list, null, 2)}\n`);
    else if (o.format === 'jsonl') await writeOut(list.map((e) => `${JSON.stringify(e)}\n`).join(''));
    else
      await writeOut(
        renderTable(
          ['id', 'time', 'action', 'mode', 'status', 'target', 'trigger', 'detail'],
          list.map((e) => [
            e.id,
            e.createdAt.replace(/\.\d{3}Z$/, 'Z'),
            e.action,
            e.mode,
            e.status,
            e.target ?? '',
            e.trigger.via === 'bus' ? `${e.trigger.ruleName}/${e.trigger.targetId} #${e.trigger.attempt}` : 'cli',
            e.error ? `${e.error.code}: ${e.error.message}`.slice(0, 100) : `${e.plan?.calls.length ?? 0} calls`,
          ]),
        ),
      );
  } finally {
    store.close();
  }
}

/** Load a bus config and report every remediation target that cannot run (unknown action, bad settings). */
export async function check(file: string) {
  ensureRemediationTargets();
  const registry = new EventBusRegistry();
  const loaded = loadBusConfig(registry, readConfig(file), file);
  const problems = [
    ...loaded.issues.map((i) => `${i.where}: ${i.reason}`),
    ...registry
      .allBuses()
      .flatMap((b) => checkRemediationTargets(b.rules.values(), lookup).map((p) => `${file}: bus ${b.name}: ${p}`)),
  ];
  let targets = 0;
  for (const b of registry.allBuses())
    for (const r of b.rules.values()) for (const t of r.targets.values()) if (isRemediationTarget(t.spec)) targets++;
  for (const p of problems) process.stderr.write(`vigil: ${p}\n`);
  await writeOut(`${file}: ${loaded.rules} rules, ${targets} remediation targets, ${problems.length} problems\n`);
  if (problems.length > 0) process.exitCode = 2;
}

export async function list(o: { format: string; category?: string }) {
  const actions = ACTIONS.filter((a) => !o.category || a.category === o.category);
  if (o.format === 'json') {
    await writeOut(
      `${JSON.stringify(
        actions.map((a) => ({
          name: a.name,
          category: a.category,
          title: a.title,
          description: a.description,
          permissions: a.permissions,
          undo: a.undo,
          references: a.references,
        })),
        null,
        2,
      )}\n`,
    );
    return;
  }
  await writeOut(
    renderTable(
      ['action', 'category', 'description', 'IAM permissions'],
      // The full lists are long (quarantine needs 15): the table names the write calls, `-f json` and
      // `vigil respond permissions` give everything.
      actions.map((a) => [a.name, a.category, a.title, permissionSummary(a.permissions)]),
    ),
  );
}

/** Write permissions first (what the action changes), then a count of the read-only ones. */
function permissionSummary(perms: readonly string[]): string {
  const reads = perms.filter((p) => /:(Describe|Get|List)/.test(p));
  const writes = perms.filter((p) => !reads.includes(p));
  return reads.length === 0 ? writes.join(', ') : `${writes.join(', ')} (+${reads.length} read)`;
}

export async function permissions(o: { actions?: string; explain?: boolean }) {
  const names = o.actions
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const chosen = names ? names.map(actionOrExit) : ACTIONS;
  const r = leastPrivilegePolicy(chosen);
  await writeOut(`${JSON.stringify(r.policy, null, 2)}\n`);
  if (o.explain) for (const [p, by] of Object.entries(r.neededBy)) process.stderr.write(`${p}: ${by.join(', ')}\n`);
  for (const s of r.skipped) process.stderr.write(`vigil: ${s} (skipped)\n`);
  if (r.size > MANAGED_POLICY_LIMIT)
    process.stderr.write(
      `vigil: the policy is ${r.size} characters, over IAM's ${MANAGED_POLICY_LIMIT} for a managed policy; split it or pick fewer actions\n`,
    );
}

let targetsRegistered = false;

/** Bus targets of kind vigil:remediation:<action> for every bus this process runs (once per process). */
export function ensureRemediationTargets(): void {
  if (!targetsRegistered) {
    targetsRegistered = true;
    const mappingFile = process.env.VIGIL_RESPOND_MAPPING;
    let mapping: ResponseMapping | string | undefined;
    registerRemediationTargets({
      ...(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {}),
      ...(mappingFile
        ? {
            // Loaded on the first delivery that needs it: a broken file must not break unrelated commands.
            eventParams: (action: string, event: Record<string, unknown>) => {
              if (mapping === undefined) {
                try {
                  mapping = loadMapping(mappingFile);
                } catch (err) {
                  mapping = `VIGIL_RESPOND_MAPPING: ${describeError(err)}`;
                }
              }
              return typeof mapping === 'string' ? mapping : eventParamsFor(action, event, mapping);
            },
          }
        : {}),
    });
  }
}
