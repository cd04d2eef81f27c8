/**
 * Writing CloudTrail-format trails signed by Vigil: log files (`{"Records": [...]}`, gzip) and hourly digest files
 * chained through previousDigest* fields and signed SHA256withRSA over CloudTrail's string to sign, with the
 * signature in the object metadata (`signature`, `signature-algorithm`) exactly as CloudTrail stores it.
 *
 * `TrailWriter` is what other capabilities (KMS audit, remediation, configuration changes) append records to.
 */
import { randomBytes, randomUUID, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describeError, VigilError } from '../core/errors.js';
import { type DigestJson, type DigestLogFile, parseDigestBody, sha256Hex, stringToSign } from './digest.js';
import type { SigningKey } from './keygen.js';
import { type ChainId, digestKey, digestKeyRegex, digestListPrefix, isBackfillKey, logFileKey } from './layout.js';
import type { ObjectStore } from './store.js';
import { formatDisplay, formatKeyDate, HOUR_MS, parseWallClockUtc } from './time.js';

export const SIGNATURE_ALGORITHM = 'SHA256withRSA';

/** Hex RSASSA-PKCS1-v1_5/SHA-256 signature of the UTF-8 string to sign. */
export function signString(toSign: string, key: SigningKey): string {
  return sign('sha256', Buffer.from(toSign, 'utf8'), key.privateKey).toString('hex');
}

/** A CloudTrail record: any JSON object; `eventTime` and the identifying fields are filled in when absent. */
export type CloudTrailRecord = Record<string, unknown>;

export interface WrittenLog {
  bucket: string;
  key: string;
  records: number;
  hashValue: string;
  oldestEventTime: string | null;
  newestEventTime: string | null;
}

export interface WrittenDigest {
  bucket: string;
  key: string;
  signature: string;
  digest: DigestJson;
}

export interface TrailWriterOptions {
  store: ObjectStore;
  bucket: string;
  /** S3 key prefix of the trail (no trailing slash). */
  prefix?: string;
  accountId: string;
  /** Region the records are about (the digest's source region). */
  region: string;
  trailName: string;
  /** Region of the trail itself (default: `region`). */
  homeRegion?: string;
  organizationId?: string;
  key: SigningKey;
  now?: () => number;
  /** Begin a new chain (previousDigest… null) even when earlier digests exist. */
  newChain?: boolean;
  /** Write a log file once this many records are buffered (default 1000). */
  maxRecordsPerFile?: number;
}

interface PreviousDigest {
  bucket: string;
  key: string;
  hash: string;
  signature: string;
  endTime: number;
}

/**
 * Appends records, writes them as log files, and seals periods with signed digests. Operations are serialised, so
 * `append` may be called at any time, including while a flush or seal is in progress.
 */
export class TrailWriter {
  readonly chain: ChainId;
  /** Why `open` started a new chain instead of continuing (undefined when it continued or none existed). */
  restartReason: string | undefined;
  private readonly now: () => number;
  private buffer: CloudTrailRecord[] = [];
  private logs: WrittenLog[] = [];
  private previous: PreviousDigest | undefined;
  private periodStart: number;
  private queue: Promise<unknown> = Promise.resolve();
  private signingKey: SigningKey;

  private constructor(private readonly o: TrailWriterOptions) {
    this.now = o.now ?? Date.now;
    this.signingKey = o.key;
    this.chain = {
      prefix: (o.prefix ?? '').replace(/\/+$/, ''),
      accountId: o.accountId,
      sourceRegion: o.region,
      trailName: o.trailName,
      homeRegion: o.homeRegion ?? o.region,
    };
    if (o.organizationId) this.chain.organizationId = o.organizationId;
    if (!/^\d{12}$/.test(o.accountId)) throw new VigilError(`account ID must be 12 digits, got "${o.accountId}"`);
    if (!/^[A-Za-z0-9._-]{3,128}$/.test(o.trailName)) {
      throw new VigilError(`trail name "${o.trailName}" must be 3-128 letters, digits, '.', '_' or '-'`);
    }
    this.periodStart = Math.floor(this.now() / 1000) * 1000;
  }

  /** Open a writer, continuing the chain from the newest digest already in the store unless `newChain`. */
  static async open(o: TrailWriterOptions): Promise<TrailWriter> {
    const w = new TrailWriter(o);
    if (!o.newChain) await w.resume();
    return w;
  }

  private async resume(): Promise<void> {
    const regex = digestKeyRegex(this.chain);
    let newest: string | undefined;
    for await (const k of this.o.store.list(this.o.bucket, digestListPrefix(this.chain))) {
      if (regex.test(k) && !isBackfillKey(k)) newest = k; // listing is in key (= time) order
    }
    if (!newest) return;
    const obj = await this.o.store.get(this.o.bucket, newest);
    const parsed = obj ? parseDigestBody(obj.body) : undefined;
    const signature = obj?.metadata.signature;
    if (!parsed?.ok || !signature) {
      this.restartReason = `newest digest s3://${this.o.bucket}/${newest} is unreadable or unsigned; starting a new chain`;
      return;
    }
    const end = parseWallClockUtc(parsed.data.digestEndTime);
    if (Number.isNaN(end)) {
      this.restartReason = `newest digest s3://${this.o.bucket}/${newest} has no valid digestEndTime; starting a new chain`;
      return;
    }
    this.previous = { bucket: this.o.bucket, key: newest, hash: sha256Hex(parsed.inflated), signature, endTime: end };
    // The next digest covers from where the last one ended, so restarts leave no uncovered hours.
    this.periodStart = end;
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /**
   * Buffer one record. A full buffer is written as a log file in the background; if that write fails the records
   * stay buffered and go out with the next flush or seal, which report the error.
   */
  append(record: CloudTrailRecord): void {
    if (!record || typeof record !== 'object' || Array.isArray(record))
      throw new VigilError('a trail record must be a JSON object');
    const r: CloudTrailRecord = { eventVersion: '1.09', ...record };
    if (typeof r.eventTime !== 'string' || Number.isNaN(parseWallClockUtc(r.eventTime)))
      r.eventTime = formatDisplay(this.now());
    r.eventID ??= randomUUID();
    r.awsRegion ??= this.o.region;
    r.recipientAccountId ??= this.o.accountId;
    this.buffer.push(r);
    if (this.buffer.length >= (this.o.maxRecordsPerFile ?? 1000)) void this.flush().catch(() => undefined);
  }

  /**
   * Sign digests sealed from now on with `key` (key rotation). The chain continues: the next digest links to the
   * previous one as usual; publish the new public key (ListPublicKeys file or endpoint) before validating.
   */
  rotateKey(key: SigningKey): void {
    this.signingKey = key;
  }

  get pendingRecords(): number {
    return this.buffer.length;
  }

  /** Write buffered records as one log file (nothing when the buffer is empty). */
  flush(at?: number): Promise<WrittenLog | undefined> {
    return this.run(() => this.writeLog(at ?? this.now()));
  }

  private async writeLog(at: number): Promise<WrittenLog | undefined> {
    if (this.buffer.length === 0) return undefined;
    const records = this.buffer;
    this.buffer = [];
    const json = Buffer.from(JSON.stringify({ Records: records }), 'utf8');
    const unique = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
    const key = logFileKey(this.chain, at, unique);
    try {
      await this.o.store.put(this.o.bucket, key, gzipSync(json));
    } catch (err) {
      this.buffer = records.concat(this.buffer); // keep them for the next attempt
      throw err;
    }
    const times = records.map((r) => parseWallClockUtc(r.eventTime)).filter((t) => !Number.isNaN(t));
    const log: WrittenLog = {
      bucket: this.o.bucket,
      key,
      records: records.length,
      hashValue: sha256Hex(json),
      oldestEventTime: times.length ? formatDisplay(Math.min(...times)) : null,
      newestEventTime: times.length ? formatDisplay(Math.max(...times)) : null,
    };
    this.logs.push(log);
    return log;
  }

  /**
   * Flush, then write the signed digest for [end of the previous digest, at]. Digest names carry the end time to
   * the second, so a trail gets at most one digest per second.
   */
  seal(at?: number): Promise<WrittenDigest> {
    return this.run(async () => {
      const end = Math.floor((at ?? this.now()) / 1000) * 1000;
      if (this.previous && end <= this.previous.endTime) {
        throw new VigilError(
          `cannot seal a digest ending ${formatDisplay(end)}: the last digest of this trail already ends ${formatDisplay(this.previous.endTime)}`,
        );
      }
      if (end < this.periodStart) {
        throw new VigilError(
          `cannot seal a digest ending ${formatDisplay(end)} before its period starts ${formatDisplay(this.periodStart)}`,
        );
      }
      await this.writeLog(end);
      return this.writeDigest(end);
    });
  }

  private async writeDigest(end: number): Promise<WrittenDigest> {
    const key = digestKey(this.chain, end);
    const logFiles: DigestLogFile[] = this.logs.map((l) => ({
      s3Bucket: l.bucket,
      s3Object: l.key,
      hashValue: l.hashValue,
      hashAlgorithm: 'SHA-256',
      newestEventTime: l.newestEventTime,
      oldestEventTime: l.oldestEventTime,
    }));
    const newest = logFiles
      .map((l) => l.newestEventTime)
      .filter((t): t is string => t !== null)
      .sort();
    const oldest = logFiles
      .map((l) => l.oldestEventTime)
      .filter((t): t is string => t !== null)
      .sort();
    const p = this.previous;
    const digest: DigestJson = {
      awsAccountId: this.o.accountId,
      digestStartTime: formatDisplay(this.periodStart),
      digestEndTime: formatDisplay(end),
      digestS3Bucket: this.o.bucket,
      digestS3Object: key,
      digestPublicKeyFingerprint: this.signingKey.fingerprint,
      digestSignatureAlgorithm: SIGNATURE_ALGORITHM,
      newestEventTime: newest.at(-1) ?? null,
      oldestEventTime: oldest[0] ?? null,
      previousDigestS3Bucket: p?.bucket ?? null,
      previousDigestS3Object: p?.key ?? null,
      previousDigestHashValue: p?.hash ?? null,
      previousDigestHashAlgorithm: p ? 'SHA-256' : null,
      previousDigestSignature: p?.signature ?? null,
      logFiles,
    };
    const json = Buffer.from(JSON.stringify(digest), 'utf8');
    const hash = sha256Hex(json);
    const signature = signString(stringToSign(digest as unknown as Record<string, unknown>, hash), this.signingKey);
    try {
      await this.o.store.put(this.o.bucket, key, gzipSync(json), {
        signature,
        'signature-algorithm': SIGNATURE_ALGORITHM,
      });
    } catch (err) {
      throw new VigilError(`cannot write digest s3://${this.o.bucket}/${key}: ${describeError(err)}`);
    }
    this.previous = { bucket: this.o.bucket, key, hash, signature, endTime: end };
    this.periodStart = end;
    this.logs = [];
    return { bucket: this.o.bucket, key, signature, digest };
  }

  /** Flush and seal on a schedule (CloudTrail: log files about every 5 minutes, digests hourly). */
  schedule(
    opts: { logIntervalMs?: number; digestIntervalMs?: number; onError?: (err: unknown) => void } = {},
  ): () => void {
    const onError = opts.onError ?? (() => undefined);
    const logTimer = setInterval(() => void this.flush().catch(onError), opts.logIntervalMs ?? 5 * 60_000);
    const digestTimer = setInterval(() => void this.seal().catch(onError), opts.digestIntervalMs ?? HOUR_MS);
    logTimer.unref();
    digestTimer.unref();
    return () => {
      clearInterval(logTimer);
      clearInterval(digestTimer);
    };
  }

  /** Key date of the last digest written or resumed from (for status output). */
  get lastDigestTime(): string | undefined {
    return this.previous ? formatKeyDate(this.previous.endTime) : undefined;
  }
}
