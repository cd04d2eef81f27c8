/**
 * `vigil netfw lint`: parse and check Suricata rules files, rule-group and policy documents (JSON, YAML, or a
 * CloudFormation template holding them). Unreadable or malformed files are reported and the rest still run.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { lintRulesForNfw, type RuleOrder } from './nfw-lint.js';
import { parseRules } from './parse.js';
import { isPolicyDocument, loadPolicy } from './policy.js';
import { loadRuleGroup } from './rule-group.js';
import type { RuleIssue } from './types.js';

export interface LintReport {
  files: number;
  rules: number;
  disabled: number;
  ruleGroups: number;
  policies: number;
  /** Active rules with at least one NFW compatibility error. */
  incompatibleRules: number;
  issues: RuleIssue[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** CloudFormation short-form tags (`!Ref` …) are kept as plain values: lint needs the literal structure only. */
const CFN_TAGS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Join',
  'If',
  'Select',
  'Split',
  'FindInMap',
  'ImportValue',
  'Base64',
  'Equals',
  'Not',
  'And',
  'Or',
  'Condition',
  'GetAZs',
  'Cidr',
].flatMap((t) =>
  (['scalar', 'seq', 'map'] as const).map((collection) => ({
    tag: `!${t}`,
    collection: collection === 'scalar' ? undefined : collection,
    resolve: (v: unknown) => ({ [`Fn::${t}`]: v }),
  })),
);

function parseDocument(text: string, file: string): unknown {
  if (/\.json$/i.test(file)) return JSON.parse(text);
  // biome-ignore lint/suspicious/noExplicitAny: the yaml package's custom-tag typing is loose
  return parseYaml(text, { customTags: CFN_TAGS as any });
}

export function lintFiles(paths: readonly string[], ruleOrder: RuleOrder = 'DEFAULT_ACTION_ORDER'): LintReport {
  const rep: LintReport = {
    files: 0,
    rules: 0,
    disabled: 0,
    ruleGroups: 0,
    policies: 0,
    incompatibleRules: 0,
    issues: [],
  };
  const fileErr = (file: string, reason: string) =>
    rep.issues.push({ file, line: 0, column: 0, severity: 'error', reason });
  for (const file of paths) {
    let text: string;
    try {
      if (statSync(file).isDirectory()) {
        fileErr(file, 'is a directory; pass rules files or rule-group/policy documents');
        continue;
      }
      text = readFileSync(file, 'utf8');
    } catch (e) {
      fileErr(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      continue;
    }
    rep.files++;
    if (/\.(json|ya?ml|template)$/i.test(file)) {
      let doc: unknown;
      try {
        doc = parseDocument(text, file);
      } catch (e) {
        fileErr(file, `not valid JSON/YAML: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      lintDocument(doc, file, rep);
      continue;
    }
    const p = parseRules(text, file);
    rep.rules += p.rules.length;
    rep.disabled += p.disabled.length;
    rep.issues.push(...p.issues);
    const nfw = lintRulesForNfw(p.rules, { ruleOrder });
    rep.incompatibleRules += new Set(nfw.map((i) => `${i.line}`)).size;
    rep.issues.push(...nfw);
  }
  return rep;
}

function lintDocument(doc: unknown, file: string, rep: LintReport): void {
  const resources = isObj(doc) && isObj(doc.Resources) ? Object.entries(doc.Resources) : undefined;
  const items: [string, unknown][] = resources
    ? resources.filter(([, r]) => isObj(r) && /^AWS::NetworkFirewall::(RuleGroup|FirewallPolicy)$/.test(String(r.Type)))
    : [['', doc]];
  if (items.length === 0) {
    rep.issues.push({
      file,
      line: 0,
      column: 0,
      severity: 'error',
      reason: 'template has no AWS::NetworkFirewall::RuleGroup or FirewallPolicy resources',
    });
    return;
  }
  for (const [id, d] of items) {
    const label = id ? `${file}#${id}` : file;
    const isPolicy = isObj(d) && d.Type === 'AWS::NetworkFirewall::FirewallPolicy' ? true : isPolicyDocument(d);
    if (isPolicy) {
      rep.policies++;
      rep.issues.push(...loadPolicy(d, label).issues);
    } else {
      const g = loadRuleGroup(d, label);
      rep.ruleGroups++;
      rep.rules += g.parsed?.rules.length ?? g.stateless.length;
      rep.disabled += g.parsed?.disabled.length ?? 0;
      rep.issues.push(...g.issues);
      if (g.parsed) {
        const bad = new Set(g.issues.filter((i) => i.line > 0 && i.severity === 'error').map((i) => i.line));
        rep.incompatibleRules += bad.size;
      }
    }
  }
}

/** `file:line:col: severity: reason [sid N] (path)` — the located one-line form. */
export function formatIssue(i: RuleIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file;
  const sid = i.sid !== undefined ? ` [sid ${i.sid}]` : '';
  const path = i.path ? ` (${i.path})` : '';
  return `${where}: ${i.severity}: ${i.reason}${sid}${path}`;
}
