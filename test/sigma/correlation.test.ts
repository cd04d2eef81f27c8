import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/ingest/types.js';
import { validateCollection } from '../../src/sigma/collection.js';
import { SigmaEngine } from '../../src/sigma/engine.js';
import { mergeCollections, parseSigmaText } from '../../src/sigma/parse.js';
import { SigmaStream } from '../../src/sigma/stream.js';
import type { SigmaCorrelationMatch, SigmaEvent } from '../../src/sigma/types.js';
import { SPEC_CORRELATION } from './helpers.js';

/** Base rules the specification's examples refer to (by id or name), each matching one `kind` of event. */
function baseRule(ref: { id?: string; name?: string }, kind: string): string {
  return [
    `title: base ${ref.name ?? ref.id}`,
    ref.id ? `id: ${ref.id}` : '',
    ref.name ? `name: ${ref.name}` : '',
    'logsource: { product: aws, service: cloudtrail }',
    `detection: { sel: { kind: ${kind} }, condition: sel }`,
  ]
    .filter(Boolean)
    .join('\n');
}

const BASES = [
  baseRule({ id: '5638f7c0-ac70-491d-8465-2a65075e0d86' }, 'failed_login'),
  baseRule({ name: 'recon_cmd_a' }, 'whoami'),
  baseRule({ name: 'recon_cmd_b' }, 'ipconfig'),
  baseRule({ name: 'recon_cmd_c' }, 'netstat'),
  baseRule({ name: 'website_access' }, 'web'),
  baseRule({ name: 'rule_a_id' }, 'net'),
  baseRule({ name: 'process_creation' }, 'proc'),
].join('\n---\n');

function specStream(example: string, extra = '') {
  const text = readFileSync(join(SPEC_CORRELATION, 'correlation', example), 'utf8');
  const c = validateCollection(
    mergeCollections([
      parseSigmaText(BASES, 'bases.yml'),
      parseSigmaText(text, example),
      parseSigmaText(extra, 'extra.yml'),
    ]),
  );
  expect(c.issues).toEqual([]);
  return new SigmaStream(new SigmaEngine(c), c);
}

const T0 = Date.parse('2024-05-01T00:00:00Z');
const MIN = 60_000;
let line = 0;
function rec(fields: Record<string, unknown>, time: number): LogRecord {
  return { type: 'cloudtrail', fields, time, origin: { file: 'events.json', line: ++line } };
}

function run(stream: SigmaStream, records: LogRecord[]): SigmaEvent[] {
  return [...records.flatMap((r) => stream.push(r)), ...stream.flush()];
}

const correlations = (events: SigmaEvent[]) =>
  events.filter((e): e is SigmaCorrelationMatch => e.kind === 'correlation');

describe('the specification examples fire as described', () => {
  it('event_count: ≥ 100 failed logins per ComputerName within 1h', () => {
    const stream = specStream('event_count.yml');
    const records = [
      ...Array.from({ length: 100 }, (_, i) => rec({ kind: 'failed_login', ComputerName: 'A' }, T0 + i * 30_000)),
      ...Array.from({ length: 99 }, (_, i) => rec({ kind: 'failed_login', ComputerName: 'B' }, T0 + i * 30_000)),
      // 100 for C, but spread over 100 minutes: never 100 within one hour.
      ...Array.from({ length: 100 }, (_, i) => rec({ kind: 'failed_login', ComputerName: 'C' }, T0 + i * MIN)),
    ];
    const out = run(stream, records);
    const fired = correlations(out);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      rule: { title: 'Many failed logins', id: '0e95725d-7320-415d-80f7-004da920fc11' },
      type: 'event_count',
      group: { ComputerName: 'A' },
      value: 100,
      condition: 'gte 100',
      start: T0,
      end: T0 + 99 * 30_000,
      eventCount: 100,
    });
    expect(fired[0]!.events).toHaveLength(10);
    // Without `generate: true` the base rule's own matches are not reported.
    expect(out.filter((e) => e.kind === 'match')).toEqual([]);
    expect(stream.stats).toMatchObject({ records: 299, matches: 299, correlations: 1 });
  });

  it('event_count (ECS variant): group-by a nested field', () => {
    const stream = specStream('event_count_ecs.yml');
    const records = Array.from({ length: 100 }, (_, i) =>
      rec({ kind: 'failed_login', dns: { question: { name: 'sigmahq.io' } } }, T0 + i * 1000),
    );
    const fired = correlations(run(stream, records));
    expect(fired.map((f) => f.group)).toEqual([{ 'dns.question.name': 'sigmahq.io' }]);
  });

  it('value_count: ≥ 100 distinct users per (ComputerName, WorkstationName) within 1d', () => {
    const stream = specStream('value_count.yml');
    const mk = (user: string, ws: string, i: number) =>
      rec({ kind: 'failed_login', ComputerName: 'dc1', WorkstationName: ws, User: user }, T0 + i * MIN);
    const records = [
      ...Array.from({ length: 150 }, (_, i) => mk(`user${i % 50}`, 'ws1', i)), // 50 distinct users only
      ...Array.from({ length: 100 }, (_, i) => mk(`user${i}`, 'ws2', i)),
    ];
    const fired = correlations(run(stream, records));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      group: { ComputerName: 'dc1', WorkstationName: 'ws2' },
      value: 100,
      condition: 'User gte 100',
    });
  });

  it('temporal: recon_cmd_a, b and c for the same (ComputerName, User) within 5m, any order', () => {
    const stream = specStream('temporal.yml');
    const ev = (kind: string, host: string, minute: number) =>
      rec({ kind, ComputerName: host, User: 'bob' }, T0 + minute * MIN);
    const fired = correlations(
      run(stream, [
        ev('netstat', 'h1', 0),
        ev('whoami', 'h1', 1),
        ev('ipconfig', 'h1', 2), // all three within 2 minutes → fires
        ev('whoami', 'h2', 0),
        ev('ipconfig', 'h2', 3),
        ev('netstat', 'h2', 9), // 9 minutes after the first → no
      ]),
    );
    expect(fired.map((f) => [f.group, f.value, f.eventCount])).toEqual([[{ ComputerName: 'h1', User: 'bob' }, 3, 3]]);
    expect(fired[0]!.condition).toBe('all rules matched');
  });

  it('temporal_ordered: a then b then c', () => {
    const stream = specStream('temporal_ordered.yml');
    const ev = (kind: string, host: string, minute: number) =>
      rec({ kind, ComputerName: host, User: 'bob' }, T0 + minute * MIN);
    const fired = correlations(
      run(stream, [
        ev('ipconfig', 'h1', 0), // b before a: does not start the sequence
        ev('whoami', 'h1', 1),
        ev('netstat', 'h1', 2), // a, c — b missing after a
        ev('whoami', 'h2', 0),
        ev('ipconfig', 'h2', 1),
        ev('netstat', 'h2', 2), // a, b, c in order → fires
      ]),
    );
    expect(fired.map((f) => f.group)).toEqual([{ ComputerName: 'h2', User: 'bob' }]);
    const late = specStream('temporal_ordered.yml');
    // Fires on the event that completes the sequence.
    expect(correlations(late.push(ev('whoami', 'h1', 3)))).toEqual([]);
    expect(correlations(late.push(ev('ipconfig', 'h1', 4)))).toEqual([]);
    expect(correlations(late.push(ev('netstat', 'h1', 5)))).toHaveLength(1);
  });

  it('value_sum: more than 1,000,000 bytes sent per (SourceIP, User) within 1h', () => {
    const stream = specStream('value_sum.yml');
    const ev = (bytes: unknown, ip: string, minute: number) =>
      rec({ kind: 'web', SourceIP: ip, User: 'u', bytes_sent: bytes }, T0 + minute * MIN);
    const fired = correlations(
      run(stream, [
        ev(400_000, '10.0.0.1', 0),
        ev('400000', '10.0.0.1', 10), // numeric text counts
        ev('n/a', '10.0.0.1', 20), // ignored
        ev(300_000, '10.0.0.1', 30), // 1,100,000 → fires
        ev(900_000, '10.0.0.2', 0),
        ev(900_000, '10.0.0.2', 70), // the first left the window
      ]),
    );
    expect(fired.map((f) => [f.group, f.value])).toEqual([[{ SourceIP: '10.0.0.1', User: 'u' }, 1_100_000]]);
  });

  it('value_avg: average BytesOut over 24h above 500 (judged when the window completes)', () => {
    const stream = specStream('value_avg.yml');
    const ev = (bytes: number, ip: string, hour: number) =>
      rec({ kind: 'net', SourceIP: ip, User: 'u', BytesOut: bytes }, T0 + hour * 60 * MIN);
    const first = [ev(1000, '10.0.0.1', 0), ev(200, '10.0.0.1', 1), ev(600, '10.0.0.1', 2), ev(100, '10.0.0.2', 0)];
    expect(correlations(first.flatMap((r) => stream.push(r)))).toEqual([]);
    // An event 25 hours later moves event time past the first windows: they close and are judged.
    const closed = correlations(stream.push(ev(100, '10.0.0.3', 25)));
    expect(closed.map((f) => [f.group, f.value])).toEqual([[{ SourceIP: '10.0.0.1', User: 'u' }, 600]]);
    expect(correlations(stream.flush())).toEqual([]);
  });

  it('value_percentile: a process name seen in ≤ 1% of a computer’s events within 24h', () => {
    const stream = specStream('value_percentile.yml');
    const records = [
      ...Array.from({ length: 199 }, (_, i) =>
        rec({ kind: 'proc', ComputerName: 'pc1', Image: 'svchost.exe' }, T0 + i * MIN),
      ),
      rec({ kind: 'proc', ComputerName: 'pc1', Image: 'evil.exe' }, T0 + 200 * MIN),
      ...Array.from({ length: 10 }, (_, i) =>
        rec({ kind: 'proc', ComputerName: 'pc2', Image: `p${i % 2}.exe` }, T0 + i * MIN),
      ),
    ];
    const fired = correlations(run(stream, records));
    expect(fired.map((f) => [f.group, f.fieldValue, f.value, f.eventCount])).toEqual([
      [{ ComputerName: 'pc1' }, 'evil.exe', 0.5, 1],
    ]);
  });
});

describe('correlation features', () => {
  const base = (name: string, kind: string, extra = '') =>
    `title: ${name}\nname: ${name}\n${extra}logsource: { product: aws, service: cloudtrail }\ndetection: { sel: { eventName: ${kind} }, condition: sel }\n`;

  function streamOf(text: string) {
    const c = validateCollection(parseSigmaText(text, 'set.yml'));
    expect(c.issues).toEqual([]);
    return new SigmaStream(new SigmaEngine(c), c);
  }

  it('generate: true also reports the base matches; unreferenced rules always report', () => {
    const text = [
      base('login', 'ConsoleLogin'),
      base('other', 'GetObject'),
      'title: Many logins\ngenerate: true\ncorrelation: { type: event_count, rules: [login], group-by: [sourceIPAddress], timespan: 10m, condition: { gte: 2 } }\n',
    ].join('---\n');
    const stream = streamOf(text);
    const out = run(stream, [
      rec({ eventName: 'ConsoleLogin', sourceIPAddress: '1.2.3.4' }, T0),
      rec({ eventName: 'GetObject', sourceIPAddress: '1.2.3.4' }, T0 + 1),
      rec({ eventName: 'ConsoleLogin', sourceIPAddress: '1.2.3.4' }, T0 + 2),
    ]);
    expect(out.map((e) => `${e.kind}:${e.rule.title}`)).toEqual([
      'match:login',
      'match:other',
      'match:login',
      'correlation:Many logins',
    ]);
  });

  it('aliases group different fields of different rules; one record counts once', () => {
    const text = [
      base('dns_query', 'DnsQuery'),
      base('net_conn', 'Connect'),
      'title: Lookup then connect\ncorrelation:\n  type: temporal_ordered\n  rules: [dns_query, net_conn]\n  group-by: [host]\n  timespan: 1m\n  aliases:\n    host:\n      dns_query: requestParameters.name\n      net_conn: requestParameters.destination\n',
    ].join('---\n');
    const stream = streamOf(text);
    const out = correlations(
      run(stream, [
        rec({ eventName: 'DnsQuery', requestParameters: { name: 'evil.example' } }, T0),
        rec({ eventName: 'Connect', requestParameters: { destination: 'good.example' } }, T0 + 1000),
        rec({ eventName: 'Connect', requestParameters: { destination: 'evil.example' } }, T0 + 2000),
      ]),
    );
    expect(out.map((f) => [f.group, f.eventCount])).toEqual([[{ host: 'evil.example' }, 2]]);
  });

  it('chains correlations: a correlation of correlations', () => {
    const text = [
      base('denied', 'AccessDenied'),
      'title: Burst\nname: burst\ncorrelation: { type: event_count, rules: [denied], group-by: [userName], timespan: 1m, condition: { gte: 3 } }\n',
      'title: Repeated bursts\nlevel: high\ncorrelation: { type: event_count, rules: [burst], group-by: [userName], timespan: 1h, condition: { gte: 2 } }\n',
    ].join('---\n');
    const stream = streamOf(text);
    const burst = (start: number) =>
      Array.from({ length: 3 }, (_, i) => rec({ eventName: 'AccessDenied', userName: 'eve' }, start + i * 1000));
    const out = run(stream, [...burst(T0), ...burst(T0 + 10 * MIN)]);
    // The inner correlation is used by the outer one, so only the outer one is reported.
    expect(out.map((e) => e.rule.title)).toEqual(['Repeated bursts']);
    const top = out[0] as SigmaCorrelationMatch;
    expect(top.rule.level).toBe('high');
    expect(top.events.map((e) => e.kind)).toEqual(['correlation', 'correlation']);
    expect(top.group).toEqual({ userName: 'eve' });
  });

  it('windows: fires once then restarts; events lacking group-by fields or time do not take part', () => {
    const text = [
      base('xx', 'X'),
      'title: Three\ncorrelation: { type: event_count, rules: [xx], group-by: [g], timespan: 1m, condition: { gt: 2 } }\n',
    ].join('---\n');
    const stream = streamOf(text);
    const out = correlations(
      run(stream, [
        ...Array.from({ length: 7 }, (_, i) => rec({ eventName: 'X', g: 1 }, T0 + i * 1000)),
        rec({ eventName: 'X' }, T0),
        rec({ eventName: 'X', g: 2 }, Number.NaN),
      ]),
    );
    // 7 events: fires at the 3rd and the 6th; the 7th starts a window that never completes.
    expect(out.map((f) => f.eventCount)).toEqual([3, 3]);
    expect(stream.stats.untimed).toBe(1);
  });

  it('forgets idle groups so state follows the active ones', () => {
    const text = [
      base('xx', 'X'),
      'title: Burst\ncorrelation: { type: event_count, rules: [xx], group-by: [ip], timespan: 1m, condition: { gte: 5 } }\n',
    ].join('---\n');
    const stream = streamOf(text);
    for (let i = 0; i < 1000; i++) stream.push(rec({ eventName: 'X', ip: `10.0.${i >> 8}.${i & 255}` }, T0 + i * 1000));
    // 1000 distinct groups over 1000 s, one event each: only those of the last minute or so are kept.
    expect(stream.groupCounts().Burst).toBeLessThanOrEqual(121);
    expect(stream.groupCounts().Burst).toBeGreaterThan(0);
  });

  it('lt conditions are judged on completed windows', () => {
    const text = [
      base('hb', 'Heartbeat'),
      'title: Too few heartbeats\ncorrelation: { type: event_count, rules: [hb], group-by: [host], timespan: 1h, condition: { lt: 3 } }\n',
    ].join('---\n');
    const stream = streamOf(text);
    const out = correlations(
      run(stream, [
        ...Array.from({ length: 5 }, (_, i) => rec({ eventName: 'Heartbeat', host: 'ok' }, T0 + i * 10 * MIN)),
        rec({ eventName: 'Heartbeat', host: 'quiet' }, T0 + 5 * MIN),
      ]),
    );
    expect(out.map((f) => [f.group, f.value])).toEqual([[{ host: 'quiet' }, 1]]);
  });
});
