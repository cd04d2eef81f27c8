import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vigil } from '../helpers/cli.js';
import { CORPORA } from '../helpers/corpus.js';
import { ACCOUNT, b64, harness } from './harness.js';

/**
 * Issue 9 §2: the audit trail is CloudTrail in the AWSLogs/ layout, so `vigil detect` and Sigma rules run on it.
 * The service imports key material and deletes it; SigmaHQ's "AWS KMS Imported Key Material Usage" rule must fire on
 * exactly those two delivered records, and on nothing else the service logged.
 */
const dir = mkdtempSync(join(tmpdir(), 'vigil-kms-audit-detect-'));
const RULE = join(CORPORA, 'sigma/rules-aws/cloudtrail/aws_kms_import_key_material.yml');

describe('vigil detect over the KMS audit trail', () => {
  const h = harness({ audit: { dir } });
  afterAll(() => {
    h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the SigmaHQ imported-key-material rule matches ImportKeyMaterial and DeleteImportedKeyMaterial', async () => {
    const key = (await h.ok('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata;
    const params = await h.ok('GetParametersForImport', {
      KeyId: key.KeyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    });
    const wrapped = publicEncrypt(
      {
        key: createPublicKey({ key: params.PublicKey, format: 'der', type: 'spki' }),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      randomBytes(32),
    );
    await h.ok('ImportKeyMaterial', {
      KeyId: key.KeyId,
      ImportToken: b64(params.ImportToken),
      EncryptedKeyMaterial: b64(wrapped),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    await h.ok('Encrypt', { KeyId: key.KeyId, Plaintext: b64('x') });
    await h.ok('DeleteImportedKeyMaterial', { KeyId: key.KeyId });
    const files = h.svc.auditTrail.flush();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files)
      expect(f).toMatch(/AWSLogs\/111122223333\/CloudTrail\/us-east-1\/2026\/01\/01\/.*\.json\.gz$/);

    const r = await vigil(['detect', dir, '--sigma', RULE, '--only-sigma', '--format', 'jsonl']);
    expect(r.code).toBe(0);
    // Five API calls, five CloudTrail records, all accepted by the reader; the rule matches two of them.
    expect(r.stderr).toContain('5 records, 0 rejected');
    expect(r.stderr).toContain('sigma: 1 rules, 0 correlations loaded (0 errors); 2 matches');
    const findings = r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    // One finding (same rule, principal and resource) counting both matched calls: of the five records only
    // ImportKeyMaterial and DeleteImportedKeyMaterial satisfy the rule's selection.
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f.type).toBe('Sigma:aws.cloudtrail/AWSKMSImportedKeyMaterialUsage');
    expect(f.accountId).toBe(ACCOUNT);
    expect(f.service.count).toBe(2);
    expect(f.service.action.awsApiCallAction).toMatchObject({
      api: 'ImportKeyMaterial',
      serviceName: 'kms.amazonaws.com',
      remoteIpDetails: { ipAddressV4: '192.0.2.10' },
    });
    expect(f.explanation.reason).toContain('eventSource="kms.amazonaws.com", eventName="ImportKeyMaterial"');
  }, 60_000);
});
