/**
 * Suppression (auto-archive) rules in GuardDuty's filter shape (CreateFilter): `{Name, Action: ARCHIVE|NOOP, Rank,
 * Description, FindingCriteria: {Criterion: {<field path>: {Eq, Neq, Gt, Gte, Lt, Lte, Equals, NotEquals,
 * GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual}}}}`. Member names are accepted in PascalCase (API) or
 * camelCase (CLI JSON). Field paths are GuardDuty's filter attributes (`type`, `severity`,
 * `resource.instanceDetails.instanceId`, `service.action.networkConnectionAction.remoteIpDetails.ipAddressV4` …),
 * read from the finding JSON; a path through an array matches when any element matches.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { VigilError } from '../core/errors.js';
import type { Finding } from './types.js';

type Op = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';

interface Condition {
  field: string;
  op: Op;
  values: (string | number)[];
}

export interface SuppressionRule {
  name: string;
  action: 'ARCHIVE' | 'NOOP';
  rank: number;
  description?: string;
  conditions: Condition[];
}

const OPS: Record<string, Op> = {
  eq: 'eq',
  equals: 'eq',
  neq: 'neq',
  notequals: 'neq',
  gt: 'gt',
  greaterthan: 'gt',
  gte: 'gte',
  greaterthanorequal: 'gte',
  lt: 'lt',
  lessthan: 'lt',
  lte: 'lte',
  lessthanorequal: 'lte',
};

function member(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const pascal = name[0]!.toUpperCase() + name.slice(1);
  return obj[pascal];
}

/** Validate one filter object; throws VigilError naming the rule and the problem. */
export function parseFilter(raw: unknown, where: string): SuppressionRule {
  if (!raw || typeof raw !== 'object') throw new VigilError(`${where}: a filter must be an object`);
  const o = raw as Record<string, unknown>;
  const name = String(member(o, 'name') ?? where);
  const action = String(member(o, 'action') ?? 'ARCHIVE').toUpperCase();
  if (action !== 'ARCHIVE' && action !== 'NOOP')
    throw new VigilError(`${where} (${name}): Action must be ARCHIVE or NOOP, got "${action}"`);
  const fc = member(o, 'findingCriteria') as Record<string, unknown> | undefined;
  const crit =
    fc && typeof fc === 'object' ? (member(fc, 'criterion') as Record<string, unknown> | undefined) : undefined;
  if (!crit || typeof crit !== 'object' || Object.keys(crit).length === 0)
    throw new VigilError(`${where} (${name}): FindingCriteria.Criterion must be a non-empty object`);
  const conditions: Condition[] = [];
  for (const [field, cond] of Object.entries(crit)) {
    if (!cond || typeof cond !== 'object')
      throw new VigilError(`${where} (${name}): criterion "${field}" must be an object of operators`);
    for (const [opName, value] of Object.entries(cond as Record<string, unknown>)) {
      const op = OPS[opName.toLowerCase()];
      if (!op)
        throw new VigilError(
          `${where} (${name}): unknown operator "${opName}" on "${field}" (Eq, Neq, Gt, Gte, Lt, Lte)`,
        );
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0) throw new VigilError(`${where} (${name}): "${field}.${opName}" has no values`);
      if ((op === 'eq' || op === 'neq') && values.some((v) => typeof v !== 'string' && typeof v !== 'number'))
        throw new VigilError(`${where} (${name}): "${field}.${opName}" values must be strings or numbers`);
      if (op !== 'eq' && op !== 'neq' && (values.length !== 1 || typeof values[0] !== 'number'))
        throw new VigilError(`${where} (${name}): "${field}.${opName}" needs one number`);
      conditions.push({ field, op, values: values as (string | number)[] });
    }
  }
  const rank = Number(member(o, 'rank') ?? 1);
  const description = member(o, 'description');
  return { name, action, rank, description: typeof description === 'string' ? description : undefined, conditions };
}

/** Values found at a dotted path (arrays fan out). */
export function valuesAt(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const part of path.split('.')) {
    const next: unknown[] = [];
    for (const c of cur) {
      if (Array.isArray(c)) {
        for (const e of c) if (e && typeof e === 'object' && part in e) next.push((e as Record<string, unknown>)[part]);
      } else if (c && typeof c === 'object' && part in c) next.push((c as Record<string, unknown>)[part]);
    }
    cur = next;
  }
  return cur.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function asNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    // GuardDuty compares time attributes (updatedAt, eventLastSeen …) as epoch milliseconds.
    const n = Number(v);
    if (!Number.isNaN(n)) return n;
    return Date.parse(v);
  }
  return Number.NaN;
}

function condMatches(f: Finding, c: Condition): boolean {
  const found = valuesAt(f, c.field);
  switch (c.op) {
    case 'eq':
      return found.some((v) => c.values.some((w) => String(v) === String(w)));
    case 'neq':
      return !found.some((v) => c.values.some((w) => String(v) === String(w)));
    default: {
      const bound = c.values[0] as number;
      return found.some((v) => {
        const n = asNumber(v);
        if (Number.isNaN(n)) return false;
        return c.op === 'gt' ? n > bound : c.op === 'gte' ? n >= bound : c.op === 'lt' ? n < bound : n <= bound;
      });
    }
  }
}

export function ruleMatches(f: Finding, rule: SuppressionRule): boolean {
  return rule.conditions.every((c) => condMatches(f, c));
}

/** The first ARCHIVE rule (by rank) that matches, if any. */
export function archivingRule(f: Finding, rules: SuppressionRule[]): SuppressionRule | undefined {
  for (const r of rules) if (r.action === 'ARCHIVE' && ruleMatches(f, r)) return r;
  return undefined;
}

/** Load filters from a JSON or YAML file: one filter, an array, or `{filters: [...]}`. */
export function loadSuppressionFile(file: string): SuppressionRule[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError(`--suppress ${file}: cannot read: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON
  } catch (err) {
    throw new VigilError(`--suppress ${file}: not valid JSON/YAML: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc)
    ? doc
    : ((doc as Record<string, unknown>)?.filters ?? (doc as Record<string, unknown>)?.Filters ?? [doc]);
  if (!Array.isArray(list)) throw new VigilError(`--suppress ${file}: "filters" must be a list`);
  return list.map((f, i) => parseFilter(f, `${file} filter ${i + 1}`)).sort((a, b) => a.rank - b.rank);
}
