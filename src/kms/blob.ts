/**
 * Vigil's symmetric ciphertext blob. AWS's format is opaque; ours is self-describing so Decrypt needs no KeyId and
 * every rotated key material stays usable:
 *
 *   0      'V' (0x56) magic
 *   1      format version (1)
 *   2      n = key ID length
 *   3      key ID (ASCII, n bytes: a UUID or mrk- ID, shared by multi-Region replicas)
 *   3+n    key material ID (32 bytes)
 *   35+n   AES-GCM nonce (12 bytes)
 *   47+n   ciphertext, then the 16-byte GCM tag
 *
 * The AAD is the header (bytes 0 … 35+n) followed by the canonical encryption context, so neither the key reference
 * nor the context can be swapped without failing authentication.
 */

export const BLOB_MAGIC = 0x56;
export const BLOB_VERSION = 1;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const MATERIAL_ID_BYTES = 32;

export interface BlobParts {
  keyId: string;
  materialId: string;
  header: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function blobHeader(keyId: string, materialId: string): Buffer {
  const n = Buffer.byteLength(keyId, 'ascii');
  const header = Buffer.allocUnsafe(3 + n + MATERIAL_ID_BYTES);
  header[0] = BLOB_MAGIC;
  header[1] = BLOB_VERSION;
  header[2] = n;
  header.write(keyId, 3, 'ascii');
  header.write(materialId, 3 + n, 'hex');
  return header;
}

/** Parse a blob; undefined when it is not one of ours (the caller answers InvalidCiphertextException). */
export function parseBlob(blob: Buffer): BlobParts | undefined {
  if (blob.length < 3 || blob[0] !== BLOB_MAGIC || blob[1] !== BLOB_VERSION) return undefined;
  const n = blob[2]!;
  const headerEnd = 3 + n + MATERIAL_ID_BYTES;
  if (n === 0 || blob.length < headerEnd + NONCE_BYTES + TAG_BYTES) return undefined;
  const keyId = blob.toString('ascii', 3, 3 + n);
  return {
    keyId,
    materialId: blob.toString('hex', 3 + n, headerEnd),
    header: blob.subarray(0, headerEnd),
    nonce: blob.subarray(headerEnd, headerEnd + NONCE_BYTES),
    ciphertext: blob.subarray(headerEnd + NONCE_BYTES, blob.length - TAG_BYTES),
    tag: blob.subarray(blob.length - TAG_BYTES),
  };
}

export type EncryptionContext = Record<string, string>;

/**
 * Canonical bytes of an encryption context: pairs sorted by key, each as u16 length + UTF-8. Order-independent and
 * case-sensitive, which is exactly KMS's matching rule (kms.md §6). An absent and an empty context are the same.
 */
export function canonicalContext(context: EncryptionContext | undefined): Buffer {
  if (!context) return EMPTY;
  const keys = Object.keys(context);
  if (keys.length === 0) return EMPTY;
  keys.sort();
  const parts: Buffer[] = [];
  const count = Buffer.allocUnsafe(2);
  count.writeUInt16BE(keys.length);
  parts.push(count);
  for (const k of keys) {
    for (const text of [k, context[k]!]) {
      const bytes = Buffer.from(text, 'utf8');
      const len = Buffer.allocUnsafe(2);
      len.writeUInt16BE(bytes.length);
      parts.push(len, bytes);
    }
  }
  return Buffer.concat(parts);
}

const EMPTY = Buffer.alloc(0);
