/** Remove an IAM user's console password (DeleteLoginProfile): the console door closes, API keys are untouched. */
import { z } from 'zod';
import { defineAction } from './define.js';
import { isNotFound } from './policy-doc.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({ userName: z.string().min(1).max(64) });
type Params = z.infer<typeof params>;

export const iamDeleteLoginProfile = defineAction<Params>({
  name: 'iam-delete-login-profile',
  category: 'identity',
  title: "Remove a user's console password",
  description:
    'Deletes the login profile so the user can no longer sign in to the console. Access keys are not affected.',
  params,
  permissions: ['iam:GetLoginProfile', 'iam:DeleteLoginProfile'],
  undo: 'iam:CreateLoginProfile with a new password (the old one cannot be restored).',
  references: [
    'AWS Security Hub ASR playbook IAM.8 (RevokeUnusedIAMUserCredentials deletes unused login profiles)',
    'Cloud Custodian iam-user action delete (options: console-access)',
  ],
  target: (p) => `user/${p.userName}`,
  async plan(p, ctx) {
    const { GetLoginProfileCommand } = await import('@aws-sdk/client-iam');
    const iam = await awsClient(ctx, 'iam');
    let created: string | undefined;
    let has = true;
    try {
      created = (
        await iam.send(new GetLoginProfileCommand({ UserName: p.userName }))
      ).LoginProfile?.CreateDate?.toISOString();
    } catch (err) {
      if (!isNotFound(err, 'NoSuchEntityException', 'NoSuchEntity')) throw err;
      has = false;
    }
    const calls = has
      ? [call('iam:DeleteLoginProfile', { UserName: p.userName }, `user ${p.userName} has a console password`)]
      : [];
    return makePlan('iam-delete-login-profile', `user/${p.userName}`, calls, { loginProfile: has, created });
  },
});
