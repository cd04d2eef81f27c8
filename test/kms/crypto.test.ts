import { constants, createECDH, createHash, generateKeyPairSync, verify as nodeVerify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalContext, parseBlob } from '../../src/kms/blob.js';
import {
  generateMaterialBytes,
  loadMaterial,
  signMessage,
  symmetricDecrypt,
  symmetricEncrypt,
  verifyMessage,
} from '../../src/kms/crypto.js';
import { CURVES, derSignature, multiplyBase, parseDerSignature } from '../../src/kms/ecdsa.js';
import { pssSignDigest, pssVerifyDigest } from '../../src/kms/rsa-digest.js';
import { rsaOaepMax } from '../../src/kms/specs.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MATERIAL = 'a'.repeat(64);

describe('symmetric blob (AES-256-GCM, self-describing)', () => {
  const m = loadMaterial(MATERIAL, 'SYMMETRIC_DEFAULT', Buffer.alloc(32, 7));

  it('embeds key ID and material ID and round-trips with the same context in any order', () => {
    const blob = symmetricEncrypt(m, KEY_ID, Buffer.from('secret'), { b: '2', a: '1' });
    const parts = parseBlob(blob)!;
    expect(parts.keyId).toBe(KEY_ID);
    expect(parts.materialId).toBe(MATERIAL);
    expect(blob.length).toBe(3 + 36 + 32 + 12 + 6 + 16);
    expect(symmetricDecrypt(m, parts, { a: '1', b: '2' })?.toString()).toBe('secret');
  });

  it('fails authentication for a different, missing or case-changed context and for any flipped bit', () => {
    const blob = symmetricEncrypt(m, KEY_ID, Buffer.from('secret'), { purpose: 'backup' });
    const parts = parseBlob(blob)!;
    expect(symmetricDecrypt(m, parts, undefined)).toBeUndefined();
    expect(symmetricDecrypt(m, parts, { purpose: 'Backup' })).toBeUndefined();
    expect(symmetricDecrypt(m, parts, { Purpose: 'backup' })).toBeUndefined();
    expect(symmetricDecrypt(m, parts, { purpose: 'backup', extra: '' })).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: blob.length * 8 - 1 }), (bit) => {
        const copy = Buffer.from(blob);
        copy[bit >> 3]! ^= 1 << (bit & 7);
        const p = parseBlob(copy);
        return p === undefined || p.keyId !== KEY_ID || symmetricDecrypt(m, p, { purpose: 'backup' }) === undefined;
      }),
    );
  });

  it('treats an empty context like no context, and rejects non-blobs', () => {
    const blob = symmetricEncrypt(m, KEY_ID, Buffer.from('x'), {});
    expect(symmetricDecrypt(m, parseBlob(blob)!, undefined)?.toString()).toBe('x');
    expect(canonicalContext({})).toEqual(canonicalContext(undefined));
    expect(parseBlob(Buffer.from('not a blob'))).toBeUndefined();
    expect(parseBlob(Buffer.alloc(0))).toBeUndefined();
  });

  it('canonical context is injective for tricky keys (no separator ambiguity)', () => {
    expect(canonicalContext({ ab: 'c' })).not.toEqual(canonicalContext({ a: 'bc' }));
    expect(canonicalContext({ a: 'b', c: 'd' })).not.toEqual(canonicalContext({ a: 'bcd' }));
  });
});

describe('ECDSA over digests (BigInt curves)', () => {
  for (const [name, curve] of Object.entries(CURVES)) {
    it(`${name}: G matches Node (k = 1 and k = 12345) and n·G is the point at infinity`, () => {
      const ecdh = createECDH(name);
      for (const k of [1n, 12345n]) {
        ecdh.setPrivateKey(Buffer.from(k.toString(16).padStart(curve.bytes * 2, '0'), 'hex'));
        const pub = ecdh.getPublicKey();
        const x = BigInt(`0x${pub.subarray(1, 1 + curve.bytes).toString('hex')}`);
        const y = BigInt(`0x${pub.subarray(1 + curve.bytes).toString('hex')}`);
        expect(multiplyBase(name, k)).toEqual({ x, y });
      }
      expect(multiplyBase(name, curve.n)).toBeUndefined();
    });
  }

  const cases = [
    ['ECC_NIST_P256', 'ECDSA_SHA_256', 'sha256'],
    ['ECC_NIST_P384', 'ECDSA_SHA_384', 'sha384'],
    ['ECC_NIST_P521', 'ECDSA_SHA_512', 'sha512'],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'sha256'],
  ] as const;
  for (const [spec, alg, hash] of cases) {
    it(`${spec}: a DIGEST signature verifies with Node on the RAW message, and Node's RAW signature verifies as DIGEST`, async () => {
      const m = loadMaterial('m', spec, await generateMaterialBytes(spec));
      const message = Buffer.from('the message to sign');
      const digest = createHash(hash).update(message).digest();
      const sig = signMessage(m, alg, 'DIGEST', digest);
      expect(nodeVerify(hash, message, { key: m.publicKey!, dsaEncoding: 'der' }, sig)).toBe(true);
      expect(verifyMessage(m, alg, 'DIGEST', digest, sig)).toBe(true);
      const raw = signMessage(m, alg, 'RAW', message);
      expect(verifyMessage(m, alg, 'DIGEST', digest, raw)).toBe(true);
      const other = createHash(hash).update('other').digest();
      expect(verifyMessage(m, alg, 'DIGEST', other, sig)).toBe(false);
    });
  }

  it('DER signature encoding round-trips, including high-bit integers, and rejects trailing bytes', () => {
    const r = (1n << 255n) + 5n;
    const der = derSignature(r, 7n);
    expect(parseDerSignature(der)).toEqual([r, 7n]);
    expect(parseDerSignature(Buffer.concat([der, Buffer.from([0])]))).toBeUndefined();
    expect(parseDerSignature(Buffer.from([0x30, 0x02, 0x02, 0x00]))).toBeUndefined();
  });
});

describe('RSA signatures over digests', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const m = loadMaterial('m', 'RSA_2048', privateKey.export({ format: 'der', type: 'pkcs8' }));
  for (const [alg, hash] of [
    ['RSASSA_PSS_SHA_256', 'sha256'],
    ['RSASSA_PSS_SHA_512', 'sha512'],
    ['RSASSA_PKCS1_V1_5_SHA_256', 'sha256'],
    ['RSASSA_PKCS1_V1_5_SHA_384', 'sha384'],
  ] as const) {
    it(`${alg}: DIGEST signatures verify with Node on the message, Node's verify as DIGEST`, () => {
      const message = Buffer.from('payload');
      const digest = createHash(hash).update(message).digest();
      const sig = signMessage(m, alg, 'DIGEST', digest);
      const pss = alg.includes('PSS');
      const opts = pss
        ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digest.length }
        : { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
      expect(nodeVerify(hash, message, opts, sig)).toBe(true);
      expect(verifyMessage(m, alg, 'DIGEST', digest, signMessage(m, alg, 'RAW', message))).toBe(true);
      const tampered = Buffer.from(sig);
      tampered[10]! ^= 1;
      expect(verifyMessage(m, alg, 'DIGEST', digest, tampered)).toBe(false);
    });
  }

  it('PSS verification rejects a signature over another digest', () => {
    const d1 = createHash('sha256').update('a').digest();
    const d2 = createHash('sha256').update('b').digest();
    expect(pssVerifyDigest(publicKey, 'sha256', d2, pssSignDigest(privateKey, 'sha256', d1))).toBe(false);
  });

  it('RSA-OAEP plaintext limits are the ones AWS enforces', () => {
    expect([2048, 3072, 4096].map((b) => rsaOaepMax(b, 'RSAES_OAEP_SHA_1'))).toEqual([214, 342, 470]);
    expect([2048, 3072, 4096].map((b) => rsaOaepMax(b, 'RSAES_OAEP_SHA_256'))).toEqual([190, 318, 446]);
  });
});
