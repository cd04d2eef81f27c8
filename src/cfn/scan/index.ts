/**
 * `vigil iac scan` library: resolve templates (src/cfn), map resources into Config CIs, evaluate the SAME posture
 * rules as `vigil audit` (reads of deploy-time Unknowns tracked → INSUFFICIENT_DATA, never a false COMPLIANT),
 * run the template-only checks, attach file:line to every result and apply inline suppressions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { buildContext, type Evaluation, type RuleSelection } from '../../posture/engine.js';
import { ACCOUNT_TYPE, type ConfigItem } from '../../posture/model.js';
import { resolveParams } from '../../posture/params.js';
import type { Decision, Evidence, Rule, RuleMeta } from '../../posture/rule.js';
import { ALL_RULES } from '../../posture/rules/index.js';
import { loadTemplate, type TemplateOptions, UNKNOWN_PROPERTIES } from '../index.js';
import {
  isUnknown,
  type ResolvedResource,
  type ResolvedTemplate,
  type SourceLocation,
  type TemplateIssue,
} from '../model.js';
import { type AdaptOptions, adaptTemplate, locateEvidence, type TemplateCi } from './adapter/index.js';
import { TEMPLATE_RULES, type TemplateRule } from './checks.js';
import { type InlineProblem, inlineSuppressions, suppressionMatches } from './inline.js';
import { segments, settle, Tracker, trackedContext } from './track.js';

export type { TemplateRule } from './checks.js';
export { TEMPLATE_RULES } from './checks.js';
export { FOREIGN_IDS } from './inline.js';

export interface IacFinding extends Omit<Evaluation, 'suppressed'> {
  /** `posture` = an AWS Config rule through the CI mapping; `template` = a template-only check. */
  source: 'posture' | 'template';
  /** Rule title (for tables and SARIF messages). */
  title: string;
  file: string;
  line: number;
  column: number;
  logicalId: string;
  /** CloudFormation property path that decided (below Properties), when known. */
  property?: string;
  suppressed?: { reason: string; expires?: string; source: string };
}

export interface TemplateScan {
  file: string;
  issues: TemplateIssue[];
  findings: IacFinding[];
  resources: number;
  /** Inline suppressions that could not count (no reason, bad expiry …). */
  inlineProblems: InlineProblem[];
  /** Resource types without a dedicated CI mapping, with counts. */
  genericTypes: Record<string, number>;
}

export interface IacScanOptions extends TemplateOptions, AdaptOptions {
  /** Posture rules (default: all, AWS defaults for parameters). */
  selections?: RuleSelection[];
  /** Template-only checks (default: all). */
  templateRules?: readonly TemplateRule[];
  /** Apply Metadata suppressions (default true). */
  inlineSuppressions?: boolean;
  now?: number;
}

/** Rules that judge facts of a live account (key age, last use): not applicable to a template. */
const LIVE_ONLY: Record<string, string> = {
  'access-keys-rotated': 'key age is known only in the live account',
  'iam-user-unused-credentials-check': 'credential use is known only in the live account',
  'ec2-instance-managed-by-systems-manager': 'SSM registration happens after launch, in the live account',
  'ec2-stopped-instance': 'instance run state is known only in the live account',
};

export function allSelections(): RuleSelection[] {
  return ALL_RULES.map((rule) => ({ rule }));
}

function clip(s: string): string {
  return s.length <= 256 ? s : `${s.slice(0, 255)}…`;
}

function finding(
  meta: RuleMeta,
  configRuleName: string,
  d: Decision,
  res: ResolvedResource,
  tpl: ResolvedTemplate,
  loc: SourceLocation,
  source: IacFinding['source'],
  ci: ConfigItem | undefined,
  stamp: string,
  env: { region: string; account: string },
  property?: string,
): IacFinding {
  return {
    configRuleName,
    identifier: meta.identifier,
    resourceType: ci?.resourceType ?? res.type,
    resourceId: `${tpl.file}#${res.origin ? [...res.origin, res.logicalId].join('/') : res.logicalId}`,
    resourceName: res.logicalId,
    arn: ci?.arn,
    awsRegion: env.region,
    awsAccountId: env.account,
    complianceType: d.compliance,
    annotation: clip(
      res.condition?.value === 'unknown' && d.compliance !== 'NOT_APPLICABLE'
        ? `${d.annotation} (resource exists only if condition ${res.condition.name} holds)`
        : d.annotation,
    ),
    severity: meta.severity,
    evidence: d.evidence,
    orderingTimestamp: stamp,
    tags: (ci?.tags ?? {}) as Record<string, string>,
    source,
    title: meta.title,
    file: loc.file,
    line: loc.line,
    column: loc.column,
    logicalId: res.logicalId,
    ...(property ? { property } : {}),
  };
}

const cfnPathText = (p: (string | number)[]) =>
  p
    .map((x) => (typeof x === 'number' ? `[${x}]` : `.${x}`))
    .join('')
    .replace(/^\./, '');

/** Evaluate one posture rule on one template CI, tracking Unknown reads. */
function evalOne(
  rule: Rule,
  params: Record<string, unknown>,
  t: TemplateCi,
  ctx: ReturnType<typeof buildContext>,
  tr: Tracker,
): { d: Decision; at: string[] | undefined } {
  const props = t.resource.properties as Record<string, unknown>;
  if (isUnknown(props[UNKNOWN_PROPERTIES]))
    return {
      d: {
        compliance: 'INSUFFICIENT_DATA',
        annotation: `Properties are only known at deploy time: ${(props[UNKNOWN_PROPERTIES] as { reason: string }).reason}`,
        evidence: [],
      },
      at: undefined,
    };
  if (t.generic && rule.meta.name !== 'required-tags')
    return {
      d: {
        compliance: 'INSUFFICIENT_DATA',
        annotation: `no CloudFormation→Config mapping for ${t.resource.type} yet: not evaluated`,
        evidence: [],
      },
      at: undefined,
    };
  const live = LIVE_ONLY[rule.meta.name];
  if (live)
    return {
      d: { compliance: 'NOT_APPLICABLE', annotation: `not applicable to a template: ${live}`, evidence: [] },
      at: undefined,
    };
  tr.reset();
  let d: Decision;
  try {
    d = rule.evaluate(tr.wrap(t.ci, ''), params as never, trackedContext(ctx, tr));
    d = { ...d, evidence: d.evidence.map((e) => ({ path: e.path, value: tr.plain(e.value) }) as Evidence) };
  } catch (e) {
    d = { compliance: 'INSUFFICIENT_DATA', annotation: `could not evaluate: ${(e as Error).message}`, evidence: [] };
  }
  let s: ReturnType<typeof settle>;
  try {
    s = settle(d, tr.reads, t.ci);
  } catch (e) {
    // Never a crash, never a false COMPLIANT: an evidence path we cannot follow leaves the verdict undecided.
    s = {
      decision: {
        compliance: 'INSUFFICIENT_DATA',
        annotation: `could not check the evidence for deploy-time values: ${(e as Error).message}`,
        evidence: d.evidence,
      },
    };
  }
  const first = s.unknown?.path ?? d.evidence[0]?.path;
  return { d: s.decision, at: first ? segments(first) : undefined };
}

/**
 * Helper resources merged into a CI (a bucket policy, an ingress rule …) may exist only under a condition whose value
 * is unknown: a verdict that rests on them is only known at deploy time.
 */
function conditional(d: Decision, t: TemplateCi, decidedBy: ResolvedResource): Decision {
  if (d.compliance === 'INSUFFICIENT_DATA') return d;
  const unsure = (r: ResolvedResource) => r !== t.resource && r.condition?.value === 'unknown';
  const culprit =
    d.compliance === 'NON_COMPLIANT'
      ? unsure(decidedBy)
        ? decidedBy
        : undefined
      : t.origins.map((o) => o.resource).find(unsure);
  if (!culprit) return d;
  return {
    compliance: 'INSUFFICIENT_DATA',
    annotation: `depends on ${culprit.logicalId}, which exists only if condition ${culprit.condition!.name} holds (unknown before deploy); on the known values: ${d.annotation}`,
    evidence: d.evidence,
  };
}

/** Scan one resolved template (not its nested stacks: see scanTemplate). */
export function scanResolved(tpl: ResolvedTemplate, opts: IacScanOptions = {}): TemplateScan {
  const now = opts.now ?? Date.now();
  const stamp = new Date(now).toISOString();
  const adapted = adaptTemplate(tpl, opts);
  const env = { region: adapted.env.region, account: adapted.env.account };
  const items = adapted.cis.map((c) => c.ci);
  const ctx = buildContext({ items }, now);
  const byCi = new Map<ConfigItem, TemplateCi>(adapted.cis.map((c) => [c.ci, c]));
  const findings: IacFinding[] = [];
  const tr = new Tracker();
  for (const sel of opts.selections ?? allSelections()) {
    const { meta } = sel.rule;
    const resolved = resolveParams(meta, sel.params);
    if (resolved.errors.length > 0) continue;
    const name = sel.configRuleName ?? meta.name;
    if (meta.resourceTypes.includes(ACCOUNT_TYPE)) continue; // account-level: reported once per template below
    const types = sel.scope?.resourceTypes?.length
      ? meta.resourceTypes.filter((x) => sel.scope!.resourceTypes!.includes(x))
      : meta.resourceTypes;
    for (const type of types)
      for (const ci of ctx.itemsOf(type)) {
        const t = byCi.get(ci)!;
        const first = evalOne(sel.rule, resolved.params as Record<string, unknown>, t, ctx, tr);
        const where = first.at
          ? locateEvidence(t, first.at)
          : { resource: t.resource, location: t.resource.location, cfn: undefined };
        const d = conditional(first.d, t, where.resource);
        findings.push(
          finding(
            meta,
            name,
            d,
            t.resource,
            tpl,
            where.location,
            'posture',
            ci,
            stamp,
            env,
            where.cfn && where.cfn.length > 0 ? `${where.resource.logicalId}.${cfnPathText(where.cfn)}` : undefined,
          ),
        );
      }
  }
  const live = tpl.resources.filter((r) => r.condition?.value !== false);
  for (const rule of opts.templateRules ?? TEMPLATE_RULES)
    for (const r of live) {
      const results = rule.check(r, tpl);
      if (!results) continue;
      for (const x of results)
        findings.push(
          finding(
            rule.meta,
            rule.meta.name,
            x.decision,
            r,
            tpl,
            x.path.length > 0 ? r.locate(x.path) : r.location,
            'template',
            undefined,
            stamp,
            env,
            x.path.length > 0 ? `${r.logicalId}.${cfnPathText(x.path)}` : undefined,
          ),
        );
    }
  const inlineProblems: InlineProblem[] = [];
  if (opts.inlineSuppressions !== false) {
    const byLogical = new Map<string, ReturnType<typeof inlineSuppressions>['list']>();
    for (const r of tpl.resources) {
      const s = inlineSuppressions(r);
      inlineProblems.push(...s.problems);
      if (s.list.length > 0) byLogical.set(r.logicalId, s.list);
    }
    for (const f of findings) {
      const list = byLogical.get(f.logicalId);
      const hit = list?.find(
        (s) =>
          suppressionMatches(s.id, { name: f.configRuleName, identifier: f.identifier }) &&
          (!s.expires || Date.parse(s.expires) > now),
      );
      if (hit)
        f.suppressed = {
          reason: hit.reason!,
          ...(hit.expires ? { expires: hit.expires } : {}),
          source: `Metadata.${hit.source}`,
        };
    }
  }
  const genericTypes: Record<string, number> = {};
  for (const c of adapted.cis) if (c.generic) genericTypes[c.resource.type] = (genericTypes[c.resource.type] ?? 0) + 1;
  return {
    file: tpl.file,
    issues: tpl.issues,
    findings,
    resources: tpl.resources.length,
    inlineProblems,
    genericTypes,
  };
}

/** Account-level rules are not judged from a template: one NOT_APPLICABLE row each, for the record. */
export function accountRules(selections: RuleSelection[]): RuleMeta[] {
  return selections.map((s) => s.rule.meta).filter((m) => m.resourceTypes.includes(ACCOUNT_TYPE));
}

/** The template and its nested stacks (each nested template scanned on its own, with its own file). */
export function scanTemplateTree(tpl: ResolvedTemplate, opts: IacScanOptions = {}): TemplateScan[] {
  const out = [scanResolved(tpl, opts)];
  for (const n of tpl.nested) out.push(...scanTemplateTree(n.template, opts));
  return out;
}

const TEMPLATE_EXT = new Set(['.yaml', '.yml', '.json', '.template', '.cfn']);

/** Whether a file found while walking a directory looks like a CloudFormation template. */
export function looksLikeTemplate(text: string): boolean {
  return /AWSTemplateFormatVersion|^Resources\s*:|"Resources"\s*:/m.test(text);
}

/** Expand files and directories into template files (explicit files always count). */
export function expandPaths(paths: string[]): { files: string[]; errors: TemplateIssue[] } {
  const files: string[] = [];
  const errors: TemplateIssue[] = [];
  const walk = (p: string, explicit: boolean) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch (e) {
      errors.push({
        location: { file: p, line: 1, column: 1 },
        severity: 'error',
        code: 'unreadable',
        message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      });
      return;
    }
    if (st.isDirectory()) {
      for (const n of readdirSync(p).sort()) if (!n.startsWith('.') && n !== 'node_modules') walk(join(p, n), false);
      return;
    }
    if (explicit) return void files.push(p);
    if (!TEMPLATE_EXT.has(extname(p).toLowerCase()) || st.size > 5_000_000) return;
    try {
      if (looksLikeTemplate(readFileSync(p, 'utf8'))) files.push(p);
    } catch {
      /* unreadable while walking: skipped */
    }
  };
  for (const p of paths) walk(p, true);
  return { files, errors };
}

export interface IacScanResult {
  templates: TemplateScan[];
  /** Problems with the paths given (unreadable …). */
  errors: TemplateIssue[];
}

export async function scanPaths(paths: string[], opts: IacScanOptions = {}): Promise<IacScanResult> {
  const { files, errors } = expandPaths(paths);
  const templates: TemplateScan[] = [];
  for (const f of files) {
    const tpl = await loadTemplate(f, opts);
    try {
      templates.push(...scanTemplateTree(tpl, opts));
    } catch (e) {
      // A defect in a mapping or rule must not hide the other templates: report it located at the file.
      errors.push({
        location: { file: f, line: 1, column: 1 },
        severity: 'error',
        code: 'scan-failed',
        message: `scan failed: ${(e as Error).message}`,
      });
    }
  }
  return { templates, errors };
}
