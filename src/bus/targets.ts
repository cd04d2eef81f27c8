import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BusAwsSettings, parseArn, SnsTarget, SqsTarget } from './aws-targets.js';
import { LAMBDA_ARN, LambdaTarget } from './lambda-target.js';
import type { TargetSpec } from './registry.js';

/**
 * Target invokers. A target's `Arn` selects the kind:
 * - `file:///path/out.jsonl` — append one JSON line per event;
 * - `command:/path/to/program arg…` — run the program with the input on stdin (exit 0 = delivered);
 * - `module:/path/handler.js#export` — call a JS module's handler like a Lambda function (`handler(event, context)`);
 * - `https://…` / `http://…` — an HTTP endpoint with API-destination semantics (see HttpTarget);
 * - `slack:https://hooks.slack.com/…` — a Slack incoming webhook with a concise Block Kit summary;
 * - `arn:aws:events:<region>:<account>:event-bus/<name>` — another bus of this Vigil.
 * - SQS and SNS ARNs (see aws-targets.ts), Lambda function ARNs (lambda-target.ts; invoked asynchronously, or mapped
 *   to a local handler by the bus config's `aws.lambdaHandlers` for offline use);
 * - kinds registered by other capabilities with `registerTargetFactory` (consulted first).
 */

export interface InvokeContext {
  ruleArn: string;
  ruleName: string;
  targetId: string;
  eventId: string;
  attempt: number;
}

export type InvokeResult =
  | { ok: true }
  | {
      ok: false;
      /** Worth retrying (throttling, timeouts, 5xx, transient failures). */
      retriable: boolean;
      /** DLQ ERROR_CODE, e.g. THROTTLING, TIMEOUT, NO_RESOURCE, HTTP_ERROR. */
      code: string;
      message: string;
      /** Wait at least this long before the next attempt (Retry-After). */
      retryAfterMs?: number;
      /** Retry-After was negative: stop retrying. */
      stopRetrying?: boolean;
    };

export interface TargetInvoker {
  invoke(body: string, ctx: InvokeContext): Promise<InvokeResult>;
}

function fail(retriable: boolean, code: string, message: string): InvokeResult {
  return { ok: false, retriable, code, message };
}

function tail(text: string, max = 300): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/** Appends the input as one JSON line (JSON inputs are compacted; other text is written as a JSON string). */
export class FileTarget implements TargetInvoker {
  constructor(readonly path: string) {}

  async invoke(body: string): Promise<InvokeResult> {
    let line: string;
    try {
      line = JSON.stringify(JSON.parse(body));
    } catch {
      line = JSON.stringify(body);
    }
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await appendFile(this.path, `${line}\n`);
      return { ok: true };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A missing permission will not fix itself; anything else (disk full, I/O) may.
      return fail(
        code !== 'EACCES' && code !== 'EPERM',
        code === 'EACCES' || code === 'EPERM' ? 'NO_PERMISSIONS' : 'SDK_CLIENT_ERROR',
        `${this.path}: ${(err as Error).message}`,
      );
    }
  }
}

/** Split a command line on whitespace, honouring single and double quotes. */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

/** Runs a program with the input on stdin. Non-zero exit is a (retriable) failure; a timeout kills it. */
export class CommandTarget implements TargetInvoker {
  constructor(
    readonly argv: string[],
    readonly timeoutMs = 30_000,
  ) {}

  invoke(body: string, ctx: InvokeContext): Promise<InvokeResult> {
    return new Promise((done) => {
      const [program, ...args] = this.argv;
      let stderr = '';
      let settled = false;
      const finish = (r: InvokeResult) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          done(r);
        }
      };
      const child = spawn(program, args, {
        stdio: ['pipe', 'ignore', 'pipe'],
        env: {
          ...process.env,
          VIGIL_RULE_ARN: ctx.ruleArn,
          VIGIL_TARGET_ID: ctx.targetId,
          VIGIL_EVENT_ID: ctx.eventId,
        },
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(fail(true, 'TIMEOUT', `${program} did not finish within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      child.stderr.on('data', (d: Buffer) => {
        stderr = tail(stderr + d.toString('utf8'), 2000);
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        finish(fail(false, err.code === 'ENOENT' ? 'NO_RESOURCE' : 'NO_PERMISSIONS', `${program}: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        if (code === 0) finish({ ok: true });
        else
          finish(
            fail(
              true,
              'COMMAND_FAILED',
              `${program} exited with ${signal ?? code}${stderr ? `: ${tail(stderr.trim())}` : ''}`,
            ),
          );
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(body);
    });
  }
}

/** Calls `handler(event, context)` of a JS module, like an asynchronous Lambda invocation. */
export class ModuleTarget implements TargetInvoker {
  private handler: Promise<(event: unknown, context: unknown) => unknown> | undefined;

  constructor(
    readonly file: string,
    readonly exportName = 'handler',
    readonly timeoutMs = 30_000,
  ) {}

  private load(): Promise<(event: unknown, context: unknown) => unknown> {
    this.handler ??= import(pathToFileURL(this.file).href).then((mod: Record<string, unknown>) => {
      const fn = mod[this.exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[this.exportName];
      if (typeof fn !== 'function') throw new Error(`${this.file} has no function export "${this.exportName}"`);
      return fn as (event: unknown, context: unknown) => unknown;
    });
    return this.handler;
  }

  async invoke(body: string, ctx: InvokeContext): Promise<InvokeResult> {
    let fn: (event: unknown, context: unknown) => unknown;
    try {
      fn = await this.load();
    } catch (err) {
      this.handler = undefined;
      return fail(false, 'NO_RESOURCE', (err as Error).message);
    }
    let event: unknown;
    try {
      event = JSON.parse(body);
    } catch {
      event = body;
    }
    const deadline = Date.now() + this.timeoutMs;
    const context = {
      functionName: this.exportName,
      awsRequestId: randomUUID(),
      invokedFunctionArn: `module:${this.file}#${this.exportName}`,
      ruleArn: ctx.ruleArn,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<InvokeResult>((done) => {
      timer = setTimeout(
        () => done(fail(true, 'TIMEOUT', `handler did not finish within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    const run = (async (): Promise<InvokeResult> => {
      try {
        await fn(event, context);
        return { ok: true };
      } catch (err) {
        return fail(true, 'FUNCTION_ERROR', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      }
    })();
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Delivers to another bus of this process. */
export class BusTarget implements TargetInvoker {
  constructor(
    readonly busName: string,
    private readonly publish: (busName: string, event: Record<string, unknown>) => void,
  ) {}

  async invoke(body: string): Promise<InvokeResult> {
    let event: unknown;
    try {
      event = JSON.parse(body);
    } catch {
      return fail(false, 'SDK_CLIENT_ERROR', 'input for an event bus target is not a JSON event');
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      return fail(false, 'SDK_CLIENT_ERROR', 'input for an event bus target is not a JSON object');
    }
    try {
      this.publish(this.busName, event as Record<string, unknown>);
      return { ok: true };
    } catch (err) {
      return fail(false, 'NO_RESOURCE', (err as Error).message);
    }
  }
}

export type InvokerFactory = (spec: TargetSpec) => TargetInvoker | string;

export interface InvokerDeps {
  publish: (busName: string, event: Record<string, unknown>) => void;
  /** Base directory for relative file/module paths. */
  cwd?: string;
  http?: (spec: TargetSpec, url: string) => TargetInvoker;
  slack?: (url: string) => TargetInvoker;
  /** AWS endpoint and offline Lambda handlers (the bus config's `aws` section). */
  aws?: BusAwsSettings;
}

/**
 * Extension point: lets another capability add a target kind without editing the bus. A registered factory is
 * consulted before the built-in schemes (latest registration first), so it may also claim an ARN shape the bus would
 * otherwise handle. `create` returns the invoker, or a string saying why the target cannot be invoked (the delivery
 * is then dead-lettered with NO_RESOURCE and that message). Example (remediation actions as targets):
 *
 *   registerTargetFactory(
 *     (spec) => spec.Arn.startsWith('vigil:remediation:'),
 *     (spec, deps) => new RemediationTarget(spec.Arn.slice('vigil:remediation:'.length), deps),
 *   );
 *
 * Returns a function that removes the registration (for tests and plug-in unloading). `matches` must not throw;
 * if it does, the factory is skipped for that spec.
 */
export type TargetMatcher = (spec: TargetSpec) => boolean;
export type TargetFactory = (spec: TargetSpec, deps: InvokerDeps) => TargetInvoker | string;

const factories: { matches: TargetMatcher; create: TargetFactory }[] = [];

export function registerTargetFactory(matches: TargetMatcher, create: TargetFactory): () => void {
  const entry = { matches, create };
  factories.unshift(entry);
  return () => {
    const i = factories.indexOf(entry);
    if (i >= 0) factories.splice(i, 1);
  };
}

function registered(spec: TargetSpec, deps: InvokerDeps): TargetInvoker | string | undefined {
  for (const f of factories) {
    let hit = false;
    try {
      hit = f.matches(spec);
    } catch {
      hit = false;
    }
    if (!hit) continue;
    try {
      return f.create(spec, deps);
    } catch (err) {
      return `target ${spec.Arn}: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/** The invoker for a target spec, or why it cannot be invoked. */
export function createInvoker(spec: TargetSpec, deps: InvokerDeps): TargetInvoker | string {
  const custom = registered(spec, deps);
  if (custom !== undefined) return custom;
  const arn = spec.Arn;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(deps.cwd ?? process.cwd(), p));
  if (arn.startsWith('file:')) {
    return new FileTarget(arn.startsWith('file://') ? fileURLToPath(arn) : abs(arn.slice(5)));
  }
  if (arn.startsWith('command:')) {
    const argv = splitCommand(arn.slice(8));
    return argv.length > 0 ? new CommandTarget(argv, numberField(spec, 'TimeoutSeconds', 30) * 1000) : 'empty command';
  }
  if (arn.startsWith('module:')) {
    const rest = arn.slice(7);
    const hash = rest.lastIndexOf('#');
    const file = abs(hash > 0 ? rest.slice(0, hash) : rest);
    return new ModuleTarget(
      file,
      hash > 0 ? rest.slice(hash + 1) : 'handler',
      numberField(spec, 'TimeoutSeconds', 30) * 1000,
    );
  }
  if (arn.startsWith('slack:')) return deps.slack ? deps.slack(arn.slice(6)) : 'Slack targets are not configured';
  if (arn.startsWith('https://') || arn.startsWith('http://')) {
    return deps.http ? deps.http(spec, arn) : 'HTTP targets are not configured';
  }
  const bus = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(arn);
  if (bus) return new BusTarget(bus[1], deps.publish);
  const service = parseArn(arn)?.service;
  const cfg = { endpoint: deps.aws?.endpoint };
  if (service === 'sqs') return new SqsTarget(arn, spec.SqsParameters?.MessageGroupId, cfg);
  if (service === 'sns') return new SnsTarget(arn, cfg);
  if (service === 'lambda') {
    const local = localLambda(arn, deps.aws?.lambdaHandlers);
    if (local !== undefined) {
      // One level only: a mapping to another Lambda ARN could loop.
      return local.startsWith('arn:')
        ? `aws.lambdaHandlers maps ${arn} to ${local}; it must map to a local target (module:, command:, file:)`
        : createInvoker({ ...spec, Arn: local }, deps);
    }
    return LAMBDA_ARN.test(arn) ? new LambdaTarget(arn, cfg) : `${arn} is not a Lambda function ARN`;
  }
  return `target ${arn} is not supported (supported: file:, command:, module:, https:, slack:, event-bus, SQS, SNS and Lambda ARNs)`;
}

/** The local handler configured for a function ARN, tried with and then without its qualifier. */
function localLambda(arn: string, handlers: Record<string, string> | undefined): string | undefined {
  if (!handlers) return undefined;
  if (Object.hasOwn(handlers, arn)) return handlers[arn];
  const unqualified = /^(arn:[^:]+:lambda:[^:]+:[^:]+:function:[^:]+):[^:]+$/.exec(arn)?.[1];
  return unqualified !== undefined && Object.hasOwn(handlers, unqualified) ? handlers[unqualified] : undefined;
}

function numberField(spec: TargetSpec, name: string, fallback: number): number {
  const v = spec[name];
  return typeof v === 'number' && v > 0 ? v : fallback;
}
