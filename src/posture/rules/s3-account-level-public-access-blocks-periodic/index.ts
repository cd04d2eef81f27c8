import type { AccountFacts } from '../../model.js';
import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';

const FLAGS = ['IgnorePublicAcls', 'BlockPublicPolicy', 'BlockPublicAcls', 'RestrictPublicBuckets'] as const;

export const rule = defineRule(
  {
    name: 's3-account-level-public-access-blocks-periodic',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    parameters: FLAGS.map((f) => ({
      name: f,
      type: 'boolean' as const,
      default: 'True',
      description: `Require ${f} at account level`,
    })),
    severity: 'HIGH',
    title: 'Account-level S3 Block Public Access is configured',
    description: 'Checks whether the required public access block settings are configured at the account level.',
    risk: 'Without account-level blocks any new bucket can be made public by one policy or ACL change.',
    remediation: 'aws s3control put-public-access-block with all four settings true.',
    runbook: 'AWSConfigRemediation-ConfigureS3PublicAccessBlock',
    frameworks: ['cis-aws-4.0.1:2.1.4'],
  },
  (ci, p) => {
    const f = (ci.configuration as AccountFacts).s3PublicAccessBlock;
    if (f === undefined) return insufficient('account public access block was not collected');
    const cfg = f ?? {};
    const missing = FLAGS.filter(
      (k) => p[k] !== false && cfg[k[0]!.toLowerCase() + k.slice(1)] !== true && cfg[k] !== true,
    );
    if (missing.length > 0)
      return nonCompliant(
        f === null ? 'no account-level public access block' : `account-level ${missing.join(', ')} not enabled`,
        {
          path: 'configuration.s3PublicAccessBlock',
          value: f,
        },
      );
    return compliant('account-level public access block is fully enabled', {
      path: 'configuration.s3PublicAccessBlock',
      value: f,
    });
  },
);
