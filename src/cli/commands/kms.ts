import { type Command, Option } from 'commander';
import { lazyAction } from '../lazy.js';
import { intArg } from '../options.js';
import type { FileOptions } from './kms-actions.js';

const actions = () => import('./kms-actions.js');

/** `vigil kms …`: run the KMS-compatible key service, read its audit trail, envelope-encrypt files. */
export function registerKms(program: Command): void {
  const kms = program
    .command('kms')
    .description('KMS-compatible key service (AWS SDK, CLI and Encryption SDK work against it)');

  kms
    .command('serve')
    .description('serve the KMS API (JSON 1.1 over HTTP, SigV4-verified when --credentials is given)')
    .addOption(new Option('-p, --port <port>', 'TCP port (0 = any free port)').default(8080).argParser(intArg))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--state <file>', 'SQLite state file (default: in memory, lost on exit)')
    .option(
      '--credentials <file>',
      'access keys and their principals (YAML/JSON or AWS credentials INI); without it any signature is accepted',
    )
    .option('--root-key-file <file>', 'root key sealing key material (default: VIGIL_KMS_ROOT_KEY or <state>.root-key)')
    .option('--audit-dir <dir>', 'deliver CloudTrail audit files under <dir>/AWSLogs/…')
    .option('--seed <file>', 'preload keys and aliases (local-kms seed YAML or Vigil seed)')
    .option('--region <region>', 'default region (requests signed for another region use that region)', 'us-east-1')
    .option('--account-id <id>', 'account of the default (dev-mode) caller and of seeded keys', '111122223333')
    .addOption(
      new Option('--durability <mode>', 'normal (survives crashes) or full (also power loss)')
        .choices(['normal', 'full'])
        .default('normal'),
    )
    .option('--allow-unauthenticated', 'allow dev mode (no --credentials) on a non-loopback address')
    .option('--log-requests', 'log every request (operation, status, ms) to stderr')
    .action(lazyAction(actions, 'serve'));

  kms
    .command('audit')
    .description('print the CloudTrail audit trail recorded in a state file')
    .requiredOption('--state <file>', 'SQLite state file written by vigil kms serve')
    .option('--since <time>', 'records at or after this time (ISO, epoch seconds, or 15m/36h/7d ago)')
    .option('--until <time>', 'records before this time')
    .option('--event-name <name>', 'only this API operation (e.g. Decrypt)')
    .option('--errors', 'only calls that failed (errorCode set)')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'jsonl', 'cloudtrail']).default('table'),
    )
    .addOption(new Option('--limit <n>', 'at most this many records').argParser(intArg))
    .action(lazyAction(actions, 'audit'));

  for (const mode of ['encrypt', 'decrypt'] as const) {
    kms
      .command(`${mode}-file`)
      .description(
        mode === 'encrypt'
          ? 'encrypt a file in the AWS Encryption SDK message format (data key from KMS, wrapped by each --key-id)'
          : 'decrypt an AWS Encryption SDK message, allowing only the given --key-id keys',
      )
      .argument('<input>', 'input file, or - for stdin')
      .requiredOption('-o, --output <file>', 'output file, or - for stdout')
      .requiredOption('--key-id <arn...>', 'KMS key ARN(s); the first generates the data key')
      .option(
        '--context <key=value...>',
        mode === 'encrypt' ? 'encryption context pairs' : 'pairs the message context must contain',
      )
      .option('--endpoint-url <url>', 'KMS endpoint (e.g. http://127.0.0.1:8080); default: AWS')
      .action(async (input: string, o: unknown) => (await actions()).cryptFile(mode, input, o as FileOptions));
  }
}
