import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../ingest/types.js';
import { detectRecords } from '../engine.js';
import { openGeo } from '../geo.js';
import { type Baseline, MemoryStateStore, SqliteStateStore } from '../state.js';
import { anomalousBehavior, anomalyFamily, userAgentFamily } from './anomalous.js';
import { isInstanceSession } from './cloudtrail-callers.js';

/** The definition the scanner implements: first token of the trimmed agent, major version only, 40 characters. */
function reference(ua: string): string {
  const first = ua.trim().split(/\s+/)[0] ?? '';
  const slash = first.indexOf('/');
  if (slash < 0) return first.slice(0, 40);
  const major = first.slice(slash + 1).split('.')[0];
  return `${first.slice(0, slash)}/${major}`.slice(0, 40);
}

describe('user-agent family', () => {
  it('keeps the tool and its major version', () => {
    expect(userAgentFamily('aws-cli/2.13.5 Python/3.11.4 Linux/6.1.0-kali9-amd64 exe/x86_64.kali')).toBe('aws-cli/2');
    expect(userAgentFamily('  Boto3/1.28.0 md/Botocore#1.31.0')).toBe('Boto3/1');
    expect(userAgentFamily('console.amazonaws.com')).toBe('console.amazonaws.com');
    expect(userAgentFamily('[S3Console/0.4, aws-internal/3]')).toBe('[S3Console/0');
    expect(userAgentFamily('a/b/c.d e')).toBe('a/b/c');
    expect(userAgentFamily('')).toBe('');
    expect(userAgentFamily(`x${'y'.repeat(60)}`)).toHaveLength(40);
  });

  it('equals the split-based definition for any text, whitespace of every kind included', () => {
    const chars = fc.constantFrom(
      ...'ab/.-_#[], 9'.split(''),
      '\t',
      '\n',
      '\u000b',
      '\u00a0',
      '\u0085',
      '\u1680',
      '\u180e',
      '\u2000',
      '\u200a',
      '\u200b',
      '\u2028',
      '\u202f',
      '\u205f',
      '\u3000',
      '\ufeff',
      '\ud83d',
    );
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 60 }), (cs) => {
        const ua = cs.join('');
        expect(userAgentFamily(ua)).toBe(reference(ua));
      }),
      { numRuns: 3000 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (ua) => userAgentFamily(ua) === reference(ua)));
  });
});

describe('anomaly family of an API', () => {
  it('classifies by the family lists, else List/Describe/Get as Discovery; the same answer when asked again', () => {
    for (let i = 0; i < 2; i++) {
      expect(anomalyFamily('StopLogging')).toBe('DefenseEvasion');
      expect(anomalyFamily('GetSecretValue')).toBe('CredentialAccess');
      expect(anomalyFamily('DescribeInstances')).toBe('Discovery');
      expect(anomalyFamily('PutObject')).toBeUndefined();
      expect(anomalyFamily('constructor')).toBeUndefined();
    }
  });
});

/**
 * A store whose baseline hands out a fresh copy of the persisted JSON on every read, as a state file freshly opened
 * for each record would: the detector never meets its own in-memory profile, so none of its per-identity shortcuts
 * apply. Its findings are the reference for the ordinary in-memory run.
 */
class ColdStore extends MemoryStateStore {
  private readonly kv = new Map<string, string>();
  override readonly baseline: Baseline = {
    seen: () => {
      throw new Error('not used by the anomalous detector');
    },
    get: <T>(ns: string, key: string) => {
      const v = this.kv.get(`${ns}|${key}`);
      return v === undefined ? undefined : (JSON.parse(v) as T);
    },
    put: (ns: string, key: string, value: unknown) => {
      this.kv.set(`${ns}|${key}`, JSON.stringify(value));
    },
  };
}

const IDS = ['arn:aws:iam::111122223333:user/alice', 'arn:aws:sts::111122223333:assumed-role/app/i-0abc', 'AIDAX:bob'];
const IPS = ['81.2.69.142', '8.8.8.8', '10.0.0.7', '2001:4860:4860::8888', 'ec2.amazonaws.com', ''];
const UAS = ['aws-cli/2.15.0 Python/3.11.6', 'aws-cli/2.13.1 Python/3.9', 'Boto3/1.26.0 Python/3.11', '', ' console'];
const CALLS: [string, string][] = [
  ['iam.amazonaws.com', 'ListUsers'],
  ['iam.amazonaws.com', 'CreateAccessKey'],
  ['iam.amazonaws.com', 'AttachUserPolicy'],
  ['s3.amazonaws.com', 'DeleteBucket'],
  ['s3.amazonaws.com', 'GetObject'],
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['ec2.amazonaws.com', 'ModifySnapshotAttribute'],
  ['kms.amazonaws.com', 'Decrypt'],
  ['cloudtrail.amazonaws.com', 'StopLogging'],
  ['secretsmanager.amazonaws.com', 'GetSecretValue'],
];
const T0 = Date.UTC(2026, 10, 1);

interface Call {
  id: number;
  ip: number;
  ua: number;
  api: number;
  hour: number;
  second: number;
  ms: number;
  failed: boolean;
}

function recordsOf(calls: Call[]): LogRecord[] {
  return calls.map((c, i) => ({
    type: 'cloudtrail',
    fields: {
      eventName: CALLS[c.api]![1],
      eventSource: CALLS[c.api]![0],
      userIdentity: IDS[c.id]!.startsWith('arn:')
        ? { type: 'IAMUser', arn: IDS[c.id], userName: 'u' }
        : { type: 'IAMUser', principalId: IDS[c.id] },
      sourceIPAddress: IPS[c.ip],
      userAgent: UAS[c.ua],
      ...(c.failed ? { errorCode: 'AccessDenied' } : {}),
      recipientAccountId: '111122223333',
      awsRegion: 'us-east-1',
    },
    time: T0 + c.hour * 3_600_000 + c.second * 1000 + c.ms,
    origin: { file: 'gen', line: i + 1 },
  }));
}

describe('anomalous behaviour: per-identity shortcuts', () => {
  const geo = openGeo();
  const params = { 'iam-anomalous-behavior': { learningPeriodHours: 2, newContextHours: 1 } };
  const opts = { detectors: [anomalousBehavior], geo, params };

  it('an earlier call within the same second still moves the first activity back', () => {
    const call = { id: 1, ip: 0, ua: 0, api: 0, hour: 0, second: 0, ms: 499, failed: false };
    const records = recordsOf([
      call,
      { ...call, ms: 1 },
      { ...call, ua: 2, api: 1, hour: 2, second: 1, ms: 0 }, // CreateAccessKey with a new user agent, 2 h later
    ]);
    const warm = detectRecords(records, opts).findings;
    expect(warm.map((f) => f.type)).toEqual(['Persistence:IAMUser/AnomalousBehavior']);
    expect(warm[0]!.explanation.reason).toContain(`active since ${new Date(T0 + 1).toISOString()}`);
    expect(detectRecords(records, { ...opts, store: new ColdStore() }).findings).toEqual(warm);
  });

  it('a run split in two with a SQLite state file gives the findings of one run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-anomalous-'));
    try {
      const calls: Call[] = [];
      for (let h = 0; h < 6; h++)
        for (let i = 0; i < 8; i++)
          calls.push({
            id: i % 3,
            ip: (h + i) % 4,
            ua: h % 3,
            api: (h * 3 + i) % CALLS.length,
            hour: h,
            second: i,
            ms: 0,
            failed: false,
          });
      const records = recordsOf(calls);
      const single = detectRecords(records, opts).findings;
      expect(single.length).toBeGreaterThan(0);
      const path = join(dir, 'state.db');
      const half = records.length / 2;
      const first = detectRecords(records.slice(0, half), { ...opts, store: new SqliteStateStore(path) }).findings;
      const second = detectRecords(records.slice(half), { ...opts, store: new SqliteStateStore(path) }).findings;
      const merged = new Map([...first, ...second].map((f) => [f.id, f]));
      expect([...merged.values()].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        [...single].sort((a, b) => a.id.localeCompare(b.id)),
      );
      // Profiles are stored in their plain shape (no in-memory cache fields).
      const reopened = new SqliteStateStore(path);
      const prof = reopened.baseline.get<Record<string, unknown>>('ident-profile', IDS[0]!);
      reopened.close();
      expect(Object.keys(prof ?? {})).toEqual(['first', 'nets', 'uas', 'apis']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('give the findings of a run that reads every profile cold, for any order of calls', () => {
    const call = fc.record({
      id: fc.nat(IDS.length - 1),
      ip: fc.nat(IPS.length - 1),
      ua: fc.nat(UAS.length - 1),
      api: fc.nat(CALLS.length - 1),
      // Calls bunched in a few seconds of each hour, in any order: repeats, ties and out-of-order calls within one
      // second are common. Mostly whole seconds, as CloudTrail writes.
      hour: fc.nat(9),
      second: fc.nat(2),
      ms: fc.constantFrom(0, 0, 0, 1, 499, 999),
      failed: fc.boolean(),
    });
    let found = 0;
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 120 }), (calls) => {
        const records = recordsOf(calls);
        const warm = detectRecords(records, opts).findings;
        const cold = detectRecords(records, { ...opts, store: new ColdStore() }).findings;
        expect(warm).toEqual(cold);
        found += warm.length;
      }),
      { numRuns: 300 },
    );
    expect(found).toBeGreaterThan(100); // the generated calls do raise findings
  });
});

describe('instance-role session check', () => {
  it('equals /:i-[0-9a-f]{8,17}$/i for any principal id', () => {
    const re = /:i-[0-9a-f]{8,17}$/i;
    expect(isInstanceSession('AROAEXAMPLE:i-0a1b2c3d4e5f60718')).toBe(true);
    expect(isInstanceSession('AROAEXAMPLE:I-0A1B2C3D')).toBe(true);
    expect(isInstanceSession('AROAEXAMPLE:i-0a1b2c3')).toBe(false);
    expect(isInstanceSession('AROAEXAMPLE:alice')).toBe(false);
    const chars = fc.constantFrom(...':iI-0123456789abcdefABCDEFgxG:/'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 30 }), (cs) => {
        const pid = cs.join('');
        expect(isInstanceSession(pid)).toBe(re.test(pid));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.nat(20), (prefix, n) => {
        const pid = `${prefix}:i-${'0123456789abcdefABCDEF0123'.slice(0, n)}`;
        expect(isInstanceSession(pid)).toBe(re.test(pid));
      }),
    );
  });
});
