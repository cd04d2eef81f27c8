/**
 * Remove bucket ACL grants to the AllUsers and AuthenticatedUsers groups (the two grantees that make an ACL public),
 * keeping the owner's and every other grant — PutBucketAcl replaces the whole ACL, so the rest is written back.
 */
import type { Grant } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({ bucket: z.string().min(3).max(63) });
type Params = z.infer<typeof params>;

export const PUBLIC_GRANTEES = [
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
];

/** Pure: the grants to keep and those removed. */
export function splitPublicGrants(grants: Grant[]): { keep: Grant[]; removed: Grant[] } {
  const keep: Grant[] = [];
  const removed: Grant[] = [];
  for (const g of grants) (PUBLIC_GRANTEES.includes(g.Grantee?.URI ?? '') ? removed : keep).push(g);
  return { keep, removed };
}

export const s3RemovePublicAclGrants = defineAction<Params>({
  name: 's3-remove-public-acl-grants',
  category: 'data',
  title: 'Remove public ACL grants from a bucket',
  description: 'Rewrites the bucket ACL without grants to AllUsers or AuthenticatedUsers; other grants are kept.',
  params,
  permissions: ['s3:GetBucketAcl', 's3:PutBucketAcl'],
  undo: 's3:PutBucketAcl with the grants in observed.removed added back.',
  references: [
    'AWS Config rules s3-bucket-public-read-prohibited / s3-bucket-public-write-prohibited',
    'AWS Security Hub ASR playbook S3.2/S3.3',
    'Cloud Custodian s3 action remove-global-grants',
  ],
  target: (p) => `arn:aws:s3:::${p.bucket}`,
  async plan(p, ctx) {
    const { GetBucketAclCommand } = await import('@aws-sdk/client-s3');
    const s3 = await awsClient(ctx, 's3');
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: p.bucket }));
    const { keep, removed } = splitPublicGrants(acl.Grants ?? []);
    const calls = removed.length
      ? [
          call(
            's3:PutBucketAcl',
            { Bucket: p.bucket, AccessControlPolicy: { Owner: acl.Owner, Grants: keep } },
            `ACL grants ${removed.map((g) => `${g.Permission} to ${g.Grantee?.URI?.split('/').pop()}`).join(', ')}`,
          ),
        ]
      : [];
    return makePlan('s3-remove-public-acl-grants', `arn:aws:s3:::${p.bucket}`, calls, {
      grants: (acl.Grants ?? []).length,
      removed,
    });
  },
});
