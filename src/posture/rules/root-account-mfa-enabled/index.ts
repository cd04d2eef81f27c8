import type { AccountFacts } from '../../model.js';
import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { reportRow } from '../iam.js';

export const rule = defineRule(
  {
    name: 'root-account-mfa-enabled',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    severity: 'CRITICAL',
    title: 'The root user has MFA enabled',
    description:
      'Checks whether the root user of the AWS account requires multi-factor authentication for console sign-in.',
    risk: 'A root password alone gives unrestricted, unrecoverable control of the account.',
    remediation: 'Sign in as root and assign an MFA device (hardware or passkey preferred).',
    frameworks: ['cis-aws-4.0.1:1.5'],
  },
  (ci, _p, ctx) => {
    const summary = (ci.configuration as AccountFacts).accountSummary;
    const v = summary?.AccountMFAEnabled;
    if (v !== undefined)
      return v === 1
        ? compliant('AccountMFAEnabled is 1', { path: 'configuration.accountSummary.AccountMFAEnabled', value: v })
        : nonCompliant('root user has no MFA device (AccountMFAEnabled 0)', {
            path: 'configuration.accountSummary.AccountMFAEnabled',
            value: v,
          });
    const root = reportRow(ctx, ci.resourceId, '<root_account>');
    if (root)
      return root.mfa_active === 'true'
        ? compliant('credential report: root mfa_active true', {
            path: 'credentialReport.<root_account>.mfa_active',
            value: 'true',
          })
        : nonCompliant('credential report: root mfa_active false', {
            path: 'credentialReport.<root_account>.mfa_active',
            value: root.mfa_active,
          });
    return insufficient('neither the account summary nor the credential report was collected');
  },
);
