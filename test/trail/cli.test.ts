import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTrailApi } from '../../src/trail/endpoint.js';
import { parsePublicKeyList } from '../../src/trail/keys.js';
import { runTrailCli } from './cli.js';
import { buildChain, FAKE_CREDENTIALS, flipLogContent, keyAEntry, removeRoot, T0, tempRoot } from './fixtures.js';

let root: string;
beforeAll(async () => {
  root = await tempRoot();
});
afterAll(() => removeRoot(root));
afterEach(() => {
  vi.useRealTimers();
});

describe('vigil trail keygen', () => {
  it('writes a private key (0600) and prints/extends a ListPublicKeys file', async () => {
    const r = await runTrailCli([
      'keygen',
      '--out',
      `${root}/k1.pem`,
      '--public-keys',
      `${root}/keys.json`,
      '--valid-from',
      '2024-01-01T00:00:00Z',
      '--valid-until',
      '2025-01-01T00:00:00Z',
    ]);
    expect(r.code).toBe(0);
    expect(((await stat(`${root}/k1.pem`)).mode & 0o777).toString(8)).toBe('600');
    expect(await readFile(`${root}/k1.pem`, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const printed = JSON.parse(r.stdout);
    expect(printed.PublicKeyList).toHaveLength(1);
    expect(printed.PublicKeyList[0]).toMatchObject({
      ValidityStartTime: '2024-01-01T00:00:00Z',
      ValidityEndTime: '2025-01-01T00:00:00Z',
    });
    expect(r.stderr).toContain(`fingerprint ${printed.PublicKeyList[0].Fingerprint}`);
    const again = await runTrailCli(['keygen', '--out', `${root}/k2.pem`, '--public-keys', `${root}/keys.json`]);
    expect(again.code).toBe(0);
    const { keys } = parsePublicKeyList(await readFile(`${root}/keys.json`, 'utf8'), 'keys.json');
    expect(keys).toHaveLength(2);
    const refuse = await runTrailCli(['keygen', '--out', `${root}/k1.pem`]);
    expect(refuse).toMatchObject({ code: 2, stderr: expect.stringContaining('exists (use --force') });
  });
});

describe('vigil trail append + validate', () => {
  it('writes a signed trail from records and validates it; a tampered log fails with exit 1', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const dir = `${root}/cli-bucket`;
    expect(
      (await runTrailCli(['keygen', '--out', `${root}/sign.pem`, '--public-keys', `${root}/sign-keys.json`])).code,
    ).toBe(0);
    await writeFile(
      `${root}/records.jsonl`,
      '{"eventName":"Encrypt","eventSource":"kms.amazonaws.com","eventTime":"2024-01-08T05:22:00Z"}\nnot json\n{"eventName":"Decrypt","eventTime":"2024-01-08T05:23:00Z"}\n',
    );
    const common = [
      '--signing-key',
      `${root}/sign.pem`,
      '--to',
      dir,
      '--account-id',
      '123456789012',
      '--region',
      'eu-west-1',
      '--trail-name',
      'vigil',
    ];
    vi.setSystemTime(T0 + 3_600_000);
    const first = await runTrailCli(['append', `${root}/records.jsonl`, ...common, '--seal']);
    expect(first.code).toBe(2); // one rejected line …
    expect(first.stderr).toContain(`${root}/records.jsonl:2: `);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ records: 2, rejected: 1 }); // … the rest is written
    expect(summary.digestFile).toMatch(
      /^s3:\/\/cli-bucket\/AWSLogs\/123456789012\/CloudTrail-Digest\/eu-west-1\/2024\/01\/08\/123456789012_CloudTrail-Digest_eu-west-1_vigil_eu-west-1_20240108T062142Z\.json\.gz$/,
    );
    await writeFile(`${root}/more.json`, JSON.stringify({ Records: [{ eventName: 'ScheduleKeyDeletion' }] }));
    vi.setSystemTime(T0 + 2 * 3_600_000);
    const second = await runTrailCli(['append', `${root}/more.json`, ...common, '--seal']);
    expect(second.code).toBe(0);
    vi.useRealTimers();

    const ok = await runTrailCli([
      'validate',
      dir,
      '--public-keys',
      `${root}/sign-keys.json`,
      '--start-time',
      '2024-01-08T05:00:00Z',
      '--end-time',
      '2024-01-08T08:00:00Z',
      '--verbose',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(
      'Validating log files for trail arn:aws:cloudtrail:eu-west-1:123456789012:trail/vigil between 2024-01-08T05:00:00Z and 2024-01-08T08:00:00Z\n\n',
    );
    expect(ok.stdout).toContain('\n2/2 digest files valid\n2/2 log files valid\n');
    expect(ok.stderr).toBe('');

    const log = JSON.parse(second.stdout).logFile.replace('s3://cli-bucket/', '');
    await flipLogContent({ dir } as never, log, 5);
    const bad = await runTrailCli(['validate', dir, '--public-keys', `${root}/sign-keys.json`, '--format', 'json']);
    expect(bad.code).toBe(1);
    const doc = JSON.parse(bad.stdout);
    expect(doc.exitCode).toBe(1);
    expect(doc.summary.logFiles).toEqual({ valid: 1, invalid: 1 });
    expect(doc.trails[0].files.find((f: { reason: string }) => f.reason === 'hash-mismatch').uri).toBe(
      `s3://cli-bucket/${log}`,
    );
  });
});

describe('vigil trail validate options', () => {
  it('fetches public keys with ListPublicKeys from an endpoint (--public-keys aws)', async () => {
    const c = await buildChain(root, { bucket: 'cli-sdk', digests: 2, logsPerDigest: 1 });
    const api = await startTrailApi({ publicKeys: [keyAEntry()] });
    const env = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    });
    try {
      const r = await runTrailCli([
        'validate',
        c.dir,
        '--public-keys',
        'aws',
        '--cloudtrail-endpoint-url',
        api.url,
        '--start-time',
        '2024-01-08T05:21:42Z',
        '--end-time',
        '2024-01-08T08:00:00Z',
      ]);
      // (stderr may carry the AWS SDK's own Node version warning)
      expect(r.stderr).not.toMatch(/vigil:|INVALID/);
      expect(r.stdout).toContain('2/2 digest files valid\n2/2 log files valid');
      expect(r.code).toBe(0);
      expect(api.calls.map((x) => x.target)).toEqual(['CloudTrail_20131101.ListPublicKeys']);
    } finally {
      process.env = env;
      await api.close();
    }
  });

  it('rejects bad usage with exit 2 and a clear message', async () => {
    const c = await buildChain(root, { bucket: 'cli-usage', digests: 1, logsPerDigest: 1 });
    const keys = `${root}/usage-keys.json`;
    await writeFile(keys, JSON.stringify({ PublicKeyList: [] }));
    const cases: [string[], RegExp][] = [
      [
        ['validate', c.dir, '--public-keys', keys, '--start-time', 'soon'],
        /--start-time: "soon" is not an ISO-8601 UTC time/,
      ],
      [['validate', c.dir, '--public-keys', keys, '--end-time', '2024-01-01T00:00:00+01:00'], /zone offset \+01:00/],
      [['validate', c.dir, '--public-keys', keys, '--trail-arn', 'arn:nope'], /Invalid trail ARN provided: arn:nope/],
      [['validate', c.dir, '--public-keys', `${root}/missing.json`], /cannot read public keys .*missing\.json: ENOENT/],
      [['validate', c.dir, '--public-keys', keys, '--format', 'xml'], /Allowed choices are text, json/],
      [
        [
          'validate',
          c.dir,
          '--public-keys',
          keys,
          '--start-time',
          '2024-01-09T00:00:00Z',
          '--end-time',
          '2024-01-08T00:00:00Z',
        ],
        /start-time must occur before end-time/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runTrailCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    // No key in range: the CLI's message, exit 2.
    const nokeys = await runTrailCli([
      'validate',
      c.dir,
      '--public-keys',
      keys,
      '--start-time',
      '2024-01-08T05:21:42Z',
      '--end-time',
      '2024-01-08T07:00:00Z',
    ]);
    expect(nokeys.code).toBe(2);
    expect(nokeys.stderr).toBe('vigil: No public keys found between 2024-01-08T05:21:42Z and 2024-01-08T09:00:00Z\n');
  });
});
