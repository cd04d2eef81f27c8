import type { AccountFacts } from '../../model.js';
import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { reportRow } from '../iam.js';

export const rule = defineRule(
  {
    name: 'iam-root-access-key-check',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    severity: 'CRITICAL',
    title: 'The root user has no access keys',
    description: 'Checks whether the root user access key is available (NON_COMPLIANT when it exists).',
    risk: 'A leaked root access key gives programmatic, unrestricted control of the account.',
    remediation: 'Delete the root user access keys; use IAM roles instead.',
    frameworks: ['cis-aws-4.0.1:1.4'],
  },
  (ci, _p, ctx) => {
    const v = (ci.configuration as AccountFacts).accountSummary?.AccountAccessKeysPresent;
    if (v !== undefined)
      return v === 0
        ? compliant('AccountAccessKeysPresent is 0', {
            path: 'configuration.accountSummary.AccountAccessKeysPresent',
            value: v,
          })
        : nonCompliant('root user has access keys (AccountAccessKeysPresent 1)', {
            path: 'configuration.accountSummary.AccountAccessKeysPresent',
            value: v,
          });
    const root = reportRow(ctx, ci.resourceId, '<root_account>');
    if (root) {
      const active = [1, 2].filter((n) => root[`access_key_${n}_active`] === 'true');
      return active.length > 0
        ? nonCompliant(`credential report: root access key ${active.join(' and ')} active`, {
            path: 'credentialReport.<root_account>',
            value: active,
          })
        : compliant('credential report: no active root access key');
    }
    return insufficient('neither the account summary nor the credential report was collected');
  },
);
