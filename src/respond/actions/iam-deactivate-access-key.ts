/**
 * Deactivate an IAM access key (Status=Inactive) — the first step of every credential-compromise playbook; unlike
 * deletion it is reversible. The owning user is looked up from the key when not given (GuardDuty findings carry both,
 * CloudTrail-derived ones sometimes only the key).
 */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, blockedPlan, call, makePlan } from './sdk.js';

const params = z.object({
  accessKeyId: z.string().regex(/^(AKIA|ASIA)[A-Z0-9]{12,}$/, 'must be an access key id (AKIA…)'),
  userName: z.string().min(1).optional().describe('Owner of the key; looked up with GetAccessKeyLastUsed when absent'),
});
type Params = z.infer<typeof params>;

/** Pure: the call for an observed key status. */
export function decideDeactivateKey(userName: string, accessKeyId: string, status: string | undefined) {
  if (status === 'Inactive') return [];
  return [
    call(
      'iam:UpdateAccessKey',
      { UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' },
      `key ${accessKeyId} of ${userName} is ${status}`,
    ),
  ];
}

export const iamDeactivateAccessKey = defineAction<Params>({
  name: 'iam-deactivate-access-key',
  category: 'identity',
  title: 'Deactivate an IAM access key',
  description:
    'Sets an access key to Inactive. Temporary (ASIA…) keys cannot be deactivated; the plan is blocked for them.',
  params,
  permissions: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys', 'iam:UpdateAccessKey'],
  undo: 'iam:UpdateAccessKey with Status=Active on the same key.',
  references: [
    'AWS Security Hub ASR playbook IAM.8 (RevokeUnusedIAMUserCredentials)',
    'Cloud Custodian iam-user action remove-keys (disable: true)',
    'GuardDuty remediation guide: remediating potentially compromised AWS credentials',
  ],
  target: (p) => p.accessKeyId,
  async plan(p, ctx) {
    const name = 'iam-deactivate-access-key';
    if (p.accessKeyId.startsWith('ASIA')) {
      return blockedPlan(
        name,
        p.accessKeyId,
        'temporary credentials (ASIA…) cannot be deactivated; revoke the role sessions instead (iam-revoke-role-sessions)',
      );
    }
    const { GetAccessKeyLastUsedCommand, ListAccessKeysCommand } = await import('@aws-sdk/client-iam');
    const iam = await awsClient(ctx, 'iam');
    let userName = p.userName;
    if (!userName) {
      const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: p.accessKeyId }));
      userName = used.UserName;
      if (!userName) return blockedPlan(name, p.accessKeyId, `no user owns access key ${p.accessKeyId}`);
    }
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: userName }));
    const key = keys.AccessKeyMetadata?.find((k) => k.AccessKeyId === p.accessKeyId);
    if (!key) return blockedPlan(name, p.accessKeyId, `user ${userName} has no access key ${p.accessKeyId}`);
    return makePlan(name, p.accessKeyId, decideDeactivateKey(userName, p.accessKeyId, key.Status), {
      userName,
      status: key.Status,
      created: key.CreateDate?.toISOString(),
    });
  },
});
