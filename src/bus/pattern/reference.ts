import { type CompileOptions, toPattern } from './compile.js';
import { consistent, merge, walkEvent } from './flatten.js';
import { accepts } from './ops.js';
import type { Leaf, Membership, Pattern, SubPattern } from './types.js';

/**
 * The reference matcher: slow and direct. It flattens the whole event, then for each `$or` combination searches
 * for one leaf per field (fields in sorted path order, as event-ruler evaluates them) such that all chosen leaves
 * are array-consistent. A field that allows absence (`exists: false`) is satisfied when no leaf of that path is
 * consistent with the leaves chosen so far.
 */
export function matches(pattern: Pattern | string | object, event: unknown, options?: CompileOptions): boolean {
  const p = toPattern(pattern, options);
  const leaves = allLeaves(event);
  return p.subPatterns.some((sp) => subPatternMatches(sp, leaves));
}

/** Every leaf of the event, grouped by path. */
export function allLeaves(event: unknown): Map<string, Leaf[]> {
  const out = new Map<string, Leaf[]>();
  walkEvent(event, (path, leaf) => {
    const list = out.get(path);
    if (list) list.push(leaf);
    else out.set(path, [leaf]);
  });
  return out;
}

export function subPatternMatches(sp: SubPattern, leaves: Map<string, Leaf[]>): boolean {
  const search = (i: number, membership: Membership | null): boolean => {
    if (i === sp.fields.length) return true;
    const field = sp.fields[i];
    const candidates = (leaves.get(field.path) ?? []).filter((l) => consistent(membership, l.membership));
    for (const leaf of candidates) {
      if (field.matchers.some((m) => accepts(m, leaf)) && search(i + 1, merge(membership, leaf.membership))) {
        return true;
      }
    }
    return field.allowsAbsent && candidates.length === 0 && search(i + 1, membership);
  };
  return search(0, null);
}
