/**
 * Digest files: parsing and the checks the AWS CLI applies to each one, the string to sign, and building digest
 * JSON for Vigil's own trails.
 */
import { createHash, verify } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

/** A digest file's JSON (CloudTrail digest file structure). */
export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: string;
  newestEventTime: string | null;
  oldestEventTime: string | null;
}

export interface DigestJson {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  newestEventTime: string | null;
  oldestEventTime: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

/** Keys that must be present (values may be null) before anything else is checked, as in the CLI. */
export const REQUIRED_DIGEST_KEYS = [
  'digestPublicKeyFingerprint',
  'digestS3Bucket',
  'digestS3Object',
  'previousDigestSignature',
  'digestEndTime',
  'digestStartTime',
] as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export type ParsedDigest =
  | { ok: true; data: Record<string, unknown>; inflated: Buffer }
  | { ok: false; detail: string };

/** Gunzip and JSON-parse a digest body; failure means `invalid format`. */
export function parseDigestBody(body: Buffer): ParsedDigest {
  let inflated: Buffer;
  try {
    inflated = gunzipSync(body);
  } catch (err) {
    return { ok: false, detail: `not gzip: ${(err as Error).message}` };
  }
  let data: unknown;
  try {
    data = JSON.parse(utf8.decode(inflated));
  } catch (err) {
    return { ok: false, detail: `not JSON: ${(err as Error).message}` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, detail: 'digest JSON is not an object' };
  }
  return { ok: true, data: data as Record<string, unknown>, inflated };
}

/** The first required key that is absent, or undefined. */
export function missingRequiredKey(data: Record<string, unknown>): string | undefined {
  return REQUIRED_DIGEST_KEYS.find((k) => !(k in data));
}

/** Python's str() of a JSON value, because the CLI formats the string to sign with an f-string. */
function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The four-line string CloudTrail signs: end time as written, `bucket/object`, SHA-256 hex of the decompressed
 * digest, and the previous signature (the literal `null` at a chain start).
 */
export function stringToSign(data: Record<string, unknown>, inflatedHashHex: string): string {
  const prev = data.previousDigestSignature;
  return `${pyStr(data.digestEndTime)}\n${pyStr(data.digestS3Bucket)}/${pyStr(data.digestS3Object)}\n${inflatedHashHex}\n${
    prev === null ? 'null' : pyStr(prev)
  }`;
}

/**
 * Why a hex signature cannot even be decoded, with the message Python's binascii gives (the CLI reports it
 * verbatim), or undefined when it is hex.
 */
export function hexProblem(sig: string): string | undefined {
  if (sig.length % 2 !== 0) return 'Odd-length string';
  if (!/^[0-9a-fA-F]*$/.test(sig)) return 'Non-hexadecimal digit found';
  return undefined;
}

/** RSASSA-PKCS1-v1_5 / SHA-256 verification over the UTF-8 string to sign. */
export function verifySignature(toSign: string, signatureHex: string, key: import('node:crypto').KeyObject): boolean {
  try {
    return verify('sha256', Buffer.from(toSign, 'utf8'), key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
