import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { bool, field } from '../util.js';

const FLAGS = ['blockPublicAcls', 'ignorePublicAcls', 'blockPublicPolicy', 'restrictPublicBuckets'];

export const rule = defineRule(
  {
    name: 's3-bucket-level-public-access-prohibited',
    resourceTypes: ['AWS::S3::Bucket'],
    parameters: [{ name: 'excludedPublicBuckets', type: 'list', description: 'Buckets allowed to be public' }],
    severity: 'HIGH',
    title: 'S3 buckets have all four bucket-level Block Public Access settings',
    description: 'Checks whether S3 buckets are blocked from public access at bucket level.',
    risk: 'Without bucket-level blocks a single ACL or policy change can expose the bucket.',
    remediation: 'aws s3api put-public-access-block --bucket <b> with all four settings true.',
    runbook: 'AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock',
  },
  (ci, p) => {
    if (Array.isArray(p.excludedPublicBuckets) && p.excludedPublicBuckets.includes(ci.resourceId))
      return notApplicable('bucket is in excludedPublicBuckets');
    const cfg = ci.supplementaryConfiguration.PublicAccessBlockConfiguration;
    const off = FLAGS.filter((f) => bool(field(cfg, f)) !== true);
    const ev = { path: 'supplementaryConfiguration.PublicAccessBlockConfiguration', value: cfg ?? null };
    if (off.length > 0)
      return nonCompliant(
        cfg ? `bucket-level ${off.join(', ')} not enabled` : 'no bucket-level public access block',
        ev,
      );
    return compliant('all four bucket-level settings enabled', ev);
  },
);
