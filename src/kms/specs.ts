/** Key specs, usages and algorithms (kms.md §4.1–4.3) as data, so validation and DescribeKey read one table. */

export const KEY_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

export const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;
export const SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'SM2DSA',
  'ML_DSA_SHAKE_256',
  'ED25519_SHA_512',
  'ED25519_PH_SHA_512',
] as const;
export const MAC_ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const;
export const KEY_PAIR_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'SM2',
] as const;
export const DATA_KEY_SPECS = ['AES_256', 'AES_128'] as const;
export const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
export const MESSAGE_TYPES = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const;
export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
] as const;
export const WRAPPING_ALGORITHMS = [
  'RSAES_PKCS1_V1_5',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
  'SM2PKE',
] as const;
export const WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] as const;

export type KeyKind = 'aes' | 'rsa' | 'ec' | 'ed25519' | 'hmac' | 'unsupported';

export interface SpecInfo {
  kind: KeyKind;
  /** RSA modulus bits. */
  bits?: number;
  /** Node's curve name for EC keys. */
  curve?: string;
  /** HMAC key length in bytes. */
  hmacBytes?: number;
  usages: Partial<
    Record<KeyUsage, { encryption?: string[]; signing?: string[]; mac?: string[]; agreement?: string[] }>
  >;
}

const RSA_USAGES = {
  ENCRYPT_DECRYPT: { encryption: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] },
  SIGN_VERIFY: {
    signing: [
      'RSASSA_PKCS1_V1_5_SHA_256',
      'RSASSA_PKCS1_V1_5_SHA_384',
      'RSASSA_PKCS1_V1_5_SHA_512',
      'RSASSA_PSS_SHA_256',
      'RSASSA_PSS_SHA_384',
      'RSASSA_PSS_SHA_512',
    ],
  },
};
const ecdh = { agreement: ['ECDH'] };

export const SPECS: Record<KeySpec, SpecInfo> = {
  SYMMETRIC_DEFAULT: { kind: 'aes', usages: { ENCRYPT_DECRYPT: { encryption: ['SYMMETRIC_DEFAULT'] } } },
  RSA_2048: { kind: 'rsa', bits: 2048, usages: RSA_USAGES },
  RSA_3072: { kind: 'rsa', bits: 3072, usages: RSA_USAGES },
  RSA_4096: { kind: 'rsa', bits: 4096, usages: RSA_USAGES },
  ECC_NIST_P256: {
    kind: 'ec',
    curve: 'prime256v1',
    usages: { SIGN_VERIFY: { signing: ['ECDSA_SHA_256'] }, KEY_AGREEMENT: ecdh },
  },
  ECC_NIST_P384: {
    kind: 'ec',
    curve: 'secp384r1',
    usages: { SIGN_VERIFY: { signing: ['ECDSA_SHA_384'] }, KEY_AGREEMENT: ecdh },
  },
  ECC_NIST_P521: {
    kind: 'ec',
    curve: 'secp521r1',
    usages: { SIGN_VERIFY: { signing: ['ECDSA_SHA_512'] }, KEY_AGREEMENT: ecdh },
  },
  ECC_SECG_P256K1: { kind: 'ec', curve: 'secp256k1', usages: { SIGN_VERIFY: { signing: ['ECDSA_SHA_256'] } } },
  // ED25519_PH_SHA_512 (pre-hashed Ed25519ph) is not in Node's crypto, so only pure Ed25519 is offered.
  ECC_NIST_EDWARDS25519: { kind: 'ed25519', usages: { SIGN_VERIFY: { signing: ['ED25519_SHA_512'] } } },
  HMAC_224: { kind: 'hmac', hmacBytes: 28, usages: { GENERATE_VERIFY_MAC: { mac: ['HMAC_SHA_224'] } } },
  HMAC_256: { kind: 'hmac', hmacBytes: 32, usages: { GENERATE_VERIFY_MAC: { mac: ['HMAC_SHA_256'] } } },
  HMAC_384: { kind: 'hmac', hmacBytes: 48, usages: { GENERATE_VERIFY_MAC: { mac: ['HMAC_SHA_384'] } } },
  HMAC_512: { kind: 'hmac', hmacBytes: 64, usages: { GENERATE_VERIFY_MAC: { mac: ['HMAC_SHA_512'] } } },
  SM2: { kind: 'unsupported', usages: {} },
  ML_DSA_44: { kind: 'unsupported', usages: {} },
  ML_DSA_65: { kind: 'unsupported', usages: {} },
  ML_DSA_87: { kind: 'unsupported', usages: {} },
};

/** Largest RSA-OAEP plaintext: modulus bytes − 2·hash bytes − 2 (RFC 8017 §7.1.1). */
export function rsaOaepMax(bits: number, algorithm: string): number {
  const hashLen = algorithm === 'RSAES_OAEP_SHA_1' ? 20 : 32;
  return bits / 8 - 2 * hashLen - 2;
}

/** Node digest name and length for a signing/MAC algorithm. */
export function hashOf(algorithm: string): { name: 'sha224' | 'sha256' | 'sha384' | 'sha512'; bytes: number } {
  if (algorithm.endsWith('224')) return { name: 'sha224', bytes: 28 };
  if (algorithm.endsWith('384')) return { name: 'sha384', bytes: 48 };
  if (algorithm.endsWith('512')) return { name: 'sha512', bytes: 64 };
  return { name: 'sha256', bytes: 32 };
}
