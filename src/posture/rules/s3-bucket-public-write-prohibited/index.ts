import { defineRule } from '../../rule.js';
import { publicAccessCheck } from '../s3.js';

export const rule = defineRule(
  {
    name: 's3-bucket-public-write-prohibited',
    resourceTypes: ['AWS::S3::Bucket'],
    triggers: ['ConfigurationChange', 'Periodic'],
    severity: 'CRITICAL',
    title: 'S3 buckets do not allow public write access',
    description:
      'Checks that S3 buckets do not allow public write access through Block Public Access settings, the bucket policy and the bucket ACL.',
    risk: 'Public write access to a bucket is the most common cause of cloud data leaks and tampering.',
    remediation: 'Enable Block Public Access; remove AllUsers/AuthenticatedUsers grants and Principal "*" statements.',
    runbook: 'AWS-DisableS3BucketPublicReadWrite',
  },
  publicAccessCheck('write'),
);
