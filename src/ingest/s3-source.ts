import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { UsageError } from '../core/errors.js';
import type { InputUnit, S3SourceOptions } from './sources.js';

/** Parse `s3://bucket/prefix` (prefix may be empty). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m?.[1]) throw new UsageError(`invalid S3 URL "${url}" (expected s3://bucket/prefix)`);
  return { bucket: m[1], prefix: m[2] ?? '' };
}

/**
 * An S3 client configured the way the AWS CLI is: explicit flags first, then AWS_* environment, shared config and
 * credentials files (the SDK's default provider chain honours AWS_PROFILE and `profile`).
 */
export function createS3Client(opts: S3SourceOptions): S3Client {
  const config: S3ClientConfig = {};
  const endpoint = opts.endpointUrl ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  if (endpoint) {
    config.endpoint = endpoint;
    // Local S3-compatible endpoints (moto, MinIO) need path-style addressing.
    config.forcePathStyle = true;
  }
  config.region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (opts.profile) config.profile = opts.profile;
  return new S3Client(config);
}

/** Every object under the prefix (paginated), skipping CloudTrail digest files and folder markers. */
export async function* listS3Objects(url: string, opts: S3SourceOptions): AsyncGenerator<InputUnit> {
  const { bucket, prefix } = parseS3Url(url);
  const client = createS3Client(opts);
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    const objects = [...(page.Contents ?? [])].sort((a, b) => ((a.Key ?? '') < (b.Key ?? '') ? -1 : 1));
    for (const obj of objects) {
      const key = obj.Key;
      if (!key || key.endsWith('/') || key.includes('/CloudTrail-Digest/')) continue;
      yield {
        name: `s3://${bucket}/${key}`,
        size: obj.Size,
        open: async () => {
          const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          return res.Body as Readable;
        },
      };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
