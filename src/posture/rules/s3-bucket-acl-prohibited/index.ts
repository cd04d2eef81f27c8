import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { aclGrants } from '../s3.js';
import { field, path } from '../util.js';

export const rule = defineRule(
  {
    name: 's3-bucket-acl-prohibited',
    resourceTypes: ['AWS::S3::Bucket'],
    severity: 'MEDIUM',
    title: 'S3 buckets do not grant access through ACLs',
    description:
      'Checks whether S3 buckets give permissions through access control lists (any grant beyond the owner’s own full control).',
    risk: 'ACL grants bypass bucket-policy review and are the classic path to accidental public or cross-account access.',
    remediation:
      'aws s3api put-bucket-ownership-controls --ownership-controls Rules=[{ObjectOwnership=BucketOwnerEnforced}] (disables ACLs)',
  },
  (ci) => {
    const own = path(ci.supplementaryConfiguration.BucketOwnershipControls, 'rules');
    if (Array.isArray(own) && own.some((r) => field(r, 'objectOwnership') === 'BucketOwnerEnforced'))
      return compliant('ACLs are disabled (Object Ownership BucketOwnerEnforced)', {
        path: 'supplementaryConfiguration.BucketOwnershipControls',
        value: 'BucketOwnerEnforced',
      });
    const acl = ci.supplementaryConfiguration.AccessControlList;
    if (acl === undefined) return insufficient('bucket ACL not recorded');
    const owner = String(path(acl, 'owner.id') ?? '');
    const others = aclGrants(ci).filter((g) => g.grantee !== owner);
    const ev = { path: 'supplementaryConfiguration.AccessControlList.grantList', value: others };
    if (others.length > 0)
      return nonCompliant(
        `ACL grants ${others.map((g) => `${g.permission} to ${g.grantee}`).join(', ')}`.slice(0, 240),
        ev,
      );
    return compliant('the ACL grants access only to the bucket owner', ev);
  },
);
