/**
 * Oracle: the real `aws cloudtrail validate-logs` (awscli v1) on the same files served from moto_server S3, with
 * CloudTrail's ListPublicKeys/DescribeTrails (and Organizations' DescribeOrganization) answered by Vigil's
 * endpoint. Vigil's text output — stdout, stderr, exit code — must equal the CLI's byte for byte, reading the
 * bucket through S3 and reading the local copy with metadata sidecars.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTrailApi } from '../../src/trail/endpoint.js';
import { formatDisplay } from '../../src/trail/time.js';
import { ROOT } from '../helpers/cli.js';
import { hasCommand, integrationAvailable } from '../helpers/integration.js';
import { type MotoServer, startMoto } from '../helpers/moto.js';
import { appendGzipMember, CASES, logLine, type TrailCase } from './cases.js';
import { runTrailCli } from './cli.js';
import {
  ACCOUNT,
  awsEnv,
  awsValidate,
  type BuiltChain,
  buildChain,
  FAKE_CREDENTIALS,
  keyAEntry,
  mirrorToS3,
  REGION,
  type RunResult,
  removeRoot,
  tempRoot,
  testKeys,
  vigilText,
} from './fixtures.js';

const available = integrationAvailable(
  'moto_server and the aws CLI (awscli v1)',
  hasCommand('moto_server', ['--help']) && hasCommand('aws', ['--version']),
);

describe.skipIf(!available)('aws cloudtrail validate-logs agrees with vigil trail validate', () => {
  let moto: MotoServer;
  let root: string;
  beforeAll(async () => {
    moto = await startMoto();
    root = await tempRoot();
    process.env.AWS_ACCESS_KEY_ID = FAKE_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = FAKE_CREDENTIALS.secretAccessKey;
    testKeys();
  });
  afterAll(async () => {
    await moto?.stop();
    if (root) await removeRoot(root);
  });

  /** Build, tamper and upload one case; run the CLI and Vigil (S3 and local) with the same arguments. */
  async function runCase(tc: TrailCase, c: BuiltChain, opts: { region?: string; s3Args?: string[] } = {}) {
    const keys = tc.keys?.() ?? [keyAEntry()];
    const { start, end } = tc.range?.(c) ?? c;
    const arn = tc.managementAccount ? c.trailArn.replace(ACCOUNT, tc.managementAccount) : c.trailArn;
    const accountId = tc.managementAccount ? ACCOUNT : undefined;
    const prefix = tc.spec.prefix;
    const api = await startTrailApi({
      publicKeys: keys,
      trails: [{ arn, bucket: c.bucket, prefix, isOrganizationTrail: tc.managementAccount !== undefined }],
      organization: tc.managementAccount
        ? { id: tc.spec.organizationId!, masterAccountId: tc.managementAccount }
        : undefined,
    });
    try {
      const region = opts.region ?? c.region;
      const cli = await awsValidate(
        [
          '--trail-arn',
          arn,
          '--start-time',
          formatDisplay(start),
          '--end-time',
          formatDisplay(end),
          '--verbose',
          '--region',
          region,
          '--endpoint-url',
          api.url,
          ...(accountId ? ['--account-id', accountId] : []),
          ...(opts.s3Args ?? []),
        ],
        awsEnv(moto.endpoint, api.url),
      );
      const common = { keys, trailArn: arn, accountId, region, start, end };
      const viaS3 = await vigilText({
        ...common,
        location: `s3://${c.bucket}`,
        s3: { endpointUrl: moto.endpoint, region: REGION },
      });
      const viaDir = await vigilText({ ...common, location: c.dir });
      return { cli, viaS3, viaDir, calls: api.calls };
    } finally {
      await api.close();
    }
  }

  function expectSame(cli: RunResult, vigil: RunResult, fatal?: string) {
    if (fatal) {
      // The CLI aborts with exit 255 and the message; Vigil exits 2 (runtime error) with the same message.
      expect(cli.code).toBe(255);
      expect(cli.stderr).toContain(fatal);
      expect(vigil.stderr).toBe(`vigil: ${fatal}\n`);
      expect(vigil.code).toBe(2);
      expect(vigil.stdout).toBe(cli.stdout);
      return;
    }
    expect(vigil.stdout).toBe(cli.stdout);
    expect(vigil.stderr).toBe(cli.stderr);
    expect(vigil.code).toBe(cli.code);
  }

  describe.concurrent('every tampering case', () => {
    for (const tc of CASES) {
      it(tc.name, async () => {
        const c = await buildChain(root, { ...tc.spec, bucket: `oracle-${tc.name}` });
        await tc.tamper?.(c);
        await mirrorToS3(c, moto.endpoint);
        const { cli, viaS3, viaDir, calls } = await runCase(tc, c);
        const e = tc.expect(c);
        expectSame(cli, viaS3, e.fatal);
        expectSame(cli, viaDir, e.fatal);
        // …and the CLI's verdicts are the ones the case table states.
        for (const line of e.errors) expect(cli.stderr).toContain(`${line}\n`);
        if (!e.fatal) expect(cli.code).toBe(e.code);
        // The CLI found the trail and its keys through Vigil's endpoint.
        const targets = calls.map((x) => x.target.split('.').pop());
        expect(targets).toContain('DescribeTrails');
        expect(targets).toContain('ListPublicKeys');
        if (tc.managementAccount) expect(targets).toContain('DescribeOrganization');
      });
    }
  });

  it('multi-region: one Vigil run equals one CLI run per region', async () => {
    const tc: TrailCase = { name: 'multi-region', spec: {}, expect: () => ({ code: 0, errors: [] }) };
    const east = await buildChain(root, { bucket: 'oracle-multi-region', digests: 3, logsPerDigest: 1 });
    const west = await buildChain(root, {
      bucket: 'oracle-multi-region',
      digests: 2,
      logsPerDigest: 1,
      region: 'eu-west-1',
    });
    await mirrorToS3(east, moto.endpoint);
    const eastRun = await runCase(tc, east);
    const westRun = await runCase(tc, { ...west, end: east.end }, { region: 'eu-west-1' });
    const all = await vigilText({
      keys: [keyAEntry()],
      trailArn: east.trailArn,
      start: east.start,
      end: east.end,
      location: 's3://oracle-multi-region',
      s3: { endpointUrl: moto.endpoint, region: REGION },
    });
    // Chains run in (…, source region, …) order: eu-west-1 before us-east-1.
    expect(all.stdout).toBe(westRun.cli.stdout + eastRun.cli.stdout);
    expect(all.code).toBe(0);
    expect(westRun.cli.stdout).toContain('2/2 digest files valid');
  });

  it('explicit --s3-bucket/--s3-prefix (no DescribeTrails) gives the same result', async () => {
    const tc = CASES.find((x) => x.name === 'key-prefix')!;
    const c = await buildChain(root, { ...tc.spec, bucket: 'oracle-explicit-bucket' });
    await tc.tamper!(c);
    await mirrorToS3(c, moto.endpoint);
    const r = await runCase(tc, c, { s3Args: ['--s3-bucket', c.bucket, '--s3-prefix', 'audit/vigil'] });
    expect(r.calls.map((x) => x.target)).not.toContain(
      'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails',
    );
    expectSame(r.cli, r.viaS3);
    expect(r.cli.code).toBe(1);
  });

  it('documented divergence: a second gzip member appended to a log', async () => {
    const tc: TrailCase = { name: 'appended', spec: {}, expect: () => ({ code: 0, errors: [] }) };
    const c = await buildChain(root, { bucket: 'oracle-appended-member' });
    await appendGzipMember(c, c.logs[1]![0]!);
    await mirrorToS3(c, moto.endpoint);
    const r = await runCase(tc, c);
    const line = logLine(c, c.logs[1]![0]!, "INVALID: hash value doesn't match");
    expect(r.cli.code).toBe(0); // the CLI hashes only the first member: the appended data goes unnoticed
    expect(r.cli.stdout).toContain('12/12 log files valid');
    expect(r.viaS3.stderr).toBe(`\n${line}\n\n`);
    expect(r.viaS3.code).toBe(1);
  });

  it('documented divergence: bytes appended after the gzip data of a log and a digest', async () => {
    const tc: TrailCase = { name: 'trailing', spec: {}, expect: () => ({ code: 0, errors: [] }) };
    const c = await buildChain(root, { bucket: 'oracle-trailing-bytes' });
    const { appendFile } = await import('node:fs/promises');
    await appendFile(`${c.dir}/${c.logs[1]![0]}`, 'trailing');
    await appendFile(`${c.dir}/${c.digests[4]}`, 'trailing');
    await mirrorToS3(c, moto.endpoint);
    const r = await runCase(tc, c);
    expect(r.cli.code).toBe(0); // the CLI ignores bytes after the first gzip member
    expect(r.cli.stdout).toContain('6/6 digest files valid\n12/12 log files valid');
    expect(r.viaS3.code).toBe(1);
    expect(r.viaS3.stdout).toContain(
      '5/6 digest files valid, 1/6 digest files INVALID\n9/10 log files valid, 1/10 log files INVALID',
    );
  });

  it('end to end: keygen, append to S3, serve-keys, and the AWS CLI validates the Vigil-signed trail', async () => {
    const keys = `${root}/e2e-keys.json`;
    expect(
      (
        await runTrailCli([
          'keygen',
          '--out',
          `${root}/e2e.pem`,
          '--public-keys',
          keys,
          '--valid-from',
          '2024-01-01T00:00:00Z',
        ])
      ).code,
    ).toBe(0);
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({
      endpoint: moto.endpoint,
      forcePathStyle: true,
      region: REGION,
      credentials: FAKE_CREDENTIALS,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'oracle-e2e' }));
    s3.destroy();
    await writeFile(
      `${root}/e2e.jsonl`,
      '{"eventName":"PutBucketPolicy","eventSource":"s3.amazonaws.com","eventTime":"2024-01-08T05:30:00Z"}\n',
    );
    const append = [
      'append',
      `${root}/e2e.jsonl`,
      '--signing-key',
      `${root}/e2e.pem`,
      '--to',
      's3://oracle-e2e/vigil',
      '--endpoint-url',
      moto.endpoint,
    ];
    const ids = ['--account-id', ACCOUNT, '--region', REGION, '--trail-name', 'vigil-remediation', '--seal'];
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const hour of [1, 2, 3]) {
        vi.setSystemTime(Date.UTC(2024, 0, 8, 5 + hour, 0, 0));
        const r = await runTrailCli([...append, ...ids]);
        expect(r.code, r.stderr).toBe(0);
      }
    } finally {
      vi.useRealTimers();
    }
    const arn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/vigil-remediation`;
    const server = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/trail/cli-main.ts',
        'trail',
        'serve-keys',
        '--public-keys',
        keys,
        '--trail',
        `${arn}=s3://oracle-e2e/vigil`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: server.stdout! }).once('line', resolve);
        server.once('exit', (code) => reject(new Error(`serve-keys exited ${code}`)));
      });
      const range = ['--start-time', '2024-01-08T05:00:00Z', '--end-time', '2024-01-08T09:00:00Z'];
      const cli = await awsValidate(
        ['--trail-arn', arn, ...range, '--verbose', '--endpoint-url', url],
        awsEnv(moto.endpoint, url),
      );
      expect(cli.stderr).toBe('');
      expect(cli.stdout).toContain('\n3/3 digest files valid\n3/3 log files valid\n');
      expect(cli.code).toBe(0);
      const vigil = await runTrailCli([
        'validate',
        's3://oracle-e2e/vigil',
        '--public-keys',
        keys,
        '--trail-arn',
        arn,
        ...range,
        '--verbose',
        '--endpoint-url',
        moto.endpoint,
      ]);
      expect(vigil.stdout).toBe(cli.stdout);
      expect(vigil.code).toBe(0);
    } finally {
      server.kill('SIGTERM');
    }
  });
});
