/** `vigil kms …` actions: serve the KMS API, read its audit trail, envelope-encrypt files (registered in kms.ts). */
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UsageError, VigilError } from '../../core/errors.js';
import { parseTimeBound } from '../../core/time.js';
import { type CredentialStore, loadCredentials } from '../../kms/credentials.js';
import { createKmsService } from '../../kms/index.js';
import { loadSeedFile } from '../../kms/seed.js';
import { startKmsServer } from '../../kms/server.js';
import { readAuditFile } from '../../kms/store.js';
import { checkServeOptions, requestLogger } from '../serve-checks.js';
import { writeOut } from '../stdout.js';
import { renderTable } from '../tables.js';

interface ServeOptions {
  port: number;
  host: string;
  state?: string;
  credentials?: string;
  rootKeyFile?: string;
  auditDir?: string;
  seed?: string;
  region: string;
  accountId: string;
  durability: 'normal' | 'full';
  allowUnauthenticated?: boolean;
  logRequests?: boolean;
}

export async function serve(o: ServeOptions): Promise<void> {
  checkServeOptions(o, 'use every key');
  const credentials: CredentialStore | undefined = o.credentials
    ? loadCredentials(o.credentials, o.accountId)
    : undefined;
  const svc = createKmsService({
    state: o.state,
    rootKeyFile: o.rootKeyFile,
    region: o.region,
    account: o.accountId,
    durability: o.durability,
    audit: { dir: o.auditDir },
  });
  const err = (text: string) => process.stderr.write(`vigil kms: ${text}\n`);
  if (svc.rootKeySource.startsWith('file:') && svc.rootKeyCreated) {
    err(`created root key ${svc.rootKeySource.slice(5)} (mode 600): back it up, the state cannot be opened without it`);
  }
  if (o.seed) {
    const r = loadSeedFile(svc, o.seed, o.region);
    for (const issue of r.issues) err(`${issue.where}: ${issue.reason}`);
    err(
      `seed ${o.seed}: ${r.created.length} keys created, ${r.skipped.length} already present, ${r.aliases.length} aliases, ${r.issues.length} rejected`,
    );
  }
  let running: Awaited<ReturnType<typeof startKmsServer>>;
  try {
    running = await startKmsServer({
      service: svc,
      credentials,
      host: o.host,
      port: o.port,
      onRequest: requestLogger(o.logRequests, err),
    });
  } catch (e) {
    svc.close();
    throw new VigilError(`cannot listen on ${o.host}:${o.port}: ${(e as Error).message}`);
  }
  await writeOut(`vigil kms: listening on ${running.url}\n`);
  err(
    `region ${o.region}, account ${o.accountId}, state ${o.state ?? 'in memory'}, root key ${svc.rootKeySource}, ` +
      (credentials ? `SigV4 verified (${credentials.size} access keys)` : 'DEV MODE: signatures are not checked'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      running.close().then(() => {
        svc.close();
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

interface AuditCliOptions {
  state: string;
  since?: string;
  until?: string;
  eventName?: string;
  errors?: boolean;
  format: 'table' | 'jsonl' | 'cloudtrail';
  limit?: number;
}

function timeOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = parseTimeBound(text);
  if (Number.isNaN(t))
    throw new UsageError(`${flag}: cannot read "${text}" as a time (ISO 8601, epoch seconds, or 15m/36h/7d)`);
  return t;
}

export async function audit(o: AuditCliOptions): Promise<void> {
  const rows = readAuditFile(o.state, { since: timeOption('--since', o.since), until: timeOption('--until', o.until) });
  let records = rows.map((r) => JSON.parse(r.record) as Record<string, unknown>);
  if (o.eventName) records = records.filter((r) => r.eventName === o.eventName);
  if (o.errors) records = records.filter((r) => r.errorCode !== undefined);
  if (o.limit !== undefined) records = records.slice(-o.limit);
  if (o.format === 'cloudtrail') {
    await writeOut(`${JSON.stringify({ Records: records }, null, 2)}\n`);
    return;
  }
  if (o.format === 'jsonl') {
    for (const r of records) await writeOut(`${JSON.stringify(r)}\n`);
    return;
  }
  const ident = (r: Record<string, unknown>) => (r.userIdentity as { arn?: string } | undefined)?.arn ?? '-';
  const key = (r: Record<string, unknown>) => {
    const res = r.resources as { ARN: string }[] | undefined;
    return res?.[0]?.ARN.replace(/^arn:[^:]+:kms:[^:]+:\d+:/, '') ?? '-';
  };
  await writeOut(
    renderTable(
      ['time', 'event', 'caller', 'key', 'result'],
      records.map((r) => [
        String(r.eventTime),
        String(r.eventName),
        ident(r),
        key(r),
        r.errorCode ? `${r.errorCode}` : 'ok',
      ]),
    ),
  );
}

export interface FileOptions {
  output: string;
  keyId: string[];
  context?: string[];
  endpointUrl?: string;
}

function parseContext(pairs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--context expects key=value, got "${p}"`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

/** Envelope encryption with the AWS Encryption SDK (loaded on demand: only these two commands need it). */
export async function cryptFile(mode: 'encrypt' | 'decrypt', input: string, o: FileOptions): Promise<void> {
  for (const id of o.keyId) {
    if (!/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/.test(id))
      throw new UsageError(
        `--key-id must be a KMS key or alias ARN (the Encryption SDK needs the region), got "${id}"`,
      );
  }
  const context = parseContext(o.context);
  // Vigil pins the SDK version it ships with, so the SDK's future-Node-support notice is noise for this command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let esdk: typeof import('@aws-crypto/client-node');
  try {
    esdk = await import('@aws-crypto/client-node');
  } catch {
    throw new VigilError('the AWS Encryption SDK (@aws-crypto/client-node) is not installed');
  }
  const { buildClient, CommitmentPolicy, getClient, KMS, KmsKeyringNode } = esdk;
  // Credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE, ~/.aws).
  const clientProvider = getClient(KMS, o.endpointUrl ? { endpoint: o.endpointUrl } : {});
  const keyring = new KmsKeyringNode({ generatorKeyId: o.keyId[0], keyIds: o.keyId.slice(1), clientProvider });
  const { encryptStream, decryptStream } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const source: Readable = input === '-' ? process.stdin : createReadStream(input);
  // Plaintext and ciphertext land in a temporary file first, so a failure never leaves a partial output.
  const tmp = o.output === '-' ? undefined : `${o.output}.vigil-tmp-${process.pid}`;
  const sink: Writable = tmp ? createWriteStream(tmp, { mode: 0o600 }) : process.stdout;
  try {
    if (mode === 'encrypt') {
      await pipeline(source, encryptStream(keyring, { encryptionContext: context }), sink);
    } else {
      const stream = decryptStream(keyring);
      let mismatch: string | undefined;
      stream.on('MessageHeader', (header: { encryptionContext: Record<string, string> }) => {
        for (const [k, v] of Object.entries(context)) {
          if (header.encryptionContext[k] !== v)
            mismatch = `encryption context ${k}=${header.encryptionContext[k] ?? '(absent)'} does not match --context ${k}=${v}`;
        }
        if (mismatch) stream.destroy(new VigilError(mismatch));
      });
      await pipeline(source, stream, sink);
    }
    if (tmp) renameSync(tmp, o.output);
  } catch (err) {
    if (tmp) rmSync(tmp, { force: true });
    if (err instanceof VigilError) throw err;
    throw new VigilError(`${mode}-file ${input}: ${(err as Error).message}`);
  }
}
