import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parseBlob } from './blob.js';
import {
  deriveSharedSecret,
  generateAsymmetric,
  hmac,
  publicKeyDer,
  rsaDecrypt,
  rsaEncrypt,
  signMessage,
  symmetricDecrypt,
  symmetricEncrypt,
  verifyMessage,
} from './crypto.js';
import {
  incorrectKey,
  invalidCiphertext,
  invalidKeyUsage,
  invalidState,
  KmsError,
  keyDoesNotExist,
  unsupported,
  validation,
} from './errors.js';
import { isKeyId, keyArn } from './ids.js';
import { arnOf, type KeyRecord } from './model.js';
import type { Handler, KmsService, Req } from './service.js';
import {
  DATA_KEY_SPECS,
  ENCRYPTION_ALGORITHMS,
  hashOf,
  KEY_PAIR_SPECS,
  type KeySpec,
  MAC_ALGORITHMS,
  MESSAGE_TYPES,
  rsaOaepMax,
  SIGNING_ALGORITHMS,
  SPECS,
} from './specs.js';

/** Cryptographic operations: encryption, data keys, random, signatures, MACs and key agreement. */

type Context = Record<string, string> | undefined;

function algorithmsOf(k: KeyRecord) {
  return SPECS[k.spec].usages[k.usage] ?? {};
}

function requireAlgorithm(k: KeyRecord, algorithm: string, list: string[] | undefined): void {
  if (!list?.includes(algorithm))
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${k.spec}.`);
}

/** Only symmetric encryption keys take an encryption context (kms.md §6). */
function requireNoContext(k: KeyRecord, context: Context): void {
  if (context && Object.keys(context).length && k.spec !== 'SYMMETRIC_DEFAULT')
    throw validation(`EncryptionContext is not supported for ${k.spec} KMS keys.`);
}

function noRecipient(req: Req): void {
  if (req.in.has('Recipient'))
    throw unsupported('Recipient (Nitro Enclaves attestation) is not supported by this service.');
}

/** Symmetric data-key operations need a SYMMETRIC_DEFAULT encryption key. */
function requireSymmetric(k: KeyRecord, op: string): void {
  if (k.usage !== 'ENCRYPT_DECRYPT') throw invalidKeyUsage(arnOf(k), k.usage, op);
  if (k.spec !== 'SYMMETRIC_DEFAULT')
    throw new KmsError('InvalidKeyUsageException', `${arnOf(k)} key spec ${k.spec} is not valid for ${op}.`);
}

function encryptWith(
  svc: KmsService,
  k: KeyRecord,
  plaintext: Buffer,
  context: Context,
  algorithm: string,
): { blob: Buffer; materialId?: string } {
  if (algorithm === 'SYMMETRIC_DEFAULT') {
    const m = svc.material(k);
    if (!m) throw invalidState(`${arnOf(k)} is pending import.`);
    return { blob: symmetricEncrypt(m, k.keyId, plaintext, context), materialId: m.id };
  }
  const max = rsaOaepMax(SPECS[k.spec].bits!, algorithm);
  if (plaintext.length > max)
    throw validation(`Algorithm ${algorithm} and key spec ${k.spec} cannot encrypt data larger than ${max} bytes.`);
  return { blob: rsaEncrypt(svc.material(k)!.publicKey!, algorithm, plaintext) };
}

/**
 * Decrypt for Decrypt and ReEncrypt. A symmetric blob names its key and material; a KeyId in the request must
 * name the same key (IncorrectKeyException otherwise). RSA ciphertext needs the KeyId.
 */
function decryptWith(
  svc: KmsService,
  req: Req,
  blob: Buffer,
  context: Context,
  keyIdParam: string | undefined,
  algorithm: string,
  action: 'Decrypt' | 'ReEncryptFrom',
): { k: KeyRecord; plaintext: Buffer; materialId?: string } {
  if (algorithm === 'SYMMETRIC_DEFAULT') {
    const parts = parseBlob(blob);
    if (!parts || !isKeyId(parts.keyId)) throw invalidCiphertext();
    const requested = keyIdParam ? svc.findKey(req, keyIdParam) : undefined;
    if (requested && requested.keyId !== parts.keyId) throw incorrectKey();
    const k = requested ?? svc.liveKey(req.ctx.region, parts.keyId);
    if (!k) throw keyDoesNotExist(keyArn(svc.partition, req.ctx.region, req.ctx.principal.account, parts.keyId));
    if (!requested) req.audit.resources.push({ ARN: arnOf(k), accountId: k.account });
    svc.authorizeKey(req, k, action, {
      grantOperation: action,
      context,
      keys: { 'kms:EncryptionAlgorithm': algorithm },
    });
    svc.requireEnabled(k);
    if (k.usage !== 'ENCRYPT_DECRYPT' || k.spec !== 'SYMMETRIC_DEFAULT') throw incorrectKey();
    const m = svc.material(k, parts.materialId);
    const plaintext = m ? symmetricDecrypt(m, parts, context) : undefined;
    if (!plaintext) throw invalidCiphertext();
    return { k, plaintext, materialId: m!.id };
  }
  if (!keyIdParam) throw validation(`KeyId is required for the ${algorithm} encryption algorithm.`);
  const k = svc.findKey(req, keyIdParam);
  svc.authorizeKey(req, k, action, { grantOperation: action, keys: { 'kms:EncryptionAlgorithm': algorithm } });
  svc.requireEnabled(k);
  if (k.usage !== 'ENCRYPT_DECRYPT' || SPECS[k.spec].kind !== 'rsa') throw incorrectKey();
  requireNoContext(k, context);
  const plaintext = rsaDecrypt(svc.material(k)!.privateKey!, algorithm, blob);
  if (!plaintext) throw invalidCiphertext();
  return { k, plaintext };
}

const Encrypt: Handler = (svc, req) => {
  const inp = req.in;
  const keyId = inp.req('KeyId');
  const plaintext = inp.blob('Plaintext', { required: true, min: 1, max: 4096 })!;
  const context = inp.strMap('EncryptionContext');
  const algorithm = inp.enumOf('EncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  svc.checkGrantTokens(req);
  const k = svc.findKey(req, keyId);
  svc.authorizeKey(req, k, 'Encrypt', {
    grantOperation: 'Encrypt',
    context,
    keys: { 'kms:EncryptionAlgorithm': algorithm },
  });
  svc.requireEnabled(k);
  svc.requireUsage(k, 'ENCRYPT_DECRYPT', 'Encrypt');
  requireAlgorithm(k, algorithm, algorithmsOf(k).encryption);
  requireNoContext(k, context);
  svc.dryRun(req);
  const { blob, materialId } = encryptWith(svc, k, plaintext, context, algorithm);
  if (materialId) req.audit.additional = { keyMaterialId: materialId };
  return { CiphertextBlob: blob, KeyId: arnOf(k), EncryptionAlgorithm: algorithm };
};

const Decrypt: Handler = (svc, req) => {
  const inp = req.in;
  const blob = inp.blob('CiphertextBlob', { required: true, min: 1, max: 6144 })!;
  const context = inp.strMap('EncryptionContext');
  const keyId = inp.str('KeyId', { min: 1, max: 2048 });
  const algorithm = inp.enumOf('EncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  svc.checkGrantTokens(req);
  noRecipient(req);
  req.audit.params = { encryptionAlgorithm: algorithm };
  const { k, plaintext, materialId } = decryptWith(svc, req, blob, context, keyId, algorithm, 'Decrypt');
  svc.dryRun(req);
  if (materialId) req.audit.additional = { keyMaterialId: materialId };
  const out: Record<string, unknown> = { KeyId: arnOf(k), Plaintext: plaintext, EncryptionAlgorithm: algorithm };
  if (materialId) out.KeyMaterialId = materialId;
  return out;
};

const ReEncrypt: Handler = (svc, req) => {
  const inp = req.in;
  const blob = inp.blob('CiphertextBlob', { required: true, min: 1, max: 6144 })!;
  const sourceContext = inp.strMap('SourceEncryptionContext');
  const sourceKeyId = inp.str('SourceKeyId', { min: 1, max: 2048 });
  const destKeyId = inp.req('DestinationKeyId');
  const destContext = inp.strMap('DestinationEncryptionContext');
  const sourceAlg = inp.enumOf('SourceEncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  const destAlg = inp.enumOf('DestinationEncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  svc.checkGrantTokens(req);
  const source = decryptWith(svc, req, blob, sourceContext, sourceKeyId, sourceAlg, 'ReEncryptFrom');
  const dest = svc.findKey(req, destKeyId);
  svc.authorizeKey(req, dest, 'ReEncryptTo', {
    grantOperation: 'ReEncryptTo',
    context: destContext,
    keys: {
      'kms:EncryptionAlgorithm': destAlg,
      'kms:ReEncryptOnSameKey': String(dest.keyId === source.k.keyId),
    },
  });
  svc.requireEnabled(dest);
  svc.requireUsage(dest, 'ENCRYPT_DECRYPT', 'ReEncrypt');
  requireAlgorithm(dest, destAlg, algorithmsOf(dest).encryption);
  requireNoContext(dest, destContext);
  svc.dryRun(req);
  const out = encryptWith(svc, dest, source.plaintext, destContext, destAlg);
  req.audit.additional = {
    ...(source.materialId ? { sourceKeyMaterialId: source.materialId } : {}),
    ...(out.materialId ? { destinationKeyMaterialId: out.materialId } : {}),
  };
  const res: Record<string, unknown> = {
    CiphertextBlob: out.blob,
    SourceKeyId: arnOf(source.k),
    KeyId: arnOf(dest),
    SourceEncryptionAlgorithm: sourceAlg,
    DestinationEncryptionAlgorithm: destAlg,
  };
  if (source.materialId) res.SourceKeyMaterialId = source.materialId;
  if (out.materialId) res.DestinationKeyMaterialId = out.materialId;
  return res;
};

function dataKey(withPlaintext: boolean, op: string): Handler {
  return (svc, req) => {
    const inp = req.in;
    const keyId = inp.req('KeyId');
    const context = inp.strMap('EncryptionContext');
    const n = inp.int('NumberOfBytes', { min: 1, max: 1024 });
    const spec = inp.enumOf('KeySpec', DATA_KEY_SPECS);
    svc.checkGrantTokens(req);
    if (withPlaintext) noRecipient(req);
    if ((n === undefined) === !inp.has('KeySpec'))
      throw validation('Please specify either number of bytes or key spec.');
    const k = svc.findKey(req, keyId);
    svc.authorizeKey(req, k, op, { grantOperation: op, context });
    svc.requireEnabled(k);
    requireSymmetric(k, op);
    svc.dryRun(req);
    const bytes = randomBytes(n ?? (spec === 'AES_128' ? 16 : 32));
    const { blob, materialId } = encryptWith(svc, k, bytes, context, 'SYMMETRIC_DEFAULT');
    req.audit.additional = { keyMaterialId: materialId };
    const out: Record<string, unknown> = { CiphertextBlob: blob, KeyId: arnOf(k), KeyMaterialId: materialId };
    if (withPlaintext) out.Plaintext = bytes;
    return out;
  };
}

function dataKeyPair(withPlaintext: boolean, op: string): Handler {
  return async (svc, req) => {
    const inp = req.in;
    const keyId = inp.req('KeyId');
    const context = inp.strMap('EncryptionContext');
    const pairSpec = inp.enumOf('KeyPairSpec', KEY_PAIR_SPECS, true);
    svc.checkGrantTokens(req);
    if (withPlaintext) noRecipient(req);
    const k = svc.findKey(req, keyId);
    svc.authorizeKey(req, k, op, { grantOperation: op, context, keys: { 'kms:DataKeyPairSpec': pairSpec! } });
    svc.requireEnabled(k);
    requireSymmetric(k, op);
    if (SPECS[pairSpec as KeySpec].kind === 'unsupported')
      throw unsupported(`KeyPairSpec ${pairSpec} is not supported by this service.`);
    svc.dryRun(req);
    const pair = await generateAsymmetric(pairSpec as KeySpec);
    const privateDer = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    const { blob, materialId } = encryptWith(svc, k, privateDer, context, 'SYMMETRIC_DEFAULT');
    req.audit.additional = { keyMaterialId: materialId };
    const out: Record<string, unknown> = {
      PrivateKeyCiphertextBlob: blob,
      PublicKey: pair.publicKey.export({ format: 'der', type: 'spki' }),
      KeyId: arnOf(k),
      KeyPairSpec: pairSpec,
      KeyMaterialId: materialId,
    };
    if (withPlaintext) out.PrivateKeyPlaintext = privateDer;
    return out;
  };
}

const GenerateRandom: Handler = (svc, req) => {
  if (!req.in.has('NumberOfBytes')) throw validation('NumberOfBytes is required.');
  const n = req.in.int('NumberOfBytes', { min: 1, max: 1024 });
  req.in.str('CustomKeyStoreId', { min: 1, max: 64 });
  req.in.done();
  if (req.in.has('CustomKeyStoreId')) throw unsupported('Custom key stores are not supported by this service.');
  noRecipient(req);
  svc.authorizeAccount(req, 'GenerateRandom');
  return { Plaintext: randomBytes(n!) };
};

function signInputs(req: Req) {
  const inp = req.in;
  const keyId = inp.req('KeyId');
  const message = inp.blob('Message', { required: true, min: 1, max: 4096 })!;
  const messageType = inp.enumOf('MessageType', MESSAGE_TYPES) ?? 'RAW';
  const algorithm = inp.enumOf('SigningAlgorithm', SIGNING_ALGORITHMS, true)!;
  return { keyId, message, messageType, algorithm };
}

function checkSignRequest(svc: KmsService, req: Req, op: 'Sign' | 'Verify', s: ReturnType<typeof signInputs>) {
  const k = svc.findKey(req, s.keyId);
  svc.authorizeKey(req, k, op, {
    grantOperation: op,
    keys: { 'kms:SigningAlgorithm': s.algorithm, 'kms:MessageType': s.messageType },
  });
  svc.requireEnabled(k);
  svc.requireUsage(k, 'SIGN_VERIFY', op);
  requireAlgorithm(k, s.algorithm, algorithmsOf(k).signing);
  if (s.messageType === 'EXTERNAL_MU') throw validation('MessageType EXTERNAL_MU is only valid for ML-DSA keys.');
  if (s.messageType === 'DIGEST') {
    if (SPECS[k.spec].kind === 'ed25519')
      throw validation(`MessageType DIGEST is not valid for signing algorithm ${s.algorithm}.`);
    if (s.message.length !== hashOf(s.algorithm).bytes)
      throw validation(`Digest is invalid length for algorithm ${s.algorithm}.`);
  }
  return k;
}

const Sign: Handler = (svc, req) => {
  const s = signInputs(req);
  svc.checkGrantTokens(req);
  const k = checkSignRequest(svc, req, 'Sign', s);
  svc.dryRun(req);
  const Signature = signMessage(svc.material(k)!, s.algorithm, s.messageType, s.message);
  return { KeyId: arnOf(k), Signature, SigningAlgorithm: s.algorithm };
};

const Verify: Handler = (svc, req) => {
  const s = signInputs(req);
  const signature = req.in.blob('Signature', { required: true, min: 1, max: 6144 })!;
  svc.checkGrantTokens(req);
  const k = checkSignRequest(svc, req, 'Verify', s);
  svc.dryRun(req);
  if (!verifyMessage(svc.material(k)!, s.algorithm, s.messageType, s.message, signature))
    throw new KmsError('KMSInvalidSignatureException', '');
  return { KeyId: arnOf(k), SignatureValid: true, SigningAlgorithm: s.algorithm };
};

const GetPublicKey: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  svc.checkGrantTokens(req);
  const k = svc.findKey(req, keyId);
  svc.authorizeKey(req, k, 'GetPublicKey', { grantOperation: 'GetPublicKey' });
  svc.requireEnabled(k);
  const kind = SPECS[k.spec].kind;
  if (kind !== 'rsa' && kind !== 'ec' && kind !== 'ed25519')
    throw unsupported(`${arnOf(k)} key spec ${k.spec} is not an asymmetric key spec.`);
  const info = algorithmsOf(k);
  const out: Record<string, unknown> = {
    KeyId: arnOf(k),
    PublicKey: publicKeyDer(svc.material(k)!),
    CustomerMasterKeySpec: k.spec,
    KeySpec: k.spec,
    KeyUsage: k.usage,
  };
  if (info.encryption) out.EncryptionAlgorithms = info.encryption;
  if (info.signing) out.SigningAlgorithms = info.signing;
  if (info.agreement) out.KeyAgreementAlgorithms = info.agreement;
  return out;
};

function macInputs(svc: KmsService, req: Req, op: 'GenerateMac' | 'VerifyMac') {
  const inp = req.in;
  const keyId = inp.req('KeyId');
  const message = inp.blob('Message', { required: true, min: 1, max: 4096 })!;
  const algorithm = inp.enumOf('MacAlgorithm', MAC_ALGORITHMS, true)!;
  const mac = op === 'VerifyMac' ? inp.blob('Mac', { required: true, min: 1, max: 6144 }) : undefined;
  svc.checkGrantTokens(req);
  const k = svc.findKey(req, keyId);
  svc.authorizeKey(req, k, op, { grantOperation: op, keys: { 'kms:MacAlgorithm': algorithm } });
  svc.requireEnabled(k);
  svc.requireUsage(k, 'GENERATE_VERIFY_MAC', op);
  requireAlgorithm(k, algorithm, algorithmsOf(k).mac);
  svc.dryRun(req);
  return { k, message, algorithm, mac };
}

const GenerateMac: Handler = (svc, req) => {
  const { k, message, algorithm } = macInputs(svc, req, 'GenerateMac');
  return { Mac: hmac(svc.material(k)!, algorithm, message), MacAlgorithm: algorithm, KeyId: arnOf(k) };
};

const VerifyMac: Handler = (svc, req) => {
  const { k, message, algorithm, mac } = macInputs(svc, req, 'VerifyMac');
  const expected = hmac(svc.material(k)!, algorithm, message);
  // Constant-time comparison; a length mismatch is simply invalid.
  const valid = expected.length === mac!.length && timingSafeEqual(expected, mac!);
  if (!valid) throw new KmsError('KMSInvalidMacException', '');
  return { KeyId: arnOf(k), MacValid: true, MacAlgorithm: algorithm };
};

const DeriveSharedSecret: Handler = (svc, req) => {
  const inp = req.in;
  const keyId = inp.req('KeyId');
  inp.enumOf('KeyAgreementAlgorithm', ['ECDH'] as const, true);
  const publicKey = inp.blob('PublicKey', { required: true, min: 1, max: 8192 })!;
  svc.checkGrantTokens(req);
  noRecipient(req);
  const k = svc.findKey(req, keyId);
  svc.authorizeKey(req, k, 'DeriveSharedSecret', {
    grantOperation: 'DeriveSharedSecret',
    keys: { 'kms:KeyAgreementAlgorithm': 'ECDH' },
  });
  svc.requireEnabled(k);
  svc.requireUsage(k, 'KEY_AGREEMENT', 'DeriveSharedSecret');
  svc.dryRun(req);
  const secret = deriveSharedSecret(svc.material(k)!, publicKey);
  if (!secret) throw validation('');
  return { KeyId: arnOf(k), SharedSecret: secret, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: k.origin };
};

export const cryptoOperations: Record<string, Handler> = {
  Encrypt,
  Decrypt,
  ReEncrypt,
  GenerateDataKey: dataKey(true, 'GenerateDataKey'),
  GenerateDataKeyWithoutPlaintext: dataKey(false, 'GenerateDataKeyWithoutPlaintext'),
  GenerateDataKeyPair: dataKeyPair(true, 'GenerateDataKeyPair'),
  GenerateDataKeyPairWithoutPlaintext: dataKeyPair(false, 'GenerateDataKeyPairWithoutPlaintext'),
  GenerateRandom,
  Sign,
  Verify,
  GetPublicKey,
  GenerateMac,
  VerifyMac,
  DeriveSharedSecret,
};
