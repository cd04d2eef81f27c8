import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { DISTRIBUTION, originLabel, s3Origins } from '../cloudfront.js';
import { path } from '../util.js';

export const rule = defineRule(
  {
    name: 'cloudfront-origin-access-identity-enabled',
    resourceTypes: [DISTRIBUTION],
    severity: 'MEDIUM',
    title: 'CloudFront S3 origins use an origin access identity',
    description:
      'Checks whether CloudFront distributions with Amazon S3 origins have an origin access identity (OAI) configured.',
    risk: 'Without OAI (or OAC) the bucket must be public for CloudFront to read it, so the CDN can be bypassed.',
    remediation:
      'Give each S3 origin an origin access identity (or, preferred today, origin access control) and restrict the bucket policy to it.',
  },
  (ci) => {
    const s3 = s3Origins(ci);
    if (s3.length === 0) return notApplicable('the distribution has no S3 origin');
    const bad = s3.filter((o) => String(path(o, 's3OriginConfig.originAccessIdentity') ?? '') === '');
    if (bad.length > 0)
      return nonCompliant(`S3 origin(s) without an origin access identity: ${bad.map(originLabel).join(', ')}`, {
        path: 'configuration.distributionConfig.origins.items[].s3OriginConfig.originAccessIdentity',
        value: bad.map(originLabel),
      });
    return compliant(`all ${s3.length} S3 origin(s) use an origin access identity`);
  },
);
