import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { userCredentials } from '../iam.js';
import { daysSince } from '../util.js';

export const rule = defineRule(
  {
    name: 'iam-user-unused-credentials-check',
    resourceTypes: ['AWS::IAM::User'],
    triggers: ['Periodic'],
    parameters: [
      { name: 'maxCredentialUsageAge', type: 'int', default: '90', required: true, description: 'Maximum days unused' },
    ],
    severity: 'MEDIUM',
    title: 'IAM user passwords and active access keys were used within maxCredentialUsageAge days',
    description:
      'Checks whether IAM users have passwords or active access keys that have not been used within the given days.',
    risk: 'Dormant credentials are rarely watched and often belong to people who have left.',
    remediation: 'Deactivate unused keys and remove unused login profiles.',
    runbook: 'AWSConfigRemediation-RevokeUnusedIAMUserCredentials',
    frameworks: ['cis-aws-4.0.1:1.12'],
  },
  (ci, p, ctx) => {
    const c = userCredentials(ci, ctx);
    if (!c || c.passwordEnabled === undefined || c.keys === undefined)
      return insufficient('login profile or access keys were not collected for this user');
    const max = p.maxCredentialUsageAge as number;
    const active = c.keys.filter((k) => k.active);
    if (!c.passwordEnabled && active.length === 0) return notApplicable('user has no password and no active key');
    if (c.passwordEnabled) {
      // Never used: the age counts from the user's creation, as AWS does.
      const used = c.passwordLastUsed ?? c.created;
      const d = daysSince(used, ctx.now);
      if (d !== undefined && d > max)
        return nonCompliant(
          `password ${c.passwordLastUsed ? 'last used' : 'never used, created'} ${d} days ago (max ${max})`,
          {
            path: 'configuration.passwordLastUsed',
            value: c.passwordLastUsed ?? null,
          },
        );
    }
    for (const k of active) {
      const d = daysSince(k.lastUsed ?? k.created, ctx.now);
      if (d !== undefined && d > max)
        return nonCompliant(
          `access key ${k.id} ${k.lastUsed ? 'last used' : 'never used, created'} ${d} days ago (max ${max})`,
          {
            path: 'supplementaryConfiguration.AccessKeys',
            value: { accessKeyId: k.id, lastUsedDate: k.lastUsed ?? null },
          },
        );
    }
    return compliant(`all credentials used within ${max} days`);
  },
);
