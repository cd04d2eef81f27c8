import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBusRegistry, type TargetSpec } from './registry.js';
import { BusRuntime, backoffMs } from './runtime.js';
import type { InvokeResult, TargetInvoker } from './targets.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-bus-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const PATTERN = JSON.stringify({ source: ['app.orders'] });
const entry = (detail: object = { orderId: 1 }) => ({
  Source: 'app.orders',
  DetailType: 'Order Placed',
  Detail: JSON.stringify(detail),
});

/** A fake clock the runtime reads; tests advance it to make retries due. */
function clock(start = Date.parse('2024-05-01T00:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** An invoker that replays scripted results and records bodies. */
class Scripted implements TargetInvoker {
  bodies: string[] = [];
  constructor(private readonly results: InvokeResult[]) {}
  async invoke(body: string): Promise<InvokeResult> {
    this.bodies.push(body);
    return this.results.shift() ?? { ok: true };
  }
}

function setup(targets: TargetSpec[], invoker?: (spec: TargetSpec) => TargetInvoker | string) {
  const c = clock();
  const registry = new EventBusRegistry({ account: '123456789012', region: 'eu-west-1' });
  registry.putRule({ Name: 'orders', EventPattern: PATTERN });
  registry.putTargets({ Rule: 'orders', Targets: targets });
  const runtime = new BusRuntime({
    registry,
    now: c.now,
    retry: { baseMs: 1000, random: () => 0.5 },
    ...(invoker ? { invoker } : {}),
  });
  return { c, registry, runtime };
}

function readLines(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('BusRuntime delivery', () => {
  it('routes accepted events to a file target, with the routing decision explained', async () => {
    const out = join(dir, 'out', 'events.jsonl');
    const { runtime } = setup([{ Id: 'file', Arn: `file://${out}`, InputPath: '$.detail' }]);
    const res = runtime.putEvents([entry({ orderId: 7 }), { Source: 'app.orders' } as never]);
    expect(res.FailedEntryCount).toBe(1);
    expect(res.Entries[1]).toEqual({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
    });
    const [queued] = runtime.outbox.deliveriesOf();
    expect(queued).toMatchObject({
      state: 'pending',
      ruleArn: 'arn:aws:events:eu-west-1:123456789012:rule/orders',
      targetId: 'file',
    });
    expect(queued.explanation).toBe('matched: source="app.orders" by "app.orders"');
    await runtime.drain();
    expect(readLines(out)).toEqual([{ orderId: 7 }]);
    expect(runtime.outbox.deliveriesOf()[0].state).toBe('delivered');
    expect(runtime.outbox.metrics()).toEqual([
      { ruleArn: 'arn:aws:events:eu-west-1:123456789012:rule/orders', targetId: 'file', name: 'Invocations', value: 1 },
    ]);
  });

  it('retries retriable failures with exponential backoff, honouring a longer Retry-After', async () => {
    const inv = new Scripted([
      { ok: false, retriable: true, code: 'THROTTLING', message: 'HTTP 429' },
      { ok: false, retriable: true, code: 'THROTTLING', message: 'HTTP 429', retryAfterMs: 60_000 },
    ]);
    const { c, runtime } = setup([{ Id: 't', Arn: 'x' }], () => inv);
    runtime.putEvents([entry()]);
    await runtime.drain();
    let [d] = runtime.outbox.deliveriesOf();
    expect(d).toMatchObject({ state: 'pending', attempts: 1, lastErrorCode: 'THROTTLING' });
    const first = backoffMs(1, { baseMs: 1000, random: () => 0.5 });
    expect(d.nextAttemptAt - c.now()).toBe(first);
    c.advance(first - 1);
    expect(await runtime.drain()).toBe(0);
    c.advance(1);
    await runtime.drain();
    [d] = runtime.outbox.deliveriesOf();
    expect(d.attempts).toBe(2);
    expect(d.nextAttemptAt - c.now()).toBe(60_000);
    c.advance(60_000);
    await runtime.drain();
    expect(runtime.outbox.deliveriesOf()[0]).toMatchObject({ state: 'delivered', attempts: 3 });
    expect(inv.bodies).toHaveLength(3);
  });

  it('dead-letters after MaximumRetryAttempts with AWS attribute names', async () => {
    const dlq = join(dir, 'dlq.jsonl');
    const fail: InvokeResult = { ok: false, retriable: true, code: 'TIMEOUT', message: 'no response' };
    const { c, runtime } = setup(
      [{ Id: 't', Arn: 'x', RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: `file://${dlq}` } }],
      () => new Scripted([fail, fail, fail, fail]),
    );
    runtime.putEvents([entry({ orderId: 9 })]);
    for (let i = 0; i < 5; i++) {
      await runtime.drain();
      c.advance(10 * 60_000);
    }
    const [letter] = readLines(dlq) as { body: string; attributes: Record<string, string> }[];
    expect(JSON.parse(letter.body).detail).toEqual({ orderId: 9 });
    expect(letter.attributes).toEqual({
      RULE_ARN: 'arn:aws:events:eu-west-1:123456789012:rule/orders',
      TARGET_ARN: 'x',
      ERROR_CODE: 'TIMEOUT',
      ERROR_MESSAGE: 'no response',
      RETRY_ATTEMPTS: '2',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    });
    expect(runtime.outbox.deliveriesOf()[0]).toMatchObject({ state: 'dead-lettered', attempts: 3 });
    const m = Object.fromEntries(runtime.outbox.metrics().map((x) => [x.name, x.value]));
    expect(m).toEqual({ FailedInvocations: 1, Invocations: 1, InvocationsSentToDLQ: 1 });
  });

  it('dead-letters non-retriable errors at once, and stops at MaximumEventAgeInSeconds', async () => {
    const dlq = join(dir, 'dlq.jsonl');
    const { runtime } = setup(
      [{ Id: 't', Arn: 'x', DeadLetterConfig: { Arn: `file://${dlq}` } }],
      () => new Scripted([{ ok: false, retriable: false, code: 'NO_PERMISSIONS', message: 'denied' }]),
    );
    runtime.putEvents([entry()]);
    await runtime.drain();
    expect((readLines(dlq)[0] as { attributes: object }).attributes).toEqual({
      RULE_ARN: 'arn:aws:events:eu-west-1:123456789012:rule/orders',
      TARGET_ARN: 'x',
      ERROR_CODE: 'NO_PERMISSIONS',
      ERROR_MESSAGE: 'denied',
      RETRY_ATTEMPTS: '0',
    });

    const dlq2 = join(dir, 'dlq2.jsonl');
    const aged = setup(
      [
        {
          Id: 't',
          Arn: 'x',
          RetryPolicy: { MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: `file://${dlq2}` },
        },
      ],
      () => new Scripted(Array(20).fill({ ok: false, retriable: true, code: 'THROTTLING', message: 'slow down' })),
    );
    aged.runtime.putEvents([entry()]);
    for (let i = 0; i < 10; i++) {
      await aged.runtime.drain();
      aged.c.advance(20_000);
    }
    const letter = readLines(dlq2)[0] as { attributes: Record<string, string> };
    expect(letter.attributes.EXHAUSTED_RETRY_CONDITION).toBe('MaximumEventAgeInSeconds');
    expect(Number(letter.attributes.RETRY_ATTEMPTS)).toBeGreaterThan(0);
  });

  it('drops failed deliveries without a DLQ, and dead-letters inputs that cannot be shaped', async () => {
    const dlq = join(dir, 'dlq.jsonl');
    const { runtime } = setup(
      [
        { Id: 'nodlq', Arn: 'x' },
        {
          Id: 'bad-template',
          Arn: 'y',
          InputTransformer: { InputPathsMap: { p: '$.detail' }, InputTemplate: '{"payload": "<p>"}' },
          DeadLetterConfig: { Arn: `file://${dlq}` },
        },
      ],
      () => new Scripted([{ ok: false, retriable: false, code: 'NO_RESOURCE', message: 'gone' }]),
    );
    runtime.putEvents([entry()]);
    await runtime.drain();
    const states = Object.fromEntries(runtime.outbox.deliveriesOf().map((d) => [d.targetId, d.state]));
    expect(states).toEqual({ nodlq: 'dropped', 'bad-template': 'dead-lettered' });
    expect((readLines(dlq)[0] as { attributes: Record<string, string> }).attributes.ERROR_MESSAGE).toMatch(
      /^InputTransformer produced invalid JSON/,
    );
  });

  it('persists the outbox: a new runtime on the same file resumes pending deliveries', async () => {
    const file = join(dir, 'outbox.db');
    const out = join(dir, 'out.jsonl');
    const registry = new EventBusRegistry();
    registry.putRule({ Name: 'orders', EventPattern: PATTERN });
    registry.putTargets({ Rule: 'orders', Targets: [{ Id: 'file', Arn: `file://${out}` }] });
    const { Outbox } = await import('./outbox.js');
    const first = new BusRuntime({ registry, outbox: new Outbox(file) });
    const { Entries } = first.putEvents([entry(), entry()]);
    first.outbox.close();
    const second = new BusRuntime({ registry, outbox: new Outbox(file) });
    await second.drain();
    const ids = (readLines(out) as { id: string }[]).map((e) => e.id).sort();
    expect(ids).toEqual(Entries.map((e) => ('EventId' in e ? e.EventId : '')).sort());
    second.outbox.close();
  });
});

describe('built-in targets', () => {
  it('command: the input on stdin; non-zero exit is a retriable failure', async () => {
    const out = join(dir, 'cmd.txt');
    const script = join(dir, 'copy.mjs');
    writeFileSync(
      script,
      `import {appendFileSync} from 'node:fs'; let s=''; process.stdin.on('data',d=>s+=d); process.stdin.on('end',()=>{ appendFileSync(${JSON.stringify(out)}, s+'\\n'); process.exit(s.includes('"fail"') ? 3 : 0); });`,
    );
    const { runtime } = setup([{ Id: 'cmd', Arn: `command:${process.execPath} ${script}`, InputPath: '$.detail' }]);
    runtime.putEvents([entry({ mode: 'ok' }), entry({ mode: 'fail' })]);
    await runtime.drain();
    expect(
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .sort((a, b) => a.mode.localeCompare(b.mode)),
    ).toEqual([{ mode: 'fail' }, { mode: 'ok' }]);
    const byState = runtime.outbox.deliveriesOf().map((d) => [d.state, d.lastErrorCode]);
    expect(byState).toContainEqual(['delivered', undefined]);
    expect(byState).toContainEqual(['pending', 'COMMAND_FAILED']);
  });

  it('module: handler(event, context) like Lambda; thrown errors are captured', async () => {
    const out = join(dir, 'module.jsonl');
    const mod = join(dir, 'handler.mjs');
    writeFileSync(
      mod,
      `import {appendFileSync} from 'node:fs';
       export async function handler(event, context) {
         if (event.detail.boom) throw new TypeError('boom');
         appendFileSync(${JSON.stringify(out)}, JSON.stringify({ id: event.id, remaining: context.getRemainingTimeInMillis() > 0, fn: context.functionName }) + '\\n');
       }`,
    );
    const { runtime } = setup([{ Id: 'mod', Arn: `module:${mod}#handler` }]);
    const { Entries } = runtime.putEvents([entry(), entry({ boom: true })]);
    await runtime.drain();
    expect(readLines(out)).toEqual([
      { id: (Entries[0] as { EventId: string }).EventId, remaining: true, fn: 'handler' },
    ]);
    const failed = runtime.outbox.deliveriesOf().find((d) => d.state === 'pending');
    expect(failed).toMatchObject({ lastErrorCode: 'FUNCTION_ERROR', lastErrorMessage: 'TypeError: boom' });
  });

  it('event bus target: forwards to another bus, whose rules then route it', async () => {
    const out = join(dir, 'security.jsonl');
    const { registry, runtime } = setup([
      { Id: 'fwd', Arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/security' },
    ]);
    registry.createEventBus({ Name: 'security' });
    registry.putRule({ Name: 'all', EventBusName: 'security', EventPattern: PATTERN });
    registry.putTargets({ Rule: 'all', EventBusName: 'security', Targets: [{ Id: 'f', Arn: `file://${out}` }] });
    runtime.putEvents([entry({ orderId: 3 })]);
    await runtime.drain();
    expect((readLines(out)[0] as { detail: object }).detail).toEqual({ orderId: 3 });
  });

  it('unsupported target ARNs fail without retry and say why', async () => {
    const { runtime } = setup([{ Id: 'sfn', Arn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:f' }]);
    runtime.putEvents([entry()]);
    await runtime.drain();
    expect(runtime.outbox.deliveriesOf()[0]).toMatchObject({ state: 'dropped', lastErrorCode: 'NO_RESOURCE' });
    expect(runtime.outbox.deliveriesOf()[0].lastErrorMessage).toMatch(/is not supported/);
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter and is capped', () => {
    const mid = { baseMs: 1000, capMs: 60_000, random: () => 0.5 };
    expect([1, 2, 3, 4].map((n) => backoffMs(n, mid))).toEqual([750, 1500, 3000, 6000]);
    expect(backoffMs(20, mid)).toBe(45_000);
    expect(backoffMs(1, { baseMs: 1000, random: () => 0 })).toBe(500);
    expect(backoffMs(1, { baseMs: 1000, random: () => 1 })).toBe(1000);
  });
});
