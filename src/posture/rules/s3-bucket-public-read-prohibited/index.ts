import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { aclGrants, bucketPolicy, effectiveBlock, publicStatement, READ_ACTIONS, stmtLabel } from '../s3.js';

const PUBLIC = new Set(['AllUsers', 'AuthenticatedUsers']);
const PERMS = new Set(['read', 'fullcontrol']);

/** ACL grants and bucket policy, each overridden by bucket- or account-level Block Public Access (config-rules.md §5). */
export const rule = defineRule(
  {
    name: 's3-bucket-public-read-prohibited',
    resourceTypes: ['AWS::S3::Bucket'],
    triggers: ['ConfigurationChange', 'Periodic'],
    severity: 'CRITICAL',
    title: 'S3 buckets do not allow public read access',
    description:
      'Checks that S3 buckets do not allow public read access through Block Public Access settings, the bucket policy and the bucket ACL.',
    risk: 'Public read access to a bucket is the most common cause of cloud data leaks and tampering.',
    remediation: 'Enable Block Public Access; remove AllUsers/AuthenticatedUsers grants and Principal "*" statements.',
    runbook: 'AWS-DisableS3BucketPublicReadWrite',
  },
  (ci, _p, ctx) => {
    const block = effectiveBlock(ci, ctx);
    if (!block.ignorePublicAcls) {
      const g = aclGrants(ci).find((x) => PUBLIC.has(x.grantee) && PERMS.has(x.permission));
      if (g)
        return nonCompliant(`ACL grants ${g.permission} to ${g.grantee}`, {
          path: 'supplementaryConfiguration.AccessControlList',
          value: g,
        });
    }
    const pol = bucketPolicy(ci);
    if (pol.statements === undefined)
      return insufficient('bucket policy could not be parsed', {
        path: 'supplementaryConfiguration.BucketPolicy',
        value: pol.text,
      });
    if (!block.restrictPublicBuckets) {
      const hit = publicStatement(pol.statements, READ_ACTIONS);
      if (hit)
        return nonCompliant(
          `bucket policy ${stmtLabel(hit.stmt)} allows ${hit.action} to Principal "*" without a restricting condition`,
          {
            path: `supplementaryConfiguration.BucketPolicy.policyText.Statement[${hit.stmt.index}]`,
            value: { Action: hit.stmt.actions, Principal: hit.stmt.principal },
          },
        );
    }
    return compliant(
      block.source
        ? `no effective public read access (block public access: ${block.source})`
        : 'no public read grant in ACL or policy',
    );
  },
);
