/** `vigil trail …` actions: validate digest chains, keygen, serve-keys, append (registered in trail.ts). */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { describeError, UsageError, VigilError } from '../../core/errors.js';
import { startTrailApi, type TrailDescription } from '../../trail/endpoint.js';
import { generateSigningKey, loadSigningKey, publicKeyEntry } from '../../trail/keygen.js';
import {
  loadPublicKeyFile,
  type PublicKeyEntry,
  type PublicKeySource,
  parsePublicKeyList,
  toPublicKeyListJson,
} from '../../trail/keys.js';
import { parseTrailArn } from '../../trail/layout.js';
import { JsonReporter, TextReporter } from '../../trail/report.js';
import { exitCodeOf, openLocation, runValidation } from '../../trail/run.js';
import { CloudTrailKeySource } from '../../trail/sdk-keys.js';
import { type CloudTrailRecord, TrailWriter } from '../../trail/sign.js';
import { parseUserUtc } from '../../trail/time.js';
import { writeOut } from '../stdout.js';

const err = (text: string) => void process.stderr.write(text);

function utcOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = parseUserUtc(value);
  if (typeof t === 'string') throw new UsageError(`${name}: ${t}`);
  return t;
}

interface ValidateOpts {
  publicKeys: string;
  cloudtrailEndpointUrl?: string;
  trailArn?: string;
  startTime?: string;
  endTime?: string;
  accountId?: string;
  region?: string;
  s3Bucket?: string;
  endpointUrl?: string;
  profile?: string;
  verbose?: boolean;
  format: string;
  concurrency?: number;
}

interface AppendOpts {
  signingKey: string;
  to: string;
  accountId: string;
  region: string;
  trailName: string;
  homeRegion?: string;
  organizationId?: string;
  seal?: boolean;
  newChain?: boolean;
  endpointUrl?: string;
  profile?: string;
}

function parseTrailSpec(spec: string): TrailDescription {
  const m = /^(arn:[^=]+)=s3:\/\/([^/]+)\/?(.*)$/.exec(spec);
  if (!m || !parseTrailArn(m[1]!))
    throw new UsageError(`--trail must be <trail-arn>=s3://bucket[/prefix], got "${spec}"`);
  const prefix = m[3]!.replace(/\/+$/, '');
  return { arn: m[1]!, bucket: m[2]!, ...(prefix ? { prefix } : {}) };
}

type RecordOrError = { record: CloudTrailRecord } | { error: string };

/** Records from a `{"Records": [...]}` document, a JSON array, or JSON Lines; bad lines are reported, not fatal. */
async function readRecords(input: string): Promise<RecordOrError[]> {
  let text: string;
  try {
    text = input === '-' ? await readStdin() : await readFile(input, 'utf8');
  } catch (e) {
    return [{ error: `${input}: ${describeError(e)}` }];
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && /^\{\s*"Records"\s*:/.test(trimmed))) {
    try {
      const doc = JSON.parse(trimmed) as unknown;
      const list = Array.isArray(doc) ? doc : (doc as { Records?: unknown }).Records;
      if (Array.isArray(list)) {
        return list.map((r, i) =>
          r && typeof r === 'object' && !Array.isArray(r)
            ? { record: r as CloudTrailRecord }
            : { error: `${input}: record ${i + 1}: not a JSON object` },
        );
      }
    } catch {
      // not one document: read it as JSON Lines below
    }
  }
  const out: RecordOrError[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const r = JSON.parse(line) as unknown;
      if (r && typeof r === 'object' && !Array.isArray(r)) out.push({ record: r as CloudTrailRecord });
      else out.push({ error: `${input}:${i + 1}: not a JSON object` });
    } catch (e) {
      out.push({ error: `${input}:${i + 1}: ${describeError(e)}` });
    }
  });
  return out;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const validateAction = async (location: string, o: ValidateOpts) => {
  const start = utcOption('--start-time', o.startTime);
  const end = utcOption('--end-time', o.endTime);
  if (o.trailArn && !parseTrailArn(o.trailArn)) throw new UsageError(`Invalid trail ARN provided: ${o.trailArn}`);
  let keys: (region: string) => PublicKeySource;
  if (o.publicKeys === 'aws') {
    const sources = new Map<string, CloudTrailKeySource>();
    keys = (region) => {
      let s = sources.get(region);
      if (!s) {
        s = new CloudTrailKeySource({ region, endpointUrl: o.cloudtrailEndpointUrl, profile: o.profile });
        sources.set(region, s);
      }
      return s;
    };
  } else {
    if (o.cloudtrailEndpointUrl) throw new UsageError('--cloudtrail-endpoint-url needs --public-keys aws');
    const file = await loadPublicKeyFile(o.publicKeys, (m) => err(`vigil: ${m}\n`));
    keys = () => file;
  }
  const s3 = { endpointUrl: o.endpointUrl, profile: o.profile, region: o.region };
  const request = {
    location,
    keys,
    trailArn: o.trailArn,
    accountId: o.accountId,
    region: o.region,
    start,
    end,
    bucket: o.s3Bucket,
    s3,
    concurrency: o.concurrency,
  };
  if (o.format === 'json') {
    const reporter = new JsonReporter();
    const results = await runValidation(request, reporter);
    const code = exitCodeOf(results);
    await writeOut(`${JSON.stringify(reporter.document(code), null, 2)}\n`);
    process.exitCode = code;
  } else {
    const reporter = new TextReporter((t) => writeOut(t), err, o.verbose === true);
    process.exitCode = exitCodeOf(await runValidation(request, reporter));
  }
};

export const keygenAction = async (o: {
  out: string;
  publicKeys?: string;
  validFrom?: string;
  validUntil?: string;
  bits: number;
  force?: boolean;
}) => {
  if (existsSync(o.out) && !o.force) throw new UsageError(`${o.out} exists (use --force to replace the key)`);
  const from = utcOption('--valid-from', o.validFrom) ?? Math.floor(Date.now() / 1000) * 1000;
  const until = utcOption('--valid-until', o.validUntil) ?? from + 365 * 86_400_000;
  const { key, privatePem } = generateSigningKey(o.bits);
  const entry = publicKeyEntry(key, from, until);
  let list: PublicKeyEntry[] = [entry];
  if (o.publicKeys && existsSync(o.publicKeys)) {
    const { keys, issues } = parsePublicKeyList(await readFile(o.publicKeys, 'utf8'), o.publicKeys);
    if (issues.length) {
      throw new VigilError(
        `${o.publicKeys}: PublicKeyList[${issues[0]!.index}]: ${issues[0]!.reason}; not modifying it`,
      );
    }
    list = [...keys, entry];
  }
  await writeFile(o.out, privatePem, { mode: 0o600 });
  const json = `${JSON.stringify(toPublicKeyListJson(list), null, 2)}\n`;
  if (o.publicKeys) await writeFile(o.publicKeys, json);
  await writeOut(json);
  err(`vigil: wrote ${o.out} (fingerprint ${key.fingerprint})\n`);
};

export const serveKeysAction = async (o: {
  publicKeys: string;
  trail: string[];
  organization?: string;
  host: string;
  port: number;
}) => {
  const file = await loadPublicKeyFile(o.publicKeys, (m) => err(`vigil: ${m}\n`));
  const publicKeys = [...(await file.keysBetween(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)).values()];
  const trails = o.trail.map(parseTrailSpec);
  let organization: { id: string; masterAccountId: string } | undefined;
  if (o.organization) {
    const m = /^(o-[a-z0-9]{10,32}):(\d{12})$/.exec(o.organization);
    if (!m) throw new UsageError(`--organization must be <o-id>:<management-account-id>, got "${o.organization}"`);
    organization = { id: m[1]!, masterAccountId: m[2]! };
    for (const t of trails) t.isOrganizationTrail = true;
  }
  const api = await startTrailApi({ publicKeys, trails, organization, host: o.host, port: o.port });
  await writeOut(`${api.url}\n`);
  err(`vigil: CloudTrail endpoint for ${publicKeys.length} public key(s) on ${api.url} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await api.close();
};

export const appendAction = async (inputs: string[], o: AppendOpts) => {
  const key = await loadSigningKey(o.signingKey);
  const { store, bucket, prefix } = openLocation(o.to, {
    s3: { endpointUrl: o.endpointUrl, profile: o.profile, region: o.region },
  });
  const writer = await TrailWriter.open({
    store,
    bucket,
    prefix,
    accountId: o.accountId,
    region: o.region,
    trailName: o.trailName,
    homeRegion: o.homeRegion,
    organizationId: o.organizationId,
    key,
    newChain: o.newChain,
    maxRecordsPerFile: Number.POSITIVE_INFINITY,
  });
  if (writer.restartReason) err(`vigil: ${writer.restartReason}\n`);
  let rejected = 0;
  let accepted = 0;
  for (const input of inputs) {
    for (const r of await readRecords(input)) {
      if ('error' in r) {
        rejected++;
        err(`vigil: ${r.error}\n`);
      } else {
        writer.append(r.record);
        accepted++;
      }
    }
  }
  const log = await writer.flush();
  const digest = o.seal ? await writer.seal() : undefined;
  await writeOut(
    `${JSON.stringify(
      {
        records: accepted,
        rejected,
        logFile: log ? store.uri(log.bucket, log.key) : null,
        digestFile: digest ? store.uri(digest.bucket, digest.key) : null,
        fingerprint: key.fingerprint,
      },
      null,
      2,
    )}\n`,
  );
  if (rejected > 0) process.exitCode = 2;
};
