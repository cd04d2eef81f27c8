/**
 * Revoke a role's active sessions: an inline policy denying everything to sessions whose `aws:TokenIssueTime` is
 * before a cutoff — exactly what the IAM console's "Revoke active sessions" writes (policy AWSRevokeOlderSessions).
 * Sessions issued after the cutoff work normally, so the legitimate workload recovers by re-assuming the role.
 */
import { z } from 'zod';
import { defineAction } from './define.js';
import { isNotFound, parsePolicyDocument, revokeSessionsDocument } from './policy-doc.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({
  roleName: z.string().min(1).max(64),
  issuedBefore: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('Cutoff (ISO 8601); sessions issued before it are denied. Default: now'),
  policyName: z.string().min(1).max(128).default('AWSRevokeOlderSessions'),
});
type Params = z.infer<typeof params>;

/** The cutoff an existing AWSRevokeOlderSessions-style document enforces, if it is one. */
export function existingCutoff(doc: unknown): string | undefined {
  const st = (doc as { Statement?: unknown })?.Statement;
  const list = Array.isArray(st) ? st : st ? [st] : [];
  for (const s of list as { Effect?: string; Condition?: { DateLessThan?: Record<string, string> } }[]) {
    const t = s.Effect === 'Deny' ? s.Condition?.DateLessThan?.['aws:TokenIssueTime'] : undefined;
    if (t) return t;
  }
  return undefined;
}

/** Pure: write the policy unless an existing one already cuts off at or after the requested time. */
export function decideRevokeSessions(roleName: string, policyName: string, cutoff: string, existing: unknown) {
  const current = existingCutoff(existing);
  if (current && Date.parse(current) >= Date.parse(cutoff)) return [];
  return [
    call(
      'iam:PutRolePolicy',
      { RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(revokeSessionsDocument(cutoff)) },
      current
        ? `existing cutoff ${current} is before ${cutoff}`
        : `sessions of role ${roleName} issued before ${cutoff} are still valid`,
    ),
  ];
}

export const iamRevokeRoleSessions = defineAction<Params>({
  name: 'iam-revoke-role-sessions',
  category: 'identity',
  title: "Revoke a role's active sessions",
  description:
    'Denies every action to sessions of the role issued before the cutoff (aws:TokenIssueTime DateLessThan). With an explicit issuedBefore a repeat run is a no-op; without it each run moves the cutoff to now.',
  params,
  permissions: ['iam:GetRolePolicy', 'iam:PutRolePolicy'],
  undo: 'iam:DeleteRolePolicy with the policy name (default AWSRevokeOlderSessions); sessions not yet expired work again.',
  references: [
    'IAM User Guide: Revoking IAM role temporary security credentials (AWSRevokeOlderSessions)',
    'GuardDuty remediation guide: remediating potentially compromised AWS credentials',
  ],
  target: (p) => `role/${p.roleName}`,
  async plan(p, ctx) {
    const { GetRolePolicyCommand } = await import('@aws-sdk/client-iam');
    const iam = await awsClient(ctx, 'iam');
    const cutoff = new Date(p.issuedBefore ?? ctx.now()).toISOString();
    let existing: unknown;
    try {
      const out = await iam.send(new GetRolePolicyCommand({ RoleName: p.roleName, PolicyName: p.policyName }));
      existing = parsePolicyDocument(out.PolicyDocument);
    } catch (err) {
      if (!isNotFound(err, 'NoSuchEntityException', 'NoSuchEntity')) throw err;
    }
    return makePlan(
      'iam-revoke-role-sessions',
      `role/${p.roleName}`,
      decideRevokeSessions(p.roleName, p.policyName, cutoff, existing),
      {
        cutoff,
        existingCutoff: existingCutoff(existing),
      },
    );
  },
});
