import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { formatIssue, lintFiles } from '../../netfw/lint-files.js';
import { writeOut } from '../stdout.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

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
    .action(async (inputs: string[], o: { format: string; ruleOrder: string; quietDisabled?: boolean }) => {
      if (o.format !== 'text' && o.format !== 'json')
        throw new UsageError(`--format must be text or json, got "${o.format}"`);
      if (o.ruleOrder !== 'DEFAULT_ACTION_ORDER' && o.ruleOrder !== 'STRICT_ORDER')
        throw new UsageError(`--rule-order must be DEFAULT_ACTION_ORDER or STRICT_ORDER, got "${o.ruleOrder}"`);
      const rep = lintFiles(inputs, o.ruleOrder);
      const shown = o.quietDisabled ? rep.issues.filter((i) => i.severity === 'error') : rep.issues;
      const errors = rep.issues.filter((i) => i.severity === 'error').length;
      const warnings = rep.issues.length - errors;
      if (o.format === 'json') {
        await writeOut(`${JSON.stringify({ ...rep, errors, warnings, issues: shown }, null, 2)}\n`);
      } else {
        for (const i of shown) await writeOut(`${formatIssue(i)}\n`);
        await writeOut(
          `${plural(rep.rules, 'rule')} (${rep.disabled} commented out), ${plural(rep.ruleGroups, 'rule group')}, ` +
            `${plural(rep.policies, 'policy').replace('policys', 'policies')} from ${plural(rep.files, 'file')}; ` +
            `${plural(rep.incompatibleRules, 'rule')} Network Firewall would reject; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`,
        );
      }
      if (errors > 0) process.exitCode = 2;
    });
}
