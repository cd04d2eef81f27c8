/**
 * Enforce the account password policy. Defaults are the CIS AWS Foundations Benchmark's (length ≥ 14, reuse
 * prevention 24, the four character classes, 90-day maximum age). Stricter existing settings are kept: the policy
 * written is, field by field, the stricter of the current and the requested value.
 */
import type { PasswordPolicy } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { defineAction } from './define.js';
import { isNotFound } from './policy-doc.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({
  minimumPasswordLength: z.number().int().min(6).max(128).default(14),
  requireSymbols: z.boolean().default(true),
  requireNumbers: z.boolean().default(true),
  requireUppercaseCharacters: z.boolean().default(true),
  requireLowercaseCharacters: z.boolean().default(true),
  allowUsersToChangePassword: z.boolean().default(true),
  maxPasswordAge: z.number().int().min(1).max(1095).default(90),
  passwordReusePrevention: z.number().int().min(1).max(24).default(24),
  hardExpiry: z.boolean().default(false),
});
type Params = z.infer<typeof params>;

/** Pure: the UpdateAccountPasswordPolicy input (stricter of current and requested), or none when current suffices. */
export function decidePasswordPolicy(p: Params, current: PasswordPolicy | undefined) {
  const c = current ?? {};
  const maxAge =
    c.MaxPasswordAge && c.MaxPasswordAge > 0 ? Math.min(c.MaxPasswordAge, p.maxPasswordAge) : p.maxPasswordAge;
  const desired = {
    MinimumPasswordLength: Math.max(c.MinimumPasswordLength ?? 0, p.minimumPasswordLength),
    RequireSymbols: p.requireSymbols || !!c.RequireSymbols,
    RequireNumbers: p.requireNumbers || !!c.RequireNumbers,
    RequireUppercaseCharacters: p.requireUppercaseCharacters || !!c.RequireUppercaseCharacters,
    RequireLowercaseCharacters: p.requireLowercaseCharacters || !!c.RequireLowercaseCharacters,
    AllowUsersToChangePassword: p.allowUsersToChangePassword || !!c.AllowUsersToChangePassword,
    MaxPasswordAge: maxAge,
    PasswordReusePrevention: Math.max(c.PasswordReusePrevention ?? 0, p.passwordReusePrevention),
    HardExpiry: p.hardExpiry || !!c.HardExpiry,
  };
  const cur = c as Record<string, unknown>;
  const weaker = Object.entries(desired)
    .filter(([k, v]) => (typeof v === 'boolean' ? !!cur[k] !== v : cur[k] !== v))
    .map(([k, v]) => `${k} ${String(cur[k] ?? 'unset')} → ${String(v)}`);
  if (current && weaker.length === 0) return [];
  return [
    call(
      'iam:UpdateAccountPasswordPolicy',
      desired,
      current ? `password policy weaker than required: ${weaker.join(', ')}` : 'the account has no password policy',
    ),
  ];
}

export const iamEnforcePasswordPolicy = defineAction<Params>({
  name: 'iam-enforce-password-policy',
  category: 'identity',
  title: 'Enforce the account password policy',
  description:
    'Sets the IAM account password policy to at least the given strength (CIS defaults); stricter existing settings are kept.',
  params,
  permissions: ['iam:GetAccountPasswordPolicy', 'iam:UpdateAccountPasswordPolicy'],
  undo: 'iam:UpdateAccountPasswordPolicy with the previous values (recorded in the plan as observed.current), or iam:DeleteAccountPasswordPolicy when there was none.',
  references: [
    'AWS Config remediation runbook AWSConfigRemediation-SetIAMPasswordPolicy',
    'AWS Security Hub ASR playbook IAM.7 (SetIAMPasswordPolicy)',
    'CIS AWS Foundations Benchmark 1.8-1.9',
  ],
  target: (_p) => 'account-password-policy',
  async plan(p, ctx) {
    const { GetAccountPasswordPolicyCommand } = await import('@aws-sdk/client-iam');
    const iam = await awsClient(ctx, 'iam');
    let current: PasswordPolicy | undefined;
    try {
      current = (await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy;
    } catch (err) {
      if (!isNotFound(err, 'NoSuchEntityException', 'NoSuchEntity')) throw err;
    }
    return makePlan(
      'iam-enforce-password-policy',
      `arn:aws:iam::${ctx.accountId}:account-password-policy`,
      decidePasswordPolicy(p, current),
      { current: current ?? null },
    );
  },
});
