import { type Command, Option } from 'commander';
import { UsageError } from '../core/errors.js';

// Registration-time helpers only: this module is loaded on every start-up, so it must not import the libraries
// (config resolution and ingest options live in resolve-options.ts, loaded by the actions).

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
