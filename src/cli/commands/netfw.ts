import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';
import { addIngestOptions } from '../options.js';

const actions = () => import('./netfw-actions.js');

export function registerNetfw(program: Command): void {
  const netfw = program.command('netfw').description('AWS Network Firewall: Suricata rules, rule groups and policies');

  netfw
    .command('lint')
    .description(
      'parse rules and rule-group/policy documents and report what Network Firewall rejects; exit 2 on errors',
    )
    .argument('<inputs...>', 'Suricata .rules files, rule-group or policy JSON/YAML, or CloudFormation templates')
    .option('-f, --format <format>', 'text or json', 'text')
    .option(
      '--rule-order <order>',
      'rule order for plain rules files: DEFAULT_ACTION_ORDER or STRICT_ORDER',
      'DEFAULT_ACTION_ORDER',
    )
    .option('--quiet-disabled', 'do not list problems of commented-out rules')
    .action(lazyAction(actions, 'lintAction'));

  const collect = (v: string, acc: string[]) => [...acc, v];
  addIngestOptions(
    netfw
      .command('eval')
      .description('evaluate a firewall policy / rule groups / Suricata rules on flow, DNS, HTTP and TLS log records')
      .argument('<inputs...>', 'log files, directories, .gz, - for stdin, or s3://bucket/prefix')
      .option('--policy <file>', 'firewall policy JSON/YAML (describe-firewall-policy output or FirewallPolicy)')
      .option('--rule-group <file>', 'rule group JSON/YAML (repeatable)', collect, [])
      .option('--rules <file>', 'Suricata rules file, evaluated as one more stateful group (repeatable)', collect, [])
      .option('--home-net <cidrs>', 'HOME_NET CIDRs, comma-separated (default: policy variable or RFC 1918)')
      .option('-f, --format <format>', 'table or jsonl', 'table')
      .option('--hits', 'only observations that were not passed or raised alerts'),
  ).action(lazyAction(actions, 'evalAction'));
}
