import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { userCredentials } from '../iam.js';
import { daysSince } from '../util.js';

export const rule = defineRule(
  {
    name: 'access-keys-rotated',
    resourceTypes: ['AWS::IAM::User'],
    triggers: ['Periodic'],
    parameters: [
      { name: 'maxAccessKeyAge', type: 'int', default: '90', required: true, description: 'Maximum key age in days' },
    ],
    severity: 'MEDIUM',
    title: 'Active IAM access keys are rotated within maxAccessKeyAge days',
    description:
      'Checks whether active IAM access keys are rotated (changed) within the number of days in maxAccessKeyAge.',
    risk: 'Old long-lived keys are more likely to have leaked into code, logs or laptops.',
    remediation: 'Create a new key, move consumers to it, deactivate and delete the old one.',
    frameworks: ['cis-aws-4.0.1:1.14'],
  },
  (ci, p, ctx) => {
    const c = userCredentials(ci, ctx);
    if (!c?.keys) return insufficient('access keys were not collected for this user');
    const active = c.keys.filter((k) => k.active);
    if (active.length === 0) return notApplicable('user has no active access key');
    const max = p.maxAccessKeyAge as number;
    for (const k of active) {
      const age = daysSince(k.created, ctx.now);
      if (age === undefined) return insufficient(`creation date of key ${k.id} unknown`);
      if (age > max)
        return nonCompliant(`active access key ${k.id} is ${age} days old (max ${max})`, {
          path: 'supplementaryConfiguration.AccessKeys',
          value: { accessKeyId: k.id, createDate: k.created, ageDays: age },
        });
    }
    return compliant(`${active.length} active key(s), all at most ${max} days old`);
  },
);
