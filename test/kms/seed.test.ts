import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seed } from '../../src/kms/seed.js';
import { b64, harness } from './harness.js';

const AES = 'bc436485-5092-42b8-92a3-0aa8b93536dc';
const RSA = '800d5768-3fd7-4edd-a4b8-4c81c3e4c147';
const ECC = 'c4f4b7a6-0a55-4e5d-a0d5-2e4e1f0f3a11';
const HMAC = 'd1a2b3c4-1111-4222-8333-944455556666';
const MRK = 'mrk-0123456789abcdef0123456789abcdef';
const indent = (pem: string, n: number) =>
  pem
    .trim()
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

function localKmsSeed(): string {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'sec1', format: 'pem' });
  return `Keys:
  Symmetric:
    Aes:
      - Metadata:
          KeyId: ${AES}
          Description: rotated twice
        BackingKeys:
          - ${'11'.repeat(32)}
          - ${'22'.repeat(32)}
          - ${'33'.repeat(32)}
        NextKeyRotation: "2030-01-01T00:00:00Z"
      - Metadata:
          KeyId: ${MRK}
        BackingKeys: [${'44'.repeat(32)}]
      - Metadata:
          KeyId: not-a-key-id
        BackingKeys: [${'55'.repeat(32)}]
      - Metadata:
          KeyId: 9e9e9e9e-0000-4000-8000-000000000000
        BackingKeys: [abcd]
  Asymmetric:
    Rsa:
      - Metadata:
          KeyId: ${RSA}
          KeyUsage: ENCRYPT_DECRYPT
          Description: rsa
        PrivateKeyPem: |
${indent(String(rsa), 10)}
    Ecc:
      - Metadata:
          KeyId: ${ECC}
          KeyUsage: SIGN_VERIFY
        PrivateKeyPem: |
${indent(String(ec), 10)}
      - Metadata:
          KeyId: 7e7e7e7e-0000-4000-8000-000000000000
        PrivateKeyPem: "garbage"
  Hmac:
    - Metadata:
        KeyId: ${HMAC}
        KeySpec: HMAC_256
      BackingKeys: [${'66'.repeat(32)}]
Aliases:
  - AliasName: alias/testing
    TargetKeyId: ${AES}
  - AliasName: alias/aws/reserved
    TargetKeyId: ${AES}
  - AliasName: alias/dangling
    TargetKeyId: 00000000-0000-4000-8000-000000000000
`;
}

describe('seed files (local-kms layout + Vigil additions)', () => {
  it('loads valid keys and aliases, reports each bad entry with its path, keeps going', async () => {
    const h = harness();
    const r = seed(h.svc, localKmsSeed(), 'seed.yaml');
    expect(r.created.sort()).toEqual([AES, ECC, HMAC, MRK, RSA].sort());
    expect(r.aliases).toEqual(['alias/testing']);
    expect(r.issues).toEqual([
      {
        where: 'seed.yaml: Keys.Symmetric.Aes[2]',
        reason: 'Metadata.KeyId must be a UUID or mrk- key ID: not-a-key-id',
      },
      { where: 'seed.yaml: Keys.Symmetric.Aes[3]', reason: 'BackingKeys[0] must be 64 hex characters' },
      {
        where: 'seed.yaml: Keys.Asymmetric.Ecc[1]',
        reason: expect.stringMatching(/^PrivateKeyPem is not a readable private key/),
      },
      {
        where: 'seed.yaml: Aliases[1]',
        reason: 'AliasName must match alias/[a-zA-Z0-9:/_-]+ (not alias/aws/): alias/aws/reserved',
      },
      {
        where: 'seed.yaml: Aliases[2]',
        reason: 'TargetKeyId 00000000-0000-4000-8000-000000000000 is not a seeded or existing key',
      },
    ]);
    const aes = (await h.ok('DescribeKey', { KeyId: 'alias/testing' })).KeyMetadata;
    expect(aes).toMatchObject({ KeyId: AES, Description: 'rotated twice', KeyState: 'Enabled' });
    expect((await h.ok('ListKeyRotations', { KeyId: AES })).Rotations).toHaveLength(2);
    expect(await h.ok('GetKeyRotationStatus', { KeyId: AES })).toMatchObject({
      KeyRotationEnabled: true,
      NextRotationDate: Date.parse('2030-01-01T00:00:00Z') / 1000,
    });
    expect((await h.ok('DescribeKey', { KeyId: RSA })).KeyMetadata).toMatchObject({
      KeySpec: 'RSA_2048',
      KeyUsage: 'ENCRYPT_DECRYPT',
    });
    expect((await h.ok('DescribeKey', { KeyId: ECC })).KeyMetadata).toMatchObject({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
    });
    expect((await h.ok('DescribeKey', { KeyId: MRK })).KeyMetadata.MultiRegion).toBe(true);
    const mac = await h.ok('GenerateMac', { KeyId: HMAC, Message: b64('m'), MacAlgorithm: 'HMAC_SHA_256' });
    expect(mac.Mac).toEqual(
      createHmac('sha256', Buffer.from('66'.repeat(32), 'hex'))
        .update('m')
        .digest(),
    );
    h.close();
  });

  it('reseeding a fresh in-memory service gives the same material IDs: old ciphertexts still decrypt', async () => {
    const text = localKmsSeed();
    const h1 = harness();
    seed(h1.svc, text, 'seed.yaml');
    const enc = await h1.ok('Encrypt', { KeyId: AES, Plaintext: b64('across restarts') });
    h1.close();
    const h2 = harness();
    const r = seed(h2.svc, text, 'seed.yaml');
    expect(r.created).toContain(AES);
    expect((await h2.ok('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob) })).Plaintext.toString()).toBe(
      'across restarts',
    );
    expect(seed(h2.svc, text, 'seed.yaml').skipped).toContain(AES);
    h2.close();
  });

  it('reports unreadable YAML and a wrong top level', () => {
    const h = harness();
    expect(seed(h.svc, 'Keys: [', 's.yaml').issues[0]!.reason).toMatch(/^not valid YAML/);
    expect(seed(h.svc, '- 1', 's.yaml').issues).toEqual([
      { where: 's.yaml', reason: 'expected a mapping with Keys and/or Aliases' },
    ]);
    h.close();
  });
});
