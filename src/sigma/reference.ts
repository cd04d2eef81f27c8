/**
 * The slow, obviously-correct evaluator: walks the rule for every record, resolves every field afresh and matches
 * every string through a plain anchored RegExp. The fast engine (engine.ts) is tested against it; it is also what
 * builds explanations for rules that matched.
 */

import { evalCondition } from './condition.js';
import { FieldPath, leafText, someLeaf, walkField } from './fields.js';
import { explainItem, leafMatchers } from './match.js';
import { valueTransformer } from './transforms.js';
import type { Detection, DetectionItem, MatchedSelection, MatchedValue, SearchNode } from './types.js';
import { toRegexSource } from './values.js';

type Fields = Record<string, unknown>;

const paths = new Map<string, FieldPath>();

function pathOf(name: string): FieldPath {
  let p = paths.get(name);
  if (!p) {
    p = new FieldPath(name);
    paths.set(name, p);
  }
  return p;
}

/** The value an item looks at: the field, or the whole record for keyword searches. */
export function itemValue(item: DetectionItem, fields: Fields): unknown {
  const v = rawItemValue(item, fields);
  return item.transforms && v !== undefined ? valueTransformer(item.transforms)(v) : v;
}

/** The same before pipeline value transformations (what explanations cite). */
function rawItemValue(item: DetectionItem, fields: Fields): unknown {
  return item.field === null ? fields : walkField(fields, pathOf(item.field));
}

function naivePositive(item: DetectionItem, v: unknown, fields: Fields): boolean {
  const test = item.test;
  if (test.kind === 'null') return v === undefined || v === null;
  if (test.kind === 'exists') return (v !== undefined) === test.want;
  let checks: ((leaf: string | number | boolean) => boolean)[];
  if (test.kind === 'string') {
    checks = test.patterns.map((p) => {
      const lower = !p.cased && !p.value.binary;
      const re = new RegExp(toRegexSource(p.value, lower), 'u');
      return (leaf) => {
        const t = leafText(leaf);
        if (t === undefined) return false;
        const text = p.value.binary ? Buffer.from(t, 'utf8').toString('latin1') : lower ? t.toLowerCase() : t;
        return re.test(text);
      };
    });
  } else {
    checks = leafMatchers(test).map((m) => (leaf) => m.test(leaf, fields));
  }
  if (item.all) return checks.every((c) => someLeaf(v, c));
  return checks.some((c) => someLeaf(v, c));
}

export function referenceItem(item: DetectionItem, fields: Fields): boolean {
  const r = naivePositive(item, itemValue(item, fields), fields);
  return item.negated ? !r : r;
}

export function referenceNode(node: SearchNode, fields: Fields): boolean {
  switch (node.kind) {
    case 'item':
      return referenceItem(node.item, fields);
    case 'and':
      return node.children.every((c) => referenceNode(c, fields));
    case 'or':
      return node.children.some((c) => referenceNode(c, fields));
  }
}

/** Does the detection match this record? */
export function referenceMatch(detection: Detection, fields: Fields): boolean {
  return evalCondition(detection.condition, (name) => referenceNode(detection.identifiers[name]!, fields));
}

function explainNode(node: SearchNode, fields: Fields): MatchedValue[] | undefined {
  switch (node.kind) {
    case 'item':
      return explainItem(node.item, itemValue(node.item, fields), fields, rawItemValue(node.item, fields));
    case 'and': {
      const out: MatchedValue[] = [];
      for (const c of node.children) {
        const e = explainNode(c, fields);
        if (!e) return undefined;
        out.push(...e);
      }
      return out;
    }
    case 'or':
      for (const c of node.children) {
        const e = explainNode(c, fields);
        if (e) return e;
      }
      return undefined;
  }
}

/** The search identifiers that are true for this record, each with the field values that made it true. */
export function explainDetection(detection: Detection, fields: Fields): MatchedSelection[] {
  const out: MatchedSelection[] = [];
  for (const [identifier, node] of Object.entries(detection.identifiers)) {
    const values = explainNode(node, fields);
    if (values) out.push({ identifier, values });
  }
  return out;
}
