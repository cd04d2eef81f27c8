import type { Command } from 'commander';
import { PACK_IDS } from '../help-lists.js';
import { lazyAction } from '../lazy.js';

const actions = () => import('./iac-actions.js');

const FORMATS = ['table', 'json', 'sarif', 'junit'] as const;

const collectList = (v: string, prev: string[] = []) => [...prev, v];

export function registerIac(program: Command): void {
  const iac = program.command('iac').description('scan infrastructure-as-code (CloudFormation) with the posture rules');
  iac
    .command('scan')
    .description(
      'scan CloudFormation templates (files or directories) with the AWS Config rules of vigil audit plus template checks; exit 1 when a NON_COMPLIANT result is at or above --fail-on, 2 on template or usage errors',
    )
    .argument(
      '<paths...>',
      'template files or directories (directories: *.yaml|yml|json|template that look like templates)',
    )
    .option('--pack <id>', `evaluate a conformance pack's rules (${PACK_IDS.join(', ')})`)
    .option('--rules <names...>', 'only these posture rules (names or identifiers)')
    .option('--param <rule:name=value>', 'rule parameter override (repeatable)', collectList)
    .option('--parameters <file>', 'template parameter values (CloudFormation or CLI format; repeatable)', collectList)
    .option('--parameter <K=V>', 'template parameter value (repeatable; wins over --parameters)', collectList)
    .option('--region <region>', 'region for pseudo parameters and ARNs', 'us-east-1')
    .option('--account-id <id>', 'account id for pseudo parameters and ARNs', '123456789012')
    .option('-f, --format <format>', FORMATS.join('|'), 'table')
    .option(
      '--fail-on <severity>',
      'exit 1 on an unsuppressed NON_COMPLIANT at or above INFORMATIONAL|LOW|MEDIUM|HIGH|CRITICAL',
    )
    .option('-o, --output <file>', 'write the report here (- = stdout)')
    .option('--no-inline-suppressions', 'ignore suppressions in resource Metadata')
    .option('--show-suppressed', 'list suppressed results in the table')
    .option('--suppressions <file>', 'suppression file (same format as vigil audit)')
    .option('--baseline <file>', 'baseline file: known failures do not gate')
    .option('--all', 'table: also list COMPLIANT and NOT_APPLICABLE results')
    .action(lazyAction(actions, 'scan'));
}
