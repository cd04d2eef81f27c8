/**
 * Rule pre-selection. From a rule's condition tree we derive *necessary conditions*: facts that hold whenever the
 * rule matches, such as "eventName ∈ {StopLogging, DeleteTrail}" (equality) or "userAgent contains trufflehog"
 * (substring). Each rule is indexed by its most selective one; for a record, only rules whose key it satisfies are
 * evaluated, plus the few rules without any key. All comparisons are on lower-cased text, which is implied by
 * every (case-insensitive or cased) match, so the pre-selection never drops a rule that would match.
 */

import { leafText, someLeaf } from './fields.js';
import { SubstringSet } from './substrings.js';
import { fieldKey } from './transforms.js';
import type { ConditionNode, SearchNode, StrPart } from './types.js';

export interface Constraint {
  field: string;
  kind: 'eq' | 'sub';
  /** Lower-cased values (eq) or literals (sub; as written when `cased`). */
  values: Set<string>;
  /**
   * Substring keys whose every source is case-sensitive (a regex without `i`, a `cased` value): the literal is
   * searched in the text as is, which spares lower-casing the field.
   */
  cased?: boolean;
}

/** Shortest literal worth a substring key. */
const MIN_SUBSTRING = 3;
const ASCII = /^[\x20-\x7e]*$/;

function longestLiteral(parts: StrPart[]): string {
  let best = '';
  for (const p of parts) if (typeof p === 'string' && p.length > best.length) best = p;
  return best;
}

/** Necessary conditions of a search node: each returned constraint holds whenever the node is true. */
export function nodeConstraints(node: SearchNode): Constraint[] {
  switch (node.kind) {
    case 'and':
      return node.children.flatMap(nodeConstraints);
    case 'or':
      return orConstraints(node.children.map(nodeConstraints));
    case 'item':
      break;
  }
  const it = node.item;
  if (it.negated || it.field === null) return [];
  // Keys are on the value as the item sees it (after pipeline transformations).
  const field = fieldKey(it.field, it.transforms);
  const t = it.test;
  // With `all` every value is required: one is enough for a key.
  if (t.kind === 'string') {
    const patterns = it.all ? t.patterns.slice(0, 1) : t.patterns;
    const eq = new Set<string>();
    const sub = new Set<string>();
    const raw = new Set<string>();
    let allEq = true;
    let allCased = true;
    for (const p of patterns) {
      if (p.value.binary) return [];
      const parts = p.value.parts;
      const lit = parts.length === 0 ? '' : longestLiteral(parts);
      allCased &&= p.cased;
      raw.add(lit);
      if (parts.length === 0 || (parts.length === 1 && typeof parts[0] === 'string')) {
        eq.add(lit.toLowerCase());
        sub.add(lit.toLowerCase());
        continue;
      }
      allEq = false;
      // Lower-casing is not substring-preserving for every script (final sigma); cased keys stay ASCII.
      if (p.cased && !ASCII.test(lit)) return [];
      sub.add(lit.toLowerCase());
    }
    if (allEq) return [{ field, kind: 'eq', values: eq }];
    for (const s of sub) if (s.length < MIN_SUBSTRING) return [];
    if (allCased) return [{ field, kind: 'sub', values: raw, cased: true }];
    return [{ field, kind: 'sub', values: sub }];
  }
  if (t.kind === 'regex') {
    const sub = new Set<string>();
    const raw = new Set<string>();
    let allCased = true;
    for (const p of it.all ? t.patterns.slice(0, 1) : t.patterns) {
      // ASCII only: JavaScript's case-insensitive matching of non-ASCII text differs from toLowerCase.
      if (!p.literal || p.literal.length < MIN_SUBSTRING || !ASCII.test(p.literal)) return [];
      sub.add(p.literal.toLowerCase());
      raw.add(p.literal);
      allCased &&= !p.flags.includes('i');
    }
    if (allCased) return [{ field, kind: 'sub', values: raw, cased: true }];
    return [{ field, kind: 'sub', values: sub }];
  }
  return [];
}

/** A constraint holds for an OR when every branch has one on the same field (values are merged). */
export function orConstraints(children: Constraint[][]): Constraint[] {
  if (children.length === 0) return [];
  const out: Constraint[] = [];
  for (const field of new Set(children[0]!.map((c) => c.field))) {
    const picks: Constraint[] = [];
    for (const cs of children) {
      const mine = cs.filter((c) => c.field === field);
      if (mine.length === 0) break;
      // Prefer equality, then the smallest set.
      picks.push(mine.reduce((a, b) => (rank(b) < rank(a) ? b : a)));
    }
    if (picks.length !== children.length) continue;
    if (picks.every((p) => p.kind === 'eq')) {
      out.push({ field, kind: 'eq', values: new Set(picks.flatMap((p) => [...p.values])) });
    } else if (picks.every((p) => p.cased)) {
      const values = new Set(picks.flatMap((p) => [...p.values]));
      out.push({ field, kind: 'sub', values, cased: true });
    } else {
      // Mixed: compare lower-cased (a cased literal lower-cased is still implied: cased keys are ASCII).
      const values = new Set(picks.flatMap((p) => [...p.values].map((v) => (p.cased ? v.toLowerCase() : v))));
      if ([...values].every((v) => v.length >= MIN_SUBSTRING)) out.push({ field, kind: 'sub', values });
    }
  }
  return out;
}

function rank(c: Constraint): number {
  return (c.kind === 'eq' ? 0 : 1e6) + c.values.size;
}

export function conditionConstraints(node: ConditionNode, ids: Record<string, SearchNode>): Constraint[] {
  switch (node.op) {
    case 'id':
      return nodeConstraints(ids[node.name]!);
    case 'not':
      return [];
    case 'and':
      return node.args.flatMap((a) => conditionConstraints(a, ids));
    case 'or':
      return orConstraints(node.args.map((a) => conditionConstraints(a, ids)));
    case 'of':
      return node.quantifier === 'all'
        ? node.names.flatMap((n) => nodeConstraints(ids[n]!))
        : orConstraints(node.names.map((n) => nodeConstraints(ids[n]!)));
  }
}

const NAME = 'eventName';
const SOURCE = 'eventSource';
/** Cap on eventName × eventSource combinations for a composite key. */
const MAX_COMBOS = 256;

export type RuleKey =
  | { kind: 'pair'; names: string[]; sources: string[] }
  | { kind: 'eq'; field: string; values: string[] }
  | { kind: 'sub'; field: string; values: string[]; cased: boolean };

/** The most selective key: eventName+eventSource together, then equality (eventName first), then substring. */
export function chooseKey(cs: Constraint[]): RuleKey | undefined {
  const eqOn = (f: string) =>
    cs
      .filter((c) => c.kind === 'eq' && c.field === f)
      .reduce<Constraint | undefined>((a, b) => (!a || b.values.size < a.values.size ? b : a), undefined);
  const name = eqOn(NAME);
  const source = eqOn(SOURCE);
  if (name && source && name.values.size * source.values.size <= MAX_COMBOS) {
    return { kind: 'pair', names: [...name.values], sources: [...source.values] };
  }
  if (name) return { kind: 'eq', field: NAME, values: [...name.values] };
  if (source) return { kind: 'eq', field: SOURCE, values: [...source.values] };
  let best: Constraint | undefined;
  for (const c of cs) if (c.kind === 'eq' && (!best || c.values.size < best.values.size)) best = c;
  if (best) return { kind: 'eq', field: best.field, values: [...best.values] };
  // Substring keys: prefer the one whose shortest literal is longest (rarer).
  const minLen = (c: Constraint) => Math.min(...[...c.values].map((v) => v.length));
  for (const c of cs) if (c.kind === 'sub' && (!best || minLen(c) > minLen(best))) best = c;
  return best ? { kind: 'sub', field: best.field, values: [...best.values], cased: best.cased === true } : undefined;
}

/** Lower-cased text of every leaf of a value. */
function forEachText(v: unknown, fn: (text: string) => void): void {
  if (typeof v === 'string') {
    fn(v.toLowerCase());
    return;
  }
  someLeaf(v, (leaf) => {
    const t = leafText(leaf);
    if (t !== undefined) fn(t.toLowerCase());
    return false;
  });
}

/**
 * The per-log-type index. `value(slot)` resolves a field for the current record (cached by the caller);
 * `add(rule)` receives candidate rule indices (duplicates allowed).
 */
/** Field access for the current record (the engine's per-record cache). */
export interface RecordView {
  value(slot: number): unknown;
  /** Lower-cased text of a string field; undefined when the value is not a string. */
  lower(slot: number): string | undefined;
}

/** ASCII upper case folded to lower case (other codes unchanged). */
function fold(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * Cheap rejection for equality keys, before a field is lower-cased and hashed: most records carry a value that no
 * rule names (an eventName no rule targets), and the first and last characters plus the length rule that out.
 * Lower-casing keeps an ASCII character's position and maps it to an ASCII character; only U+0130 (İ) changes a
 * string's length; a non-ASCII end character may lower-case to ASCII (K, the Kelvin sign), so it takes the slow path.
 */
export class KeyFilter {
  /**
   * (first, last) ASCII code pairs of the keys, folded and hashed into 2,048 bits: small enough to stay in cache
   * next to the record being parsed (a miss on this table would cost more than the lookup it avoids).
   */
  private readonly ends = new Int32Array(64);
  private readonly lengths: Uint8Array;
  private readonly empty: boolean;

  constructor(keys: Iterable<string>) {
    let max = 0;
    let empty = false;
    const list = [...keys];
    for (const k of list) max = Math.max(max, k.length);
    this.lengths = new Uint8Array(max + 1);
    for (const k of list) {
      this.lengths[k.length] = 1;
      if (k.length === 0) {
        empty = true;
        continue;
      }
      const a = k.charCodeAt(0);
      const b = k.charCodeAt(k.length - 1);
      // A key whose end is not ASCII can only come from a value whose end is not ASCII (slow path below).
      if (a < 128 && b < 128) {
        const h = endsHash(a, b);
        this.ends[h >>> 5]! |= 1 << (h & 31);
      }
    }
    this.empty = empty;
  }

  /** False when no key can equal `raw` lower-cased. */
  maybe(raw: string): boolean {
    const n = raw.length;
    if (n === 0) return this.empty;
    const a = raw.charCodeAt(0);
    const b = raw.charCodeAt(n - 1);
    if (a >= 128 || b >= 128) return true;
    const h = endsHash(fold(a), fold(b));
    if ((this.ends[h >>> 5]! & (1 << (h & 31))) === 0) return false;
    return (n < this.lengths.length && this.lengths[n] === 1) || raw.indexOf('\u0130') >= 0;
  }
}

const ASCII_KEY = /^[\x00-\x7f]*$/;

/**
 * The same kind of rejection as a JavaScript expression over the string in variable `v` (scratch variables `x`,
 * `y`), with the keys' lengths and end characters as constants in the code: generated programs test them without
 * loading any table (tables are cold in the cache right after a record is parsed). False only when no key can
 * equal `v` lower-cased.
 *
 * When every key is ASCII (API names, service names …), lower-casing `v` can only produce a key if `v` has that
 * key's length — the one character whose lower case is longer, U+0130, lower-cases to non-ASCII text — and, where
 * `v`'s first and last characters are ASCII, the same first and last characters up to case; so the check is the
 * exact (length, first, last) triple of some key. Otherwise: first and last characters (bit masks), and a length
 * of some key unless `v` contains U+0130.
 */
export function emitKeyCheck(keys: Iterable<string>, v: string, x: string, y: string): string {
  const list = [...keys];
  const fold = (c: string) => `${c} = ${c} >= 65 && ${c} <= 90 ? ${c} + 32 : ${c}`;
  const empty = list.includes('');
  if (list.every((k) => ASCII_KEY.test(k))) {
    const byLength = new Map<number, Map<number, Set<number>>>();
    for (const k of list) {
      if (k.length === 0) continue;
      let ends = byLength.get(k.length);
      if (!ends) {
        ends = new Map();
        byLength.set(k.length, ends);
      }
      const first = k.charCodeAt(0);
      let lasts = ends.get(first);
      if (!lasts) {
        lasts = new Set();
        ends.set(first, lasts);
      }
      lasts.add(k.charCodeAt(k.length - 1));
    }
    const group = (ends: Map<number, Set<number>>) =>
      [...ends]
        .map(([first, lasts]) => `(${x} === ${first} && (${[...lasts].map((l) => `${y} === ${l}`).join(' || ')}))`)
        .join(' || ');
    const chain = [...byLength].map(([n, ends]) => `${v}.length === ${n} ? ${group(ends)} : `).join('');
    return (
      `(${v}.length === 0 ? ${empty} : ` +
      `(${x} = ${v}.charCodeAt(0)) >= 128 || (${y} = ${v}.charCodeAt(${v}.length - 1)) >= 128 || ` +
      `((${fold(x)}), (${fold(y)}), ${chain}false))`
    );
  }
  const firsts = [0, 0, 0, 0];
  const lasts = [0, 0, 0, 0];
  let lengths = 0;
  const long = new Set<number>();
  const mark = (masks: number[], c: number) => {
    if (c >= 128) return;
    masks[c >>> 5]! |= 1 << (c & 31);
    // Keys are lower case: the value may spell an ASCII letter in upper case.
    if (c >= 97 && c <= 122) masks[(c - 32) >>> 5]! |= 1 << ((c - 32) & 31);
  };
  for (const k of list) {
    if (k.length === 0) continue;
    mark(firsts, k.charCodeAt(0));
    mark(lasts, k.charCodeAt(k.length - 1));
    if (k.length < 32) lengths |= 1 << k.length;
    else long.add(k.length);
  }
  const inMask = (m: number[]) =>
    `((${x} < 64 ? (${x} < 32 ? ${m[0]! | 0} >>> ${x} : ${m[1]! | 0} >>> (${x} - 32)) : (${x} < 96 ? ${m[2]! | 0} >>> (${x} - 64) : ${m[3]! | 0} >>> (${x} - 96))) & 1) === 1`;
  const longCheck = long.size === 0 ? 'false' : [...long].map((n) => `${v}.length === ${n}`).join(' || ');
  const length = `(${v}.length < 32 ? ((${lengths | 0} >>> ${v}.length) & 1) === 1 : ${longCheck})`;
  return (
    `(${v}.length === 0 ? ${empty} : ` +
    `((${x} = ${v}.charCodeAt(0)) >= 128 || ${inMask(firsts)}) && ` +
    `((${x} = ${v}.charCodeAt(${v}.length - 1)) >= 128 || ${inMask(lasts)}) && ` +
    `(${length} || ${v}.indexOf('\\u0130') >= 0))`
  );
}

/** 11-bit hash of two 7-bit codes. */
function endsHash(a: number, b: number): number {
  return ((a << 4) ^ (b * 0x9d)) & 2047;
}

/** Distinct spellings remembered per lookup (those that passed the key filter: few, e.g. `AssumedRole`). */
const SEEN_MAX = 256;

/**
 * Equality lookup on a field's text: the key filter first, then the outcome remembered for this exact spelling,
 * and only then lower-casing (a runtime call that allocates) and the lower-cased key map.
 */
class KeyLookup<V> {
  private readonly seen = new Map<string, V | null>();
  readonly filter: KeyFilter;

  constructor(readonly map: Map<string, V>) {
    this.filter = new KeyFilter(map.keys());
  }

  /** See emitKeyCheck. */
  emitCheck(v: string, x: string, y: string): string {
    return emitKeyCheck(this.map.keys(), v, x, y);
  }

  /** `raw` is the string value of `slot` in the current record. */
  find(raw: string, rec: RecordView, slot: number): V | undefined {
    if (!this.filter.maybe(raw)) return undefined;
    const known = this.seen.get(raw);
    if (known !== undefined) return known ?? undefined;
    const v = this.map.get(rec.lower(slot)!);
    if (this.seen.size < SEEN_MAX && raw.length <= 64) this.seen.set(raw, v ?? null);
    return v;
  }

  /**
   * The same, lower-casing `raw` itself when needed (generated code keeps no record view), for a value that passed
   * emitKeyCheck over this lookup's keys.
   */
  findText(raw: string): V | undefined {
    const known = this.seen.get(raw);
    if (known !== undefined) return known ?? undefined;
    const v = this.map.get(raw.toLowerCase());
    if (this.seen.size < SEEN_MAX && raw.length <= 64) this.seen.set(raw, v ?? null);
    return v;
  }
}

/** How generated code refers to the current record's values (see RuleIndex.emit). */
export interface EmitContext {
  /** Expression: the value of a slot. */
  val(slot: number): string;
  /** Expression: the lower-cased text of a slot whose value was just read and is a string. */
  low(slot: number): string;
  /** Name under which the generated code sees a constant. */
  bind(value: unknown): string;
}

/** A reusable list of rule indices (reset without touching an array's length). */
export class IntList {
  items = new Int32Array(64);
  size = 0;

  push(v: number): void {
    if (this.size === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.size++] = v;
  }

  pushAll(list: number[] | undefined): void {
    if (list) for (let i = 0; i < list.length; i++) this.push(list[i]!);
  }
}

export class RuleIndex {
  private readonly pair = new Map<string, Map<string, number[]>>();
  private readonly eq = new Map<string, Map<string, number[]>>();
  private readonly sub = new Map<string, Map<string, number[]>>();
  private readonly subCased = new Map<string, Map<string, number[]>>();
  readonly always: number[] = [];
  // Compiled form, built by finish().
  /** Slots of eventName and eventSource (-1: no pair keys). */
  private nameSlot = -1;
  private sourceSlot = -1;
  private pairLookup: KeyLookup<Map<string, number[]>> | undefined;
  private eqSlots: { slot: number; map: Map<string, number[]>; lookup: KeyLookup<number[]> }[] = [];
  private subSlots: { slot: number; set: SubstringSet; rules: number[][]; cased: boolean }[] = [];

  add(rule: number, key: RuleKey | undefined): void {
    if (!key) {
      this.always.push(rule);
      return;
    }
    if (key.kind === 'pair') {
      for (const n of key.names) {
        let bySource = this.pair.get(n);
        if (!bySource) {
          bySource = new Map();
          this.pair.set(n, bySource);
        }
        for (const s of key.sources) push(bySource, s, rule);
      }
      return;
    }
    const byField = key.kind === 'eq' ? this.eq : key.cased ? this.subCased : this.sub;
    let map = byField.get(key.field);
    if (!map) {
      map = new Map();
      byField.set(key.field, map);
    }
    for (const v of key.values) push(map, v, rule);
  }

  /** Resolve field names to slots once all rules are in. */
  finish(slot: (field: string) => number): void {
    if (this.pair.size > 0) {
      this.nameSlot = slot(NAME);
      this.sourceSlot = slot(SOURCE);
      this.pairLookup = new KeyLookup(this.pair);
    }
    for (const [field, map] of this.eq) {
      this.eqSlots.push({ slot: slot(field), map, lookup: new KeyLookup(map) });
    }
    for (const [cased, subs] of [
      [false, this.sub],
      [true, this.subCased],
    ] as const) {
      for (const [field, map] of subs) {
        const literals = [...map.keys()];
        this.subSlots.push({
          slot: slot(field),
          set: new SubstringSet(literals),
          rules: literals.map((l) => map.get(l)!),
          cased,
        });
      }
    }
  }

  /** Push candidate rule indices for the current record into `out` (duplicates possible). */
  candidates(rec: RecordView, out: IntList): void {
    const nameSlot = this.nameSlot;
    if (nameSlot >= 0) {
      const sourceSlot = this.sourceSlot;
      const name = rec.value(nameSlot);
      if (typeof name === 'string') {
        // eventName first: it is the rarer of the two, and a miss spares looking at eventSource at all.
        const bySource = this.pairLookup!.find(name, rec, nameSlot);
        if (bySource) {
          const source = rec.value(sourceSlot);
          if (typeof source === 'string') out.pushAll(bySource.get(rec.lower(sourceSlot)!));
          else if (source !== undefined && source !== null) forEachText(source, (s) => out.pushAll(bySource.get(s)));
        }
      } else if (name !== undefined && name !== null) {
        const sources = rec.value(sourceSlot);
        if (sources !== undefined && sources !== null) {
          forEachText(name, (n) => forEachText(sources, (s) => out.pushAll(this.pair.get(n)?.get(s))));
        }
      }
    }
    for (let k = 0; k < this.eqSlots.length; k++) {
      const { slot, map, lookup } = this.eqSlots[k]!;
      const v = rec.value(slot);
      if (v === undefined || v === null) continue;
      if (typeof v === 'string') out.pushAll(lookup.find(v, rec, slot));
      else forEachText(v, (t) => out.pushAll(map.get(t)));
    }
    for (let k = 0; k < this.subSlots.length; k++) {
      const { slot, set, rules, cased } = this.subSlots[k]!;
      const v = rec.value(slot);
      if (v === undefined || v === null) continue;
      if (typeof v === 'string') set.collect(cased ? v : rec.lower(slot)!, rules, out);
      else if (cased) {
        someLeaf(v, (leaf) => {
          const t = leafText(leaf);
          if (t !== undefined) set.collect(t, rules, out);
          return false;
        });
      } else forEachText(v, (t) => set.collect(t, rules, out));
    }
  }

  /**
   * JavaScript statements doing what candidates() does, reading the record through `ctx` (values held in the
   * generated function's locals instead of the engine's per-record arrays). Candidates go to `cand`; `t`, `b`, `x`
   * and `y` are scratch variables. Values that are not strings take the same slow paths as candidates().
   */
  emit(ctx: EmitContext): string {
    const ix = ctx.bind(this);
    const lines: string[] = [];
    if (this.nameSlot >= 0) {
      const lookup = ctx.bind(this.pairLookup);
      const n = this.nameSlot;
      const s = this.sourceSlot;
      lines.push(
        `t = ${ctx.val(n)};`,
        `if (typeof t === 'string') {`,
        `  b = ${this.pairLookup!.emitCheck('t', 'x', 'y')} ? ${lookup}.findText(t) : undefined;`,
        `  if (b !== undefined) {`,
        `    t = ${ctx.val(s)};`,
        `    if (typeof t === 'string') cand.pushAll(b.get(${ctx.low(s)}));`,
        `    else if (t !== undefined && t !== null) ${ix}.pairSources(b, t, cand);`,
        `  }`,
        `} else if (t !== undefined && t !== null) {`,
        `  b = ${ctx.val(s)};`,
        `  if (b !== undefined && b !== null) ${ix}.pairSlow(t, b, cand);`,
        `}`,
      );
    }
    this.eqSlots.forEach(({ slot, lookup }, k) => {
      lines.push(
        `t = ${ctx.val(slot)};`,
        `if (typeof t === 'string') { if (${lookup.emitCheck('t', 'x', 'y')}) cand.pushAll(${ctx.bind(lookup)}.findText(t)); }`,
        `else if (t !== undefined && t !== null) ${ix}.eqSlow(${k}, t, cand);`,
      );
    });
    this.subSlots.forEach(({ slot, set, rules, cased }, k) => {
      lines.push(
        `t = ${ctx.val(slot)};`,
        `if (typeof t === 'string') ${ctx.bind(set)}.collect(${cased ? 't' : ctx.low(slot)}, ${ctx.bind(rules)}, cand);`,
        `else if (t !== undefined && t !== null) ${ix}.subSlow(${k}, t, cand);`,
      );
    });
    return lines.join('\n');
  }

  /** eventName matched a pair key; eventSource is not a string (generated code's slow path). */
  pairSources(bySource: Map<string, number[]>, source: unknown, out: IntList): void {
    forEachText(source, (s) => out.pushAll(bySource.get(s)));
  }

  /** eventName is not a string (generated code's slow path). */
  pairSlow(name: unknown, sources: unknown, out: IntList): void {
    forEachText(name, (n) => forEachText(sources, (s) => out.pushAll(this.pair.get(n)?.get(s))));
  }

  /** Equality key `k` on a value that is not a string (generated code's slow path). */
  eqSlow(k: number, v: unknown, out: IntList): void {
    const map = this.eqSlots[k]!.map;
    forEachText(v, (t) => out.pushAll(map.get(t)));
  }

  /** Substring key `k` on a value that is not a string (generated code's slow path). */
  subSlow(k: number, v: unknown, out: IntList): void {
    const { set, rules, cased } = this.subSlots[k]!;
    if (cased) {
      someLeaf(v, (leaf) => {
        const t = leafText(leaf);
        if (t !== undefined) set.collect(t, rules, out);
        return false;
      });
    } else forEachText(v, (t) => set.collect(t, rules, out));
  }

  /** Diagnostics: how rules are keyed. */
  summary(): { pair: number; eq: Record<string, number>; sub: Record<string, number>; always: number } {
    const count = (m: Map<string, Map<string, number[]>>) =>
      Object.fromEntries([...m].map(([f, map]) => [f, new Set([...map.values()].flat()).size]));
    const pair = new Set([...this.pair.values()].flatMap((m) => [...m.values()].flat())).size;
    return {
      pair,
      eq: count(this.eq),
      sub: { ...count(this.sub), ...count(this.subCased) },
      always: this.always.length,
    };
  }
}

function push(map: Map<string, number[]>, key: string, rule: number): void {
  const list = map.get(key);
  if (list) {
    if (list[list.length - 1] !== rule) list.push(rule);
  } else map.set(key, [rule]);
}
