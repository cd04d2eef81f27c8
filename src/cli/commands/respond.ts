import { type Command, Option } from 'commander';
import { wantRemediationTargets } from '../bus-targets.js';
import { RESPOND_MODES } from '../help-lists.js';
import { lazyAction } from '../lazy.js';
import { intArg } from '../options.js';

const actions = () => import('./respond-actions.js');

/**
 * `vigil respond …`: the remediation action library from the command line (list, plan, run, approve, history,
 * permissions). Registering the group also makes `vigil:remediation:<action>` bus targets available to every bus in
 * this process (`vigil bus serve`, `vigil audit --bus-config`, `vigil detect --route`), acting where AWS_REGION /
 * AWS_ENDPOINT_URL point and recording in VIGIL_RESPOND_STATE or the data directory (see ../bus-targets.ts).
 */

function addAwsOptions(cmd: Command): Command {
  return cmd
    .option('--region <region>', 'region to act in (default: the event region, AWS_REGION, us-east-1)')
    .option('--endpoint-url <url>', 'endpoint for every AWS service (moto, LocalStack), as the AWS CLI')
    .option('--profile <name>', 'AWS profile from the shared config/credentials files')
    .option('--account-id <id>', 'account to act in (default: the event account, else STS GetCallerIdentity)');
}

function addInputOptions(cmd: Command): Command {
  return addAwsOptions(
    cmd
      .option('--event <file>', 'an EventBridge event (GuardDuty finding, Config compliance change …) as JSON')
      .option(
        '--mapping <file>',
        'overrides of the finding/Config-rule mapping (YAML; default: $VIGIL_RESPOND_MAPPING)',
      )
      .option(
        '--param <key=value>',
        'an action parameter (value read as YAML: 22, [22, 3389], true); repeatable',
        collect,
        [],
      )
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text')),
  );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerRespond(program: Command): void {
  wantRemediationTargets();

  const respond = program
    .command('respond')
    .description('remediation actions: list, plan, run (dryRun / approve / auto), approve, history, IAM policy');

  respond
    .command('list')
    .description('the action library: name, category, description and the IAM permissions each needs')
    .option('--category <name>', 'only this category (network, identity, data, logging, backup, generic)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(lazyAction(actions, 'list'));

  addInputOptions(
    respond
      .command('plan')
      .description('print the exact API calls an action would make (reads the current state; changes nothing)')
      .argument('<action>', 'action name (see vigil respond list)'),
  ).action(lazyAction(actions, 'plan'));

  addInputOptions(
    respond
      .command('run')
      .description('run an action: dryRun (default) records the plan, approve parks it for approval, auto applies it')
      .argument('<action>', 'action name (see vigil respond list)')
      .option('--mode <mode>', `${RESPOND_MODES.join(' | ')}`, 'dryRun')
      .option('--state <file>', 'execution store (default: $VIGIL_RESPOND_STATE or <data dir>/respond.db)')
      .option('--bus-config <file>', 'also publish the execution event through these bus rules and targets (YAML)')
      .option('--event-bus-name <name>', 'bus to publish on (default: default)'),
  ).action(lazyAction(actions, 'run'));

  addAwsOptions(
    respond
      .command('approve')
      .description('re-plan a pending execution; apply it when the plan is unchanged, else show the difference')
      .argument('<id>', 'execution id (or a unique prefix of at least 4 characters)')
      .option('--force', 'apply the fresh plan even though it differs from the recorded one')
      .option('--state <file>', 'execution store (default: $VIGIL_RESPOND_STATE or <data dir>/respond.db)')
      .option('--bus-config <file>', 'also publish the execution event through these bus rules and targets (YAML)')
      .option('--event-bus-name <name>', 'bus to publish on (default: default)')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(lazyAction(actions, 'approve'));

  respond
    .command('reject')
    .description('decline a pending execution')
    .argument('<id>', 'execution id (or a unique prefix of at least 4 characters)')
    .option('--reason <text>', 'why (recorded)')
    .option('--state <file>', 'execution store (default: $VIGIL_RESPOND_STATE or <data dir>/respond.db)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(lazyAction(actions, 'reject'));

  respond
    .command('history')
    .description('recorded executions, newest first')
    .option('--state <file>', 'execution store (default: $VIGIL_RESPOND_STATE or <data dir>/respond.db)')
    .addOption(new Option('--limit <n>', 'at most this many (default 50)').argParser(intArg))
    .addOption(
      new Option('--status <status>', 'only this status').choices([
        'planned',
        'pending',
        'applied',
        'noop',
        'blocked',
        'failed',
        'invalid',
        'rejected',
      ]),
    )
    .option('--action <name>', 'only this action')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'jsonl']).default('table'),
    )
    .action(lazyAction(actions, 'history'));

  respond
    .command('check')
    .description('check the remediation targets of a bus config (YAML) without running anything; exit 2 on problems')
    .argument('<bus-config>', 'bus rules and targets (as vigil bus serve --rules)')
    .action(lazyAction(actions, 'check'));

  respond
    .command('permissions')
    .description('the least-privilege IAM policy (JSON) covering the given actions (default: all)')
    .option('--actions <names>', 'comma-separated action names')
    .option('--explain', 'also list, on stderr, which actions need each permission')
    .action(lazyAction(actions, 'permissions'));
}
