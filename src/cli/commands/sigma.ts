import type { Command } from 'commander';
import { LEVELS } from '../../sigma/types.js';
import { lazyAction } from '../lazy.js';
import { addIngestOptions } from '../options.js';

const actions = () => import('./sigma-actions.js');

function addRuleOptions(cmd: Command): Command {
  return cmd
    .option('--placeholders <file>', 'YAML map of placeholder name → values for the expand modifier')
    .option('--pipeline <files...>', 'extra processing pipelines (logsource → log types, field mappings), YAML');
}

export function registerSigma(program: Command): void {
  const sigma = program.command('sigma').description('Sigma rules (v2.1): validate them and run them over AWS logs');

  addRuleOptions(
    sigma
      .command('check')
      .alias('lint')
      .description('validate rules, correlations and meta filters; exit 2 when any document is invalid')
      .argument('<rules...>', 'rule files or directories (.yml/.yaml, searched recursively)')
      .option('-f, --format <format>', 'text or json', 'text')
      .option('--strict', 'exit 2 on warnings too'),
  ).action(lazyAction(actions, 'checkAction'));

  const runOptions = (cmd: Command) =>
    addRuleOptions(
      addIngestOptions(
        cmd
          .argument('<inputs...>', 'files, directories, .gz, - for stdin, or s3://bucket/prefix')
          .option('-f, --format <format>', 'table or json (one JSON object per line)')
          .option('--fail-on <level>', `exit 1 when a match has this level or higher (${LEVELS.join(', ')})`),
      ),
    );

  runOptions(
    sigma
      .command('run')
      .description('run Sigma rules and correlations over logs; print each match with the values that caused it')
      .option(
        '-r, --rules <path>',
        'rule file or directory (repeatable)',
        (v: string, acc: string[]) => [...acc, v],
        [],
      ),
  ).action(lazyAction(actions, 'runAction'));

  runOptions(
    sigma
      .command('test')
      .description('show which records a rule (file or directory) matches, and why')
      .argument('<rule>', 'rule file or directory'),
  ).action(lazyAction(actions, 'testAction'));
}
