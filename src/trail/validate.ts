/**
 * The digest chain walk, step for step as `aws cloudtrail validate-logs` does it (awscli
 * customizations/cloudtrail/validation.py), so that every verdict, gap and count is the same:
 * list the trail's digests in [start, end + 1h] by key date, start from the newest, follow
 * previousDigestS3Bucket/Object backwards, and when the chain breaks (missing, invalid, or a null previous link)
 * resume from the next older digest in the listing. Each valid digest's log files are hashed right after it.
 */
import { VigilError } from '../core/errors.js';
import { hexProblem, missingRequiredKey, parseDigestBody, sha256Hex, stringToSign, verifySignature } from './digest.js';
import { hashGzipStream } from './hash.js';
import { keyObject, noKeysMessage, type PublicKeyEntry, type PublicKeySource } from './keys.js';
import { type ChainId, digestKey, digestKeyDate, digestKeyRegex, digestListPrefix, isBackfillKey } from './layout.js';
import type { ObjectStore } from './store.js';
import { formatKeyDate, HOUR_MS, parseKeyDate, parseWallClockUtc } from './time.js';

/** Why a file is invalid (machine-readable; the CLI's verdict text is in `verdict`). */
export type InvalidReason =
  | 'not-found'
  | 'invalid-format'
  | 'signature-failed'
  | 'moved'
  | 'public-key-not-found'
  | 'key-unusable'
  | 'hash-mismatch'
  | 'error';

export interface DigestSummaryFields {
  digestStartTime: string;
  digestEndTime: string;
  fingerprint: string;
  logFileCount: number;
  previous: { bucket: string; key: string } | null;
}

export type TrailEvent =
  | {
      type: 'digest';
      backfill: boolean;
      bucket: string;
      key: string;
      uri: string;
      /** `valid` or the CLI's `INVALID: …` text. */
      verdict: string;
      reason: 'valid' | InvalidReason;
      /** What decided the verdict (fields and values). */
      detail: string;
      /** From the key name: `YYYYMMDDTHHMMSSZ`. */
      keyDate: string;
      digest?: DigestSummaryFields;
    }
  | {
      type: 'log';
      bucket: string;
      key: string;
      uri: string;
      verdict: string;
      reason: 'valid' | InvalidReason;
      detail: string;
      /** The digest that lists this log file. */
      digestUri: string;
      digestEndTime: string;
    }
  | {
      /** A null previous-digest link with older digests still in range (trail stopped and restarted). */
      type: 'gap';
      backfill: boolean;
      /** End (from its key) of the next older digest. */
      from: number;
      /** digestStartTime of the digest that starts the newer chain. */
      to: number;
    }
  | {
      /**
       * Vigil's link check (not in the CLI, which trusts the link fields): a digest reached through a newer
       * digest's previousDigest… fields whose signature or hash differs from what the newer digest recorded.
       */
      type: 'link';
      backfill: boolean;
      newer: string;
      older: string;
      field: 'previousDigestSignature' | 'previousDigestHashValue';
      recorded: string;
      actual: string;
    }
  | {
      /**
       * Vigil's continuity check (not in the CLI): two consecutive valid digests of the walk whose periods do not
       * meet — hours no verified digest covers.
       */
      type: 'continuity';
      backfill: boolean;
      from: string;
      to: string;
      cause: 'chain-restart' | 'unverified-digests' | 'time-gap';
      newer: string;
      older: string;
    };

export interface ChainCounts {
  validDigests: number;
  invalidDigests: number;
  validBackfillDigests: number;
  invalidBackfillDigests: number;
  validLogs: number;
  invalidLogs: number;
  /** Earliest/latest covered time over valid digests, clamped to the requested range (the CLI's "found"). */
  foundStart?: number;
  foundEnd?: number;
}

export interface ValidateChainOptions {
  store: ObjectStore;
  /** Bucket holding the newest digests (the trail's bucket). */
  bucket: string;
  chain: ChainId;
  keys: PublicKeySource;
  start: number;
  end: number;
  /** Log files hashed at once (default 4): decompression in the thread pool overlaps hashing. */
  concurrency?: number;
}

/** A digest failed a check; `verdict` is the text after the URI. */
class DigestError extends Error {
  constructor(
    readonly reason: InvalidReason,
    readonly verdict: string,
    readonly detail: string,
  ) {
    super(verdict);
  }
}
class DigestNotFound extends Error {}

/** Thrown when no public key overlaps the range: the CLI aborts the whole run with this message. */
export class NoPublicKeysError extends VigilError {}

interface Loaded {
  data: Record<string, unknown>;
  endDate: number;
  signature: string;
  /** SHA-256 hex of the decompressed digest. */
  hash: string;
}

type Emit = (e: TrailEvent) => void | Promise<void>;

/** Validate one chain (standard digests, then backfill digests), emitting events in the CLI's order. */
export async function validateChain(opts: ValidateChainOptions, emit: Emit): Promise<ChainCounts> {
  const counts: ChainCounts = {
    validDigests: 0,
    invalidDigests: 0,
    validBackfillDigests: 0,
    invalidBackfillDigests: 0,
    validLogs: 0,
    invalidLogs: 0,
  };
  const walker = new Walker(opts, counts, emit);
  await walker.traverse(false);
  await walker.traverse(true);
  return counts;
}

class Walker {
  /** Digest listings keyed by (bucket, prefix, start, end); popped in place, as the CLI's cache is. */
  private readonly listings = new Map<string, { standard: string[]; backfill: string[] }>();

  constructor(
    private readonly o: ValidateChainOptions,
    private readonly counts: ChainCounts,
    private readonly emit: Emit,
  ) {}

  private async listDigests(bucket: string, start: number, end: number, backfill: boolean): Promise<string[]> {
    const id = `${bucket}\u0000${start}\u0000${end}`;
    let cached = this.listings.get(id);
    if (!cached) {
      cached = { standard: [], backfill: [] };
      const c = this.o.chain;
      const marker = digestKey(c, start - 60_000);
      const regex = digestKeyRegex(c);
      const targetStart = formatKeyDate(start);
      const targetEnd = formatKeyDate(end + HOUR_MS); // digests delivered up to an hour after the range
      for await (const key of this.o.store.list(bucket, digestListPrefix(c), marker)) {
        if (!regex.test(key)) continue;
        const date = digestKeyDate(key);
        if (date > targetEnd) break; // lexicographic, like the CLI
        if (date < targetStart) continue;
        (isBackfillKey(key) ? cached.backfill : cached.standard).push(key);
      }
      this.listings.set(id, cached);
    }
    return backfill ? cached.backfill : cached.standard;
  }

  private async loadKeys(start: number, end: number): Promise<Map<string, PublicKeyEntry>> {
    const keys = await this.o.keys.keysBetween(start, end);
    if (keys.size === 0) throw new NoPublicKeysError(noKeysMessage(start, end));
    return keys;
  }

  async traverse(backfill: boolean): Promise<void> {
    const { start } = this.o;
    let bucket = this.o.bucket;
    let digests = await this.listDigests(bucket, start, this.o.end, backfill);
    const publicKeys = backfill
      ? new Map<string, PublicKeyEntry>()
      : await this.loadKeys(start, this.o.end + 2 * HOUR_MS);
    let [key, endDate] = lastDigest(digests);
    let lastStart = endDate ?? Number.NaN;
    let newer: { data: Record<string, unknown>; broke: boolean } | undefined;
    let brokeSinceNewer = false;
    /** The digest whose previous link we are following, while we follow it. */
    let linkFrom: Record<string, unknown> | undefined;

    const findNext = async (lastKey: string, event?: Omit<TrailEvent & { type: 'digest' }, 'keyDate'>) => {
      const [nextKey, nextEnd] = lastDigest(digests, lastKey);
      if (event) await this.emitDigest({ ...event, keyDate: digestKeyDate(event.key) });
      else if (nextKey !== undefined) await this.emit({ type: 'gap', backfill, from: nextEnd!, to: lastStart });
      key = nextKey;
      endDate = nextEnd;
    };

    while (key !== undefined && start <= lastStart) {
      const current: string = key;
      try {
        const loaded = await this.loadAndValidate(publicKeys, bucket, current, backfill);
        endDate = loaded.endDate;
        const data = loaded.data;
        const digestStart = parseWallClockUtc(data.digestStartTime);
        if (Number.isNaN(digestStart)) {
          throw new DigestError(
            'error',
            `INVALID: Unable to parse date value: ${String(data.digestStartTime)}`,
            'digestStartTime is not a date',
          );
        }
        lastStart = digestStart;
        if (newer) await this.continuity(backfill, newer.data, data, newer.broke || brokeSinceNewer);
        if (linkFrom) await this.checkLink(backfill, linkFrom, loaded);
        linkFrom = undefined;
        await this.onValid(bucket, current, data, backfill);
        const prevBucket = data.previousDigestS3Bucket ?? null;
        const prevKey = data.previousDigestS3Object ?? null;
        newer = { data, broke: false };
        brokeSinceNewer = false;
        if (prevBucket === null || prevKey === null) {
          newer.broke = true;
          await findNext(current);
        } else {
          key = String(prevKey);
          linkFrom = data;
          if (prevBucket !== bucket) {
            bucket = String(prevBucket);
            // The CLI reloads the listing with the current digest's end time as the range end.
            digests = await this.listDigests(bucket, start, endDate, backfill);
          }
        }
      } catch (err) {
        brokeSinceNewer = true;
        linkFrom = undefined;
        const uri = this.o.store.uri(bucket, current);
        if (err instanceof DigestNotFound) {
          await findNext(current, {
            type: 'digest',
            backfill,
            bucket,
            key: current,
            uri,
            verdict: 'INVALID: not found',
            reason: 'not-found',
            detail: `no object at ${this.o.store.where(bucket, current)}`,
          });
        } else if (err instanceof DigestError) {
          await findNext(current, {
            type: 'digest',
            backfill,
            bucket,
            key: current,
            uri,
            verdict: err.verdict,
            reason: err.reason,
            detail: err.detail,
          });
        } else if (err instanceof NoPublicKeysError) {
          // Only reached for backfill digests (per-digest key lookup); the CLI reports it on the digest.
          await findNext(current, {
            type: 'digest',
            backfill,
            bucket,
            key: current,
            uri,
            verdict: `INVALID: ${err.message}`,
            reason: 'public-key-not-found',
            detail: `no public key in ${this.o.keys.description} around the backfill generation time`,
          });
        } else {
          throw err;
        }
      }
    }
  }

  private async continuity(
    backfill: boolean,
    newer: Record<string, unknown>,
    older: Record<string, unknown>,
    broke: boolean,
  ): Promise<void> {
    const newerStart = parseWallClockUtc(newer.digestStartTime);
    const olderEnd = parseWallClockUtc(older.digestEndTime);
    if (!(olderEnd < newerStart)) return;
    const restart = newer.previousDigestS3Bucket == null || newer.previousDigestS3Object == null;
    await this.emit({
      type: 'continuity',
      backfill,
      from: String(older.digestEndTime),
      to: String(newer.digestStartTime),
      cause: restart ? 'chain-restart' : broke ? 'unverified-digests' : 'time-gap',
      newer: `s3://${newer.digestS3Bucket}/${newer.digestS3Object}`,
      older: `s3://${older.digestS3Bucket}/${older.digestS3Object}`,
    });
  }

  private async checkLink(backfill: boolean, newer: Record<string, unknown>, older: Loaded): Promise<void> {
    const base = {
      type: 'link' as const,
      backfill,
      newer: `s3://${newer.digestS3Bucket}/${newer.digestS3Object}`,
      older: `s3://${older.data.digestS3Bucket}/${older.data.digestS3Object}`,
    };
    if (newer.previousDigestSignature !== older.signature) {
      await this.emit({
        ...base,
        field: 'previousDigestSignature',
        recorded: String(newer.previousDigestSignature),
        actual: older.signature,
      });
    }
    if (newer.previousDigestHashValue !== older.hash) {
      await this.emit({
        ...base,
        field: 'previousDigestHashValue',
        recorded: String(newer.previousDigestHashValue),
        actual: older.hash,
      });
    }
  }

  private async emitDigest(e: TrailEvent & { type: 'digest' }): Promise<void> {
    if (e.reason === 'valid') {
      if (e.backfill) this.counts.validBackfillDigests++;
      else this.counts.validDigests++;
    } else if (e.backfill) this.counts.invalidBackfillDigests++;
    else this.counts.invalidDigests++;
    await this.emit(e);
  }

  private async onValid(bucket: string, key: string, data: Record<string, unknown>, backfill: boolean): Promise<void> {
    this.trackFound(data);
    const logFiles = Array.isArray(data.logFiles) ? (data.logFiles as unknown[]) : [];
    const digestEnd = String(data.digestEndTime);
    const prevB = data.previousDigestS3Bucket;
    const prevK = data.previousDigestS3Object;
    await this.emitDigest({
      type: 'digest',
      backfill,
      bucket: String(data.digestS3Bucket),
      key: String(data.digestS3Object),
      uri: `s3://${data.digestS3Bucket}/${data.digestS3Object}`,
      verdict: 'valid',
      reason: 'valid',
      detail: `SHA256withRSA signature verified with key ${data.digestPublicKeyFingerprint}`,
      keyDate: digestKeyDate(key),
      digest: {
        digestStartTime: String(data.digestStartTime),
        digestEndTime: digestEnd,
        fingerprint: String(data.digestPublicKeyFingerprint),
        logFileCount: logFiles.length,
        previous: prevB != null && prevK != null ? { bucket: String(prevB), key: String(prevK) } : null,
      },
    });
    await this.checkLogs(logFiles, `s3://${bucket}/${key}`, digestEnd);
  }

  /** Hash log files with bounded concurrency; results are emitted in the digest's order. */
  private async checkLogs(logFiles: unknown[], digestUri: string, digestEndTime: string): Promise<void> {
    const width = Math.max(1, this.o.concurrency ?? 4);
    const pending: Promise<TrailEvent & { type: 'log' }>[] = [];
    let next = 0;
    const launch = () => {
      while (pending.length < width && next < logFiles.length) {
        pending.push(this.checkLog(logFiles[next++], digestUri, digestEndTime));
      }
    };
    launch();
    while (pending.length > 0) {
      const e = await pending.shift()!;
      launch();
      if (e.reason === 'valid') this.counts.validLogs++;
      else this.counts.invalidLogs++;
      await this.emit(e);
    }
  }

  private async checkLog(
    raw: unknown,
    digestUri: string,
    digestEndTime: string,
  ): Promise<TrailEvent & { type: 'log' }> {
    const log = (raw ?? {}) as Record<string, unknown>;
    const bucket = String(log.s3Bucket);
    const key = String(log.s3Object);
    const base = { type: 'log' as const, bucket, key, uri: `s3://${bucket}/${key}`, digestUri, digestEndTime };
    if (typeof log.s3Bucket !== 'string' || typeof log.s3Object !== 'string') {
      return {
        ...base,
        verdict: 'INVALID: invalid format',
        reason: 'invalid-format',
        detail: 'log entry without s3Bucket/s3Object',
      };
    }
    const stream = await this.o.store.open(bucket, key);
    if (!stream) {
      return {
        ...base,
        verdict: 'INVALID: not found',
        reason: 'not-found',
        detail: `no object at ${this.o.store.where(bucket, key)}`,
      };
    }
    const h = await hashGzipStream(stream);
    if (!h.ok) return { ...base, verdict: 'INVALID: invalid format', reason: 'invalid-format', detail: h.detail };
    if (h.hex !== log.hashValue) {
      return {
        ...base,
        verdict: "INVALID: hash value doesn't match",
        reason: 'hash-mismatch',
        detail: `SHA-256 of ${h.bytes} decompressed bytes is ${h.hex}, digest lists ${String(log.hashValue)}`,
      };
    }
    return {
      ...base,
      verdict: 'valid',
      reason: 'valid',
      detail: `SHA-256 ${h.hex} over ${h.bytes} decompressed bytes`,
    };
  }

  /** The CLI's found range: earliest start and latest end over valid digests, clamped to the request. */
  private trackFound(data: Record<string, unknown>): void {
    const s = Math.max(parseWallClockUtc(data.digestStartTime), this.o.start);
    if (this.counts.foundStart === undefined || s < this.counts.foundStart) this.counts.foundStart = s;
    const e = Math.min(parseWallClockUtc(data.digestEndTime), this.o.end);
    if (this.counts.foundEnd === undefined || e > this.counts.foundEnd) this.counts.foundEnd = e;
  }

  private async loadAndValidate(
    publicKeys: Map<string, PublicKeyEntry>,
    bucket: string,
    key: string,
    backfill: boolean,
  ): Promise<Loaded> {
    const obj = await this.o.store.get(bucket, key);
    if (!obj) throw new DigestNotFound();
    const parsed = parseDigestBody(obj.body);
    if (!parsed.ok) throw new DigestError('invalid-format', 'INVALID: invalid format', parsed.detail);
    const md = obj.metadata;
    if (!('signature' in md) || !('signature-algorithm' in md)) {
      throw new DigestError(
        'signature-failed',
        'INVALID: signature verification failed',
        obj.metadataIssue ?? 'object metadata has no signature/signature-algorithm',
      );
    }
    const data = parsed.data;
    if (backfill && !('backfill-generation-timestamp' in md)) {
      throw new DigestError(
        'invalid-format',
        'INVALID: invalid format',
        'backfill digest without backfill-generation-timestamp metadata',
      );
    }
    const missing = missingRequiredKey(data);
    if (missing)
      throw new DigestError('invalid-format', 'INVALID: invalid format', `required key ${missing} is missing`);
    if (data.digestS3Bucket !== bucket || data.digestS3Object !== key) {
      throw new DigestError(
        'moved',
        'INVALID: has been moved from its original location',
        `read from s3://${bucket}/${key} but written as s3://${String(data.digestS3Bucket)}/${String(data.digestS3Object)}`,
      );
    }
    const fingerprint = String(data.digestPublicKeyFingerprint);
    if (!publicKeys.has(fingerprint) && backfill) {
      const ts = parseWallClockUtc(md['backfill-generation-timestamp']);
      if (Number.isNaN(ts)) {
        throw new DigestError(
          'error',
          `INVALID: Unable to parse date value: ${md['backfill-generation-timestamp']}`,
          'bad backfill-generation-timestamp',
        );
      }
      for (const [fp, k] of await this.loadKeys(ts - HOUR_MS, ts + HOUR_MS)) publicKeys.set(fp, k);
    }
    const entry = publicKeys.get(fingerprint);
    if (!entry) {
      throw new DigestError(
        'public-key-not-found',
        `INVALID: public key not found in region ${this.o.chain.homeRegion} for fingerprint ${fingerprint}`,
        `no key with this fingerprint whose validity overlaps the requested range in ${this.o.keys.description}`,
      );
    }
    const keyObj = keyObject(entry);
    if (keyObj instanceof Error) {
      throw new DigestError(
        'key-unusable',
        `INVALID: Unable to load PKCS #1 key with fingerprint ${fingerprint}`,
        keyObj.message,
      );
    }
    const sig = md.signature!;
    const hexIssue = hexProblem(sig);
    if (hexIssue) throw new DigestError('signature-failed', `INVALID: ${hexIssue}`, 'signature metadata is not hex');
    const inflatedHash = sha256Hex(parsed.inflated);
    if (!verifySignature(stringToSign(data, inflatedHash), sig, keyObj)) {
      throw new DigestError(
        'signature-failed',
        'INVALID: signature verification failed',
        `signature does not verify with key ${fingerprint} over digestEndTime, location, SHA-256 ${inflatedHash} of the digest and previousDigestSignature`,
      );
    }
    const endDate = parseWallClockUtc(data.digestEndTime);
    if (Number.isNaN(endDate)) {
      throw new DigestError(
        'error',
        `INVALID: Unable to parse date value: ${String(data.digestEndTime)}`,
        'digestEndTime is not a date',
      );
    }
    return { data, endDate, signature: sig, hash: inflatedHash };
  }
}

/** The newest digest in the listing, or the newest older than `beforeKey` (popping as it goes, like the CLI). */
function lastDigest(digests: string[], beforeKey?: string): [string | undefined, number | undefined] {
  if (digests.length === 0) return [undefined, undefined];
  if (beforeKey === undefined) {
    const k = digests.pop()!;
    return [k, parseKeyDate(digestKeyDate(k))];
  }
  const before = parseKeyDate(digestKeyDate(beforeKey));
  while (digests.length > 0) {
    const k = digests.pop()!;
    const d = parseKeyDate(digestKeyDate(k));
    if (d < before) return [k, d];
  }
  return [undefined, undefined];
}
