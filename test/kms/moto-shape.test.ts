import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, integrationAvailable } from '../helpers/integration.js';
import { type MotoServer, startMoto } from '../helpers/moto.js';
import { CREDS, REGION, startTestServer, type TestServer } from './server-helpers.js';

/**
 * Response shapes compared with moto_server's KMS for the same calls through the same SDK: every field moto
 * returns, Vigil returns too, with the same JSON type (Vigil returns more, e.g. KeyMaterialId, MultiRegion).
 */
const available = integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));

type Shape = Record<string, string>;
function shape(out: object): Shape {
  const s: Shape = {};
  for (const [k, v] of Object.entries(out)) {
    // moto writes `SigningAlgorithms: []` for symmetric keys where AWS omits the member: an empty list is absence.
    if (k === '$metadata' || (Array.isArray(v) && v.length === 0)) continue;
    s[k] = v instanceof Date ? 'date' : v instanceof Uint8Array ? 'blob' : Array.isArray(v) ? 'list' : typeof v;
  }
  return s;
}

describe.skipIf(!available)('response shapes against moto_server', () => {
  let moto: MotoServer;
  let t: TestServer;
  let clients: { vigil: KMSClient; moto: KMSClient };
  beforeAll(async () => {
    [moto, t] = await Promise.all([startMoto(), startTestServer()]);
    clients = {
      vigil: t.client(),
      moto: new KMSClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDS.admin, maxAttempts: 1 }),
    };
  });
  afterAll(async () => {
    clients?.moto.destroy();
    await Promise.all([moto?.stop(), t?.close()]);
  });

  it('CreateKey, DescribeKey, Encrypt, Decrypt, GenerateDataKey, lists, policy, rotation, deletion, Sign', async () => {
    const both = async (
      make: (c: KMSClient, ids: { key: string; sign?: string; blob?: Uint8Array }) => Promise<object>,
    ) => {
      const out: Record<string, object> = {};
      for (const [name, c] of Object.entries(clients)) out[name] = await make(c, state[name as 'vigil' | 'moto']);
      return out as { vigil: object; moto: object };
    };
    const state = {
      vigil: { key: '' } as { key: string; sign?: string; blob?: Uint8Array },
      moto: { key: '' } as { key: string; sign?: string; blob?: Uint8Array },
    };
    const compare = (label: string, r: { vigil: object; moto: object }, nested?: (o: object) => object) => {
      const v = shape(nested ? nested(r.vigil) : r.vigil);
      const m = shape(nested ? nested(r.moto) : r.moto);
      for (const [field, type] of Object.entries(m))
        expect({ label, field, type: v[field] }).toEqual({ label, field, type });
    };

    const created = await both((c) => c.send(new CreateKeyCommand({ Description: 'shape' })));
    compare('CreateKey.KeyMetadata', created, (o) => (o as { KeyMetadata: object }).KeyMetadata);
    state.vigil.key = (created.vigil as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
    state.moto.key = (created.moto as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
    compare(
      'DescribeKey',
      await both((c, s) => c.send(new DescribeKeyCommand({ KeyId: s.key }))),
      (o) => (o as { KeyMetadata: object }).KeyMetadata,
    );
    const enc = await both((c, s) =>
      c.send(new EncryptCommand({ KeyId: s.key, Plaintext: Buffer.from('shape'), EncryptionContext: { a: 'b' } })),
    );
    compare('Encrypt', enc);
    state.vigil.blob = (enc.vigil as { CiphertextBlob: Uint8Array }).CiphertextBlob;
    state.moto.blob = (enc.moto as { CiphertextBlob: Uint8Array }).CiphertextBlob;
    const dec = await both((c, s) =>
      c.send(new DecryptCommand({ CiphertextBlob: s.blob, EncryptionContext: { a: 'b' } })),
    );
    compare('Decrypt', dec);
    expect((dec.vigil as { KeyId: string }).KeyId).toMatch(/^arn:aws:kms:/);
    expect((dec.moto as { KeyId: string }).KeyId).toMatch(/^arn:aws:kms:/);
    compare(
      'GenerateDataKey',
      await both((c, s) => c.send(new GenerateDataKeyCommand({ KeyId: s.key, NumberOfBytes: 32 }))),
    );
    compare('ListKeys', await both((c) => c.send(new ListKeysCommand({}))));
    await both((c, s) => c.send(new CreateAliasCommand({ AliasName: 'alias/shape', TargetKeyId: s.key })));
    compare('ListAliases', await both((c) => c.send(new ListAliasesCommand({}))));
    compare(
      'ListAliases.Aliases[]',
      await both(
        async (c) => (await c.send(new ListAliasesCommand({}))).Aliases!.find((a) => a.AliasName === 'alias/shape')!,
      ),
    );
    compare(
      'GetKeyPolicy',
      await both((c, s) => c.send(new GetKeyPolicyCommand({ KeyId: s.key, PolicyName: 'default' }))),
    );
    compare('GetKeyRotationStatus', await both((c, s) => c.send(new GetKeyRotationStatusCommand({ KeyId: s.key }))));
    const signers = await both((c) =>
      c.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })),
    );
    compare('CreateKey(ECC).KeyMetadata', signers, (o) => (o as { KeyMetadata: object }).KeyMetadata);
    state.vigil.sign = (signers.vigil as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
    state.moto.sign = (signers.moto as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
    compare(
      'Sign',
      await both((c, s) =>
        c.send(new SignCommand({ KeyId: s.sign, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' })),
      ),
    );
    compare(
      'ScheduleKeyDeletion',
      await both((c, s) => c.send(new ScheduleKeyDeletionCommand({ KeyId: s.key, PendingWindowInDays: 7 }))),
    );
  });
});
