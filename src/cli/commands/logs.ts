import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';
import { addIngestOptions } from '../options.js';

const actions = () => import('./logs-actions.js');

export function registerLogs(program: Command): void {
  const logs = program.command('logs').description('read AWS logs in their native formats');

  addIngestOptions(
    logs
      .command('cat')
      .description('write every record as one JSON line (native fields + a _vigil object with the normalised helpers)')
      .argument('<inputs...>', 'files, directories, .gz, - for stdin, or s3://bucket/prefix'),
  ).action(lazyAction(actions, 'catAction'));

  addIngestOptions(
    logs
      .command('stats')
      .description('count records per log type, rejected input and the event-time range')
      .argument('<inputs...>', 'files, directories, .gz, - for stdin, or s3://bucket/prefix')
      .option('-f, --format <format>', 'table or json'),
  ).action(lazyAction(actions, 'statsAction'));
}
