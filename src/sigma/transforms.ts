/**
 * Value transformations of a pipeline (pySigma's value transformations, as data): a native field's values are
 * normalised before rules compare them, e.g. Route 53 Resolver's `query_name` is a fully qualified name ending in a
 * dot (`example.com.`) while Sigma's `dns` taxonomy writes `query: example.com`.
 *
 * A transformation applies to the record's value (every string leaf of it) for every test of the field, including
 * regular expressions and explanations (they show the value as compared). `strip_trailing_dot` also applies to the
 * rule's values that are anchored at the end (exact values and `endswith`), so a rule written with the trailing dot
 * keeps matching.
 */

import type { SigmaString, StringPattern } from './types.js';

/** Transformation name → what it does to one string. */
const STRING_TRANSFORMS = {
  /** `example.com.` → `example.com` (one dot; the root `.` becomes empty). */
  strip_trailing_dot: (s: string) => (s.endsWith('.') ? s.slice(0, -1) : s),
  /** Leading and trailing white space removed. */
  trim: (s: string) => s.trim(),
  /** Lower-cased (useful before `cased` or regular-expression tests). */
  lowercase: (s: string) => s.toLowerCase(),
} as const;

export type ValueTransform = keyof typeof STRING_TRANSFORMS;
export const VALUE_TRANSFORMS = Object.keys(STRING_TRANSFORMS) as ValueTransform[];

export function isValueTransform(name: string): name is ValueTransform {
  return Object.hasOwn(STRING_TRANSFORMS, name);
}

/** One function applying the transformations in order to every string leaf of a value (others unchanged). */
export function valueTransformer(names: readonly string[]): (v: unknown) => unknown {
  const fns = names.map((n) => {
    if (!isValueTransform(n)) throw new Error(`unknown value transformation '${n}'`);
    return STRING_TRANSFORMS[n];
  });
  const str = (s: string) => {
    for (let i = 0; i < fns.length; i++) s = fns[i]!(s);
    return s;
  };
  const apply = (v: unknown): unknown => {
    if (typeof v === 'string') return str(v);
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(apply);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = apply(x);
    return out;
  };
  return apply;
}

/** The rule-side counterpart for string patterns (see the module comment): only `strip_trailing_dot` has one. */
export function transformPattern(p: StringPattern, names: readonly string[]): StringPattern {
  if (p.value.binary || !names.includes('strip_trailing_dot')) return p;
  const parts = p.value.parts;
  const last = parts[parts.length - 1];
  if (typeof last !== 'string' || !last.endsWith('.')) return p;
  // Parts never hold empty literals: `*.` becomes `*`, a lone `.` (the root) the empty value.
  const stripped = last.slice(0, -1);
  const value: SigmaString = {
    parts: stripped ? [...parts.slice(0, -1), stripped] : parts.slice(0, -1),
    binary: false,
  };
  return { ...p, value };
}

/**
 * The key under which the engine resolves (and caches) an item's value: the field, plus its transformations, so a
 * transformed and a plain reading of the same field never share a cached value or an index key.
 */
export function fieldKey(field: string, transforms: readonly string[] | undefined): string {
  return transforms && transforms.length > 0 ? `${field}\u0000${transforms.join('\u0000')}` : field;
}

export function splitFieldKey(key: string): { field: string; transforms: string[] } {
  const [field, ...transforms] = key.split('\u0000');
  return { field: field!, transforms };
}
