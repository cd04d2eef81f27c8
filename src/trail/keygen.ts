/**
 * Vigil's trail signing keys: RSA key pairs whose public half is published in ListPublicKeys format, so both
 * `vigil trail validate` and the AWS CLI (through Vigil's CloudTrail endpoint) can verify Vigil-signed digests.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describeError, VigilError } from '../core/errors.js';
import { fingerprintOf, type PublicKeyEntry } from './keys.js';

export interface SigningKey {
  privateKey: KeyObject;
  /** DER PKCS#1 RSAPublicKey. */
  publicDer: Buffer;
  fingerprint: string;
}

export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new VigilError(`trail signing keys must be RSA, got ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  }
  const publicDer = createPublicKey(privateKey).export({ format: 'der', type: 'pkcs1' });
  return { privateKey, publicDer, fingerprint: fingerprintOf(publicDer) };
}

/** A new RSA key (2048 bits like CloudTrail's, or more) and its PKCS#8 PEM text. */
export function generateSigningKey(bits = 2048): { key: SigningKey; privatePem: string } {
  if (!Number.isInteger(bits) || bits < 2048 || bits > 8192)
    throw new VigilError(`--bits must be 2048..8192, got ${bits}`);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { key: signingKeyFrom(privateKey), privatePem };
}

export function parseSigningKey(pem: string, file: string): SigningKey {
  let k: KeyObject;
  try {
    k = createPrivateKey(pem);
  } catch (err) {
    throw new VigilError(`${file}: not a PEM private key (${describeError(err)})`);
  }
  return signingKeyFrom(k);
}

export async function loadSigningKey(file: string): Promise<SigningKey> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    throw new VigilError(`cannot read signing key ${file}: ${describeError(err)}`);
  }
  return parseSigningKey(pem, file);
}

/** The public half as a ListPublicKeys entry valid over [start, end]. */
export function publicKeyEntry(key: SigningKey, validityStart: number, validityEnd: number): PublicKeyEntry {
  if (!(validityEnd > validityStart)) throw new VigilError('key validity must end after it starts');
  return { fingerprint: key.fingerprint, der: key.publicDer, validityStart, validityEnd };
}
