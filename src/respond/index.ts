/**
 * Remediation (issue 11): the action library, the runner (dryRun / approve / auto, recorded and emitted), the
 * execution store, bus targets and the least-privilege policy. `registerRemediationTargets` plugs
 * `vigil:remediation:<action>` targets into every bus runtime of the process.
 */

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { registerTargetFactory } from '../bus/targets.js';
import { VigilError } from '../core/errors.js';
import type { Action, ActionContext, AwsClientConfig } from './action.js';
import { actionByName } from './actions/index.js';
import { createActionContext } from './context.js';
import { extractParams, type MappingEntry, mergeMapping, type ResponseMapping, resolveRemediation } from './mapping.js';
import { DEFAULT_MAPPING } from './mapping-data.js';
import { defaultStatePath, ExecutionStore } from './store.js';
import { type EventParams, isRemediationTarget, remediationTargetFactory } from './target.js';

export type { Action, ActionCategory, ActionContext, CallResult, Plan, PlannedCall } from './action.js';
export { ACTIONS, actionByName } from './actions/index.js';
export { createActionContext } from './context.js';
export { mergeMapping, type Resolution, type ResponseMapping, resolveRemediation } from './mapping.js';
export { DEFAULT_MAPPING } from './mapping-data.js';
export { leastPrivilegePolicy, MANAGED_POLICY_LIMIT, type PolicyDocument, type PolicyResult } from './permissions.js';
export {
  type ApproveResult,
  canonical,
  classifyCode,
  classifyError,
  diffPlans,
  EVENT_DETAIL_TYPE,
  EVENT_SOURCE,
  executionEvent,
  paramErrors,
  RemediationRunner,
  type RunnerOptions,
  type RunRequest,
} from './runner.js';
export {
  dataDir,
  defaultStatePath,
  type Execution,
  type ExecutionStatus,
  ExecutionStore,
  MODES,
  type Mode,
  type Trigger,
} from './store.js';
export {
  busOfRule,
  checkRemediationTargets,
  type EventParams,
  invokeResult,
  isEventEnvelope,
  isRemediationTarget,
  parseRemediationTarget,
  REMEDIATION_ARN_PREFIX,
  RemediationTarget,
  type RemediationTargetSettings,
  remediationTargetFactory,
} from './target.js';

/** Where and as whom actions run. */
export interface AwsSettings {
  region?: string;
  /** Custom endpoint for every service (moto, LocalStack, a VPC endpoint). */
  endpoint?: string;
  /** Named profile from the shared config/credentials files. */
  profile?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Account id; when unknown it is asked from STS GetCallerIdentity once per region. */
  accountId?: string;
  /** SDK attempts per call (the bus's retry policy sits above it; default: the SDK's). */
  maxAttempts?: number;
}

/** The region from settings, AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
export function defaultRegion(s: AwsSettings = {}, env: NodeJS.ProcessEnv = process.env): string {
  return s.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
}

/** The account of the credentials in use (STS GetCallerIdentity). */
export async function callerAccount(s: AwsSettings, region: string): Promise<string> {
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient(clientConfig(s, region));
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    if (!out.Account) throw new Error('STS GetCallerIdentity returned no Account');
    return out.Account;
  } finally {
    client.destroy();
  }
}

function clientConfig(s: AwsSettings, region: string): AwsClientConfig & { profile?: string } {
  return {
    region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    ...(s.credentials ? { credentials: s.credentials } : {}),
    ...(s.profile ? { profile: s.profile } : {}),
    ...(s.maxAttempts ? { maxAttempts: s.maxAttempts } : {}),
  };
}

/**
 * Contexts per (region, account), cached: the SDK clients of one context are reused across executions. The profile
 * is passed to every client (the SDK's provider chain reads it from the shared files).
 */
export function contextFactory(s: AwsSettings): (region: string, accountId?: string) => Promise<ActionContext> {
  const contexts = new Map<string, ActionContext>();
  const accounts = new Map<string, Promise<string>>();
  return async (region, accountId) => {
    let account = accountId ?? s.accountId;
    if (!account) {
      let p = accounts.get(region);
      if (!p) {
        p = callerAccount(s, region);
        accounts.set(region, p);
        p.catch(() => accounts.delete(region));
      }
      account = await p;
    }
    const key = `${region}\u0000${account}`;
    let ctx = contexts.get(key);
    if (!ctx) {
      const inner = createActionContext({
        region,
        accountId: account,
        ...(s.endpoint ? { endpoint: s.endpoint } : {}),
        ...(s.credentials ? { credentials: s.credentials } : {}),
        ...(s.maxAttempts ? { maxAttempts: s.maxAttempts } : {}),
      });
      const profile = s.profile;
      ctx = profile
        ? {
            ...inner,
            client: (service, create) => inner.client(service, (c) => create({ ...c, profile } as AwsClientConfig)),
          }
        : inner;
      contexts.set(key, ctx);
    }
    return ctx;
  };
}

export interface RemediationTargetsOptions extends AwsSettings {
  /** Store file (default: `$VIGIL_RESPOND_STATE` or `<data dir>/respond.db`), opened on the first delivery. */
  statePath?: string;
  store?: ExecutionStore;
  actions?: (name: string) => Action<unknown> | undefined;
  /** Parameters from a whole event (default: the finding-type / Config-rule mapping). */
  eventParams?: EventParams;
  /** The mapping used by the default eventParams (default: DEFAULT_MAPPING). */
  mapping?: ResponseMapping;
}

/**
 * Make `vigil:remediation:<action>` targets work in every bus runtime of this process. SDK calls make one attempt
 * by default: the target's RetryPolicy is the retry (with the bus's backoff, metrics and dead-letter queue).
 * Returns the unregister function (the store is closed with it when it was opened here).
 */
export function registerRemediationTargets(o: RemediationTargetsOptions = {}): () => void {
  let store = o.store;
  const own = !o.store;
  const settings: AwsSettings = { ...o, maxAttempts: o.maxAttempts ?? 1 };
  const off = registerTargetFactory(
    isRemediationTarget,
    remediationTargetFactory({
      actions: o.actions ?? (actionByName as (name: string) => Action<unknown> | undefined),
      store: () => {
        store ??= new ExecutionStore(o.statePath ?? defaultStatePath());
        return store;
      },
      context: contextFactory(settings),
      region: defaultRegion(o),
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      eventParams: o.eventParams ?? ((action, event) => eventParamsFor(action, event, o.mapping)),
    }),
  );
  return () => {
    off();
    if (own) store?.close();
    store = own ? undefined : store;
  };
}

/**
 * Parameters for `action` from a whole event, by the finding-type / Config-rule mapping. When the event's default
 * action is another one (a rule may quarantine on a finding whose default is a NACL deny), the parameters are read
 * with the specs of a mapping entry for `action` of the same kind (finding or Config rule). A string says why there
 * are none.
 */
export function eventParamsFor(
  action: string,
  event: Record<string, unknown>,
  mapping: ResponseMapping = DEFAULT_MAPPING,
): Record<string, unknown> | string {
  const resolved = resolveRemediation(mapping, event);
  if (resolved?.action === action) return resolved.params;
  const detail = (event.detail ?? {}) as Record<string, unknown>;
  const config = typeof detail.configRuleName === 'string';
  const on = config ? `Config rule ${detail.configRuleName}` : `finding type ${String(detail.type ?? '(none)')}`;
  const table = config ? mapping.configRules : mapping.findingTypes;
  const entry = Object.values(table).find((e) => e?.action === action);
  if (entry) return extractParams(entry, event).params;
  return `the mapping has no way to read ${action}'s parameters from ${on}${resolved ? ` (its default action is ${resolved.action})` : ''}`;
}

/**
 * The default mapping with a user's overrides from a YAML/JSON file: `findingTypes:` and `configRules:` maps of
 * key → `{ action, params, note? }` (replacing the default entry) or `null` (no default for that key). Every entry is
 * checked (known action, params a mapping); problems name the file and the key.
 */
export function loadMapping(file: string, actions: (name: string) => unknown = actionByName): ResponseMapping {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new VigilError(`--mapping ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const root = (doc as { mapping?: unknown } | null)?.mapping ?? doc;
  if (!root || typeof root !== 'object' || Array.isArray(root))
    throw new VigilError(`--mapping ${file}: expected a mapping with findingTypes and/or configRules`);
  const problems: string[] = [];
  const override: Partial<ResponseMapping> = {};
  for (const [table, value] of Object.entries(root)) {
    if (table !== 'findingTypes' && table !== 'configRules') {
      problems.push(`${table}: unknown section (known: findingTypes, configRules)`);
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${table}: must map keys to entries`);
      continue;
    }
    const entries: Record<string, MappingEntry | null> = {};
    for (const [key, e] of Object.entries(value as Record<string, unknown>)) {
      if (e === null) {
        entries[key] = null;
        continue;
      }
      const entry = e as Partial<MappingEntry> | undefined;
      if (!entry || typeof entry !== 'object' || typeof entry.action !== 'string') {
        problems.push(`${table}.${key}: needs an action (or null to remove the default)`);
        continue;
      }
      if (!actions(entry.action)) {
        problems.push(`${table}.${key}: unknown action "${entry.action}"`);
        continue;
      }
      const params = entry.params ?? {};
      if (!params || typeof params !== 'object' || Array.isArray(params)) {
        problems.push(`${table}.${key}: params must map parameter names to specs`);
        continue;
      }
      entries[key] = { action: entry.action, params, ...(entry.note ? { note: String(entry.note) } : {}) };
    }
    override[table] = entries;
  }
  if (problems.length > 0) throw new VigilError(`--mapping ${file}: ${problems.join('; ')}`);
  return mergeMapping(DEFAULT_MAPPING, override);
}
