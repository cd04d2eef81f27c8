import {
  constants,
  createCipheriv,
  createPublicKey,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createKmsService } from '../../src/kms/index.js';
import { ACCOUNT, b64, harness, REGION } from './harness.js';

const DAY = 86_400_000;
const arn = (id: string, region = REGION) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`;

describe('rotation', () => {
  const h = harness();
  afterAll(() => h.close());

  it('automatic rotation on schedule keeps every old ciphertext decryptable', async () => {
    const id = (await h.ok('CreateKey', {})).KeyMetadata.KeyId;
    expect((await h.call('EnableKeyRotation', { KeyId: id, RotationPeriodInDays: 89 })).error.message).toBe(
      "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
    );
    await h.ok('EnableKeyRotation', { KeyId: id, RotationPeriodInDays: 90 });
    const status = await h.ok('GetKeyRotationStatus', { KeyId: id });
    expect(status).toEqual({
      KeyRotationEnabled: true,
      KeyId: arn(id),
      RotationPeriodInDays: 90,
      NextRotationDate: (h.clock.now + 90 * DAY) / 1000,
    });
    const before = await h.ok('Encrypt', { KeyId: id, Plaintext: b64('v1') });
    const m1 = (await h.ok('DescribeKey', { KeyId: id })).KeyMetadata.CurrentKeyMaterialId;
    h.clock.now += 181 * DAY; // two periods pass
    const m3 = (await h.ok('DescribeKey', { KeyId: id })).KeyMetadata.CurrentKeyMaterialId;
    expect(m3).not.toBe(m1);
    const rotations = (await h.ok('ListKeyRotations', { KeyId: id })).Rotations;
    expect(rotations.map((r: { RotationType: string }) => r.RotationType)).toEqual(['AUTOMATIC', 'AUTOMATIC']);
    expect(rotations[0].RotationDate).toBe(status.NextRotationDate);
    const after = await h.ok('Encrypt', { KeyId: id, Plaintext: b64('v3') });
    const d1 = await h.ok('Decrypt', { CiphertextBlob: b64(before.CiphertextBlob) });
    expect([d1.Plaintext.toString(), d1.KeyMaterialId]).toEqual(['v1', m1]);
    expect((await h.ok('Decrypt', { CiphertextBlob: b64(after.CiphertextBlob) })).KeyMaterialId).toBe(m3);
    await h.ok('DisableKeyRotation', { KeyId: id });
    expect(await h.ok('GetKeyRotationStatus', { KeyId: id })).toEqual({ KeyRotationEnabled: false, KeyId: arn(id) });
  });

  it('on-demand rotation: at most 10, does not move the schedule, refused for asymmetric/disabled/external keys', async () => {
    const id = (await h.ok('CreateKey', {})).KeyMetadata.KeyId;
    await h.ok('EnableKeyRotation', { KeyId: id });
    const next = (await h.ok('GetKeyRotationStatus', { KeyId: id })).NextRotationDate;
    for (let i = 0; i < 10; i++) expect(await h.ok('RotateKeyOnDemand', { KeyId: id })).toEqual({ KeyId: arn(id) });
    expect((await h.ok('GetKeyRotationStatus', { KeyId: id })).NextRotationDate).toBe(next);
    expect((await h.call('RotateKeyOnDemand', { KeyId: id })).error).toEqual({
      type: 'LimitExceededException',
      message: `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${arn(id)}`,
    });
    const page = await h.ok('ListKeyRotations', { KeyId: id, Limit: 4 });
    expect(page.Rotations).toHaveLength(4);
    expect(page.Truncated).toBe(true);
    const rsa = (await h.ok('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId;
    expect((await h.call('RotateKeyOnDemand', { KeyId: rsa })).error).toEqual({
      type: 'UnsupportedOperationException',
      message: '',
    });
    const off = (await h.ok('CreateKey', {})).KeyMetadata.KeyId;
    await h.ok('DisableKey', { KeyId: off });
    expect((await h.call('RotateKeyOnDemand', { KeyId: off })).error).toEqual({
      type: 'DisabledException',
      message: `${arn(off)} is disabled.`,
    });
    const ext = (await h.ok('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata.KeyId;
    expect((await h.call('RotateKeyOnDemand', { KeyId: ext })).error).toEqual({
      type: 'UnsupportedOperationException',
      message: `${arn(ext)} origin is EXTERNAL which is not valid for this operation.`,
    });
  });

  it('a key scheduled for deletion disappears after its window', async () => {
    const id = (await h.ok('CreateKey', {})).KeyMetadata.KeyId;
    await h.ok('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: id });
    await h.ok('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 7 });
    h.clock.now += 7 * DAY;
    expect((await h.call('DescribeKey', { KeyId: id })).error.message).toBe(`Key '${arn(id)}' does not exist`);
    expect((await h.ok('ListAliases', {})).Aliases.map((a: { AliasName: string }) => a.AliasName)).not.toContain(
      'alias/doomed',
    );
  });
});

/** Wrap key material the way AWS's docs show (RSAES-OAEP or RSA-OAEP + AES-KWP). */
function wrap(publicKeyDer: Buffer, algorithm: string, material: Buffer): Buffer {
  const key = createPublicKey({ key: publicKeyDer, format: 'der', type: 'spki' });
  const oaepHash = algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
  if (algorithm.startsWith('RSAES'))
    return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, material);
  const aes = randomBytes(32);
  const c = createCipheriv('id-aes256-wrap-pad', aes, Buffer.from('a65959a6', 'hex'));
  return Buffer.concat([
    publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, aes),
    c.update(material),
    c.final(),
  ]);
}

describe('imported key material', () => {
  const h = harness();
  afterAll(() => h.close());

  it('import, use, delete (PendingImport), re-import the same material: old ciphertexts decrypt again', async () => {
    const key = (await h.ok('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata;
    expect(key).toMatchObject({ KeyState: 'PendingImport', Enabled: false, Origin: 'EXTERNAL' });
    expect((await h.call('Encrypt', { KeyId: key.KeyId, Plaintext: b64('x') })).error).toEqual({
      type: 'KMSInvalidStateException',
      message: `${key.Arn} is pending import.`,
    });
    const material = randomBytes(32);
    const params = await h.ok('GetParametersForImport', {
      KeyId: key.KeyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    });
    expect(params.KeyId).toBe(key.Arn);
    expect(params.ParametersValidTo).toBe((h.clock.now + DAY) / 1000);
    const wrapped = wrap(params.PublicKey, 'RSAES_OAEP_SHA_256', material);
    const base = { KeyId: key.KeyId, ImportToken: b64(params.ImportToken), EncryptedKeyMaterial: b64(wrapped) };
    expect((await h.call('ImportKeyMaterial', base)).error).toEqual({
      type: 'ValidationException',
      message: 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
    });
    const imported = await h.ok('ImportKeyMaterial', { ...base, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const meta = (await h.ok('DescribeKey', { KeyId: key.KeyId })).KeyMetadata;
    expect(meta).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const enc = await h.ok('Encrypt', { KeyId: key.KeyId, Plaintext: b64('imported') });
    await h.ok('DeleteImportedKeyMaterial', { KeyId: key.KeyId });
    const gone = (await h.ok('DescribeKey', { KeyId: key.KeyId })).KeyMetadata;
    expect(gone.KeyState).toBe('PendingImport');
    expect(gone).not.toHaveProperty('ExpirationModel');
    expect((await h.call('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob) })).error.type).toBe(
      'KMSInvalidStateException',
    );
    // Different material is refused; the same material (new token, AES key wrap) restores the key.
    const p2 = await h.ok('GetParametersForImport', {
      KeyId: key.KeyId,
      WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256',
      WrappingKeySpec: 'RSA_3072',
    });
    const other = await h.call('ImportKeyMaterial', {
      KeyId: key.KeyId,
      ImportToken: b64(p2.ImportToken),
      EncryptedKeyMaterial: b64(wrap(p2.PublicKey, 'RSA_AES_KEY_WRAP_SHA_256', randomBytes(32))),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    expect(other.error.type).toBe('IncorrectKeyMaterialException');
    await h.ok('ImportKeyMaterial', {
      KeyId: key.KeyId,
      ImportToken: b64(p2.ImportToken),
      EncryptedKeyMaterial: b64(wrap(p2.PublicKey, 'RSA_AES_KEY_WRAP_SHA_256', material)),
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: (h.clock.now + 2 * DAY) / 1000,
    });
    expect((await h.ok('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob) })).Plaintext.toString()).toBe('imported');
    // Expiry returns the key to PendingImport.
    h.clock.now += 3 * DAY;
    expect((await h.ok('DescribeKey', { KeyId: key.KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
  });

  it('tokens: wrong key, expired, garbage; import refused for AWS_KMS keys; asymmetric material imports', async () => {
    const a = (await h.ok('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata.KeyId;
    const b = (await h.ok('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata.KeyId;
    const pa = await h.ok('GetParametersForImport', {
      KeyId: a,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
      WrappingKeySpec: 'RSA_2048',
    });
    const req = (keyId: string, token: Buffer) => ({
      KeyId: keyId,
      ImportToken: b64(token),
      EncryptedKeyMaterial: b64(wrap(pa.PublicKey, 'RSAES_OAEP_SHA_1', randomBytes(32))),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    expect((await h.call('ImportKeyMaterial', req(b, pa.ImportToken))).error.type).toBe('InvalidImportTokenException');
    expect((await h.call('ImportKeyMaterial', req(a, randomBytes(64)))).error.type).toBe('InvalidImportTokenException');
    h.clock.now += DAY + 1;
    expect((await h.call('ImportKeyMaterial', req(a, pa.ImportToken))).error.type).toBe('ExpiredImportTokenException');
    const native = (await h.ok('CreateKey', {})).KeyMetadata;
    expect(
      (
        await h.call('GetParametersForImport', {
          KeyId: native.KeyId,
          WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          WrappingKeySpec: 'RSA_2048',
        })
      ).error,
    ).toEqual({
      type: 'UnsupportedOperationException',
      message: `${native.Arn} origin is AWS_KMS which is not valid for this operation.`,
    });

    const ec = (await h.ok('CreateKey', { Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))
      .KeyMetadata.KeyId;
    const pe = await h.ok('GetParametersForImport', {
      KeyId: ec,
      WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_1',
      WrappingKeySpec: 'RSA_4096',
    });
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await h.ok('ImportKeyMaterial', {
      KeyId: ec,
      ImportToken: b64(pe.ImportToken),
      EncryptedKeyMaterial: b64(
        wrap(pe.PublicKey, 'RSA_AES_KEY_WRAP_SHA_1', pair.privateKey.export({ format: 'der', type: 'pkcs8' })),
      ),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    const pub = (await h.ok('GetPublicKey', { KeyId: ec })).PublicKey;
    expect(pub).toEqual(pair.publicKey.export({ format: 'der', type: 'spki' }));
  });
});

describe('policies, grants and aliases', () => {
  const h = harness();
  afterAll(() => h.close());
  const bob = h.user('bob', []); // no IAM permissions: only key policies and grants can allow
  const alice = h.user('alice'); // identity policies not modelled: IAM treated as allowing

  it('a principal not allowed by the key policy gets AccessDeniedException; PutKeyPolicy guards against lockout', async () => {
    const id = (await h.ok('CreateKey', {})).KeyMetadata.KeyId;
    expect((await h.call('Encrypt', { KeyId: id, Plaintext: b64('x') }, bob)).error).toEqual({
      type: 'AccessDeniedException',
      message: `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: kms:Encrypt on resource: ${arn(id)} because no identity-based policy allows the kms:Encrypt action`,
    });
    const onlyBobEncrypt = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` },
          Action: 'kms:Encrypt',
          Resource: '*',
        },
      ],
    });
    expect((await h.call('PutKeyPolicy', { KeyId: id, Policy: onlyBobEncrypt })).error).toEqual({
      type: 'MalformedPolicyDocumentException',
      message: 'The new key policy will not allow you to update the key policy in the future.',
    });
    expect((await h.call('PutKeyPolicy', { KeyId: id, Policy: '{not json' })).error).toEqual({
      type: 'MalformedPolicyDocumentException',
      message: 'This policy contains invalid Json',
    });
    await h.ok('PutKeyPolicy', { KeyId: id, Policy: onlyBobEncrypt, BypassPolicyLockoutSafetyCheck: true });
    expect((await h.ok('Encrypt', { KeyId: id, Plaintext: b64('x') }, bob)).KeyId).toBe(arn(id));
    expect((await h.call('Encrypt', { KeyId: id, Plaintext: b64('x') }, alice)).error.message).toContain(
      'because no resource-based policy allows the kms:Encrypt action',
    );
    // Even the account root is locked out now, as in AWS.
    expect((await h.call('DescribeKey', { KeyId: id })).error.type).toBe('AccessDeniedException');
    expect((await h.call('GetKeyPolicy', { KeyId: id })).error.message).toContain('no resource-based policy allows');
    const other = (await h.ok('CreateKey', {})).KeyMetadata.KeyId;
    const rootAll = onlyBobEncrypt.replace('user/bob', 'root').replace('kms:Encrypt', 'kms:*');
    await h.ok('PutKeyPolicy', { KeyId: other, Policy: rootAll });
    expect(await h.ok('GetKeyPolicy', { KeyId: other })).toEqual({ Policy: rootAll, PolicyName: 'default' });
    expect(await h.ok('ListKeyPolicies', { KeyId: (await h.ok('CreateKey', {})).KeyMetadata.KeyId })).toEqual({
      PolicyNames: ['default'],
      Truncated: false,
    });
  });

  it('encryption-context conditions in the key policy, aws:SourceIp and kms:CallerAccount are enforced', async () => {
    const policy = JSON.stringify({
      Statement: [
        {
          Sid: 'admin',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'bob-tenant',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` },
          Action: ['kms:Encrypt', 'kms:Decrypt'],
          Resource: '*',
          Condition: {
            StringEquals: { 'kms:EncryptionContext:tenant': 'acme', 'kms:CallerAccount': ACCOUNT },
            IpAddress: { 'aws:SourceIp': '192.0.2.0/24' },
          },
        },
      ],
    });
    const id = (await h.ok('CreateKey', { Policy: policy })).KeyMetadata.KeyId;
    expect(
      (await h.ok('Encrypt', { KeyId: id, Plaintext: b64('x'), EncryptionContext: { tenant: 'acme' } }, bob)).KeyId,
    ).toBe(arn(id));
    expect(
      (await h.call('Encrypt', { KeyId: id, Plaintext: b64('x'), EncryptionContext: { tenant: 'evil' } }, bob)).error
        .type,
    ).toBe('AccessDeniedException');
    const fromElsewhere = await h.svc
      .call(
        'Encrypt',
        { KeyId: id, Plaintext: b64('x'), EncryptionContext: { tenant: 'acme' } },
        { region: REGION, principal: bob, sourceIp: '198.51.100.1' },
      )
      .catch((e) => e.type);
    expect(fromElsewhere).toBe('AccessDeniedException');
  });

  it('grants let a grantee decrypt within constraints, then retire; grant tokens are checked', async () => {
    const id = (await h.ok('CreateKey', {})).KeyMetadata.KeyId;
    const enc = await h.ok('Encrypt', { KeyId: id, Plaintext: b64('g'), EncryptionContext: { tenant: 'acme' } });
    expect(
      (await h.call('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob), EncryptionContext: { tenant: 'acme' } }, bob))
        .error.type,
    ).toBe('AccessDeniedException');
    const g = await h.ok('CreateGrant', {
      KeyId: id,
      GranteePrincipal: bob.arn,
      RetiringPrincipal: bob.arn,
      Operations: ['Decrypt', 'RetireGrant'],
      Constraints: { EncryptionContextSubset: { tenant: 'acme' } },
      Name: 'bob-decrypt',
    });
    expect(g.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(g.GrantToken).toMatch(/^vgt1\./);
    const again = await h.ok('CreateGrant', {
      KeyId: id,
      GranteePrincipal: bob.arn,
      RetiringPrincipal: bob.arn,
      Operations: ['Decrypt', 'RetireGrant'],
      Constraints: { EncryptionContextSubset: { tenant: 'acme' } },
      Name: 'bob-decrypt',
    });
    expect(again.GrantId).toBe(g.GrantId);
    const dec = await h.ok(
      'Decrypt',
      { CiphertextBlob: b64(enc.CiphertextBlob), EncryptionContext: { tenant: 'acme' }, GrantTokens: [g.GrantToken] },
      bob,
    );
    expect(dec.Plaintext.toString()).toBe('g');
    expect(
      (await h.call('Encrypt', { KeyId: id, Plaintext: b64('x'), EncryptionContext: { tenant: 'acme' } }, bob)).error
        .type,
    ).toBe('AccessDeniedException');
    expect(
      (await h.call('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob), GrantTokens: ['bogus'] }, bob)).error.type,
    ).toBe('InvalidGrantTokenException');
    const list = await h.ok('ListGrants', { KeyId: id });
    expect(list.Grants).toEqual([
      {
        KeyId: arn(id),
        GrantId: g.GrantId,
        Name: 'bob-decrypt',
        CreationDate: h.clock.now / 1000,
        GranteePrincipal: bob.arn,
        RetiringPrincipal: bob.arn,
        IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
        Operations: ['Decrypt', 'RetireGrant'],
        Constraints: { EncryptionContextSubset: { tenant: 'acme' } },
      },
    ]);
    expect((await h.ok('ListRetirableGrants', { RetiringPrincipal: bob.arn })).Grants).toHaveLength(1);
    expect((await h.call('RetireGrant', { GrantToken: g.GrantToken }, h.user('mallory', []))).error.type).toBe(
      'AccessDeniedException',
    );
    await h.ok('RetireGrant', { GrantToken: g.GrantToken }, bob);
    expect((await h.ok('ListGrants', { KeyId: id })).Grants).toEqual([]);
    expect((await h.call('RevokeGrant', { KeyId: id, GrantId: g.GrantId })).error.type).toBe('InvalidGrantIdException');
    const bad = await h.call('CreateGrant', { KeyId: id, GranteePrincipal: bob.arn, Operations: ['Sign'] });
    expect(bad.error.type).toBe('ValidationException');
    const bad2 = await h.call('CreateGrant', { KeyId: id, GranteePrincipal: bob.arn, Operations: ['Fly'] });
    expect(bad2.error.message).toContain("Value '[Fly]' at 'operations'");
  });

  it('aliases: naming rules, uniqueness, update and delete with AWS errors', async () => {
    const a = (await h.ok('CreateKey', {})).KeyMetadata.KeyId;
    const b = (await h.ok('CreateKey', {})).KeyMetadata.KeyId;
    expect((await h.call('CreateAlias', { AliasName: 'bad', TargetKeyId: a })).error).toEqual({
      type: 'ValidationException',
      message:
        'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    });
    expect((await h.call('CreateAlias', { AliasName: 'alias/aws/s3', TargetKeyId: a })).error.type).toBe(
      'NotAuthorizedException',
    );
    expect((await h.call('CreateAlias', { AliasName: 'alias/has space', TargetKeyId: a })).error.message).toContain(
      'regular expression pattern',
    );
    await h.ok('CreateAlias', { AliasName: 'alias/app', TargetKeyId: a });
    const aliasArn = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app`;
    expect((await h.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: b })).error).toEqual({
      type: 'AlreadyExistsException',
      message: `An alias with the name ${aliasArn} already exists`,
    });
    expect((await h.call('EnableKey', { KeyId: 'alias/app' })).error.type).toBe('NotFoundException');
    await h.ok('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: b });
    const listed = (await h.ok('ListAliases', { KeyId: b })).Aliases;
    expect(listed).toEqual([
      {
        AliasName: 'alias/app',
        AliasArn: aliasArn,
        TargetKeyId: b,
        CreationDate: h.clock.now / 1000,
        LastUpdatedDate: h.clock.now / 1000,
      },
    ]);
    const hmac = (await h.ok('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata.KeyId;
    expect((await h.call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: hmac })).error.type).toBe(
      'ValidationException',
    );
    await h.ok('DeleteAlias', { AliasName: 'alias/app' });
    expect((await h.call('DeleteAlias', { AliasName: 'alias/app' })).error).toEqual({
      type: 'NotFoundException',
      message: `Alias ${aliasArn} is not found.`,
    });
  });

  it('tags: add, update, remove, with TagException rules', async () => {
    const id = (await h.ok('CreateKey', { Tags: [{ TagKey: 'team', TagValue: 'sec' }] })).KeyMetadata.KeyId;
    await h.ok('TagResource', {
      KeyId: id,
      Tags: [
        { TagKey: 'team', TagValue: 'ops' },
        { TagKey: 'env', TagValue: 'prod' },
      ],
    });
    expect((await h.ok('ListResourceTags', { KeyId: id })).Tags).toEqual([
      { TagKey: 'team', TagValue: 'ops' },
      { TagKey: 'env', TagValue: 'prod' },
    ]);
    await h.ok('UntagResource', { KeyId: id, TagKeys: ['team'] });
    expect((await h.ok('ListResourceTags', { KeyId: id })).Tags).toEqual([{ TagKey: 'env', TagValue: 'prod' }]);
    const tag = (TagKey: string, TagValue = 'v') => ({ TagKey, TagValue });
    expect((await h.call('TagResource', { KeyId: id, Tags: [tag('AWS:x')] })).error).toEqual({
      type: 'TagException',
      message: 'Tags beginning with aws: are reserved',
    });
    expect((await h.call('TagResource', { KeyId: id, Tags: [tag('a'), tag('a')] })).error.message).toBe(
      'Duplicate tag keys',
    );
    expect((await h.call('CreateKey', { Tags: Array.from({ length: 51 }, (_, i) => tag(`k${i}`)) })).error).toEqual({
      type: 'TagException',
      message: 'Too many tags',
    });
    expect((await h.call('TagResource', { KeyId: id, Tags: [tag('k', 'v'.repeat(257))] })).error.message).toContain(
      "at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
  });

  it('aws:ResourceTag conditions see the key tags', async () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Effect: 'Allow',
          Principal: { AWS: bob.arn },
          Action: 'kms:DescribeKey',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': 'sec' } },
        },
      ],
    });
    const id = (await h.ok('CreateKey', { Policy: policy, Tags: [{ TagKey: 'team', TagValue: 'sec' }] })).KeyMetadata
      .KeyId;
    expect((await h.ok('DescribeKey', { KeyId: id }, bob)).KeyMetadata.KeyId).toBe(id);
    await h.ok('TagResource', { KeyId: id, Tags: [{ TagKey: 'team', TagValue: 'ops' }] });
    expect((await h.call('DescribeKey', { KeyId: id }, bob)).error.type).toBe('AccessDeniedException');
  });
});

describe('multi-Region keys', () => {
  const h = harness();
  afterAll(() => h.close());

  it('replicas share key ID and material: ciphertext from the primary decrypts in the replica region', async () => {
    const m = (await h.ok('CreateKey', { MultiRegion: true, Description: 'mrk' })).KeyMetadata;
    expect(m.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(m.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: m.Arn, Region: REGION },
      ReplicaKeys: [],
    });
    const rep = await h.ok('ReplicateKey', { KeyId: m.KeyId, ReplicaRegion: 'eu-west-1' });
    expect(rep.ReplicaKeyMetadata).toMatchObject({
      Arn: arn(m.KeyId, 'eu-west-1'),
      KeyState: 'Creating',
      Enabled: false,
      Description: '',
    });
    expect(JSON.parse(rep.ReplicaPolicy).Statement[0].Principal.AWS).toBe(`arn:aws:iam::${ACCOUNT}:root`);
    const enc = await h.ok('Encrypt', { KeyId: m.KeyId, Plaintext: b64('everywhere') });
    const dec = await h.ok('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob) }, h.root, 'eu-west-1');
    expect(dec.Plaintext.toString()).toBe('everywhere');
    expect(dec.KeyId).toBe(arn(m.KeyId, 'eu-west-1'));
    const replica = (await h.ok('DescribeKey', { KeyId: m.KeyId }, h.root, 'eu-west-1')).KeyMetadata;
    expect(replica.MultiRegionConfiguration.MultiRegionKeyType).toBe('REPLICA');
    expect(replica.MultiRegionConfiguration.ReplicaKeys).toEqual([
      { Arn: arn(m.KeyId, 'eu-west-1'), Region: 'eu-west-1' },
    ]);
    expect(
      (await h.call('ReplicateKey', { KeyId: m.KeyId, ReplicaRegion: 'ap-south-1' }, h.root, 'eu-west-1')).error,
    ).toEqual({
      type: 'UnsupportedOperationException',
      message: `${arn(m.KeyId, 'eu-west-1')} is not a multi-region primary key.`,
    });
    expect((await h.call('ReplicateKey', { KeyId: m.KeyId, ReplicaRegion: 'eu-west-1' })).error.type).toBe(
      'AlreadyExistsException',
    );
    // Rotation on the primary reaches the replica.
    await h.ok('RotateKeyOnDemand', { KeyId: m.KeyId });
    const enc2 = await h.ok('Encrypt', { KeyId: m.KeyId, Plaintext: b64('v2') });
    expect(
      (await h.ok('Decrypt', { CiphertextBlob: b64(enc2.CiphertextBlob) }, h.root, 'eu-west-1')).Plaintext.toString(),
    ).toBe('v2');
    // Automatic rotation happens once per period however many regions are used afterwards.
    await h.ok('EnableKeyRotation', { KeyId: m.KeyId, RotationPeriodInDays: 90 });
    h.clock.now += 91 * DAY;
    await h.ok('Encrypt', { KeyId: m.KeyId, Plaintext: b64('x') }, h.root, 'eu-west-1');
    await h.ok('Encrypt', { KeyId: m.KeyId, Plaintext: b64('x') });
    const types = (r: { Rotations: { RotationType: string }[] }) => r.Rotations.map((x) => x.RotationType);
    expect(types(await h.ok('ListKeyRotations', { KeyId: m.KeyId }))).toEqual(['ON_DEMAND', 'AUTOMATIC']);
    expect(types(await h.ok('ListKeyRotations', { KeyId: m.KeyId }, h.root, 'eu-west-1'))).toEqual([
      'ON_DEMAND',
      'AUTOMATIC',
    ]);
    expect(
      (await h.ok('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob) }, h.root, 'eu-west-1')).Plaintext.toString(),
    ).toBe('everywhere');
    await h.ok('UpdatePrimaryRegion', { KeyId: m.KeyId, PrimaryRegion: 'eu-west-1' });
    expect(
      (await h.ok('DescribeKey', { KeyId: m.KeyId })).KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType,
    ).toBe('REPLICA');
    // Deleting the new primary waits for its replica (PendingReplicaDeletion).
    const s = await h.ok('ScheduleKeyDeletion', { KeyId: m.KeyId, PendingWindowInDays: 7 }, h.root, 'eu-west-1');
    expect(s.KeyState).toBe('PendingReplicaDeletion');
    expect(s).not.toHaveProperty('DeletionDate');
  });
});

describe('persistence, root key and audit trail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kms-'));
  const state = join(dir, 'kms.db');

  it('keys, aliases, grants and material survive a restart; material is sealed at rest', async () => {
    const h1 = harness({ state, audit: { dir: join(dir, 'trail') } });
    expect(h1.svc.rootKeyCreated).toBe(true);
    const id = (await h1.ok('CreateKey', {})).KeyMetadata.KeyId;
    await h1.ok('CreateAlias', { AliasName: 'alias/persist', TargetKeyId: id });
    const enc = await h1.ok('Encrypt', {
      KeyId: 'alias/persist',
      Plaintext: b64('durable'),
      EncryptionContext: { k: 'v' },
    });
    await h1.ok('RotateKeyOnDemand', { KeyId: id });
    const rows = h1.svc.store.db.prepare('SELECT sealed FROM materials WHERE key_id = ?').all(id) as {
      sealed: Buffer;
    }[];
    expect(rows).toHaveLength(2);
    h1.close();
    const h2 = harness({ state });
    expect(h2.svc.rootKeyCreated).toBe(false);
    const dec = await h2.ok('Decrypt', {
      CiphertextBlob: b64(enc.CiphertextBlob),
      EncryptionContext: { k: 'v' },
      KeyId: 'alias/persist',
    });
    expect(dec.Plaintext.toString()).toBe('durable');
    expect((await h2.ok('ListKeyRotations', { KeyId: id })).Rotations).toHaveLength(1);
    h2.close();
  });

  it('refuses a wrong root key and a root key file readable by others, with a clear message', () => {
    expect(() => createKmsService({ state, rootKey: randomBytes(32) })).toThrow(
      /the root key does not match the one this state was created with/,
    );
    const keyFile = join(dir, 'root.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    chmodSync(keyFile, 0o644);
    expect(() => createKmsService({ rootKeyFile: keyFile })).toThrow(
      /readable by group or others \(mode 644\); run chmod 600/,
    );
    chmodSync(keyFile, 0o600);
    createKmsService({ rootKeyFile: keyFile }).close();
    writeFileSync(join(dir, 'short.key'), 'abcd', { mode: 0o600 });
    expect(() => createKmsService({ rootKeyFile: join(dir, 'short.key') })).toThrow(/must be 32 bytes/);
  });

  it('writes CloudTrail records to AWSLogs/ gzip files, without plaintext or ciphertext', () => {
    const base = join(dir, 'trail', 'AWSLogs', ACCOUNT, 'CloudTrail', REGION, '2026', '01', '01');
    const files = readdirSync(base);
    expect(files.length).toBeGreaterThan(0);
    expect(files[0]).toMatch(new RegExp(`^${ACCOUNT}_CloudTrail_${REGION}_20260101T0000Z_V[0-9A-Z]{15}\\.json\\.gz$`));
    const records = files.flatMap((f) => JSON.parse(gunzipSync(readFileSync(join(base, f))).toString()).Records);
    expect(records.map((r: { eventName: string }) => r.eventName)).toEqual([
      'CreateKey',
      'CreateAlias',
      'Encrypt',
      'RotateKeyOnDemand',
    ]);
    const encrypt = records[2];
    expect(encrypt).toMatchObject({
      eventVersion: '1.11',
      eventSource: 'kms.amazonaws.com',
      eventName: 'Encrypt',
      awsRegion: REGION,
      sourceIPAddress: '192.0.2.10',
      userAgent: 'vitest',
      requestParameters: { keyId: 'alias/persist', encryptionContext: { k: 'v' } },
      responseElements: null,
      readOnly: true,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
      userIdentity: { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT },
    });
    expect(encrypt.resources).toEqual([
      { accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: expect.stringMatching(/^arn:aws:kms:/) },
    ]);
    expect(encrypt.additionalEventData.keyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(encrypt.additionalEventData.vigilAuthorization.reason).toContain('Enable IAM User Permissions');
    const text = JSON.stringify(records);
    expect(text).not.toContain(b64('durable'));
    expect(text).not.toContain('plaintext');
    expect(records[0].responseElements.keyMetadata.keyId).toBe(records[1].requestParameters.targetKeyId);
  });

  it('prunes audit records past the retention period or the record cap', async () => {
    const h = harness({ audit: { retainDays: 1, maxRecords: 3 } });
    for (let i = 0; i < 5; i++) await h.ok('GenerateRandom', { NumberOfBytes: 1 });
    h.svc.auditTrail.flush();
    expect(h.svc.store.readAudit()).toHaveLength(3);
    h.clock.now += 2 * DAY;
    await h.ok('ListKeys', {});
    h.svc.auditTrail.flush();
    expect(h.svc.store.readAudit().map((r) => JSON.parse(r.record).eventName)).toEqual(['ListKeys']);
    h.close();
  });

  it('audits denied and failed calls with errorCode and errorMessage; Decrypt always logs encryptionAlgorithm', async () => {
    const h = harness();
    const id = (await h.ok('CreateKey', {})).KeyMetadata.KeyId;
    const enc = await h.ok('Encrypt', { KeyId: id, Plaintext: b64('x') });
    await h.call('Encrypt', { KeyId: id, Plaintext: b64('x') }, h.user('bob', []));
    await h.ok('Decrypt', { CiphertextBlob: b64(enc.CiphertextBlob) });
    await h.call('DescribeKey', { KeyId: 'nope' });
    const records = h.svc.store.readAudit().map((r) => JSON.parse(r.record));
    const [denied, decrypt, missing] = records.slice(2);
    expect(denied).toMatchObject({
      errorCode: 'AccessDenied',
      errorMessage: expect.stringContaining('is not authorized to perform: kms:Encrypt'),
      userIdentity: { type: 'IAMUser', userName: 'bob', principalId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/) },
      responseElements: null,
    });
    expect(denied.additionalEventData.vigilAuthorization).toEqual({
      allowed: false,
      reason: 'because no identity-based policy allows the kms:Encrypt action',
    });
    expect(decrypt.requestParameters).toEqual({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(decrypt.resources[0].ARN).toBe(arn(id));
    expect(missing).toMatchObject({ errorCode: 'NotFoundException', errorMessage: "Invalid keyId 'nope'" });
    h.close();
  });
});
