/**
 * Tag a resource (mark it for follow-up, ownership, quarantine state). The Resource Groups Tagging API client is not a
 * dependency, so tagging goes through each service's own API: EC2 ids/ARNs, S3 buckets, IAM users and roles, RDS and
 * DynamoDB ARNs. Existing tags are kept (S3's PutBucketTagging replaces the whole set, so the current set is merged).
 */
import { z } from 'zod';
import type { PlannedCall } from '../action.js';
import { defineAction } from './define.js';
import { isNotFound } from './policy-doc.js';
import { awsClient, blockedPlan, call, makePlan } from './sdk.js';

const params = z.object({
  resource: z
    .string()
    .min(1)
    .describe('EC2 id (i-…, sg-…, vol-…) or ARN (EC2, S3 bucket, IAM user/role, RDS, DynamoDB)'),
  tags: z
    .record(z.string().min(1).max(128), z.string().max(256))
    .refine((t) => Object.keys(t).length > 0, 'give at least one tag'),
});
type Params = z.infer<typeof params>;

export type TagTarget =
  | { service: 'ec2'; id: string }
  | { service: 's3'; bucket: string }
  | { service: 'iam'; kind: 'user' | 'role'; name: string }
  | { service: 'rds'; arn: string }
  | { service: 'dynamodb'; arn: string };

const EC2_ID = /^(i|sg|vol|snap|vpc|subnet|eni|acl|ami|igw|rtb|nat|eipalloc|vpce|tgw|lt)-[0-9a-f]+$/;

/** Pure: which API tags this resource. */
export function resolveTagTarget(resource: string): TagTarget | undefined {
  if (EC2_ID.test(resource)) return { service: 'ec2', id: resource };
  const m = /^arn:aws[\w-]*:([\w-]+):[\w-]*:(\d*):(.+)$/.exec(resource);
  if (!m) return undefined;
  const [, service, , rest] = m;
  if (service === 'ec2') {
    const id = rest!.split('/').pop()!;
    return EC2_ID.test(id) ? { service: 'ec2', id } : undefined;
  }
  if (service === 's3' && !rest!.includes('/')) return { service: 's3', bucket: rest! };
  if (service === 'iam') {
    const [kind, ...path] = rest!.split('/');
    if ((kind === 'user' || kind === 'role') && path.length) return { service: 'iam', kind, name: path.pop()! };
    return undefined;
  }
  if (service === 'rds') return { service: 'rds', arn: resource };
  if (service === 'dynamodb' && rest!.startsWith('table/')) return { service: 'dynamodb', arn: resource };
  return undefined;
}

/** Pure: desired tags absent or different in the current set. */
export function missingTags(current: Record<string, string>, desired: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(desired).filter(([k, v]) => current[k] !== v));
}

const kv = (t: Record<string, string>) => Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
const fromKv = (list: { Key?: string; Value?: string }[] | undefined) =>
  Object.fromEntries((list ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

async function currentTags(t: TagTarget, ctx: Parameters<typeof awsClient>[0]): Promise<Record<string, string>> {
  switch (t.service) {
    case 'ec2': {
      const { DescribeTagsCommand } = await import('@aws-sdk/client-ec2');
      const c = await awsClient(ctx, 'ec2');
      return fromKv(
        (await c.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [t.id] }] }))).Tags,
      );
    }
    case 's3': {
      const { GetBucketTaggingCommand } = await import('@aws-sdk/client-s3');
      const c = await awsClient(ctx, 's3');
      try {
        return fromKv((await c.send(new GetBucketTaggingCommand({ Bucket: t.bucket }))).TagSet);
      } catch (err) {
        if (isNotFound(err, 'NoSuchTagSet')) return {};
        throw err;
      }
    }
    case 'iam': {
      const iam = await import('@aws-sdk/client-iam');
      const c = await awsClient(ctx, 'iam');
      const out =
        t.kind === 'user'
          ? await c.send(new iam.ListUserTagsCommand({ UserName: t.name }))
          : await c.send(new iam.ListRoleTagsCommand({ RoleName: t.name }));
      return fromKv(out.Tags);
    }
    case 'rds': {
      const { ListTagsForResourceCommand } = await import('@aws-sdk/client-rds');
      const c = await awsClient(ctx, 'rds');
      return fromKv((await c.send(new ListTagsForResourceCommand({ ResourceName: t.arn }))).TagList);
    }
    case 'dynamodb': {
      const { ListTagsOfResourceCommand } = await import('@aws-sdk/client-dynamodb');
      const c = await awsClient(ctx, 'dynamodb');
      return fromKv((await c.send(new ListTagsOfResourceCommand({ ResourceArn: t.arn }))).Tags);
    }
  }
}

/** Pure: the tagging call for a target. */
export function tagCall(t: TagTarget, add: Record<string, string>, current: Record<string, string>): PlannedCall {
  const why = `missing or different tags: ${Object.keys(add).join(', ')}`;
  switch (t.service) {
    case 'ec2':
      return call('ec2:CreateTags', { Resources: [t.id], Tags: kv(add) }, why);
    case 's3':
      return call('s3:PutBucketTagging', { Bucket: t.bucket, Tagging: { TagSet: kv({ ...current, ...add }) } }, why);
    case 'iam':
      return t.kind === 'user'
        ? call('iam:TagUser', { UserName: t.name, Tags: kv(add) }, why)
        : call('iam:TagRole', { RoleName: t.name, Tags: kv(add) }, why);
    case 'rds':
      return call('rds:AddTagsToResource', { ResourceName: t.arn, Tags: kv(add) }, why);
    case 'dynamodb':
      return call('dynamodb:TagResource', { ResourceArn: t.arn, Tags: kv(add) }, why);
  }
}

export const tagResource = defineAction<Params>({
  name: 'tag-resource',
  category: 'generic',
  title: 'Tag a resource',
  description:
    "Adds tags to an EC2 resource, S3 bucket, IAM user/role, RDS or DynamoDB resource through the service's own tagging API; existing tags are kept.",
  params,
  permissions: [
    'dynamodb:ListTagsOfResource',
    'dynamodb:TagResource',
    'ec2:CreateTags',
    'ec2:DescribeTags',
    'iam:ListRoleTags',
    'iam:ListUserTags',
    'iam:TagRole',
    'iam:TagUser',
    'rds:AddTagsToResource',
    'rds:ListTagsForResource',
    's3:GetBucketTagging',
    's3:PutBucketTagging',
  ],
  undo: "Remove the added keys with the service's untag call (ec2:DeleteTags, iam:UntagUser, …); observed.current has the previous values.",
  references: ['Cloud Custodian action tag / mark-for-op', 'AWS Resource Groups Tagging API TagResources (not used)'],
  target: (p) => p.resource,
  async plan(p, ctx) {
    const t = resolveTagTarget(p.resource);
    if (!t) return blockedPlan('tag-resource', p.resource, `cannot tag ${p.resource}: unsupported resource type`);
    const current = await currentTags(t, ctx);
    const add = missingTags(current, p.tags);
    const calls = Object.keys(add).length ? [tagCall(t, add, current)] : [];
    return makePlan('tag-resource', p.resource, calls, { service: t.service, current });
  },
});
