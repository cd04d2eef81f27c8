import { clfTime, MINUTE, SECOND, s3KeyTime } from './clock.js';
import { type Ctx, groupBy } from './context.js';
import { rngFor } from './prng.js';
import { encodeKey, type S3Request, s3Host } from './s3model.js';
import { SCENARIO_IDS } from './scenarios.js';
import { BUCKETS, PROD_CANONICAL_ID, REGION } from './world.js';
import type { Tagged } from './writer.js';

/**
 * S3 server access logs (logs.md §4): plain text, no extension, simple key format
 * `<prefix>YYYY-MM-DD-hh-mm-ss-<UNIQUE>`, all 27 fields of the current generation.
 */

const dash = (v: string | number | undefined) => (v === undefined || v === '' || v === 0 ? '-' : String(v));

export function accessLine(q: S3Request): string {
  const anonymousOrService = q.requester === '-' || q.requester === 'AmazonS3';
  return [
    PROD_CANONICAL_ID,
    q.bucket,
    `[${clfTime(q.ms)}]`,
    q.remoteIp,
    q.requester,
    q.requestId,
    q.operation,
    q.key ? encodeKey(q.key) : '-',
    q.uri === '-' ? '"-"' : `"${q.uri}"`,
    q.status ? String(q.status) : '-',
    q.errorCode ?? '-',
    dash(q.bytesSent),
    dash(q.objectSize),
    q.totalMs < 0 ? '-' : String(q.totalMs),
    q.turnMs === undefined ? '-' : String(q.turnMs),
    '"-"',
    `"${q.userAgent}"`,
    '-',
    q.hostId,
    q.operation.startsWith('S3.') || q.requester === '-' ? '-' : 'SigV4',
    q.tls ? 'TLS_AES_128_GCM_SHA256' : '-',
    q.operation.startsWith('S3.') || q.requester === '-' ? '-' : 'AuthHeader',
    q.operation.startsWith('S3.') ? '-' : s3Host(q.bucket),
    q.tls ? 'TLSv1.3' : '-',
    '-',
    '-',
    anonymousOrService && q.operation.startsWith('S3.') ? '-' : REGION,
  ].join(' ');
}

/** Target prefix per source bucket (both log to anycompany-s3-access-logs). */
const PREFIX: Record<string, string> = {
  [BUCKETS.exports]: 'customer-exports/',
  [BUCKETS.assets]: 'app-assets/',
};

export function generateS3Access(ctx: Ctx, reqs: readonly S3Request[]): void {
  // S3 delivers in batches: group by quarter hour, key time a few minutes after the last record.
  for (const [key, list] of groupBy(reqs, (q) => `${q.bucket}|${Math.floor(q.ms / (15 * MINUTE))}`)) {
    const [bucket] = key.split('|');
    const r = rngFor(`s3access:${key}`);
    const last = list[list.length - 1].ms;
    const delivered = last + r.int(3, 14) * MINUTE + r.int(0, 59) * SECOND;
    const rows: Tagged<string>[] = list.map((q) => ({ value: accessLine(q), scenarios: q.scenarios }));
    ctx.writer.lines(
      `s3-access-logs/${PREFIX[bucket]}${s3KeyTime(delivered)}-${r.upperHex(16)}`,
      's3access',
      [],
      rows,
      false,
    );
  }
  const exfil = reqs.filter((q) => q.scenarios?.includes(SCENARIO_IDS.s3Exfil));
  ctx.scenarios.fact(SCENARIO_IDS.s3Exfil, 'accessLogRequests', exfil.length);
}
