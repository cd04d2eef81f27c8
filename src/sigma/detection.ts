/**
 * The `detection` section → search identifiers and a parsed condition.
 *
 * A map is the AND of its items, a list of maps the OR of the maps, a field with a list of values the OR of the
 * values (AND with `all`), a list of plain values a keyword (field-less) search. Every error names the path of the
 * offending node so the loader can point at its line.
 */

import { ConditionError, parseCondition, referencedIdentifiers } from './condition.js';
import { compileItem, ItemError, splitKey } from './modifiers.js';
import { transformPattern } from './transforms.js';
import type { ConditionNode, Detection, DetectionItem, SearchNode } from './types.js';

export type YamlPath = (string | number)[];

export interface DetectionProblem {
  path: YamlPath;
  reason: string;
  severity: 'error' | 'warning';
}

export interface DetectionOptions {
  placeholders: Record<string, string[]>;
  /** Pipeline field mapping: rule field → native field(s); several fields are OR-ed. */
  mapField?: (field: string) => string | string[];
  /** Pipeline value transformations of a native field (see transforms.ts). */
  transformsFor?: (field: string) => readonly string[] | undefined;
  /** Where the detection block sits in the document (`['detection']` or `['filter']`). */
  base: YamlPath;
  /** Keys of the block that are not search identifiers (besides `condition`). */
  reserved?: readonly string[];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

export function pathText(path: YamlPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/** Compile a detection block; returns undefined detection when any error was found. */
export function compileDetection(
  raw: Record<string, unknown>,
  opts: DetectionOptions,
): { detection?: Detection; problems: DetectionProblem[] } {
  const problems: DetectionProblem[] = [];
  const err = (path: YamlPath, reason: string) => problems.push({ path, reason, severity: 'error' });
  const reserved = new Set(['condition', ...(opts.reserved ?? [])]);
  const identifiers: Record<string, SearchNode> = {};

  if (raw.timeframe !== undefined) {
    err([...opts.base, 'timeframe'], "'timeframe' (Sigma 1.x aggregation) is not supported; use a correlation rule");
  }
  for (const [name, value] of Object.entries(raw)) {
    if (reserved.has(name) || name === 'timeframe') continue;
    const node = compileIdentifier(value, [...opts.base, name], opts, err);
    if (node) identifiers[name] = node;
  }

  const cond = raw.condition;
  const conditions: string[] = [];
  if (typeof cond === 'string') conditions.push(cond);
  else if (Array.isArray(cond) && cond.length > 0 && cond.every((c) => typeof c === 'string')) {
    conditions.push(...(cond as string[]));
  } else if (cond === undefined) err(opts.base, "missing 'condition'");
  else err([...opts.base, 'condition'], 'condition must be a string or a non-empty list of strings');

  const names = Object.keys(raw).filter((k) => !reserved.has(k) && k !== 'timeframe');
  const parsed: ConditionNode[] = [];
  conditions.forEach((text, i) => {
    try {
      parsed.push(parseCondition(text, names));
    } catch (e) {
      if (!(e instanceof ConditionError)) throw e;
      err([...opts.base, 'condition', ...(conditions.length > 1 || Array.isArray(cond) ? [i] : [])], e.message);
    }
  });

  if (problems.some((p) => p.severity === 'error')) return { problems };
  const condition: ConditionNode = parsed.length === 1 ? parsed[0]! : { op: 'or', args: parsed };
  const used = referencedIdentifiers(condition);
  for (const n of names) {
    if (!used.has(n)) {
      problems.push({ path: [...opts.base, n], reason: `search identifier '${n}' is not used`, severity: 'warning' });
    }
  }
  return { detection: { identifiers, conditions, condition }, problems };
}

function compileIdentifier(
  value: unknown,
  path: YamlPath,
  opts: DetectionOptions,
  err: (path: YamlPath, reason: string) => void,
): SearchNode | undefined {
  if (isMap(value)) return compileMap(value, path, opts, err);
  if (Array.isArray(value)) {
    if (value.length === 0) {
      err(path, 'empty list');
      return undefined;
    }
    if (value.every((v) => isScalar(v))) return keywordItem(value, path, opts, err);
    const children: SearchNode[] = [];
    value.forEach((el, i) => {
      const p = [...path, i];
      if (isMap(el)) {
        const n = compileMap(el, p, opts, err);
        if (n) children.push(n);
      } else if (isScalar(el)) {
        const n = keywordItem(el, p, opts, err);
        if (n) children.push(n);
      } else err(p, 'a list element must be a map of field tests or a keyword');
    });
    return { kind: 'or', children };
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return keywordItem(value, path, opts, err);
  }
  err(path, 'a search identifier must be a map, a list of maps, or keywords');
  return undefined;
}

function keywordItem(
  value: unknown,
  path: YamlPath,
  opts: DetectionOptions,
  err: (path: YamlPath, reason: string) => void,
): SearchNode | undefined {
  const values = Array.isArray(value) ? value : [value];
  if (values.some((v) => v === null)) {
    err(path, 'null is not a keyword (use field: null)');
    return undefined;
  }
  try {
    const item = compileItem(null, null, [], value, { placeholders: opts.placeholders, path: pathText(path) });
    return { kind: 'item', item };
  } catch (e) {
    if (!(e instanceof ItemError)) throw e;
    err(path, e.message);
    return undefined;
  }
}

function compileMap(
  map: Record<string, unknown>,
  path: YamlPath,
  opts: DetectionOptions,
  err: (path: YamlPath, reason: string) => void,
): SearchNode | undefined {
  const entries = Object.entries(map);
  if (entries.length === 0) {
    err(path, 'empty map');
    return undefined;
  }
  const children: SearchNode[] = [];
  for (const [key, value] of entries) {
    const p = [...path, key];
    try {
      const { field, modifiers } = splitKey(key);
      if (isMap(value)) throw new ItemError('a field value cannot be a map');
      const mapped = field === null || !opts.mapField ? field : opts.mapField(field);
      const targets = Array.isArray(mapped) ? mapped : [mapped];
      const items: SearchNode[] = targets.map((target) => {
        const item = compileItem(target, field, modifiers, value, {
          placeholders: opts.placeholders,
          path: pathText(p),
        });
        const transforms = target === null ? undefined : opts.transformsFor?.(target);
        return { kind: 'item', item: transforms ? withTransforms(item, transforms) : item };
      });
      if (opts.mapField && modifiers.includes('fieldref')) {
        for (const n of items) {
          if (n.kind === 'item' && n.item.test.kind === 'fieldref') {
            n.item.test.refs = n.item.test.refs.flatMap((r) => opts.mapField!(r));
          }
        }
      }
      // A field mapped to several native fields means "any of them"; a negated item must hold for all of them.
      const negated = items[0]?.kind === 'item' && items[0].item.negated;
      children.push(items.length === 1 ? items[0]! : { kind: negated ? 'and' : 'or', children: items });
    } catch (e) {
      if (!(e instanceof ItemError)) throw e;
      err(p, e.message);
    }
  }
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

/** An item whose field has pipeline value transformations: recorded on the item, and applied to its string values. */
function withTransforms(item: DetectionItem, transforms: readonly string[]): DetectionItem {
  const test = item.test;
  return {
    ...item,
    transforms: [...transforms],
    test:
      test.kind === 'string'
        ? { kind: 'string', patterns: test.patterns.map((p) => transformPattern(p, transforms)) }
        : test,
  };
}
