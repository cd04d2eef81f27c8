/** Enable S3 bucket versioning (recover overwritten/deleted objects — ransomware and accidental-deletion defence). */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({ bucket: z.string().min(3).max(63) });
type Params = z.infer<typeof params>;

export const s3EnableVersioning = defineAction<Params>({
  name: 's3-enable-versioning',
  category: 'data',
  title: 'Enable S3 bucket versioning',
  description: 'Sets versioning to Enabled (MFA delete is left as it is; it needs the root user).',
  params,
  permissions: ['s3:GetBucketVersioning', 's3:PutBucketVersioning'],
  undo: 's3:PutBucketVersioning with Status=Suspended (a versioned bucket can never return to unversioned; existing versions remain).',
  references: [
    'AWS Config rule s3-bucket-versioning-enabled',
    'AWS Config remediation runbook AWS-ConfigureS3BucketVersioning',
    'Cloud Custodian s3 action toggle-versioning',
  ],
  target: (p) => `arn:aws:s3:::${p.bucket}`,
  async plan(p, ctx) {
    const { GetBucketVersioningCommand } = await import('@aws-sdk/client-s3');
    const s3 = await awsClient(ctx, 's3');
    const v = await s3.send(new GetBucketVersioningCommand({ Bucket: p.bucket }));
    const calls =
      v.Status === 'Enabled'
        ? []
        : [
            call(
              's3:PutBucketVersioning',
              { Bucket: p.bucket, VersioningConfiguration: { Status: 'Enabled' } },
              `versioning is ${v.Status ?? 'never enabled'}`,
            ),
          ];
    return makePlan('s3-enable-versioning', `arn:aws:s3:::${p.bucket}`, calls, {
      status: v.Status ?? null,
      mfaDelete: v.MFADelete ?? null,
    });
  },
});
