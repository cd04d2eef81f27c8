import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DetectionEngine, detectRecords } from '../../src/detect/engine.js';
import { findingIdFor } from '../../src/detect/finding.js';
import { KeyedState } from '../../src/detect/keyed.js';
import { SqliteStateStore } from '../../src/detect/state.js';
import { archivingRule, parseFilter } from '../../src/detect/suppress.js';
import { ct, dns, flows, MIN, T0, types } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stop = (at: number, trail = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main') =>
  ct({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: { name: trail } }, at);

/** 25 SSH attempts from one attacker, one per 10 s, starting at `at`. */
function sshAttempts(at: number, n = 25, src = '203.0.113.45') {
  return flows(
    Array.from({ length: n }, (_, i) => ({
      src,
      dst: '10.0.0.20',
      sport: 40000 + i,
      dport: 22,
      at: at + i * 10_000,
      packets: 6,
    })),
  );
}

describe('aggregation and ids', () => {
  it('repeat occurrences fold into one finding with count, eventFirstSeen and eventLastSeen', () => {
    const res = detectRecords([stop(T0), stop(T0 + 5 * MIN), stop(T0 + 2 * MIN)]);
    expect(res.findings).toHaveLength(1);
    const f = res.findings[0]!;
    expect(f.type).toBe('Stealth:IAMUser/CloudTrailLoggingDisabled');
    expect(f.service.count).toBe(3);
    expect(f.service.eventFirstSeen).toBe('2026-11-01T00:00:00.000Z');
    expect(f.service.eventLastSeen).toBe('2026-11-01T00:05:00.000Z');
    expect(f.createdAt).toBe(f.service.eventFirstSeen);
    expect(f.updatedAt).toBe(f.service.eventLastSeen);
    expect(f.explanation.recordCount).toBe(3);
    expect(f.explanation.records).toHaveLength(3);
  });

  it('ids are deterministic 32-hex values derived from account, region, type and key', () => {
    const a = detectRecords([stop(T0)]).findings[0]!;
    const b = detectRecords([stop(T0)]).findings[0]!;
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
    expect(a.id).toBe(b.id);
    expect(a.arn).toBe(`arn:aws:guardduty:us-east-1:111122223333:detector/${a.service.detectorId}/finding/${a.id}`);
    const other = detectRecords([stop(T0, 'arn:aws:cloudtrail:us-east-1:111122223333:trail/other')]).findings[0]!;
    expect(other.id).not.toBe(a.id);
    expect(findingIdFor('111122223333', 'us-east-1', a.type, 'x')).not.toBe(
      findingIdFor('111122223333', 'eu-west-1', a.type, 'x'),
    );
  });

  it('takes account and region from the record, defaults otherwise', () => {
    const f = detectRecords([stop(T0)]).findings[0]!;
    expect(f.accountId).toBe('111122223333');
    expect(f.region).toBe('us-east-1');
    expect(f.partition).toBe('aws');
    expect(f.schemaVersion).toBe('2.0');
  });

  it('the same input twice gives byte-identical findings', () => {
    const input = [...sshAttempts(T0), stop(T0 + MIN)];
    expect(JSON.stringify(detectRecords(input).findings)).toBe(JSON.stringify(detectRecords(input).findings));
  });
});

describe('windows, watermark and eviction', () => {
  it('counts late records and still evaluates them', () => {
    const engine = new DetectionEngine({ allowedLatenessMs: MIN });
    for (const r of [stop(T0 + 10 * MIN), stop(T0)]) engine.process(r);
    const res = engine.finish();
    expect(res.stats.lateRecords).toBe(1);
    expect(res.findings[0]!.service.count).toBe(2);
  });

  const v = (n: number) => (t: number) => ({ last: t, n });

  it('eviction keeps at most maxKeys keys, drops the least recently used and counts them', () => {
    const s = new KeyedState<{ last: number; n: number }>('t', 4, 60_000);
    for (let i = 0; i < 10; i++) s.upsert(`k${i}`, T0 + i, v(i));
    expect(s.size).toBeLessThanOrEqual(4);
    expect(s.stats.lru).toBe(10 - s.size);
    expect(s.get('k9')?.n).toBe(9);
    expect(s.get('k0')).toBeUndefined();
    // A key used again survives a rotation that drops its generation-mates.
    const t = new KeyedState<{ last: number; n: number }>('t', 4, 60_000);
    t.upsert('hot', T0, v(1));
    for (let i = 0; i < 6; i++) {
      t.upsert(`k${i}`, T0 + i, v(i));
      t.upsert('hot', T0 + i, v(-1));
    }
    expect(t.get('hot')?.n).toBe(1);
    expect(t.stats.peak).toBeLessThanOrEqual(4);
  });

  it('TTL expiry by event time: idle generations are dropped, a stale key restarts when touched', () => {
    const s = new KeyedState<{ last: number; n: number }>('t', 100, 60_000);
    s.upsert('old', T0, v(1));
    s.expire(T0 + 90_000); // limit T0+30 s: the only generation is idle
    expect(s.get('old')).toBeUndefined();
    expect(s.stats.ttl).toBe(1);
    const m = new KeyedState<{ last: number; n: number }>('m', 100, 60_000);
    m.upsert('old', T0, v(1));
    m.upsert('new', T0 + 120_000, v(2));
    m.expire(T0 + 90_000);
    expect(m.get('new')?.n).toBe(2);
    expect(m.upsert('old', T0 + 121_000, v(5)).n).toBe(5); // touched after its TTL: fresh state
    expect(m.stats.ttl).toBe(1);
  });

  it('aging drops untouched keys as TTL drops, not as memory-bound (LRU) evictions', () => {
    const s = new KeyedState<{ last: number; n: number }>('t', 100, 60_000);
    s.upsert('a', T0 + 30_000, v(1));
    s.upsert('b', T0, v(2)); // out of order: the generation starts at T0
    s.expire(T0 + 61_000); // limit T0+1 s: the generation is older than the TTL, so it ages ('a', 'b' move back)
    s.upsert('c', T0 + 40_000, v(3));
    s.upsert('d', T0 + 2_000, v(4));
    // limit T0+3 s: the new generation ages too, dropping 'a' (idle 33 s, within the TTL) and 'b' (idle past it).
    s.expire(T0 + 63_000);
    expect(s.get('a')).toBeUndefined();
    expect(s.get('b')).toBeUndefined();
    expect(s.get('c')?.n).toBe(3);
    expect(s.stats).toEqual({ lru: 0, ttl: 2, peak: 4 });
  });

  it('with a tiny key budget state is evicted and reported, and detection still runs', () => {
    const res = detectRecords(sshAttempts(T0), { maxKeys: 1 });
    expect(types(res)).toContain('UnauthorizedAccess:EC2/SSHBruteForce');
    expect(res.stats.evictions.peak).toBeGreaterThan(0);
  });
});

describe('suppression rules (GuardDuty filter shape)', () => {
  const rule = parseFilter(
    {
      Name: 'trusted-scanner',
      Action: 'ARCHIVE',
      Rank: 1,
      FindingCriteria: {
        Criterion: {
          type: { Eq: ['UnauthorizedAccess:EC2/SSHBruteForce'] },
          'service.action.networkConnectionAction.remoteIpDetails.ipAddressV4': { Eq: ['203.0.113.45'] },
          severity: { Lt: 7 },
        },
      },
    },
    'test',
  );

  it('archives matching findings and names the rule in the explanation', () => {
    const res = detectRecords([...sshAttempts(T0), ...sshAttempts(T0, 25, '203.0.113.99')], { suppressions: [rule] });
    const archived = res.findings.filter((f) => f.service.archived);
    expect(archived).toHaveLength(1);
    expect(archived[0]!.explanation.archivedBy).toBe('trusted-scanner');
    expect(res.findings.filter((f) => !f.service.archived)).toHaveLength(1);
    expect(res.stats.archived).toBe(1);
  });

  it('accepts camelCase members and numeric bounds; rejects bad shapes with the rule named', () => {
    const camel = parseFilter({ name: 'x', findingCriteria: { criterion: { severity: { gte: 2 } } } }, 'f');
    const f = detectRecords([stop(T0)]).findings[0]!;
    expect(archivingRule(f, [camel])?.name).toBe('x');
    expect(
      archivingRule(f, [parseFilter({ name: 'y', findingCriteria: { criterion: { severity: { gt: 2 } } } }, 'f')]),
    ).toBeUndefined();
    expect(() =>
      parseFilter({ Name: 'bad', FindingCriteria: { Criterion: { type: { Like: ['x'] } } } }, 'file.yaml filter 1'),
    ).toThrow(/file.yaml filter 1 \(bad\): unknown operator "Like"/);
    expect(() => parseFilter({ Name: 'empty' }, 'f')).toThrow(/Criterion must be a non-empty object/);
  });

  it('Neq and time criteria (epoch ms) work on nested fields', () => {
    const f = detectRecords([stop(T0)]).findings[0]!;
    const neq = parseFilter(
      { Name: 'n', FindingCriteria: { Criterion: { accountId: { Neq: ['111122223333'] } } } },
      'f',
    );
    expect(archivingRule(f, [neq])).toBeUndefined();
    const time = parseFilter({ Name: 't', FindingCriteria: { Criterion: { updatedAt: { Gte: T0 } } } }, 'f');
    expect(archivingRule(f, [time])?.name).toBe('t');
  });
});

describe('persistent state (--state)', () => {
  it('a split run with a SQLite state file gives the same findings as one run', () => {
    const all = [...sshAttempts(T0, 30), stop(T0 + 3 * MIN), stop(T0 + 9 * MIN)];
    const single = detectRecords(all).findings;
    const path = join(dir, 'split.db');
    const first = detectRecords(all.slice(0, 12), { store: new SqliteStateStore(path) }).findings;
    const second = detectRecords(all.slice(12), { store: new SqliteStateStore(path) }).findings;
    const merged = new Map([...first, ...second].map((f) => [f.id, f]));
    expect([...merged.values()].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [...single].sort((a, b) => a.id.localeCompare(b.id)),
    );
    // The brute-force window straddled the split: it only reached its threshold because windows were persisted.
    expect(second.map((f) => f.type)).toContain('UnauthorizedAccess:EC2/SSHBruteForce');
  });

  it('persisted windows name (entity, remote) keys as text, whatever keys the tables use in memory', () => {
    const path = join(dir, 'keys.db');
    const store = new SqliteStateStore(path);
    detectRecords(sshAttempts(T0, 5), { store });
    const reopened = new SqliteStateStore(path);
    const windows = JSON.parse(reopened.getMeta('windows')!) as Record<string, [string, unknown, number][]>;
    reopened.close();
    const keys = windows['ec2-brute-force.attempts']!.map(([k]) => k);
    expect(keys).toEqual([`${sshAttempts(T0, 1)[0]!.fields['instance-id']}|203.0.113.45|SSH|TARGET`]);
    expect(windows['shared.vpcflow.entities']!.map(([k]) => k)).toEqual([sshAttempts(T0, 1)[0]!.fields['instance-id']]);
    // Inbound TCP windows per local address and port.
    expect(windows['ddos-flow.tcp']!.map(([k]) => k)).toEqual(['10.0.0.20|22']);
  });

  it('windows of every kind (pair aggregates, TCP flood windows, DNS windows) survive a split', () => {
    const scan = flows(
      Array.from({ length: 30 }, (_, i) => ({
        src: '10.0.0.20',
        dst: '203.0.113.9',
        sport: 50000 + i,
        dport: 1 + i,
        at: T0 + i * 1000,
        packets: 1,
      })),
    );
    const syn = flows(
      Array.from({ length: 30 }, (_, i) => ({
        src: `198.51.100.${i + 1}`,
        dst: '10.0.0.20',
        sport: 40000 + i,
        dport: 443,
        packets: 1,
        bytes: 40,
        flags: 2,
        at: T0 + i * 100,
      })),
    );
    const exfil = dns(
      Array.from({ length: 30 }, (_, i) => ({
        name: `${createHash('sha1').update(String(i)).digest('hex')}.x.exfil-example.com`,
        at: T0 + i * 1000,
      })),
    );
    const params = { 'ddos-flow': { minSources: 10, minSynRecords: 20 } };
    const all = [...scan, ...syn, ...exfil];
    const single = detectRecords(all, { params }).findings;
    expect(single.map((f) => f.type).sort()).toEqual([
      'DDoS:EC2/SYN_FLOOD',
      'Recon:EC2/Portscan',
      'Trojan:EC2/DNSDataExfiltration',
    ]);
    const path = join(dir, 'split-kinds.db');
    const firstHalf = [...scan.slice(0, 15), ...syn.slice(0, 15), ...exfil.slice(0, 15)];
    const secondHalf = [...scan.slice(15), ...syn.slice(15), ...exfil.slice(15)];
    expect(detectRecords(firstHalf, { params, store: new SqliteStateStore(path) }).findings).toEqual([]);
    const second = detectRecords(secondHalf, { params, store: new SqliteStateStore(path) }).findings;
    expect(second).toEqual(single);
  });

  it('rejects a file that is not a state database with a clear error', () => {
    const bad = join(dir, 'bad.db');
    writeFileSync(bad, 'not sqlite at all, just text '.repeat(100));
    expect(() => new SqliteStateStore(bad)).toThrow(/--state .*bad\.db: cannot open as a SQLite state file/);
  });
});
