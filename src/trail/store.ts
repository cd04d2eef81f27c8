/**
 * Object access for trail validation and writing: an S3 bucket, or a local directory that mirrors one.
 *
 * Local convention: the directory is a copy of a bucket (`aws s3 sync s3://my-bucket ./my-bucket`). Its name is
 * the bucket name unless one is given; objects of other buckets a digest refers to are looked up in sibling
 * directories named after those buckets. S3 user metadata (the digest signature) lives in a sidecar file
 * `<object>.metadata.json` holding either the metadata map (`{"signature": "…", "signature-algorithm":
 * "SHA256withRSA"}`) or the whole `aws s3api head-object` output (`{"Metadata": {…}}`).
 */
import { mkdir, open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { describeError, VigilError } from '../core/errors.js';
import type { S3SourceOptions } from '../ingest/sources.js';

export interface StoredObject {
  body: Buffer;
  /** S3 user metadata, names lowercased and without `x-amz-meta-`. */
  metadata: Record<string, string>;
  /** Why the metadata could not be read (local sidecar problems), for explanations. */
  metadataIssue?: string;
}

export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** Every key under `prefix` that sorts after `startAfter`, in S3's (byte) order. */
  list(bucket: string, prefix: string, startAfter?: string): AsyncIterable<string>;
  /** Immediate sub-"folders" of `prefix` (which ends in `/` or is empty), like a delimiter listing. */
  listFolders(bucket: string, prefix: string): Promise<string[]>;
  /** The object, or undefined when it does not exist. Other failures throw a VigilError. */
  get(bucket: string, key: string): Promise<StoredObject | undefined>;
  /** The object's bytes as a stream, or undefined when it does not exist. */
  open(bucket: string, key: string): Promise<Readable | undefined>;
  put(bucket: string, key: string, body: Buffer, metadata?: Record<string, string>): Promise<void>;
  /** `s3://bucket/key` (what the CLI prints) — also for local objects. */
  uri(bucket: string, key: string): string;
  /** Where the object actually lives (a path for local stores), for explanations. */
  where(bucket: string, key: string): string;
}

export const SIDECAR_SUFFIX = '.metadata.json';

/** Normalise a metadata map: lowercase names, strip `x-amz-meta-`, keep string values. */
export function normaliseMetadata(raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') continue;
    out[k.toLowerCase().replace(/^x-amz-meta-/, '')] = v;
  }
  return out;
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class LocalStore implements ObjectStore {
  readonly kind = 'local' as const;
  readonly root: string;
  readonly bucket: string;

  /** `root` is the copy of bucket `bucket` (default: the directory's name). */
  constructor(root: string, bucket?: string) {
    this.root = resolve(root);
    this.bucket = bucket ?? basename(this.root);
  }

  private bucketDir(bucket: string): string {
    return bucket === this.bucket ? this.root : join(dirname(this.root), bucket);
  }

  /** Path of an object; undefined when the key would escape the bucket directory (`..`, absolute). */
  path(bucket: string, key: string): string | undefined {
    const dir = this.bucketDir(bucket);
    const p = resolve(dir, key);
    return p.startsWith(dir + sep) ? p : undefined;
  }

  uri(bucket: string, key: string): string {
    return `s3://${bucket}/${key}`;
  }

  where(bucket: string, key: string): string {
    return this.path(bucket, key) ?? `${this.bucketDir(bucket)}/${key} (outside the bucket directory)`;
  }

  async *list(bucket: string, prefix: string, startAfter?: string): AsyncIterable<string> {
    const dir = this.bucketDir(bucket);
    // Walk only the folder that can hold the prefix, then filter by the full key.
    const slash = prefix.lastIndexOf('/');
    const folder = slash >= 0 ? prefix.slice(0, slash + 1) : '';
    const keys: string[] = [];
    await walkKeys(join(dir, folder), folder, keys);
    keys.sort(byteOrder);
    for (const k of keys) {
      if (!k.startsWith(prefix)) continue;
      if (startAfter !== undefined && k <= startAfter) continue;
      yield k;
    }
  }

  async listFolders(bucket: string, prefix: string): Promise<string[]> {
    const dir = join(this.bucketDir(bucket), prefix);
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory())
        .map((e) => `${prefix}${e.name}/`)
        .sort(byteOrder);
    } catch (err) {
      if (isMissing(err)) return [];
      throw new VigilError(`cannot list ${dir}: ${describeError(err)}`);
    }
  }

  async get(bucket: string, key: string): Promise<StoredObject | undefined> {
    const p = this.path(bucket, key);
    if (!p) return undefined;
    let body: Buffer;
    try {
      body = await readFile(p);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new VigilError(`cannot read ${p}: ${describeError(err)}`);
    }
    const sidecar = `${p}${SIDECAR_SUFFIX}`;
    let text: string;
    try {
      text = await readFile(sidecar, 'utf8');
    } catch (err) {
      if (isMissing(err)) return { body, metadata: {}, metadataIssue: `no metadata sidecar ${sidecar}` };
      return { body, metadata: {}, metadataIssue: `cannot read ${sidecar}: ${describeError(err)}` };
    }
    try {
      const doc = JSON.parse(text) as Record<string, unknown>;
      const map = doc && typeof doc.Metadata === 'object' && doc.Metadata ? doc.Metadata : doc;
      if (!map || typeof map !== 'object' || Array.isArray(map)) throw new Error('not a JSON object');
      return { body, metadata: normaliseMetadata(map as Record<string, unknown>) };
    } catch (err) {
      return { body, metadata: {}, metadataIssue: `${sidecar}: ${describeError(err)}` };
    }
  }

  async open(bucket: string, key: string): Promise<Readable | undefined> {
    const p = this.path(bucket, key);
    if (!p) return undefined;
    try {
      const fh = await open(p, 'r');
      return fh.createReadStream({ highWaterMark: 1 << 20 });
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new VigilError(`cannot read ${p}: ${describeError(err)}`);
    }
  }

  async put(bucket: string, key: string, body: Buffer, metadata?: Record<string, string>): Promise<void> {
    const p = this.path(bucket, key);
    if (!p) throw new VigilError(`refusing to write outside ${this.bucketDir(bucket)}: ${key}`);
    await mkdir(dirname(p), { recursive: true });
    // Metadata first, then the object by rename, so a reader never sees a digest without its signature.
    if (metadata) await writeAtomic(`${p}${SIDECAR_SUFFIX}`, Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`));
    await writeAtomic(p, body);
  }
}

async function writeAtomic(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

async function walkKeys(dir: string, keyPrefix: string, out: string[]): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return;
    throw new VigilError(`cannot list ${dir}: ${describeError(err)}`);
  }
  for (const e of entries) {
    if (e.isDirectory()) await walkKeys(join(dir, e.name), `${keyPrefix}${e.name}/`, out);
    else if (e.isFile() && !e.name.endsWith(SIDECAR_SUFFIX) && !e.name.endsWith('.tmp')) out.push(keyPrefix + e.name);
  }
}

/** S3 (or an S3-compatible endpoint such as moto or MinIO) through the AWS SDK. */
export class S3Store implements ObjectStore {
  readonly kind = 's3' as const;
  private clientPromise: Promise<S3Client> | undefined;

  constructor(private readonly opts: S3SourceOptions = {}) {}

  private client(): Promise<S3Client> {
    this.clientPromise ??= import('../ingest/s3-source.js').then((m) => m.createS3Client(this.opts));
    return this.clientPromise;
  }

  uri(bucket: string, key: string): string {
    return `s3://${bucket}/${key}`;
  }

  where(bucket: string, key: string): string {
    return this.uri(bucket, key);
  }

  async *list(bucket: string, prefix: string, startAfter?: string): AsyncIterable<string> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const client = await this.client();
    let token: string | undefined;
    do {
      const page = await client
        .send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ContinuationToken: token,
            StartAfter: token ? undefined : startAfter,
          }),
        )
        .catch((err: unknown) => {
          throw new VigilError(`cannot list s3://${bucket}/${prefix}: ${describeError(err)}`);
        });
      for (const o of page.Contents ?? []) if (o.Key) yield o.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async listFolders(bucket: string, prefix: string): Promise<string[]> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const client = await this.client();
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await client
        .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }))
        .catch((err: unknown) => {
          throw new VigilError(`cannot list s3://${bucket}/${prefix}: ${describeError(err)}`);
        });
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private async getRaw(bucket: string, key: string) {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await this.client();
    try {
      return await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw new VigilError(`cannot read s3://${bucket}/${key}: ${describeError(err)}`);
    }
  }

  async get(bucket: string, key: string): Promise<StoredObject | undefined> {
    const res = await this.getRaw(bucket, key);
    if (!res) return undefined;
    const bytes = await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    return {
      body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      metadata: normaliseMetadata(res.Metadata ?? {}),
    };
  }

  async open(bucket: string, key: string): Promise<Readable | undefined> {
    const res = await this.getRaw(bucket, key);
    return res ? (res.Body as Readable) : undefined;
  }

  async put(bucket: string, key: string, body: Buffer, metadata?: Record<string, string>): Promise<void> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await this.client();
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: metadata }));
    } catch (err) {
      throw new VigilError(`cannot write s3://${bucket}/${key}: ${describeError(err)}`);
    }
  }
}
