import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
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

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a positive integer, got "${value}"`);
  return n;
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

export function registerTrail(program: Command): void {
  const trail = program
    .command('trail')
    .description('CloudTrail log file integrity: validate digest chains offline, sign Vigil’s own trails');

  trail
    .command('validate')
    .description('validate CloudTrail digest and log files like `aws cloudtrail validate-logs`, from a directory or S3')
    .argument(
      '<location>',
      'directory mirroring the trail bucket (metadata in <file>.metadata.json), or s3://bucket/prefix',
    )
    .requiredOption('--public-keys <file|aws>', 'ListPublicKeys JSON file, or "aws" to call ListPublicKeys')
    .option(
      '--cloudtrail-endpoint-url <url>',
      'CloudTrail endpoint for --public-keys aws (e.g. vigil trail serve-keys)',
    )
    .option('--trail-arn <arn>', 'only this trail (default: every trail found)')
    .option('--start-time <utc>', 'first digest time to validate (default: the oldest digest found)')
    .option('--end-time <utc>', 'last digest time to validate (default: now)')
    .option('--account-id <id>', 'member account of an organization trail (or only this account)')
    .option('--region <region>', 'only digests of this source region (default: every region found)')
    .option('--s3-bucket <name>', 'bucket name of a local directory (default: the directory name)')
    .option('--endpoint-url <url>', 'S3 endpoint for s3:// locations (as the AWS CLI)')
    .option('--profile <name>', 'AWS profile')
    .option('--verbose', 'also list valid files')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--concurrency <n>', 'log files hashed at once').argParser(positiveInt))
    .action(async (location: string, o: ValidateOpts) => {
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
    });

  trail
    .command('keygen')
    .description('create an RSA signing key for Vigil trails and print its public key in ListPublicKeys format')
    .requiredOption('--out <file>', 'where to write the private key (PEM, mode 0600)')
    .option('--public-keys <file>', 'also add the public key to this ListPublicKeys JSON file (created if missing)')
    .option('--valid-from <utc>', 'start of the key’s validity (default: now)')
    .option('--valid-until <utc>', 'end of the key’s validity (default: one year after the start)')
    .addOption(new Option('--bits <n>', 'RSA modulus size').argParser(positiveInt).default(2048))
    .option('--force', 'overwrite an existing private key file')
    .action(
      async (o: {
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
      },
    );

  trail
    .command('serve-keys')
    .description(
      'serve ListPublicKeys/DescribeTrails/GetTrail (CloudTrail JSON API) so `aws cloudtrail validate-logs` can check Vigil trails',
    )
    .requiredOption('--public-keys <file>', 'ListPublicKeys JSON file')
    .option('--trail <arn=s3://bucket/prefix>', 'a trail DescribeTrails returns (repeatable)', collect, [])
    .option('--organization <o-id:account>', 'answer DescribeOrganization (organization trails)')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .addOption(new Option('--port <n>', 'listen port (0 = any free port)').argParser((v) => Number(v)).default(0))
    .action(async (o: { publicKeys: string; trail: string[]; organization?: string; host: string; port: number }) => {
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
    });

  trail
    .command('append')
    .description('write CloudTrail records as a signed Vigil trail (log file, and with --seal the hourly digest)')
    .argument('<records...>', 'JSON Lines files, {"Records": [...]} files, or - for stdin')
    .requiredOption('--signing-key <file>', 'private key from vigil trail keygen')
    .requiredOption('--to <location>', 'trail bucket: a directory or s3://bucket/prefix')
    .requiredOption('--account-id <id>', 'account the records belong to')
    .requiredOption('--region <region>', 'region the records are about')
    .requiredOption('--trail-name <name>', 'trail name (part of the digest file names)')
    .option('--home-region <region>', 'region of the trail (default: --region)')
    .option('--organization-id <o-id>', 'write the organization trail layout')
    .option('--seal', 'also write the signed digest closing the current period')
    .option('--new-chain', 'start a new digest chain instead of continuing the last one')
    .option('--endpoint-url <url>', 'S3 endpoint for s3:// locations')
    .option('--profile <name>', 'AWS profile')
    .action(async (inputs: string[], o: AppendOpts) => {
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
    });
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

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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
