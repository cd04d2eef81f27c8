/**
 * Rule sets: loading files and directories, and the checks that need the whole set (duplicate identifiers,
 * correlation references, chaining cycles).
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { describeError } from '../core/errors.js';
import { emptyCollection, type LoadOptions, mergeCollections, parseSigmaText } from './parse.js';
import type { CorrelationRule, RuleMeta, SigmaCollection, SigmaIssue, SigmaRule } from './types.js';

const EXTENSIONS = new Set(['.yml', '.yaml']);

/** Every `.yml`/`.yaml` file under the given files or directories (directories recursively, sorted). */
export function listRuleFiles(paths: string[], issues: SigmaIssue[]): string[] {
  const out: string[] = [];
  const visit = (path: string, explicit: boolean) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(path);
    } catch (e) {
      issues.push({ severity: 'error', file: path, reason: `cannot read: ${describeError(e)}` });
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(path).sort();
      } catch (e) {
        issues.push({ severity: 'error', file: path, reason: `cannot list directory: ${describeError(e)}` });
        return;
      }
      for (const n of names) if (!n.startsWith('.')) visit(join(path, n), false);
    } else if (explicit || EXTENSIONS.has(extname(path).toLowerCase())) {
      out.push(path);
    }
  };
  for (const p of paths) visit(p, true);
  return out;
}

/** Load rule files and directories, then validate the set as a whole. Never throws for bad input. */
export function loadSigmaPaths(paths: string[], opts: LoadOptions = {}, stats?: { files: number }): SigmaCollection {
  const issues: SigmaIssue[] = [];
  const parts: SigmaCollection[] = [];
  const files = listRuleFiles(paths, issues);
  if (stats) stats.files = files.length;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      issues.push({ severity: 'error', file, reason: `cannot read: ${describeError(e)}` });
      continue;
    }
    parts.push(parseSigmaText(text, file, opts));
  }
  const merged = mergeCollections([{ ...emptyCollection(), issues }, ...parts]);
  return validateCollection(merged);
}

function label(m: RuleMeta): string {
  return m.id ?? m.name ?? m.title;
}

function issueAt(m: RuleMeta, reason: string, path?: string): SigmaIssue {
  const issue: SigmaIssue = { severity: 'error', file: m.file, line: m.line, rule: label(m), reason };
  if (path) issue.path = path;
  return issue;
}

export type Referable = SigmaRule | CorrelationRule;

/** id and name → documents carrying it. */
export function referenceIndex(c: Pick<SigmaCollection, 'rules' | 'correlations'>): Map<string, Referable[]> {
  const index = new Map<string, Referable[]>();
  for (const d of [...c.rules, ...c.correlations]) {
    for (const key of new Set([d.meta.id, d.meta.name])) {
      if (!key) continue;
      const list = index.get(key);
      if (list) list.push(d);
      else index.set(key, [d]);
    }
  }
  return index;
}

/**
 * Whole-set checks. Returns a new collection without the documents that failed them:
 * - a second document reusing an id or name is an error (the first one stays);
 * - a correlation must reference existing rules or correlations, unambiguously, without cycles;
 * - aliases must name rules of the correlation.
 */
export function validateCollection(c: SigmaCollection): SigmaCollection {
  const issues = [...c.issues];
  const seen = new Map<string, RuleMeta>();
  const keep = <T extends { meta: RuleMeta }>(docs: T[]): T[] =>
    docs.filter((d) => {
      for (const key of new Set([d.meta.id, d.meta.name])) {
        if (!key) continue;
        const first = seen.get(key);
        if (first) {
          issues.push(
            issueAt(
              d.meta,
              `'${key}' is already used by '${first.title}' (${first.file}:${first.line}); document skipped`,
            ),
          );
          return false;
        }
      }
      for (const key of [d.meta.id, d.meta.name]) if (key) seen.set(key, d.meta);
      return true;
    });
  const rules = keep(c.rules);
  const filters = keep(c.filters);
  let correlations = keep(c.correlations);

  const index = referenceIndex({ rules, correlations });
  const bad = new Set<CorrelationRule>();
  for (const corr of correlations) {
    for (const [i, ref] of corr.rules.entries()) {
      const hits = index.get(ref) ?? [];
      if (hits.length === 0) {
        issues.push(
          issueAt(
            corr.meta,
            `references '${ref}', which is not a loaded rule or correlation`,
            `correlation.rules[${i}]`,
          ),
        );
        bad.add(corr);
      }
    }
    for (const [alias, map] of Object.entries(corr.aliases)) {
      for (const ruleRef of Object.keys(map)) {
        if (!corr.rules.includes(ruleRef)) {
          const hits = index.get(ruleRef) ?? [];
          const viaOther = hits.some((h) => corr.rules.some((r) => index.get(r)?.includes(h)));
          if (!viaOther) {
            issues.push(
              issueAt(
                corr.meta,
                `alias '${alias}' maps rule '${ruleRef}', which this correlation does not use`,
                `correlation.aliases.${alias}`,
              ),
            );
            bad.add(corr);
          }
        }
      }
      if (!corr.groupBy.includes(alias)) {
        issues.push({
          ...issueAt(corr.meta, `alias '${alias}' is not used in group-by`, `correlation.aliases.${alias}`),
          severity: 'warning',
        });
      }
    }
  }
  // Cycles through correlation chaining.
  const state = new Map<CorrelationRule, 'visiting' | 'done'>();
  const visit = (corr: CorrelationRule, stack: CorrelationRule[]): void => {
    const s = state.get(corr);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(corr)), corr].map((x) => label(x.meta)).join(' → ');
      issues.push(issueAt(corr.meta, `correlation chain forms a cycle: ${cycle}`, 'correlation.rules'));
      for (const x of stack.slice(stack.indexOf(corr))) bad.add(x);
      return;
    }
    state.set(corr, 'visiting');
    for (const ref of corr.rules) {
      for (const d of index.get(ref) ?? []) if (d.kind === 'correlation') visit(d, [...stack, corr]);
    }
    state.set(corr, 'done');
  };
  for (const corr of correlations) visit(corr, []);
  // A correlation that depends on a rejected one is rejected too.
  let changed = true;
  while (changed) {
    changed = false;
    for (const corr of correlations) {
      if (bad.has(corr)) continue;
      if (corr.rules.some((r) => (index.get(r) ?? []).some((d) => d.kind === 'correlation' && bad.has(d)))) {
        issues.push(issueAt(corr.meta, 'depends on a correlation that was rejected', 'correlation.rules'));
        bad.add(corr);
        changed = true;
      }
    }
  }
  correlations = correlations.filter((x) => !bad.has(x));
  return { rules, filters, correlations, issues };
}
