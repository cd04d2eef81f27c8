/**
 * Suppressions (a reason is required, expiry optional; by rule, resource ARN/ID glob, tag, account, region) and
 * baselines (fingerprint = rule + resource + account + region) so CI reports only new failures. Suppressed and
 * baselined evaluations stay in the output, flagged, and never gate.
 */
import { parse } from 'yaml';
import type { Evaluation } from './engine.js';
import { fingerprint } from './report/index.js';
import { findRule } from './rules/index.js';

export interface Suppression {
  rule: string;
  resource?: string;
  account?: string;
  region?: string;
  tag?: { key: string; value?: string };
  reason: string;
  expires?: string;
}

const globRe = (g: string) =>
  new RegExp(
    `^${g
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );

/** Parse a suppression file (YAML or JSON: `suppressions: [...]`); problems are returned with the entry index. */
export function parseSuppressions(text: string, file: string): { suppressions: Suppression[]; issues: string[] } {
  const issues: string[] = [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    return { suppressions: [], issues: [`${file}: not valid YAML/JSON: ${(e as Error).message}`] };
  }
  const list = (doc as { suppressions?: unknown } | null)?.suppressions;
  if (!Array.isArray(list)) return { suppressions: [], issues: [`${file}: expected a "suppressions" list`] };
  const out: Suppression[] = [];
  for (let i = 0; i < list.length; i++) {
    const raw: unknown = list[i];
    const s = raw as Partial<Suppression> | null;
    const where = `${file}: suppressions[${i}]`;
    if (!s || typeof s.rule !== 'string') {
      issues.push(`${where}: "rule" is required (name, identifier or *)`);
      continue;
    }
    if (typeof s.reason !== 'string' || s.reason.trim() === '') {
      issues.push(`${where}: "reason" is required`);
      continue;
    }
    if (s.rule !== '*' && !findRule(s.rule)) {
      issues.push(`${where}: unknown rule ${s.rule}`);
      continue;
    }
    const rawExpires = (s as { expires?: unknown }).expires;
    // A YAML 1.1 / custom-schema parse may give a Date; the default gives the string.
    const expires =
      rawExpires === undefined ? undefined : rawExpires instanceof Date ? rawExpires.toISOString() : String(rawExpires);
    if (expires !== undefined && Number.isNaN(Date.parse(expires))) {
      issues.push(`${where}: expires is not a date: ${expires}`);
      continue;
    }
    out.push({ ...s, rule: s.rule, reason: s.reason, expires } as Suppression);
  }
  return { suppressions: out, issues };
}

function matches(s: Suppression, e: Evaluation): boolean {
  if (s.rule !== '*') {
    const r = findRule(s.rule);
    if (!r || (r.meta.identifier !== e.identifier && s.rule !== e.configRuleName)) return false;
  }
  if (s.resource !== undefined) {
    const re = globRe(s.resource);
    if (!re.test(e.arn ?? '') && !re.test(e.resourceId)) return false;
  }
  if (s.account !== undefined && s.account !== e.awsAccountId) return false;
  if (s.region !== undefined && s.region !== e.awsRegion) return false;
  if (s.tag) {
    const v = e.tags[s.tag.key];
    if (v === undefined || (s.tag.value !== undefined && v !== s.tag.value)) return false;
  }
  return true;
}

/** Flag matching evaluations; expired suppressions do not apply and are listed so they get renewed or removed. */
export function applySuppressions(evals: Evaluation[], list: Suppression[], now: number): { expired: Suppression[] } {
  const live = list.filter((s) => !s.expires || Date.parse(s.expires) > now);
  const expired = list.filter((s) => s.expires && Date.parse(s.expires) <= now);
  for (const e of evals) {
    const s = live.find((x) => matches(x, e));
    if (s) e.suppressed = { reason: s.reason, ...(s.expires ? { expires: s.expires } : {}) };
  }
  return { expired };
}

export interface Baseline {
  vigilPostureBaseline: 1;
  fingerprints: string[];
}

/** Baseline of the current NON_COMPLIANT evaluations. */
export function createBaseline(evals: Evaluation[]): Baseline {
  const fps = new Set(evals.filter((e) => e.complianceType === 'NON_COMPLIANT').map(fingerprint));
  return { vigilPostureBaseline: 1, fingerprints: [...fps].sort() };
}

export function applyBaseline(evals: Evaluation[], b: Baseline): number {
  const set = new Set(b.fingerprints);
  let n = 0;
  for (const e of evals)
    if (e.complianceType === 'NON_COMPLIANT' && set.has(fingerprint(e))) {
      e.baseline = true;
      n++;
    }
  return n;
}
