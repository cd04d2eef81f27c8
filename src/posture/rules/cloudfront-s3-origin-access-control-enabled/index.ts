import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { DISTRIBUTION, originLabel, s3Origins } from '../cloudfront.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 'cloudfront-s3-origin-access-control-enabled',
    resourceTypes: [DISTRIBUTION],
    severity: 'MEDIUM',
    title: 'CloudFront S3 origins use origin access control',
    description:
      'Checks whether CloudFront distributions with Amazon S3 origins have origin access control (OAC) enabled.',
    risk: 'Without OAC the bucket must allow public or OAI access; OAC adds SigV4 signing and SSE-KMS support.',
    remediation:
      'Create an origin access control and set OriginAccessControlId on every S3 origin; grant it in the bucket policy.',
  },
  (ci) => {
    const s3 = s3Origins(ci);
    if (s3.length === 0) return notApplicable('the distribution has no S3 origin');
    const bad = s3.filter((o) => String(field(o, 'originAccessControlId') ?? '') === '');
    if (bad.length > 0)
      return nonCompliant(`S3 origin(s) without origin access control: ${bad.map(originLabel).join(', ')}`, {
        path: 'configuration.distributionConfig.origins.items[].originAccessControlId',
        value: bad.map(originLabel),
      });
    return compliant(`all ${s3.length} S3 origin(s) use origin access control`);
  },
);
