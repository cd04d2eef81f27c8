/**
 * S3 Block Public Access, bucket level (s3:PutBucketPublicAccessBlock) and account level (S3 Control
 * PutPublicAccessBlock). All four settings are turned on unless a parameter says otherwise; a setting already on is
 * never turned off (a remediation only tightens).
 */
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { defineAction } from './define.js';
import { isNotFound } from './policy-doc.js';
import { awsClient, call, makePlan } from './sdk.js';

const settings = {
  blockPublicAcls: z.boolean().default(true),
  ignorePublicAcls: z.boolean().default(true),
  blockPublicPolicy: z.boolean().default(true),
  restrictPublicBuckets: z.boolean().default(true),
};
const bucketParams = z.object({ bucket: z.string().min(3).max(63), ...settings });
const accountParams = z.object({ ...settings });
type Settings = z.infer<typeof accountParams>;

const KEYS = [
  ['BlockPublicAcls', 'blockPublicAcls'],
  ['IgnorePublicAcls', 'ignorePublicAcls'],
  ['BlockPublicPolicy', 'blockPublicPolicy'],
  ['RestrictPublicBuckets', 'restrictPublicBuckets'],
] as const;

/** Pure: the configuration to write (current OR requested), or undefined when nothing would change. */
export function decidePublicAccessBlock(
  p: Settings,
  current: PublicAccessBlockConfiguration | undefined,
): { config: Required<PublicAccessBlockConfiguration>; missing: string[] } | undefined {
  const config = {} as Required<PublicAccessBlockConfiguration>;
  const missing: string[] = [];
  for (const [api, param] of KEYS) {
    const on = p[param] || current?.[api] === true;
    config[api] = on;
    if (on && current?.[api] !== true) missing.push(api);
  }
  return missing.length ? { config, missing } : undefined;
}

/** The current settings, or undefined when none are set (S3 answers NoSuchPublicAccessBlockConfiguration). */
async function currentBlock(
  get: () => Promise<{ PublicAccessBlockConfiguration?: PublicAccessBlockConfiguration }>,
): Promise<PublicAccessBlockConfiguration | undefined> {
  try {
    return (await get()).PublicAccessBlockConfiguration;
  } catch (err) {
    if (!isNotFound(err, 'NoSuchPublicAccessBlockConfiguration')) throw err;
    return undefined;
  }
}

export const s3BlockPublicAccessBucket = defineAction<z.infer<typeof bucketParams>>({
  name: 's3-block-public-access-bucket',
  category: 'data',
  title: 'Enable S3 Block Public Access on a bucket',
  description:
    'Turns on the bucket-level Block Public Access settings (all four by default); settings already on stay on.',
  params: bucketParams,
  permissions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
  undo: 's3:PutBucketPublicAccessBlock with the previous settings (observed.current), or s3:DeleteBucketPublicAccessBlock (API DeletePublicAccessBlock) when there were none.',
  references: [
    'AWS Config remediation runbook AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock',
    'AWS Security Hub ASR playbook S3.8 (ConfigureS3BucketPublicAccessBlock)',
    'Cloud Custodian s3 action set-public-block',
  ],
  target: (p) => `arn:aws:s3:::${p.bucket}`,
  async plan(p, ctx) {
    const { GetPublicAccessBlockCommand } = await import('@aws-sdk/client-s3');
    const s3 = await awsClient(ctx, 's3');
    const current = await currentBlock(() => s3.send(new GetPublicAccessBlockCommand({ Bucket: p.bucket })));
    const d = decidePublicAccessBlock(p, current);
    const calls = d
      ? [
          call(
            's3:PutBucketPublicAccessBlock',
            { Bucket: p.bucket, PublicAccessBlockConfiguration: d.config },
            `bucket ${p.bucket} has ${d.missing.join(', ')} off`,
          ),
        ]
      : [];
    return makePlan('s3-block-public-access-bucket', `arn:aws:s3:::${p.bucket}`, calls, { current: current ?? null });
  },
});

export const s3BlockPublicAccessAccount = defineAction<Settings>({
  name: 's3-block-public-access-account',
  category: 'data',
  title: 'Enable S3 Block Public Access for the account',
  description:
    'Turns on the account-level Block Public Access settings through S3 Control (all four by default); they apply to every bucket in the account.',
  params: accountParams,
  permissions: ['s3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock'],
  undo: 's3:PutAccountPublicAccessBlock with the previous settings (observed.current), or s3:DeleteAccountPublicAccessBlock when there were none.',
  references: [
    'AWS Config rule s3-account-level-public-access-blocks-periodic',
    'AWS Security Hub ASR playbook S3.1 (ConfigureS3PublicAccessBlock)',
  ],
  testing:
    'moto_server through S3 Control with the endpoint used as given (S3 Control normally prefixes the host with the account id, which an emulator endpoint cannot take).',
  target: () => 'account',
  async plan(p, ctx) {
    const { GetPublicAccessBlockCommand } = await import('@aws-sdk/client-s3-control');
    const s3c = await awsClient(ctx, 's3control');
    const current = await currentBlock(() => s3c.send(new GetPublicAccessBlockCommand({ AccountId: ctx.accountId })));
    const d = decidePublicAccessBlock(p, current);
    const calls = d
      ? [
          call(
            's3:PutAccountPublicAccessBlock',
            { AccountId: ctx.accountId, PublicAccessBlockConfiguration: d.config },
            `account ${ctx.accountId} has ${d.missing.join(', ')} off`,
          ),
        ]
      : [];
    return makePlan('s3-block-public-access-account', `arn:aws:s3:::account/${ctx.accountId}`, calls, {
      current: current ?? null,
    });
  },
});
