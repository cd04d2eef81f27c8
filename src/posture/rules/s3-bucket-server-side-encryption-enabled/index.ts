import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { arr, field, path } from '../util.js';

export const rule = defineRule(
  {
    name: 's3-bucket-server-side-encryption-enabled',
    resourceTypes: ['AWS::S3::Bucket'],
    severity: 'MEDIUM',
    title: 'S3 buckets have default server-side encryption',
    description:
      'Checks whether the S3 bucket has default encryption enabled or its policy denies put-object requests without server-side encryption.',
    risk: 'Objects written without encryption are stored in the clear.',
    remediation: 'Configure default encryption (SSE-S3 or SSE-KMS) on the bucket.',
    runbook: 'AWS-EnableS3BucketEncryption',
  },
  (ci) => {
    const sse = ci.supplementaryConfiguration.ServerSideEncryptionConfiguration;
    for (const r of arr(field(sse, 'rules'))) {
      const alg = path(r, 'applyServerSideEncryptionByDefault.sseAlgorithm');
      if (typeof alg === 'string' && alg !== '')
        return compliant(`default encryption ${alg}`, {
          path: 'supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[].applyServerSideEncryptionByDefault.sseAlgorithm',
          value: alg,
        });
    }
    return nonCompliant('no default server-side encryption rule', {
      path: 'supplementaryConfiguration.ServerSideEncryptionConfiguration',
      value: sse ?? null,
    });
  },
);
