import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/bus/outbox.js';
import { EventBusRegistry } from '../../src/bus/registry.js';
import { BusRuntime } from '../../src/bus/runtime.js';
import { BusScheduler } from '../../src/bus/scheduler.js';

const MIN = 60_000;

function setup(expression: string, start: number) {
  let now = start;
  const registry = new EventBusRegistry({ account: '123456789012', region: 'eu-west-1' });
  registry.putRule({ Name: 'tick', ScheduleExpression: expression });
  registry.putTargets({ Rule: 'tick', Targets: [{ Id: 't', Arn: 'file:///dev/null' }] });
  const outbox = new Outbox();
  const runtime = new BusRuntime({ registry, outbox, now: () => now });
  const scheduler = new BusScheduler(runtime, () => now);
  const bodies = () => outbox.deliveriesOf().map((d) => JSON.parse(d.body!) as Record<string, unknown>);
  return { registry, runtime, scheduler, bodies, outbox, advance: (ms: number) => (now += ms) };
}

describe('BusScheduler', () => {
  it('emits AWS Scheduled Events at rate() fire times, once per fire, latest missed fire only', () => {
    const t0 = Date.UTC(2026, 10, 29, 10, 0, 0);
    const s = setup('rate(5 minutes)', t0);
    expect(s.scheduler.tick()).toEqual([]); // first sight anchors the schedule
    s.advance(4 * MIN);
    expect(s.scheduler.tick()).toEqual([]);
    s.advance(MIN);
    expect(s.scheduler.tick()).toEqual([{ rule: 'tick', time: '2026-11-29T10:05:00Z' }]);
    expect(s.scheduler.tick()).toEqual([]);
    const [event] = s.bodies();
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-11-29T10:05:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:123456789012:rule/tick'],
      detail: {},
    });
    expect(Object.keys(event!)).toEqual([
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'resources',
      'detail',
    ]);
    s.advance(16 * MIN); // 10:21: fires at 10:10, 10:15, 10:20 were missed
    expect(s.scheduler.tick()).toEqual([{ rule: 'tick', time: '2026-11-29T10:20:00Z' }]);
  });

  it('follows cron() in UTC, skips disabled rules, and survives a restart without repeating', () => {
    const t0 = Date.UTC(2026, 10, 29, 11, 58, 30);
    const s = setup('cron(0 12 * * ? *)', t0);
    s.scheduler.tick();
    s.advance(2 * MIN); // 12:00:30
    expect(s.scheduler.tick()).toEqual([{ rule: 'tick', time: '2026-11-29T12:00:00Z' }]);
    const again = new BusScheduler(s.runtime, () => t0 + 3 * MIN);
    expect(again.tick()).toEqual([]);
    s.registry.disableRule({ Name: 'tick' });
    s.advance(24 * 60 * MIN);
    expect(s.scheduler.tick()).toEqual([]);
    s.registry.enableRule({ Name: 'tick' });
    expect(s.scheduler.tick()).toEqual([{ rule: 'tick', time: '2026-11-30T12:00:00Z' }]);
    expect(s.outbox.deliveriesOf()).toHaveLength(2);
  });
});
