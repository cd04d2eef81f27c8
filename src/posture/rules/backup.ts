/**
 * AWS Backup selection matching, shared by the *-in-backup-plan and *-protected-by-backup-plan rules: which backup
 * plans' selections (AWS::Backup::BackupSelection CIs) take in a resource, judged from the selection's Resources /
 * NotResources ARN patterns, ListOfTags (any one) and Conditions (all), as AWS Backup assigns resources.
 */
import type { ConfigItem } from '../model.js';
import type { EvalContext } from '../rule.js';
import { arr, field, isObj, path } from './util.js';

export const SELECTION = 'AWS::Backup::BackupSelection';
export const PLAN = 'AWS::Backup::BackupPlan';

/** The ARN AWS Backup uses for a resource CI (the CI's own when recorded). */
export function resourceArn(ci: ConfigItem): string {
  if (ci.arn) return ci.arn;
  const p = `arn:aws:%s:${ci.awsRegion}:${ci.awsAccountId}:`;
  const pre = (svc: string) => p.replace('%s', svc);
  switch (ci.resourceType) {
    case 'AWS::EC2::Volume':
      return `${pre('ec2')}volume/${ci.resourceId}`;
    case 'AWS::EC2::Instance':
      return `${pre('ec2')}instance/${ci.resourceId}`;
    case 'AWS::EFS::FileSystem':
      return `${pre('elasticfilesystem')}file-system/${ci.resourceId}`;
    case 'AWS::DynamoDB::Table':
      return `${pre('dynamodb')}table/${ci.resourceId}`;
    case 'AWS::RDS::DBInstance':
      return `${pre('rds')}db:${ci.resourceId}`;
    case 'AWS::RDS::DBCluster':
      return `${pre('rds')}cluster:${ci.resourceId}`;
    default:
      return ci.resourceId;
  }
}

function glob(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replaceAll('*', '.*')}$`);
  return re.test(value);
}

type TagCond = { key: string; value: string; op: string };

function tagConds(list: unknown, op?: string): TagCond[] {
  return arr(list).map((c) => ({
    key: String(field(c, 'conditionKey') ?? '').replace(/^aws:ResourceTag\//, ''),
    value: String(field(c, 'conditionValue') ?? ''),
    op: op ?? String(field(c, 'conditionType') ?? 'STRINGEQUALS').toUpperCase(),
  }));
}

function tagMatches(c: TagCond, tags: Record<string, string>): boolean {
  const v = tags[c.key];
  switch (c.op) {
    case 'STRINGEQUALS':
      return v === c.value;
    case 'STRINGNOTEQUALS':
      return v !== c.value;
    case 'STRINGLIKE':
      return v !== undefined && glob(c.value, v);
    case 'STRINGNOTLIKE':
      return v === undefined || !glob(c.value, v);
    default:
      return false;
  }
}

export interface Coverage {
  /** Selection CIs that take in the resource. */
  selections: ConfigItem[];
  /** Why each matched (for the annotation). */
  reasons: string[];
}

/** The body of a selection CI: Config's `backupSelection` object, or the CI configuration itself. */
export function selectionBody(sel: ConfigItem): Record<string, unknown> {
  const b = field(sel.configuration, 'backupSelection');
  return isObj(b) ? b : sel.configuration;
}

export function selectionPlanId(sel: ConfigItem): string {
  return String(field(sel.configuration, 'backupPlanId') ?? '');
}

/** Whether one selection takes in the resource, and by which clause. */
export function selectionCovers(sel: ConfigItem, ci: ConfigItem): string | undefined {
  if (sel.awsAccountId !== ci.awsAccountId || sel.awsRegion !== ci.awsRegion) return undefined;
  const body = selectionBody(sel);
  const arn = resourceArn(ci);
  const resources = arr(field(body, 'resources')).map(String);
  const notResources = arr(field(body, 'notResources')).map(String);
  const listOfTags = tagConds(field(body, 'listOfTags'));
  const cond = field(body, 'conditions');
  const all: TagCond[] = [
    ...tagConds(field(cond, 'stringEquals'), 'STRINGEQUALS'),
    ...tagConds(field(cond, 'stringNotEquals'), 'STRINGNOTEQUALS'),
    ...tagConds(field(cond, 'stringLike'), 'STRINGLIKE'),
    ...tagConds(field(cond, 'stringNotLike'), 'STRINGNOTLIKE'),
  ];
  if (notResources.some((p) => glob(p, arn))) return undefined;
  if (!all.every((c) => tagMatches(c, ci.tags))) return undefined;
  const byArn = resources.find((p) => glob(p, arn));
  if (byArn) return `resource pattern ${byArn}`;
  const byTag = listOfTags.find((c) => tagMatches(c, ci.tags));
  if (byTag) return `tag ${byTag.key}=${byTag.value}`;
  // Conditions alone (no Resources, no ListOfTags) select nothing: AWS requires one of the two.
  return undefined;
}

/** Selections covering a resource; undefined when backup selections were not collected. */
export function coverage(ci: ConfigItem, ctx: EvalContext): Coverage | undefined {
  if (!ctx.known(SELECTION)) return undefined;
  const selections: ConfigItem[] = [];
  const reasons: string[] = [];
  for (const sel of ctx.itemsOf(SELECTION)) {
    const why = selectionCovers(sel, ci);
    if (why) {
      selections.push(sel);
      const name = String(field(selectionBody(sel), 'selectionName') ?? sel.resourceId);
      reasons.push(`selection ${name} (plan ${selectionPlanId(sel)}) by ${why}`);
    }
  }
  return { selections, reasons };
}

/** The plan CI of a selection. */
export function planOf(sel: ConfigItem, ctx: EvalContext): ConfigItem | undefined {
  return ctx.find(PLAN, selectionPlanId(sel));
}

/** Rules of a plan CI (Config's `backupPlan.rules`). */
export function planRules(plan: ConfigItem): unknown[] {
  const p = field(plan.configuration, 'backupPlan') ?? plan.configuration;
  return arr(field(p, 'rules') ?? field(p, 'backupPlanRule'));
}

/** Destination vault ARNs of a plan's copy actions. */
export function copyDestinations(plan: ConfigItem): string[] {
  const out: string[] = [];
  for (const r of planRules(plan))
    for (const c of arr(field(r, 'copyActions'))) {
      const d = path(c, 'destinationBackupVaultArn');
      if (typeof d === 'string') out.push(d);
    }
  return out;
}

/** Vault names a plan backs up into. */
export function targetVaults(plan: ConfigItem): string[] {
  return planRules(plan)
    .map((r) => field(r, 'targetBackupVaultName'))
    .filter((v): v is string => typeof v === 'string');
}

/** Per-resource "is it in a backup plan" decision. */
export function inPlanDecision(ci: ConfigItem, ctx: EvalContext, label: string) {
  const cov = coverage(ci, ctx);
  if (!cov) return { kind: 'unknown' as const, annotation: 'AWS Backup selections were not collected' };
  if (cov.selections.length === 0)
    return { kind: 'none' as const, annotation: `${label} ${ci.resourceId} is in no AWS Backup plan selection` };
  return { kind: 'covered' as const, annotation: `${label} ${ci.resourceId} is backed up: ${cov.reasons[0]}`, cov };
}
