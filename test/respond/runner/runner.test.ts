import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../../../src/respond/action.js';
import {
  classifyCode,
  classifyError,
  diffPlans,
  EVENT_DETAIL_TYPE,
  EVENT_SOURCE,
  RemediationRunner,
} from '../../../src/respond/runner.js';
import { ExecutionStore } from '../../../src/respond/store.js';
import { fakeContext, newWorld, tagThingAction, type World } from './fake-action.js';

let dir: string;
let store: ExecutionStore;
let world: World;
let events: Record<string, unknown>[];
let runner: RemediationRunner;

const CLOCK = new Date('2026-11-29T06:30:00.123Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-respond-runner-'));
  store = new ExecutionStore(join(dir, 'respond.db'));
  world = newWorld();
  world.things.set('t-1', { owner: 'alice' });
  events = [];
  const action = tagThingAction(world) as unknown as Action<unknown>;
  runner = new RemediationRunner({
    actions: (n) => (n === action.name ? action : undefined),
    context: (region) => fakeContext(region),
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:1',
    store,
    emit: (e) => {
      events.push(e);
    },
    now: () => CLOCK,
  });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('modes', () => {
  it('dryRun (the default) plans, records and emits, and changes nothing', async () => {
    const e = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-1' } });
    expect(e.mode).toBe('dryRun');
    expect(e.status).toBe('planned');
    expect(e.plan?.calls).toEqual([
      {
        action: 'test:TagThing',
        params: { ThingId: 't-1', Key: 'quarantined', Value: 'true' },
        reason: 'tag quarantined is missing',
      },
    ]);
    expect(e.params).toEqual({ thingId: 't-1', tags: { quarantined: 'true' } }); // schema defaults filled in
    expect(e.results).toEqual([]);
    expect(world.things.get('t-1')).toEqual({ owner: 'alice' });
    expect(e.accountId).toBe('111122223333');
    expect(e.region).toBe('eu-west-1');
    expect(e.endpoint).toBe('http://127.0.0.1:1');
    expect(e.timings.planMs).toBeGreaterThanOrEqual(0);
    expect(e.timings.applyMs).toBeUndefined();
    expect(store.get(e.id)).toEqual(e);
    expect(events).toHaveLength(1);
    const ev = events[0]!;
    expect(ev).toMatchObject({
      version: '0',
      source: EVENT_SOURCE,
      'detail-type': EVENT_DETAIL_TYPE,
      account: '111122223333',
      region: 'eu-west-1',
      time: '2026-11-29T06:30:00Z',
      resources: ['t-1'],
    });
    expect(ev.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ev.detail).toMatchObject({
      executionId: e.id,
      action: 'test-tag-thing',
      mode: 'dryRun',
      status: 'planned',
      target: 't-1',
      error: null,
      trigger: { via: 'cli' },
      plan: { noop: false, observed: { tags: { owner: 'alice' } } },
    });
  });

  it('auto applies the plan; a second run is a no-op', async () => {
    const e = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'auto' });
    expect(e.status).toBe('applied');
    expect(e.results.map((r) => r.ok)).toEqual([true]);
    expect(world.things.get('t-1')).toEqual({ owner: 'alice', quarantined: 'true' });
    const again = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'auto' });
    expect(again.status).toBe('noop');
    expect(again.plan?.calls).toEqual([]);
    expect(again.results).toEqual([]);
    expect(world.calls.filter((c) => c.startsWith('test:'))).toEqual(['test:TagThing quarantined']);
  });

  it('records the trigger (event, rule, target, attempt) and the region asked for', async () => {
    const e = await runner.run({
      action: 'test-tag-thing',
      params: { thingId: 't-1' },
      region: 'ap-south-1',
      trigger: {
        via: 'bus',
        eventId: 'ev-1',
        ruleArn: 'arn:aws:events:us-east-1:111122223333:rule/r',
        ruleName: 'r',
        targetId: 'fix',
        attempt: 2,
      },
    });
    expect(e.region).toBe('ap-south-1');
    expect(store.history({ eventId: 'ev-1' }).map((x) => x.id)).toEqual([e.id]);
    expect((events[0]!.detail as Record<string, unknown>).trigger).toEqual(e.trigger);
  });
});

describe('approve mode', () => {
  it('records a pending plan; approve re-plans, sees the same calls and applies', async () => {
    const e = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'approve' });
    expect(e.status).toBe('pending');
    expect(world.things.get('t-1')).toEqual({ owner: 'alice' });
    const r = await runner.approve(e.id.slice(0, 8));
    expect(r.applied).toBe(true);
    expect(r.diff).toEqual([]);
    expect(r.execution.status).toBe('applied');
    expect(r.execution.approval).toMatchObject({ matched: true, forced: false, diff: [] });
    expect(world.things.get('t-1')).toEqual({ owner: 'alice', quarantined: 'true' });
    expect(store.get(e.id)?.status).toBe('applied');
    expect(events.map((x) => (x.detail as { status: string }).status)).toEqual(['pending', 'applied']);
    await expect(runner.approve(e.id)).rejects.toThrow(/is applied, not pending approval/);
  });

  it('shows the diff and keeps waiting when the resource changed; --force applies the fresh plan', async () => {
    const e = await runner.run({
      action: 'test-tag-thing',
      params: { thingId: 't-1', tags: { quarantined: 'true', team: 'sec' } },
      mode: 'approve',
    });
    world.things.get('t-1')!.team = 'sec'; // someone fixed half of it meanwhile
    const r = await runner.approve(e.id);
    expect(r.applied).toBe(false);
    expect(r.diff).toEqual(['- test:TagThing {"Key":"team","ThingId":"t-1","Value":"sec"}']);
    expect(r.execution.status).toBe('pending');
    expect(r.execution.plan?.calls).toHaveLength(2); // the recorded plan is kept
    expect(world.things.get('t-1')).toEqual({ owner: 'alice', team: 'sec' });
    const forced = await runner.approve(e.id, { force: true });
    expect(forced.applied).toBe(true);
    expect(forced.execution.approval).toMatchObject({ matched: false, forced: true });
    expect(forced.execution.results.map((x) => x.call.params.Key)).toEqual(['quarantined']);
    expect(world.things.get('t-1')).toEqual({ owner: 'alice', team: 'sec', quarantined: 'true' });
  });

  it('a plan that became a no-op is closed as noop without calls', async () => {
    const e = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'approve' });
    world.things.get('t-1')!.quarantined = 'true';
    const r = await runner.approve(e.id);
    expect(r.applied).toBe(false);
    expect(r.execution.status).toBe('noop');
    expect(world.calls.filter((c) => c.startsWith('test:'))).toEqual([]);
  });

  it('a failed re-plan leaves the plan pending', async () => {
    const e = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'approve' });
    world.planError = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const r = await runner.approve(e.id);
    expect(r.applied).toBe(false);
    expect(r.execution.status).toBe('pending');
    expect(r.execution.error).toMatchObject({ code: 'ThrottlingException', retriable: true });
    expect((await runner.approve(e.id)).execution.status).toBe('applied');
  });

  it('reject closes a pending plan; unknown and ambiguous ids are explained', async () => {
    const e = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'approve' });
    const x = await runner.reject(e.id, 'change freeze');
    expect(x.status).toBe('rejected');
    expect(x.error?.message).toBe('change freeze');
    await expect(runner.approve(e.id)).rejects.toThrow(/is rejected, not pending/);
    await expect(runner.approve('zzzzzzzz')).rejects.toThrow(/no execution zzzzzzzz in .*respond\.db/);
    await expect(runner.approve('ab')).rejects.toThrow(/at least 4 of its first characters/);
  });
});

describe('bad input and failures', () => {
  it('unknown action and invalid parameters are recorded as invalid, naming the parameter', async () => {
    const u = await runner.run({ action: 'no-such-action', params: {} });
    expect(u.status).toBe('invalid');
    expect(u.error).toEqual({ code: 'UnknownAction', message: 'unknown action no-such-action', retriable: false });
    const p = await runner.run({ action: 'test-tag-thing', params: { thingId: 'i-123', tags: 'x' } });
    expect(p.status).toBe('invalid');
    expect(p.error?.code).toBe('InvalidParameters');
    expect(p.error?.message).toContain('test-tag-thing: parameter thingId: must be a thing id (t-…)');
    expect(p.error?.message).toContain('test-tag-thing: parameter tags:');
    expect(p.params).toEqual({ thingId: 'i-123', tags: 'x' }); // the raw input, for the record
    expect(world.calls).toEqual([]);
    expect(store.history({ status: 'invalid' })).toHaveLength(2);
  });

  it('a throttled call is a retriable failure; a denied call is not', async () => {
    world.applyErrors.push({ code: 'RequestLimitExceeded', message: 'Request limit exceeded.' });
    const t = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'auto' });
    expect(t.status).toBe('failed');
    expect(t.error).toEqual({
      code: 'RequestLimitExceeded',
      message: 'Request limit exceeded.',
      retriable: true,
      call: 'test:TagThing',
    });
    expect(t.results).toHaveLength(1);
    world.applyErrors.push({ code: 'UnauthorizedOperation', message: 'You are not authorized' });
    const d = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'auto' });
    expect(d.error).toMatchObject({ code: 'UnauthorizedOperation', retriable: false });
    // the failure is the event's status, so a rule can route failures
    expect(events.map((x) => (x.detail as { status: string }).status)).toEqual(['failed', 'failed']);
  });

  it('a missing resource blocks; a blocked plan carrying a transient code is a retriable failure', async () => {
    const b = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-9' }, mode: 'auto' });
    expect(b.status).toBe('blocked');
    expect(b.error).toEqual({ code: 'Blocked', message: 'thing t-9 does not exist', retriable: false });
    const throttled: Action<unknown> = {
      ...(tagThingAction(world) as unknown as Action<unknown>),
      plan: async () => ({
        action: 'test-tag-thing',
        target: 't-1',
        calls: [],
        observed: {},
        noop: false,
        blocked: 'Throttling: Rate exceeded',
      }),
    };
    const r2 = new RemediationRunner({ actions: () => throttled, context: (r) => fakeContext(r), region: 'us-east-1' });
    const f = await r2.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'auto' });
    expect(f.status).toBe('failed');
    expect(f.error).toEqual({ code: 'Throttling', message: 'Rate exceeded', retriable: true });
  });

  it('a planning exception is classified from the SDK error', async () => {
    world.planError = Object.assign(new Error('We encountered an internal error.'), {
      name: 'InternalError',
      $metadata: { httpStatusCode: 500 },
    });
    const e = await runner.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'auto' });
    expect(e.status).toBe('failed');
    expect(e.error).toEqual({ code: 'InternalError', message: 'We encountered an internal error.', retriable: true });
  });

  it('a context that cannot be built (no credentials for STS) fails the execution, not the runner', async () => {
    const r = new RemediationRunner({
      actions: () => tagThingAction(world) as unknown as Action<unknown>,
      context: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        });
      },
      region: 'us-east-1',
    });
    const e = await r.run({ action: 'test-tag-thing', params: { thingId: 't-1' }, mode: 'auto' });
    expect(e.status).toBe('failed');
    expect(e.error).toMatchObject({ code: 'CredentialsProviderError', retriable: false });
  });
});

describe('classification', () => {
  it.each([
    ['Throttling', undefined, true, 'THROTTLING'],
    ['ThrottlingException', undefined, true, 'THROTTLING'],
    ['RequestLimitExceeded', undefined, true, 'THROTTLING'],
    ['SlowDown', 503, true, 'THROTTLING'],
    ['SomethingOdd', 429, true, 'THROTTLING'],
    ['HTTP429', undefined, true, 'THROTTLING'],
    ['InternalError', undefined, true, 'SDK_CLIENT_ERROR'],
    ['ServiceUnavailable', undefined, true, 'SDK_CLIENT_ERROR'],
    ['Unknown', 502, true, 'SDK_CLIENT_ERROR'],
    ['HTTP503', undefined, true, 'SDK_CLIENT_ERROR'],
    ['ECONNREFUSED', undefined, true, 'SDK_CLIENT_ERROR'],
    ['TimeoutError', undefined, true, 'TIMEOUT'],
    ['AccessDenied', undefined, false, 'NO_PERMISSIONS'],
    ['UnauthorizedOperation', undefined, false, 'NO_PERMISSIONS'],
    ['HTTP403', undefined, false, 'NO_PERMISSIONS'],
    ['InvalidInstanceID.NotFound', undefined, false, 'NO_RESOURCE'],
    ['NoSuchBucket', undefined, false, 'NO_RESOURCE'],
    ['NoSuchEntity', undefined, false, 'NO_RESOURCE'],
    ['InvalidParameterValue', 400, false, 'SDK_CLIENT_ERROR'],
  ])('%s (HTTP %s) → retriable %s, %s', (code, status, retriable, dlq) => {
    const c = classifyCode(code, 'm', status);
    expect([c.retriable, c.dlqCode]).toEqual([retriable, dlq]);
  });

  it('reads SDK v3 errors: name, $metadata.httpStatusCode, $retryable.throttling', () => {
    const sdk = Object.assign(new Error('slow down'), { name: 'Odd', $retryable: { throttling: true } });
    expect(classifyError(sdk)).toMatchObject({ code: 'Odd', retriable: true, dlqCode: 'THROTTLING' });
    const sys = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyError(sys)).toMatchObject({ code: 'ECONNREFUSED', retriable: true });
    expect(classifyError('boom')).toMatchObject({ code: 'Error', message: 'boom', retriable: false });
  });

  it('diffPlans compares calls by content, not key order', () => {
    const call = (params: Record<string, unknown>) => ({ action: 'test:TagThing', params, reason: 'r' });
    const plan = (calls: ReturnType<typeof call>[]) => ({ action: 'a', target: 't', calls, observed: {}, noop: false });
    expect(diffPlans(plan([call({ A: 1, B: [1, 2] })]), plan([call({ B: [1, 2], A: 1 })]))).toEqual([]);
    expect(diffPlans(plan([call({ A: 1 }), call({ A: 2 })]), plan([call({ A: 2 }), call({ A: 1 })]))).toEqual([
      '~ the same calls in a different order',
    ]);
    expect(diffPlans(plan([call({ A: 1 })]), plan([call({ A: 3 })]))).toEqual([
      '- test:TagThing {"A":1}',
      '+ test:TagThing {"A":3}',
    ]);
  });
});
