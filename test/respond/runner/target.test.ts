import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBusConfig } from '../../../src/bus/config.js';
import { EventBusRegistry } from '../../../src/bus/registry.js';
import { BusRuntime } from '../../../src/bus/runtime.js';
import type { Action } from '../../../src/respond/action.js';
import { registerRemediationTargets } from '../../../src/respond/index.js';
import { ExecutionStore } from '../../../src/respond/store.js';
import {
  busOfRule,
  checkRemediationTargets,
  type EventParams,
  parseRemediationTarget,
  REMEDIATION_ARN_PREFIX,
} from '../../../src/respond/target.js';
import { newWorld, tagThingAction, type World } from './fake-action.js';

let dir: string;
let store: ExecutionStore;
let world: World;
let action: Action<unknown>;
let off: (() => void) | undefined;
let clock: number;

const lookup = (n: string) => (n === action.name ? action : undefined);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-respond-target-'));
  store = new ExecutionStore(join(dir, 'respond.db'));
  world = newWorld();
  world.things.set('t-1', {});
  action = tagThingAction(world) as unknown as Action<unknown>;
  clock = Date.parse('2026-11-29T06:00:00Z');
});

afterEach(() => {
  off?.();
  off = undefined;
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A bus loaded from YAML, with remediation targets registered against the test action and a fake clock. */
function bus(yaml: string, eventParams?: EventParams) {
  off = registerRemediationTargets({
    store,
    actions: lookup,
    accountId: '111122223333',
    region: 'us-east-1',
    ...(eventParams ? { eventParams } : {}),
  });
  const registry = new EventBusRegistry({ account: '111122223333' });
  const loaded = loadBusConfig(registry, yaml, 'bus.yaml');
  expect(loaded.issues).toEqual([]);
  const runtime = new BusRuntime({ registry, now: () => clock, retry: { baseMs: 1000, capMs: 1000, random: () => 0 } });
  return { registry, runtime };
}

/** Deliver everything, moving the clock past every backoff, until nothing is pending. */
async function settle(runtime: BusRuntime): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await runtime.drain();
    const next = runtime.outbox.nextDueAt();
    if (next === undefined) return;
    clock = Math.max(clock, next);
  }
  throw new Error('bus did not settle');
}

const finding = (thingId: string, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'f0000000-0000-0000-0000-000000000001',
  'detail-type': 'Thing Finding',
  source: 'test.things',
  account: '111122223333',
  time: '2026-11-29T06:00:00Z',
  region: 'eu-central-1',
  resources: [],
  detail: { type: 'Thing:Bad', thing: { id: thingId }, ...extra },
});

const jsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('remediation bus targets', () => {
  it('InputTransformer input becomes the parameters; auto mode applies; results are routed as events', async () => {
    const results = join(dir, 'results.jsonl');
    const { runtime } = bus(`
bus:
  rules:
    - Name: bad-things
      EventPattern: { source: [test.things], detail: { type: [Thing:Bad] } }
      Targets:
        - Id: tag
          Arn: ${REMEDIATION_ARN_PREFIX}test-tag-thing
          RemediationParameters: { Mode: auto, Parameters: { tags: { quarantined: "yes" } } }
          InputTransformer:
            InputPathsMap: { id: $.detail.thing.id }
            InputTemplate: '{"thingId": <id>, "tags": {"ignored": "static params win"}}'
    - Name: remediation-results
      EventPattern: { source: [vigil.respond], detail-type: [Vigil Remediation Execution] }
      Targets:
        - { Id: log, Arn: "file://${results}" }
`);
    runtime.putEvents([
      { Source: 'test.things', DetailType: 'Thing Finding', Detail: JSON.stringify(finding('t-1').detail) },
    ]);
    await settle(runtime);
    expect(world.things.get('t-1')).toEqual({ quarantined: 'yes' });
    const [e] = store.history();
    expect(e).toMatchObject({
      action: 'test-tag-thing',
      mode: 'auto',
      status: 'applied',
      params: { thingId: 't-1', tags: { quarantined: 'yes' } },
      region: 'us-east-1',
      trigger: {
        via: 'bus',
        ruleName: 'bad-things',
        ruleArn: 'arn:aws:events:us-east-1:111122223333:rule/bad-things',
        targetId: 'tag',
        attempt: 1,
      },
    });
    const routed = jsonl(results);
    expect(routed).toHaveLength(1);
    expect(routed[0]).toMatchObject({
      source: 'vigil.respond',
      'detail-type': 'Vigil Remediation Execution',
      account: '111122223333',
      resources: ['t-1'],
      detail: { executionId: e!.id, status: 'applied', trigger: { eventId: e!.trigger.eventId } },
    });
    expect(runtime.outbox.metrics().filter((m) => m.name === 'Invocations')).toHaveLength(2);
    runtime.outbox.close();
  });

  it('a whole event gets its parameters from the mapping and its region from the event; dryRun is the default', async () => {
    const seen: string[] = [];
    const { runtime } = bus(
      `
bus:
  rules:
    - Name: bad-things
      EventPattern: { source: [test.things] }
      Targets:
        - { Id: tag, Arn: "${REMEDIATION_ARN_PREFIX}test-tag-thing" }
`,
      (name, event) => {
        seen.push(name);
        const id = (event.detail as { thing?: { id?: string } }).thing?.id;
        return id ? { thingId: id } : 'the event names no thing';
      },
    );
    runtime.publish('default', finding('t-1'));
    runtime.publish('default', { ...finding('t-2'), id: 'f2', detail: { type: 'Thing:Bad' } });
    await settle(runtime);
    expect(seen).toEqual(['test-tag-thing', 'test-tag-thing']);
    expect(world.things.get('t-1')).toEqual({}); // dry run: nothing changed
    const byEvent = Object.fromEntries(store.history().map((e) => [e.trigger.eventId, e]));
    expect(byEvent['f0000000-0000-0000-0000-000000000001']).toMatchObject({
      status: 'planned',
      mode: 'dryRun',
      region: 'eu-central-1',
      params: { thingId: 't-1' },
    });
    // recorded in the event's account even though it never got as far as building a context
    expect(byEvent.f2).toMatchObject({
      status: 'invalid',
      error: { code: 'InvalidParameters' },
      accountId: '111122223333',
    });
    const f2 = runtime.outbox.deliveriesOf('f2')[0]!;
    expect(f2.state).toBe('dropped');
    expect(f2.lastErrorMessage).toContain('parameter thingId');
    expect(f2.lastErrorMessage).toContain('(the event names no thing)');
    runtime.outbox.close();
  });

  it('retriable failures follow the RetryPolicy and then go to the DLQ with AWS attributes', async () => {
    const dlq = join(dir, 'dlq.jsonl');
    const { runtime } = bus(`
bus:
  rules:
    - Name: bad-things
      EventPattern: { source: [test.things] }
      Targets:
        - Id: tag
          Arn: ${REMEDIATION_ARN_PREFIX}test-tag-thing
          RemediationParameters: { Mode: auto }
          InputPath: $.detail.thing
          RetryPolicy: { MaximumRetryAttempts: 2 }
          DeadLetterConfig: { Arn: "file://${dlq}" }
`);
    for (let i = 0; i < 3; i++) world.applyErrors.push({ code: 'Throttling', message: 'Rate exceeded' });
    runtime.publish('default', { ...finding('t-1'), detail: { type: 'Thing:Bad', thing: { thingId: 't-1' } } });
    await settle(runtime);
    expect(world.things.get('t-1')).toEqual({});
    const attempts = store.history().map((e) => [e.trigger.attempt, e.status, e.error?.code]);
    expect(attempts.reverse()).toEqual([
      [1, 'failed', 'Throttling'],
      [2, 'failed', 'Throttling'],
      [3, 'failed', 'Throttling'],
    ]);
    const [letter] = jsonl(dlq);
    expect(JSON.parse(letter.body)).toEqual({ thingId: 't-1' });
    expect(letter.attributes).toMatchObject({
      RULE_ARN: 'arn:aws:events:us-east-1:111122223333:rule/bad-things',
      TARGET_ARN: 'vigil:remediation:test-tag-thing',
      ERROR_CODE: 'THROTTLING',
      RETRY_ATTEMPTS: '2',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    });
    expect(letter.attributes.ERROR_MESSAGE).toMatch(
      /^remediation [0-9a-f-]+ \(test-tag-thing\): test:TagThing: Throttling: Rate exceeded$/,
    );
    const m = Object.fromEntries(runtime.outbox.metrics().map((x) => [x.name, x.value]));
    expect(m).toMatchObject({ Invocations: 1, FailedInvocations: 1, InvocationsSentToDLQ: 1 });
    runtime.outbox.close();
  });

  it('a retry after a transient failure succeeds and re-plans (no duplicate calls)', async () => {
    const { runtime } = bus(`
bus:
  rules:
    - Name: bad-things
      EventPattern: { source: [test.things] }
      Targets:
        - Id: tag
          Arn: ${REMEDIATION_ARN_PREFIX}test-tag-thing
          RemediationParameters: { Mode: auto, Parameters: { tags: { a: "1", b: "2" } } }
          InputTransformer: { InputPathsMap: { id: $.detail.thing.id }, InputTemplate: '{"thingId": <id>}' }
`);
    // The first call succeeds, the second meets a 503: the retry re-plans and only the second call is left.
    let n = 0;
    const orig = action.apply;
    action.apply = async (plan, p, ctx) => {
      n++;
      if (n === 1) {
        world.things.get('t-1')!.a = '1';
        return [
          { call: plan.calls[0]!, ok: true },
          { call: plan.calls[1]!, ok: false, error: { code: 'ServiceUnavailable', message: 'try later' } },
        ];
      }
      return orig(plan, p, ctx);
    };
    runtime.publish('default', finding('t-1'));
    await settle(runtime);
    expect(world.things.get('t-1')).toEqual({ a: '1', b: '2' });
    const h = store.history().reverse();
    expect(h.map((e) => [e.status, e.plan?.calls.length])).toEqual([
      ['failed', 2],
      ['applied', 1],
    ]);
    expect(runtime.outbox.deliveriesOf()[0]!.state).toBe('delivered');
    runtime.outbox.close();
  });

  it('a blocked plan is dead-lettered at once as NO_RESOURCE', async () => {
    const dlq = join(dir, 'dlq.jsonl');
    const { runtime } = bus(`
bus:
  rules:
    - Name: bad-things
      EventPattern: { source: [test.things] }
      Targets:
        - Id: tag
          Arn: ${REMEDIATION_ARN_PREFIX}test-tag-thing
          RemediationParameters: { Mode: auto }
          InputTransformer: { InputPathsMap: { id: $.detail.thing.id }, InputTemplate: '{"thingId": <id>}' }
          DeadLetterConfig: { Arn: "file://${dlq}" }
`);
    runtime.publish('default', finding('t-404'));
    await settle(runtime);
    const [letter] = jsonl(dlq);
    expect(letter.attributes).toMatchObject({ ERROR_CODE: 'NO_RESOURCE', RETRY_ATTEMPTS: '0' });
    expect(letter.attributes.ERROR_MESSAGE).toContain('thing t-404 does not exist');
    expect(letter.attributes.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
    runtime.outbox.close();
  });

  it('does not re-emit results of remediations triggered by remediation events (no loops)', async () => {
    const results = join(dir, 'results.jsonl');
    const { runtime } = bus(
      `
bus:
  rules:
    - Name: everything
      EventPattern: { source: [{ prefix: "" }] }
      Targets:
        - { Id: tag, Arn: "${REMEDIATION_ARN_PREFIX}test-tag-thing" }
        - { Id: log, Arn: "file://${results}" }
`,
      () => ({ thingId: 't-1' }),
    );
    runtime.publish('default', finding('t-1'));
    await settle(runtime);
    // the finding, its execution event, and nothing more
    expect(jsonl(results).map((e) => e.source)).toEqual(['test.things', 'vigil.respond']);
    expect(store.history()).toHaveLength(2);
    runtime.outbox.close();
  });

  it('a target naming an unknown action or a bad setting is reported, and its deliveries dead-lettered', async () => {
    const registry = new EventBusRegistry();
    const loaded = loadBusConfig(
      registry,
      `
bus:
  rules:
    - Name: r
      EventPattern: { source: [x] }
      Targets:
        - { Id: a, Arn: "vigil:remediation:nope" }
        - { Id: b, Arn: "vigil:remediation:test-tag-thing", RemediationParameters: { mode: auto } }
        - { Id: c, Arn: "vigil:remediation:test-tag-thing", RemediationParameters: { Mode: yolo } }
        - { Id: d, Arn: "vigil:remediation:test-tag-thing", RemediationParameters: { Parameters: [1] } }
`,
      'bus.yaml',
    );
    expect(loaded.issues).toEqual([]);
    expect(checkRemediationTargets(registry.bus('default').rules.values(), lookup)).toEqual([
      'rule r: target a: unknown remediation action "nope" (see vigil respond list)',
      'rule r: target b: unknown RemediationParameters mode (known: Mode, Parameters, Region, AccountId, EventBusName)',
      'rule r: target c: RemediationParameters.Mode must be one of dryRun, approve, auto, got "yolo"',
      'rule r: target d: RemediationParameters.Parameters must be a mapping',
    ]);
    expect(parseRemediationTarget({ Id: 'x', Arn: 'vigil:remediation:test-tag-thing' }, lookup)).toMatchObject({
      mode: 'dryRun',
      parameters: {},
    });
  });

  it('busOfRule reads the bus from a rule ARN', () => {
    expect(busOfRule('arn:aws:events:us-east-1:1:rule/r')).toBe('default');
    expect(busOfRule('arn:aws:events:us-east-1:1:rule/security/r')).toBe('security');
  });
});
