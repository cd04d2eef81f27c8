/**
 * `vigil trail validate`: resolve the location (directory or s3://bucket/prefix), find the chains to check, and
 * validate each as one `aws cloudtrail validate-logs` run would.
 */
import { UsageError, VigilError } from '../core/errors.js';
import type { S3SourceOptions } from '../ingest/sources.js';
import { discoverChains } from './discover.js';
import type { PublicKeySource } from './keys.js';
import { type ChainId, parseTrailArn, trailArn } from './layout.js';
import { LocalStore, type ObjectStore, S3Store } from './store.js';
import { HOUR_MS } from './time.js';
import { type ChainCounts, type TrailEvent, validateChain } from './validate.js';

export interface ValidateRequest {
  /** A directory mirroring a bucket, or `s3://bucket/prefix`. */
  location: string;
  /** Public keys for a chain's source region (a file gives the same keys for every region). */
  keys: (region: string) => PublicKeySource;
  trailArn?: string;
  /** Member account of an organization trail (else the ARN's account). */
  accountId?: string;
  /** Source region to validate (else every region with digests). */
  region?: string;
  start?: number;
  end?: number;
  /** Bucket name of a local directory (default: the directory's name). */
  bucket?: string;
  s3?: S3SourceOptions;
  concurrency?: number;
  now?: number;
}

export interface ChainPlan {
  chain: ChainId;
  bucket: string;
  trailArn: string;
  start: number;
  end: number;
}

export interface ChainResult {
  plan: ChainPlan;
  counts?: ChainCounts;
  /** Set when the chain could not be validated at all (e.g. no public keys in range). */
  error?: string;
}

export interface ReportSink {
  chainStart(plan: ChainPlan): void | Promise<void>;
  event(plan: ChainPlan, e: TrailEvent): void | Promise<void>;
  chainEnd(result: ChainResult): void | Promise<void>;
}

export function openLocation(location: string, opts: { bucket?: string; s3?: S3SourceOptions }) {
  if (location.startsWith('s3://')) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
    if (!m) throw new UsageError(`invalid S3 URL "${location}" (expected s3://bucket/prefix)`);
    return { store: new S3Store(opts.s3) as ObjectStore, bucket: m[1]!, prefix: m[2] ?? '' };
  }
  const store = new LocalStore(location, opts.bucket);
  return { store: store as ObjectStore, bucket: store.bucket, prefix: '' };
}

/** Work out which chains to validate and over which range. */
export async function planValidation(req: ValidateRequest): Promise<{ store: ObjectStore; plans: ChainPlan[] }> {
  const { store, bucket, prefix } = openLocation(req.location, req);
  const arn = req.trailArn ? parseTrailArn(req.trailArn) : undefined;
  if (req.trailArn && !arn) throw new UsageError(`Invalid trail ARN provided: ${req.trailArn}`);
  const now = req.now ?? Date.now();
  const end = req.end ?? now;
  if (req.start !== undefined && req.start > end) {
    throw new UsageError('Invalid time range specified: start-time must occur before end-time');
  }
  let found = await discoverChains(store, bucket, prefix);
  if (arn) {
    const account = req.accountId ?? arn.accountId;
    found = found.filter(
      (c) => c.trailName === arn.trailName && c.homeRegion === arn.homeRegion && c.accountId === account,
    );
  } else if (req.accountId) {
    found = found.filter((c) => c.accountId === req.accountId);
  }
  if (req.region) found = found.filter((c) => c.sourceRegion === req.region);
  const plans: ChainPlan[] = found.map((c) => {
    const chain: ChainId = {
      prefix: c.prefix,
      accountId: c.accountId,
      sourceRegion: c.sourceRegion,
      trailName: c.trailName,
      homeRegion: c.homeRegion,
    };
    if (c.organizationId) chain.organizationId = c.organizationId;
    return {
      chain,
      bucket,
      trailArn: req.trailArn ?? trailArn(c.homeRegion, c.accountId, c.trailName),
      // Without --start-time, cover the oldest digest's hour too.
      start: req.start ?? Math.min(c.earliest - HOUR_MS, end),
      end,
    };
  });
  if (plans.length === 0) {
    if (!arn) throw new VigilError(`no CloudTrail digest files found under ${req.location}`);
    // Like the CLI for a trail with nothing delivered: run anyway (it reports "No digests found").
    plans.push({
      chain: {
        prefix: prefix.replace(/\/+$/, ''),
        accountId: req.accountId ?? arn.accountId,
        sourceRegion: req.region ?? arn.homeRegion,
        trailName: arn.trailName,
        homeRegion: arn.homeRegion,
      },
      bucket,
      trailArn: req.trailArn!,
      start: req.start ?? end - 24 * HOUR_MS,
      end,
    });
  }
  return { store, plans };
}

/** Validate every planned chain; a chain that cannot be validated is reported and the others still run. */
export async function runValidation(req: ValidateRequest, sink: ReportSink): Promise<ChainResult[]> {
  const { store, plans } = await planValidation(req);
  const results: ChainResult[] = [];
  for (const plan of plans) {
    await sink.chainStart(plan);
    let result: ChainResult;
    try {
      const counts = await validateChain(
        {
          store,
          bucket: plan.bucket,
          chain: plan.chain,
          keys: req.keys(plan.chain.sourceRegion),
          start: plan.start,
          end: plan.end,
          concurrency: req.concurrency,
        },
        (e) => sink.event(plan, e),
      );
      result = { plan, counts };
    } catch (err) {
      if (!(err instanceof VigilError)) throw err;
      result = { plan, error: err.message };
    }
    results.push(result);
    await sink.chainEnd(result);
  }
  return results;
}

/** 0 all valid, 1 anything invalid (as the CLI), 2 a chain could not be validated. */
export function exitCodeOf(results: ChainResult[]): number {
  if (results.some((r) => r.error !== undefined)) return 2;
  const invalid = results.some(
    (r) => r.counts && r.counts.invalidDigests + r.counts.invalidBackfillDigests + r.counts.invalidLogs > 0,
  );
  return invalid ? 1 : 0;
}
