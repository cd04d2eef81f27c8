import { type Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { lazyAction } from '../lazy.js';

const actions = () => import('./trail-actions.js');

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a positive integer, got "${value}"`);
  return n;
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
    .action(lazyAction(actions, 'validateAction'));

  trail
    .command('keygen')
    .description('create an RSA signing key for Vigil trails and print its public key in ListPublicKeys format')
    .requiredOption('--out <file>', 'where to write the private key (PEM, mode 0600)')
    .option('--public-keys <file>', 'also add the public key to this ListPublicKeys JSON file (created if missing)')
    .option('--valid-from <utc>', 'start of the key’s validity (default: now)')
    .option('--valid-until <utc>', 'end of the key’s validity (default: one year after the start)')
    .addOption(new Option('--bits <n>', 'RSA modulus size').argParser(positiveInt).default(2048))
    .option('--force', 'overwrite an existing private key file')
    .action(lazyAction(actions, 'keygenAction'));

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
    .action(lazyAction(actions, 'serveKeysAction'));

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
    .action(lazyAction(actions, 'appendAction'));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
