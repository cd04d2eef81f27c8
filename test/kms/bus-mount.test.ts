import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventBridgeClient, ListEventBusesCommand } from '@aws-sdk/client-eventbridge';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 9 §4: `vigil bus serve --kms` serves the KMS API on the bus's port — `TrentService.*` targets go to KMS,
 * `AWSEvents.*` to the bus, both SigV4-verified against the same credentials file.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'vigil-bus-kms-'));
const creds = { accessKeyId: 'AKIABUSKMSMOUNT00001', secretAccessKey: 'bus-kms-secret-access-key' };
let child: ChildProcess;
let url = '';

beforeAll(async () => {
  const credFile = join(dir, 'creds.yaml');
  writeFileSync(
    credFile,
    `credentials:\n  - accessKeyId: ${creds.accessKeyId}\n    secretAccessKey: ${creds.secretAccessKey}\n`,
  );
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'src/cli/bin.ts'),
      'bus',
      'serve',
      '--port',
      '0',
      '--credentials',
      credFile,
      '--kms-state',
      join(dir, 'kms.db'),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
  });
  url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`vigil bus serve exited ${code}: ${stderr}`)));
  });
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('vigil bus serve --kms-state', () => {
  it('answers KMS and EventBridge on one port', async () => {
    const kms = new KMSClient({ endpoint: url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    const events = new EventBridgeClient({ endpoint: url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    try {
      const key = await kms.send(new CreateKeyCommand({ Description: 'mounted' }));
      expect(key.KeyMetadata?.Arn).toMatch(/^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f-]{36}$/);
      const enc = await kms.send(
        new EncryptCommand({
          KeyId: key.KeyMetadata!.Arn,
          Plaintext: Buffer.from('hello bus'),
          EncryptionContext: { a: 'b' },
        }),
      );
      const dec = await kms.send(
        new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'b' } }),
      );
      expect(Buffer.from(dec.Plaintext!).toString()).toBe('hello bus');
      expect(dec.KeyId).toBe(key.KeyMetadata!.Arn);
      // A wrong context is refused with KMS's error, from the mounted service.
      await expect(
        kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'c' } })),
      ).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
      const buses = await events.send(new ListEventBusesCommand({}));
      expect(buses.EventBuses?.map((b) => b.Name)).toContain('default');
    } finally {
      kms.destroy();
      events.destroy();
    }
  });

  it('verifies SigV4 for KMS calls on the bus port', async () => {
    const bad = new KMSClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: 'wrong-secret-access-key' },
      maxAttempts: 1,
    });
    try {
      await expect(bad.send(new CreateKeyCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    } finally {
      bad.destroy();
    }
  });
});
