import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { arr, field, isObj, parsePolicy, type Statement, stmtLabel } from '../util.js';

/** Condition keys that pin a statement to known callers (only with fixed values: no wildcard, no ${variable}). */
const PINNING = new Set([
  'kms:calleraccount',
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:sourceip',
  'aws:userid',
]);

const fixed = (v: unknown) => arr(v).every((x) => typeof x === 'string' && !x.includes('*') && !x.includes('${'));

function pinned(s: Statement): boolean {
  if (!s.condition) return false;
  for (const [op, block] of Object.entries(s.condition)) {
    if (!isObj(block) || /Like$|IfExists$/.test(op)) continue;
    for (const [k, v] of Object.entries(block)) if (PINNING.has(k.toLowerCase()) && fixed(v)) return true;
  }
  return false;
}

/** A principal that is not a fixed value: "*", {AWS: "*"} or an ARN / account with a wildcard or variable. */
function openPrincipal(p: unknown): string | undefined {
  if (p === '*') return '*';
  if (!isObj(p)) return undefined;
  for (const v of arr(p.AWS)) if (typeof v === 'string' && (v.includes('*') || v.includes('${'))) return v;
  return undefined;
}

export const rule = defineRule(
  {
    name: 'kms-key-policy-no-public-access',
    resourceTypes: ['AWS::KMS::Key'],
    severity: 'CRITICAL',
    title: 'KMS key policies do not allow public access',
    description:
      'Checks whether a KMS key policy allows public access: an Allow for a wildcard or variable principal without a condition pinning it to fixed accounts, organisations or sources.',
    risk: 'Anyone could use the key to decrypt data encrypted under it, or to encrypt and sign as you.',
    remediation:
      'aws kms put-key-policy --key-id KEY --policy-name default --policy file://policy.json (fixed principals only)',
  },
  (ci) => {
    if (field(ci.configuration, 'keyManager') === 'AWS') return notApplicable('AWS managed key');
    const raw = ci.supplementaryConfiguration.KeyPolicy;
    if (raw === undefined) return insufficient('key policy not recorded');
    const stmts = parsePolicy(raw);
    if (!stmts) return insufficient('key policy is not valid JSON');
    for (const s of stmts) {
      if (s.effect !== 'Allow') continue;
      const who = openPrincipal(s.principal);
      if (who && !pinned(s))
        return nonCompliant(
          `${stmtLabel(s)} allows principal ${who} to ${s.actions.join(', ')} without a fixed-value condition`,
          {
            path: `supplementaryConfiguration.KeyPolicy.Statement[${s.index}].Principal`,
            value: s.principal ?? null,
          },
        );
    }
    return compliant(`none of ${stmts.length} statement(s) grants public access`);
  },
);
