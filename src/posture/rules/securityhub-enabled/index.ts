import type { AccountFacts } from '../../model.js';
import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';

export const rule = defineRule(
  {
    name: 'securityhub-enabled',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'AWS Security Hub is enabled',
    description: 'Checks whether AWS Security Hub is enabled for the account (in every collected region).',
    risk: 'Findings from many services stay scattered without a central view.',
    remediation: 'aws securityhub enable-security-hub',
    frameworks: ['cis-aws-4.0.1:4.16'],
  },
  (ci) => {
    const m = (ci.configuration as AccountFacts).securityHub;
    if (!m || Object.keys(m).length === 0) return insufficient('Security Hub status was not collected');
    const off = Object.entries(m)
      .filter(([, v]) => !v)
      .map(([r]) => r);
    return off.length > 0
      ? nonCompliant(`Security Hub not enabled in ${off.join(', ')}`, { path: 'configuration.securityHub', value: m })
      : compliant(`Security Hub enabled in ${Object.keys(m).join(', ')}`);
  },
);
