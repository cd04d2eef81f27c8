/**
 * Inline suppressions in resource Metadata (cloudformation.md §8): Vigil's own `vigil.suppress: [{id, reason,
 * expires?}]`, cfn_nag's `cfn_nag.rules_to_suppress: [{id, reason}]`, cdk-nag's `cdk_nag.rules_to_suppress`,
 * checkov's `checkov.skip` / `bridgecrew.skip: [{id, comment}]` and Guard's `guard.SuppressedRules: [RULE_NAME]`.
 * Ids are Vigil rule names or identifiers, or peer ids mapped through FOREIGN_IDS. A suppression counts only with a
 * reason (Guard's list has none: its entries are reported unless written as `{id, reason}`).
 */
import type { ResolvedResource } from '../model.js';

export interface InlineSuppression {
  /** Metadata key it came from, e.g. `cfn_nag`. */
  source: 'vigil' | 'cfn_nag' | 'cdk_nag' | 'checkov' | 'guard';
  id: string;
  reason?: string;
  expires?: string;
  logicalId: string;
}

export interface InlineProblem {
  logicalId: string;
  source: string;
  id: string;
  message: string;
}

/**
 * Peer rule ids → Vigil rule names, for ids whose meaning is unambiguous (cfn_nag W35 = S3 access logging, checkov
 * CKV_AWS_18 = the same …).
 */
export const FOREIGN_IDS: Record<string, string[]> = {
  W35: ['s3-bucket-logging-enabled'],
  W41: ['s3-bucket-server-side-encryption-enabled'],
  W51: ['s3-bucket-ssl-requests-only'],
  F1: ['encrypted-volumes'],
  W2: ['restricted-ssh', 'restricted-common-ports', 'vpc-sg-open-only-to-authorized-ports'],
  F22: ['rds-instance-public-access-check'],
  W74: ['dynamodb-table-encrypted-kms'],
  F4: ['cfn-iam-inline-policy-wildcard'],
  W12: ['cfn-iam-inline-policy-wildcard'],
  CKV_AWS_18: ['s3-bucket-logging-enabled'],
  CKV_AWS_19: ['s3-bucket-server-side-encryption-enabled'],
  CKV_AWS_21: ['s3-bucket-versioning-enabled'],
  CKV_AWS_3: ['encrypted-volumes'],
  CKV_AWS_16: ['rds-storage-encrypted'],
  CKV_AWS_17: ['rds-instance-public-access-check'],
  CKV_AWS_24: ['restricted-ssh'],
  CKV_AWS_7: ['cmk-backing-key-rotation-enabled'],
  CKV_AWS_28: ['dynamodb-pitr-enabled'],
  CKV_AWS_36: ['cloud-trail-log-file-validation-enabled'],
  CKV_AWS_35: ['cloud-trail-encryption-enabled'],
  CKV_AWS_91: ['elb-logging-enabled'],
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Suppressions declared on a resource, and the entries that cannot count (no id, no reason). */
export function inlineSuppressions(r: ResolvedResource): { list: InlineSuppression[]; problems: InlineProblem[] } {
  const list: InlineSuppression[] = [];
  const problems: InlineProblem[] = [];
  const md = r.metadata ?? {};
  const take = (source: InlineSuppression['source'], entries: unknown, reasonKey: string) => {
    if (entries === undefined) return;
    if (!Array.isArray(entries)) {
      problems.push({ logicalId: r.logicalId, source, id: '?', message: `${source} suppressions must be a list` });
      return;
    }
    for (const e of entries) {
      const id = typeof e === 'string' ? e : isObj(e) ? (text(e.id) ?? text(e.rule)) : undefined;
      if (!id) {
        problems.push({ logicalId: r.logicalId, source, id: '?', message: `${source} suppression without an id` });
        continue;
      }
      const reason = isObj(e) ? (text(e[reasonKey]) ?? text(e.reason)) : undefined;
      const expires =
        isObj(e) && e.expires !== undefined
          ? String(e.expires instanceof Date ? e.expires.toISOString() : e.expires)
          : undefined;
      if (!reason) {
        problems.push({
          logicalId: r.logicalId,
          source,
          id,
          message: `${source} suppression of ${id} on ${r.logicalId} has no reason: not applied`,
        });
        continue;
      }
      if (expires !== undefined && Number.isNaN(Date.parse(expires))) {
        problems.push({
          logicalId: r.logicalId,
          source,
          id,
          message: `${source} suppression of ${id} on ${r.logicalId}: expires is not a date (${expires})`,
        });
        continue;
      }
      list.push({ source, id, reason, ...(expires ? { expires } : {}), logicalId: r.logicalId });
    }
  };
  take('vigil', isObj(md.vigil) ? md.vigil.suppress : undefined, 'reason');
  take('cfn_nag', isObj(md.cfn_nag) ? md.cfn_nag.rules_to_suppress : undefined, 'reason');
  take('cdk_nag', isObj(md.cdk_nag) ? md.cdk_nag.rules_to_suppress : undefined, 'reason');
  take('checkov', isObj(md.checkov) ? md.checkov.skip : undefined, 'comment');
  take('checkov', isObj(md.bridgecrew) ? md.bridgecrew.skip : undefined, 'comment');
  take('guard', isObj(md.guard) ? md.guard.SuppressedRules : undefined, 'reason');
  return { list, problems };
}

/** Whether a suppression id names the rule (name, identifier, `*`, or a mapped peer id). */
export function suppressionMatches(id: string, rule: { name: string; identifier: string }): boolean {
  if (id === '*' || id === rule.name || id.toUpperCase() === rule.identifier) return true;
  return FOREIGN_IDS[id.toUpperCase()]?.includes(rule.name) ?? false;
}
