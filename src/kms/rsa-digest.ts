import {
  constants,
  createHash,
  type KeyObject,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/**
 * RSA signatures over a caller-supplied digest (MessageType DIGEST). Node signs only messages it hashes itself, so
 * the encodings are built here (RFC 8017 EMSA-PKCS1-v1_5 and EMSA-PSS, salt length = digest length as KMS uses)
 * and applied with the raw RSA primitive. Tests check both against Node's verifier on the original message.
 */

type Hash = 'sha256' | 'sha384' | 'sha512';

const DIGEST_INFO: Record<Hash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

export function pkcs1SignDigest(key: KeyObject, hash: Hash, digest: Buffer): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[hash], digest]));
}

export function pkcs1VerifyDigest(key: KeyObject, hash: Hash, digest: Buffer, signature: Buffer): boolean {
  let decoded: Buffer;
  try {
    decoded = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  const expected = Buffer.concat([DIGEST_INFO[hash], digest]);
  return decoded.length === expected.length && timingSafeEqual(decoded, expected);
}

function mgf1(hash: Hash, seed: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  let filled = 0;
  for (let counter = 0; filled < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(hash).update(seed).update(c).digest();
    filled += block.copy(out, filled);
  }
  return out;
}

function modulusBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

export function pssSignDigest(key: KeyObject, hash: Hash, digest: Buffer): Buffer {
  const hLen = digest.length;
  const emBits = modulusBits(key) - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const H = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - 2 * hLen - 2] = 0x01;
  salt.copy(db, emLen - 2 * hLen - 1);
  const mask = mgf1(hash, H, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([db, H, Buffer.from([0xbc])]);
  // A modulus whose bit length is a multiple of 8 gives emLen = k − 1 … never for KMS sizes, but pad to k anyway.
  const k = Math.ceil(modulusBits(key) / 8);
  const block = em.length < k ? Buffer.concat([Buffer.alloc(k - em.length), em]) : em;
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, block);
}

export function pssVerifyDigest(key: KeyObject, hash: Hash, digest: Buffer, signature: Buffer): boolean {
  const hLen = digest.length;
  const emBits = modulusBits(key) - 1;
  const emLen = Math.ceil(emBits / 8);
  let block: Buffer;
  try {
    block = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  const em = block.subarray(block.length - emLen);
  if (block.length > emLen && block.subarray(0, block.length - emLen).some((b) => b !== 0)) return false;
  if (emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const H = em.subarray(emLen - hLen - 1, emLen - 1);
  if ((maskedDb[0]! & ~(0xff >> (8 * emLen - emBits))) !== 0) return false;
  const db = mgf1(hash, H, maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= maskedDb[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const psEnd = emLen - 2 * hLen - 2;
  for (let i = 0; i < psEnd; i++) if (db[i] !== 0) return false;
  if (db[psEnd] !== 0x01) return false;
  const salt = db.subarray(db.length - hLen);
  const H2 = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  return timingSafeEqual(H, H2);
}
