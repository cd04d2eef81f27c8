/**
 * SDK plumbing shared by every action: lazily-loaded clients (loading all thirteen SDK packages up front costs ~1.5 s
 * of CLI start-up), the IAM-action → API-operation table, and the generic executor that turns a PlannedCall back into
 * an SDK command. Actions only describe calls; this module makes them.
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { BackupClient } from '@aws-sdk/client-backup';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { WAFV2Client } from '@aws-sdk/client-wafv2';
import type { ActionContext, AwsClientConfig, CallResult, Plan, PlannedCall } from '../action.js';

interface Clients {
  autoscaling: AutoScalingClient;
  backup: BackupClient;
  cloudtrail: CloudTrailClient;
  dynamodb: DynamoDBClient;
  ec2: EC2Client;
  elasticloadbalancing: ElasticLoadBalancingV2Client;
  guardduty: GuardDutyClient;
  iam: IAMClient;
  kms: KMSClient;
  rds: RDSClient;
  s3: S3Client;
  s3control: S3ControlClient;
  wafv2: WAFV2Client;
}
export type Service = keyof Clients;

type Module = Record<string, unknown>;
/** Literal import() per service so bundlers and tsc see them; the client class name is looked up in the module. */
const LOADERS: Record<Service, [() => Promise<Module>, string]> = {
  autoscaling: [() => import('@aws-sdk/client-auto-scaling'), 'AutoScalingClient'],
  backup: [() => import('@aws-sdk/client-backup'), 'BackupClient'],
  cloudtrail: [() => import('@aws-sdk/client-cloudtrail'), 'CloudTrailClient'],
  dynamodb: [() => import('@aws-sdk/client-dynamodb'), 'DynamoDBClient'],
  ec2: [() => import('@aws-sdk/client-ec2'), 'EC2Client'],
  elasticloadbalancing: [() => import('@aws-sdk/client-elastic-load-balancing-v2'), 'ElasticLoadBalancingV2Client'],
  guardduty: [() => import('@aws-sdk/client-guardduty'), 'GuardDutyClient'],
  iam: [() => import('@aws-sdk/client-iam'), 'IAMClient'],
  kms: [() => import('@aws-sdk/client-kms'), 'KMSClient'],
  rds: [() => import('@aws-sdk/client-rds'), 'RDSClient'],
  s3: [() => import('@aws-sdk/client-s3'), 'S3Client'],
  s3control: [() => import('@aws-sdk/client-s3-control'), 'S3ControlClient'],
  wafv2: [() => import('@aws-sdk/client-wafv2'), 'WAFV2Client'],
};

type ClientCtor = new (config: AwsClientConfig) => { send(command: unknown): Promise<unknown> };

/** The context's client for a service (created on first use). */
export async function awsClient<S extends Service>(ctx: ActionContext, service: S): Promise<Clients[S]> {
  const [load, name] = LOADERS[service];
  const mod = await load();
  return ctx.client(service, (config) => {
    const Ctor = mod[name] as ClientCtor;
    return new Ctor(service === 's3control' ? s3ControlConfig(config) : config);
  }) as Clients[S];
}

/**
 * S3 Control's endpoint rules prefix the host with the account id (`123456789012.s3-control…`), which an emulator
 * endpoint (`127.0.0.1:port`) cannot take; with a custom endpoint the endpoint is used as given.
 */
function s3ControlConfig(config: AwsClientConfig): AwsClientConfig {
  if (!config.endpoint) return config;
  const url = new URL(config.endpoint);
  return { ...config, endpointProvider: () => ({ url }) } as AwsClientConfig;
}

/** IAM action → API operation, only where they differ (S3's IAM names predate its API names). */
const API_FOR_IAM: Record<string, string> = {
  's3:PutEncryptionConfiguration': 's3:PutBucketEncryption',
  's3:GetEncryptionConfiguration': 's3:GetBucketEncryption',
  's3:PutBucketPublicAccessBlock': 's3:PutPublicAccessBlock',
  's3:GetBucketPublicAccessBlock': 's3:GetPublicAccessBlock',
  's3:PutAccountPublicAccessBlock': 's3control:PutPublicAccessBlock',
  's3:GetAccountPublicAccessBlock': 's3control:GetPublicAccessBlock',
};

/** The API operation a call makes (`service:Operation`). */
export function apiOf(call: Pick<PlannedCall, 'action' | 'api'>): string {
  return call.api ?? API_FOR_IAM[call.action] ?? call.action;
}

/** Build a PlannedCall; `api` is filled in when the IAM action name is not the operation name. */
export function call(action: string, params: Record<string, unknown>, reason: string): PlannedCall {
  const api = API_FOR_IAM[action];
  return api ? { action, api, params, reason } : { action, params, reason };
}

/** A plan from calls; no calls means the resource is already as desired. */
export function makePlan(
  action: string,
  target: string,
  calls: PlannedCall[],
  observed: Record<string, unknown>,
): Plan {
  return { action, target, calls, observed, noop: calls.length === 0 };
}

export function blockedPlan(
  action: string,
  target: string,
  reason: string,
  observed: Record<string, unknown> = {},
): Plan {
  return { action, target, calls: [], observed, noop: false, blocked: reason };
}

/** AWS's error code and message from an SDK (or fetch) error — never the stack. */
export function callError(err: unknown): { code: string; message: string } {
  if (err && typeof err === 'object') {
    const e = err as { Code?: unknown; code?: unknown; name?: unknown; message?: unknown };
    const code = [e.Code, e.code, e.name].find((v) => typeof v === 'string' && v !== 'Error') as string | undefined;
    return { code: code ?? 'Error', message: typeof e.message === 'string' ? e.message : String(err) };
  }
  return { code: 'Error', message: String(err) };
}

/** Replace `{ $from: { call, path } }` values with fields of earlier responses. */
export function resolveRefs(value: unknown, responses: (Record<string, unknown> | undefined)[]): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, responses));
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const ref = (value as { $from?: { call: number; path: string } }).$from;
    if (ref && typeof ref.call === 'number' && typeof ref.path === 'string') {
      let v: unknown = responses[ref.call];
      for (const key of ref.path.split('.'))
        v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      if (v === undefined) throw new RefError(`call ${ref.call} returned no ${ref.path}`);
      return v;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveRefs(v, responses);
    return out;
  }
  return value;
}

class RefError extends Error {
  override name = 'UnresolvedReference';
}

/** Send one AWS call (API operation resolved from the IAM action) and return its output without SDK metadata. */
export async function sendCall(ctx: ActionContext, c: PlannedCall, params: Record<string, unknown>) {
  const api = apiOf(c);
  const colon = api.indexOf(':');
  const service = api.slice(0, colon) as Service;
  const op = api.slice(colon + 1);
  const entry = LOADERS[service];
  if (!entry) throw Object.assign(new Error(`no SDK client for service ${service}`), { name: 'UnsupportedService' });
  const mod = await entry[0]();
  const Command = mod[`${op}Command`] as (new (input: unknown) => unknown) | undefined;
  if (!Command) throw Object.assign(new Error(`the SDK has no ${op} operation`), { name: 'UnsupportedOperation' });
  const client = (await awsClient(ctx, service)) as unknown as { send(c: unknown): Promise<Record<string, unknown>> };
  const out = await client.send(new Command(params));
  const { $metadata: _, ...rest } = out ?? {};
  return rest;
}

/**
 * `${env:NAME}` in a header value or the URL is replaced at send time, so tokens (and Slack webhook URLs, which are
 * secrets) never appear in plans, records or events.
 */
export function expandEnv(value: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined) {
      throw Object.assign(new Error(`environment variable ${name} (used in a header) is not set`), {
        name: 'EnvNotSet',
      });
    }
    return v;
  });
}

/** POST a JSON body (generic notify / ticket actions). */
async function sendHttp(ctx: ActionContext, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const url = expandEnv(String(params.url));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries((params.headers as Record<string, string>) ?? {})) headers[k] = expandEnv(v);
  const res = await ctx.fetch(url, { method: 'POST', headers, body: JSON.stringify(params.body) });
  const text = await res.text();
  if (!res.ok) {
    throw Object.assign(new Error(`POST ${url} returned ${res.status}: ${text.slice(0, 200)}`), {
      name: `HTTP${res.status}`,
    });
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

/**
 * Make a plan's calls in order, filling `$from` references from earlier responses; stop at the first failure.
 * Blocked and no-op plans make no calls.
 */
export async function applyCalls(plan: Plan, ctx: ActionContext): Promise<CallResult[]> {
  const results: CallResult[] = [];
  if (plan.blocked || plan.noop) return results;
  const responses: (Record<string, unknown> | undefined)[] = [];
  for (const c of plan.calls) {
    try {
      const params = resolveRefs(c.params, responses) as Record<string, unknown>;
      const response = c.action.startsWith('http:') ? await sendHttp(ctx, params) : await sendCall(ctx, c, params);
      responses.push(response);
      results.push({ call: c, ok: true, response });
    } catch (err) {
      results.push({ call: c, ok: false, error: callError(err) });
      break;
    }
  }
  return results;
}
