import type { Decision, WafEngine } from './evaluate.js';
import type { LoggedDecision } from './replay.js';
import type { WafRequest } from './request.js';
import { fromBytes } from './transforms.js';

/** Totals of an offline test run (`vigil waf test`). */
export interface TestSummary {
  requests: number;
  byAction: Record<string, number>;
  /** Per terminating rule (group rules as `group/rule`): how many requests it decided. */
  terminating: Record<string, number>;
  /** Per rule that matched without terminating (Count, satisfied Captcha/Challenge, excluded group rules). */
  counted: Record<string, number>;
  /** WAF-log inputs only: how many had a logged decision, and action changes `LOGGED->CANDIDATE`. */
  compared: number;
  changed: Record<string, number>;
  errors: number;
  /** Records of log types without HTTP requests (NLB, VPC flow …). */
  skipped: number;
}

export function emptySummary(): TestSummary {
  return { requests: 0, byAction: {}, terminating: {}, counted: {}, compared: 0, changed: {}, errors: 0, skipped: 0 };
}

const inc = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

/** One line of tester output: the request, the candidate decision with its explanation, and the logged one. */
export function resultLine(
  source: string,
  req: WafRequest,
  d: Decision,
  logged?: LoggedDecision,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    source,
    time: new Date(req.time).toISOString(),
    clientIp: req.clientIp,
    method: req.method,
    uri: fromBytes(req.uriPath) + (req.queryString ? `?${fromBytes(req.queryString)}` : ''),
    action: d.action,
    terminatingRuleId: d.terminatingRuleId,
  };
  if (d.terminatingGroupRule) out.terminatingGroupRule = d.terminatingGroupRule;
  if (d.terminatingRuleMatchDetails.length > 0) out.matches = d.terminatingRuleMatchDetails;
  if (d.nonTerminatingMatchingRules.length > 0) out.counted = d.nonTerminatingMatchingRules.map((h) => h.ruleId);
  if (d.labels.length > 0) out.labels = d.labels;
  if (logged) out.logged = logged;
  return out;
}

/** Evaluate one replayed request and fold it into the summary. */
export function testOne(engine: WafEngine, req: WafRequest, summary: TestSummary, logged?: LoggedDecision): Decision {
  const d = engine.evaluate(req);
  summary.requests++;
  inc(summary.byAction, d.action);
  inc(
    summary.terminating,
    d.terminatingGroupRule ? `${d.terminatingRuleId}/${d.terminatingGroupRule}` : d.terminatingRuleId,
  );
  for (const h of d.nonTerminatingMatchingRules) inc(summary.counted, h.ruleId);
  for (const g of d.ruleGroupList)
    for (const h of g.nonTerminatingMatchingRules) inc(summary.counted, `${g.ruleGroupId}/${h.ruleId}`);
  if (logged && logged.action !== '') {
    summary.compared++;
    if (logged.action !== d.action) inc(summary.changed, `${logged.action}->${d.action}`);
  }
  return d;
}

/** Plain-text summary for the terminal. */
export function formatSummary(s: TestSummary): string {
  const lines: string[] = [];
  lines.push(`requests evaluated: ${s.requests}${s.errors > 0 ? ` (${s.errors} records not replayable)` : ''}`);
  if (s.skipped > 0) lines.push(`records without an HTTP request (skipped): ${s.skipped}`);
  for (const [a, n] of Object.entries(s.byAction).sort()) lines.push(`  ${a.padEnd(10)} ${n}`);
  lines.push('terminating rule:');
  for (const [r, n] of Object.entries(s.terminating).sort((a, b) => b[1] - a[1]))
    lines.push(`  ${String(n).padStart(8)}  ${r}`);
  if (Object.keys(s.counted).length > 0) {
    lines.push('non-terminating matches (Count / satisfied Captcha, Challenge):');
    for (const [r, n] of Object.entries(s.counted).sort((a, b) => b[1] - a[1]))
      lines.push(`  ${String(n).padStart(8)}  ${r}`);
  }
  if (s.compared > 0) {
    const changed = Object.values(s.changed).reduce((a, b) => a + b, 0);
    lines.push(`compared with logged decisions: ${s.compared}, changed: ${changed}`);
    for (const [k, n] of Object.entries(s.changed).sort((a, b) => b[1] - a[1]))
      lines.push(`  ${String(n).padStart(8)}  ${k}`);
  }
  return `${lines.join('\n')}\n`;
}
