/** S3 bucket CI readers shared by the S3 rules: ACL grants, bucket policy, block public access (bucket + account). */
import { ACCOUNT_TYPE, type AccountFacts, type ConfigItem } from '../model.js';
import { compliant, type EvalContext, insufficient, nonCompliant } from '../rule.js';
import {
  actionMatches,
  arr,
  bool,
  field,
  hasRestrictingCondition,
  isPublicPrincipal,
  parsePolicy,
  type Statement,
  stmtLabel,
} from './util.js';

const GROUP_NAMES: Record<string, string> = {
  'http://acs.amazonaws.com/groups/global/AllUsers': 'AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers': 'AuthenticatedUsers',
};

export interface Grant {
  grantee: string;
  permission: string;
}

/** ACL grants, from Config's `{grantList:[{grantee, permission}]}` or the SDK's `{Grants:[{Grantee:{URI}, Permission}]}`. */
export function aclGrants(ci: ConfigItem): Grant[] {
  const acl = ci.supplementaryConfiguration.AccessControlList;
  const list = arr(field(acl, 'grantList') ?? field(acl, 'grants'));
  return list.map((g) => {
    const who = field(g, 'grantee');
    let grantee: string;
    if (typeof who === 'string') grantee = who;
    else {
      const uri = field(who, 'uri') ?? field(who, 'URI');
      grantee =
        typeof uri === 'string' ? (GROUP_NAMES[uri] ?? uri) : String(field(who, 'id') ?? field(who, 'ID') ?? '?');
    }
    // Config spells permissions Read/Write/FullControl, the SDK READ/WRITE/FULL_CONTROL.
    const permission = String(field(g, 'permission') ?? '')
      .replaceAll('_', '')
      .toLowerCase();
    return { grantee, permission };
  });
}

export interface BlockPublic {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
  source: string;
}

function pab(v: unknown): Partial<BlockPublic> {
  return {
    blockPublicAcls: bool(field(v, 'blockPublicAcls')),
    ignorePublicAcls: bool(field(v, 'ignorePublicAcls')),
    blockPublicPolicy: bool(field(v, 'blockPublicPolicy')),
    restrictPublicBuckets: bool(field(v, 'restrictPublicBuckets')),
  };
}

/** Effective Block Public Access: each flag is on when the bucket or the account sets it (the stricter wins). */
export function effectiveBlock(ci: ConfigItem, ctx: EvalContext): BlockPublic {
  const b = pab(ci.supplementaryConfiguration.PublicAccessBlockConfiguration);
  const acct = ctx.find(ACCOUNT_TYPE, ci.awsAccountId);
  const a = pab((acct?.configuration as AccountFacts | undefined)?.s3PublicAccessBlock);
  const src: string[] = [];
  const pick = (k: keyof Omit<BlockPublic, 'source'>): boolean => {
    if (b[k]) src.push(`bucket ${k}`);
    else if (a[k]) src.push(`account ${k}`);
    return Boolean(b[k] || a[k]);
  };
  return {
    blockPublicAcls: pick('blockPublicAcls'),
    ignorePublicAcls: pick('ignorePublicAcls'),
    blockPublicPolicy: pick('blockPublicPolicy'),
    restrictPublicBuckets: pick('restrictPublicBuckets'),
    source: src.join(', '),
  };
}

export function bucketPolicy(ci: ConfigItem): { text: unknown; statements: Statement[] | undefined } {
  const bp = ci.supplementaryConfiguration.BucketPolicy;
  const text = field(bp, 'policyText') ?? (typeof bp === 'string' ? bp : undefined);
  return { text, statements: text === undefined || text === null ? [] : parsePolicy(text) };
}

export const READ_ACTIONS = ['s3:GetObject', 's3:ListBucket', 's3:GetObjectVersion'];
export const WRITE_ACTIONS = ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:DeleteObjectVersion'];

/** First Allow statement granting any of `actions` to everyone without a restricting condition. */
export function publicStatement(
  stmts: Statement[],
  actions: string[],
): { stmt: Statement; action: string } | undefined {
  for (const s of stmts) {
    if (s.effect !== 'Allow' || !isPublicPrincipal(s.principal) || hasRestrictingCondition(s.condition)) continue;
    for (const a of actions) if (s.actions.some((p) => actionMatches(p, a))) return { stmt: s, action: a };
  }
  return undefined;
}

export { stmtLabel };

const PUBLIC_GRANTEES = new Set(['AllUsers', 'AuthenticatedUsers']);

/**
 * The shared check behind s3-bucket-public-read-prohibited and s3-bucket-public-write-prohibited: ACL grants and
 * bucket policy, each overridden by bucket- or account-level Block Public Access (config-rules.md §5).
 */
export function publicAccessCheck(access: 'read' | 'write') {
  const perms = new Set([access, 'fullcontrol']);
  const actions = access === 'read' ? READ_ACTIONS : WRITE_ACTIONS;
  return (ci: ConfigItem, _p: unknown, ctx: EvalContext) => {
    const block = effectiveBlock(ci, ctx);
    if (!block.ignorePublicAcls) {
      const g = aclGrants(ci).find((x) => PUBLIC_GRANTEES.has(x.grantee) && perms.has(x.permission));
      if (g)
        return nonCompliant(`ACL grants ${g.permission} to ${g.grantee}`, {
          path: 'supplementaryConfiguration.AccessControlList',
          value: g,
        });
    }
    const sup = ci.supplementaryConfiguration;
    // Neither the ACL nor the policy recorded, and Block Public Access does not settle it: unknown, not private.
    if (
      sup.AccessControlList === undefined &&
      sup.BucketPolicy === undefined &&
      !(block.ignorePublicAcls && block.restrictPublicBuckets)
    )
      return insufficient('bucket ACL and policy not recorded');
    const pol = bucketPolicy(ci);
    if (pol.statements === undefined)
      return insufficient('bucket policy could not be parsed', {
        path: 'supplementaryConfiguration.BucketPolicy',
        value: pol.text,
      });
    if (!block.restrictPublicBuckets) {
      const hit = publicStatement(pol.statements, actions);
      if (hit)
        return nonCompliant(
          `bucket policy ${stmtLabel(hit.stmt)} allows ${hit.action} to Principal "*" without a restricting condition`,
          {
            path: `supplementaryConfiguration.BucketPolicy.policyText.Statement[${hit.stmt.index}]`,
            value: { Action: hit.stmt.actions, Principal: hit.stmt.principal },
          },
        );
    }
    return compliant(
      block.source
        ? `no effective public ${access} access (block public access: ${block.source})`
        : `no public ${access} grant in ACL or policy`,
    );
  };
}
