import { type CompileOptions, toPattern } from './compile.js';
import { consistent, merge } from './flatten.js';
import { accepts, operatorName } from './ops.js';
import { allLeaves } from './reference.js';
import type { FieldCondition, Leaf, Membership, Pattern, SubPattern } from './types.js';

/** One field that is satisfied: which operator accepted which value (or the field's absence). */
export interface FieldMatch {
  readonly path: string;
  /** Operator name: equals, prefix, suffix, anything-but, numeric, cidr, exists, wildcard, … */
  readonly operator: string;
  /** The pattern element as written, e.g. `{"prefix":"us-"}`. */
  readonly expected: string;
  /** The event value that matched; absent for a field satisfied by absence. */
  readonly value?: unknown;
  readonly absent?: boolean;
}

export type FailureReason =
  /** The field has no value in the event. */
  | 'missing'
  /** The field has values, but none is accepted by the pattern's list. */
  | 'no-match'
  /** `exists: false` (alone) but the field is present. */
  | 'present'
  /** Each field has an accepted value, but not from the same element of an array of objects. */
  | 'array-inconsistent';

/** Why one `$or` combination fails: its first failing field (in evaluation order). */
export interface BranchFailure {
  /** Index of the `$or` combination (0 when the pattern has no `$or`). */
  readonly branch: number;
  readonly path: string;
  readonly reason: FailureReason;
  /** The pattern's value list for the field, as written. */
  readonly expected: readonly string[];
  /** The event's values at the path. */
  readonly actual: readonly unknown[];
  /** Fields of this combination that were satisfied before the failure. */
  readonly satisfied: readonly FieldMatch[];
}

export interface Explanation {
  readonly matched: boolean;
  /** The combination that matched (when matched). */
  readonly branch?: number;
  /** For a match: every field of the matching combination and what satisfied it. */
  readonly fields: readonly FieldMatch[];
  /** For a non-match: the first failure of each combination, the closest one first. */
  readonly failures: readonly BranchFailure[];
  /** One line for logs and CLI output. */
  readonly summary: string;
}

/**
 * Explain a routing decision: which field matched which operator and value, or where and why the pattern failed.
 * Agrees with `matches` (same search).
 */
export function explain(pattern: Pattern | string | object, event: unknown, options?: CompileOptions): Explanation {
  const p = toPattern(pattern, options);
  const leaves = allLeaves(event);
  const failures: BranchFailure[] = [];
  for (let b = 0; b < p.subPatterns.length; b++) {
    const proof = prove(p.subPatterns[b], leaves);
    if (proof) {
      return {
        matched: true,
        branch: b,
        fields: proof,
        failures: [],
        summary: `matched: ${proof.map(describeMatch).join('; ')}`,
      };
    }
    failures.push(diagnose(b, p.subPatterns[b], leaves));
  }
  failures.sort((x, y) => y.satisfied.length - x.satisfied.length || x.branch - y.branch);
  const first = failures[0];
  return { matched: false, fields: [], failures, summary: `no match: ${describeFailure(first)}` };
}

/** The search of the reference matcher, recording the choice made for each field. */
function prove(sp: SubPattern, leaves: Map<string, Leaf[]>): FieldMatch[] | undefined {
  const chosen: FieldMatch[] = [];
  const search = (i: number, membership: Membership | null): boolean => {
    if (i === sp.fields.length) return true;
    const field = sp.fields[i];
    const candidates = (leaves.get(field.path) ?? []).filter((l) => consistent(membership, l.membership));
    for (const leaf of candidates) {
      const m = field.matchers.find((x) => accepts(x, leaf));
      if (!m) continue;
      chosen.push({ path: field.path, operator: operatorName(m), expected: m.source, value: leaf.toJSON() });
      if (search(i + 1, merge(membership, leaf.membership))) return true;
      chosen.pop();
    }
    if (field.allowsAbsent && candidates.length === 0) {
      const m = field.matchers.find((x) => x.kind === 'exists' && !x.value);
      chosen.push({ path: field.path, operator: 'exists', expected: m?.source ?? '{"exists":false}', absent: true });
      if (search(i + 1, membership)) return true;
      chosen.pop();
    }
    return false;
  };
  return search(0, null) ? chosen : undefined;
}

/** First field that fails on its own; if every field is satisfiable alone, arrays kept them apart. */
function diagnose(branch: number, sp: SubPattern, leaves: Map<string, Leaf[]>): BranchFailure {
  const satisfied: FieldMatch[] = [];
  for (const field of sp.fields) {
    const values = leaves.get(field.path) ?? [];
    const hit = firstAccepted(field, values);
    if (hit) {
      satisfied.push(hit);
      continue;
    }
    if (field.allowsAbsent && values.length === 0) {
      satisfied.push({ path: field.path, operator: 'exists', expected: '{"exists":false}', absent: true });
      continue;
    }
    const reason: FailureReason =
      values.length === 0
        ? 'missing'
        : field.matchers.every((m) => m.kind === 'exists' && !m.value)
          ? 'present'
          : 'no-match';
    return failure(branch, field, reason, values, satisfied);
  }
  const last = sp.fields[sp.fields.length - 1];
  return failure(branch, last, 'array-inconsistent', leaves.get(last.path) ?? [], satisfied);
}

function firstAccepted(field: FieldCondition, values: readonly Leaf[]): FieldMatch | undefined {
  for (const leaf of values) {
    const m = field.matchers.find((x) => accepts(x, leaf));
    if (m) return { path: field.path, operator: operatorName(m), expected: m.source, value: leaf.toJSON() };
  }
  return undefined;
}

function failure(
  branch: number,
  field: FieldCondition,
  reason: FailureReason,
  values: readonly Leaf[],
  satisfied: FieldMatch[],
): BranchFailure {
  return {
    branch,
    path: field.path,
    reason,
    expected: field.matchers.map((m) => m.source),
    actual: values.map((l) => l.toJSON()),
    satisfied,
  };
}

function describeMatch(f: FieldMatch): string {
  return f.absent ? `${f.path} absent (${f.expected})` : `${f.path}=${JSON.stringify(f.value)} by ${f.expected}`;
}

function describeFailure(f: BranchFailure): string {
  const expected = `[${f.expected.join(', ')}]`;
  switch (f.reason) {
    case 'missing':
      return `${f.path} is missing (expected ${expected})`;
    case 'present':
      return `${f.path} is present (${JSON.stringify(f.actual)}) but must not exist`;
    case 'no-match':
      return `${f.path}=${JSON.stringify(f.actual.length === 1 ? f.actual[0] : f.actual)} does not match ${expected}`;
    case 'array-inconsistent':
      return `fields ${f.satisfied.map((s) => s.path).join(', ')} match only in different elements of the same array`;
  }
}
