import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { userCredentials } from '../iam.js';

export const rule = defineRule(
  {
    name: 'iam-user-mfa-enabled',
    resourceTypes: ['AWS::IAM::User'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'IAM users have MFA enabled',
    description: 'Checks whether the IAM users have multi-factor authentication (MFA) enabled.',
    risk: 'A stolen password alone is enough to sign in as a user without MFA.',
    remediation: 'Assign a virtual, hardware or passkey MFA device to the user.',
  },
  (ci, _p, ctx) => {
    const c = userCredentials(ci, ctx);
    if (c?.mfa === undefined) return insufficient('MFA devices were not collected for this user');
    return c.mfa
      ? compliant(`user has an MFA device (${c.source})`)
      : nonCompliant(`user has no MFA device (${c.source})`, {
          path: 'supplementaryConfiguration.MfaDevices',
          value: [],
        });
  },
);
