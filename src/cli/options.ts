import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { type CliOverrides, type ResolvedConfig, resolveConfig } from '../config/load.js';
import { describeError, UsageError } from '../core/errors.js';
import { parseTimeBound } from '../core/time.js';
import { compileWherePattern, type IngestOptions } from '../ingest/pipeline.js';
import { parseLogType } from '../ingest/registry.js';

/** Options shared by every command that reads logs. */
export function addIngestOptions(cmd: Command): Command {
  return cmd
    .option('-t, --type <type>', 'parse every input as this log type instead of sniffing')
    .option('--since <time>', 'keep records at or after this event time (ISO, epoch seconds, or 15m/36h/7d ago)')
    .option('--until <time>', 'keep records before this event time')
    .option('--where <pattern>', 'keep records matching an EventBridge event pattern (JSON, or @file)')
    .option('--vpc-flow-format <format>', 'VPC flow log format for files without a header line')
    .option('--cloudfront-fields <fields>', 'CloudFront #Fields list for files without a header')
    .addOption(new Option('--max-line-length <n>', 'longest accepted line/record in characters').argParser(intArg))
    .addOption(new Option('--workers <n>', 'worker threads (0 = automatic, 1 = none)').argParser(intArg))
    .option('--endpoint-url <url>', 'S3 endpoint for s3:// inputs (as the AWS CLI)')
    .option('--profile <name>', 'AWS profile for s3:// inputs')
    .option('--region <region>', 'AWS region for s3:// inputs')
    .option('--strict', 'exit 2 when any input is rejected')
    .option('-q, --quiet', 'no progress output')
    .option('-c, --config <file>', 'config file (default: ./vigil.yaml)');
}

export function intArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`expected an integer, got "${value}"`);
  return n;
}

/** Map parsed commander options to config keys (CLI layer of the precedence chain). */
export function cliOverrides(o: Record<string, unknown>): CliOverrides {
  return {
    'logs.type': o.type,
    'logs.since': o.since,
    'logs.until': o.until,
    'logs.vpcFlowFormat': o.vpcFlowFormat,
    'logs.cloudfrontFields': o.cloudfrontFields,
    'logs.maxLineLength': o.maxLineLength,
    'logs.workers': o.workers,
    'logs.strict': o.strict,
    'aws.endpointUrl': o.endpointUrl,
    'aws.profile': o.profile,
    'aws.region': o.region,
    'output.quiet': o.quiet,
    'output.format': o.format,
  };
}

export function resolveFromCli(o: Record<string, unknown>): ResolvedConfig {
  return resolveConfig({ configFile: o.config as string | undefined, cli: cliOverrides(o) });
}

/** Build library ingest options from the effective config. */
export function ingestOptionsFrom(resolved: ResolvedConfig, cliWhere?: unknown): IngestOptions {
  const { logs, aws } = resolved.config;
  const since = logs.since !== undefined ? timeBound('--since', logs.since) : undefined;
  const until = logs.until !== undefined ? timeBound('--until', logs.until) : undefined;
  if (since !== undefined && until !== undefined && since >= until) {
    throw new UsageError(`--since (${logs.since}) must be before --until (${logs.until})`);
  }
  const where = typeof cliWhere === 'string' ? readWhere(cliWhere) : undefined;
  return {
    where,
    type: logs.type !== undefined ? parseLogType(logs.type) : undefined,
    since,
    until,
    maxLineLength: logs.maxLineLength,
    formatOptions: { vpcFlowFormat: logs.vpcFlowFormat, cloudfrontFields: logs.cloudfrontFields },
    s3: { endpointUrl: aws.endpointUrl, profile: aws.profile, region: aws.region },
  };
}

/** `--where` text or `@file`, validated now so an invalid pattern is a usage error with AWS's message. */
function readWhere(value: string): string {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (err) {
      throw new UsageError(`--where ${value}: ${describeError(err)}`);
    }
  }
  try {
    compileWherePattern(text);
  } catch (err) {
    throw new UsageError(`--where: ${err instanceof Error ? err.message : String(err)}`);
  }
  return text;
}

function timeBound(flag: string, text: string): number {
  const t = parseTimeBound(text);
  if (Number.isNaN(t))
    throw new UsageError(`${flag}: cannot read "${text}" as a time (ISO 8601, epoch seconds, or 15m/36h/7d)`);
  return t;
}
