import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Principal, userIdentity } from './principal.js';
import type { KmsStore } from './store.js';

/**
 * CloudTrail audit trail (kms.md §13). Every API call, allowed or not, becomes one CloudTrail record. Records are
 * written to the state database in the same process step as the call, then delivered in batches as gzip files in
 * the CloudTrail S3 layout (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/…json.gz`, `{"Records":[…]}`), so
 * `vigil logs`/`vigil detect` and Sigma rules read Vigil's own trail like any other CloudTrail.
 * Plaintext, ciphertext, signatures, MACs, key material and tokens are never logged; encryption context is
 * (CloudTrail does so too).
 */

export interface AuditEvent {
  time: number;
  eventName: string;
  region: string;
  principal: Principal;
  sourceIp: string;
  userAgent: string;
  requestId: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  resources?: { ARN: string; accountId: string }[];
  readOnly: boolean;
  recipientAccountId: string;
  errorCode?: string;
  errorMessage?: string;
}

const READ_ONLY =
  /^(Describe|List|Get|Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateRandom|GenerateMac|VerifyMac|Sign|Verify|DeriveSharedSecret)/;

export function isReadOnly(eventName: string): boolean {
  return READ_ONLY.test(eventName);
}

/** CloudTrail's eventTime: second precision, `Z`. */
export function eventTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function cloudTrailRecord(e: AuditEvent): Record<string, unknown> {
  const r: Record<string, unknown> = {
    eventVersion: '1.11',
    userIdentity: userIdentity(e.principal),
    eventTime: eventTime(e.time),
    eventSource: 'kms.amazonaws.com',
    eventName: e.eventName,
    awsRegion: e.region,
    sourceIPAddress: e.sourceIp,
    userAgent: e.userAgent,
  };
  if (e.errorCode) {
    r.errorCode = e.errorCode;
    r.errorMessage = e.errorMessage ?? '';
  }
  r.requestParameters = e.requestParameters;
  r.responseElements = e.responseElements;
  if (e.additionalEventData) r.additionalEventData = e.additionalEventData;
  r.requestID = e.requestId;
  r.eventID = randomUUID();
  r.readOnly = e.readOnly;
  if (e.resources?.length)
    r.resources = e.resources.map((x) => ({ accountId: x.accountId, type: 'AWS::KMS::Key', ARN: x.ARN }));
  r.eventType = 'AwsApiCall';
  r.managementEvent = true;
  r.recipientAccountId = e.recipientAccountId;
  r.eventCategory = 'Management';
  return r;
}

/** Request members that are secret or bulky: never written to the trail. */
const SECRET = new Set([
  'Plaintext',
  'CiphertextBlob',
  'Message',
  'Mac',
  'Signature',
  'EncryptedKeyMaterial',
  'ImportToken',
  'GrantTokens',
  'GrantToken',
  'PublicKey',
  'Recipient',
]);
/** Maps whose keys are user data, not member names: kept verbatim. */
const VERBATIM = new Set([
  'EncryptionContext',
  'SourceEncryptionContext',
  'DestinationEncryptionContext',
  'EncryptionContextEquals',
  'EncryptionContextSubset',
]);

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** CloudTrail `requestParameters`: lowerCamelCase members, secrets removed. */
export function requestParameters(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (SECRET.has(k) || v === undefined || v === null) continue;
    out[lowerFirst(k)] = VERBATIM.has(k) ? v : camel(v);
  }
  return out;
}

function camel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camel);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[lowerFirst(k)] = VERBATIM.has(k) ? x : camel(x);
    return out;
  }
  return v;
}

export interface AuditOptions {
  /** Deliver gzip files under `<dir>/AWSLogs/…`; without it records stay in the state database only. */
  dir?: string;
  flushMs?: number;
  /** Drop records older than this from the database (delivered files are kept). Default 90 days, as LookupEvents. */
  retainDays?: number;
  /** Keep at most this many records in the database (the in-memory service uses 100,000 to bound memory). */
  maxRecords?: number;
  now?: () => number;
  onRecord?: (record: Record<string, unknown>) => void;
}

export class AuditTrail {
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;
  private queue: { time: number; text: string }[] = [];
  private commit?: Promise<void>;
  private lastPrune = 0;
  constructor(
    private readonly store: KmsStore,
    private readonly opts: AuditOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => this.flush(), opts.flushMs ?? 5000);
    this.timer.unref();
  }

  /**
   * Queue a record; the returned promise settles once it is committed. Records of one event-loop turn share one
   * transaction (group commit), so the API still answers only after its record is durable, at a fraction of the
   * cost of a commit per call.
   */
  record(e: AuditEvent): Promise<void> {
    const record = cloudTrailRecord(e);
    this.queue.push({ time: e.time, text: JSON.stringify(record) });
    this.opts.onRecord?.(record);
    if (!this.commit) {
      this.commit = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          try {
            this.commitQueue();
            resolve();
          } catch (err) {
            reject(err);
          }
        });
      });
    }
    return this.commit;
  }

  private commitQueue(): void {
    const batch = this.queue;
    this.queue = [];
    this.commit = undefined;
    if (batch.length) this.store.appendAuditBatch(batch);
  }

  /** Write pending records as CloudTrail files; returns the files written. */
  flush(): string[] {
    this.commitQueue();
    const written: string[] = [];
    if (this.opts.dir) {
      for (;;) {
        const rows = this.store.pendingAudit(5000);
        if (rows.length === 0) break;
        const groups = new Map<string, { first: number; time: number; records: unknown[] }>();
        for (const row of rows) {
          const rec = JSON.parse(row.record) as { recipientAccountId: string; awsRegion: string };
          const day = new Date(row.time).toISOString().slice(0, 10);
          const key = `${rec.recipientAccountId}|${rec.awsRegion}|${day}`;
          let g = groups.get(key);
          if (!g) groups.set(key, (g = { first: row.seq, time: row.time, records: [] }));
          g.records.push(rec);
        }
        for (const [key, g] of groups) written.push(this.writeFile(key, g.first, g.time, g.records));
        this.store.markDelivered(rows[rows.length - 1]!.seq);
      }
    }
    // Pruning scans an index; once an hour is plenty.
    if (this.now() - this.lastPrune >= 3_600_000 || this.lastPrune === 0) {
      this.lastPrune = this.now();
      const retainDays = this.opts.retainDays ?? 90;
      this.store.pruneAudit(this.now() - retainDays * 86_400_000, this.opts.maxRecords);
    }
    return written;
  }

  /**
   * The file name ends with the batch's first sequence number, so a batch re-delivered after a crash (written but
   * not yet marked) overwrites its earlier copy instead of duplicating records.
   */
  private writeFile(key: string, firstSeq: number, time: number, records: unknown[]): string {
    const [account, region, day] = key.split('|') as [string, string, string];
    const [y, m, d] = day.split('-');
    const dir = join(this.opts.dir!, 'AWSLogs', account, 'CloudTrail', region, y!, m!, d!);
    mkdirSync(dir, { recursive: true });
    const stamp = new Date(time).toISOString().replace(/[-:]/g, '').slice(0, 13);
    const suffix = `V${firstSeq.toString(36).toUpperCase().padStart(15, '0')}`;
    const file = join(dir, `${account}_CloudTrail_${region}_${stamp}Z_${suffix}.json.gz`);
    writeFileSync(`${file}.tmp`, gzipSync(JSON.stringify({ Records: records })));
    renameSync(`${file}.tmp`, file);
    return file;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }
}
