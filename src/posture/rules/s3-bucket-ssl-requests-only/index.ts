import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { bucketPolicy, stmtLabel } from '../s3.js';
import { actionMatches, field, isObj, isPublicPrincipal } from '../util.js';

export const rule = defineRule(
  {
    name: 's3-bucket-ssl-requests-only',
    resourceTypes: ['AWS::S3::Bucket'],
    severity: 'MEDIUM',
    title: 'S3 bucket policies deny requests that do not use TLS',
    description:
      'Checks whether S3 buckets have policies that require requests to use SSL/TLS (aws:SecureTransport false → Deny).',
    risk: 'Plain-HTTP requests expose data and credentials-derived signatures to interception.',
    remediation: 'Add a Deny statement for s3:* on the bucket and its objects when aws:SecureTransport is false.',
    runbook: 'AWSConfigRemediation-RestrictBucketSSLRequestsOnly',
    frameworks: ['cis-aws-4.0.1:2.1.1'],
  },
  (ci) => {
    const pol = bucketPolicy(ci);
    if (pol.statements === undefined) return insufficient('bucket policy could not be parsed');
    for (const s of pol.statements) {
      if (s.effect !== 'Deny' || !isPublicPrincipal(s.principal)) continue;
      if (!s.actions.some((a) => actionMatches(a, 's3:GetObject') && actionMatches(a, 's3:PutObject'))) continue;
      const b = s.condition && field(s.condition, 'Bool');
      const v = isObj(b) ? Object.entries(b).find(([k]) => k.toLowerCase() === 'aws:securetransport')?.[1] : undefined;
      if (String(v) === 'false')
        return compliant(`${stmtLabel(s)} denies requests with aws:SecureTransport false`, {
          path: `supplementaryConfiguration.BucketPolicy.policyText.Statement[${s.index}]`,
          value: s.condition,
        });
    }
    return nonCompliant(
      pol.statements.length === 0 ? 'bucket has no policy' : 'no Deny statement for aws:SecureTransport false',
      { path: 'supplementaryConfiguration.BucketPolicy', value: pol.statements.length },
    );
  },
);
