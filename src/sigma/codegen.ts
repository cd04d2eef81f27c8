/**
 * A log type's whole program (index look-ups and every rule's condition) generated as one JavaScript function.
 *
 * Why: the interpreted program keeps each field value, lower-cased text and atom result of the current record in
 * per-program arrays. Storing a freshly parsed value into such a long-lived array costs a write barrier (and a
 * remembered-set entry) per field per record, and each read goes through a shared call site that cannot be
 * inlined. In the generated function those are locals (registers or stack slots), each field accessor and atom
 * test has its own call site, and a condition is straight-line `&&`/`||` code. Semantics are the interpreter's,
 * statement for statement: atoms are evaluated lazily and at most once per record (only atoms used in more than
 * one place get a memo local), values likewise.
 *
 * Large rule sets stay interpreted: V8 does not optimise functions beyond a bytecode size, and the interpreter's
 * per-record cost already grows with candidates, not rules.
 */

import type { EmitContext, IntList, RuleIndex } from './prefilter.js';

/** A rule's condition over atom ids. */
export type CondExpr = { k: 'atom'; id: number } | { k: 'and' | 'or'; xs: CondExpr[] } | { k: 'not'; x: CondExpr };

/** One atom as the generated code tests it (the same fields as the interpreter's Atom). */
export interface GenAtom {
  slot: number;
  pred: (v: unknown, fields: Record<string, unknown>) => boolean;
  lowerPred: ((lower: string) => boolean) | undefined;
  exact: string | undefined;
  negated: boolean;
}

export interface GenInput {
  /** Value of each slot for a record (accessor and pipeline transformation). */
  getters: ((fields: unknown) => unknown)[];
  atoms: GenAtom[];
  /** Condition of each rule, by rule index. */
  conditions: CondExpr[];
  index: RuleIndex;
  /** Rules without an index key: evaluated for every record. */
  always: readonly number[];
}

/** Fills `out` with the matching rule indices, ascending; `cand` and the rule stamps are scratch. */
export type GeneratedRun = (fields: Record<string, unknown>, out: IntList, cand: IntList) => void;

/** Limits beyond which the program stays interpreted. */
export const GEN_MAX_RULES = 400;
const GEN_MAX_SOURCE = 400_000;

function countUses(x: CondExpr, atoms: Map<number, number>): void {
  switch (x.k) {
    case 'atom':
      atoms.set(x.id, (atoms.get(x.id) ?? 0) + 1);
      return;
    case 'not':
      countUses(x.x, atoms);
      return;
    default:
      for (const c of x.xs) countUses(c, atoms);
  }
}

/** The generated run function, or undefined when the program is too large to be worth generating. */
export function generateRun(input: GenInput): GeneratedRun | undefined {
  const { getters, atoms, conditions, index, always } = input;
  if (conditions.length > GEN_MAX_RULES) return undefined;
  const consts: unknown[] = [];
  const names = new Map<unknown, string>();
  const bind = (value: unknown): string => {
    let name = names.get(value);
    if (name === undefined) {
      name = `c${consts.length}`;
      consts.push(value);
      names.set(value, name);
    }
    return name;
  };

  // Every slot keeps a memo local (a slot is read by the index and by atoms); atoms only when used twice.
  const atomUses = new Map<number, number>();
  for (const c of conditions) countUses(c, atomUses);
  const slotLocals = new Set<number>();
  const lowLocals = new Set<number>();
  const atomLocals = new Set<number>();
  const val = (slot: number): string => {
    if (slot < 0) return 'f';
    slotLocals.add(slot);
    return `(s${slot} !== U ? s${slot} : (s${slot} = ${bind(getters[slot])}(f)))`;
  };
  // Only after val(slot) was read and found to be a string.
  const low = (slot: number): string => {
    lowLocals.add(slot);
    return `(l${slot} !== U ? l${slot} : (l${slot} = s${slot}.toLowerCase()))`;
  };
  const ctx: EmitContext = { val, low, bind };

  const test = (id: number): string => {
    const a = atoms[id]!;
    const pred = bind(a.pred);
    if (a.slot < 0) return `${pred}(f, f)`;
    if (a.lowerPred === undefined) return `${pred}(${val(a.slot)}, f)`;
    const lp = `${bind(a.lowerPred)}(${low(a.slot)})`;
    const str = a.exact === undefined ? lp : `(t === ${JSON.stringify(a.exact)} ? ${!a.negated} : ${lp})`;
    return `((t = ${val(a.slot)}), typeof t === 'string' ? ${str} : ${pred}(t, f))`;
  };
  const atom = (id: number): string => {
    if ((atomUses.get(id) ?? 0) < 2) return `(${test(id)})`;
    atomLocals.add(id);
    return `(a${id} !== 0 ? a${id} === 1 : (a${id} = ${test(id)} ? 1 : 2) === 1)`;
  };
  const expr = (x: CondExpr): string => {
    switch (x.k) {
      case 'atom':
        return atom(x.id);
      case 'not':
        return `!${expr(x.x)}`;
      case 'and':
        return x.xs.length === 0 ? 'true' : `(${x.xs.map(expr).join(' && ')})`;
      case 'or':
        return x.xs.length === 0 ? 'false' : `(${x.xs.map(expr).join(' || ')})`;
    }
  };

  const dispatch = index.emit(ctx);
  const cases = conditions.map((c, r) => `case ${r}: if (${expr(c)}) out.push(${r}); break;`);
  const alwaysCode = always.map((r) => `if (${expr(conditions[r]!)}) out.push(${r});`);
  const locals = [
    ...[...slotLocals].map((s) => `s${s} = U`),
    ...[...lowLocals].map((s) => `l${s} = U`),
    ...[...atomLocals].map((a) => `a${a} = 0`),
  ];
  const body = [
    `const [${consts.map((_, i) => `c${i}`).join(', ')}] = C;`,
    'const stamp = new Uint32Array(R);',
    'let gen = 0;',
    'return function run(f, out, cand) {',
    // A fresh stamp per record; on wrap-around every stamp is cleared.
    '  if (++gen === 0xffffffff) { gen = 1; stamp.fill(0); }',
    '  out.size = 0;',
    '  cand.size = 0;',
    `  let t, b${locals.length > 0 ? `, ${locals.join(', ')}` : ''};`,
    dispatch,
    '  const items = cand.items;',
    '  for (let j = 0; j < cand.size; j++) {',
    '    const r = items[j];',
    '    if (stamp[r] === gen) continue;',
    '    stamp[r] = gen;',
    '    switch (r) {',
    ...cases,
    '    }',
    '  }',
    ...alwaysCode,
    '  if (out.size > 1) out.items.subarray(0, out.size).sort();',
    '};',
  ].join('\n');
  if (body.length > GEN_MAX_SOURCE) return undefined;
  const factory = new Function('C', 'U', 'R', body) as (c: unknown[], u: object, r: number) => GeneratedRun;
  return factory(consts, UNSET, conditions.length);
}

/** "Not read yet" for the generated function's memo locals (values may be undefined). */
const UNSET = Object.freeze({});
