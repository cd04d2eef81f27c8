import type { EncryptionContext } from './blob.js';
import type { RequestKeys } from './conditions.js';
import type { GrantRecord } from './model.js';
import { describeHit, matchStatements, type PolicyDoc, type StatementHit } from './policy.js';
import { type Principal, principalNamed } from './principal.js';

/**
 * Authorisation of one KMS request (kms.md §11, iam.md §2):
 *  1. an explicit Deny in the key policy or the caller's identity policies denies;
 *  2. a grant for the caller that covers the operation (and its encryption-context constraints) allows;
 *  3. a key-policy Allow that names the caller (or anyone) allows — for a caller from another account only if its
 *     identity policy allows too;
 *  4. a key-policy Allow that names the caller's account root delegates to IAM: the identity policy must allow;
 *  5. otherwise deny. Operations that are not on a key (CreateKey, ListKeys …) need only the identity policy.
 * The decision carries every statement that applied, so it can be explained and logged.
 */

export interface AuthzInput {
  principal: Principal;
  /** `kms:Encrypt` … */
  action: string;
  /** Key ARN, or `*` for operations that are not on a key. */
  resource: string;
  keyAccount?: string;
  keyPolicy?: PolicyDoc;
  keys: RequestKeys;
  /** Grants on the key and the operation name they must include. */
  grants?: { list: GrantRecord[]; operation: string; context?: EncryptionContext };
}

export interface Decision {
  allowed: boolean;
  /** One sentence for logs and the audit trail. */
  reason: string;
  statements: StatementHit[];
  grantId?: string;
  /** AccessDeniedException message in AWS's wording. */
  message?: string;
}

export const IMPLICIT_IAM =
  'no identity policies are configured for this principal: IAM is treated as allowing every KMS action';

export function authorize(input: AuthzInput): Decision {
  const { principal, action, resource } = input;
  const req = { principal, action, resource, keys: input.keys };
  const keyHits = input.keyPolicy ? matchStatements(input.keyPolicy, 'key policy', req, true) : [];
  const implicitIam = principal.identityPolicies === undefined || principal.type === 'Root';
  const idHits: StatementHit[] = [];
  if (!implicitIam) {
    principal.identityPolicies!.forEach((doc, i) => {
      idHits.push(...matchStatements(doc, `identity policy ${i + 1}`, req, false));
    });
  }
  const statements = [...keyHits, ...idHits];
  const denied = (why: string) => ({
    allowed: false,
    reason: why,
    statements,
    message: `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
  });

  const keyDeny = keyHits.find((h) => h.effect === 'Deny');
  if (keyDeny) return { ...denied('with an explicit deny in a resource-based policy'), reason: describeHit(keyDeny) };
  const idDeny = idHits.find((h) => h.effect === 'Deny');
  if (idDeny) return { ...denied('with an explicit deny in an identity-based policy'), reason: describeHit(idDeny) };

  const identityAllow = implicitIam ? undefined : idHits.find((h) => h.effect === 'Allow');
  const identityAllows = implicitIam || identityAllow !== undefined;
  const identityWhy = implicitIam
    ? principal.type === 'Root'
      ? 'the account root user has every IAM permission'
      : IMPLICIT_IAM
    : identityAllow
      ? describeHit(identityAllow)
      : '';

  if (!input.keyPolicy) {
    return identityAllows
      ? { allowed: true, reason: identityWhy, statements }
      : denied(`because no identity-based policy allows the ${action} action`);
  }

  if (input.grants) {
    const grant = input.grants.list.find((g) =>
      grantCovers(g, principal, input.grants!.operation, input.grants!.context),
    );
    if (grant) {
      return {
        allowed: true,
        reason: `Allow by grant ${grant.grantId} (${grant.operations.join(', ')}) for ${grant.granteePrincipal}`,
        statements,
        grantId: grant.grantId,
      };
    }
  }

  const sameAccount = principal.account === input.keyAccount;
  const direct = keyHits.find((h) => h.effect === 'Allow' && (h.via === 'principal' || h.via === 'anyone'));
  if (direct && (sameAccount || identityAllows)) {
    return {
      allowed: true,
      reason: sameAccount ? describeHit(direct) : `${describeHit(direct)}; ${identityWhy}`,
      statements,
    };
  }
  const viaAccount = keyHits.find((h) => h.effect === 'Allow' && h.via === 'account');
  if (viaAccount && identityAllows) {
    return { allowed: true, reason: `${describeHit(viaAccount)}; ${identityWhy}`, statements };
  }
  if (!direct && !viaAccount) return denied(`because no resource-based policy allows the ${action} action`);
  return denied(`because no identity-based policy allows the ${action} action`);
}

/** Does a grant let this principal perform this grant operation with this encryption context? */
export function grantCovers(
  g: GrantRecord,
  principal: Principal,
  operation: string,
  context: EncryptionContext | undefined,
): boolean {
  const grantee =
    principalNamed(principal, g.granteePrincipal) ||
    (principal.type === 'Root' && g.granteePrincipal === `arn:aws:iam::${principal.account}:root`);
  if (!grantee || !g.operations.includes(operation)) return false;
  const c = g.constraints;
  if (!c) return true;
  const ctx = context ?? {};
  if (c.EncryptionContextEquals) {
    const want = c.EncryptionContextEquals;
    const keys = Object.keys(want);
    if (keys.length !== Object.keys(ctx).length || keys.some((k) => ctx[k] !== want[k])) return false;
  }
  if (c.EncryptionContextSubset) {
    for (const [k, v] of Object.entries(c.EncryptionContextSubset)) if (ctx[k] !== v) return false;
  }
  return true;
}
