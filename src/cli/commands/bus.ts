import { type Command, Option } from 'commander';
import { lazyAction } from '../lazy.js';
import { intArg } from '../options.js';

const actions = () => import('./bus-actions.js');

/** `vigil bus …`: the EventBridge-compatible bus (API server) and pattern testing. */
export function registerBus(program: Command): void {
  const bus = program.command('bus').description('EventBridge-compatible event bus (AWS SDK and CLI work against it)');

  bus
    .command('serve')
    .description('serve the EventBridge API (JSON 1.1 over HTTP, SigV4-verified when --credentials is given)')
    .addOption(new Option('-p, --port <port>', 'TCP port (0 = any free port)').default(8088).argParser(intArg))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--state <file>',
      'SQLite state file: buses, rules, targets, tags and the delivery outbox (default: in memory)',
    )
    .option(
      '--credentials <file>',
      'access keys (YAML/JSON or AWS credentials INI, as vigil kms serve); without it any signature is accepted',
    )
    .option('--rules <file>', 'load buses, rules and targets from YAML (vigil.yaml bus: section; see docs/bus.md)')
    .option('--region <region>', 'region in bus and rule ARNs and event envelopes', 'us-east-1')
    .option('--account-id <id>', 'account in bus and rule ARNs and event envelopes', '000000000000')
    .option('--allow-unauthenticated', 'allow dev mode (no --credentials) on a non-loopback address')
    .option('--log-requests', 'log every request (operation, status, ms) to stderr')
    .option('--kms', 'also serve the KMS API (X-Amz-Target TrentService.*) on this port, as vigil kms serve')
    .option('--kms-state <file>', 'SQLite state file of the mounted KMS (implies --kms; default: in memory)')
    .action(lazyAction(actions, 'serve'));

  bus
    .command('test-pattern')
    .description('does an event match an EventBridge pattern? prints true or false (exit 0); invalid pattern: exit 2')
    .requiredOption('--pattern <json>', 'the event pattern, as JSON text or @file')
    .requiredOption('--event <json>', 'the event, as JSON text or @file')
    .option('--explain', 'also print why it matched or which field failed and why')
    .action(lazyAction(actions, 'testPattern'));

  bus
    .command('put-events')
    .description('send events to an EventBridge API (vigil bus serve or AWS); prints the PutEvents response')
    .option('--entries <json>', 'PutEvents entries (a JSON list, as the AWS CLI), as JSON text or @file')
    .option('--source <source>', 'one entry: its Source')
    .option('--detail-type <type>', 'one entry: its DetailType')
    .option('--detail <json>', 'one entry: its Detail (JSON object text or @file)')
    .option('--resources <arns>', 'one entry: comma-separated resource ARNs')
    .option('--event-bus-name <name>', 'bus name or ARN (default: default)')
    .option('--endpoint-url <url>', 'API endpoint (e.g. http://127.0.0.1:8088 for vigil bus serve)')
    .option('--region <region>', 'region to sign for (default: AWS_REGION or us-east-1)')
    .action(lazyAction(actions, 'putEvents'));
}
