import {
  constants,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  verify,
} from 'node:crypto';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateCustomKeyStoreCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DeleteImportedKeyMaterialCommand,
  DeriveSharedSecretCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand,
  GenerateRandomCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
  ListAliasesCommand,
  ListGrantsCommand,
  ListKeyPoliciesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ListRetirableGrantsCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  ReplicateKeyCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
  UpdatePrimaryRegionCommand,
  VerifyCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, CREDS, REGION, startTestServer, type TestServer } from './server-helpers.js';

let t: TestServer;
let kms: KMSClient;
beforeAll(async () => {
  t = await startTestServer();
  kms = t.client();
});
afterAll(() => t.close());

/** The SDK error name, message and HTTP status of a failing call. */
async function fails(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

const arnOf = (id: string, region = REGION) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`;
const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString();

describe('@aws-sdk/client-kms against the Vigil KMS server (SigV4 verified)', () => {
  it('key lifecycle: CreateKey, DescribeKey, ListKeys, Enable/Disable, UpdateKeyDescription, Schedule/CancelKeyDeletion', async () => {
    const created = await kms.send(
      new CreateKeyCommand({ Description: 'sdk key', Tags: [{ TagKey: 'team', TagValue: 'sec' }] }),
    );
    const id = created.KeyMetadata!.KeyId!;
    expect(created.KeyMetadata).toMatchObject({ Arn: arnOf(id), KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT' });
    expect(created.KeyMetadata!.CreationDate).toBeInstanceOf(Date);
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: id, Description: 'renamed' }));
    await kms.send(new DisableKeyCommand({ KeyId: id }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: arnOf(id) }))).KeyMetadata).toMatchObject({
      Description: 'renamed',
      KeyState: 'Disabled',
      Enabled: false,
    });
    await kms.send(new EnableKeyCommand({ KeyId: id }));
    const keys = await kms.send(new ListKeysCommand({}));
    expect(keys.Keys).toContainEqual({ KeyId: id, KeyArn: arnOf(id) });
    const sched = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
    expect(sched).toMatchObject({ KeyId: arnOf(id), KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(sched.DeletionDate).toBeInstanceOf(Date);
    expect((await kms.send(new CancelKeyDeletionCommand({ KeyId: id }))).KeyId).toBe(arnOf(id));
  });

  it('Encrypt, Decrypt, ReEncrypt, GenerateDataKey(+WithoutPlaintext), GenerateRandom', async () => {
    const a = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const b = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const ctx = { purpose: 'sdk-test' };
    const enc = await kms.send(
      new EncryptCommand({ KeyId: a, Plaintext: Buffer.from('sdk secret'), EncryptionContext: ctx }),
    );
    expect(enc.KeyId).toBe(arnOf(a));
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx }));
    expect([text(dec.Plaintext), dec.KeyId, dec.EncryptionAlgorithm]).toEqual([
      'sdk secret',
      arnOf(a),
      'SYMMETRIC_DEFAULT',
    ]);
    const re = await kms.send(
      new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ctx, DestinationKeyId: b }),
    );
    expect([re.SourceKeyId, re.KeyId]).toEqual([arnOf(a), arnOf(b)]);
    expect(text((await kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, KeyId: b }))).Plaintext)).toBe(
      'sdk secret',
    );
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: a, KeySpec: 'AES_256' }));
    expect(dk.Plaintext).toHaveLength(32);
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
    expect(Buffer.from(back.Plaintext!)).toEqual(Buffer.from(dk.Plaintext!));
    const wp = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: a, NumberOfBytes: 16 }));
    expect(wp).not.toHaveProperty('Plaintext');
    expect((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 48 }))).Plaintext).toHaveLength(48);
    expect(await fails(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).toMatchObject({
      name: 'InvalidCiphertextException',
      status: 400,
    });
    expect(
      await fails(
        kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: b, EncryptionContext: ctx })),
      ),
    ).toEqual({
      name: 'IncorrectKeyException',
      message: 'The key ID in the request does not identify a CMK that can perform this operation.',
      status: 400,
    });
  });

  it('GenerateDataKeyPair(+WithoutPlaintext), Sign, Verify, GetPublicKey, GenerateMac, VerifyMac, DeriveSharedSecret', async () => {
    const sym = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const pair = await kms.send(new GenerateDataKeyPairCommand({ KeyId: sym, KeyPairSpec: 'RSA_2048' }));
    expect(
      createPublicKey({ key: Buffer.from(pair.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails
        ?.modulusLength,
    ).toBe(2048);
    const pairNp = await kms.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: sym, KeyPairSpec: 'ECC_SECG_P256K1' }),
    );
    expect(pairNp).not.toHaveProperty('PrivateKeyPlaintext');
    expect(pairNp.KeyPairSpec).toBe('ECC_SECG_P256K1');

    const signer = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata!;
    expect(signer.SigningAlgorithms).toEqual(['ECDSA_SHA_256']);
    const digest = createHash('sha256').update('document').digest();
    const sig = await kms.send(
      new SignCommand({
        KeyId: signer.KeyId,
        Message: digest,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: signer.KeyId }));
    const pubKey = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' });
    expect(
      verify('sha256', Buffer.from('document'), { key: pubKey, dsaEncoding: 'der' }, Buffer.from(sig.Signature!)),
    ).toBe(true);
    const v = await kms.send(
      new VerifyCommand({
        KeyId: signer.KeyId,
        Message: Buffer.from('document'),
        Signature: sig.Signature,
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(v.SignatureValid).toBe(true);
    expect(
      await fails(
        kms.send(
          new VerifyCommand({
            KeyId: signer.KeyId,
            Message: Buffer.from('forged'),
            Signature: sig.Signature,
            SigningAlgorithm: 'ECDSA_SHA_256',
          }),
        ),
      ),
    ).toMatchObject({ name: 'KMSInvalidSignatureException' });

    const mac = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' })))
      .KeyMetadata!.KeyId!;
    const m = await kms.send(
      new GenerateMacCommand({ KeyId: mac, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_512' }),
    );
    expect(m.Mac).toHaveLength(64);
    expect(
      (
        await kms.send(
          new VerifyMacCommand({ KeyId: mac, Message: Buffer.from('m'), Mac: m.Mac, MacAlgorithm: 'HMAC_SHA_512' }),
        )
      ).MacValid,
    ).toBe(true);
    expect(
      await fails(
        kms.send(
          new VerifyMacCommand({ KeyId: mac, Message: Buffer.from('x'), Mac: m.Mac, MacAlgorithm: 'HMAC_SHA_512' }),
        ),
      ),
    ).toMatchObject({ name: 'KMSInvalidMacException' });

    const agree = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' })))
      .KeyMetadata!.KeyId!;
    const peer = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const ss = await kms.send(
      new DeriveSharedSecretCommand({
        KeyId: agree,
        KeyAgreementAlgorithm: 'ECDH',
        PublicKey: peer.publicKey.export({ format: 'der', type: 'spki' }),
      }),
    );
    expect(ss.SharedSecret).toHaveLength(48);
  });

  it('aliases: CreateAlias, ListAliases, UpdateAlias, DeleteAlias', async () => {
    const a = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const b = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/sdk', TargetKeyId: a }));
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/sdk', TargetKeyId: b }));
    const list = await kms.send(new ListAliasesCommand({ KeyId: b }));
    expect(list.Aliases?.map((x) => [x.AliasName, x.TargetKeyId, x.AliasArn])).toEqual([
      ['alias/sdk', b, `arn:aws:kms:${REGION}:${ACCOUNT}:alias/sdk`],
    ]);
    expect(list.Aliases?.[0].CreationDate).toBeInstanceOf(Date);
    expect((await kms.send(new EncryptCommand({ KeyId: 'alias/sdk', Plaintext: Buffer.from('x') }))).KeyId).toBe(
      arnOf(b),
    );
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/sdk' }));
    expect(await fails(kms.send(new DeleteAliasCommand({ AliasName: 'alias/sdk' })))).toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('tags and policies: TagResource, UntagResource, ListResourceTags, GetKeyPolicy, PutKeyPolicy, ListKeyPolicies', async () => {
    const id = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await kms.send(
      new TagResourceCommand({
        KeyId: id,
        Tags: [
          { TagKey: 'a', TagValue: '1' },
          { TagKey: 'b', TagValue: '2' },
        ],
      }),
    );
    await kms.send(new UntagResourceCommand({ KeyId: id, TagKeys: ['a'] }));
    expect((await kms.send(new ListResourceTagsCommand({ KeyId: id }))).Tags).toEqual([{ TagKey: 'b', TagValue: '2' }]);
    const policy = await kms.send(new GetKeyPolicyCommand({ KeyId: id }));
    expect(JSON.parse(policy.Policy!)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    const withBob = JSON.parse(policy.Policy!);
    withBob.Statement.push({
      Sid: 'bob',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` },
      Action: 'kms:Encrypt',
      Resource: '*',
    });
    const bob = t.client('bob');
    expect(await fails(bob.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('x') })))).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: kms:Encrypt on resource: ${arnOf(id)} because no identity-based policy allows the kms:Encrypt action`,
    });
    await kms.send(new PutKeyPolicyCommand({ KeyId: id, PolicyName: 'default', Policy: JSON.stringify(withBob) }));
    expect((await bob.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('x') }))).KeyId).toBe(arnOf(id));
    expect((await kms.send(new ListKeyPoliciesCommand({ KeyId: id }))).PolicyNames).toEqual(['default']);
    expect(
      await fails(kms.send(new PutKeyPolicyCommand({ KeyId: id, PolicyName: 'default', Policy: '{' }))),
    ).toMatchObject({
      name: 'MalformedPolicyDocumentException',
    });
  });

  it('rotation: EnableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations, DisableKeyRotation', async () => {
    const id = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const before = await kms.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('old') }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 180 }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180, KeyId: arnOf(id) });
    expect(status.NextRotationDate).toBeInstanceOf(Date);
    expect((await kms.send(new RotateKeyOnDemandCommand({ KeyId: id }))).KeyId).toBe(arnOf(id));
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: id }));
    expect(rotations.Rotations?.map((r) => r.RotationType)).toEqual(['ON_DEMAND']);
    expect(text((await kms.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }))).Plaintext)).toBe('old');
    await kms.send(new DisableKeyRotationCommand({ KeyId: id }));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }))).KeyRotationEnabled).toBe(false);
  });

  it('grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant', async () => {
    const id = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const bob = t.client('bob');
    const bobArn = `arn:aws:iam::${ACCOUNT}:user/bob`;
    const g = await kms.send(
      new CreateGrantCommand({
        KeyId: id,
        GranteePrincipal: bobArn,
        RetiringPrincipal: bobArn,
        Operations: ['Encrypt', 'Decrypt'],
      }),
    );
    const enc = await bob.send(
      new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('granted'), GrantTokens: [g.GrantToken!] }),
    );
    expect(text((await bob.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext)).toBe(
      'granted',
    );
    expect((await kms.send(new ListGrantsCommand({ KeyId: id }))).Grants?.map((x) => x.GrantId)).toEqual([g.GrantId]);
    const retirable = await kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: bobArn }));
    expect(retirable.Grants?.map((x) => [x.GrantId, x.KeyId])).toEqual([[g.GrantId, arnOf(id)]]);
    // bob has no IAM permissions: listing is refused to him, retiring his own grant is not.
    expect(await fails(bob.send(new ListRetirableGrantsCommand({ RetiringPrincipal: bobArn })))).toMatchObject({
      name: 'AccessDeniedException',
    });
    await bob.send(new RetireGrantCommand({ GrantToken: g.GrantToken }));
    expect(await fails(bob.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).toMatchObject({
      name: 'AccessDeniedException',
    });
    const g2 = await kms.send(
      new CreateGrantCommand({ KeyId: id, GranteePrincipal: bobArn, Operations: ['DescribeKey'] }),
    );
    await kms.send(new RevokeGrantCommand({ KeyId: id, GrantId: g2.GrantId }));
    expect((await kms.send(new ListGrantsCommand({ KeyId: id }))).Grants).toEqual([]);
  });

  it('imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial', async () => {
    const id = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const params = await kms.send(
      new GetParametersForImportCommand({
        KeyId: id,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    expect(params.ParametersValidTo).toBeInstanceOf(Date);
    const wrapped = publicEncrypt(
      {
        key: createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' }),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      randomBytes(32),
    );
    await kms.send(
      new ImportKeyMaterialCommand({
        KeyId: id,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapped,
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: new Date(Date.now() + 86_400_000),
      }),
    );
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    expect(meta).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(meta.ValidTo).toBeInstanceOf(Date);
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: id }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState).toBe('PendingImport');
  });

  it('multi-Region: ReplicateKey and UpdatePrimaryRegion; a client in the replica region decrypts', async () => {
    const primary = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    const rep = await kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-central-1' }));
    expect(rep.ReplicaKeyMetadata?.Arn).toBe(arnOf(primary.KeyId!, 'eu-central-1'));
    const enc = await kms.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: Buffer.from('mrk') }));
    const eu = t.client('admin', 'eu-central-1');
    const dec = await eu.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    expect([text(dec.Plaintext), dec.KeyId]).toEqual(['mrk', arnOf(primary.KeyId!, 'eu-central-1')]);
    await kms.send(new UpdatePrimaryRegionCommand({ KeyId: primary.KeyId, PrimaryRegion: 'eu-central-1' }));
    const d = (await eu.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!;
    expect(d.MultiRegionConfiguration?.MultiRegionKeyType).toBe('PRIMARY');
  });
});

describe('wire-level errors', () => {
  const post = (headers: Record<string, string>, body: string) =>
    fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
      body,
    });

  it('a wrong secret is InvalidSignatureException, an unknown access key UnrecognizedClientException', async () => {
    const { KMSClient } = await import('@aws-sdk/client-kms');
    const wrong = new KMSClient({
      endpoint: t.server.url,
      region: REGION,
      credentials: { accessKeyId: 'AKIAVIGILADMIN', secretAccessKey: 'wrong-secret' },
      maxAttempts: 1,
    });
    expect(await fails(wrong.send(new ListKeysCommand({})))).toMatchObject({
      name: 'InvalidSignatureException',
      status: 400,
    });
    const unknown = new KMSClient({
      endpoint: t.server.url,
      region: REGION,
      credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'whatever-secret' },
      maxAttempts: 1,
    });
    expect(await fails(unknown.send(new ListKeysCommand({})))).toEqual({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      status: 400,
    });
    wrong.destroy();
    unknown.destroy();
  });

  it('a validly signed request for a scope that is not a region name is InvalidSignatureException', async () => {
    const { KMSClient } = await import('@aws-sdk/client-kms');
    // Regions name per-region state and audit directories: only region-shaped names are accepted.
    for (const region of ['local', 'moon-base-x']) {
      const odd = new KMSClient({ endpoint: t.server.url, region, credentials: CREDS.admin, maxAttempts: 1 });
      expect(await fails(odd.send(new ListKeysCommand({})))).toEqual({
        name: 'InvalidSignatureException',
        message: 'Credential should be scoped to a valid region. ',
        status: 400,
      });
      odd.destroy();
    }
  });

  it('unsigned requests, unknown targets, unsupported operations and bad JSON get AWS error shapes', async () => {
    const res = await post({ 'x-amz-target': 'TrentService.ListKeys' }, '{}');
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
    expect(await (await post({ 'x-amz-target': 'Other.ListKeys' }, '{}')).json()).toEqual({
      __type: 'UnknownOperationException',
      message: '',
    });
    expect(await fails(kms.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'x' })))).toEqual({
      name: 'UnsupportedOperationException',
      message: 'CreateCustomKeyStore is not supported by this service.',
      status: 400,
    });
    const health = await fetch(`${t.server.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', service: 'kms' });
  });

  it('dev mode: no signature needed; bad JSON and wrong member types are SerializationException', async () => {
    const { startKmsServer } = await import('../../src/kms/server.js');
    const dev = await startKmsServer({ service: t.svc, maxBodyBytes: 1000 });
    const send = (target: string, body: string) =>
      fetch(dev.url, {
        method: 'POST',
        headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
        body,
      });
    const created = (await (await send('TrentService.CreateKey', '{}')).json()) as {
      KeyMetadata: { KeyId: string; Arn: string };
    };
    expect(created.KeyMetadata.Arn).toMatch(new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/`));
    const badJson = await send('TrentService.ListKeys', '{"Limit":');
    expect([badJson.status, await badJson.json()]).toEqual([
      400,
      { __type: 'SerializationException', message: 'Request body is not valid JSON' },
    ]);
    const badType = await (
      await send('TrentService.Encrypt', JSON.stringify({ KeyId: created.KeyMetadata.KeyId, Plaintext: 42 }))
    ).json();
    expect(badType).toEqual({ __type: 'SerializationException', message: 'Plaintext must be base64 text' });
    const badB64 = (await (
      await send('TrentService.Encrypt', JSON.stringify({ KeyId: created.KeyMetadata.KeyId, Plaintext: 'not base64!' }))
    ).json()) as { __type: string };
    expect(badB64.__type).toBe('SerializationException');
    const big = await send('TrentService.ListKeys', JSON.stringify({ pad: 'x'.repeat(2000) }));
    expect([big.status, ((await big.json()) as { __type: string }).__type]).toEqual([413, 'SerializationException']);
    await dev.close();
  });

  it('every call was audited with the SigV4 caller identity', () => {
    const records = t.svc.store.readAudit().map((r) => JSON.parse(r.record));
    expect(records.length).toBeGreaterThan(40);
    const bobCall = records.find((r) => r.userIdentity.userName === 'bob');
    expect(bobCall.userIdentity).toMatchObject({
      type: 'IAMUser',
      accessKeyId: 'AKIAVIGILBOB',
      arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
    });
    expect(records.every((r) => r.sourceIPAddress === '127.0.0.1')).toBe(true);
    expect(records.some((r) => String(r.userAgent).includes('aws-sdk-js'))).toBe(true);
    expect(records.filter((r) => r.awsRegion === 'eu-central-1').length).toBeGreaterThan(0);
  });
});
