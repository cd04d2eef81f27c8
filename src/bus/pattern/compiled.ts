import { foldKey, foldStable } from './casefold.js';
import { type CompileOptions, toPattern } from './compile.js';
import { type Explanation, explain } from './explain.js';
import { consistent, merge, type PathNode, PathTrie, parseEvent, walkPruned } from './flatten.js';
import { networkKey } from './ip.js';
import { accepts } from './ops.js';
import { type LeafCollector, scanEvent } from './scan.js';
import {
  FALSE,
  type FieldCondition,
  type Leaf,
  type Matcher,
  type Membership,
  NULL,
  NUMBER,
  type Pattern,
  STRING,
  type SubPattern,
  TRUE,
} from './types.js';
import { literalPrefix, literalSuffix } from './wildcard.js';

/**
 * The compiled matcher: an index over many patterns whose per-event cost depends on the event, not on the number
 * of patterns.
 *
 * Each `$or` combination ("sub-pattern") picks one *driver* field — its most selective field that cannot be
 * satisfied by absence — and registers that field's matchers in a per-path index: hash maps for exact strings,
 * numbers, literals, IPs, CIDR networks (one map per mask length) and case-folded strings; character tries for
 * prefixes, suffixes and the literal ends of wildcards; an interval tree for numeric ranges; a plain list for
 * operators that accept almost anything (exists, anything-but). Matching flattens only the paths some pattern
 * reads, looks each leaf up in its path's index to collect candidate sub-patterns, and verifies each candidate
 * against the whole event (array consistency, absence, every other field). Single-field sub-patterns found by an
 * exact structure need no verification.
 */

type Undo = () => void;

/** A character trie; `reverse` tries are keyed from the end of the string (suffixes). */
class Trie {
  readonly root: TrieNode = { next: undefined, sids: undefined };
  size = 0;

  insert(key: string, sid: number, reverse: boolean): Undo {
    let node = this.root;
    const n = key.length;
    for (let i = 0; i < n; i++) {
      const c = key.charCodeAt(reverse ? n - 1 - i : i);
      node.next ??= new Map();
      let child = node.next.get(c);
      if (!child) node.next.set(c, (child = { next: undefined, sids: undefined }));
      node = child;
    }
    node.sids ??= [];
    const bucket = node.sids;
    bucket.push(sid);
    this.size++;
    return () => {
      removeFrom(bucket, sid);
      this.size--;
    };
  }

  /** Collect the sids of every key that is a prefix (or, reversed, a suffix) of `text`. */
  walk(text: string, reverse: boolean, col: Collector): void {
    let node: TrieNode | undefined = this.root;
    const n = text.length;
    for (let i = 0; ; i++) {
      if (node.sids) col.addAll(node.sids);
      if (i === n || !node.next) return;
      node = node.next.get(text.charCodeAt(reverse ? n - 1 - i : i));
      if (!node) return;
    }
  }
}

interface TrieNode {
  next: Map<number, TrieNode> | undefined;
  sids: number[] | undefined;
}

function removeFrom(bucket: number[], sid: number): void {
  const i = bucket.indexOf(sid);
  if (i >= 0) bucket.splice(i, 1);
}

function addTo<K>(map: Map<K, number[]>, key: K, sid: number): Undo {
  let bucket = map.get(key);
  if (!bucket) map.set(key, (bucket = []));
  bucket.push(sid);
  const b = bucket;
  return () => {
    removeFrom(b, sid);
    if (b.length === 0 && map.get(key) === b) map.delete(key);
  };
}

interface Interval {
  readonly lo: number;
  readonly hi: number;
  readonly loOpen: boolean;
  readonly hiOpen: boolean;
  readonly sid: number;
}

function contains(it: Interval, x: number): boolean {
  return (it.loOpen ? x > it.lo : x >= it.lo) && (it.hiOpen ? x < it.hi : x <= it.hi);
}

interface IntervalNode {
  readonly center: number;
  readonly byLo: Interval[];
  readonly byHi: Interval[];
  readonly left: IntervalNode | undefined;
  readonly right: IntervalNode | undefined;
}

/** A centered interval tree (exact for open and closed ends), rebuilt lazily after changes. */
class IntervalIndex {
  items: Interval[] = [];
  root: IntervalNode | undefined;
  dirty = false;

  add(lo: number, loOpen: boolean, hi: number, hiOpen: boolean, sid: number): Undo {
    const item = { lo, hi, loOpen, hiOpen, sid };
    this.items.push(item);
    this.dirty = true;
    return () => {
      const i = this.items.indexOf(item);
      if (i >= 0) this.items.splice(i, 1);
      this.dirty = true;
    };
  }

  /** Push the sids of the intervals containing `x` onto `out`. */
  query(x: number, out: number[]): void {
    if (this.dirty) {
      this.root = build(this.items);
      this.dirty = false;
    }
    let node = this.root;
    while (node) {
      if (x < node.center) {
        for (const it of node.byLo) {
          if (it.lo > x) break;
          if (contains(it, x)) out.push(it.sid);
        }
        node = node.left;
      } else if (x > node.center) {
        for (const it of node.byHi) {
          if (it.hi < x) break;
          if (contains(it, x)) out.push(it.sid);
        }
        node = node.right;
      } else {
        for (const it of node.byLo) if (contains(it, x)) out.push(it.sid);
        return;
      }
    }
  }
}

function build(items: Interval[]): IntervalNode | undefined {
  if (items.length === 0) return undefined;
  const ends: number[] = [];
  for (const it of items) {
    if (Number.isFinite(it.lo)) ends.push(it.lo);
    if (Number.isFinite(it.hi)) ends.push(it.hi);
  }
  ends.sort((a, b) => a - b);
  const center = ends[ends.length >> 1];
  const here: Interval[] = [];
  const left: Interval[] = [];
  const right: Interval[] = [];
  for (const it of items) {
    if (it.hi < center) left.push(it);
    else if (it.lo > center) right.push(it);
    else here.push(it);
  }
  return {
    center,
    byLo: [...here].sort((a, b) => a.lo - b.lo),
    byHi: [...here].sort((a, b) => b.hi - a.hi),
    left: build(left),
    right: build(right),
  };
}

/** The index of one field path: which sub-patterns a leaf value may satisfy. */
class FieldIndex {
  readonly strings = new Map<string, number[]>();
  readonly numbers = new Map<number, number[]>();
  readonly numberTexts = new Map<string, number[]>();
  readonly literals = new Map<number, number[]>();
  readonly ips = new Map<string, number[]>();
  /** Count of registered networks per "family:bits", to know which masks to try. */
  readonly ipMasks = new Map<string, number>();
  readonly prefixes = new Trie();
  readonly suffixes = new Trie();
  readonly foldedExact = new Map<string, number[]>();
  readonly foldedPrefixes = new Trie();
  readonly foldedSuffixes = new Trie();
  readonly wildPrefixes = new Trie();
  readonly wildSuffixes = new Trie();
  /** Sub-patterns to check for every string leaf. */
  readonly anyString: number[] = [];
  /** Sub-patterns to check for every leaf. */
  readonly anyLeaf: number[] = [];
  readonly ranges = new IntervalIndex();
  /** Scratch list of number hits (reused: matching is synchronous). */
  private readonly hits: number[] = [];
  registrations = 0;

  register(m: Matcher, sid: number): Undo {
    this.registrations++;
    const undo = this.registerMatcher(m, sid);
    return () => {
      this.registrations--;
      undo();
    };
  }

  private registerMatcher(m: Matcher, sid: number): Undo {
    switch (m.kind) {
      case 'string':
        return addTo(this.strings, m.value, sid);
      case 'number':
        return m.value !== undefined ? addTo(this.numbers, m.value, sid) : addTo(this.numberTexts, m.text, sid);
      case 'literal':
        return addTo(this.literals, m.value === true ? TRUE : m.value === false ? FALSE : NULL, sid);
      case 'ip': {
        const mask = `${m.range.network.length}:${m.range.bits}`;
        this.ipMasks.set(mask, (this.ipMasks.get(mask) ?? 0) + 1);
        const undo = addTo(this.ips, networkKey(m.range.network, m.range.bits), sid);
        return () => {
          undo();
          const left = (this.ipMasks.get(mask) ?? 1) - 1;
          if (left === 0) this.ipMasks.delete(mask);
          else this.ipMasks.set(mask, left);
        };
      }
      case 'prefix':
        if (!m.ignoreCase) return this.prefixes.insert(m.value, sid, false);
        return foldStable(m.value)
          ? this.foldedPrefixes.insert(foldKey(m.value), sid, false)
          : pushUndo(this.anyString, sid);
      case 'suffix':
        if (!m.ignoreCase) return this.suffixes.insert(m.value, sid, true);
        return foldStable(m.value)
          ? this.foldedSuffixes.insert(foldKey(m.value), sid, true)
          : pushUndo(this.anyString, sid);
      case 'equals-ignore-case':
        return foldStable(m.value) ? addTo(this.foldedExact, foldKey(m.value), sid) : pushUndo(this.anyString, sid);
      case 'wildcard': {
        const pre = literalPrefix(m.segments);
        if (pre !== '') return this.wildPrefixes.insert(pre, sid, false);
        const suf = literalSuffix(m.segments);
        if (suf !== '') return this.wildSuffixes.insert(suf, sid, true);
        return pushUndo(this.anyString, sid);
      }
      case 'numeric':
        return this.ranges.add(m.lo, m.loOpen, m.hi, m.hiOpen, sid);
      default:
        // exists:true and every anything-but accept most leaves: verify them whenever the field has a value.
        return pushUndo(this.anyLeaf, sid);
    }
  }

  /** Collect the sub-patterns this leaf may satisfy. */
  lookup(leaf: Leaf, col: Collector): void {
    col.addAll(this.anyLeaf);
    switch (leaf.kind) {
      case STRING: {
        const text = leaf.text;
        col.addSome(this.strings.get(text));
        if (this.prefixes.size > 0) this.prefixes.walk(text, false, col);
        if (this.suffixes.size > 0) this.suffixes.walk(text, true, col);
        if (this.foldedExact.size > 0 || this.foldedPrefixes.size > 0 || this.foldedSuffixes.size > 0) {
          const folded = foldKey(text);
          col.addSome(this.foldedExact.get(folded));
          if (this.foldedPrefixes.size > 0) this.foldedPrefixes.walk(folded, false, col);
          if (this.foldedSuffixes.size > 0) this.foldedSuffixes.walk(folded, true, col);
        }
        if (this.wildPrefixes.size > 0) this.wildPrefixes.walk(text, false, col);
        if (this.wildSuffixes.size > 0) this.wildSuffixes.walk(text, true, col);
        col.addAll(this.anyString);
        if (this.ipMasks.size > 0) {
          const addr = leaf.ip();
          if (addr) {
            for (const mask of this.ipMasks.keys()) {
              const colon = mask.indexOf(':');
              if (Number(mask.slice(0, colon)) !== addr.length) continue;
              col.addSome(this.ips.get(networkKey(addr, Number(mask.slice(colon + 1)))));
            }
          }
        }
        return;
      }
      case NUMBER: {
        // Look up the float64 the literal rounds to; only when that finds a sub-pattern not yet collected is the
        // literal's comparability checked (a non-comparable number matches no numeric operator).
        const hits = this.hits;
        hits.length = 0;
        const exact = this.numbers.get(leaf.raw);
        if (exact) for (const sid of exact) hits.push(sid);
        if (this.ranges.items.length > 0) this.ranges.query(leaf.raw, hits);
        let comparable = 0;
        for (const sid of hits) {
          if (!col.isNew(sid)) continue;
          if (comparable === 0) comparable = Number.isNaN(leaf.num) ? -1 : 1;
          if (comparable < 0) break;
          col.add(sid);
        }
        if (this.numberTexts.size > 0 && Number.isNaN(leaf.num)) col.addSome(this.numberTexts.get(leaf.text));
        return;
      }
      default:
        col.addSome(this.literals.get(leaf.kind));
    }
  }
}

function pushUndo(list: number[], sid: number): Undo {
  list.push(sid);
  return () => removeFrom(list, sid);
}

/** How selective a matcher is as an index key (lower is better); Infinity = cannot drive. */
function selectivity(m: Matcher): number {
  switch (m.kind) {
    case 'string':
    case 'number':
    case 'literal':
      return 0;
    case 'ip':
      return m.range.bits === m.range.network.length * 8 ? 0 : 1;
    case 'prefix':
    case 'suffix':
      return m.ignoreCase ? (foldStable(m.value) ? 3 : 9) : m.value === '' ? 7 : 2;
    case 'equals-ignore-case':
      return foldStable(m.value) ? 3 : 9;
    case 'wildcard':
      return literalPrefix(m.segments) !== '' || literalSuffix(m.segments) !== '' ? 4 : 8;
    case 'numeric':
      return 5;
    case 'exists':
      return m.value ? 7 : Number.POSITIVE_INFINITY;
    default:
      return 9;
  }
}

/** Matchers whose index hit proves the match (no verification needed for a single-field sub-pattern). */
function exactHit(m: Matcher): boolean {
  switch (m.kind) {
    case 'string':
    case 'number':
    case 'literal':
    case 'ip':
    case 'numeric':
      return true;
    case 'prefix':
    case 'suffix':
      return !m.ignoreCase;
    case 'exists':
      return m.value;
    default:
      return false;
  }
}

function fieldSelectivity(f: FieldCondition): number {
  if (f.allowsAbsent) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (const m of f.matchers) worst = Math.max(worst, selectivity(m));
  return worst;
}

/**
 * Collects each event's candidate sub-patterns once: a stamp per sub-pattern id says whether it was collected for
 * the current event (no per-event clearing, no allocation).
 */
class Collector {
  stamps = new Int32Array(64);
  epoch = 0;
  readonly candidates: number[] = [];

  isNew(sid: number): boolean {
    return this.stamps[sid] !== this.epoch;
  }

  add(sid: number): void {
    if (this.stamps[sid] !== this.epoch) {
      this.stamps[sid] = this.epoch;
      this.candidates.push(sid);
    }
  }

  addAll(bucket: readonly number[]): void {
    for (let i = 0; i < bucket.length; i++) this.add(bucket[i]);
  }

  addSome(bucket: readonly number[] | undefined): void {
    if (bucket !== undefined) this.addAll(bucket);
  }
}

/**
 * The leaves of one event at the indexed paths, by path slot. Reused across events: `reset` drops exactly the
 * lists it set. (A Map cleared per event would be worse than it looks: a cleared V8 Map keeps a pointer to its
 * successor table, so once one table is promoted every later event's leaves get promoted too.)
 */
class Flat implements LeafCollector {
  readonly bySlot: (Leaf[] | undefined)[] = [];
  readonly touched: number[] = [];
  /** Some leaf sits inside an array element (array consistency must then be checked). */
  arrays = false;
  readonly sink = (node: PathNode, leaf: Leaf): void => this.add(node, leaf);

  add(node: PathNode, leaf: Leaf): void {
    if (leaf.membership !== null) this.arrays = true;
    const slot = node.slot;
    const list = this.bySlot[slot];
    if (list !== undefined) list.push(leaf);
    else {
      this.bySlot[slot] = [leaf];
      this.touched.push(slot);
    }
  }

  reset(): void {
    const touched = this.touched;
    for (let i = 0; i < touched.length; i++) this.bySlot[touched[i]] = undefined;
    touched.length = 0;
    this.arrays = false;
  }
}

/**
 * A sub-pattern's check as one flat array: per field `slot, allowsAbsent (0/1), matcher count, …matchers`. One
 * array per candidate instead of a chain of objects keeps verification to a few memory reads when the rule set is
 * much larger than the CPU caches.
 */
type Ops = readonly (number | Matcher)[];

function toOps(fields: readonly FieldCondition[], slotOf: (path: string) => number, skip?: FieldCondition): Ops {
  const ops: (number | Matcher)[] = [];
  for (const f of fields) {
    if (f === skip) continue;
    ops.push(slotOf(f.path), f.allowsAbsent ? 1 : 0, f.matchers.length, ...f.matchers);
  }
  return ops;
}

const NO_SIDS: readonly number[] = [];

/**
 * Many patterns, indexed for matching events against all of them at once. Ids are returned in insertion order.
 *
 * Rules live in slots numbered in insertion order (holes left by removals are compacted away), so the matched
 * slots sorted as integers are the output order; per-slot and per-sub-pattern data are typed arrays.
 */
export class PatternIndex<T = string> {
  private readonly slotOf = new Map<T, number>();
  private ruleIds: (T | undefined)[] = [];
  private rulePatterns: (Pattern | undefined)[] = [];
  private ruleSids: (readonly number[] | undefined)[] = [];
  private ruleStamp = new Int32Array(64);
  private nextSlot = 0;
  /** Per sub-pattern id: its rule's slot (-1 = free), whether a driver hit proves it, and its checks. */
  private subRule = new Int32Array(64).fill(-1);
  private subCertain = new Uint8Array(64);
  private subSingle = new Uint8Array(64);
  /** Every field, for array-consistent search. */
  private readonly subOps: (Ops | undefined)[] = [];
  /** The fields left to check when no arrays are involved (an exact driver is proven by its hit). */
  private readonly subQuick: (Ops | undefined)[] = [];
  private readonly subUndo: (Undo[] | undefined)[] = [];
  private readonly freeSids: number[] = [];
  private sidCount = 0;
  /** Field indexes by path slot. */
  private readonly fieldIndexes: (FieldIndex | undefined)[] = [];
  /** Sub-patterns without a driver (only fields that may be absent): checked for every event. */
  private readonly undriven: number[] = [];
  private readonly paths = new PathTrie();
  private readonly col = new Collector();
  /** The flattened leaves of the event being matched (reused: matching is synchronous). */
  private readonly flat = new Flat();
  private flatBusy = false;
  /** Matched rule slots of the event being matched (reused). */
  private readonly out: number[] = [];
  private sortBuf = new Int32Array(64);

  constructor(private readonly options: CompileOptions = {}) {}

  /** Number of patterns. */
  get size(): number {
    return this.slotOf.size;
  }

  has(id: T): boolean {
    return this.slotOf.has(id);
  }

  /** The compiled pattern registered under `id`. */
  get(id: T): Pattern | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.rulePatterns[slot];
  }

  /** Add (or replace) a pattern. Throws PatternError for an invalid pattern (the index is then unchanged). */
  add(id: T, pattern: Pattern | string | object): void {
    const compiled = toPattern(pattern, this.options);
    this.remove(id);
    const holes = this.nextSlot - this.slotOf.size;
    if (holes >= 64 && holes > this.slotOf.size) this.compact();
    const slot = this.nextSlot++;
    if (slot >= this.ruleStamp.length) this.ruleStamp = grownInt32(this.ruleStamp, slot + 1);
    const nodes = new Map<string, number>();
    for (const path of compiled.paths) nodes.set(path, this.paths.add(path).slot);
    const slotOfPath = (path: string): number => nodes.get(path) as number;
    const sids: number[] = [];
    for (const sub of compiled.subPatterns) sids.push(this.addSub(slot, sub, slotOfPath));
    this.ruleIds[slot] = id;
    this.rulePatterns[slot] = compiled;
    this.ruleSids[slot] = sids;
    this.slotOf.set(id, slot);
  }

  /** Remove a pattern; returns false when the id is unknown. */
  remove(id: T): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    for (const sid of this.ruleSids[slot] ?? NO_SIDS) {
      for (const undo of this.subUndo[sid] ?? []) undo();
      this.subRule[sid] = -1;
      this.subOps[sid] = undefined;
      this.subQuick[sid] = undefined;
      this.subUndo[sid] = undefined;
      this.freeSids.push(sid);
    }
    for (const path of this.rulePatterns[slot]?.paths ?? []) this.paths.remove(path);
    this.ruleIds[slot] = undefined;
    this.rulePatterns[slot] = undefined;
    this.ruleSids[slot] = undefined;
    this.slotOf.delete(id);
    return true;
  }

  /** Renumber the live rules 0…n-1 in their order (slots of removed rules are holes until then). */
  private compact(): void {
    let w = 0;
    for (let r = 0; r < this.nextSlot; r++) {
      const sids = this.ruleSids[r];
      if (sids === undefined) continue;
      if (w !== r) {
        const id = this.ruleIds[r] as T;
        this.ruleIds[w] = id;
        this.rulePatterns[w] = this.rulePatterns[r];
        this.ruleSids[w] = sids;
        for (const sid of sids) this.subRule[sid] = w;
        this.slotOf.set(id, w);
      }
      w++;
    }
    this.ruleIds.length = w;
    this.rulePatterns.length = w;
    this.ruleSids.length = w;
    this.ruleStamp.fill(0);
    this.nextSlot = w;
  }

  /** Ids of the patterns that match the event (a JS object or a ParsedEvent), in insertion order. */
  match(event: unknown): T[] {
    const flat = this.takeFlat();
    try {
      walkPruned(event, this.paths, flat.sink);
      return this.matchFlat(flat);
    } finally {
      this.releaseFlat(flat);
    }
  }

  /**
   * Match event JSON text without parsing all of it: the scanner validates the whole text but builds only the
   * leaves this index reads (same results as `match(parseEvent(text).event)`, duplicate keys and number literals
   * included). Invalid JSON or a non-object gives `parseEvent`'s error message.
   */
  matchJson(text: string): { ok: true; ids: T[] } | { ok: false; error: string } {
    const flat = this.takeFlat();
    try {
      if (scanEvent(text, this.paths, flat)) return { ok: true, ids: this.matchFlat(flat) };
    } finally {
      this.releaseFlat(flat);
    }
    // The slow path owns the error text (Jackson's wording and location); it also guards against the scanner
    // ever rejecting something the tree parser accepts.
    let parsed: ReturnType<typeof parseEvent>;
    try {
      parsed = parseEvent(text);
    } catch (e) {
      // The tree parser recurses; the scanner's skipper does not, so only this path can run out of stack.
      if (e instanceof RangeError)
        return { ok: false, error: 'Event JSON is not valid (nested too deeply to locate the error)' };
      throw e;
    }
    return parsed.ok ? { ok: true, ids: this.match(parsed.event) } : parsed;
  }

  /** The shared Flat, or a fresh one if it is in use (a toJSON hook matching against this index re-entrantly). */
  private takeFlat(): Flat {
    if (this.flatBusy) return new Flat();
    this.flatBusy = true;
    return this.flat;
  }

  private releaseFlat(flat: Flat): void {
    flat.reset();
    if (flat === this.flat) this.flatBusy = false;
  }

  private matchFlat(flat: Flat): T[] {
    const col = this.col;
    if (++col.epoch === 0x3fffffff) {
      col.stamps.fill(0);
      this.ruleStamp.fill(0);
      col.epoch = 1;
    }
    const epoch = col.epoch;
    const candidates = col.candidates;
    candidates.length = 0;
    const bySlot = flat.bySlot;
    const touched = flat.touched;
    for (let t = 0; t < touched.length; t++) {
      const slot = touched[t];
      const fi = this.fieldIndexes[slot];
      if (fi === undefined) continue;
      const leaves = bySlot[slot] as Leaf[];
      for (let k = 0; k < leaves.length; k++) fi.lookup(leaves[k], col);
    }
    col.addAll(this.undriven);

    const out = this.out;
    out.length = 0;
    const subRule = this.subRule;
    const ruleStamp = this.ruleStamp;
    for (let c = 0; c < candidates.length; c++) {
      const sid = candidates[c];
      const slot = subRule[sid];
      if (slot < 0 || ruleStamp[slot] === epoch) continue;
      if (
        this.subCertain[sid] === 1 ||
        (!flat.arrays || this.subSingle[sid] === 1
          ? check(this.subQuick[sid] as Ops, bySlot)
          : search(this.subOps[sid] as Ops, 0, null, bySlot))
      ) {
        ruleStamp[slot] = epoch;
        out.push(slot);
      }
    }
    return this.ids(out);
  }

  /** The ids of the matched slots, in slot (= insertion) order. */
  private ids(out: number[]): T[] {
    const n = out.length;
    const ids: T[] = [];
    if (n === 0) return ids;
    const ruleIds = this.ruleIds;
    if (n <= 16) {
      for (let i = 1; i < n; i++) {
        const v = out[i];
        let j = i - 1;
        while (j >= 0 && out[j] > v) {
          out[j + 1] = out[j];
          j--;
        }
        out[j + 1] = v;
      }
      for (let i = 0; i < n; i++) ids.push(ruleIds[out[i]] as T);
      return ids;
    }
    if (n > this.sortBuf.length) this.sortBuf = new Int32Array(Math.max(n, this.sortBuf.length * 2));
    const buf = this.sortBuf;
    for (let i = 0; i < n; i++) buf[i] = out[i];
    const sorted = buf.subarray(0, n).sort();
    for (let i = 0; i < n; i++) ids.push(ruleIds[sorted[i]] as T);
    return ids;
  }

  /** Why the pattern `id` does or does not match the event. */
  explain(id: T, event: unknown): Explanation | undefined {
    const pattern = this.get(id);
    return pattern ? explain(pattern, event) : undefined;
  }

  private addSub(slot: number, sub: SubPattern, slotOfPath: (path: string) => number): number {
    const sid = this.freeSids.pop() ?? this.sidCount++;
    if (sid >= this.subRule.length) {
      const size = Math.max(sid + 1, this.subRule.length * 2);
      const rules = new Int32Array(size).fill(-1);
      rules.set(this.subRule);
      this.subRule = rules;
      this.subCertain = grownUint8(this.subCertain, size);
      this.subSingle = grownUint8(this.subSingle, size);
      this.col.stamps = grownInt32(this.col.stamps, size);
    }
    let driver: FieldCondition | undefined;
    let best = Number.POSITIVE_INFINITY;
    for (const f of sub.fields) {
      const s = fieldSelectivity(f);
      if (s < best) {
        best = s;
        driver = f;
      }
    }
    const undo: Undo[] = [];
    const exactDriver = driver?.matchers.every(exactHit) === true;
    if (driver) {
      const pathSlot = slotOfPath(driver.path);
      let fi = this.fieldIndexes[pathSlot];
      if (!fi) this.fieldIndexes[pathSlot] = fi = new FieldIndex();
      const index = fi;
      for (const m of driver.matchers) undo.push(index.register(m, sid));
      undo.push(() => {
        if (index.registrations === 0 && this.fieldIndexes[pathSlot] === index) this.fieldIndexes[pathSlot] = undefined;
      });
    } else {
      undo.push(pushUndo(this.undriven, sid));
    }
    this.subRule[sid] = slot;
    this.subCertain[sid] = sub.fields.length === 1 && exactDriver ? 1 : 0;
    this.subSingle[sid] = sub.fields.length === 1 ? 1 : 0;
    this.subOps[sid] = toOps(sub.fields, slotOfPath);
    this.subQuick[sid] = toOps(sub.fields, slotOfPath, exactDriver ? driver : undefined);
    this.subUndo[sid] = undo;
    return sid;
  }
}

function grownInt32(a: Int32Array, min: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

function grownUint8(a: Uint8Array, min: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

/**
 * `accepts` with number leaves read lazily: the float64 the literal rounds to is tested first, and the literal's
 * comparability (`leaf.num`, costly for long literals) only when that test passes. Same results as `accepts`.
 */
function acceptLeaf(m: Matcher, leaf: Leaf): boolean {
  if (leaf.kind === NUMBER) {
    switch (m.kind) {
      case 'numeric': {
        const v = leaf.raw;
        return (m.loOpen ? v > m.lo : v >= m.lo) && (m.hiOpen ? v < m.hi : v <= m.hi) && !Number.isNaN(leaf.num);
      }
      case 'number':
        if (m.value !== undefined) return leaf.raw === m.value && !Number.isNaN(leaf.num);
        break;
      case 'anything-but':
        return !m.numbers.has(leaf.raw) || Number.isNaN(leaf.num);
    }
  }
  return accepts(m, leaf);
}

/** Every field of `ops` has an accepted leaf (or is absent and may be): the check when no arrays are involved. */
function check(ops: Ops, bySlot: readonly (Leaf[] | undefined)[]): boolean {
  let i = 0;
  while (i < ops.length) {
    const n = ops[i + 2] as number;
    const leaves = bySlot[ops[i] as number];
    if (leaves === undefined) {
      if (ops[i + 1] !== 1) return false;
    } else if (!anyAccepted(ops, i + 3, i + 3 + n, leaves)) {
      return false;
    }
    i += 3 + n;
  }
  return true;
}

function anyAccepted(ops: Ops, from: number, to: number, leaves: readonly Leaf[]): boolean {
  for (let l = 0; l < leaves.length; l++) {
    const leaf = leaves[l];
    for (let k = from; k < to; k++) if (acceptLeaf(ops[k] as Matcher, leaf)) return true;
  }
  return false;
}

/** Full check with array consistency: one leaf per field, all from the same array elements. */
function search(ops: Ops, i: number, membership: Membership | null, bySlot: readonly (Leaf[] | undefined)[]): boolean {
  if (i >= ops.length) return true;
  const next = i + 3 + (ops[i + 2] as number);
  const list = bySlot[ops[i] as number];
  let anyConsistent = false;
  if (list) {
    for (const leaf of list) {
      if (!consistent(membership, leaf.membership)) continue;
      anyConsistent = true;
      if (anyAccepted(ops, i + 3, next, [leaf]) && search(ops, next, merge(membership, leaf.membership), bySlot)) {
        return true;
      }
    }
  }
  return ops[i + 1] === 1 && !anyConsistent && search(ops, next, membership, bySlot);
}
