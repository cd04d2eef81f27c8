import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPair,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';
import { type BlobParts, blobHeader, canonicalContext, type EncryptionContext, NONCE_BYTES } from './blob.js';
import { b64urlToBig, signDigest, verifyDigest } from './ecdsa.js';
import { pkcs1SignDigest, pkcs1VerifyDigest, pssSignDigest, pssVerifyDigest } from './rsa-digest.js';
import { hashOf, type KeySpec, SPECS } from './specs.js';

/** Cryptographic core: key material generation and every operation KMS performs with it (Node's crypto only). */

const generateKeyPairAsync = promisify(generateKeyPair);

/** Key material in usable form: raw bytes for AES/HMAC, key objects for asymmetric keys. */
export interface Material {
  id: string;
  spec: KeySpec;
  raw?: Buffer;
  privateKey?: KeyObject;
  publicKey?: KeyObject;
  /** EC scalar and point, computed on first DIGEST signature. */
  ec?: { d: bigint; qx: bigint; qy: bigint };
}

/** New key material: 32 random bytes (AES-256), HMAC key bytes, or a PKCS#8 DER private key. */
export async function generateMaterialBytes(spec: KeySpec): Promise<Buffer> {
  const info = SPECS[spec];
  switch (info.kind) {
    case 'aes':
      return randomBytes(32);
    case 'hmac':
      return randomBytes(info.hmacBytes!);
    default: {
      const { privateKey } = await generateAsymmetric(spec);
      return privateKey.export({ format: 'der', type: 'pkcs8' });
    }
  }
}

export async function generateAsymmetric(spec: KeySpec): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  const info = SPECS[spec];
  if (info.kind === 'rsa') return generateKeyPairAsync('rsa', { modulusLength: info.bits! });
  if (info.kind === 'ec') return generateKeyPairAsync('ec', { namedCurve: info.curve! });
  if (info.kind === 'ed25519') return generateKeyPairAsync('ed25519');
  throw new Error(`no asymmetric generator for ${spec}`);
}

export function loadMaterial(id: string, spec: KeySpec, bytes: Buffer): Material {
  const kind = SPECS[spec].kind;
  if (kind === 'aes' || kind === 'hmac') return { id, spec, raw: bytes };
  const privateKey = createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
  return { id, spec, privateKey, publicKey: createPublicKey(privateKey) };
}

/** Check that PKCS#8 private key bytes fit a key spec (imported asymmetric material). */
export function asymmetricMatches(spec: KeySpec, key: KeyObject): boolean {
  const info = SPECS[spec];
  const d = key.asymmetricKeyDetails;
  if (info.kind === 'rsa') return key.asymmetricKeyType === 'rsa' && d?.modulusLength === info.bits;
  if (info.kind === 'ec') return key.asymmetricKeyType === 'ec' && d?.namedCurve === info.curve;
  if (info.kind === 'ed25519') return key.asymmetricKeyType === 'ed25519';
  return false;
}

export function publicKeyDer(m: Material): Buffer {
  return m.publicKey!.export({ format: 'der', type: 'spki' });
}

// --- symmetric -------------------------------------------------------------------------------------------------

/** Random nonces from a refilled CSPRNG pool: one getrandom call per 341 encryptions instead of one each. */
const pool = { bytes: Buffer.alloc(0), offset: 0 };
function nonce(): Buffer {
  if (pool.offset + NONCE_BYTES > pool.bytes.length) {
    pool.bytes = randomBytes(4092);
    pool.offset = 0;
  }
  const n = pool.bytes.subarray(pool.offset, pool.offset + NONCE_BYTES);
  pool.offset += NONCE_BYTES;
  return n;
}

export function symmetricEncrypt(
  m: Material,
  keyId: string,
  plaintext: Buffer,
  context: EncryptionContext | undefined,
): Buffer {
  const header = blobHeader(keyId, m.id);
  const iv = nonce();
  const cipher = createCipheriv('aes-256-gcm', m.raw!, iv);
  cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return Buffer.concat([header, iv, body, final, cipher.getAuthTag()]);
}

/** Undefined when authentication fails (wrong context, tampering): the caller answers InvalidCiphertextException. */
export function symmetricDecrypt(
  m: Material,
  parts: BlobParts,
  context: EncryptionContext | undefined,
): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', m.raw!, parts.nonce);
    decipher.setAAD(Buffer.concat([parts.header, canonicalContext(context)]));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

// --- RSA encryption --------------------------------------------------------------------------------------------

const oaepHash = (algorithm: string) => (algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256');

export function rsaEncrypt(publicKey: KeyObject, algorithm: string, plaintext: Buffer): Buffer {
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) },
    plaintext,
  );
}

export function rsaDecrypt(privateKey: KeyObject, algorithm: string, ciphertext: Buffer): Buffer | undefined {
  try {
    return privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) },
      ciphertext,
    );
  } catch {
    return undefined;
  }
}

// --- signatures ------------------------------------------------------------------------------------------------

function ecPoint(m: Material): { d: bigint; qx: bigint; qy: bigint } {
  if (!m.ec) {
    const jwk = m.privateKey!.export({ format: 'jwk' });
    m.ec = { d: b64urlToBig(jwk.d!), qx: b64urlToBig(jwk.x!), qy: b64urlToBig(jwk.y!) };
  }
  return m.ec;
}

function rsaOptions(key: KeyObject, algorithm: string) {
  return algorithm.startsWith('RSASSA_PSS')
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hashOf(algorithm).bytes }
    : { key, padding: constants.RSA_PKCS1_PADDING };
}

/** Sign a RAW message or a DIGEST (already hashed with the algorithm's hash). DER-encoded ECDSA, as KMS returns. */
export function signMessage(m: Material, algorithm: string, messageType: string, message: Buffer): Buffer {
  const kind = SPECS[m.spec].kind;
  if (kind === 'ed25519') return nodeSign(null, message, m.privateKey!);
  const hash = hashOf(algorithm).name as 'sha256' | 'sha384' | 'sha512';
  if (messageType === 'RAW') {
    return kind === 'rsa'
      ? nodeSign(hash, message, rsaOptions(m.privateKey!, algorithm))
      : nodeSign(hash, message, { key: m.privateKey!, dsaEncoding: 'der' });
  }
  if (kind === 'ec') return signDigest(SPECS[m.spec].curve!, ecPoint(m).d, message);
  return algorithm.startsWith('RSASSA_PSS')
    ? pssSignDigest(m.privateKey!, hash, message)
    : pkcs1SignDigest(m.privateKey!, hash, message);
}

export function verifyMessage(
  m: Material,
  algorithm: string,
  messageType: string,
  message: Buffer,
  signature: Buffer,
): boolean {
  const kind = SPECS[m.spec].kind;
  try {
    if (kind === 'ed25519') return nodeVerify(null, message, m.publicKey!, signature);
    const hash = hashOf(algorithm).name as 'sha256' | 'sha384' | 'sha512';
    if (messageType === 'RAW') {
      return kind === 'rsa'
        ? nodeVerify(hash, message, rsaOptions(m.publicKey!, algorithm), signature)
        : nodeVerify(hash, message, { key: m.publicKey!, dsaEncoding: 'der' }, signature);
    }
    if (kind === 'ec') {
      const { qx, qy } = ecPoint(m);
      return verifyDigest(SPECS[m.spec].curve!, qx, qy, message, signature);
    }
    return algorithm.startsWith('RSASSA_PSS')
      ? pssVerifyDigest(m.publicKey!, hash, message, signature)
      : pkcs1VerifyDigest(m.publicKey!, hash, message, signature);
  } catch {
    return false;
  }
}

// --- MAC and key agreement -------------------------------------------------------------------------------------

export function hmac(m: Material, algorithm: string, message: Buffer): Buffer {
  return createHmac(hashOf(algorithm).name, m.raw!).update(message).digest();
}

/** ECDH with a peer's SPKI DER public key; undefined when the key is unreadable or on another curve. */
export function deriveSharedSecret(m: Material, peerSpki: Buffer): Buffer | undefined {
  try {
    const publicKey = createPublicKey({ key: peerSpki, format: 'der', type: 'spki' });
    if (publicKey.asymmetricKeyDetails?.namedCurve !== SPECS[m.spec].curve) return undefined;
    return diffieHellman({ privateKey: m.privateKey!, publicKey });
  } catch {
    return undefined;
  }
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
