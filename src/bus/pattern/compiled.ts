import { foldKey, foldStable } from './casefold.js';
import { type CompileOptions, toPattern } from './compile.js';
import { type Explanation, explain } from './explain.js';
import { consistent, merge, PathTrie, parseEvent, walkPruned } from './flatten.js';
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

  /** Emit the sids of every key that is a prefix (or, reversed, a suffix) of `text`. */
  walk(text: string, reverse: boolean, emit: (sid: number) => void): void {
    let node: TrieNode | undefined = this.root;
    const n = text.length;
    for (let i = 0; ; i++) {
      if (node.sids) for (const sid of node.sids) emit(sid);
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

  query(x: number, emit: (sid: number) => void): void {
    if (this.dirty) {
      this.root = build(this.items);
      this.dirty = false;
    }
    let node = this.root;
    while (node) {
      if (x < node.center) {
        for (const it of node.byLo) {
          if (it.lo > x) break;
          if (contains(it, x)) emit(it.sid);
        }
        node = node.left;
      } else if (x > node.center) {
        for (const it of node.byHi) {
          if (it.hi < x) break;
          if (contains(it, x)) emit(it.sid);
        }
        node = node.right;
      } else {
        for (const it of node.byLo) if (contains(it, x)) emit(it.sid);
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

  lookup(leaf: Leaf, emit: (sid: number) => void): void {
    for (const sid of this.anyLeaf) emit(sid);
    switch (leaf.kind) {
      case STRING: {
        const text = leaf.text;
        emitAll(this.strings.get(text), emit);
        if (this.prefixes.size > 0) this.prefixes.walk(text, false, emit);
        if (this.suffixes.size > 0) this.suffixes.walk(text, true, emit);
        if (this.foldedExact.size > 0 || this.foldedPrefixes.size > 0 || this.foldedSuffixes.size > 0) {
          const folded = foldKey(text);
          emitAll(this.foldedExact.get(folded), emit);
          if (this.foldedPrefixes.size > 0) this.foldedPrefixes.walk(folded, false, emit);
          if (this.foldedSuffixes.size > 0) this.foldedSuffixes.walk(folded, true, emit);
        }
        if (this.wildPrefixes.size > 0) this.wildPrefixes.walk(text, false, emit);
        if (this.wildSuffixes.size > 0) this.wildSuffixes.walk(text, true, emit);
        for (const sid of this.anyString) emit(sid);
        if (this.ipMasks.size > 0) {
          const addr = leaf.ip();
          if (addr) {
            for (const mask of this.ipMasks.keys()) {
              const colon = mask.indexOf(':');
              if (Number(mask.slice(0, colon)) !== addr.length) continue;
              emitAll(this.ips.get(networkKey(addr, Number(mask.slice(colon + 1)))), emit);
            }
          }
        }
        return;
      }
      case NUMBER:
        if (!Number.isNaN(leaf.num)) {
          emitAll(this.numbers.get(leaf.num), emit);
          if (this.ranges.items.length > 0) this.ranges.query(leaf.num, emit);
        } else {
          emitAll(this.numberTexts.get(leaf.text), emit);
        }
        return;
      default:
        emitAll(this.literals.get(leaf.kind), emit);
    }
  }
}

function emitAll(bucket: number[] | undefined, emit: (sid: number) => void): void {
  if (bucket) for (const sid of bucket) emit(sid);
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

interface RuleEntry<T> {
  readonly id: T;
  readonly seq: number;
  readonly pattern: Pattern;
  readonly subs: SubEntry<T>[];
  matchedEpoch: number;
}

interface SubEntry<T> {
  readonly sid: number;
  readonly rule: RuleEntry<T>;
  readonly sub: SubPattern;
  /** Matched as soon as its driver emits it. */
  readonly certain: boolean;
  readonly undo: Undo[];
}

/** Per-event flattened leaves of the indexed paths. */
class Flat implements LeafCollector {
  readonly fields = new Map<string, Leaf[]>();
  /** Some leaf sits inside an array element (array consistency must then be checked). */
  arrays = false;

  add(path: string, leaf: Leaf): void {
    if (leaf.membership !== null) this.arrays = true;
    const list = this.fields.get(path);
    if (list) list.push(leaf);
    else this.fields.set(path, [leaf]);
  }
}

/**
 * Many patterns, indexed for matching events against all of them at once. Ids are returned in insertion order.
 */
export class PatternIndex<T = string> {
  private readonly rules = new Map<T, RuleEntry<T>>();
  private readonly subs: (SubEntry<T> | undefined)[] = [];
  private readonly freeSids: number[] = [];
  private readonly fieldIndexes = new Map<string, FieldIndex>();
  /** Sub-patterns without a driver (only fields that may be absent): checked for every event. */
  private readonly undriven: number[] = [];
  private readonly paths = new PathTrie();
  private stamps = new Int32Array(64);
  private epoch = 0;
  private seq = 0;
  /** The flattened leaves of text events (reused: matching is synchronous). */
  private readonly textFlat = new Flat();
  /** Candidate sub-patterns of the event being matched (reused: matching is synchronous). */
  private readonly candidates: number[] = [];
  /** Collects a candidate once per event; made once, not per event. */
  private readonly emit = (sid: number): void => {
    if (this.stamps[sid] !== this.epoch) {
      this.stamps[sid] = this.epoch;
      this.candidates.push(sid);
    }
  };

  constructor(private readonly options: CompileOptions = {}) {}

  /** Number of patterns. */
  get size(): number {
    return this.rules.size;
  }

  has(id: T): boolean {
    return this.rules.has(id);
  }

  /** The compiled pattern registered under `id`. */
  get(id: T): Pattern | undefined {
    return this.rules.get(id)?.pattern;
  }

  /** Add (or replace) a pattern. Throws PatternError for an invalid pattern (the index is then unchanged). */
  add(id: T, pattern: Pattern | string | object): void {
    const compiled = toPattern(pattern, this.options);
    this.remove(id);
    const rule: RuleEntry<T> = { id, seq: this.seq++, pattern: compiled, subs: [], matchedEpoch: -1 };
    for (const sub of compiled.subPatterns) rule.subs.push(this.addSub(rule, sub));
    for (const path of compiled.paths) this.paths.add(path);
    this.rules.set(id, rule);
  }

  /** Remove a pattern; returns false when the id is unknown. */
  remove(id: T): boolean {
    const rule = this.rules.get(id);
    if (!rule) return false;
    for (const sub of rule.subs) {
      for (const undo of sub.undo) undo();
      this.subs[sub.sid] = undefined;
      this.freeSids.push(sub.sid);
    }
    for (const path of rule.pattern.paths) this.paths.remove(path);
    this.rules.delete(id);
    return true;
  }

  /** Ids of the patterns that match the event (a JS object or a ParsedEvent), in insertion order. */
  match(event: unknown): T[] {
    const flat = new Flat();
    walkPruned(event, this.paths, (path, leaf) => flat.add(path, leaf));
    return this.matchFlat(flat);
  }

  /**
   * Match event JSON text without parsing all of it: the scanner validates the whole text but builds only the
   * leaves this index reads (same results as `match(parseEvent(text).event)`, duplicate keys and number literals
   * included). Invalid JSON or a non-object gives `parseEvent`'s error message.
   */
  matchJson(text: string): { ok: true; ids: T[] } | { ok: false; error: string } {
    const flat = this.textFlat;
    flat.fields.clear();
    flat.arrays = false;
    if (scanEvent(text, this.paths, flat)) return { ok: true, ids: this.matchFlat(flat) };
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

  private matchFlat(flat: Flat): T[] {
    const epoch = ++this.epoch;
    const candidates = this.candidates;
    candidates.length = 0;
    const emit = this.emit;
    for (const [path, leaves] of flat.fields) {
      const fi = this.fieldIndexes.get(path);
      if (!fi) continue;
      for (const leaf of leaves) fi.lookup(leaf, emit);
    }
    for (const sid of this.undriven) emit(sid);

    const matched: RuleEntry<T>[] = [];
    for (const sid of candidates) {
      const entry = this.subs[sid];
      if (!entry) continue;
      const rule = entry.rule;
      if (rule.matchedEpoch === epoch) continue;
      if (entry.certain || verify(entry.sub, flat)) {
        rule.matchedEpoch = epoch;
        matched.push(rule);
      }
    }
    if (matched.length > 1) matched.sort((a, b) => a.seq - b.seq);
    return matched.map((r) => r.id);
  }

  /** Why the pattern `id` does or does not match the event. */
  explain(id: T, event: unknown): Explanation | undefined {
    const rule = this.rules.get(id);
    return rule ? explain(rule.pattern, event) : undefined;
  }

  private addSub(rule: RuleEntry<T>, sub: SubPattern): SubEntry<T> {
    const sid = this.freeSids.pop() ?? this.subs.length;
    if (sid >= this.stamps.length) {
      const grown = new Int32Array(Math.max(sid + 1, this.stamps.length * 2));
      grown.set(this.stamps);
      this.stamps = grown;
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
    let certain = false;
    if (driver) {
      let fi = this.fieldIndexes.get(driver.path);
      if (!fi) this.fieldIndexes.set(driver.path, (fi = new FieldIndex()));
      const index = fi;
      const path = driver.path;
      for (const m of driver.matchers) undo.push(index.register(m, sid));
      undo.push(() => {
        if (index.registrations === 0 && this.fieldIndexes.get(path) === index) this.fieldIndexes.delete(path);
      });
      certain = sub.fields.length === 1 && driver.matchers.every(exactHit);
    } else {
      undo.push(pushUndo(this.undriven, sid));
    }
    const entry: SubEntry<T> = { sid, rule, sub, certain, undo };
    this.subs[sid] = entry;
    return entry;
  }
}

/** Full check of one sub-pattern against the flattened event (same semantics as the reference matcher). */
function verify(sub: SubPattern, flat: Flat): boolean {
  const fields = sub.fields;
  if (!flat.arrays || fields.length === 1) {
    // No arrays of objects involved, or a single field: any accepted leaf will do.
    for (const f of fields) {
      const leaves = flat.fields.get(f.path);
      if (!leaves) {
        if (!f.allowsAbsent) return false;
        continue;
      }
      if (!anyAccepted(f.matchers, leaves)) return false;
    }
    return true;
  }
  return search(fields, 0, null, flat.fields);
}

function anyAccepted(matchers: readonly Matcher[], leaves: readonly Leaf[]): boolean {
  for (const leaf of leaves) for (const m of matchers) if (accepts(m, leaf)) return true;
  return false;
}

function search(
  fields: readonly FieldCondition[],
  i: number,
  membership: Membership | null,
  leaves: Map<string, Leaf[]>,
): boolean {
  if (i === fields.length) return true;
  const f = fields[i];
  const list = leaves.get(f.path);
  let anyConsistent = false;
  if (list) {
    for (const leaf of list) {
      if (!consistent(membership, leaf.membership)) continue;
      anyConsistent = true;
      let ok = false;
      for (const m of f.matchers) {
        if (accepts(m, leaf)) {
          ok = true;
          break;
        }
      }
      if (ok && search(fields, i + 1, merge(membership, leaf.membership), leaves)) return true;
    }
  }
  return f.allowsAbsent && !anyConsistent && search(fields, i + 1, membership, leaves);
}
