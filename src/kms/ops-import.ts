import { constants, createDecipheriv, createPrivateKey, privateDecrypt, randomBytes } from 'node:crypto';
import { asymmetricMatches, generateAsymmetric } from './crypto.js';
import { invalidCiphertext, invalidState, KmsError, unsupported, validation } from './errors.js';
import { arnOf, type KeyRecord, secs } from './model.js';
import type { Handler, KmsService, Req } from './service.js';
import { type KeySpec, SPECS, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from './specs.js';

/**
 * Imported key material (kms.md §8): GetParametersForImport issues an RSA wrapping key and a 24-hour import token;
 * ImportKeyMaterial unwraps (RSAES-OAEP, or RSA-OAEP + AES key wrap with padding for RSA_AES_KEY_WRAP_*), checks the
 * material fits the key spec and that a re-import brings the same bytes, and enables the key. The material ID of
 * imported material is derived from the material itself, so re-importing after deletion or expiry makes the old
 * ciphertexts decryptable again.
 */

const DAY = 86_400_000;

function externalKey(svc: KmsService, req: Req, action: string): KeyRecord {
  const keyId = req.in.req('KeyId');
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, action);
  if (k.origin !== 'EXTERNAL')
    throw unsupported(`${arnOf(k)} origin is ${k.origin} which is not valid for this operation.`);
  return k;
}

const GetParametersForImport: Handler = async (svc, req) => {
  const algorithm = req.in.enumOf('WrappingAlgorithm', WRAPPING_ALGORITHMS, true);
  const spec = req.in.enumOf('WrappingKeySpec', WRAPPING_KEY_SPECS, true);
  req.in.done();
  const k = externalKey(svc, req, 'GetParametersForImport');
  svc.requireNotPendingDeletion(k);
  if (spec === 'SM2' || algorithm === 'SM2PKE') throw unsupported('SM2 wrapping is only available in China Regions.');
  // Node 20 refuses PKCS#1 v1.5 decryption (Marvin attack), and AWS has deprecated this wrapping algorithm.
  if (algorithm === 'RSAES_PKCS1_V1_5') throw unsupported('The RSAES_PKCS1_V1_5 wrapping algorithm is not supported.');
  const pair = await generateAsymmetric(spec as KeySpec);
  const token = randomBytes(64);
  const validTo = svc.now() + DAY;
  svc.store.putImportToken(
    {
      tokenId: token.toString('hex'),
      keyId: k.keyId,
      region: k.region,
      wrappingAlgorithm: algorithm!,
      wrappingKeySpec: spec!,
      validTo,
    },
    pair.privateKey.export({ format: 'der', type: 'pkcs8' }),
  );
  svc.store.deleteExpiredImportTokens(svc.now() - DAY);
  return {
    KeyId: arnOf(k),
    ImportToken: token,
    PublicKey: pair.publicKey.export({ format: 'der', type: 'spki' }),
    ParametersValidTo: secs(validTo),
  };
};

function unwrap(algorithm: string, wrappingKeyDer: Buffer, wrapped: Buffer): Buffer | undefined {
  const key = createPrivateKey({ key: wrappingKeyDer, format: 'der', type: 'pkcs8' });
  const hash = algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
  try {
    if (algorithm.startsWith('RSAES_OAEP')) {
      return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, wrapped);
    }
    const k = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
    const aesKey = privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
      wrapped.subarray(0, k),
    );
    const cipher = `id-aes${aesKey.length * 8}-wrap-pad`;
    const decipher = createDecipheriv(cipher, aesKey, Buffer.from('a65959a6', 'hex'));
    return Buffer.concat([decipher.update(wrapped.subarray(k)), decipher.final()]);
  } catch {
    return undefined;
  }
}

function materialFits(spec: KeySpec, material: Buffer): boolean {
  const info = SPECS[spec];
  if (info.kind === 'aes') return material.length === 32;
  if (info.kind === 'hmac')
    return material.length >= info.hmacBytes! && material.length <= (info.hmacBytes! > 32 ? 128 : 64);
  try {
    return asymmetricMatches(spec, createPrivateKey({ key: material, format: 'der', type: 'pkcs8' }));
  } catch {
    return false;
  }
}

const ImportKeyMaterial: Handler = (svc, req) => {
  const inp = req.in;
  const tokenBytes = inp.blob('ImportToken', { required: true, min: 1, max: 6144 })!;
  const wrapped = inp.blob('EncryptedKeyMaterial', { required: true, min: 1, max: 6144 })!;
  const validTo = inp.time('ValidTo');
  const model =
    inp.enumOf('ExpirationModel', ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const) ??
    'KEY_MATERIAL_EXPIRES';
  const importType = inp.enumOf('ImportType', ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] as const);
  inp.done();
  const k = externalKey(svc, req, 'ImportKeyMaterial');
  svc.requireNotPendingDeletion(k);
  if (importType === 'NEW_KEY_MATERIAL' && k.importedFingerprint)
    throw unsupported('Importing new key material for on-demand rotation (NEW_KEY_MATERIAL) is not supported.');
  if (model === 'KEY_MATERIAL_EXPIRES' && validTo === undefined)
    throw validation('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
  if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && validTo !== undefined)
    throw validation('A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE');
  const now = svc.now();
  if (validTo !== undefined && (validTo <= now || validTo > now + 365 * DAY))
    throw validation('ValidTo must be in the future and at most 365 days from now.');
  const found = svc.store.getImportToken(tokenBytes.toString('hex'));
  if (!found || found.token.keyId !== k.keyId || found.token.region !== k.region)
    throw new KmsError('InvalidImportTokenException', 'The import token is not valid for this KMS key.');
  if (found.token.validTo <= now) throw new KmsError('ExpiredImportTokenException', 'The import token has expired.');
  const material = unwrap(found.token.wrappingAlgorithm, found.privateKey, wrapped);
  if (!material) throw invalidCiphertext();
  if (!materialFits(k.spec, material))
    throw new KmsError('IncorrectKeyMaterialException', `The key material is not valid for key spec ${k.spec}.`);
  const fingerprint = svc.sealer.fingerprint(Buffer.concat([Buffer.from(`${k.keyId}/`), material]));
  if (k.importedFingerprint && k.importedFingerprint !== fingerprint)
    throw new KmsError(
      'IncorrectKeyMaterialException',
      'The key material is not the same as the key material previously imported into this KMS key.',
    );
  svc.store.transaction(() => {
    if (!svc.material(k, fingerprint)) svc.addMaterial(k, material, fingerprint);
    k.currentMaterialId = fingerprint;
    k.importedFingerprint = fingerprint;
    k.expirationModel = model;
    k.validTo = validTo;
    if (k.state === 'PendingImport') k.state = 'Enabled';
    svc.saveKey(k);
  });
  req.audit.additional = { keyMaterialId: fingerprint };
  return { KeyId: arnOf(k), KeyMaterialId: fingerprint };
};

const DeleteImportedKeyMaterial: Handler = (svc, req) => {
  req.in.str('KeyMaterialId', { min: 64, max: 64 });
  req.in.done();
  const k = externalKey(svc, req, 'DeleteImportedKeyMaterial');
  if (k.state === 'PendingImport') throw invalidState(`${arnOf(k)} is pending import.`);
  const materialId = k.currentMaterialId;
  svc.expireImportedMaterial(k);
  return { KeyId: arnOf(k), KeyMaterialId: materialId };
};

export const importOperations: Record<string, Handler> = {
  GetParametersForImport,
  ImportKeyMaterial,
  DeleteImportedKeyMaterial,
};
