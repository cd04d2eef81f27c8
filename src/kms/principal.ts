import { createHash } from 'node:crypto';
import type { PolicyDoc } from './policy.js';

/** The caller of an API request, as resolved from its access key (credentials file) or the dev-mode default. */
export interface Principal {
  arn: string;
  account: string;
  type: 'Root' | 'IAMUser' | 'AssumedRole' | 'Role' | 'FederatedUser';
  /** For an assumed-role session, the role's ARN (policies that name the role match its sessions). */
  roleArn?: string;
  /** User, role or federated user name. */
  name?: string;
  principalId: string;
  accessKeyId?: string;
  /**
   * The principal's IAM identity policies. Undefined means "not modelled": Vigil then treats IAM as allowing every
   * KMS action, so the key policy alone decides (documented in docs/kms.md).
   */
  identityPolicies?: PolicyDoc[];
}

const PRINCIPAL_ARN =
  /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(root|user\/.+|role\/.+|assumed-role\/.+|federated-user\/.+)$/;

/** Build a principal from its ARN; undefined when the text is not an IAM/STS principal ARN. */
export function principalFromArn(
  arn: string,
  opts: { accessKeyId?: string; identityPolicies?: PolicyDoc[]; principalId?: string } = {},
): Principal | undefined {
  const m = PRINCIPAL_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, service, account, resource] = m as unknown as [string, string, string, string, string];
  const base = { arn, account, accessKeyId: opts.accessKeyId, identityPolicies: opts.identityPolicies };
  const last = (s: string) => s.slice(s.lastIndexOf('/') + 1);
  if (resource === 'root') {
    return service === 'iam' ? { ...base, type: 'Root', principalId: opts.principalId ?? account } : undefined;
  }
  if (resource.startsWith('user/') && service === 'iam') {
    return { ...base, type: 'IAMUser', name: last(resource), principalId: opts.principalId ?? pseudoId('AIDA', arn) };
  }
  if (resource.startsWith('role/') && service === 'iam') {
    return { ...base, type: 'Role', name: last(resource), principalId: opts.principalId ?? pseudoId('AROA', arn) };
  }
  if (resource.startsWith('assumed-role/') && service === 'sts') {
    const [, role, session] = resource.split('/');
    if (!role || !session) return undefined;
    const roleId = pseudoId('AROA', `arn:${partition}:iam::${account}:role/${role}`);
    return {
      ...base,
      type: 'AssumedRole',
      name: role,
      roleArn: `arn:${partition}:iam::${account}:role/${role}`,
      principalId: opts.principalId ?? `${roleId}:${session}`,
    };
  }
  if (resource.startsWith('federated-user/') && service === 'sts') {
    return {
      ...base,
      type: 'FederatedUser',
      name: last(resource),
      principalId: opts.principalId ?? `${account}:${last(resource)}`,
    };
  }
  return undefined;
}

/** A stable IAM-style unique ID (prefix + 17 base32 characters) derived from the ARN, for CloudTrail records. */
function pseudoId(prefix: string, arn: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(arn).digest();
  let out = prefix;
  for (let i = 0; i < 17; i++) out += alphabet[digest[i]! & 31];
  return out;
}

/** Does a policy principal ARN name this caller? (A role ARN names every session of that role.) */
export function principalNamed(p: Principal, arn: string): boolean {
  if (arn === p.arn) return true;
  if (p.roleArn) {
    // Role ARNs may carry a path (role/path/Name); sessions drop it.
    const m = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
    return !!m && m[1] === p.account && m[2] === p.name;
  }
  return false;
}

/** CloudTrail `userIdentity` for the caller. */
export function userIdentity(p: Principal): Record<string, unknown> {
  const id: Record<string, unknown> = { type: p.type, principalId: p.principalId, arn: p.arn, accountId: p.account };
  if (p.accessKeyId) id.accessKeyId = p.accessKeyId;
  if (p.type === 'IAMUser') id.userName = p.name;
  if (p.type === 'AssumedRole') {
    id.sessionContext = {
      sessionIssuer: {
        type: 'Role',
        principalId: p.principalId.split(':')[0],
        arn: p.roleArn,
        accountId: p.account,
        userName: p.name,
      },
      attributes: { mfaAuthenticated: 'false' },
    };
  }
  return id;
}
