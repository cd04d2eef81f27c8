/**
 * Attach an inline deny-all policy to an IAM user or role: an explicit Deny overrides every Allow, so the principal is
 * frozen without deleting anything (reversible, keeps evidence). AWS ASR and the GuardDuty credential-compromise
 * guide both start here for a compromised principal.
 */
import { z } from 'zod';
import { defineAction } from './define.js';
import { DENY_ALL_DOCUMENT, isNotFound, parsePolicyDocument, sameJson } from './policy-doc.js';
import { awsClient, call, makePlan } from './sdk.js';

/** GuardDuty's userType values (IAMUser, AssumedRole, Role) are accepted as well as user/role. */
const principalType = z.preprocess(
  (v) => (typeof v === 'string' ? ({ IAMUser: 'user', AssumedRole: 'role', Role: 'role' }[v] ?? v) : v),
  z.enum(['user', 'role']),
);

const params = z.object({
  principalType,
  principalName: z.string().min(1).max(128),
  policyName: z.string().min(1).max(128).default('VigilDenyAll'),
});
type Params = z.infer<typeof params>;

/** Pure: put the policy unless the same document is already attached under that name. */
export function decideDenyAll(p: Params, existing: unknown) {
  if (existing !== undefined && sameJson(existing, DENY_ALL_DOCUMENT)) return [];
  const user = p.principalType === 'user';
  return [
    call(
      user ? 'iam:PutUserPolicy' : 'iam:PutRolePolicy',
      {
        [user ? 'UserName' : 'RoleName']: p.principalName,
        PolicyName: p.policyName,
        PolicyDocument: JSON.stringify(DENY_ALL_DOCUMENT),
      },
      existing === undefined
        ? `${p.principalType} ${p.principalName} has no inline policy ${p.policyName}`
        : `inline policy ${p.policyName} differs from deny-all`,
    ),
  ];
}

export const iamAttachDenyAll = defineAction<Params>({
  name: 'iam-attach-deny-all',
  category: 'identity',
  title: 'Attach a deny-all inline policy to a user or role',
  description:
    'Puts an inline policy denying every action on every resource; explicit Deny wins over any Allow, so the principal can do nothing until it is removed.',
  params,
  permissions: ['iam:GetRolePolicy', 'iam:GetUserPolicy', 'iam:PutRolePolicy', 'iam:PutUserPolicy'],
  undo: 'iam:DeleteUserPolicy / iam:DeleteRolePolicy with the policy name (default VigilDenyAll).',
  references: [
    'AWS Security Hub ASR: remediating a compromised IAM principal',
    'Cloud Custodian iam-user/iam-role actions (set-policy)',
    'GuardDuty remediation guide: remediating potentially compromised AWS credentials',
  ],
  target: (p) => `${p.principalType}/${p.principalName}`,
  async plan(p, ctx) {
    const { GetRolePolicyCommand, GetUserPolicyCommand } = await import('@aws-sdk/client-iam');
    const iam = await awsClient(ctx, 'iam');
    let existing: unknown;
    try {
      const out =
        p.principalType === 'user'
          ? await iam.send(new GetUserPolicyCommand({ UserName: p.principalName, PolicyName: p.policyName }))
          : await iam.send(new GetRolePolicyCommand({ RoleName: p.principalName, PolicyName: p.policyName }));
      existing = parsePolicyDocument(out.PolicyDocument) ?? null;
    } catch (err) {
      // NoSuchEntity for the policy is the usual state; a missing principal also lands here and fails at apply.
      if (!isNotFound(err, 'NoSuchEntityException', 'NoSuchEntity')) throw err;
    }
    return makePlan('iam-attach-deny-all', `${p.principalType}/${p.principalName}`, decideDenyAll(p, existing), {
      policyName: p.policyName,
      attached: existing !== undefined,
    });
  },
});
