/**
 * Enable bucket default encryption: SSE-S3 (AES256), or SSE-KMS with the given key (S3 Bucket Key on by default to
 * cut KMS request costs). Since January 2023 AWS applies SSE-S3 to every new bucket, so SSE-S3 is usually a no-op;
 * the KMS form is what the s3-default-encryption-kms rule asks for.
 */
import type { ServerSideEncryptionRule } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { defineAction } from './define.js';
import { isNotFound } from './policy-doc.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({
  bucket: z.string().min(3).max(63),
  kmsKeyId: z.string().min(1).optional().describe('KMS key id/ARN/alias; absent = SSE-S3 (AES256)'),
  bucketKeyEnabled: z.boolean().default(true),
});
type Params = z.infer<typeof params>;

/** Pure: the encryption rule to write, or undefined when the current default already matches. */
export function decideEncryption(p: Params, rules: ServerSideEncryptionRule[]): ServerSideEncryptionRule | undefined {
  const cur = rules[0]?.ApplyServerSideEncryptionByDefault;
  if (p.kmsKeyId) {
    const ok = cur?.SSEAlgorithm?.startsWith('aws:kms') && cur.KMSMasterKeyID === p.kmsKeyId;
    if (ok) return undefined;
    return {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: p.kmsKeyId },
      BucketKeyEnabled: p.bucketKeyEnabled,
    };
  }
  // Any default encryption satisfies the SSE-S3 request; KMS is stronger and is not downgraded.
  if (cur?.SSEAlgorithm) return undefined;
  return { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };
}

export const s3EnableDefaultEncryption = defineAction<Params>({
  name: 's3-enable-default-encryption',
  category: 'data',
  title: 'Enable S3 default encryption',
  description:
    'Sets the bucket default encryption to SSE-KMS with the given key, or SSE-S3 when no key is given (an existing KMS default is not downgraded).',
  params,
  permissions: ['s3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration'],
  undo: 's3:PutEncryptionConfiguration (API PutBucketEncryption) with observed.rules. Objects written meanwhile stay encrypted with the new key.',
  references: [
    'AWS Config remediation runbook AWS-EnableS3BucketEncryption',
    'AWS Security Hub ASR playbook S3.4 (EnableDefaultEncryptionS3)',
    'Cloud Custodian s3 action set-bucket-encryption',
  ],
  target: (p) => `arn:aws:s3:::${p.bucket}`,
  async plan(p, ctx) {
    const { GetBucketEncryptionCommand } = await import('@aws-sdk/client-s3');
    const s3 = await awsClient(ctx, 's3');
    let rules: ServerSideEncryptionRule[] = [];
    try {
      rules =
        (await s3.send(new GetBucketEncryptionCommand({ Bucket: p.bucket }))).ServerSideEncryptionConfiguration
          ?.Rules ?? [];
    } catch (err) {
      if (!isNotFound(err, 'ServerSideEncryptionConfigurationNotFoundError')) throw err;
    }
    const rule = decideEncryption(p, rules);
    const cur = rules[0]?.ApplyServerSideEncryptionByDefault;
    const calls = rule
      ? [
          call(
            's3:PutEncryptionConfiguration',
            { Bucket: p.bucket, ServerSideEncryptionConfiguration: { Rules: [rule] } },
            cur
              ? `default encryption is ${cur.SSEAlgorithm}${cur.KMSMasterKeyID ? ` (${cur.KMSMasterKeyID})` : ''}`
              : 'no default encryption',
          ),
        ]
      : [];
    return makePlan('s3-enable-default-encryption', `arn:aws:s3:::${p.bucket}`, calls, { rules });
  },
});
