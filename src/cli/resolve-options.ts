import { readFileSync } from 'node:fs';
import { type CliOverrides, type ResolvedConfig, resolveConfig } from '../config/load.js';
import { describeError, UsageError } from '../core/errors.js';
import { parseTimeBound } from '../core/time.js';
import { compileWherePattern, type IngestOptions } from '../ingest/pipeline.js';
import { parseLogType } from '../ingest/registry.js';

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
