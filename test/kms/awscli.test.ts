import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCliCases, runAws, runAwsOk } from '../helpers/awscli.js';
import { ACCOUNT, CREDS, REGION, startTestServer, type TestServer } from './server-helpers.js';

/**
 * The real AWS CLIs (awscli v1 on PATH and AWS CLI v2 at /usr/bin/aws) against the Vigil KMS server with SigV4
 * verification: each signs, serialises and parses exactly as it does against AWS.
 */
const dir = mkdtempSync(join(tmpdir(), 'vigil-kms-cli-'));

for (const { label, cli, available } of awsCliCases()) {
  let t: TestServer;
  const options = (creds: { accessKeyId: string; secretAccessKey: string }) => ({
    endpoint: t.server.url,
    credentials: creds,
    region: REGION,
    home: dir,
  });
  const aws = (args: string[], creds = CREDS.admin) => runAws(cli!, 'kms', args, options(creds));
  const ok = (args: string[]) => runAwsOk(cli!, 'kms', args, options(CREDS.admin));

  describe.skipIf(!available)(`aws kms … --endpoint-url (AWS CLI ${label}: ${cli?.version ?? 'missing'})`, () => {
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

      // AWS CLI v2.9.19's KMS model predates RotationPeriodInDays (2024): it refuses the option, so v2 uses the default.
      const period = label === 'v1' ? ['--rotation-period-in-days', '120'] : [];
      expect(await ok(['enable-key-rotation', '--key-id', id, ...period])).toEqual({});
      const status = await ok(['get-key-rotation-status', '--key-id', id]);
      expect(status.KeyRotationEnabled).toBe(true);
      if (label === 'v1') expect(status.RotationPeriodInDays).toBe(120);
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

    it('list-keys pages through Marker/NextMarker (--page-size 1) and returns every key once', async () => {
      const all = (await ok(['list-keys'])) as { Keys: { KeyId: string }[] };
      expect(all.Keys.length).toBeGreaterThanOrEqual(2);
      const paged = (await ok(['list-keys', '--page-size', '1'])) as { Keys: { KeyId: string }[]; NextMarker?: string };
      expect(paged.Keys.map((k) => k.KeyId)).toEqual(all.Keys.map((k) => k.KeyId));
      expect(paged.NextMarker).toBeUndefined();
    });
  });
}
