import { buildClient, CommitmentPolicy, getClient, KMS, KmsKeyringNode } from '@aws-crypto/client-node';
import { CreateKeyCommand, RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDS, startTestServer, type TestServer } from './server-helpers.js';

/**
 * The AWS Encryption SDK (envelope encryption: one data key per message, wrapped by KMS) with a KmsKeyringNode
 * whose client supplier points at the Vigil server. The SDK checks that every KeyId KMS returns is the full ARN it
 * asked for, so this also proves the responses are shaped as the SDK requires.
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

function keyring(generatorKeyId: string, keyIds: string[] = []): KmsKeyringNode {
  // The keyring asks for a client per region (parsed from the key ARN): all of them go to the test server.
  const clientProvider = getClient(KMS, {
    endpoint: t.server.url,
    credentials: CREDS.alice,
    maxAttempts: 1,
  });
  return new KmsKeyringNode({ generatorKeyId, keyIds, clientProvider });
}

describe('@aws-crypto/client-node envelope encryption through the Vigil KMS', () => {
  it('encrypts with one data key, survives rotation, and decrypts old and new messages', async () => {
    const kms = t.client('alice');
    const arn = (await kms.send(new CreateKeyCommand({ Description: 'esdk' }))).KeyMetadata!.Arn!;
    const ring = keyring(arn);
    const context = { purpose: 'esdk-test', tenant: 'acme' };
    const oldMessage = await encrypt(ring, Buffer.from('written before rotation'), { encryptionContext: context });
    expect(oldMessage.messageHeader.encryptedDataKeys).toHaveLength(1);
    expect(oldMessage.messageHeader.encryptedDataKeys[0]!.providerInfo).toBe(arn);

    await kms.send(new RotateKeyOnDemandCommand({ KeyId: arn }));
    const newMessage = await encrypt(ring, Buffer.from('written after rotation'), { encryptionContext: context });

    const a = await decrypt(ring, oldMessage.result);
    const b = await decrypt(ring, newMessage.result);
    expect(a.plaintext.toString()).toBe('written before rotation');
    expect(b.plaintext.toString()).toBe('written after rotation');
    expect(a.messageHeader.encryptionContext).toMatchObject(context);
    // Old and new data keys were wrapped under different key material.
    expect(oldMessage.messageHeader.encryptedDataKeys[0]!.encryptedDataKey).not.toEqual(
      newMessage.messageHeader.encryptedDataKeys[0]!.encryptedDataKey,
    );
  });

  it('wraps the data key under several keys; any one of them decrypts; a foreign keyring cannot', async () => {
    const kms = t.client('alice');
    const k1 = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const k2 = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const k3 = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const msg = await encrypt(keyring(k1, [k2]), Buffer.from('two wrappers'));
    expect(msg.messageHeader.encryptedDataKeys.map((k) => k.providerInfo)).toEqual([k1, k2]);
    expect((await decrypt(keyring(k2), msg.result)).plaintext.toString()).toBe('two wrappers');
    await expect(decrypt(keyring(k3), msg.result)).rejects.toThrow(/unencryptedDataKey has not been set/);
  });
});
