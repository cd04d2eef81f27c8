/**
 * The remediation action interface (issue 11). An action is metadata as data plus two functions: `plan` reads the
 * current state through the SDK and returns the exact API calls it would make (empty when the resource is already in
 * the desired state — that is idempotency), and `apply` makes those calls. The runner (src/respond/runner.ts) owns
 * modes (dryRun / approve / auto), recording, events and retries; actions stay small and testable against moto.
 */
import type { z } from 'zod';

export type ActionCategory = 'network' | 'identity' | 'data' | 'logging' | 'backup' | 'generic';

/** One AWS API call the action would make / made, exactly as sent (service and operation as in IAM, e.g. ec2:RevokeSecurityGroupIngress). */
export interface PlannedCall {
  /** IAM action name, e.g. `ec2:RevokeSecurityGroupIngress`. */
  action: string;
  /**
   * The API operation (`service:Operation`) when it differs from the IAM action name — e.g. IAM
   * `s3:PutEncryptionConfiguration` is the API `s3:PutBucketEncryption`. Absent when they are the same.
   * Generic actions use `http:POST` (no IAM action).
   */
  api?: string;
  /**
   * The request parameters as passed to the SDK command (PascalCase, as the API takes them). A value
   * `{ "$from": { "call": i, "path": "GroupId" } }` is filled at apply time from the response of call `i` of the same
   * plan (e.g. the id of an isolation security group created by an earlier call).
   */
  params: Record<string, unknown>;
  /** Why this call, in one sentence (e.g. "rule tcp/22 from 0.0.0.0/0 is open to the world"). */
  reason: string;
}

export interface Plan {
  action: string;
  /** The resource acted on (ARN or id). */
  target: string;
  calls: PlannedCall[];
  /** Facts read while planning that decided the calls (what was found), for the explanation. */
  observed: Record<string, unknown>;
  /** True when nothing needs doing (a second run after success). */
  noop: boolean;
  /** Set when the action cannot proceed (resource missing, unsupported state); no calls are made. */
  blocked?: string;
}

export interface CallResult {
  call: PlannedCall;
  ok: boolean;
  /** Relevant fields of the response (ids created, etc.). */
  response?: Record<string, unknown>;
  error?: { code: string; message: string };
}

/** Clients and settings an action runs with; built once per run by the runner from region/endpoint/profile. */
export interface ActionContext {
  region: string;
  accountId: string;
  /** Lazily-created AWS SDK v3 clients keyed by service (ec2, iam, s3, s3control, …); the runner owns config. */
  client<T>(service: string, create: (config: AwsClientConfig) => T): T;
  /** For generic actions that POST (notify / ticket webhooks). */
  fetch: typeof fetch;
  now(): Date;
}

export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  forcePathStyle?: boolean;
  maxAttempts?: number;
}

export interface ActionMeta<P> {
  /** kebab-case name used in bus targets and on the CLI, e.g. `ec2-quarantine-instance`. */
  name: string;
  category: ActionCategory;
  title: string;
  description: string;
  /** Parameters, validated before planning; defaults live in the schema. */
  params: z.ZodType<P>;
  /** Every IAM action `plan` + `apply` may call (read calls included) — `vigil respond permissions` unions these. */
  permissions: string[];
  /** How to undo it, or why it cannot be undone. */
  undo: string;
  /** Anchors: the AWS runbook / ASR playbook / Custodian action it mirrors. */
  references: string[];
  /**
   * How the action is tested against an emulator, when that is not simply "moto_server: plan, apply, read back,
   * no-op replan" — e.g. which calls moto lacks and are stubbed. Rendered in docs/respond-actions.md.
   */
  testing?: string;
}

export interface Action<P = Record<string, unknown>> extends ActionMeta<P> {
  plan(params: P, ctx: ActionContext): Promise<Plan>;
  /** Executes `plan.calls` in order; stops at the first failure and reports what was done. */
  apply(plan: Plan, params: P, ctx: ActionContext): Promise<CallResult[]>;
}
