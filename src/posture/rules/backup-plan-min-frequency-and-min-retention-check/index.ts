import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { scheduleHours } from '../schedule.js';
import { arr, field, num, path } from '../util.js';

export const rule = defineRule(
  {
    name: 'backup-plan-min-frequency-and-min-retention-check',
    resourceTypes: ['AWS::Backup::BackupPlan'],
    parameters: [
      {
        name: 'requiredFrequencyValue',
        type: 'int',
        default: '1',
        description: 'Backup frequency (≤ 24 for hours, ≤ 31 for days)',
      },
      { name: 'requiredRetentionDays', type: 'int', default: '35', description: 'Minimum retention in days' },
      { name: 'requiredFrequencyUnit', type: 'string', default: 'days', description: 'hours or days' },
    ],
    severity: 'MEDIUM',
    title: 'Backup plan rules meet the minimum frequency and retention',
    description:
      'Checks whether every rule of a backup plan runs at least as often and keeps recovery points at least as long as required.',
    risk: 'Infrequent backups or short retention lose more data and miss slow-burning incidents such as ransomware.',
    remediation: 'Tighten the rule schedule expression and raise Lifecycle.DeleteAfterDays.',
  },
  (ci, p) => {
    const unit = String(p.requiredFrequencyUnit).toLowerCase();
    const value = p.requiredFrequencyValue as number;
    const maxHours = unit === 'hours' ? value : value * 24;
    const plan = field(ci.configuration, 'backupPlan') ?? ci.configuration;
    const rules = arr(field(plan, 'rules') ?? field(plan, 'backupPlanRule'));
    if (rules.length === 0) return insufficient('backup plan has no rules recorded');
    for (const r of rules) {
      const name = String(field(r, 'ruleName') ?? '?');
      const expr = String(field(r, 'scheduleExpression') ?? 'cron(0 5 ? * * *)');
      const hours = scheduleHours(expr);
      if (hours === undefined) return insufficient(`rule ${name}: cannot read schedule ${expr}`);
      if (hours > maxHours)
        return nonCompliant(
          `rule ${name} runs every ${hours} hours (${expr}); required at least every ${value} ${unit}`,
          {
            path: 'configuration.backupPlan.rules[].scheduleExpression',
            value: expr,
          },
        );
      const del = num(path(r, 'lifecycle.deleteAfterDays'));
      if (del !== undefined && del >= 0 && del < (p.requiredRetentionDays as number))
        return nonCompliant(
          `rule ${name} keeps recovery points ${del} days; required ${String(p.requiredRetentionDays)}`,
          {
            path: 'configuration.backupPlan.rules[].lifecycle.deleteAfterDays',
            value: del,
          },
        );
    }
    return compliant(
      `all ${rules.length} rule(s) meet every ${value} ${unit} and ${String(p.requiredRetentionDays)} days`,
    );
  },
);
