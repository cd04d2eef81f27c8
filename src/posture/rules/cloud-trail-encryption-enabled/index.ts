import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { trailsOf } from '../trail.js';

export const rule = defineRule(
  {
    name: 'cloud-trail-encryption-enabled',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'CloudTrail trails encrypt logs with a KMS key',
    description:
      'Checks whether AWS CloudTrail is configured to use server-side encryption with an AWS KMS key (KmsKeyId set).',
    risk: 'Trail logs readable by anyone with bucket access disclose the whole account activity.',
    remediation: 'aws cloudtrail update-trail --kms-key-id <key>',
    frameworks: ['cis-aws-4.0.1:3.5'],
  },
  (ci, _p, ctx) => {
    if (!ctx.known('AWS::CloudTrail::Trail')) return insufficient('CloudTrail trails were not collected');
    const trails = trailsOf(ctx, ci.resourceId);
    if (trails.length === 0) return nonCompliant('no CloudTrail trail in the account');
    const bad = trails.filter((t) => !t.kmsKeyId);
    if (bad.length > 0)
      return nonCompliant(`trail(s) without KmsKeyId: ${bad.map((t) => t.name).join(', ')}`, {
        path: 'AWS::CloudTrail::Trail.kmsKeyId',
        value: bad.map((t) => t.name),
      });
    return compliant(`all ${trails.length} trail(s) use a KMS key`);
  },
);
