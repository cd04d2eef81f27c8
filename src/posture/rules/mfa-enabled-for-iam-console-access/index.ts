import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { userCredentials } from '../iam.js';

export const rule = defineRule(
  {
    name: 'mfa-enabled-for-iam-console-access',
    resourceTypes: ['AWS::IAM::User'],
    triggers: ['Periodic'],
    severity: 'HIGH',
    title: 'IAM users with a console password have MFA',
    description: 'Checks whether MFA is enabled for all IAM users that use a console password.',
    risk: 'Console users without MFA are the usual target of phishing and password spraying.',
    remediation: 'Enforce MFA for console users, or remove their login profile.',
    frameworks: ['cis-aws-4.0.1:1.10'],
  },
  (ci, _p, ctx) => {
    const c = userCredentials(ci, ctx);
    if (c?.passwordEnabled === undefined || c.mfa === undefined)
      return insufficient('login profile or MFA devices were not collected for this user');
    if (!c.passwordEnabled) return notApplicable('user has no console password');
    return c.mfa
      ? compliant('console user has MFA')
      : nonCompliant('user has a console password and no MFA device', {
          path: 'supplementaryConfiguration.LoginProfile',
          value: 'present',
        });
  },
);
