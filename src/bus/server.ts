import {
  type AwsJsonRequest,
  encodeAwsJson,
  protocolError,
  type RunningAwsJsonServer,
  startAwsJsonServer,
} from '../core/awsjson.js';
import type { CredentialStore } from '../kms/credentials.js';
import { KmsError } from '../kms/errors.js';
import { verifySigV4 } from '../kms/sigv4.js';
import { ArchiveStore } from './archive.js';
import { BusApiError, CONSTRAINT, constraintError, notFound, validation } from './errors.js';
import { compilePattern, matches, PatternError, parseEvent } from './pattern/index.js';
import type { PutEventsEntry } from './put-events.js';
import type { TargetSpec } from './registry.js';
import type { BusRuntime } from './runtime.js';
import { type ControlPlaneStore, restoreRegistry, snapshotRegistry } from './state.js';

/**
 * The EventBridge wire protocol (eventbridge.md §6): `POST /`, `X-Amz-Target: AWSEvents.<Operation>`, JSON 1.1
 * bodies, errors as `{"__type": name, "message": text}`. With credentials every request must carry a valid SigV4
 * signature for service `events` (verified by the KMS module's verifier); without them any signature is accepted
 * (dev mode). Timestamps go out as epoch seconds, as the JSON 1.1 protocol encodes them. The protocol plumbing
 * (routing, body limits, error serialisation) is shared with the KMS server: src/core/awsjson.ts.
 */

export interface BusServerOptions {
  runtime: BusRuntime;
  credentials?: CredentialStore;
  /** Persist the control plane here after every mutating call (and restore from it in createBusApi). */
  store?: ControlPlaneStore;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  now?: () => number;
  onRequest?: (info: { op: string; status: number; ms: number; error?: string }) => void;
}

export type RunningBusServer = RunningAwsJsonServer;

type Input = Record<string, unknown>;
type Handler = (input: Input) => unknown;

/** Operations that change the control plane: the snapshot is saved after each success. */
const MUTATING = new Set([
  'CreateEventBus',
  'DeleteEventBus',
  'PutRule',
  'DeleteRule',
  'EnableRule',
  'DisableRule',
  'PutTargets',
  'RemoveTargets',
  'TagResource',
  'UntagResource',
]);

function str(input: Input, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BusApiError('SerializationException', `${key} must be a string`);
  return v;
}

function list<T>(input: Input, key: string): T[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new BusApiError('SerializationException', `${key} must be a list`);
  return v as T[];
}

/** `1 validation error detected: Value null at 'x' failed to satisfy constraint: Member must not be null`. */
function requireMember(input: Input, key: string, at: string): void {
  if (input[key] === undefined || input[key] === null) {
    throw validation(
      `1 validation error detected: Value null at '${at}' failed to satisfy constraint: Member must not be null`,
    );
  }
}

/** The API operations over a runtime (transport-independent, so the CLI and tests can call them directly). */
export class BusApi {
  readonly tags = new Map<string, Map<string, string>>();
  readonly archives: ArchiveStore;
  private readonly handlers: Record<string, Handler>;

  constructor(
    readonly runtime: BusRuntime,
    private readonly store?: ControlPlaneStore,
  ) {
    const reg = runtime.registry;
    const archives = new ArchiveStore(runtime);
    this.archives = archives;
    // biome-ignore lint/suspicious/noExplicitAny: registry requests are validated by the registry itself.
    const any = (i: Input) => i as any;
    this.handlers = {
      CreateEventBus: (i) => {
        requireMember(i, 'Name', 'name');
        const out = reg.createEventBus(any(i));
        this.tagFrom(out.EventBusArn, list<{ Key: string; Value: string }>(i, 'Tags'));
        return out;
      },
      DeleteEventBus: (i) => {
        const name = str(i, 'Name') ?? '';
        const arn = reg.hasBus(name) ? reg.bus(name).arn : undefined;
        const out = reg.deleteEventBus(any(i));
        if (arn) this.tags.delete(arn);
        return out;
      },
      DescribeEventBus: (i) => reg.describeEventBus(any(i)),
      ListEventBuses: (i) => reg.listEventBuses(any(i)),
      PutRule: (i) => {
        requireMember(i, 'Name', 'name');
        str(i, 'EventPattern');
        const out = reg.putRule(any(i));
        this.tagFrom(out.RuleArn, list<{ Key: string; Value: string }>(i, 'Tags'));
        return out;
      },
      DescribeRule: (i) => {
        requireMember(i, 'Name', 'name');
        return reg.describeRule(any(i));
      },
      ListRules: (i) => reg.listRules(any(i)),
      DeleteRule: (i) => {
        requireMember(i, 'Name', 'name');
        const bus = reg.bus(str(i, 'EventBusName'));
        const rule = bus.rules.get(str(i, 'Name') ?? '');
        const out = reg.deleteRule(any(i));
        if (rule && !bus.rules.has(rule.name)) this.tags.delete(rule.arn);
        return out;
      },
      EnableRule: (i) => {
        requireMember(i, 'Name', 'name');
        return reg.enableRule(any(i));
      },
      DisableRule: (i) => {
        requireMember(i, 'Name', 'name');
        return reg.disableRule(any(i));
      },
      PutTargets: (i) => {
        requireMember(i, 'Rule', 'rule');
        requireMember(i, 'Targets', 'targets');
        list<TargetSpec>(i, 'Targets');
        return reg.putTargets(any(i));
      },
      RemoveTargets: (i) => {
        requireMember(i, 'Rule', 'rule');
        requireMember(i, 'Ids', 'ids');
        list<string>(i, 'Ids');
        return reg.removeTargets(any(i));
      },
      ListTargetsByRule: (i) => {
        requireMember(i, 'Rule', 'rule');
        return reg.listTargetsByRule(any(i));
      },
      ListRuleNamesByTarget: (i) => {
        requireMember(i, 'TargetArn', 'targetArn');
        return reg.listRuleNamesByTarget(any(i));
      },
      PutEvents: (i) => {
        requireMember(i, 'Entries', 'entries');
        return runtime.putEvents(list<PutEventsEntry>(i, 'Entries') ?? []);
      },
      TestEventPattern: (i) => testEventPattern(i),
      CreateArchive: (i) => {
        requireMember(i, 'ArchiveName', 'archiveName');
        requireMember(i, 'EventSourceArn', 'eventSourceArn');
        return archives.createArchive(i);
      },
      DescribeArchive: (i) => archives.describeArchive(i),
      ListArchives: (i) => archives.listArchives(i),
      UpdateArchive: (i) => archives.updateArchive(i),
      DeleteArchive: (i) => archives.deleteArchive(i),
      StartReplay: (i) => {
        requireMember(i, 'ReplayName', 'replayName');
        requireMember(i, 'EventSourceArn', 'eventSourceArn');
        return archives.startReplay(i);
      },
      DescribeReplay: (i) => archives.describeReplay(i),
      ListReplays: (i) => archives.listReplays(i),
      CancelReplay: (i) => archives.cancelReplay(i),
      TagResource: (i) => {
        requireMember(i, 'ResourceARN', 'resourceARN');
        requireMember(i, 'Tags', 'tags');
        const arn = this.resource(str(i, 'ResourceARN') ?? '');
        this.tagFrom(arn, list<{ Key: string; Value: string }>(i, 'Tags'));
        return {};
      },
      UntagResource: (i) => {
        requireMember(i, 'ResourceARN', 'resourceARN');
        requireMember(i, 'TagKeys', 'tagKeys');
        const arn = this.resource(str(i, 'ResourceARN') ?? '');
        const kv = this.tags.get(arn);
        for (const k of list<string>(i, 'TagKeys') ?? []) kv?.delete(k);
        return {};
      },
      ListTagsForResource: (i) => {
        requireMember(i, 'ResourceARN', 'resourceARN');
        const arn = this.resource(str(i, 'ResourceARN') ?? '');
        const kv = this.tags.get(arn) ?? new Map<string, string>();
        return { Tags: [...kv].map(([Key, Value]) => ({ Key, Value })) };
      },
    };
    if (store) {
      const snap = store.load();
      if (snap) this.restoreProblems.push(...restoreRegistry(reg, this.tags, snap));
    }
  }

  /** Items of a stored snapshot that failed to restore (e.g. a pattern the current validator rejects). */
  readonly restoreProblems: string[] = [];

  operations(): string[] {
    return Object.keys(this.handlers);
  }

  /** Run one operation; throws BusApiError (or the KMS verifier's KmsError) for client errors. */
  call(op: string, input: Input): unknown {
    const handler = this.handlers[op];
    if (!handler) throw new BusApiError('UnknownOperationException', '');
    const out = handler(input);
    if (this.store && MUTATING.has(op)) this.store.save(snapshotRegistry(this.runtime.registry, this.tags));
    return out;
  }

  /** Save the control plane now (after loading rules from a config file). */
  persist(): void {
    this.store?.save(snapshotRegistry(this.runtime.registry, this.tags));
  }

  /** Tags apply to buses and rules that exist (AWS: ResourceNotFoundException otherwise). */
  private resource(arn: string): string {
    const reg = this.runtime.registry;
    for (const bus of reg.allBuses()) {
      if (bus.arn === arn) return arn;
      for (const rule of bus.rules.values()) if (rule.arn === arn) return arn;
    }
    const m = /:rule\/(?:([^/]+)\/)?([^/]+)$/.exec(arn);
    if (m) throw notFound(`Rule ${m[2]} does not exist on EventBus ${m[1] ?? 'default'}.`);
    const b = /:event-bus\/(.+)$/.exec(arn);
    throw notFound(b ? `Event bus ${b[1]} does not exist.` : `Resource ${arn} does not exist.`);
  }

  private tagFrom(arn: string, tags: { Key: string; Value: string }[] | undefined): void {
    if (!tags || tags.length === 0) return;
    const violations = tags.flatMap((t, n) =>
      typeof t?.Key === 'string' && t.Key.length >= 1 && t.Key.length <= 128
        ? []
        : [{ value: String(t?.Key), at: `tags.${n + 1}.member.key`, constraint: CONSTRAINT.minLength(1) }],
    );
    const invalid = constraintError(violations);
    if (invalid) throw invalid;
    let kv = this.tags.get(arn);
    if (!kv) this.tags.set(arn, (kv = new Map()));
    for (const t of tags) kv.set(t.Key, String(t.Value ?? ''));
  }
}

/** TestEventPattern (eventbridge.md §6.1): `{Result}`; AWS's InvalidEventPatternException text for bad patterns. */
export function testEventPattern(input: Input): { Result: boolean } {
  requireMember(input, 'EventPattern', 'eventPattern');
  requireMember(input, 'Event', 'event');
  const patternText = str(input, 'EventPattern') ?? '';
  const eventText = str(input, 'Event') ?? '';
  let pattern: ReturnType<typeof compilePattern>;
  try {
    pattern = compilePattern(patternText);
  } catch (e) {
    if (e instanceof PatternError) throw new BusApiError('InvalidEventPatternException', e.rawMessage);
    throw e;
  }
  const event = parseEvent(eventText);
  if (!event.ok) throw validation('Parameter Event is not valid.');
  return { Result: matches(pattern, event.event) };
}

/** JSON 1.1 encoding: Dates become epoch seconds (with milliseconds as a fraction). */
export const encodeJson = encodeAwsJson;

function authenticate(r: AwsJsonRequest, opts: BusServerOptions): void {
  const creds = opts.credentials;
  if (!creds) return;
  verifySigV4(
    { method: r.req.method ?? 'POST', url: r.req.url ?? '/', headers: r.headers, body: r.body },
    (akid) => creds.get(akid),
    { now: (opts.now ?? Date.now)(), service: 'events' },
  );
}

export function startBusServer(
  opts: BusServerOptions,
  api = new BusApi(opts.runtime, opts.store),
): Promise<RunningBusServer> {
  return startAwsJsonServer({
    targetPrefix: 'AWSEvents.',
    serviceName: 'events',
    host: opts.host,
    port: opts.port,
    maxBodyBytes: opts.maxBodyBytes ?? 2 * 1024 * 1024,
    onRequest: opts.onRequest,
    authenticate: (r) => authenticate(r, opts),
    dispatch: (op, input) => api.call(op, input),
    toError: (err) => {
      if (err instanceof BusApiError) return { type: err.code, message: err.message, status: err.httpStatus };
      if (err instanceof KmsError) return { type: err.type, message: err.message, status: err.status };
      return protocolError(err) ?? { type: 'InternalException', message: (err as Error).message, status: 500 };
    },
  });
}
