/**
 * Generated CloudTrail trails for the trail tests: chains written by Vigil's TrailWriter with test RSA keys, the
 * tampering operations of the issue, and runners for Vigil and for the real `aws cloudtrail validate-logs`.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { sha256Hex, stringToSign } from '../../src/trail/digest.js';
import { generateSigningKey, publicKeyEntry, type SigningKey } from '../../src/trail/keygen.js';
import { type PublicKeyEntry, StaticKeySource } from '../../src/trail/keys.js';
import { digestKey, trailArn } from '../../src/trail/layout.js';
import { TextReporter } from '../../src/trail/report.js';
import { exitCodeOf, runValidation, type ValidateRequest } from '../../src/trail/run.js';
import { signString, TrailWriter } from '../../src/trail/sign.js';
import { LocalStore, S3Store, SIDECAR_SUFFIX } from '../../src/trail/store.js';
import { formatDisplay, HOUR_MS } from '../../src/trail/time.js';

export const T0 = Date.UTC(2024, 0, 8, 5, 21, 42);
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const TRAIL = 'vigil-audit';
export const DAY = 24 * HOUR_MS;

let cachedKeys: { a: SigningKey; b: SigningKey } | undefined;
/** Two RSA keys, generated once per test file. */
export function testKeys(): { a: SigningKey; b: SigningKey } {
  cachedKeys ??= { a: generateSigningKey().key, b: generateSigningKey().key };
  return cachedKeys;
}

/** Key A valid for a year around T0 (the trail's normal key). */
export function keyAEntry(): PublicKeyEntry {
  return publicKeyEntry(testKeys().a, T0 - 30 * DAY, T0 + 365 * DAY);
}

export interface ChainSpec {
  bucket: string;
  prefix?: string;
  organizationId?: string;
  accountId?: string;
  region?: string;
  trailName?: string;
  homeRegion?: string;
  digests?: number;
  logsPerDigest?: number;
  /** Key that signs digest i (default key A). */
  keyFor?: (i: number) => SigningKey;
  /** Digest `index` starts a new chain after `downtimeHours` without logging. */
  restartAt?: { index: number; downtimeHours: number };
}

export interface BuiltChain {
  root: string;
  dir: string;
  bucket: string;
  trailArn: string;
  /** Digest keys, oldest first. */
  digests: string[];
  /** Log keys per digest, oldest digest first. */
  logs: string[][];
  start: number;
  end: number;
  region: string;
}

/** A chain of hourly digests, each listing `logsPerDigest` log files of 3 records. */
export async function buildChain(root: string, spec: ChainSpec): Promise<BuiltChain> {
  const dir = join(root, spec.bucket);
  const store = new LocalStore(dir);
  const n = spec.digests ?? 6;
  const perDigest = spec.logsPerDigest ?? 2;
  const region = spec.region ?? REGION;
  let now = T0;
  const open = (newChain: boolean) =>
    TrailWriter.open({
      store,
      bucket: spec.bucket,
      prefix: spec.prefix,
      accountId: spec.accountId ?? ACCOUNT,
      region,
      trailName: spec.trailName ?? TRAIL,
      homeRegion: spec.homeRegion ?? REGION,
      organizationId: spec.organizationId,
      key: spec.keyFor?.(0) ?? testKeys().a,
      now: () => now,
      newChain,
    });
  let writer = await open(true);
  const digests: string[] = [];
  const logs: string[][] = [];
  let hourStart = T0;
  for (let i = 0; i < n; i++) {
    if (spec.restartAt?.index === i) {
      hourStart += spec.restartAt.downtimeHours * HOUR_MS;
      now = hourStart;
      writer = await open(true);
    }
    writer.rotateKey(spec.keyFor?.(i) ?? testKeys().a);
    const mine: string[] = [];
    for (let f = 0; f < perDigest; f++) {
      for (let r = 0; r < 3; r++) {
        now = hourStart + f * 20 * 60_000 + r * 60_000;
        writer.append({
          eventSource: 'kms.amazonaws.com',
          eventName: ['Encrypt', 'Decrypt', 'GenerateDataKey'][r],
          eventTime: formatDisplay(now),
          userIdentity: { type: 'AssumedRole', accountId: spec.accountId ?? ACCOUNT },
          requestParameters: { keyId: `alias/digest-${i}-file-${f}` },
        });
      }
      const log = await writer.flush(hourStart + f * 20 * 60_000 + 5 * 60_000);
      mine.push(log!.key);
    }
    hourStart += HOUR_MS;
    now = hourStart;
    const d = await writer.seal(hourStart);
    digests.push(d.key);
    logs.push(mine);
  }
  const c = {
    root,
    dir,
    bucket: spec.bucket,
    trailArn: trailArn(spec.homeRegion ?? REGION, spec.accountId ?? ACCOUNT, spec.trailName ?? TRAIL),
    digests,
    logs,
    start: T0,
    end: hourStart + 30 * 60_000,
    region,
  };
  return c;
}

export const tempRoot = () => mkdtemp(join(tmpdir(), 'vigil-trail-'));
export const removeRoot = (root: string) => rm(root, { recursive: true, force: true });

// ---------- tampering (on the local copy; the oracle mirrors the result to S3) ----------

export const pathOf = (c: BuiltChain, key: string) => join(c.dir, key);

/** Flip one byte of the decompressed log content and re-compress it. */
export async function flipLogContent(c: BuiltChain, key: string, at = 20): Promise<void> {
  const p = pathOf(c, key);
  const data = gunzipSync(await readFile(p));
  data[at] ^= 0x01;
  await writeFile(p, gzipSync(data));
}

/** Flip one byte of the stored (compressed) file, `fromEnd` bytes before its end. */
export async function flipStoredByte(c: BuiltChain, key: string, fromEnd: number): Promise<void> {
  const p = pathOf(c, key);
  const data = await readFile(p);
  data[data.length - fromEnd] ^= 0x01;
  await writeFile(p, data);
}

export async function setStoredByte(c: BuiltChain, key: string, offset: number, value: number): Promise<void> {
  const p = pathOf(c, key);
  const data = await readFile(p);
  data[offset] = value;
  await writeFile(p, data);
}

export async function readDigest(c: BuiltChain, key: string): Promise<Record<string, unknown>> {
  return JSON.parse(gunzipSync(await readFile(pathOf(c, key))).toString('utf8'));
}

/** Change a digest's JSON and keep its (now stale) signature. */
export async function editDigest(
  c: BuiltChain,
  key: string,
  edit: (d: Record<string, unknown>) => void,
): Promise<void> {
  const d = await readDigest(c, key);
  edit(d);
  await writeFile(pathOf(c, key), gzipSync(JSON.stringify(d)));
}

/** Change a digest's JSON and sign it again with `signer` (someone holding a signing key). */
export async function resignDigest(
  c: BuiltChain,
  key: string,
  signer: SigningKey,
  edit: (d: Record<string, unknown>) => void,
  extraMetadata: Record<string, string> = {},
): Promise<void> {
  const d = await readDigest(c, key);
  edit(d);
  d.digestPublicKeyFingerprint = signer.fingerprint;
  const json = Buffer.from(JSON.stringify(d));
  const signature = signString(stringToSign(d, sha256Hex(json)), signer);
  await writeFile(pathOf(c, key), gzipSync(json));
  await writeFile(
    `${pathOf(c, key)}${SIDECAR_SUFFIX}`,
    JSON.stringify({ signature, 'signature-algorithm': 'SHA256withRSA', ...extraMetadata }),
  );
}

export async function remove(c: BuiltChain, key: string): Promise<void> {
  await unlink(pathOf(c, key));
  await unlink(`${pathOf(c, key)}${SIDECAR_SUFFIX}`).catch(() => undefined);
}

/** Copy an object (and its metadata sidecar) to another key of the same bucket. */
export async function copyObject(c: BuiltChain, from: string, to: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dirname(pathOf(c, to)), { recursive: true });
  await copyFile(pathOf(c, from), pathOf(c, to));
  await copyFile(`${pathOf(c, from)}${SIDECAR_SUFFIX}`, `${pathOf(c, to)}${SIDECAR_SUFFIX}`).catch(() => undefined);
}

/** The key a digest of this chain would have with end time `endMs`. */
export function digestKeyAt(c: BuiltChain, endMs: number, opts: { prefix?: string; organizationId?: string } = {}) {
  return digestKey(
    {
      prefix: opts.prefix ?? '',
      accountId: ACCOUNT,
      sourceRegion: c.region,
      trailName: TRAIL,
      homeRegion: REGION,
      ...(opts.organizationId ? { organizationId: opts.organizationId } : {}),
    },
    endMs,
  );
}

/**
 * Add a backfill digest (as CloudTrail writes when it re-delivers a period): signed like any digest, with the
 * `backfill-generation-timestamp` metadata the CLI uses to find its public key.
 */
export async function writeBackfillDigest(
  c: BuiltChain,
  opts: { endMs: number; signer: SigningKey; generatedMs: number; logKeys: string[]; previous?: string },
): Promise<string> {
  const chain = { prefix: '', accountId: ACCOUNT, sourceRegion: c.region, trailName: TRAIL, homeRegion: REGION };
  const key = digestKey(chain, opts.endMs, true);
  let prev: { key: string; sig: string; hash: string } | undefined;
  if (opts.previous) {
    const md = JSON.parse(await readFile(`${pathOf(c, opts.previous)}${SIDECAR_SUFFIX}`, 'utf8'));
    prev = {
      key: opts.previous,
      sig: md.signature,
      hash: sha256Hex(gunzipSync(await readFile(pathOf(c, opts.previous)))),
    };
  }
  const logFiles = [];
  for (const k of opts.logKeys) {
    logFiles.push({
      s3Bucket: c.bucket,
      s3Object: k,
      hashValue: sha256Hex(gunzipSync(await readFile(pathOf(c, k)))),
      hashAlgorithm: 'SHA-256',
      newestEventTime: formatDisplay(opts.endMs - 10 * 60_000),
      oldestEventTime: formatDisplay(opts.endMs - 50 * 60_000),
    });
  }
  const d = {
    awsAccountId: ACCOUNT,
    digestStartTime: formatDisplay(opts.endMs - HOUR_MS),
    digestEndTime: formatDisplay(opts.endMs),
    digestS3Bucket: c.bucket,
    digestS3Object: key,
    digestPublicKeyFingerprint: opts.signer.fingerprint,
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: null,
    oldestEventTime: null,
    previousDigestS3Bucket: prev ? c.bucket : null,
    previousDigestS3Object: prev?.key ?? null,
    previousDigestHashValue: prev?.hash ?? null,
    previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
    previousDigestSignature: prev?.sig ?? null,
    logFiles,
  };
  const json = Buffer.from(JSON.stringify(d));
  const signature = signString(stringToSign(d, sha256Hex(json)), opts.signer);
  await new LocalStore(c.dir).put(c.bucket, key, gzipSync(json), {
    signature,
    'signature-algorithm': 'SHA256withRSA',
    'backfill-generation-timestamp': formatDisplay(opts.generatedMs),
  });
  return key;
}

// ---------- runners ----------

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Vigil's text report (as `vigil trail validate --format text`), captured. */
export async function vigilText(
  req: Omit<ValidateRequest, 'keys'> & { keys: PublicKeyEntry[] },
  verbose = true,
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const reporter = new TextReporter(
    (t) => {
      stdout += t;
    },
    (t) => {
      stderr += t;
    },
    verbose,
  );
  const keys = new StaticKeySource(req.keys, 'test keys');
  const results = await runValidation({ ...req, keys: () => keys }, reporter);
  return { code: exitCodeOf(results), stdout, stderr };
}

/** Upload a local bucket copy (with sidecar metadata as S3 metadata) to an S3 endpoint. */
export async function mirrorToS3(c: BuiltChain, endpoint: string): Promise<void> {
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: FAKE_CREDENTIALS });
  await client.send(new CreateBucketCommand({ Bucket: c.bucket }));
  const local = new LocalStore(c.dir);
  const remote = new S3Store({ endpointUrl: endpoint, region: 'us-east-1' });
  for await (const key of local.list(c.bucket, '')) {
    const o = (await local.get(c.bucket, key))!;
    await remote.put(c.bucket, key, o.body, Object.keys(o.metadata).length ? o.metadata : undefined);
  }
  client.destroy();
}

export const FAKE_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** Environment for the AWS CLI and SDK against moto (S3) and Vigil's CloudTrail endpoint. */
export function awsEnv(s3Endpoint: string, cloudtrailEndpoint?: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
  };
  if (process.env.PYENV_ROOT) env.PYENV_ROOT = process.env.PYENV_ROOT;
  if (cloudtrailEndpoint) env.AWS_ENDPOINT_URL_ORGANIZATIONS = cloudtrailEndpoint;
  return env;
}

/** Run the real `aws cloudtrail validate-logs` (awscli v1). */
export function awsValidate(args: string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      'aws',
      ['cloudtrail', 'validate-logs', ...args],
      { env, encoding: 'utf8', timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
