import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestAll } from '../../src/ingest/run.js';
import type { LogRecord, ParseIssue } from '../../src/ingest/types.js';
import { vigil } from '../helpers/cli.js';
import { CORPORA } from '../helpers/corpus.js';
import { hasCommand, integrationAvailable } from '../helpers/integration.js';
import { type MotoServer, startMoto } from '../helpers/moto.js';

const available = integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));
const STRATUS = join(CORPORA, 'cloudtrail/stratus');
const ACCOUNT = '111122223333';

describe.skipIf(!available)('S3 source against moto_server', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let stratusCount = 0;
  const env = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };

  beforeAll(async () => {
    Object.assign(process.env, env);
    moto = await startMoto();
    s3 = new S3Client({
      endpoint: moto.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'trail-bucket' }));
    // Real CloudTrail S3 delivery files: {"Records":[…]} gzip, one per Stratus technique, in the AWSLogs layout.
    const files = readdirSync(STRATUS).filter((f) => f.endsWith('.json'));
    for (const [i, f] of files.entries()) {
      const records = JSON.parse(readFileSync(join(STRATUS, f), 'utf8')) as unknown[];
      stratusCount += records.length;
      const key = `org/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/01/${ACCOUNT}_CloudTrail_us-east-1_20261101T${String(i).padStart(2, '0')}00Z_x${i}.json.gz`;
      await s3.send(
        new PutObjectCommand({
          Bucket: 'trail-bucket',
          Key: key,
          Body: gzipSync(JSON.stringify({ Records: records })),
        }),
      );
    }
    // A VPC flow log file with its header line, and a digest file that must be skipped.
    const flow = [
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
      `2 ${ACCOUNT} eni-0a1b2c3d 203.0.113.9 10.0.0.5 51234 22 6 3 180 1793491200 1793491260 REJECT OK`,
      `2 ${ACCOUNT} eni-0a1b2c3d 10.0.0.5 198.51.100.7 443 40000 6 10 5400 1793491200 1793491260 ACCEPT OK`,
    ].join('\n');
    await s3.send(
      new PutObjectCommand({
        Bucket: 'trail-bucket',
        Key: `org/AWSLogs/${ACCOUNT}/vpcflowlogs/us-east-1/2026/11/01/${ACCOUNT}_vpcflowlogs_us-east-1_fl-1_20261101T0000Z_ab.log.gz`,
        Body: gzipSync(`${flow}\n`),
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: 'trail-bucket',
        Key: `org/AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/01/digest.json.gz`,
        Body: gzipSync('{"digestStartTime":"x"}'),
      }),
    );
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('ingests every object under s3://bucket/prefix through the SDK, skipping digests', async () => {
    const records: LogRecord[] = [];
    const errors: ParseIssue[] = [];
    const { stats } = await ingestAll(
      ['s3://trail-bucket/org/AWSLogs/'],
      { s3: { endpointUrl: moto.endpoint, region: 'us-east-1' } },
      { record: (r) => records.push(r), error: (e) => errors.push(e) },
    );
    expect(errors).toEqual([]);
    expect(stats.types).toEqual({ cloudtrail: stratusCount, vpcflow: 2 });
    expect(stratusCount).toBe(310);
    const flow = records.find((r) => r.type === 'vpcflow')!;
    expect(flow.origin.file).toMatch(/^s3:\/\/trail-bucket\/org\/AWSLogs\/.*vpcflowlogs/);
    expect(flow.fields.dstport).toBe(22);
  });

  it('the CLI reads s3:// with --endpoint-url and reports a missing bucket as exit-0 rejected input', async () => {
    const r = await vigil(
      ['logs', 'stats', 's3://trail-bucket/org/', '--endpoint-url', moto.endpoint, '--format', 'json'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 312, errors: 0, types: { cloudtrail: 310, vpcflow: 2 } });
    const missing = await vigil(
      ['logs', 'stats', 's3://no-such-bucket/', '--endpoint-url', moto.endpoint, '--format', 'json', '--strict'],
      { env },
    );
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).errorSamples[0].reason).toMatch(
      /cannot list S3 objects: .*NoSuchBucket|does not exist/,
    );
  });
});
