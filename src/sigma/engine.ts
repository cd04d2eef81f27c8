/**
 * The fast evaluator: all rules of all log types compiled into one matcher.
 *
 * - Each distinct (field, test) pair across all rules is one *atom*, evaluated at most once per record; each
 *   distinct field is resolved at most once per record. Both caches are stamped with a per-record generation
 *   number, so starting a record costs nothing.
 * - Each rule gets a *necessary condition* derived from its condition tree: a field that must equal one of a set
 *   of values (e.g. `eventName ∈ {StopLogging, DeleteTrail}`). Rules are indexed by it (eventName preferred,
 *   then eventSource, then any other field), so a record only evaluates the rules whose key value it carries plus
 *   the few rules without such a key. Cost per record grows with the number of rules that could match, not with
 *   the number loaded.
 * - Matches are explained afterwards from the record's cached atom results (only for the rules that matched).
 */

import type { LogRecord, LogType, RecordOrigin } from '../ingest/types.js';
import { type CondExpr, type GeneratedRun, generateRun, type XNode } from './codegen.js';
import { referencedIdentifiers } from './condition.js';
import { compileDetection } from './detection.js';
import { FieldPath, resolveField } from './fields.js';
import {
  compileItemPredicate,
  compileLowerPredicate,
  describeItem,
  leafMatchers,
  type ValuePredicate,
} from './match.js';
import { builtinPipeline, mapperFor, type Pipeline, resolveLogsource, transformsFor } from './pipeline.js';
import { chooseKey, conditionConstraints, IntList, RuleIndex, type RuleKey } from './prefilter.js';
import { explainDetection } from './reference.js';
import { fieldKey, splitFieldKey, valueTransformer } from './transforms.js';
import type {
  ConditionNode,
  Detection,
  DetectionItem,
  MatchedSelection,
  MatchedValue,
  RuleRef,
  SearchNode,
  SigmaCollection,
  SigmaFilter,
  SigmaIssue,
  SigmaMatch,
  SigmaRule,
} from './types.js';

type Fields = Record<string, unknown>;

export interface EngineOptions {
  /** User pipelines, consulted before the built-in one. */
  pipelines?: Pipeline[];
  /** Include the built-in AWS pipeline (default true). */
  builtin?: boolean;
  /** Placeholder values for `expand` (must match those used when loading). */
  placeholders?: Record<string, string[]>;
  /**
   * Generate each log type's program as JavaScript (default true; rule sets beyond GEN_MAX_RULES stay
   * interpreted). False forces the interpreter (tests compare the two).
   */
  generate?: boolean;
}

/** A rule as compiled for one log type. */
export interface CompiledRule {
  rule: SigmaRule;
  ref: RuleRef;
  /** The detection after filters and field mapping: what actually runs. */
  detection: Detection;
  /** Identifiers the condition refers to (explanations list only these). */
  used: Set<string>;
  /** Index key chosen for this rule, for diagnostics. */
  key?: RuleKey;
  /** The pipeline's field mapping for this log type (correlations map their group-by fields with it). */
  mapField?: (field: string) => string | string[];
}

type Pred = (ev: Evaluator) => boolean;

interface Atom {
  slot: number;
  pred: ValuePredicate;
  /** Same test over the field's lower-cased text, when the field holds a string (see compileLowerPredicate). */
  lowerPred: ((lower: string) => boolean) | undefined;
  /** For a single case-insensitive equality value: the value as written (a string equal to it matches). */
  exact: string | undefined;
  negated: boolean;
}

function exactValue(it: DetectionItem): string | undefined {
  const t = it.test;
  if (t.kind !== 'string' || it.all || t.patterns.length !== 1) return undefined;
  const p = t.patterns[0]!;
  const parts = p.value.parts;
  return !p.cased && !p.value.binary && parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : undefined;
}

/** Per-record caches for one log type's program. */
class Evaluator {
  fields: Fields = {};
  /** Compiled field accessors, one per slot (called directly: no per-read indirection). */
  readonly getters: ((fields: unknown) => unknown)[];
  readonly anyTransform: boolean;
  gen = 0;
  slotGen: Uint32Array;
  slotVal: unknown[];
  lowerGen: Uint32Array;
  lowerVal: (string | undefined)[];
  atomGen: Uint32Array;
  atomVal: Uint8Array;
  ruleGen: Uint32Array;

  constructor(
    readonly slots: FieldPath[],
    /** Pipeline value transformation of each slot (undefined: the value as found). */
    readonly transforms: (((v: unknown) => unknown) | undefined)[],
    readonly atoms: Atom[],
    rules: number,
  ) {
    this.getters = slots.map((p) => p.accessor());
    this.anyTransform = transforms.some((t) => t !== undefined);
    this.slotGen = new Uint32Array(slots.length);
    this.slotVal = new Array(slots.length).fill(undefined);
    this.lowerGen = new Uint32Array(slots.length);
    this.lowerVal = new Array(slots.length).fill(undefined);
    this.atomGen = new Uint32Array(atoms.length);
    this.atomVal = new Uint8Array(atoms.length);
    this.ruleGen = new Uint32Array(rules);
  }

  begin(fields: Fields): void {
    this.fields = fields;
    if (++this.gen === 0xffffffff) {
      this.gen = 1;
      this.slotGen.fill(0);
      this.lowerGen.fill(0);
      this.atomGen.fill(0);
      this.ruleGen.fill(0);
    }
  }

  value(slot: number): unknown {
    if (slot < 0) return this.fields;
    if (this.slotGen[slot] === this.gen) return this.slotVal[slot];
    let v = this.getters[slot]!(this.fields);
    if (this.anyTransform && v !== undefined) {
      const t = this.transforms[slot];
      if (t !== undefined) v = t(v);
    }
    this.slotGen[slot] = this.gen;
    this.slotVal[slot] = v;
    return v;
  }

  /** A field's value before its pipeline transformation (explanations only; not cached). */
  raw(slot: number): unknown {
    return resolveField(this.fields, this.slots[slot]!);
  }

  /** Lower-cased text of a string-valued field (undefined for other values), computed once per record. */
  lower(slot: number): string | undefined {
    if (this.lowerGen[slot] === this.gen) return this.lowerVal[slot];
    const v = this.value(slot);
    const l = typeof v === 'string' ? v.toLowerCase() : undefined;
    this.lowerGen[slot] = this.gen;
    this.lowerVal[slot] = l;
    return l;
  }

  atom(i: number): boolean {
    if (this.atomGen[i] === this.gen) return this.atomVal[i] === 1;
    const a = this.atoms[i]!;
    const v = this.value(a.slot);
    let r: boolean;
    if (a.lowerPred !== undefined && typeof v === 'string') {
      // Logs mostly spell values as rules do: an exact hit needs no lower-casing.
      r = v === a.exact ? !a.negated : a.lowerPred(this.lower(a.slot)!);
    } else r = a.pred(v, this.fields);
    this.atomGen[i] = this.gen;
    this.atomVal[i] = r ? 1 : 0;
    return r;
  }
}

/** Everything compiled for one log type. */
class TypeProgram {
  readonly rules: CompiledRule[] = [];
  readonly preds: Pred[] = [];
  /** The same conditions over atom ids, for the generated program. */
  private readonly conds: CondExpr[] = [];
  /** The generated program (see codegen.ts); undefined: interpreted. */
  private generated: GeneratedRun | undefined;
  /** Explanations the generated program left for the rules that matched the current record. */
  private readonly explained: (MatchedSelection[] | undefined)[] = [];
  readonly slots: FieldPath[] = [];
  readonly slotTransforms: (((v: unknown) => unknown) | undefined)[] = [];
  readonly atoms: Atom[] = [];
  private readonly slotIds = new Map<string, number>();
  private readonly atomIds = new Map<string, number>();
  /** Per rule, its used identifiers with atom ids attached, so explanations reuse the record's atom results. */
  private readonly explainTrees: { identifier: string; node: XNode }[][] = [];
  readonly index = new RuleIndex();
  ev!: Evaluator;
  private readonly candidates = new IntList();
  /** Explanation scratch space (sliced to exact size per identifier and per match). */
  private readonly valScratch: MatchedValue[] = [];
  private valSize = 0;
  private readonly selScratch: MatchedSelection[] = [];
  private readonly matched = new IntList();

  /** Slot of a field key (a field, or a field with value transformations: see fieldKey). */
  slot(key: string): number {
    let id = this.slotIds.get(key);
    if (id === undefined) {
      id = this.slots.length;
      const { field, transforms } = splitFieldKey(key);
      this.slots.push(new FieldPath(field));
      this.slotTransforms.push(transforms.length > 0 ? valueTransformer(transforms) : undefined);
      this.slotIds.set(key, id);
    }
    return id;
  }

  atomFor(node: Extract<SearchNode, { kind: 'item' }>): number {
    const it = node.item;
    const field = it.field === null ? null : fieldKey(it.field, it.transforms);
    const key = `${field ?? '\u0000'}\u0001${it.negated}\u0001${it.all}\u0001${JSON.stringify(it.test, testKey)}`;
    let id = this.atomIds.get(key);
    if (id === undefined) {
      id = this.atoms.length;
      const slot = field === null ? -1 : this.slot(field);
      this.atoms.push({
        slot,
        pred: compileItemPredicate(it),
        lowerPred: slot < 0 ? undefined : compileLowerPredicate(it),
        exact: exactValue(it),
        negated: it.negated,
      });
      this.atomIds.set(key, id);
    }
    return id;
  }

  compileNode(node: SearchNode): Pred {
    switch (node.kind) {
      case 'item': {
        const id = this.atomFor(node);
        return (ev) => ev.atom(id);
      }
      case 'and':
      case 'or': {
        // A map of field tests (the common selection) reads its atoms directly, without a closure per test.
        const cs = node.children;
        if (cs.every((c) => c.kind === 'item')) {
          const ids = cs.map((c) => this.atomFor(c as Extract<SearchNode, { kind: 'item' }>));
          return node.kind === 'and' ? atomsAnd(ids) : atomsOr(ids);
        }
        const parts = cs.map((c) => this.compileNode(c));
        return node.kind === 'and' ? andOf(parts) : orOf(parts);
      }
    }
  }

  compileCondition(node: ConditionNode, ids: Record<string, Pred>): Pred {
    switch (node.op) {
      case 'id':
        return ids[node.name]!;
      case 'not': {
        const inner = this.compileCondition(node.arg, ids);
        return (ev) => !inner(ev);
      }
      case 'and':
        return andOf(node.args.map((a) => this.compileCondition(a, ids)));
      case 'or':
        return orOf(node.args.map((a) => this.compileCondition(a, ids)));
      case 'of': {
        const parts = node.names.map((n) => ids[n]!);
        return node.quantifier === 'one' ? orOf(parts) : andOf(parts);
      }
    }
  }

  private condNode(node: SearchNode): CondExpr {
    if (node.kind === 'item') return { k: 'atom', id: this.atomFor(node) };
    return { k: node.kind, xs: node.children.map((c) => this.condNode(c)) };
  }

  /** The condition as compileCondition() evaluates it, over atom ids. */
  private condOf(node: ConditionNode, ids: Record<string, CondExpr>): CondExpr {
    switch (node.op) {
      case 'id':
        return ids[node.name]!;
      case 'not':
        return { k: 'not', x: this.condOf(node.arg, ids) };
      case 'and':
      case 'or':
        return { k: node.op, xs: node.args.map((a) => this.condOf(a, ids)) };
      case 'of':
        return { k: node.quantifier === 'one' ? 'or' : 'and', xs: node.names.map((n) => ids[n]!) };
    }
  }

  private explainTree(node: SearchNode): XNode {
    if (node.kind === 'item') {
      const item = node.item;
      const matchers = leafMatchers(item.test);
      const single = !item.negated && item.field !== null && matchers.length === 1 ? matchers[0]!.display : undefined;
      return { kind: 'item', item, atom: this.atomFor(node), matchers, single };
    }
    return { kind: node.kind, children: node.children.map((c) => this.explainTree(c)) };
  }

  add(rule: CompiledRule): void {
    // Everything that could fail happens before the program's parallel arrays are touched.
    const idPreds: Record<string, Pred> = {};
    for (const [name, node] of Object.entries(rule.detection.identifiers)) idPreds[name] = this.compileNode(node);
    const pred = this.compileCondition(rule.detection.condition, idPreds);
    const idConds: Record<string, CondExpr> = {};
    for (const [name, node] of Object.entries(rule.detection.identifiers)) idConds[name] = this.condNode(node);
    const cond = this.condOf(rule.detection.condition, idConds);
    const tree = [...rule.used].map((identifier) => ({
      identifier,
      node: this.explainTree(rule.detection.identifiers[identifier]!),
    }));
    const key = chooseKey(conditionConstraints(rule.detection.condition, rule.detection.identifiers));
    const index = this.rules.length;
    this.explainTrees.push(tree);
    this.rules.push(rule);
    this.preds.push(pred);
    this.conds.push(cond);
    if (key) rule.key = key;
    this.index.add(index, key);
  }

  finish(generate: boolean): void {
    this.index.finish((field) => this.slot(field));
    this.ev = new Evaluator(this.slots, this.slotTransforms, this.atoms, this.rules.length);
    if (!generate) return;
    const getters = this.ev.getters.map((get, i) => {
      const t = this.slotTransforms[i];
      return t === undefined
        ? get
        : (f: unknown) => {
            const v = get(f);
            return v === undefined ? v : t(v);
          };
    });
    const rawGetters = this.ev.getters.map((get, i) => (this.slotTransforms[i] === undefined ? undefined : get));
    this.generated = generateRun({
      getters,
      rawGetters,
      atoms: this.atoms,
      conditions: this.conds,
      trees: this.explainTrees,
      index: this.index,
      always: this.index.always,
    });
  }

  /**
   * The identifiers of a matched rule that are true for the current record, with the values that made them true.
   * Call right after run() for the same record (`fields`): the interpreter reuses the atom results of its
   * evaluation; a generated program built the explanation during run(fields, true) from its memoised values.
   */
  explain(index: number, fields: Fields): MatchedSelection[] {
    if (this.generated !== undefined) {
      const sel = this.explained[index];
      if (sel !== undefined) {
        // Handed over once: the slot must not keep the record's values alive.
        this.explained[index] = undefined;
        return sel;
      }
      // run() was called without explanations (countMatches, matchRules): explain with the interpreter.
      this.ev.begin(fields);
    }
    const tree = this.explainTrees[index]!;
    const sel = this.selScratch;
    let n = 0;
    for (let i = 0; i < tree.length; i++) {
      const t = tree[i]!;
      this.valSize = 0;
      if (this.explainInto(t.node))
        sel[n++] = { identifier: t.identifier, values: this.valScratch.slice(0, this.valSize) };
    }
    // Exact-size copies: a growing empty array reserves 16 slots, twice per match.
    return sel.slice(0, n);
  }

  /** Append why `node` is true to `out` (one array for the whole identifier); false, and `out` unchanged, if not. */
  private explainInto(node: XNode): boolean {
    switch (node.kind) {
      case 'item':
        return this.explainItem(node);
      case 'and': {
        const mark = this.valSize;
        const cs = node.children;
        for (let i = 0; i < cs.length; i++) {
          const c = cs[i]!;
          if (!(c.kind === 'item' ? this.explainItem(c) : this.explainInto(c))) {
            this.valSize = mark;
            return false;
          }
        }
        return true;
      }
      case 'or': {
        const cs = node.children;
        for (let i = 0; i < cs.length; i++) {
          const c = cs[i]!;
          if (c.kind === 'item' ? this.explainItem(c) : this.explainInto(c)) return true;
        }
        return false;
      }
    }
  }

  private explainItem(node: Extract<XNode, { kind: 'item' }>): boolean {
    const out = this.valScratch;
    const id = node.atom;
    const ev = this.ev;
    if (!ev.atom(id)) return false;
    const item = node.item;
    const slot = this.atoms[id]!.slot;
    const value = ev.value(slot);
    // Explanations cite the record's value as written, before pipeline transformations (same shape).
    const raw = slot >= 0 && this.slotTransforms[slot] !== undefined ? ev.raw(slot) : value;
    if (node.single !== undefined && value !== null && typeof value !== 'object' && value !== undefined) {
      out[this.valSize++] = { field: item.ruleField, modifiers: item.modifiers, expected: node.single, actual: raw };
      return true;
    }
    const d = describeItem(item, value, ev.fields, node.matchers, raw);
    for (let i = 0; i < d.length; i++) out[this.valSize++] = d[i]!;
    return true;
  }

  /**
   * Indices of matching rules, ascending (load order), in `items[0..size)`. The list is reused by the next call
   * (resetting a JS array's length frees its backing store, which the next push then reallocates).
   */
  run(fields: Fields, explain = false): IntList {
    const generated = this.generated;
    if (generated !== undefined) {
      // With `explain`, the generated program also leaves each match's explanation for explain().
      generated(fields, this.matched, this.candidates, explain, this.explained);
      return this.matched;
    }
    const ev = this.ev;
    ev.begin(fields);
    const gen = ev.gen;
    const ruleGen = ev.ruleGen;
    const cand = this.candidates;
    const matched = this.matched;
    cand.size = 0;
    matched.size = 0;
    this.index.candidates(ev, cand);
    const items = cand.items;
    for (let j = 0; j < cand.size; j++) {
      const r = items[j]!;
      if (ruleGen[r] === gen) continue; // already evaluated (several key values hit)
      ruleGen[r] = gen;
      if (this.preds[r]!(ev)) matched.push(r);
    }
    const always = this.index.always;
    for (let j = 0; j < always.length; j++) {
      const r = always[j]!;
      if (this.preds[r]!(ev)) matched.push(r);
    }
    if (matched.size > 1) matched.items.subarray(0, matched.size).sort();
    return matched;
  }
}

/** JSON replacer for atom keys: wildcards are symbols and must not collide with literal `*`/`?` text. */
function testKey(_k: string, v: unknown): unknown {
  if (typeof v === 'symbol') return { wildcard: v.description };
  return v;
}

function atomsAnd(ids: number[]): Pred {
  if (ids.length === 1) {
    const a = ids[0]!;
    return (ev) => ev.atom(a);
  }
  if (ids.length === 2) {
    const [a, b] = ids as [number, number];
    return (ev) => ev.atom(a) && ev.atom(b);
  }
  return (ev) => {
    for (let i = 0; i < ids.length; i++) if (!ev.atom(ids[i]!)) return false;
    return true;
  };
}

function atomsOr(ids: number[]): Pred {
  if (ids.length === 1) {
    const a = ids[0]!;
    return (ev) => ev.atom(a);
  }
  if (ids.length === 2) {
    const [a, b] = ids as [number, number];
    return (ev) => ev.atom(a) || ev.atom(b);
  }
  return (ev) => {
    for (let i = 0; i < ids.length; i++) if (ev.atom(ids[i]!)) return true;
    return false;
  };
}

function andOf(parts: Pred[]): Pred {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [a, b] = parts as [Pred, Pred];
    return (ev) => a(ev) && b(ev);
  }
  return (ev) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i]!(ev)) return false;
    return true;
  };
}

function orOf(parts: Pred[]): Pred {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [a, b] = parts as [Pred, Pred];
    return (ev) => a(ev) || b(ev);
  }
  return (ev) => {
    for (let i = 0; i < parts.length; i++) if (parts[i]!(ev)) return true;
    return false;
  };
}

export function ruleRef(rule: SigmaRule | { meta: SigmaRule['meta'] }): RuleRef {
  const m = rule.meta;
  const ref: RuleRef = { title: m.title, tags: m.tags, file: m.file };
  if (m.id !== undefined) ref.id = m.id;
  if (m.name !== undefined) ref.name = m.name;
  if (m.level !== undefined) ref.level = m.level;
  if (m.status !== undefined) ref.status = m.status;
  return ref;
}

/** Rename a condition's identifiers (filters get their own namespace inside the rule they filter). */
function renameCondition(node: ConditionNode, rename: (n: string) => string): ConditionNode {
  switch (node.op) {
    case 'id':
      return { op: 'id', name: rename(node.name) };
    case 'not':
      return { op: 'not', arg: renameCondition(node.arg, rename) };
    case 'of':
      return { ...node, names: node.names.map(rename) };
    default:
      return { op: node.op, args: node.args.map((a) => renameCondition(a, rename)) };
  }
}

/** A rule's detection with its meta filters applied: `(rule) and not (filter)` for each filter. */
export function applyFilters(rule: Detection, filters: { label: string; detection: Detection }[]): Detection {
  if (filters.length === 0) return rule;
  const identifiers = { ...rule.identifiers };
  const conditions = [...rule.conditions];
  const args: ConditionNode[] = [rule.condition];
  for (const f of filters) {
    const rename = (n: string) => `${f.label}.${n}`;
    for (const [n, node] of Object.entries(f.detection.identifiers)) identifiers[rename(n)] = node;
    args.push({ op: 'not', arg: renameCondition(f.detection.condition, rename) });
    conditions.push(`not (${f.label}: ${f.detection.conditions.join(' or ')})`);
  }
  return { identifiers, conditions, condition: { op: 'and', args } };
}

function logsourceText(ls: SigmaRule['logsource']): string {
  return (
    Object.entries(ls)
      .filter(([k]) => k !== 'definition')
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ') || '(empty)'
  );
}

function sameLogsource(filter: SigmaFilter, rule: SigmaRule): boolean {
  for (const k of ['category', 'product', 'service'] as const) {
    const a = filter.logsource[k];
    if (a !== undefined && a.toLowerCase() !== (rule.logsource[k] ?? '').toLowerCase()) return false;
  }
  return true;
}

export class SigmaEngine {
  private readonly programs = new Map<LogType, TypeProgram>();
  /** Every loaded rule and the log types it runs on (empty: logsource not mapped). */
  readonly coverage: { rule: SigmaRule; types: LogType[] }[] = [];
  readonly issues: SigmaIssue[] = [];
  private readonly refs = new Map<SigmaRule, RuleRef>();

  constructor(collection: Pick<SigmaCollection, 'rules' | 'filters'>, opts: EngineOptions = {}) {
    const pipelines = [...(opts.pipelines ?? []), ...(opts.builtin === false ? [] : [builtinPipeline()])];
    const placeholders = opts.placeholders ?? {};
    const filtersByRule = this.resolveFilters(collection);
    for (const rule of collection.rules) {
      const targets = resolveLogsource(rule.logsource, pipelines);
      this.coverage.push({ rule, types: targets.map((t) => t.type) });
      if (targets.length === 0) {
        this.issues.push({
          severity: 'warning',
          file: rule.meta.file,
          line: rule.meta.line,
          rule: rule.meta.id ?? rule.meta.title,
          path: 'logsource',
          reason: `logsource (${logsourceText(rule.logsource)}) matches no Vigil log type; the rule is loaded but never evaluated`,
        });
        continue;
      }
      const filters = filtersByRule.get(rule) ?? [];
      try {
        this.compileRule(rule, filters, targets, placeholders);
      } catch (e) {
        this.issues.push({
          severity: 'error',
          file: rule.meta.file,
          line: rule.meta.line,
          rule: rule.meta.id ?? rule.meta.title,
          reason: `internal error while compiling: ${(e as Error)?.message ?? String(e)}`,
        });
      }
    }
    for (const p of this.programs.values()) p.finish(opts.generate !== false);
  }

  private compileRule(
    rule: SigmaRule,
    filters: SigmaFilter[],
    targets: ReturnType<typeof resolveLogsource>,
    placeholders: Record<string, string[]>,
  ): void {
    for (const target of targets) {
      const mapField = mapperFor(target.fields);
      const transforms = transformsFor(target.transforms);
      const detection = this.detectionFor(rule, filters, mapField, transforms, placeholders);
      if (!detection) continue;
      let program = this.programs.get(target.type);
      if (!program) {
        program = new TypeProgram();
        this.programs.set(target.type, program);
      }
      program.add({
        rule,
        ref: this.refFor(rule),
        detection,
        used: referencedIdentifiers(detection.condition),
        ...(mapField ? { mapField } : {}),
      });
    }
  }

  private resolveFilters(collection: Pick<SigmaCollection, 'rules' | 'filters'>): Map<SigmaRule, SigmaFilter[]> {
    const byRef = new Map<string, SigmaRule[]>();
    for (const r of collection.rules) {
      for (const k of [r.meta.id, r.meta.name]) {
        if (!k) continue;
        const list = byRef.get(k);
        if (list) list.push(r);
        else byRef.set(k, [r]);
      }
    }
    const out = new Map<SigmaRule, SigmaFilter[]>();
    for (const f of collection.filters) {
      for (const ref of f.rules) {
        const rules = byRef.get(ref);
        if (!rules) {
          this.issues.push({
            severity: 'warning',
            file: f.meta.file,
            line: f.meta.line,
            rule: f.meta.id ?? f.meta.title,
            path: 'filter.rules',
            reason: `filter refers to rule '${ref}', which is not loaded`,
          });
          continue;
        }
        for (const r of rules) {
          if (!sameLogsource(f, r)) {
            this.issues.push({
              severity: 'warning',
              file: f.meta.file,
              line: f.meta.line,
              rule: f.meta.id ?? f.meta.title,
              path: 'logsource',
              reason: `filter logsource (${logsourceText(f.logsource)}) differs from rule '${ref}' (${logsourceText(r.logsource)}); not applied`,
            });
            continue;
          }
          const list = out.get(r);
          if (list) list.push(f);
          else out.set(r, [f]);
        }
      }
    }
    return out;
  }

  private detectionFor(
    rule: SigmaRule,
    filters: SigmaFilter[],
    mapField: ((f: string) => string | string[]) | undefined,
    transforms: ((f: string) => readonly string[] | undefined) | undefined,
    placeholders: Record<string, string[]>,
  ): Detection | undefined {
    const compile = (raw: Record<string, unknown>, base: string, reserved: string[], original: Detection) => {
      if (!mapField && !transforms) return original;
      const r = compileDetection(raw, {
        placeholders,
        ...(mapField ? { mapField } : {}),
        ...(transforms ? { transformsFor: transforms } : {}),
        base: [base],
        reserved,
      });
      if (!r.detection) {
        for (const p of r.problems.filter((x) => x.severity === 'error')) {
          this.issues.push({
            severity: 'error',
            file: rule.meta.file,
            line: rule.meta.line,
            rule: rule.meta.id ?? rule.meta.title,
            reason: `after field mapping: ${p.reason}`,
          });
        }
      }
      return r.detection;
    };
    const main = compile(rule.rawDetection, 'detection', [], rule.detection);
    if (!main) return undefined;
    const fs: { label: string; detection: Detection }[] = [];
    for (const [i, f] of filters.entries()) {
      const d = compile(f.rawDetection, 'filter', ['rules'], f.detection);
      if (!d) return undefined;
      fs.push({ label: `filter${i + 1}`, detection: d });
    }
    if (fs.length > 0) rule.filters = filters.map((f) => f.meta.title);
    return applyFilters(main, fs);
  }

  /** The one RuleRef object of a rule (matches of every log type share it, so it can key maps). */
  refFor(rule: SigmaRule): RuleRef {
    let ref = this.refs.get(rule);
    if (!ref) {
      ref = ruleRef(rule);
      this.refs.set(rule, ref);
    }
    return ref;
  }

  private lastType: LogType | undefined;
  private lastProgram: TypeProgram | undefined;

  /** The program of a log type (records of one type usually come in runs: the last one is remembered). */
  private program(type: LogType): TypeProgram | undefined {
    if (type === this.lastType) return this.lastProgram;
    const p = this.programs.get(type);
    this.lastType = type;
    this.lastProgram = p;
    return p;
  }

  /** Log types that have at least one rule. */
  types(): LogType[] {
    return [...this.programs.keys()];
  }

  /** Compiled rules for a log type (diagnostics, `sigma check`). */
  compiled(type: LogType): readonly CompiledRule[] {
    return this.programs.get(type)?.rules ?? [];
  }

  stats(): { type: LogType; rules: number; indexed: number; unindexed: number; atoms: number; fields: number }[] {
    return [...this.programs].map(([type, p]) => ({
      type,
      rules: p.rules.length,
      indexed: p.rules.length - p.index.always.length,
      unindexed: p.index.always.length,
      atoms: p.atoms.length,
      fields: p.slots.length,
    }));
  }

  /** Count of rules matching a record, without building explanations (benchmarks, pre-checks). */
  countMatches(type: LogType, fields: Fields): number {
    const p = this.program(type);
    return p ? p.run(fields).size : 0;
  }

  /** Compiled rules that match, in load order, without explanations. */
  matchRules(type: LogType, fields: Fields): CompiledRule[] {
    const p = this.programs.get(type);
    if (!p) return [];
    const hits = p.run(fields);
    const out: CompiledRule[] = [];
    for (let i = 0; i < hits.size; i++) out.push(p.rules[hits.items[i]!]!);
    return out;
  }

  /** Every rule that matches the record, with explanations (a shared frozen empty array when none). */
  match(record: LogRecord): readonly SigmaMatch[] {
    return this.matchFields(record.type, record.fields, record.origin, record.time);
  }

  matchFields(type: LogType, fields: Fields, origin: RecordOrigin, time: number): readonly SigmaMatch[] {
    const p = this.program(type);
    if (!p) return EMPTY;
    const hits = p.run(fields, true);
    const n = hits.size;
    if (n === 0) return EMPTY;
    const items = hits.items;
    if (n === 1) return [matchOf(p.rules[items[0]!]!, fields, origin, time, p.explain(items[0]!, fields))];
    const out: SigmaMatch[] = [];
    for (let i = 0; i < n; i++)
      out.push(matchOf(p.rules[items[i]!]!, fields, origin, time, p.explain(items[i]!, fields)));
    return out;
  }

  /**
   * Matching rules with their explanations, for one record (what SigmaStream needs: the compiled rule for
   * correlation field mapping, and the match).
   */
  matchDetailed(
    type: LogType,
    fields: Fields,
    origin: RecordOrigin,
    time: number,
  ): { compiled: CompiledRule; match: SigmaMatch }[] {
    const p = this.programs.get(type);
    if (!p) return [];
    const hits = p.run(fields, true);
    if (hits.size === 0) return [];
    const out: { compiled: CompiledRule; match: SigmaMatch }[] = [];
    for (let i = 0; i < hits.size; i++) {
      const r = hits.items[i]!;
      const c = p.rules[r]!;
      out.push({ compiled: c, match: matchOf(c, fields, origin, time, p.explain(r, fields)) });
    }
    return out;
  }
}

const EMPTY: SigmaMatch[] = [];
Object.freeze(EMPTY);

function matchOf(
  c: CompiledRule,
  fields: Fields,
  origin: RecordOrigin,
  time: number,
  selections: MatchedSelection[],
): SigmaMatch {
  return { kind: 'match', rule: c.ref, origin, time, condition: c.detection.conditions, selections, fields };
}

/** A match built by the reference evaluator (slow path; for callers without an engine run). */
export function buildMatch(c: CompiledRule, fields: Fields, origin: RecordOrigin, time: number): SigmaMatch {
  return matchOf(
    c,
    fields,
    origin,
    time,
    explainDetection(c.detection, fields).filter((s) => c.used.has(s.identifier)),
  );
}
