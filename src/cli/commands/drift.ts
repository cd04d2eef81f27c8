import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

const actions = () => import('./drift-actions.js');

const collectList = (v: string, prev: string[] = []) => [...prev, v];

export function registerDrift(program: Command): void {
  program
    .command('drift')
    .description(
      'CloudFormation drift (DescribeStackResourceDrifts format), unmanaged resources, and who caused each change',
    )
    .option('--template <file>', 'template (expected state); default with --stack-name: the deployed template')
    .option('--parameters <file>', 'parameters file (CloudFormation or CLI format), repeatable', collectList)
    .option('--parameter <K=V>', 'parameter override, repeatable', collectList)
    .option('--snapshot <files...>', 'actual state: AWS Config snapshot(s) or vigil collect output')
    .option(
      '--stack-name <name>',
      'deployed stack (template, physical ids, live state); with --template and --snapshot: the stack-name tag to match',
    )
    .option('--endpoint-url <url>', 'AWS endpoint (moto_server, LocalStack)')
    .option('--region <region>', 'AWS region', 'us-east-1')
    .option('--profile <name>', 'AWS named profile')
    .option('--cloudtrail <inputs...>', 'CloudTrail logs (files, dirs, s3://) for attribution')
    .option(
      '--since <time>',
      'attribute CloudTrail events from this ISO time (default with a live stack: its last update)',
    )
    .option('--ignore <file>', 'ignore file for unmanaged resources (see docs/drift.md)')
    .option('--format <format>', 'table | json', 'table')
    .option('--bus-config <file>', 'publish each drift as an event on the bus configured in this file')
    .action(lazyAction(actions, 'driftAction'));
}
