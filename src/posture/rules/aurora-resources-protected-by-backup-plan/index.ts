import type { ConfigItem } from '../../model.js';
import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { copyDestinations, coverage, planOf, targetVaults } from '../backup.js';
import { bool, field, num } from '../util.js';

const VAULT = 'AWS::Backup::BackupVault';

function parseTags(s: string): Record<string, string> | undefined {
  try {
    const v = JSON.parse(s) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  } catch {
    return undefined;
  }
}

const list = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/** Region and account of a vault ARN (arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME). */
function arnParts(arn: string): { region: string; account: string } {
  const p = arn.split(':');
  return { region: p[3] ?? '', account: p[4] ?? '' };
}

export const rule = defineRule(
  {
    name: 'aurora-resources-protected-by-backup-plan',
    resourceTypes: ['AWS::RDS::DBCluster'],
    triggers: ['Periodic'],
    parameters: [
      {
        name: 'resourceTags',
        type: 'string',
        description: 'Tags of the clusters to check, JSON {"tagkey":"tagValue"}',
      },
      { name: 'resourceId', type: 'string', description: 'ID of the Aurora DB cluster to check' },
      { name: 'crossRegionList', type: 'string', description: 'Comma-separated destination regions of backup copies' },
      {
        name: 'crossAccountList',
        type: 'string',
        description: 'Comma-separated destination accounts of backup copies',
      },
      {
        name: 'maxRetentionDays',
        type: 'int',
        description: 'Maximum retention period in days for the Backup Vault Lock',
      },
      {
        name: 'minRetentionDays',
        type: 'int',
        description: 'Minimum retention period in days for the Backup Vault Lock',
      },
      { name: 'backupVaultLockCheck', type: 'string', description: "'True' to require a locked backup vault" },
    ],
    severity: 'MEDIUM',
    title: 'Aurora DB clusters are protected by a backup plan',
    description:
      'Checks whether Amazon Aurora DB clusters are taken in by an AWS Backup plan (optionally with cross-region / cross-account copies and a locked vault).',
    risk: 'Aurora keeps automated backups 1–35 days inside the cluster; without a plan there is no long-term or isolated copy.',
    remediation: 'Add the cluster to a backup plan selection; add copy actions and a Vault Lock as required.',
  },
  (ci, p, ctx) => {
    const engine = String(field(ci.configuration, 'engine') ?? '');
    if (!engine.startsWith('aurora')) return notApplicable(`engine ${engine || 'unknown'} is not Aurora`);
    if (typeof p.resourceId === 'string' && p.resourceId !== ci.resourceId)
      return notApplicable(`not the cluster named by resourceId (${p.resourceId})`);
    if (typeof p.resourceTags === 'string') {
      const want = parseTags(p.resourceTags);
      if (!want) return insufficient(`resourceTags is not a JSON object: ${p.resourceTags}`);
      const miss = Object.entries(want).find(([k, v]) => ci.tags[k] !== v);
      if (miss) return notApplicable(`tag ${miss[0]} is not ${miss[1]}`);
    }
    const cov = coverage(ci, ctx);
    if (!cov) return insufficient('AWS Backup selections were not collected');
    if (cov.selections.length === 0)
      return nonCompliant(`Aurora cluster ${ci.resourceId} is in no AWS Backup plan selection`, {
        path: 'AWS::Backup::BackupSelection',
        value: [],
      });
    const plans = cov.selections.map((s) => planOf(s, ctx)).filter((x): x is ConfigItem => x !== undefined);
    const needsPlans = list(p.crossRegionList).length + list(p.crossAccountList).length > 0;
    const lockCheck = String(p.backupVaultLockCheck ?? '').toLowerCase() === 'true';
    if ((needsPlans || lockCheck) && plans.length === 0)
      return insufficient('the backup plans of the covering selections were not collected');
    const dests = plans.flatMap(copyDestinations).map(arnParts);
    for (const r of list(p.crossRegionList))
      if (!dests.some((d) => d.region === r))
        return nonCompliant(`no backup plan copies recovery points of ${ci.resourceId} to region ${r}`, {
          path: 'configuration.backupPlan.rules[].copyActions[].destinationBackupVaultArn',
          value: dests.map((d) => d.region),
        });
    for (const a of list(p.crossAccountList))
      if (!dests.some((d) => d.account === a))
        return nonCompliant(`no backup plan copies recovery points of ${ci.resourceId} to account ${a}`, {
          path: 'configuration.backupPlan.rules[].copyActions[].destinationBackupVaultArn',
          value: dests.map((d) => d.account),
        });
    if (lockCheck) {
      if (!ctx.known(VAULT)) return insufficient('backup vaults were not collected');
      const vaults = plans
        .flatMap(targetVaults)
        .map((n) => ctx.find(VAULT, n))
        .filter((v): v is ConfigItem => v !== undefined);
      const ok = vaults.find((v) => {
        if (bool(field(v.configuration, 'locked')) !== true) return false;
        const min = num(field(v.configuration, 'minRetentionDays'));
        const max = num(field(v.configuration, 'maxRetentionDays'));
        if (typeof p.minRetentionDays === 'number' && (min === undefined || min < p.minRetentionDays)) return false;
        if (typeof p.maxRetentionDays === 'number' && (max === undefined || max > p.maxRetentionDays)) return false;
        return true;
      });
      if (!ok)
        return nonCompliant(
          `no target vault of ${ci.resourceId} is locked${typeof p.minRetentionDays === 'number' || typeof p.maxRetentionDays === 'number' ? ' within the required retention' : ''}`,
          {
            path: `${VAULT}.configuration.locked`,
            value: vaults.map((v) => [v.resourceId, field(v.configuration, 'locked') ?? null]),
          },
        );
    }
    return compliant(`Aurora cluster ${ci.resourceId} is backed up: ${cov.reasons[0]}`, {
      path: 'AWS::Backup::BackupSelection',
      value: cov.selections.map((s) => s.resourceId),
    });
  },
);
