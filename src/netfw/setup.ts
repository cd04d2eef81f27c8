/**
 * Assemble an evaluable firewall from files: a policy (optional), rule groups and plain Suricata rules files.
 * Policy references are matched to rule-group files by ARN, or by the group name at the end of the ARN.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { compileForEval, type EvalPolicy, type NotEvaluable, type StatefulGroup } from './evaluate.js';
import { parseRules } from './parse.js';
import { type FirewallPolicy, loadPolicy } from './policy.js';
import { loadRuleGroup, type RuleGroup } from './rule-group.js';
import type { RuleIssue } from './types.js';
import { defaultVars, type RuleVars } from './vars.js';

export interface FirewallSetup {
  policy: EvalPolicy;
  notEvaluable: NotEvaluable[];
  issues: RuleIssue[];
  evaluableRules: number;
}

function readDoc(file: string, issues: RuleIssue[]): unknown {
  try {
    const text = readFileSync(file, 'utf8');
    return /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    issues.push({
      file,
      line: 0,
      column: 0,
      severity: 'error',
      reason: `cannot load: ${(e as Error).message.split('\n')[0]}`,
    });
    return undefined;
  }
}

function arnOf(doc: unknown): string | undefined {
  const d = doc as { RuleGroupResponse?: { RuleGroupArn?: unknown } } | undefined;
  return typeof d?.RuleGroupResponse?.RuleGroupArn === 'string' ? d.RuleGroupResponse.RuleGroupArn : undefined;
}

export function loadFirewall(opts: {
  policy?: string;
  ruleGroups?: string[];
  rules?: string[];
  homeNet?: string[];
}): FirewallSetup {
  const issues: RuleIssue[] = [];
  let pol: FirewallPolicy | undefined;
  if (opts.policy) {
    const doc = readDoc(opts.policy, issues);
    if (doc !== undefined) {
      pol = loadPolicy(doc, opts.policy);
      issues.push(...pol.issues);
    }
  }
  const homeNet = opts.homeNet ?? pol?.variables.HOME_NET;
  const base: Partial<RuleVars> = homeNet ? { address: { HOME_NET: `[${homeNet.join(',')}]` } } : {};
  const groups: { g: RuleGroup; arn?: string }[] = [];
  for (const f of opts.ruleGroups ?? []) {
    const doc = readDoc(f, issues);
    if (doc === undefined) continue;
    const g = loadRuleGroup(doc, f);
    issues.push(...g.issues);
    const arn = arnOf(doc);
    groups.push({ g, ...(arn ? { arn } : {}) });
  }
  const notEvaluable: NotEvaluable[] = [];
  let evaluableRules = 0;
  const stateful = (g: RuleGroup, dropToAlert: boolean): StatefulGroup => {
    const vars = defaultVars({ address: { ...base.address, ...g.vars.address }, port: g.vars.port });
    const c = compileForEval(g.parsed?.rules ?? [], vars, g.name ?? g.file);
    notEvaluable.push(...c.notEvaluable);
    evaluableRules += c.compiled.length;
    return { label: g.name ?? g.file, rules: c.compiled, ...(dropToAlert ? { dropToAlert } : {}) };
  };
  const policy: EvalPolicy = {
    statelessGroups: [],
    statelessDefault: pol?.statelessDefault ?? ['aws:forward_to_sfe'],
    statefulGroups: [],
    ruleOrder: pol?.ruleOrder ?? 'DEFAULT_ACTION_ORDER',
    statefulDefault: pol?.statefulDefault ?? [],
  };
  const find = (arn: string) =>
    groups.find((x) => x.arn === arn || (x.g.name !== undefined && arn.endsWith(`/${x.g.name}`)));
  if (pol) {
    for (const ref of pol.statelessGroups) {
      const x = find(ref.arn);
      if (!x)
        issues.push({
          file: pol.file,
          line: 0,
          column: 0,
          severity: 'warning',
          reason: `stateless rule group ${ref.arn} was not given (--rule-group)`,
        });
      else policy.statelessGroups.push({ label: x.g.name ?? x.g.file, rules: x.g.stateless });
    }
    for (const ref of pol.statefulGroups) {
      const x = find(ref.arn);
      if (!x)
        issues.push({
          file: pol.file,
          line: 0,
          column: 0,
          severity: 'warning',
          reason: `stateful rule group ${ref.arn} was not given (--rule-group)`,
        });
      else policy.statefulGroups.push(stateful(x.g, ref.override === 'DROP_TO_ALERT'));
    }
  } else {
    for (const { g } of groups) {
      if (g.kind === 'STATELESS') policy.statelessGroups.push({ label: g.name ?? g.file, rules: g.stateless });
      else if (g.parsed) policy.statefulGroups.push(stateful(g, false));
    }
  }
  for (const f of opts.rules ?? []) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      issues.push({
        file: f,
        line: 0,
        column: 0,
        severity: 'error',
        reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      });
      continue;
    }
    const p = parseRules(text, f);
    issues.push(...p.issues.filter((i) => i.severity === 'error'));
    const vars = defaultVars(base);
    const c = compileForEval(p.rules, vars, f);
    notEvaluable.push(...c.notEvaluable);
    evaluableRules += c.compiled.length;
    policy.statefulGroups.push({ label: f, rules: c.compiled });
  }
  return { policy, notEvaluable, issues, evaluableRules };
}
