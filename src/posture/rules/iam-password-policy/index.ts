import type { AccountFacts } from '../../model.js';
import { compliant, defineRule, type Evidence, insufficient, nonCompliant } from '../../rule.js';

const BOOLS = ['RequireUppercaseCharacters', 'RequireLowercaseCharacters', 'RequireSymbols', 'RequireNumbers'] as const;

export const rule = defineRule(
  {
    name: 'iam-password-policy',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    parameters: [
      ...BOOLS.map((b) => ({
        name: b,
        type: 'boolean' as const,
        default: 'true',
        description: `Require ${b.slice(7)}`,
      })),
      { name: 'MinimumPasswordLength', type: 'int', default: '14', description: 'Minimum password length' },
      { name: 'PasswordReusePrevention', type: 'int', default: '24', description: 'Passwords remembered' },
      { name: 'MaxPasswordAge', type: 'int', default: '90', description: 'Maximum password age in days' },
    ],
    severity: 'MEDIUM',
    title: 'The account password policy meets the requirements',
    description: 'Checks whether the account password policy for IAM users meets the specified requirements.',
    risk: 'Weak, reused or never-expiring passwords make IAM console users easy to compromise.',
    remediation: 'aws iam update-account-password-policy with the required settings.',
    runbook: 'AWSConfigRemediation-SetIAMPasswordPolicy',
    frameworks: ['cis-aws-4.0.1:1.8', 'cis-aws-4.0.1:1.9'],
  },
  (ci, p) => {
    const pol = (ci.configuration as AccountFacts).passwordPolicy;
    if (pol === undefined) return insufficient('password policy was not collected');
    if (pol === null)
      return nonCompliant('the account has no password policy', { path: 'configuration.passwordPolicy', value: null });
    const fails: string[] = [];
    const ev: Evidence[] = [];
    for (const b of BOOLS)
      if (p[b] === true && pol[b] !== true) {
        fails.push(`${b} is ${String(pol[b] ?? false)}`);
        ev.push({ path: `configuration.passwordPolicy.${b}`, value: pol[b] ?? false });
      }
    const min = (k: string, want: unknown, label: string, higherIsBetter: boolean) => {
      if (typeof want !== 'number') return;
      const v = pol[k];
      const ok = typeof v === 'number' && (higherIsBetter ? v >= want : v <= want);
      if (!ok) {
        fails.push(`${k} is ${String(v ?? 'unset')} (${label} ${want})`);
        ev.push({ path: `configuration.passwordPolicy.${k}`, value: v ?? null });
      }
    };
    min('MinimumPasswordLength', p.MinimumPasswordLength, 'need ≥', true);
    min('PasswordReusePrevention', p.PasswordReusePrevention, 'need ≥', true);
    min('MaxPasswordAge', p.MaxPasswordAge, 'need ≤', false);
    if (fails.length > 0) return nonCompliant(fails.join('; '), ...ev);
    return compliant('password policy meets every requirement');
  },
);
