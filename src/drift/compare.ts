/**
 * CloudFormation's drift comparison (specs/cloudformation.md §10.4–10.5): only paths present in the expected
 * (template) properties are compared; write-only paths are dropped before; unordered arrays compare as multisets
 * (paired by a key field when the items have one, e.g. Tags by Key); numbers and numeric strings, and booleans and
 * "true"/"false", are equal; policy documents compare semantically. Pure functions.
 */

import { POLICY_DOCUMENTS, pattern, unorderedKey } from './rules.js';
import type { DifferenceType, PropertyDifference } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON text of a value as CloudFormation reports it (`null` for absent). */
export const jsonText = (v: unknown): string => (v === undefined ? 'null' : JSON.stringify(v));

/** Escape a pointer token (RFC 6901). */
const token = (k: string | number) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');
export const pointer = (path: readonly (string | number)[]) => `/${path.map(token).join('/')}`;

/** Scalar normalisation: CloudFormation passes every scalar as a string, so 22 ≡ "22" and true ≡ "true". */
function scalarKey(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') {
    const t = v.trim();
    if (t !== '' && !Number.isNaN(Number(t)) && /^-?\d+(\.\d+)?$/.test(t)) return String(Number(t));
    if (t === 'true' || t === 'false') return t;
    return v;
  }
  return JSON.stringify(v);
}

/** Canonical policy document: parsed from text, single values as one-element lists, lists order-insensitive. */
export function canonicalPolicy(v: unknown): unknown {
  let doc = v;
  if (typeof doc === 'string') {
    let text = doc;
    if (/^%7B/i.test(text)) {
      try {
        text = decodeURIComponent(text);
      } catch {
        // not URL-encoded after all
      }
    }
    try {
      doc = JSON.parse(text);
    } catch {
      return v;
    }
  }
  const elem = (i: unknown): string => JSON.stringify(isObj(i) ? walk(i) : scalarKey(i));
  const walk = (x: unknown, key?: string): unknown => {
    if (Array.isArray(x)) return x.map(elem).sort();
    if (isObj(x)) {
      const out: Obj = {};
      for (const k of Object.keys(x).sort()) out[k] = walk(x[k], k);
      // A single statement equals a one-element Statement list.
      return key === 'Statement' ? [JSON.stringify(out)] : out;
    }
    // A single value equals a one-element list (IAM accepts both); Version, Sid and Effect are always scalars.
    if (key !== undefined && key !== 'Version' && key !== 'Sid' && key !== 'Effect') return [elem(x)];
    return scalarKey(x);
  };
  return walk(doc);
}

/** Structural equality under the rules (expected keys only in objects: AWS defaults in actual do not count). */
export function matches(type: string, path: (string | number)[], expected: unknown, actual: unknown): boolean {
  return diff(type, path, expected, actual, []).length === 0;
}

/**
 * Differences between expected and actual below `path` (appended to `out`). `actual === undefined` = absent.
 */
export function diff(
  type: string,
  path: (string | number)[],
  expected: unknown,
  actual: unknown,
  out: PropertyDifference[],
): PropertyDifference[] {
  const push = (t: DifferenceType, p: (string | number)[], e: unknown, a: unknown) =>
    out.push({ PropertyPath: pointer(p), ExpectedValue: jsonText(e), ActualValue: jsonText(a), DifferenceType: t });
  if (actual === undefined || actual === null) {
    if (expected !== undefined && expected !== null) push('REMOVE', path, expected, undefined);
    return out;
  }
  if (POLICY_DOCUMENTS.has(pattern(path))) {
    if (JSON.stringify(canonicalPolicy(expected)) !== JSON.stringify(canonicalPolicy(actual)))
      push('NOT_EQUAL', path, expected, actual);
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      push('NOT_EQUAL', path, expected, actual);
      return out;
    }
    const key = unorderedKey(type, path);
    if (key === undefined) {
      const n = Math.max(expected.length, actual.length);
      for (let i = 0; i < n; i++) {
        if (i >= actual.length) push('REMOVE', [...path, i], expected[i], undefined);
        else if (i >= expected.length) push('ADD', [...path, i], undefined, actual[i]);
        else diff(type, [...path, i], expected[i], actual[i], out);
      }
      return out;
    }
    unorderedDiff(type, path, expected, actual, key, out, push);
    return out;
  }
  if (isObj(expected)) {
    if (!isObj(actual)) {
      push('NOT_EQUAL', path, expected, actual);
      return out;
    }
    for (const k of Object.keys(expected)) diff(type, [...path, k], expected[k], actual[k], out);
    return out;
  }
  if (scalarKey(expected) !== scalarKey(actual)) push('NOT_EQUAL', path, expected, actual);
  return out;
}

function unorderedDiff(
  type: string,
  path: (string | number)[],
  expected: unknown[],
  actual: unknown[],
  key: string | null,
  out: PropertyDifference[],
  push: (t: DifferenceType, p: (string | number)[], e: unknown, a: unknown) => void,
): void {
  const used = new Set<number>();
  const unmatched: number[] = [];
  // Exact matches first, so a changed item does not steal another item's partner.
  for (let i = 0; i < expected.length; i++) {
    const j = actual.findIndex((a, jj) => !used.has(jj) && matches(type, [...path, i], expected[i], a));
    if (j >= 0) used.add(j);
    else unmatched.push(i);
  }
  for (const i of unmatched) {
    const e = expected[i];
    // Items with a key field (Tags by Key, Policies by PolicyName) pair up and show the changed field.
    const k = key && isObj(e) ? e[key] : undefined;
    const j =
      k === undefined
        ? -1
        : actual.findIndex((a, jj) => !used.has(jj) && isObj(a) && scalarKey(a[key!]) === scalarKey(k));
    if (j >= 0) {
      used.add(j);
      diff(type, [...path, i], e, actual[j], out);
    } else push('REMOVE', [...path, i], e, undefined);
  }
  for (let j = 0; j < actual.length; j++) if (!used.has(j)) push('ADD', [...path, j], undefined, actual[j]);
}

/** Remove write-only paths (patterns with `*` for list indexes) from a copy of the properties. */
export function dropPaths(props: Obj, patterns: string[], dropped: string[]): Obj {
  if (patterns.length === 0) return props;
  const copy = structuredClone(props);
  for (const p of patterns) removePattern(copy, p.split('/'), [], dropped);
  return copy;
}

function removePattern(node: unknown, parts: string[], at: (string | number)[], dropped: string[]): void {
  const [head, ...rest] = parts;
  if (head === undefined) return;
  if (head === '*') {
    if (Array.isArray(node)) for (let i = 0; i < node.length; i++) removePattern(node[i], rest, [...at, i], dropped);
    return;
  }
  if (!isObj(node) || !(head in node)) return;
  if (rest.length === 0) {
    delete node[head];
    dropped.push(pointer([...at, head]));
  } else removePattern(node[head], rest, [...at, head], dropped);
}

/** The actual values of the expected's paths only (CloudFormation's ActualProperties shows what it compared). */
export function project(expected: unknown, actual: unknown): unknown {
  if (actual === undefined || actual === null) return undefined;
  if (isObj(expected) && isObj(actual)) {
    const out: Obj = {};
    for (const k of Object.keys(expected)) {
      const v = project(expected[k], actual[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return actual;
}
