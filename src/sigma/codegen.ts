/**
 * A log type's program (index look-ups, every rule's condition and explanation) generated as JavaScript.
 *
 * Why: the interpreted program keeps each field value, lower-cased text and atom result of the current record in
 * per-program arrays, read through shared call sites that cannot be inlined, and its key filters are tables that
 * are cold in the cache right after a record was parsed. Generated code keeps them in locals, gives each field
 * accessor and test its own call site, embeds the key filters as constants (emitKeyCheck) and evaluates a
 * condition as straight-line `&&`/`||` code. Shape: one run function (the index look-ups over memo locals of the
 * key fields, then the candidates), one small function per rule (its condition; atoms memoised within the rule,
 * key fields handed over) and one per rule's explanation (called only on a match, with the rule's memo locals).
 * Semantics are the interpreter's: atoms are evaluated lazily, explanations walk the same trees the same way (the
 * tests compare both engines and the reference evaluator).
 *
 * Large rule sets stay interpreted (GEN_MAX_RULES): there the interpreter's per-record cost already follows the
 * candidates, and generating costs more than it saves.
 */

import { describeItem, type LeafMatcher } from './match.js';
import type { EmitContext, IntList, RuleIndex } from './prefilter.js';
import type { DetectionItem, MatchedSelection, MatchedValue } from './types.js';

/** A rule's condition over atom ids. */
export type CondExpr = { k: 'atom'; id: number } | { k: 'and' | 'or'; xs: CondExpr[] } | { k: 'not'; x: CondExpr };

/** A search node with its atom ids, as explanations walk it. */
export type XNode =
  | {
      kind: 'item';
      item: DetectionItem;
      atom: number;
      matchers: LeafMatcher[];
      /**
       * The rule value's display when the item has exactly one positive value: a true atom over a scalar field was
       * then decided by that value and that scalar, so the explanation needs no second test.
       */
      single: string | undefined;
    }
  | { kind: 'and' | 'or'; children: XNode[] };

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
  /** Per slot, the value before pipeline transformations (undefined: the slot has none). */
  rawGetters: (((fields: unknown) => unknown) | undefined)[];
  atoms: GenAtom[];
  /** Condition of each rule, by rule index. */
  conditions: CondExpr[];
  /** Each rule's used identifiers with their search trees (explanations). */
  trees: { identifier: string; node: XNode }[][];
  index: RuleIndex;
  /** Rules without an index key: evaluated for every record. */
  always: readonly number[];
}

/**
 * Fills `out` with the matching rule indices, ascending; `cand` and the rule stamps are scratch. With `explain`,
 * the explanation of each matching rule r is left in `explained[r]` (see TypeProgram.explain).
 */
export type GeneratedRun = (
  fields: Record<string, unknown>,
  out: IntList,
  cand: IntList,
  explain: boolean,
  explained: (MatchedSelection[] | undefined)[],
) => void;

/**
 * Limits beyond which the program stays interpreted. Measured on synthetic CloudTrail (bench rule generator, CPU
 * time): generated 1.37 vs interpreted 1.82 µs per record at 200 rules, equal at 400, 1.7× slower at 1,000 (the
 * candidate switch and the compilation of many functions).
 */
export const GEN_MAX_RULES = 300;
const INLINE_MAX_RULES = 64;
const GEN_MAX_SOURCE = 400_000;

function countTreeUses(x: XNode, atoms: Map<number, number>): void {
  if (x.kind === 'item') atoms.set(x.atom, (atoms.get(x.atom) ?? 0) + 1);
  else for (const c of x.children) countTreeUses(c, atoms);
}

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
  const { getters, rawGetters, atoms, conditions, trees, index, always } = input;
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

  // Each function generated keeps memo locals for the slots it reads, and for the atoms it uses more than once (its
  // explanation tests the atoms of the used identifiers again). The names a piece of code refers to are collected
  // in the current scope: a function declares them as locals, an explanation helper receives them as parameters.
  let atomUses = new Map<number, number>();
  let scope = new Set<string>();
  const val = (slot: number): string => {
    if (slot < 0) return 'f';
    scope.add(`s${slot}`);
    return `(s${slot} !== U ? s${slot} : (s${slot} = ${bind(getters[slot])}(f)))`;
  };
  // Only after val(slot) was read and found to be a string.
  const low = (slot: number): string => {
    scope.add(`l${slot}`);
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
    scope.add(`a${id}`);
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

  // Explanations (TypeProgram.explain's walk, on this record's memoised atoms and values): an item is explained by
  // its single value and the record's scalar when it can be, else by describeItem; an AND that fails takes back
  // the values its true children appended; an OR stops at its first true child. One helper per rule, outside the
  // run function, which stays small enough for the optimising compiler.
  let marks = 0;
  const explainItem = (node: Extract<XNode, { kind: 'item' }>): string => {
    const slot = atoms[node.atom]!.slot;
    const value = val(slot);
    const rawGet = slot < 0 ? undefined : rawGetters[slot];
    const raw = rawGet === undefined ? 'v' : `${bind(rawGet)}(f)`;
    const it = node.item;
    const matchers = node.matchers;
    const describe = (
      v: unknown,
      rawValue: unknown,
      fields: Record<string, unknown>,
      out: MatchedValue[],
      n: number,
    ) => {
      const d = describeItem(it, v, fields, matchers, rawValue);
      for (let i = 0; i < d.length; i++) out[n++] = d[i]!;
      return n;
    };
    const described = `((n = ${bind(describe)}(v, ${raw}, f, V, n)), true)`;
    if (node.single === undefined) return `(${atom(node.atom)} && ((v = ${value}), ${described}))`;
    const entry = `{ field: ${JSON.stringify(it.ruleField)}, modifiers: ${bind(it.modifiers)}, expected: ${JSON.stringify(node.single)}, actual: ${raw} }`;
    return `(${atom(node.atom)} && ((v = ${value}), v !== null && typeof v !== 'object' && v !== undefined ? ((V[n++] = ${entry}), true) : ${described}))`;
  };
  const explainNode = (node: XNode): string => {
    switch (node.kind) {
      case 'item':
        return explainItem(node);
      case 'and': {
        if (node.children.length === 0) return 'true';
        const m = `m${marks++}`;
        return `((${m} = n), (${node.children.map(explainNode).join(' && ')}) || ((n = ${m}), false))`;
      }
      case 'or':
        return node.children.length === 0 ? 'false' : `(${node.children.map(explainNode).join(' || ')})`;
    }
  };
  const helpers: string[] = [];
  // The common shape — one identifier, a map of single-valued tests — met with scalars: the explanation as array
  // literals of exact size (no scratch copies). Anything else falls through to the general walk.
  const fastExplain = (r: number): string => {
    const ts = trees[r]!;
    if (ts.length !== 1) return '';
    const node = ts[0]!.node;
    const items = node.kind === 'item' ? [node] : node.kind === 'and' ? node.children : [];
    if (items.length === 0 || !items.every((c) => c.kind === 'item' && c.single !== undefined)) return '';
    const flat = items as Extract<XNode, { kind: 'item' }>[];
    const ws = flat.map((_, i) => `w${i}`);
    const scalar = ws.map(
      (w, i) =>
        `((${w} = ${val(atoms[flat[i]!.atom]!.slot)}), ${w} !== null && typeof ${w} !== 'object' && ${w} !== undefined)`,
    );
    const entries = flat.map((c, i) => {
      const slot = atoms[c.atom]!.slot;
      const rawGet = slot < 0 ? undefined : rawGetters[slot];
      const raw = rawGet === undefined ? ws[i] : `${bind(rawGet)}(f)`;
      return `{ field: ${JSON.stringify(c.item.ruleField)}, modifiers: ${bind(c.item.modifiers)}, expected: ${JSON.stringify(c.single)}, actual: ${raw} }`;
    });
    return [
      `  let ${ws.join(', ')};`,
      `  if (${flat.map((c) => atom(c.atom)).join(' && ')} && ${scalar.join(' && ')}) {`,
      `    explained[${r}] = [{ identifier: ${JSON.stringify(ts[0]!.identifier)}, values: [${entries.join(', ')}] }];`,
      '    return;',
      '  }',
    ].join('\n');
  };
  const explainCall = (r: number): string => {
    scope = new Set();
    marks = 0;
    const lines = trees[r]!.map(
      (t) =>
        `  n = 0;\n  if (${explainNode(t.node)}) S[k++] = { identifier: ${JSON.stringify(t.identifier)}, values: V.slice(0, n) };`,
    );
    const fast = fastExplain(r);
    const params = [...scope];
    const marksDecl = Array.from({ length: marks }, (_, i) => `, m${i}`).join('');
    helpers.push(
      [
        `function e${r}(f, explained${params.map((p) => `, ${p}`).join('')}) {`,
        `  let t, v, n = 0, k = 0${marksDecl};`,
        fast,
        ...lines,
        `  explained[${r}] = S.slice(0, k);`,
        '}',
      ].join('\n'),
    );
    return `e${r}(f, explained${params.map((p) => `, ${p}`).join('')})`;
  };
  // One function per rule: small functions compile quickly and are optimised one by one as they get hot (one
  // function for all rules took V8 over a second to optimise at 100 rules, and its hundreds of memo locals were all
  // live around the candidate loop). Atoms are memoised within a rule.
  const declare = (names: Iterable<string>) =>
    [...names].map((name) => `, ${name} = ${name.startsWith('a') ? '0' : 'U'}`).join('');
  // The index reads the key fields first; their memo locals are handed to every rule function (as parameters of
  // the same names), so a rule does not read them again.
  scope = new Set();
  const dispatch = index.emit(ctx);
  const shared = [...scope];
  const sharedArgs = shared.map((name) => `, ${name}`).join('');
  // Small programs evaluate each rule in a block of the run function itself (no call; measured faster for the 57
  // SigmaHQ AWS rules); larger ones call the rule's function (one function for a hundred rules took V8 0.4-1.2 s
  // to optimise).
  const inline = conditions.length <= INLINE_MAX_RULES;
  const ruleBodies = conditions.map((c, r) => {
    atomUses = new Map();
    countUses(c, atomUses);
    for (const t of trees[r]!) countTreeUses(t.node, atomUses);
    const call = explainCall(r);
    scope = new Set();
    const cond = expr(c);
    // The helper's parameters are this function's locals of the same names.
    for (const name of call
      .slice(call.indexOf('(') + 1, -1)
      .split(', ')
      .slice(2))
      scope.add(name);
    for (const name of shared) scope.delete(name);
    // Block-scoped in the run function: `t` shadows its scratch variable, which is not used across rules.
    return `{ let t${declare(scope)}; if (${cond}) { out.push(${r}); if (explain) ${call}; } }`;
  });
  const ruleFns = inline
    ? []
    : ruleBodies.map((body, r) => `function r${r}(f, out, explain, explained${sharedArgs}) ${body}`);
  const callRule = (r: number) => (inline ? ruleBodies[r]! : `r${r}(f, out, explain, explained${sharedArgs});`);
  const cases = conditions.map((_, r) => `case ${r}: ${callRule(r)} break;`);
  const alwaysCode = always.map(callRule);
  const locals = shared.map((name) => `${name} = U`);
  const body = [
    `const [${consts.map((_, i) => `c${i}`).join(', ')}] = C;`,
    'const stamp = new Uint32Array(R);',
    // Explanation scratch: results are exact-size copies (a growing empty array reserves 16 slots).
    'const V = [];',
    'const S = [];',
    'let gen = 0;',
    ...helpers,
    ...ruleFns,
    'return function run(f, out, cand, explain, explained) {',
    // A fresh stamp per record; on wrap-around every stamp is cleared.
    '  if (++gen === 0xffffffff) { gen = 1; stamp.fill(0); }',
    '  out.size = 0;',
    '  cand.size = 0;',
    `  let t, b, x, y${locals.length > 0 ? `, ${locals.join(', ')}` : ''};`,
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
