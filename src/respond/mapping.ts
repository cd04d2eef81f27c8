/**
 * Which remediation answers which finding: GuardDuty finding types and AWS Config rule names → a default action and
 * how to pull its parameters out of the EventBridge event. The table (mapping-data.ts) is data; users override
 * entries by key (mergeMapping) and the runner resolves an event with resolveRemediation.
 *
 * Parameter specs:
 * - `'$.detail.resourceId'` — a path into the event (`.key`, `[0]`, `['AWS::CloudTrail::Trail']`);
 * - `['$.a', '$.b']` — the first path that resolves;
 * - `{ path, map?, default?, wrap? }` — a path whose value is mapped through `map`, defaulted, or wrapped in an array;
 * - `{ template: 'arn:aws:dynamodb:{$.detail.awsRegion}:…' }` — a string with `{path}` holes;
 * - `{ value: x }` or any other literal — used as is; `${env:NAME}` inside a literal string is read from the
 *   environment (so site-specific values such as a backup plan id or a webhook URL stay out of the table).
 */

export type ParamSpec =
  | string
  | number
  | boolean
  | unknown[]
  | { value: unknown }
  | { path: string | string[]; map?: Record<string, unknown>; default?: unknown; wrap?: 'array' }
  | { template: string }
  /** Any other object is a literal (e.g. a tags map). */
  | Record<string, unknown>;

export interface MappingEntry {
  action: string;
  params: Record<string, ParamSpec>;
  /** Why this action for this finding/rule (shown in docs and in the resolution). */
  note?: string;
}

export interface ResponseMapping {
  /** GuardDuty finding type (exact, or a prefix ending in `*`) → entry; `null` disables a default. */
  findingTypes: Record<string, MappingEntry | null>;
  /** AWS Config rule name → entry, for NON_COMPLIANT compliance-change events; `null` disables a default. */
  configRules: Record<string, MappingEntry | null>;
}

export interface Resolution {
  action: string;
  params: Record<string, unknown>;
  /** Which table entry matched. */
  matched: { table: 'findingTypes' | 'configRules'; key: string; on: string };
  /** Parameters whose paths did not resolve or whose environment variable is unset. */
  missing: string[];
  note?: string;
}

/** Overrides replace whole entries by key; `null` removes a default. */
export function mergeMapping(base: ResponseMapping, ...overrides: Partial<ResponseMapping>[]): ResponseMapping {
  const out: ResponseMapping = { findingTypes: { ...base.findingTypes }, configRules: { ...base.configRules } };
  for (const o of overrides) {
    Object.assign(out.findingTypes, o.findingTypes ?? {});
    Object.assign(out.configRules, o.configRules ?? {});
  }
  return out;
}

type Segment = string | number;

/** Parse `$.a.b[0]['x::y']` into segments; undefined for a malformed path. */
export function parsePath(path: string): Segment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segs: Segment[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let i = 1;
  while (i < path.length) {
    re.lastIndex = i;
    const m = re.exec(path);
    if (!m) return undefined;
    segs.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4]!)));
    i = re.lastIndex;
  }
  return segs;
}

export function getPath(doc: unknown, path: string): unknown {
  const segs = parsePath(path);
  if (!segs) return undefined;
  let v: unknown = doc;
  for (const s of segs) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

const ENV = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

function expandLiteral(v: unknown, env: NodeJS.ProcessEnv, missing: string[], name: string): unknown {
  if (typeof v !== 'string') return v;
  // Header values keep their ${env:…} (expanded only when sending, so secrets stay out of plans).
  if (name === 'url') return v;
  return v.replace(ENV, (whole, n: string) => {
    const val = env[n];
    if (val === undefined) {
      missing.push(`${name} (environment variable ${n} is not set)`);
      return whole;
    }
    return val;
  });
}

const isPath = (s: unknown): s is string => typeof s === 'string' && s.startsWith('$.');

function firstPath(doc: unknown, paths: string[]): unknown {
  for (const p of paths) {
    const v = getPath(doc, p);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** Evaluate one parameter spec against an event. */
export function evalSpec(
  spec: ParamSpec,
  event: unknown,
  name: string,
  missing: string[],
  env: NodeJS.ProcessEnv = process.env,
): unknown {
  if (isPath(spec)) {
    const v = getPath(event, spec);
    if (v === undefined) missing.push(`${name} (${spec})`);
    return v;
  }
  if (Array.isArray(spec) && spec.length > 0 && spec.every(isPath)) {
    const v = firstPath(event, spec as string[]);
    if (v === undefined) missing.push(`${name} (${(spec as string[]).join(' | ')})`);
    return v;
  }
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    if ('value' in spec) return expandLiteral(spec.value, env, missing, name);
    if ('template' in spec && typeof spec.template === 'string') {
      return spec.template.replace(/\{(\$[^}]+)\}/g, (_, p: string) => {
        const v = getPath(event, p);
        if (v === undefined) missing.push(`${name} (${p})`);
        return String(v ?? '');
      });
    }
    if ('path' in spec && (typeof spec.path === 'string' || Array.isArray(spec.path))) {
      const ps = spec as { path: string | string[]; map?: Record<string, unknown>; default?: unknown; wrap?: 'array' };
      const paths = Array.isArray(ps.path) ? ps.path : [ps.path];
      let v = firstPath(event, paths);
      if (v !== undefined && ps.map) v = Object.hasOwn(ps.map, String(v)) ? ps.map[String(v)] : ps.default;
      if (v === undefined) v = ps.default;
      if (v === undefined) {
        missing.push(`${name} (${paths.join(' | ')})`);
        return undefined;
      }
      return ps.wrap === 'array' && !Array.isArray(v) ? [v] : v;
    }
  }
  return expandLiteral(spec, env, missing, name);
}

/** Evaluate every parameter of an entry (nested `headers` objects are literals). */
export function extractParams(
  entry: MappingEntry,
  event: unknown,
  env: NodeJS.ProcessEnv = process.env,
): { params: Record<string, unknown>; missing: string[] } {
  const missing: string[] = [];
  const params: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(entry.params)) {
    const v = evalSpec(spec, event, k, missing, env);
    if (v !== undefined) params[k] = v;
  }
  return { params, missing };
}

/** The entry for a finding type: exact key first, then the longest matching `prefix*` key. */
export function lookupFindingType(
  mapping: ResponseMapping,
  type: string,
): { key: string; entry: MappingEntry } | undefined {
  const exact = mapping.findingTypes[type];
  if (exact !== undefined) return exact ? { key: type, entry: exact } : undefined;
  let best: string | undefined;
  for (const key of Object.keys(mapping.findingTypes)) {
    if (key.endsWith('*') && type.startsWith(key.slice(0, -1)) && (!best || key.length > best.length)) best = key;
  }
  const entry = best ? mapping.findingTypes[best] : undefined;
  return best && entry ? { key: best, entry } : undefined;
}

/**
 * The default remediation for an EventBridge event: a GuardDuty finding (`detail.type`) or an AWS Config
 * compliance change (`detail.configRuleName`, only when NON_COMPLIANT). Undefined when nothing is mapped.
 */
export function resolveRemediation(
  mapping: ResponseMapping,
  event: unknown,
  env: NodeJS.ProcessEnv = process.env,
): Resolution | undefined {
  const detail = (event as { detail?: Record<string, unknown> })?.detail;
  if (!detail || typeof detail !== 'object') return undefined;
  let hit: { table: Resolution['matched']['table']; key: string; on: string; entry: MappingEntry } | undefined;
  const rule = detail.configRuleName;
  if (typeof rule === 'string') {
    const compliance = getPath(event, '$.detail.newEvaluationResult.complianceType');
    const entry = mapping.configRules[rule];
    if (entry && compliance === 'NON_COMPLIANT') hit = { table: 'configRules', key: rule, on: rule, entry };
  } else if (typeof detail.type === 'string') {
    const found = lookupFindingType(mapping, detail.type);
    if (found) hit = { table: 'findingTypes', on: detail.type, ...found };
  }
  if (!hit) return undefined;
  const { params, missing } = extractParams(hit.entry, event, env);
  return {
    action: hit.entry.action,
    params,
    matched: { table: hit.table, key: hit.key, on: hit.on },
    missing,
    ...(hit.entry.note ? { note: hit.entry.note } : {}),
  };
}
export { DEFAULT_MAPPING } from './mapping-data.js';
