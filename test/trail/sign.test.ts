import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256Hex, stringToSign, verifySignature } from '../../src/trail/digest.js';
import { keyObject } from '../../src/trail/keys.js';
import { TrailWriter } from '../../src/trail/sign.js';
import { LocalStore } from '../../src/trail/store.js';
import { ACCOUNT, keyAEntry, REGION, removeRoot, T0, tempRoot, testKeys, vigilText } from './fixtures.js';

let root: string;
beforeAll(async () => {
  root = await tempRoot();
});
afterAll(() => removeRoot(root));

function writer(bucket: string, clock: { now: number }, extra: Partial<Parameters<typeof TrailWriter.open>[0]> = {}) {
  return TrailWriter.open({
    store: new LocalStore(`${root}/${bucket}`),
    bucket,
    accountId: ACCOUNT,
    region: REGION,
    trailName: 'vigil-audit',
    key: testKeys().a,
    now: () => clock.now,
    ...extra,
  });
}

describe('TrailWriter', () => {
  it('writes CloudTrail log files and a signed digest with CloudTrail’s fields', async () => {
    const clock = { now: T0 };
    const w = await writer('w-fields', clock);
    w.append({ eventName: 'Encrypt', eventSource: 'kms.amazonaws.com', eventTime: '2024-01-08T05:30:00Z' });
    w.append({ eventName: 'Decrypt', eventSource: 'kms.amazonaws.com', eventTime: '2024-01-08T05:40:00Z' });
    const log = await w.flush(T0 + 20 * 60_000);
    expect(log!.key).toMatch(
      /^AWSLogs\/123456789012\/CloudTrail\/us-east-1\/2024\/01\/08\/123456789012_CloudTrail_us-east-1_20240108T0541Z_[A-Za-z0-9]{16}\.json\.gz$/,
    );
    const body = JSON.parse(gunzipSync(await readFile(`${root}/w-fields/${log!.key}`)).toString());
    expect(body.Records).toHaveLength(2);
    expect(body.Records[0]).toMatchObject({
      eventVersion: '1.09',
      eventName: 'Encrypt',
      awsRegion: REGION,
      recipientAccountId: ACCOUNT,
      eventID: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const d = await w.seal(T0 + 3_600_000);
    expect(d.digest).toEqual({
      awsAccountId: ACCOUNT,
      digestStartTime: '2024-01-08T05:21:42Z',
      digestEndTime: '2024-01-08T06:21:42Z',
      digestS3Bucket: 'w-fields',
      digestS3Object: d.key,
      digestPublicKeyFingerprint: testKeys().a.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: '2024-01-08T05:40:00Z',
      oldestEventTime: '2024-01-08T05:30:00Z',
      previousDigestS3Bucket: null,
      previousDigestS3Object: null,
      previousDigestHashValue: null,
      previousDigestHashAlgorithm: null,
      previousDigestSignature: null,
      logFiles: [
        {
          s3Bucket: 'w-fields',
          s3Object: log!.key,
          hashValue: sha256Hex(gunzipSync(await readFile(`${root}/w-fields/${log!.key}`))),
          hashAlgorithm: 'SHA-256',
          newestEventTime: '2024-01-08T05:40:00Z',
          oldestEventTime: '2024-01-08T05:30:00Z',
        },
      ],
    });
    const sidecar = JSON.parse(await readFile(`${root}/w-fields/${d.key}.metadata.json`, 'utf8'));
    expect(sidecar).toEqual({ signature: d.signature, 'signature-algorithm': 'SHA256withRSA' });
    const inflated = gunzipSync(await readFile(`${root}/w-fields/${d.key}`));
    const key = keyObject(keyAEntry());
    if (key instanceof Error) throw key;
    expect(verifySignature(stringToSign(d.digest as never, sha256Hex(inflated)), d.signature, key)).toBe(true);
  });

  it('chains digests and resumes the chain after a restart, leaving no uncovered period', async () => {
    const clock = { now: T0 };
    const w1 = await writer('w-resume', clock);
    w1.append({ eventName: 'A' });
    const first = await w1.seal(T0 + 3_600_000);
    clock.now = T0 + 5 * 3_600_000; // the process was down for four hours
    const w2 = await writer('w-resume', clock);
    expect(w2.restartReason).toBeUndefined();
    expect(w2.lastDigestTime).toBe('20240108T062142Z');
    const second = await w2.seal();
    expect(second.digest).toMatchObject({
      digestStartTime: '2024-01-08T06:21:42Z',
      digestEndTime: '2024-01-08T10:21:42Z',
      previousDigestS3Bucket: 'w-resume',
      previousDigestS3Object: first.key,
      previousDigestSignature: first.signature,
      previousDigestHashAlgorithm: 'SHA-256',
      logFiles: [],
      newestEventTime: null,
    });
    const r = await vigilText(
      { location: `${root}/w-resume`, keys: [keyAEntry()], start: T0, end: T0 + 6 * 3_600_000 },
      false,
    );
    expect(r.stdout).toContain('2/2 digest files valid\n1/1 log files valid');
    expect(r.code).toBe(0);
  });

  it('starts a new chain on request, and refuses a second digest in the same second', async () => {
    const clock = { now: T0 };
    const w1 = await writer('w-new', clock);
    await w1.seal(T0 + 3_600_000);
    await expect(w1.seal(T0 + 3_600_000)).rejects.toThrow(/already ends 2024-01-08T06:21:42Z/);
    clock.now = T0 + 2 * 3_600_000;
    const w2 = await writer('w-new', clock, { newChain: true });
    const d = await w2.seal(T0 + 3 * 3_600_000);
    expect(d.digest.previousDigestSignature).toBeNull();
    expect(d.digest.digestStartTime).toBe('2024-01-08T07:21:42Z');
  });

  it('serialises concurrent appends, flushes and seals', async () => {
    const clock = { now: T0 };
    const w = await writer('w-concurrent', clock, { maxRecordsPerFile: 5 });
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 23; i++) {
      w.append({ eventName: `E${i}`, eventTime: '2024-01-08T05:30:00Z' });
      if (i % 7 === 0) ops.push(w.flush(T0 + i * 1000));
    }
    ops.push(w.seal(T0 + 3_600_000));
    await Promise.all(ops);
    const r = await vigilText(
      { location: `${root}/w-concurrent`, keys: [keyAEntry()], start: T0, end: T0 + 2 * 3_600_000 },
      false,
    );
    expect(r.code).toBe(0);
    const { readdir } = await import('node:fs/promises');
    const logs = await readdir(`${root}/w-concurrent/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2024/01/08`);
    let records = 0;
    for (const f of logs) {
      records += JSON.parse(
        gunzipSync(
          await readFile(`${root}/w-concurrent/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2024/01/08/${f}`),
        ).toString(),
      ).Records.length;
    }
    expect(records).toBe(23);
  });

  it('continues a chain across a key rotation', async () => {
    const clock = { now: T0 };
    const w = await writer('w-rotate', clock);
    await w.seal(T0 + 3_600_000);
    w.rotateKey(testKeys().b);
    const d = await w.seal(T0 + 2 * 3_600_000);
    expect(d.digest.digestPublicKeyFingerprint).toBe(testKeys().b.fingerprint);
    const { publicKeyEntry } = await import('../../src/trail/keygen.js');
    const keys = [keyAEntry(), publicKeyEntry(testKeys().b, T0, T0 + 86_400_000)];
    const r = await vigilText({ location: `${root}/w-rotate`, keys, start: T0, end: T0 + 3 * 3_600_000 }, false);
    expect(r.stdout).toContain('2/2 digest files valid');
  });

  it('flushes and seals on a schedule', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const clock = { now: T0 };
      const w = await writer('w-schedule', clock);
      const errors: unknown[] = [];
      const stop = w.schedule({ logIntervalMs: 300_000, digestIntervalMs: 3_600_000, onError: (e) => errors.push(e) });
      w.append({ eventName: 'A' });
      clock.now = T0 + 300_000;
      await vi.advanceTimersByTimeAsync(300_000); // a log file …
      expect(w.pendingRecords).toBe(0);
      clock.now = T0 + 3_600_000;
      await vi.advanceTimersByTimeAsync(3_300_000); // … and the hourly digest
      await w.flush(); // wait for the queued seal
      stop();
      expect(errors).toEqual([]);
      expect(w.lastDigestTime).toBe('20240108T062142Z');
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects bad identifiers and records', async () => {
    const clock = { now: T0 };
    await expect(writer('w-bad', clock, { accountId: '12' })).rejects.toThrow(/12 digits/);
    await expect(writer('w-bad', clock, { trailName: 'a b' })).rejects.toThrow(/trail name/);
    const w = await writer('w-bad', clock);
    expect(() => w.append([] as never)).toThrow(/JSON object/);
  });
});
