import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { DISTRIBUTION, distConfig } from '../cloudfront.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'cloudfront-accesslogs-enabled',
    resourceTypes: [DISTRIBUTION],
    parameters: [{ name: 'S3BucketName', type: 'string', description: 'Bucket the access logs must go to' }],
    severity: 'MEDIUM',
    title: 'CloudFront distributions write access logs',
    description:
      'Checks whether CloudFront distributions deliver standard access logs to an S3 bucket (the given one).',
    risk: 'Without access logs there is no record of who fetched what through the CDN.',
    remediation: 'Enable standard logging in the distribution (Logging.Enabled=true, Bucket=BUCKET.s3.amazonaws.com).',
  },
  (ci, p) => {
    const log = field(distConfig(ci), 'logging');
    const enabled = bool(field(log, 'enabled')) === true;
    const bucket = String(field(log, 'bucket') ?? '');
    if (!enabled || bucket === '')
      return nonCompliant('access logging is disabled', {
        path: 'configuration.distributionConfig.logging.enabled',
        value: enabled,
      });
    // The recorded bucket is the bucket's domain name, e.g. logs.s3.amazonaws.com.
    const name = bucket.replace(/\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/, '');
    if (typeof p.S3BucketName === 'string' && p.S3BucketName !== name)
      return nonCompliant(`access logs go to ${name}, not ${p.S3BucketName}`, {
        path: 'configuration.distributionConfig.logging.bucket',
        value: bucket,
      });
    return compliant(`access logs go to ${name}`, {
      path: 'configuration.distributionConfig.logging.bucket',
      value: bucket,
    });
  },
);
