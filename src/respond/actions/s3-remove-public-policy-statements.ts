/**
 * Remove bucket-policy statements that allow everyone (`Principal: "*"` or `{"AWS": "*"}`), keep the rest, and delete
 * the policy when nothing is left. Deny statements with `*` are protective (e.g. "deny non-TLS") and are kept. An
 * Allow-`*` statement restricted by a condition on an identifying key (source VPC/VPCE/IP, organisation, account,
 * source ARN) is not public by S3's own definition and is kept too.
 */
import { z } from 'zod';
import { defineAction } from './define.js';
import { isNotFound } from './policy-doc.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({ bucket: z.string().min(3).max(63) });
type Params = z.infer<typeof params>;

/** Condition keys that make an Allow-* statement non-public (S3 "public" policy evaluation). */
const RESTRICTING_KEYS = [
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceip',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceowner',
  'aws:principalarn',
  'aws:userid',
  'aws:sourceorgid',
];

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
}

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') {
    const aws = (principal as { AWS?: unknown }).AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  }
  return false;
}

function restricted(st: Statement): boolean {
  for (const op of Object.values(st.Condition ?? {})) {
    for (const key of Object.keys(op ?? {})) if (RESTRICTING_KEYS.includes(key.toLowerCase())) return true;
  }
  return false;
}

/** Pure: statements kept and removed. */
export function splitPublicStatements(policy: { Statement?: unknown }): { keep: Statement[]; removed: Statement[] } {
  const list = (
    Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : []
  ) as Statement[];
  const keep: Statement[] = [];
  const removed: Statement[] = [];
  for (const st of list)
    (st.Effect === 'Allow' && isEveryone(st.Principal) && !restricted(st) ? removed : keep).push(st);
  return { keep, removed };
}

export const s3RemovePublicPolicyStatements = defineAction<Params>({
  name: 's3-remove-public-policy-statements',
  category: 'data',
  title: 'Remove public statements from a bucket policy',
  description:
    'Removes Allow statements whose principal is everyone (and that no source/organisation condition restricts); keeps every other statement; deletes the policy when none remain.',
  params,
  permissions: ['s3:DeleteBucketPolicy', 's3:GetBucketPolicy', 's3:PutBucketPolicy'],
  undo: 's3:PutBucketPolicy with observed.policy (the full policy before the change).',
  references: [
    'AWS Config rule s3-bucket-level-public-access-prohibited / s3-bucket-public-read-prohibited',
    'Cloud Custodian s3 action remove-statements (statement_ids: matched)',
  ],
  target: (p) => `arn:aws:s3:::${p.bucket}`,
  async plan(p, ctx) {
    const name = 's3-remove-public-policy-statements';
    const { GetBucketPolicyCommand } = await import('@aws-sdk/client-s3');
    const s3 = await awsClient(ctx, 's3');
    let text: string | undefined;
    try {
      text = (await s3.send(new GetBucketPolicyCommand({ Bucket: p.bucket }))).Policy;
    } catch (err) {
      if (!isNotFound(err, 'NoSuchBucketPolicy')) throw err;
    }
    if (!text) return makePlan(name, `arn:aws:s3:::${p.bucket}`, [], { policy: null });
    const policy = JSON.parse(text) as { Statement?: unknown };
    const { keep, removed } = splitPublicStatements(policy);
    const why = `statements ${removed.map((s, i) => s.Sid ?? `#${i}`).join(', ')} allow everyone`;
    const calls = !removed.length
      ? []
      : keep.length
        ? [
            call(
              's3:PutBucketPolicy',
              { Bucket: p.bucket, Policy: JSON.stringify({ ...policy, Statement: keep }) },
              why,
            ),
          ]
        : [call('s3:DeleteBucketPolicy', { Bucket: p.bucket }, `${why}; no statement would remain`)];
    return makePlan(name, `arn:aws:s3:::${p.bucket}`, calls, { policy, removed: removed.length, kept: keep.length });
  },
});
