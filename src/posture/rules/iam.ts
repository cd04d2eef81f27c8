/**
 * IAM user credential facts, from Vigil's collector (supplementaryConfiguration AccessKeys / MfaDevices /
 * LoginProfile) or, failing that, the account's credential report row. Unknown stays undefined.
 */
import { ACCOUNT_TYPE, type AccountFacts, type ConfigItem } from '../model.js';
import { type Decision, type EvalContext, insufficient, notApplicable } from '../rule.js';
import { arr, bool, field, parsePolicy, type Statement } from './util.js';

export interface AccessKey {
  id: string;
  active: boolean;
  created?: string;
  lastUsed?: string;
}

export interface UserCredentials {
  source: 'collector' | 'credential report';
  passwordEnabled?: boolean;
  passwordLastUsed?: string;
  created?: string;
  mfa?: boolean;
  keys?: AccessKey[];
}

const NA = new Set(['N/A', 'not_supported', 'no_information', '']);
const t = (v: unknown): string | undefined => (typeof v === 'string' && !NA.has(v) ? v : undefined);

export function reportRow(ctx: EvalContext, accountId: string, user: string): Record<string, string> | undefined {
  const acct = ctx.find(ACCOUNT_TYPE, accountId);
  const rows = (acct?.configuration as AccountFacts | undefined)?.credentialReport;
  return rows?.find((r) => r.user === user);
}

export function userCredentials(ci: ConfigItem, ctx: EvalContext): UserCredentials | undefined {
  const s = ci.supplementaryConfiguration;
  const userName = String(field(ci.configuration, 'userName') ?? ci.resourceName ?? ci.resourceId);
  if (s.AccessKeys !== undefined || s.MfaDevices !== undefined || s.LoginProfile !== undefined) {
    return {
      source: 'collector',
      passwordEnabled: s.LoginProfile === undefined ? undefined : s.LoginProfile !== null,
      passwordLastUsed: t(field(ci.configuration, 'passwordLastUsed')),
      created: t(field(ci.configuration, 'createDate')),
      mfa: s.MfaDevices === undefined ? undefined : arr(s.MfaDevices).length > 0,
      keys:
        s.AccessKeys === undefined
          ? undefined
          : arr(s.AccessKeys).map((k) => ({
              id: String(field(k, 'accessKeyId')),
              active: field(k, 'status') === 'Active',
              created: t(field(k, 'createDate')),
              lastUsed: t(field(k, 'lastUsedDate')),
            })),
    };
  }
  const r = reportRow(ctx, ci.awsAccountId, userName);
  if (!r) return undefined;
  const keys: AccessKey[] = [];
  for (const n of [1, 2])
    if (t(r[`access_key_${n}_last_rotated`]))
      keys.push({
        id: `access_key_${n}`,
        active: r[`access_key_${n}_active`] === 'true',
        created: t(r[`access_key_${n}_last_rotated`]),
        lastUsed: t(r[`access_key_${n}_last_used_date`]),
      });
  return {
    source: 'credential report',
    passwordEnabled: r.password_enabled === 'true',
    passwordLastUsed: t(r.password_last_used),
    created: t(r.user_creation_time),
    mfa: r.mfa_active === 'true',
    keys,
  };
}

/**
 * The statements of a customer managed policy's default version, or the decision that ends the check early: AWS
 * managed policies and (with `excludePermissionBoundaryPolicy`) boundary-only policies are NOT_APPLICABLE; a missing
 * or unparsable document is INSUFFICIENT_DATA.
 */
export function customerPolicyStatements(
  ci: ConfigItem,
  p: { excludePermissionBoundaryPolicy?: unknown },
): { stmts: Statement[] } | { decision: Decision } {
  const c = ci.configuration;
  const arn = String(field(c, 'arn') ?? ci.arn ?? '');
  if (arn.startsWith('arn:aws:iam::aws:')) return { decision: notApplicable('AWS managed policy') };
  if (
    p.excludePermissionBoundaryPolicy === true &&
    Number(field(c, 'permissionsBoundaryUsageCount') ?? 0) > 0 &&
    Number(field(c, 'attachmentCount') ?? 0) === 0
  )
    return { decision: notApplicable('used only as a permissions boundary') };
  const versions = arr(field(c, 'policyVersionList'));
  const def = versions.find((v) => bool(field(v, 'isDefaultVersion')) === true) ?? versions[0];
  const doc = field(def, 'document') ?? field(c, 'document');
  if (doc === undefined) return { decision: insufficient('default policy version document not recorded') };
  const stmts = parsePolicy(doc);
  if (!stmts) return { decision: insufficient('policy document could not be parsed') };
  return { stmts };
}
