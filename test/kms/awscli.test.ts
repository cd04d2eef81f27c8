import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, integrationAvailable } from '../helpers/integration.js';
import { ACCOUNT, CREDS, REGION, startTestServer, type TestServer } from './server-helpers.js';

/**
 * The real AWS CLI (awscli v1 on PATH) against the Vigil KMS server with SigV4 verification: botocore signs,
 * serialises and parses exactly as it does against AWS.
 */
const available = integrationAvailable('aws CLI (awscli)', hasCommand('aws', ['--version']));

const dir = mkdtempSync(join(tmpdir(), 'vigil-kms-cli-'));
let t: TestServer;

function aws(args: string[], creds = CREDS.admin): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('aws', ['kms', ...args, '--endpoint-url', t.server.url, '--output', 'json'], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
        AWS_DEFAULT_REGION: REGION,
        AWS_CONFIG_FILE: join(dir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
        AWS_MAX_ATTEMPTS: '1',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function ok(args: string[]): Promise<Record<string, unknown>> {
  const r = await aws(args);
  if (r.code !== 0) throw new Error(`aws kms ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

describe.skipIf(!available)('aws kms … --endpoint-url (awscli)', () => {
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t?.close());

  it('create-key, encrypt (fileb://), decrypt, generate-data-key, enable-key-rotation, schedule-key-deletion', async () => {
    const created = (await ok(['create-key', '--description', 'from the aws cli'])) as {
      KeyMetadata: { KeyId: string; Arn: string; KeyState: string; Description: string };
    };
    const { KeyId: id, Arn: arn } = created.KeyMetadata;
    expect(created.KeyMetadata).toMatchObject({ KeyState: 'Enabled', Description: 'from the aws cli' });
    expect(arn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`);

    const plain = join(dir, 'plain.bin');
    writeFileSync(plain, Buffer.from([0, 1, 2, 250, 251, 252, ...Buffer.from(' binary secret')]));
    const enc = (await ok([
      'encrypt',
      '--key-id',
      id,
      '--plaintext',
      `fileb://${plain}`,
      '--encryption-context',
      'purpose=cli,team=sec',
    ])) as { CiphertextBlob: string; KeyId: string };
    expect(enc.KeyId).toBe(arn);
    const blob = join(dir, 'blob.bin');
    writeFileSync(blob, Buffer.from(enc.CiphertextBlob, 'base64'));
    const dec = (await ok([
      'decrypt',
      '--ciphertext-blob',
      `fileb://${blob}`,
      '--encryption-context',
      'team=sec,purpose=cli',
    ])) as { Plaintext: string; KeyId: string };
    expect(Buffer.from(dec.Plaintext, 'base64')).toEqual(readFileSync(plain));
    expect(dec.KeyId).toBe(arn);

    const dk = (await ok(['generate-data-key', '--key-id', id, '--key-spec', 'AES_256'])) as {
      Plaintext: string;
      CiphertextBlob: string;
    };
    expect(Buffer.from(dk.Plaintext, 'base64')).toHaveLength(32);

    expect(await ok(['enable-key-rotation', '--key-id', id, '--rotation-period-in-days', '120'])).toEqual({});
    const sched = (await ok(['schedule-key-deletion', '--key-id', id, '--pending-window-in-days', '7'])) as {
      KeyState: string;
      PendingWindowInDays: number;
    };
    expect(sched).toMatchObject({ KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
  });

  it('reports AWS errors: wrong context, unknown key, bad signature', async () => {
    const { KeyMetadata } = (await ok(['create-key'])) as { KeyMetadata: { KeyId: string } };
    const plain = join(dir, 'p2.bin');
    writeFileSync(plain, 'x');
    const enc = (await ok(['encrypt', '--key-id', KeyMetadata.KeyId, '--plaintext', `fileb://${plain}`])) as {
      CiphertextBlob: string;
    };
    const blob = join(dir, 'b2.bin');
    writeFileSync(blob, Buffer.from(enc.CiphertextBlob, 'base64'));
    const [wrongCtx, unknown, badSig] = await Promise.all([
      aws(['decrypt', '--ciphertext-blob', `fileb://${blob}`, '--encryption-context', 'a=b']),
      aws(['describe-key', '--key-id', '11111111-2222-3333-4444-555555555555']),
      aws(['list-keys'], { ...CREDS.admin, secretAccessKey: 'not-the-secret' }),
    ]);
    expect(wrongCtx.code).not.toBe(0);
    expect(wrongCtx.stderr).toContain('(InvalidCiphertextException) when calling the Decrypt operation');
    expect(unknown.stderr).toContain(
      `(NotFoundException) when calling the DescribeKey operation: Key 'arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555' does not exist`,
    );
    expect(badSig.stderr).toContain('(InvalidSignatureException) when calling the ListKeys operation');
  });
});
