import type { Command } from 'commander';
import { COLLECT_SERVICES, PACK_IDS } from '../help-lists.js';
import { lazyAction } from '../lazy.js';

const actions = () => import('./posture-actions.js');

function addLiveOptions(cmd: Command): Command {
  return cmd
    .option('--region <regions...>', 'regions to collect (default: AWS_REGION or us-east-1)')
    .option('--endpoint-url <url>', 'send every API call here (moto_server, LocalStack)')
    .option('--profile <name>', 'named profile from the shared AWS config')
    .option('--services <list>', `comma-separated subset of ${COLLECT_SERVICES.join(',')}`)
    .option('--timeout <ms>', 'per-call timeout in milliseconds', '15000')
    .option('-q, --quiet', 'no progress on stderr');
}

const FORMATS = ['table', 'json', 'jsonl', 'ocsf', 'asff', 'csv', 'html'] as const;

/** The options `vigil audit` and `vigil posture scan` share (one implementation behind both). */
function addAuditOptions(cmd: Command): Command {
  return addLiveOptions(
    cmd
      .option('--rules <list>', 'comma-separated rule names or identifiers (default: all)')
      .option('--pack <pack>', `built-in pack (${PACK_IDS.join(', ')}) or an AWS conformance-pack template file`)
      .option('--param <specs...>', 'rule parameter override, rule:name=value (repeatable)')
      .option('-f, --format <format>', `${FORMATS.join(', ')}`, 'table')
      .option('--delimiter <char>', 'CSV delimiter', ',')
      .option('-o, --output <file>', 'write the report here instead of stdout (- = stdout)')
      .option('--status <list>', 'only show these compliance types (comma-separated), e.g. NON_COMPLIANT')
      .option('--fail-on <severity>', 'exit 1 on NON_COMPLIANT at or above INFORMATIONAL|LOW|MEDIUM|HIGH|CRITICAL')
      .option(
        '--suppressions <file>',
        'YAML/JSON suppressions (rule, resource glob, tag, account, region, reason, expires)',
      )
      .option('--baseline <file>', 'fingerprints of known failures: they are flagged and do not gate')
      .option('--create-baseline <file>', 'write the current NON_COMPLIANT fingerprints to this file')
      .option('--now <time>', 'evaluation clock (ISO 8601); default: snapshot capture time')
      .option('--state <file>', 'SQLite file with the previous results: compliance changes are computed against it')
      .option(
        '--publish',
        'publish each compliance change as a "Config Rules Compliance Change" event (needs --bus-config)',
      )
      .option('--bus-config <file>', 'bus rules and targets (YAML, as vigil bus serve --rules); implies --publish')
      .option('--event-bus-name <name>', 'bus to publish on (default: default)'),
  );
}

export function registerPosture(program: Command): void {
  addAuditOptions(
    program
      .command('audit')
      .description(
        'evaluate Config rules on snapshots or a live collection; exit 1 when a NON_COMPLIANT evaluation is at or above --fail-on',
      )
      .option(
        '--snapshot <files...>',
        'Config snapshot/history files, change notifications (JSON or JSON Lines), Vigil snapshots',
      )
      .option('--collect', 'collect through the AWS SDK (same options as vigil collect) instead of reading files'),
  ).action(lazyAction(actions, 'audit'));

  const posture = program
    .command('posture')
    .description(
      'Config-style posture rules over AWS Config snapshots, history files, notifications or live collection',
    );

  addAuditOptions(
    posture
      .command('scan')
      .description(
        'same as vigil audit, with the inputs as arguments (--live = --collect); -f json prints {summary, packs, evaluations}',
      )
      .argument(
        '[inputs...]',
        'Config snapshot/history files, change notifications (JSON or JSON Lines), Vigil snapshots',
      )
      .option('--live', 'collect through the AWS SDK instead of reading files'),
  ).action(lazyAction(actions, 'scanAction'));

  posture
    .command('rules')
    .description('list the rule catalogue')
    .option('-f, --format <format>', 'table or json', 'table')
    .action(lazyAction(actions, 'rulesAction'));

  const collectAction = lazyAction(actions, 'collectSnapshot');
  addLiveOptions(
    posture
      .command('collect')
      .description('collect live configuration into a Vigil snapshot')
      .option('-o, --output <file>', 'write here (- = stdout)', '-'),
  ).action(collectAction);
  addLiveOptions(
    program
      .command('collect')
      .description('collect live configuration into a Vigil snapshot (same as posture collect)')
      .option('-o, --output <file>', 'write here (- = stdout)', '-'),
  ).action(collectAction);
}

/** `vigil demo`'s posture section on the example snapshot (implemented in posture-actions.ts, loaded on use). */
export async function writePostureDemo(snapshotFile: string): Promise<void> {
  await (await actions()).writePostureDemo(snapshotFile);
}
