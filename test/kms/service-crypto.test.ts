import { createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ACCOUNT, b64, harness, REGION } from './harness.js';

const h = harness();
afterAll(() => h.close());
const arn = (id: string, region = REGION) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`;

async function newKey(input: Record<string, unknown> = {}): Promise<string> {
  return (await h.ok('CreateKey', input)).KeyMetadata.KeyId;
}

describe('CreateKey and DescribeKey', () => {
  it('creates a symmetric key with the metadata AWS returns', async () => {
    const out = await h.ok('CreateKey', { Description: 'test key 123' });
    const m = out.KeyMetadata;
    expect(m).toMatchObject({
      AWSAccountId: ACCOUNT,
      Arn: arn(m.KeyId),
      Description: 'test key 123',
      Enabled: true,
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      KeyManager: 'CUSTOMER',
      Origin: 'AWS_KMS',
      MultiRegion: false,
    });
    expect(m.KeyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(m.CreationDate).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);
    expect(m).not.toHaveProperty('MultiRegionConfiguration');
    expect((await h.ok('DescribeKey', { KeyId: m.Arn })).KeyMetadata).toEqual(m);
  });

  it('validates KeySpec/KeyUsage with AWS messages', async () => {
    expect((await h.call('CreateKey', { KeySpec: 'HMAC_256' })).error).toEqual({
      type: 'ValidationException',
      message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    });
    const bad = await h.call('CreateKey', { KeySpec: 'HMAC_random', KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(bad.error.type).toBe('ValidationException');
    expect(bad.error.message).toMatch(
      /^1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[.*HMAC_256.*\]$/,
    );
    expect((await h.call('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' })).error).toEqual({
      type: 'ValidationException',
      message: 'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048',
    });
    const two = await h.call('CreateKey', { KeyUsage: 'RANDOM', Description: 'x'.repeat(8193) });
    expect(two.error.message).toMatch(/^2 validation errors detected: .*'description'.*; .*'keyUsage'/);
    expect((await h.call('CreateKey', { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })).error.type).toBe(
      'UnsupportedOperationException',
    );
  });

  it('answers unknown keys with the NotFoundException messages AWS records', async () => {
    expect((await h.call('DescribeKey', { KeyId: 'fake-key-id' })).error).toEqual({
      type: 'NotFoundException',
      message: "Invalid keyId 'fake-key-id'",
    });
    const missing = '134f2428-cec1-4b25-a1ae-9048164dba47';
    expect((await h.call('DescribeKey', { KeyId: missing })).error.message).toBe(
      `Key '${arn(missing)}' does not exist`,
    );
    const id = await newKey();
    expect((await h.call('DescribeKey', { KeyId: arn(id, 'eu-west-1') })).error).toEqual({
      type: 'NotFoundException',
      message: 'Invalid arn eu-west-1',
    });
    expect((await h.call('DescribeKey', { KeyId: id }, h.root, 'eu-west-1')).error.message).toBe(
      `Key '${arn(id, 'eu-west-1')}' does not exist`,
    );
    expect((await h.call('DescribeKey', { KeyId: 'alias/nope' })).error.message).toBe(
      `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/nope is not found.`,
    );
  });

  it('ListKeys pages with Limit/Marker and rejects a bad marker', async () => {
    for (let i = 0; i < 3; i++) await newKey();
    const all = (await h.ok('ListKeys', {})).Keys;
    expect(all.length).toBeGreaterThanOrEqual(4);
    const p1 = await h.ok('ListKeys', { Limit: 2 });
    expect(p1).toMatchObject({ Truncated: true });
    const p2 = await h.ok('ListKeys', { Limit: 2, Marker: p1.NextMarker });
    expect([...p1.Keys, ...p2.Keys]).toEqual(all.slice(0, 4));
    expect(p1.Keys[0]).toEqual({ KeyId: all[0].KeyId, KeyArn: arn(all[0].KeyId) });
    expect((await h.call('ListKeys', { Marker: 'garbage' })).error.type).toBe('InvalidMarkerException');
    expect((await h.call('ListKeys', { Limit: 0 })).error.message).toContain("Value '0' at 'limit'");
  });
});

describe('Encrypt / Decrypt / ReEncrypt', () => {
  it('round-trips with an encryption context, returns ARNs and the key material ID, decrypts without KeyId', async () => {
    const id = await newKey();
    const enc = await h.ok('Encrypt', { KeyId: id, Plaintext: b64('hello'), EncryptionContext: { a: '1', b: '2' } });
    expect(enc).toMatchObject({ KeyId: arn(id), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const dec = await h.ok('Decrypt', {
      CiphertextBlob: b64(enc.CiphertextBlob),
      EncryptionContext: { b: '2', a: '1' },
    });
    expect(dec.Plaintext.toString()).toBe('hello');
    expect(dec.KeyId).toBe(arn(id));
    expect(dec.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a wrong or missing encryption context, or a tampered blob, is InvalidCiphertextException with an empty message', async () => {
    const id = await newKey();
    const enc = await h.ok('Encrypt', { KeyId: id, Plaintext: b64('x'), EncryptionContext: { purpose: 'test' } });
    const err = { type: 'InvalidCiphertextException', message: '' };
    expect((await h.call('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob) })).error).toEqual(err);
    expect(
      (await h.call('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob), EncryptionContext: { purpose: 'Test' } }))
        .error,
    ).toEqual(err);
    const tampered = Buffer.from(enc.CiphertextBlob);
    tampered[tampered.length - 1]! ^= 1;
    expect(
      (await h.call('Decrypt', { CiphertextBlob: b64(tampered), EncryptionContext: { purpose: 'test' } })).error,
    ).toEqual(err);
    expect((await h.call('Decrypt', { CiphertextBlob: b64('random bytes') })).error).toEqual(err);
  });

  it('Decrypt with another KeyId is IncorrectKeyException; aliases work for Encrypt and Decrypt', async () => {
    const a = await newKey();
    const b = await newKey();
    await h.ok('CreateAlias', { AliasName: 'alias/app-a', TargetKeyId: a });
    const enc = await h.ok('Encrypt', { KeyId: 'alias/app-a', Plaintext: b64('x') });
    expect(enc.KeyId).toBe(arn(a));
    expect((await h.call('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob), KeyId: b })).error).toEqual({
      type: 'IncorrectKeyException',
      message: 'The key ID in the request does not identify a CMK that can perform this operation.',
    });
    const viaAliasArn = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app-a`;
    expect(
      (await h.ok('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob), KeyId: viaAliasArn })).Plaintext.toString(),
    ).toBe('x');
  });

  it('enforces plaintext limits with the AWS validation message', async () => {
    const id = await newKey();
    expect((await h.call('Encrypt', { KeyId: id, Plaintext: b64(Buffer.alloc(4097)) })).error).toEqual({
      type: 'ValidationException',
      message:
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    });
    expect((await h.call('Encrypt', { KeyId: id })).error.message).toBe(
      "1 validation error detected: Value 'null' at 'plaintext' failed to satisfy constraint: Member must not be null",
    );
  });

  it('disabled and pending-deletion keys refuse cryptographic operations', async () => {
    const id = await newKey();
    await h.ok('DisableKey', { KeyId: id });
    expect((await h.call('Encrypt', { KeyId: id, Plaintext: b64('x') })).error).toEqual({
      type: 'DisabledException',
      message: `${arn(id)} is disabled.`,
    });
    await h.ok('EnableKey', { KeyId: id });
    const enc = await h.ok('Encrypt', { KeyId: id, Plaintext: b64('x') });
    const sched = await h.ok('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 7 });
    expect(sched).toEqual({
      KeyId: arn(id),
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 7,
      DeletionDate: (h.clock.now + 7 * 86_400_000) / 1000,
    });
    expect((await h.call('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob) })).error).toEqual({
      type: 'KMSInvalidStateException',
      message: `${arn(id)} is pending deletion.`,
    });
    expect((await h.call('EnableKey', { KeyId: id })).error.type).toBe('KMSInvalidStateException');
    expect((await h.call('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 6 })).error.message).toContain(
      'Member must have value greater than or equal to 7',
    );
    expect(await h.ok('CancelKeyDeletion', { KeyId: id })).toEqual({ KeyId: arn(id) });
    expect((await h.ok('DescribeKey', { KeyId: id })).KeyMetadata.KeyState).toBe('Disabled');
    expect((await h.call('CancelKeyDeletion', { KeyId: id })).error).toEqual({
      type: 'KMSInvalidStateException',
      message: `${arn(id)} is not pending deletion.`,
    });
  });

  it('ReEncrypt moves a ciphertext to another key and context', async () => {
    const a = await newKey();
    const b = await newKey();
    const enc = await h.ok('Encrypt', { KeyId: a, Plaintext: b64('move me'), EncryptionContext: { s: '1' } });
    const re = await h.ok('ReEncrypt', {
      CiphertextBlob: b64(enc.CiphertextBlob),
      SourceEncryptionContext: { s: '1' },
      DestinationKeyId: b,
      DestinationEncryptionContext: { d: '2' },
    });
    expect(re).toMatchObject({
      SourceKeyId: arn(a),
      KeyId: arn(b),
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    const dec = await h.ok('Decrypt', { CiphertextBlob: b64(re.CiphertextBlob), EncryptionContext: { d: '2' } });
    expect(dec.Plaintext.toString()).toBe('move me');
    expect(
      (await h.call('ReEncrypt', { CiphertextBlob: b64(enc.CiphertextBlob), SourceKeyId: b, DestinationKeyId: b }))
        .error.type,
    ).toBe('IncorrectKeyException');
  });

  it('RSA keys encrypt with OAEP up to the AWS limits, need KeyId to decrypt, refuse encryption context', async () => {
    const id = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const enc = await h.ok('Encrypt', {
      KeyId: id,
      Plaintext: b64(Buffer.alloc(190, 1)),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    expect(enc.CiphertextBlob.length).toBe(256);
    const dec = await h.ok('Decrypt', {
      KeyId: id,
      CiphertextBlob: b64(enc.CiphertextBlob),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    expect(dec.Plaintext).toEqual(Buffer.alloc(190, 1));
    expect(
      (
        await h.call('Encrypt', {
          KeyId: id,
          Plaintext: b64(Buffer.alloc(215)),
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        })
      ).error,
    ).toEqual({
      type: 'ValidationException',
      message: 'Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes.',
    });
    expect((await h.call('Encrypt', { KeyId: id, Plaintext: b64('x') })).error).toEqual({
      type: 'InvalidKeyUsageException',
      message: 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.',
    });
    // The public key from GetPublicKey encrypts for KMS to decrypt (the offline-encrypt use case).
    const pub = await h.ok('GetPublicKey', { KeyId: id });
    expect(pub).toMatchObject({
      KeySpec: 'RSA_2048',
      KeyUsage: 'ENCRYPT_DECRYPT',
      EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    });
    createPublicKey({ key: pub.PublicKey, format: 'der', type: 'spki' });
    expect(
      (
        await h.call('Encrypt', {
          KeyId: id,
          Plaintext: b64('x'),
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
          EncryptionContext: { a: 'b' },
        })
      ).error.type,
    ).toBe('ValidationException');
  });

  it('wrong key usage is InvalidKeyUsageException in AWS wording', async () => {
    const sign = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect((await h.call('Encrypt', { KeyId: sign, Plaintext: b64('x') })).error).toEqual({
      type: 'InvalidKeyUsageException',
      message: `${arn(sign)} key usage is SIGN_VERIFY which is not valid for Encrypt.`,
    });
    const sym = await newKey();
    expect(
      (await h.call('GenerateMac', { KeyId: sym, Message: b64('m'), MacAlgorithm: 'HMAC_SHA_256' })).error,
    ).toEqual({
      type: 'InvalidKeyUsageException',
      message: `${arn(sym)} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`,
    });
  });
});

describe('data keys and random', () => {
  it('GenerateDataKey returns a plaintext key and its ciphertext under the key', async () => {
    const id = await newKey();
    const dk = await h.ok('GenerateDataKey', { KeyId: id, KeySpec: 'AES_256', EncryptionContext: { f: 'x' } });
    expect(dk.Plaintext.length).toBe(32);
    expect(dk.KeyId).toBe(arn(id));
    const dec = await h.ok('Decrypt', { CiphertextBlob: b64(dk.CiphertextBlob), EncryptionContext: { f: 'x' } });
    expect(dec.Plaintext).toEqual(dk.Plaintext);
    const n = await h.ok('GenerateDataKeyWithoutPlaintext', { KeyId: id, NumberOfBytes: 64 });
    expect(n).not.toHaveProperty('Plaintext');
    expect((await h.ok('Decrypt', { CiphertextBlob: b64(n.CiphertextBlob) })).Plaintext.length).toBe(64);
    expect((await h.ok('GenerateDataKey', { KeyId: id, KeySpec: 'AES_128' })).Plaintext.length).toBe(16);
    const both = await h.call('GenerateDataKey', { KeyId: id, KeySpec: 'AES_256', NumberOfBytes: 32 });
    expect(both.error).toEqual({
      type: 'ValidationException',
      message: 'Please specify either number of bytes or key spec.',
    });
    expect((await h.call('GenerateDataKey', { KeyId: id })).error.type).toBe('ValidationException');
  });

  it('GenerateDataKeyPair returns a usable key pair whose private key decrypts from its ciphertext; DryRun', async () => {
    const id = await newKey();
    const pair = await h.ok('GenerateDataKeyPair', { KeyId: id, KeyPairSpec: 'ECC_NIST_P256' });
    const priv = createPrivateKey({ key: pair.PrivateKeyPlaintext, format: 'der', type: 'pkcs8' });
    const pub = createPublicKey({ key: pair.PublicKey, format: 'der', type: 'spki' });
    expect(pub.export({ format: 'jwk' })).toEqual(createPublicKey(priv).export({ format: 'jwk' }));
    const dec = await h.ok('Decrypt', { CiphertextBlob: b64(pair.PrivateKeyCiphertextBlob) });
    expect(dec.Plaintext).toEqual(pair.PrivateKeyPlaintext);
    const noPlain = await h.ok('GenerateDataKeyPairWithoutPlaintext', { KeyId: id, KeyPairSpec: 'ECC_NIST_P384' });
    expect(noPlain).not.toHaveProperty('PrivateKeyPlaintext');
    expect(noPlain.KeyPairSpec).toBe('ECC_NIST_P384');
    expect((await h.call('GenerateDataKeyPair', { KeyId: id, KeyPairSpec: 'RSA_2048', DryRun: true })).error).toEqual({
      type: 'DryRunOperationException',
      message: 'The request would have succeeded, but the DryRun option is set.',
    });
  });

  it('GenerateRandom validates NumberOfBytes like AWS', async () => {
    expect((await h.ok('GenerateRandom', { NumberOfBytes: 1024 })).Plaintext.length).toBe(1024);
    expect((await h.call('GenerateRandom', {})).error).toEqual({
      type: 'ValidationException',
      message: 'NumberOfBytes is required.',
    });
    expect((await h.call('GenerateRandom', { NumberOfBytes: 0 })).error.message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect((await h.call('GenerateRandom', { NumberOfBytes: 1025 })).error.message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
  });
});

describe('signatures, MACs and key agreement', () => {
  it('Sign/Verify with RAW and DIGEST messages; bad digests and signatures get AWS errors', async () => {
    const id = await newKey({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' });
    const message = Buffer.from('to be signed');
    const digest = createHash('sha384').update(message).digest();
    const raw = await h.ok('Sign', { KeyId: id, Message: b64(message), SigningAlgorithm: 'ECDSA_SHA_384' });
    expect(raw).toMatchObject({ KeyId: arn(id), SigningAlgorithm: 'ECDSA_SHA_384' });
    const v = await h.ok('Verify', {
      KeyId: id,
      Message: b64(digest),
      MessageType: 'DIGEST',
      Signature: b64(raw.Signature),
      SigningAlgorithm: 'ECDSA_SHA_384',
    });
    expect(v).toEqual({ KeyId: arn(id), SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_384' });
    const pub = createPublicKey({
      key: (await h.ok('GetPublicKey', { KeyId: id })).PublicKey,
      format: 'der',
      type: 'spki',
    });
    const { verify } = await import('node:crypto');
    expect(verify('sha384', message, { key: pub, dsaEncoding: 'der' }, raw.Signature)).toBe(true);
    expect(
      (
        await h.call('Sign', {
          KeyId: id,
          Message: b64(Buffer.alloc(20)),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_384',
        })
      ).error,
    ).toEqual({ type: 'ValidationException', message: 'Digest is invalid length for algorithm ECDSA_SHA_384.' });
    expect(
      (
        await h.call('Verify', {
          KeyId: id,
          Message: b64('other'),
          Signature: b64(raw.Signature),
          SigningAlgorithm: 'ECDSA_SHA_384',
        })
      ).error,
    ).toEqual({ type: 'KMSInvalidSignatureException', message: '' });
    expect((await h.call('Sign', { KeyId: id, Message: b64('x'), SigningAlgorithm: 'ECDSA_SHA_256' })).error).toEqual({
      type: 'InvalidKeyUsageException',
      message: 'Algorithm ECDSA_SHA_256 is incompatible with key spec ECC_NIST_P384.',
    });
  });

  it('RSA-PSS and Ed25519 signatures verify with Node', async () => {
    const { verify, constants } = await import('node:crypto');
    const rsa = await newKey({ KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' });
    const s = await h.ok('Sign', { KeyId: rsa, Message: b64('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' });
    const rsaPub = createPublicKey({
      key: (await h.ok('GetPublicKey', { KeyId: rsa })).PublicKey,
      format: 'der',
      type: 'spki',
    });
    expect(
      verify(
        'sha256',
        Buffer.from('m'),
        { key: rsaPub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        s.Signature,
      ),
    ).toBe(true);
    const ed = await newKey({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
    const es = await h.ok('Sign', { KeyId: ed, Message: b64('m'), SigningAlgorithm: 'ED25519_SHA_512' });
    const edPub = createPublicKey({
      key: (await h.ok('GetPublicKey', { KeyId: ed })).PublicKey,
      format: 'der',
      type: 'spki',
    });
    expect(verify(null, Buffer.from('m'), edPub, es.Signature)).toBe(true);
  });

  it('GenerateMac/VerifyMac compute HMAC and reject a wrong MAC or algorithm', async () => {
    const id = await newKey({ KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const meta = (await h.ok('DescribeKey', { KeyId: id })).KeyMetadata;
    expect(meta.MacAlgorithms).toEqual(['HMAC_SHA_224']);
    expect(meta).not.toHaveProperty('CurrentKeyMaterialId');
    const mac = await h.ok('GenerateMac', { KeyId: id, Message: b64('msg'), MacAlgorithm: 'HMAC_SHA_224' });
    expect(mac.Mac.length).toBe(28);
    const ok = await h.ok('VerifyMac', {
      KeyId: id,
      Message: b64('msg'),
      MacAlgorithm: 'HMAC_SHA_224',
      Mac: b64(mac.Mac),
    });
    expect(ok).toEqual({ KeyId: arn(id), MacValid: true, MacAlgorithm: 'HMAC_SHA_224' });
    expect(
      (await h.call('VerifyMac', { KeyId: id, Message: b64('msg2'), MacAlgorithm: 'HMAC_SHA_224', Mac: b64(mac.Mac) }))
        .error,
    ).toEqual({ type: 'KMSInvalidMacException', message: '' });
    expect((await h.call('GenerateMac', { KeyId: id, Message: b64('m'), MacAlgorithm: 'HMAC_SHA_256' })).error).toEqual(
      {
        type: 'InvalidKeyUsageException',
        message: 'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.',
      },
    );
    expect(
      (await h.call('GenerateMac', { KeyId: 'key_id', Message: b64('m'), MacAlgorithm: 'HMAC_SHA_224' })).error,
    ).toEqual({
      type: 'NotFoundException',
      message: "Invalid keyId 'key_id'",
    });
  });

  it('DeriveSharedSecret computes the ECDH secret a peer computes', async () => {
    const id = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const out = await h.ok('DeriveSharedSecret', {
      KeyId: id,
      KeyAgreementAlgorithm: 'ECDH',
      PublicKey: b64(peer.publicKey.export({ format: 'der', type: 'spki' })),
    });
    const kmsPub = createPublicKey({
      key: (await h.ok('GetPublicKey', { KeyId: id })).PublicKey,
      format: 'der',
      type: 'spki',
    });
    expect(out.SharedSecret).toEqual(diffieHellman({ privateKey: peer.privateKey, publicKey: kmsPub }));
    expect(out).toMatchObject({ KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
    expect(
      (await h.call('DeriveSharedSecret', { KeyId: id, KeyAgreementAlgorithm: 'ECDH', PublicKey: b64('junk') })).error,
    ).toEqual({
      type: 'ValidationException',
      message: '',
    });
    expect(
      (await h.call('DeriveSharedSecret', { KeyId: id, KeyAgreementAlgorithm: 'INVALID', PublicKey: b64('x') })).error
        .message,
    ).toBe(
      "1 validation error detected: Value 'INVALID' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]",
    );
  });
});
