import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/bus/outbox.js';
import { EventBusRegistry, type TargetSpec } from '../../src/bus/registry.js';
import { BusRuntime } from '../../src/bus/runtime.js';
import {
  createInvoker,
  FileTarget,
  type InvokeContext,
  type InvokerDeps,
  registerTargetFactory,
  type TargetInvoker,
} from '../../src/bus/targets.js';

const deps: InvokerDeps = { publish: () => undefined };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Records what it was asked to do, like a remediation-action target would. */
class RecordingTarget implements TargetInvoker {
  calls: { action: string; body: unknown; ctx: InvokeContext }[] = [];
  constructor(readonly action: string) {}
  async invoke(body: string, ctx: InvokeContext) {
    this.calls.push({ action: this.action, body: JSON.parse(body), ctx });
    return { ok: true as const };
  }
}

describe('registerTargetFactory', () => {
  it('adds a target kind the bus does not know', () => {
    const spec: TargetSpec = { Id: 'fix', Arn: 'vigil:remediation:block-public-access' };
    expect(createInvoker(spec, deps)).toMatch(/not supported/);
    let seen: { spec: TargetSpec; deps: InvokerDeps } | undefined;
    cleanups.push(
      registerTargetFactory(
        (s) => s.Arn.startsWith('vigil:remediation:'),
        (s, d) => {
          seen = { spec: s, deps: d };
          return new RecordingTarget(s.Arn.slice('vigil:remediation:'.length));
        },
      ),
    );
    const inv = createInvoker(spec, deps);
    expect(inv).toBeInstanceOf(RecordingTarget);
    expect((inv as RecordingTarget).action).toBe('block-public-access');
    expect(seen?.spec).toBe(spec);
    expect(seen?.deps).toBe(deps);
  });

  it('is consulted before the built-in schemes, latest registration first, and can be removed', () => {
    const spec: TargetSpec = { Id: 'f', Arn: 'file:///tmp/vigil-factory-test.jsonl' };
    expect(createInvoker(spec, deps)).toBeInstanceOf(FileTarget);
    const first = new RecordingTarget('first');
    const second = new RecordingTarget('second');
    const offFirst = registerTargetFactory(
      (s) => s.Arn.startsWith('file:'),
      () => first,
    );
    const offSecond = registerTargetFactory(
      (s) => s.Arn.startsWith('file:'),
      () => second,
    );
    cleanups.push(offFirst, offSecond);
    expect(createInvoker(spec, deps)).toBe(second);
    offSecond();
    expect(createInvoker(spec, deps)).toBe(first);
    offFirst();
    expect(createInvoker(spec, deps)).toBeInstanceOf(FileTarget);
  });

  it('turns a throwing matcher into "not matched" and a throwing factory into a reason', () => {
    cleanups.push(
      registerTargetFactory(
        () => {
          throw new Error('broken matcher');
        },
        () => new RecordingTarget('never'),
      ),
      registerTargetFactory(
        (s) => s.Arn === 'vigil:remediation:unknown',
        () => {
          throw new Error('no such remediation action "unknown"');
        },
      ),
    );
    expect(createInvoker({ Id: 'x', Arn: 'vigil:remediation:unknown' }, deps)).toBe(
      'target vigil:remediation:unknown: no such remediation action "unknown"',
    );
    expect(createInvoker({ Id: 'y', Arn: 'file:///tmp/x.jsonl' }, deps)).toBeInstanceOf(FileTarget);
  });

  it('delivers through the runtime: shaped input and the invoke context reach the registered invoker', async () => {
    const target = new RecordingTarget('tag-resource');
    cleanups.push(
      registerTargetFactory(
        (s) => s.Arn === 'vigil:remediation:tag-resource',
        () => target,
      ),
    );
    const registry = new EventBusRegistry({ account: '123456789012', region: 'us-east-1' });
    registry.putRule({ Name: 'auto-fix', EventPattern: '{"source": ["vigil.test"]}' });
    registry.putTargets({
      Rule: 'auto-fix',
      Targets: [{ Id: 'fix', Arn: 'vigil:remediation:tag-resource', InputPath: '$.detail' }],
    });
    const runtime = new BusRuntime({ registry, outbox: new Outbox(), retry: { baseMs: 1, capMs: 2 } });
    const put = runtime.putEvents([{ Source: 'vigil.test', DetailType: 'Finding', Detail: '{"resource": "i-1"}' }]);
    await runtime.drain();
    expect(target.calls).toHaveLength(1);
    expect(target.calls[0]!.body).toEqual({ resource: 'i-1' });
    expect(target.calls[0]!.ctx).toMatchObject({
      ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/auto-fix',
      ruleName: 'auto-fix',
      targetId: 'fix',
      eventId: (put.Entries[0] as { EventId: string }).EventId,
    });
    expect(runtime.outbox.metrics()).toEqual([
      {
        ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/auto-fix',
        targetId: 'fix',
        name: 'Invocations',
        value: 1,
      },
    ]);
  });
});
