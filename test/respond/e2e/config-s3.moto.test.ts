import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, startMoto } from '../../helpers/moto.js';
import { ACCOUNT, CREDENTIALS, motoAvailable, REGION, vigil } from './harness.js';

/**
 * End to end against moto_server: `vigil audit --collect` finds a bucket without Block Public Access (NON_COMPLIANT
 * for s3-bucket-level-public-access-prohibited), publishes AWS Config's "Config Rules Compliance Change" event on the
 * bus, a rule on NON_COMPLIANT routes it to the s3-block-public-access-bucket target in auto mode, and the bucket has
 * Block Public Access afterwards. The compliant bucket is left alone.
 */
const available = motoAvailable();

const jsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe.skipIf(!available)('Config NON_COMPLIANT S3 bucket → Block Public Access (moto_server)', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let dir: string;
  const env = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'vigil-respond-config-'));
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    process.env.AWS_REGION = REGION;
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    process.env.VIGIL_RESPOND_STATE = join(dir, 'respond.db');
    s3 = new S3Client({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'vigil-e2e-open' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'vigil-e2e-closed' }));
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'vigil-e2e-closed',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    process.env = env;
    s3?.destroy();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('audit --collect → compliance change event → bus rule → s3-block-public-access-bucket (auto)', async () => {
    const results = join(dir, 'results.jsonl');
    const changes = join(dir, 'changes.jsonl');
    const bus = join(dir, 'bus.yaml');
    writeFileSync(
      bus,
      `bus:
  rules:
    - Name: s3-public-access-fix
      EventPattern:
        source: [aws.config]
        detail-type: [Config Rules Compliance Change]
        detail:
          configRuleName: [s3-bucket-level-public-access-prohibited]
          newEvaluationResult: { complianceType: [NON_COMPLIANT] }
      Targets:
        - Id: bpa
          Arn: vigil:remediation:s3-block-public-access-bucket
          RemediationParameters: { Mode: auto }
          InputTransformer:
            InputPathsMap: { bucket: $.detail.resourceId }
            InputTemplate: '{"bucket": <bucket>}'
        - { Id: log, Arn: "file://${changes}" }
    - Name: remediation-results
      EventPattern: { source: [vigil.respond] }
      Targets:
        - { Id: log, Arn: "file://${results}" }
`,
    );
    const r = await vigil([
      'audit',
      '--collect',
      '--endpoint-url',
      moto.endpoint,
      '--region',
      REGION,
      '--services',
      's3',
      '--rules',
      's3-bucket-level-public-access-prohibited',
      '-f',
      'json',
      '--bus-config',
      bus,
      '-q',
    ]);
    const evals = JSON.parse(r.stdout) as { resourceId: string; complianceType: string }[];
    expect(Object.fromEntries(evals.map((e) => [e.resourceId, e.complianceType]))).toEqual({
      'vigil-e2e-open': 'NON_COMPLIANT',
      'vigil-e2e-closed': 'COMPLIANT',
    });

    const [change] = jsonl(changes);
    expect(change).toMatchObject({
      source: 'aws.config',
      'detail-type': 'Config Rules Compliance Change',
      detail: { resourceId: 'vigil-e2e-open', newEvaluationResult: { complianceType: 'NON_COMPLIANT' } },
    });
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'vigil-e2e-open' }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const [result] = jsonl(results);
    expect(result).toMatchObject({
      source: 'vigil.respond',
      account: ACCOUNT,
      detail: {
        action: 's3-block-public-access-bucket',
        status: 'applied',
        target: expect.stringContaining('vigil-e2e-open'),
        trigger: { via: 'bus', eventId: change.id, ruleName: 's3-public-access-fix' },
      },
    });
    expect(result.detail.results.map((x: { call: { action: string } }) => x.call.action)).toEqual([
      's3:PutBucketPublicAccessBlock',
    ]);
    // Only the non-compliant bucket was acted on.
    expect(jsonl(results)).toHaveLength(1);
  });

  it('approve mode from a bus target: the delivery records a pending plan, vigil respond approve applies it', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'vigil-e2e-later' }));
    const bus = join(dir, 'bus-approve.yaml');
    writeFileSync(
      bus,
      `bus:
  rules:
    - Name: s3-public-access-approve
      EventPattern:
        source: [aws.config]
        detail: { newEvaluationResult: { complianceType: [NON_COMPLIANT] } }
      Targets:
        - Id: bpa
          Arn: vigil:remediation:s3-block-public-access-bucket
          RemediationParameters: { Mode: approve }
`,
    );
    const r = await vigil([
      'audit',
      '--collect',
      '--endpoint-url',
      moto.endpoint,
      '--services',
      's3',
      '--rules',
      's3-bucket-level-public-access-prohibited',
      '-f',
      'json',
      '--bus-config',
      bus,
      '-q',
    ]);
    expect(
      JSON.parse(r.stdout).filter((e: { complianceType: string }) => e.complianceType === 'NON_COMPLIANT'),
    ).toEqual([expect.objectContaining({ resourceId: 'vigil-e2e-later' })]);
    await expect(s3.send(new GetPublicAccessBlockCommand({ Bucket: 'vigil-e2e-later' }))).rejects.toThrow(
      /NoSuchPublicAccessBlockConfiguration|not found/i,
    );
    const h = await vigil(['respond', 'history', '--status', 'pending', '-f', 'json']);
    const [pending] = JSON.parse(h.stdout);
    expect(pending).toMatchObject({
      action: 's3-block-public-access-bucket',
      mode: 'approve',
      status: 'pending',
      params: { bucket: 'vigil-e2e-later' },
      endpoint: moto.endpoint,
      trigger: { via: 'bus', ruleName: 's3-public-access-approve', targetId: 'bpa', attempt: 1 },
    });
    expect(pending.plan.calls.map((c: { action: string }) => c.action)).toEqual(['s3:PutBucketPublicAccessBlock']);
    // The whole event was delivered: the Config-rule mapping read the bucket from detail.resourceId.
    // Approved where it was planned: the recorded region and endpoint.
    const a = await vigil(['respond', 'approve', pending.id]);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('approve → applied');
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'vigil-e2e-later' }));
    expect(pab.PublicAccessBlockConfiguration?.BlockPublicPolicy).toBe(true);
  });
});
