import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 's3-bucket-versioning-enabled',
    resourceTypes: ['AWS::S3::Bucket'],
    parameters: [{ name: 'isMfaDeleteEnabled', type: 'boolean', description: 'Also require MFA delete' }],
    severity: 'MEDIUM',
    title: 'S3 bucket versioning is enabled',
    description: 'Checks whether versioning is enabled for S3 buckets (and optionally MFA delete).',
    risk: 'Without versioning, overwritten or deleted objects (ransomware, mistakes) cannot be recovered.',
    remediation: 'Enable versioning on the bucket.',
    frameworks: ['cis-aws-4.0.1:2.1.2'],
  },
  (ci, p) => {
    const v = ci.supplementaryConfiguration.BucketVersioningConfiguration;
    const status = field(v, 'status');
    const ev = { path: 'supplementaryConfiguration.BucketVersioningConfiguration.status', value: status ?? null };
    if (status !== 'Enabled') return nonCompliant(`versioning is ${String(status ?? 'Off')}`, ev);
    const mfa = bool(field(v, 'isMfaDeleteEnabled')) ?? field(v, 'mfaDelete') === 'Enabled';
    if (p.isMfaDeleteEnabled === true && !mfa)
      return nonCompliant('versioning enabled but MFA delete is off', {
        path: 'supplementaryConfiguration.BucketVersioningConfiguration.isMfaDeleteEnabled',
        value: mfa,
      });
    return compliant('versioning is Enabled', ev);
  },
);
