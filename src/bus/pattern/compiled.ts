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
 * numbers, literals, IPs, CIDR networks (one map per mask length) and case-folded strings; hash maps by key length for
 * prefixes, suffixes and the literal ends of wildcards; sorted range ends with precomputed id lists for numeric
 * ranges; a plain list for
 * operators that accept almost anything (exists, anything-but). Matching flattens only the paths some pattern
 * reads, looks each leaf up in its path's index to collect candidate sub-patterns, and verifies each candidate
 * against the whole event (array consistency, absence, every other field). Single-field sub-patterns found by an
 * exact structure need no verification.
 */

type Undo = () => void;

/**
 * A string-keyed hash table for the index's exact keys: open addressing over one Int32Array of 8-int slots
 * `hash, entry + 1, lone id, key length, key chars ×3 (two UTF-16 units per int)`. Keys of up to six units are
 * compared inside the slot and a key with one sub-pattern keeps its id there, so a lookup reads one cache line — a
 * Map reads its bucket, each colliding key's characters and the value, each a cold read once the table outgrows the
 * CPU caches. A range of a longer string can be looked up without slicing it.
 */
class StringTable {
  /** Slots of 8 ints; entry field 0 = empty, -1 = deleted; lone id -1 = see `values`; length -1 = not inline. */
  private table = new Int32Array(16 * 8);
  private mask = 15;
  private readonly keys: (string | undefined)[] = [];
  private readonly values: (Bucket | undefined)[] = [];
  private readonly freeEntries: number[] = [];
  /** Live keys, and slots not empty (live or deleted). */
  size = 0;
  private occupied = 0;

  get(key: string): Bucket | undefined {
    return this.getRange(key, 0, key.length);
  }

  /** The value under the key equal to text[from, to). */
  getRange(text: string, from: number, to: number): Bucket | undefined {
    const h = hashRange(text, from, to, false);
    const t = this.table;
    const mask = this.mask;
    const len = to - from;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = i << 3;
      const e = t[at + 1];
      if (e === 0) return undefined;
      if (e < 0 || t[at] !== h) continue;
      const inline = t[at + 3];
      if (
        inline >= 0
          ? inline === len && inlineEquals(t, at + 4, text, from, len)
          : this.keyEquals(e - 1, text, from, len)
      ) {
        const lone = t[at + 2];
        return lone >= 0 ? lone : this.values[e - 1];
      }
    }
  }

  private keyEquals(entry: number, text: string, from: number, len: number): boolean {
    const key = this.keys[entry] as string;
    return key.length === len && text.startsWith(key, from);
  }

  /** The slot (index) holding `key`, or -1. */
  private slotOf(key: string, h: number): number {
    const t = this.table;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = t[(i << 3) + 1];
      if (e === 0) return -1;
      if (e > 0 && t[i << 3] === h && this.keys[e - 1] === key) return i;
    }
  }

  add(key: string, sid: number): Undo {
    const h = hashRange(key, 0, key.length, false);
    const slot = this.slotOf(key, h);
    if (slot >= 0) {
      const e = this.table[(slot << 3) + 1] - 1;
      const bucket = this.values[e] as Bucket;
      if (typeof bucket === 'number') this.values[e] = [bucket, sid];
      else bucket.push(sid);
      this.table[(slot << 3) + 2] = -1;
    } else {
      if ((this.occupied + 1) * 2 > this.mask + 1) this.rehash(Math.max(this.size + 1, 8) * 4);
      const entry = this.freeEntries.pop() ?? this.keys.length;
      this.keys[entry] = key;
      this.values[entry] = sid;
      const t = this.table;
      let i = h & this.mask;
      while (t[(i << 3) + 1] > 0) i = (i + 1) & this.mask;
      const at = i << 3;
      if (t[at + 1] === 0) this.occupied++;
      t[at] = h;
      t[at + 1] = entry + 1;
      t[at + 2] = sid;
      if (key.length <= 6) {
        t[at + 3] = key.length;
        for (let j = 0; j < 3; j++) {
          const lo = 2 * j < key.length ? key.charCodeAt(2 * j) : 0;
          const hi = 2 * j + 1 < key.length ? key.charCodeAt(2 * j + 1) : 0;
          t[at + 4 + j] = lo | (hi << 16);
        }
      } else {
        t[at + 3] = -1;
      }
      this.size++;
    }
    return () => this.removeSid(key, h, sid);
  }

  private removeSid(key: string, h: number, sid: number): void {
    const slot = this.slotOf(key, h);
    if (slot < 0) return;
    const at = slot << 3;
    const e = this.table[at + 1] - 1;
    const bucket = this.values[e];
    if (bucket === sid) {
      this.table[at + 1] = -1;
      this.keys[e] = undefined;
      this.values[e] = undefined;
      this.freeEntries.push(e);
      this.size--;
      if (this.occupied > 64 && this.size * 4 < this.occupied) this.rehash(Math.max(this.size, 8) * 4);
    } else if (bucket !== undefined && typeof bucket !== 'number') {
      removeFrom(bucket, sid);
      if (bucket.length === 1) {
        this.values[e] = bucket[0];
        this.table[at + 2] = bucket[0];
      }
    }
  }

  /** Rebuild with at least `slots` slots (a power of two), dropping deleted slots. */
  private rehash(slots: number): void {
    let n = 16;
    while (n < slots) n *= 2;
    const old = this.table;
    const t = new Int32Array(8 * n);
    const mask = n - 1;
    for (let j = 0; j < old.length; j += 8) {
      if (old[j + 1] <= 0) continue;
      let i = old[j] & mask;
      while (t[(i << 3) + 1] !== 0) i = (i + 1) & mask;
      t.set(old.subarray(j, j + 8), i << 3);
    }
    this.table = t;
    this.mask = mask;
    this.occupied = this.size;
  }
}

/** Are text[from, from + len) the UTF-16 units packed two per int at t[at…]? */
function inlineEquals(t: Int32Array, at: number, text: string, from: number, len: number): boolean {
  for (let j = 0; j < len; j++) {
    const packed = t[at + (j >> 1)];
    const unit = (j & 1) === 0 ? packed & 0xffff : packed >>> 16;
    if (text.charCodeAt(from + j) !== unit) return false;
  }
  return true;
}

/**
 * Prefixes (or, `reverse`, suffixes) of a string leaf, hashed by key length: one slice and one hash lookup per
 * distinct key length, instead of a character trie walk that touches one cold node per character.
 */
class AffixIndex {
  private readonly byKey = new StringTable();
  /** How many keys have each length, and those lengths in ascending order. */
  private readonly perLength = new Map<number, number>();
  private lengths: number[] = [];
  size = 0;

  insert(key: string, sid: number): Undo {
    const undo = this.byKey.add(key, sid);
    const len = key.length;
    const count = this.perLength.get(len) ?? 0;
    this.perLength.set(len, count + 1);
    if (count === 0) this.sortLengths();
    this.size++;
    return () => {
      undo();
      this.size--;
      const left = (this.perLength.get(len) ?? 1) - 1;
      if (left > 0) this.perLength.set(len, left);
      else {
        this.perLength.delete(len);
        this.sortLengths();
      }
    };
  }

  private sortLengths(): void {
    this.lengths = [...this.perLength.keys()].sort((x, y) => x - y);
  }

  /** Collect the sids of every key that is a prefix (or, reversed, a suffix) of `text`. */
  walk(text: string, reverse: boolean, col: Collector): void {
    const n = text.length;
    const lengths = this.lengths;
    for (let i = 0; i < lengths.length; i++) {
      const len = lengths[i];
      if (len > n) return;
      col.addSome(reverse ? this.byKey.getRange(text, n - len, n) : this.byKey.getRange(text, 0, len));
    }
  }
}

function removeFrom(bucket: number[], sid: number): void {
  const i = bucket.indexOf(sid);
  if (i >= 0) bucket.splice(i, 1);
}

/**
 * The sub-patterns under one key: a lone id is stored as the number itself (most keys have one), saving the
 * bucket array and a memory read per hit.
 */
type Bucket = number | number[];

function addTo<K>(map: Map<K, Bucket>, key: K, sid: number): Undo {
  const bucket = map.get(key);
  if (bucket === undefined) map.set(key, sid);
  else if (typeof bucket === 'number') map.set(key, [bucket, sid]);
  else bucket.push(sid);
  return () => {
    const now = map.get(key);
    if (now === sid) map.delete(key);
    else if (now !== undefined && typeof now !== 'number') {
      removeFrom(now, sid);
      if (now.length === 1) map.set(key, now[0]);
    }
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
/**
 * Numeric ranges. Between consecutive distinct range ends the set of containing ranges is constant, so those open
 * "pieces" get a precomputed list of range entries (one binary search over a Float64Array, then a contiguous run of
 * an Int32Array — no per-range objects touched). A value equal to a range end, a non-finite value, or a rule set
 * whose piece lists would be too large (heavily nested ranges) goes to a centered interval tree. Both are rebuilt
 * lazily after changes.
 *
 * An entry is `entryCode(sid)` (see `PatternIndex`): the rule slot × 2 when a hit alone proves the rule, else
 * sid × 2 + 1. A hit that proves its rule then goes to the output without reading any per-sub-pattern table: at
 * 10,000 rules those tables are larger than the L1 cache and each read was a miss per matched rule. Slots change
 * when the index compacts them, which `invalidate`s the lists.
 */
class IntervalIndex {
  constructor(private readonly entryCode: (sid: number) => number) {}

  items: Interval[] = [];
  private root: IntervalNode | undefined;
  private treeDirty = false;
  private dirty = false;
  /** Sorted distinct finite range ends; undefined = pieces not built (too large). */
  private bounds: Float64Array | undefined;
  /**
   * Piece i = (bounds[i-1], bounds[i]). Per piece two ints, side by side so that one cache line serves a value:
   * offsets[2i] is where its range entries start in `entries` (they end at offsets[2i+2]), and offsets[2i+1] is
   * where the ranges whose first piece is i start in `starts` (they end at offsets[2i+3]).
   */
  offsets = new Int32Array(2);
  entries: Int32Array | Uint16Array = new Int32Array(0);
  /**
   * The ranges by first piece, as pairs (entry, last piece): those whose first piece is p are pairs
   * offsets[2p+1] … offsets[2p+3]-1. The ranges containing y but not an x < y are exactly those that start in a
   * piece in (piece(x), piece(y)] and last at least to piece(y): one contiguous run, so an event's sorted values
   * each walk only what the previous value did not cover.
   */
  starts = new Int32Array(0);
  /** Piece lists hold four or more ranges on average (see `FieldIndex.lookupLeaves`). */
  longLists = false;
  /**
   * A uniform grid over [bounds[0], bounds[last]]: cell c = floor((x − gridLo)·gridScale) (clamped), and
   * grid[c] = the first end whose cell is ≥ c. The cell function is monotone in x, so ends before grid[c] are < x
   * and ends from grid[c+1] on are > x: the search for x stays within [grid[c], grid[c+1]].
   */
  private grid = new Int32Array(2);
  private gridLo = 0;
  private gridScale = 0;
  private gridCells = 1;

  /** The entry codes changed (rule slots were renumbered): rebuild the lists on next use. */
  invalidate(): void {
    if (this.items.length > 0) this.dirty = true;
  }

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

  /** Rebuild after changes; true when the pieces are built (`piece` can answer without the tree). */
  ready(): boolean {
    if (this.dirty) this.rebuild();
    return this.bounds !== undefined;
  }

  /**
   * The piece strictly containing `x` (its entries are entries[offsets[2p]] … entries[offsets[2p+2]-1]), or -1 when
   * `x` must go to `treeQuery` (it equals a range end, is not finite, or the pieces are not built).
   */
  piece(x: number): number {
    if (this.dirty) this.rebuild();
    if (this.bounds === undefined || !Number.isFinite(x)) return -1;
    return this.strictPiece(x);
  }

  /** The sorted distinct ends (after `ready()` returned true). */
  get ends(): Float64Array {
    return this.bounds as Float64Array;
  }

  /**
   * The piece strictly containing the finite `x`, or -1 when `x` equals a range end; pieces must be built.
   */
  strictPiece(x: number): number {
    const b = this.bounds as Float64Array;
    const m = b.length;
    // Outside every range end: the first or last piece, no search (e.g. a coordinate no range is near).
    if (m === 0 || x < b[0]) return 0;
    if (x > b[m - 1]) return m;
    // The grid bounds the search to the ends in x's cell (see `rebuild`): usually a step or two instead of log2(m)
    // reads spread over the whole array.
    const cells = this.gridCells;
    const cell = cells === 1 ? 0 : Math.min(Math.floor((x - this.gridLo) * this.gridScale), cells - 1);
    const grid = this.grid;
    let lo = grid[cell];
    let hi = grid[cell + 1];
    // No end in x's cell (most cells: there are two to four per end): none equals x, which would share its cell,
    // and the piece is known without reading the ends.
    if (lo === hi) return lo;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (b[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    // lo < m: x ≤ the last end.
    return b[lo] === x ? -1 : lo;
  }

  private rebuild(): void {
    this.dirty = false;
    this.treeDirty = true;
    this.root = undefined;
    this.bounds = undefined;
    this.longLists = false;
    const items = this.items;
    const ends: number[] = [];
    for (const it of items) {
      if (Number.isFinite(it.lo)) ends.push(it.lo);
      if (Number.isFinite(it.hi)) ends.push(it.hi);
    }
    ends.sort((a, b) => a - b);
    let m = 0;
    for (let i = 0; i < ends.length; i++) if (i === 0 || ends[i] !== ends[m - 1]) ends[m++] = ends[i];
    const b = Float64Array.from(ends.slice(0, m));
    const find = (v: number): number => {
      let lo = 0;
      let hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (b[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    // Pieces first..last of each range: (lo, hi) spans the pieces between its ends, whatever their openness.
    const first = new Int32Array(items.length);
    const last = new Int32Array(items.length);
    const counts = new Int32Array(m + 2);
    let total = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      const a = Number.isFinite(it.lo) ? find(it.lo) + 1 : it.lo > 0 ? m + 1 : 0;
      const c = Number.isFinite(it.hi) ? find(it.hi) : it.hi < 0 ? -1 : m;
      first[i] = a;
      last[i] = c;
      if (a > c) continue;
      counts[a]++;
      counts[c + 1]--;
      total += c - a + 1;
    }
    if (total > Math.min(256 * items.length + 65_536, 1 << 24)) return;
    const offsets = new Int32Array(2 * (m + 2));
    const cursor = new Int32Array(m + 1);
    let running = 0;
    for (let p = 0; p <= m; p++) {
      running += counts[p];
      cursor[p] = offsets[2 * p];
      offsets[2 * p + 2] = offsets[2 * p] + running;
    }
    // Piece lists repeat each range in every piece it spans; 16-bit entries halve the memory they stream through.
    const codes = new Int32Array(items.length);
    let maxCode = 0;
    for (let i = 0; i < items.length; i++) {
      codes[i] = this.entryCode(items[i].sid);
      maxCode = Math.max(maxCode, codes[i]);
    }
    const entries = maxCode < 1 << 16 ? new Uint16Array(total) : new Int32Array(total);
    for (let i = 0; i < items.length; i++) {
      for (let p = first[i]; p <= last[i]; p++) entries[cursor[p]++] = codes[i];
      if (first[i] <= last[i]) offsets[2 * first[i] + 3]++;
    }
    for (let p = 0; p <= m; p++) offsets[2 * p + 3] += offsets[2 * p + 1];
    const startCursor = new Int32Array(m + 1);
    for (let p = 0; p <= m; p++) startCursor[p] = offsets[2 * p + 1];
    const starts = new Int32Array(2 * offsets[2 * m + 3]);
    for (let i = 0; i < items.length; i++) {
      if (first[i] > last[i]) continue;
      const k = startCursor[first[i]]++;
      starts[2 * k] = codes[i];
      starts[2 * k + 1] = last[i];
    }
    this.bounds = b;
    this.offsets = offsets;
    this.entries = entries;
    this.longLists = total >= 4 * (m + 1);
    this.starts = starts;
    this.buildGrid(b);
  }

  private buildGrid(b: Float64Array): void {
    const m = b.length;
    let cells = 1;
    while (cells * 2 < m && cells < 1 << 20) cells <<= 1;
    const span = m > 1 ? b[m - 1] - b[0] : 0;
    const scale = span > 0 && Number.isFinite(span) ? cells / span : 0;
    if (scale === 0 || !Number.isFinite(scale)) cells = 1;
    const grid = new Int32Array(cells + 1);
    const lo = m > 0 ? b[0] : 0;
    // grid[c] = first end whose cell (by the same expression as `piece`) is ≥ c.
    let c = 0;
    for (let i = 0; i < m; i++) {
      const cell = cells === 1 ? 0 : Math.min(Math.floor((b[i] - lo) * scale), cells - 1);
      while (c <= cell) grid[c++] = i;
    }
    while (c <= cells) grid[c++] = m;
    this.grid = grid;
    this.gridLo = lo;
    this.gridScale = cells === 1 ? 0 : scale;
    this.gridCells = cells;
  }

  /** Push the sids of the intervals containing `x` onto `out` (exact for open and closed ends). */
  treeQuery(x: number, out: number[]): void {
    if (this.dirty) this.rebuild();
    if (this.treeDirty) {
      this.root = build(this.items);
      this.treeDirty = false;
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
  readonly strings = new StringTable();
  readonly numbers = new Map<number, Bucket>();
  readonly numberTexts = new Map<string, Bucket>();
  readonly literals = new Map<number, Bucket>();
  readonly ips = new Map<string, Bucket>();
  /** Count of registered networks per "family:bits", to know which masks to try. */
  readonly ipMasks = new Map<string, number>();
  readonly prefixes = new AffixIndex();
  readonly suffixes = new AffixIndex();
  readonly foldedExact = new StringTable();
  readonly foldedPrefixes = new AffixIndex();
  readonly foldedSuffixes = new AffixIndex();
  readonly wildPrefixes = new AffixIndex();
  readonly wildSuffixes = new AffixIndex();
  /** Sub-patterns to check for every string leaf. */
  readonly anyString: number[] = [];
  /** Sub-patterns to check for every leaf. */
  readonly anyLeaf: number[] = [];
  readonly ranges: IntervalIndex;
  /** Scratch list of number hits (reused: matching is synchronous). */
  private readonly hits: number[] = [];
  /** Scratch for `lookupLeaves`: values and leaf positions of an event's numbers, sorted by value. */
  private readonly sortValues: number[] = [];
  private readonly sortLeaves: number[] = [];
  private readonly sortPieces: number[] = [];
  registrations = 0;

  constructor(entryCode: (sid: number) => number) {
    this.ranges = new IntervalIndex(entryCode);
  }

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
        return this.strings.add(m.value, sid);
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
        if (!m.ignoreCase) return this.prefixes.insert(m.value, sid);
        return foldStable(m.value) ? this.foldedPrefixes.insert(foldKey(m.value), sid) : pushUndo(this.anyString, sid);
      case 'suffix':
        if (!m.ignoreCase) return this.suffixes.insert(m.value, sid);
        return foldStable(m.value) ? this.foldedSuffixes.insert(foldKey(m.value), sid) : pushUndo(this.anyString, sid);
      case 'equals-ignore-case':
        return foldStable(m.value) ? this.foldedExact.add(foldKey(m.value), sid) : pushUndo(this.anyString, sid);
      case 'wildcard': {
        const pre = literalPrefix(m.segments);
        if (pre !== '') return this.wildPrefixes.insert(pre, sid);
        const suf = literalSuffix(m.segments);
        if (suf !== '') return this.wildSuffixes.insert(suf, sid);
        return pushUndo(this.anyString, sid);
      }
      case 'numeric':
        return this.ranges.add(m.lo, m.loOpen, m.hi, m.hiOpen, sid);
      default:
        // exists:true and every anything-but accept most leaves: verify them whenever the field has a value.
        return pushUndo(this.anyLeaf, sid);
    }
  }

  /**
   * Collect the sub-patterns the leaves at this path may satisfy. Numbers that fall in range pieces are taken in
   * piece order: the ranges containing a value and the previous (comparable) one are already collected, so each
   * later value walks only the ranges that start between the two (when that run is shorter than its piece's list).
   * A polygon's coordinates lie close together, so most of their ranges are shared.
   */
  lookupLeaves(leaves: readonly Leaf[], col: Collector): void {
    // Callers check `walksSorted()` and take at most 64 leaves here (the insertion sort below).
    const n = leaves.length;
    const ranges = this.ranges;
    const offsets = ranges.offsets;
    const ends = ranges.ends;
    const m = ends.length;
    const xs = this.sortValues;
    const ks = this.sortLeaves;
    let count = 0;
    for (let k = 0; k < n; k++) {
      const leaf = leaves[k];
      if (leaf.kind !== NUMBER) {
        this.lookup(leaf, col, true);
        continue;
      }
      if (this.lookup(leaf, col, false) === NOT_COMPARABLE) continue;
      const x = leaf.raw;
      if (!Number.isFinite(x)) {
        this.treeLookup(leaf, col);
        continue;
      }
      // Below or above every end: the first or last piece, often empty (a coordinate no range is near).
      if (m === 0 || x < ends[0] ? offsets[2] === 0 : x > ends[m - 1] && offsets[2 * m + 2] === offsets[2 * m]) {
        continue;
      }
      // Insertion sort by value (an event has a handful of values per path).
      let j = count++;
      while (j > 0 && xs[j - 1] > x) {
        xs[j] = xs[j - 1];
        ks[j] = ks[j - 1];
        j--;
      }
      xs[j] = x;
      ks[j] = k;
    }
    if (count === 0) return;
    // Each value's piece first, in a loop of its own: the searches are independent, so their cache misses (grid,
    // ends, offsets: at 10,000 ranges these arrays do not stay in the caches between events) overlap instead of
    // waiting behind the previous value's walk.
    const ps = this.sortPieces;
    for (let j = 0; j < count; j++) {
      const p = ranges.strictPiece(xs[j]);
      // -1: equal to a range end (open and closed ends differ, the tree decides); -2: an empty piece.
      ps[j] = p < 0 ? -1 : offsets[2 * p + 2] === offsets[2 * p] ? -2 : p;
    }
    const entries = ranges.entries;
    const starts = ranges.starts;
    const data = col.data;
    const epoch = col.epoch;
    const words = col.words;
    const summary = col.summary;
    let bits = col.bits;
    // Invariant: every range containing piece `prev` is collected (stamped, or its output bit set) for this event.
    let prev = -1;
    for (let j = 0; j < count; j++) {
      const p = ps[j];
      if (p === -1) {
        this.treeLookup(leaves[ks[j]], col);
        continue;
      }
      if (p === prev || p === -2) continue;
      const leaf = leaves[ks[j]];
      // The piece's list is not empty, and a value of a later piece has ranges of its own (or only stamped ones, or
      // none once filtered, when its run is shorter): checking comparability once, before the walk, keeps the walk's
      // loop free of that test. A number that is not comparable matches no range; `prev` then stays (the next value
      // walks from the piece before, a superset).
      if (Number.isNaN(leaf.num)) continue;
      // Either the ranges that start after the previous value's piece and still cover this one (when fewer), or
      // this piece's whole list.
      const at = 2 * p;
      if (prev >= 0 && offsets[at + 3] - offsets[2 * prev + 3] < offsets[at + 2] - offsets[at]) {
        for (let k = 2 * offsets[2 * prev + 3], end = 2 * offsets[at + 3]; k < end; k += 2) {
          if (starts[k + 1] < p) continue;
          // A range that alone is its rule (certain, no `$or`) is matched by this hit: its entry is its rule slot
          // (even), whose output bit is set, skipping the stamps and the candidate list.
          const code = starts[k];
          if ((code & 1) === 0) bits += setSlotBit(words, summary, code >> 1);
          else takeRangeSid(col, code >> 1, data, epoch);
        }
      } else {
        for (let k = offsets[at], end = offsets[at + 2]; k < end; k++) {
          const code = entries[k];
          if ((code & 1) === 0) bits += setSlotBit(words, summary, code >> 1);
          else takeRangeSid(col, code >> 1, data, epoch);
        }
      }
      prev = p;
    }
    col.bits = bits;
  }

  /**
   * Does `lookupLeaves` pay for this path? Only when piece lists are long (many overlapping ranges); with short
   * lists each value reads its own piece's list (`lookup`).
   */
  walksSorted(): boolean {
    const ranges = this.ranges;
    return ranges.items.length > 0 && ranges.ready() && ranges.longLists;
  }

  /** Collect the ranges containing a number leaf through the interval tree (the value equals a range end, …). */
  private treeLookup(leaf: Leaf, col: Collector): void {
    const hits = this.hits;
    hits.length = 0;
    this.ranges.treeQuery(leaf.raw, hits);
    let state = UNCHECKED;
    for (let k = 0; k < hits.length && state !== NOT_COMPARABLE; k++) {
      state = takeNumberHit(col, hits[k], leaf, state);
    }
  }

  /**
   * Collect the sub-patterns this leaf may satisfy (numeric ranges only when `withRanges`). Returns the number
   * leaf's comparability as far as it was checked.
   */
  lookup(leaf: Leaf, col: Collector, withRanges: boolean): number {
    if (this.anyLeaf.length > 0) col.addAll(this.anyLeaf);
    switch (leaf.kind) {
      case STRING: {
        const text = leaf.text;
        if (this.strings.size > 0) col.addSome(this.strings.get(text));
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
        if (this.anyString.length > 0) col.addAll(this.anyString);
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
        return UNCHECKED;
      }
      case NUMBER: {
        // Look up the float64 the literal rounds to; only when that finds a sub-pattern not yet collected is the
        // literal's comparability checked (a non-comparable number matches no numeric operator).
        const x = leaf.raw;
        let state = UNCHECKED;
        if (this.numbers.size > 0) {
          const exact = this.numbers.get(x);
          if (typeof exact === 'number') state = takeNumberHit(col, exact, leaf, state);
          else if (exact !== undefined) for (const sid of exact) state = takeNumberHit(col, sid, leaf, state);
        }
        const ranges = this.ranges;
        if (withRanges && state !== NOT_COMPARABLE && ranges.items.length > 0) {
          const piece = ranges.piece(x);
          if (piece >= 0) {
            const entries = ranges.entries;
            const end = ranges.offsets[2 * piece + 2];
            for (let k = ranges.offsets[2 * piece]; k < end && state !== NOT_COMPARABLE; k++) {
              state = takeRangeEntry(col, entries[k], leaf, state);
            }
          } else {
            const hits = this.hits;
            hits.length = 0;
            ranges.treeQuery(x, hits);
            for (let k = 0; k < hits.length && state !== NOT_COMPARABLE; k++) {
              state = takeNumberHit(col, hits[k], leaf, state);
            }
          }
        }
        if (this.numberTexts.size > 0 && Number.isNaN(leaf.num)) col.addSome(this.numberTexts.get(leaf.text));
        return state;
      }
      default:
        col.addSome(this.literals.get(leaf.kind));
    }
    return UNCHECKED;
  }
}

const UNCHECKED = 0;
const COMPARABLE = 1;
const NOT_COMPARABLE = 2;

/** Collect a number hit, checking the leaf's comparability on the first new one; returns the check's state. */
function takeNumberHit(col: Collector, sid: number, leaf: Leaf, state: number): number {
  if (!col.isNew(sid)) return state;
  if (state === UNCHECKED) state = Number.isNaN(leaf.num) ? NOT_COMPARABLE : COMPARABLE;
  if (state === COMPARABLE) col.add(sid);
  return state;
}

/**
 * `takeNumberHit` for a range-list entry (see `IntervalIndex`). A range that alone is its rule (certain, no `$or`)
 * is matched by this hit: its slot's output bit is set (setting it twice is harmless), skipping the stamps and the
 * candidate list; a certain sub-pattern of a single-sub-pattern rule goes straight to the output. `lookupLeaves`
 * does the same inline, with the output bits in locals.
 */
function takeRangeEntry(col: Collector, code: number, leaf: Leaf, state: number): number {
  const id = code >> 1;
  // A sub-pattern already taken this event needs no comparability proof.
  if ((code & 1) === 1 && !col.isNew(id)) return state;
  if (state === UNCHECKED) state = Number.isNaN(leaf.num) ? NOT_COMPARABLE : COMPARABLE;
  if (state === NOT_COMPARABLE) return state;
  if ((code & 1) === 0) col.setBit(id);
  else takeRangeSid(col, id, col.data, col.epoch);
  return state;
}

/**
 * Set a rule slot's output bit (see `Collector.words`); 1 when it was not set. Branch-free apart from the caller's
 * loop: setting the summary bit again is harmless, and a test per hit would be mispredicted whenever hits spread
 * over many words.
 */
function setSlotBit(words: Int32Array, summary: Int32Array, slot: number): number {
  const w = slot >> 5;
  const word = words[w];
  const shift = slot & 31;
  words[w] = word | (1 << shift);
  summary[w >> 5] |= 1 << (w & 31);
  return (~word >>> shift) & 1;
}

/**
 * A range-list entry that is a sub-pattern id (its hit does not prove its rule alone), for a comparable number:
 * collect it once per event (`data`/`epoch`: the collector's stamps).
 */
function takeRangeSid(col: Collector, sid: number, data: Int32Array, epoch: number): void {
  const at = sid << 2;
  if (data[at] === epoch) return;
  data[at] = epoch;
  const meta = data[at + 1];
  if ((meta & (META_CERTAIN | META_MULTI)) === META_CERTAIN) col.out.push(meta >> 3);
  else col.candidates.push(sid);
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
    case 'wildcard':
      // Registered under its literal prefix or suffix, which for `abc*` / `*abc` / `*` is the whole condition.
      return m.segments.length === 2 && (m.segments[0] === '' || m.segments[1] === '');
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

/** Bits of a sub-pattern's meta word (beside its stamp): the rule slot is the word shifted right by 3. */
const META_CERTAIN = 1;
const META_SINGLE = 2;
/** Its rule has several sub-patterns (`$or`), so the rule — not just the sub-pattern — must be deduplicated. */
const META_MULTI = 4;
const FREE_SID = -1;

/**
 * Collects each event's candidate sub-patterns once. Per sub-pattern id four adjacent ints: a stamp saying whether
 * it was collected for the current event (no per-event clearing, no allocation), its meta word (rule slot and
 * flags) and where its checks are, so verifying a candidate reads the cache line its collection already touched.
 */
class Collector {
  /** Per sub-pattern id: stamp, meta word, start and end of its checks in the index's Int32Array. */
  data = new Int32Array(256).fill(FREE_SID);
  epoch = 0;
  readonly candidates: number[] = [];
  /** Matched rule slots of the event (reused): decided candidates, and hits that prove their rule. */
  readonly out: number[] = [];
  /**
   * Per sub-pattern id: its rule slot when a numeric-range hit alone proves the rule and the rule has no `$or`,
   * else -1 (range lists store that slot, see `IntervalIndex`). Such hits set the slot's bit in `words` (two-level
   * with `summary`, all zero between events) instead of touching the stamps: setting a bit twice is harmless, so no
   * deduplication is needed. `bits` counts the bits set.
   */
  direct = new Int32Array(64).fill(-1);
  words = new Int32Array(32);
  summary = new Int32Array(1);
  bits = 0;

  /** Set a rule slot's output bit. */
  setBit(slot: number): void {
    this.bits += setSlotBit(this.words, this.summary, slot);
  }

  isNew(sid: number): boolean {
    return this.data[sid << 2] !== this.epoch;
  }

  add(sid: number): void {
    const at = sid << 2;
    if (this.data[at] !== this.epoch) {
      this.data[at] = this.epoch;
      this.candidates.push(sid);
    }
  }

  addAll(bucket: readonly number[]): void {
    for (let i = 0; i < bucket.length; i++) this.add(bucket[i]);
  }

  addSome(bucket: Bucket | undefined): void {
    if (typeof bucket === 'number') this.add(bucket);
    else if (bucket !== undefined) this.addAll(bucket);
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
  /** Per path slot: 1 when some leaf there sits inside an array element. */
  readonly inArray: number[] = [];
  readonly sink = (node: PathNode, leaf: Leaf): void => this.add(node, leaf);

  add(node: PathNode, leaf: Leaf): void {
    const slot = node.slot;
    const list = this.bySlot[slot];
    if (list !== undefined) list.push(leaf);
    else {
      this.bySlot[slot] = [leaf];
      this.touched.push(slot);
    }
    if (leaf.membership !== null) {
      this.arrays = true;
      this.inArray[slot] = 1;
    }
  }

  /**
   * Do two or more fields of a sub-pattern's checks have leaves inside arrays? Only then can the choice of leaves
   * be inconsistent: a leaf outside every array is consistent with any other. Reads the checks' header (the path
   * slot of a driver left out of the checks, or -1) and each field's `slot, allowsAbsent, n, …n ints` in ops[from,
   * to): the same ints the check reads next, not the sub-pattern's objects.
   */
  arraysMeet(ops: Int32Array, from: number, to: number): boolean {
    const inArray = this.inArray;
    const driver = ops[from];
    let fields = driver >= 0 && inArray[driver] === 1 ? 1 : 0;
    for (let i = from + 1; i < to; i += 3 + ops[i + 2]) if (inArray[ops[i]] === 1 && ++fields === 2) return true;
    return false;
  }

  reset(): void {
    const touched = this.touched;
    for (let i = 0; i < touched.length; i++) {
      this.bySlot[touched[i]] = undefined;
      this.inArray[touched[i]] = 0;
    }
    touched.length = 0;
    this.arrays = false;
  }
}

/**
 * A sub-pattern's check as integers: per field `slot, allowsAbsent (0/1), length of its matcher groups, …`; per
 * matcher a group `code, group length, object index, …data`. String operators carry the length and a 30-bit hash
 * of their literal (case-folded for ASCII ignore-case literals), so a candidate that fails — the common case — is
 * rejected from the integers alone; only a hash hit reads the matcher or literal (by index into the sub-pattern's
 * object list) to confirm. The checks of all sub-patterns share one Int32Array, so with rule sets much larger than
 * the CPU caches a candidate costs about one memory read instead of a chain of cold objects.
 */
type Objs = readonly (Matcher | string)[];
/** Object lists by sub-pattern id (read only to confirm a hash hit). */
type ObjTable = readonly (Objs | undefined)[];

const OP_GENERIC = 0;
const OP_EXACT = 1;
const OP_PREFIX = 2;
const OP_SUFFIX = 3;
const OP_FOLD_EXACT = 4;
const OP_FOLD_PREFIX = 5;
const OP_FOLD_SUFFIX = 6;
/** anything-but over a few strings (no numbers): [k, hash1 … hashk]. */
const OP_NOT_STRINGS = 7;
/** wildcard: [prefix length, prefix hash, suffix length, suffix hash] of its literal ends. */
const OP_WILDCARD = 8;

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** FNV-1a over text[from, to), 30 bits; `fold` lower-cases ASCII letters. */
function hashRange(text: string, from: number, to: number, fold: boolean): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    let c = text.charCodeAt(i);
    if (fold && c >= 65 && c <= 90) c |= 32;
    h = Math.imul(h ^ c, 16777619);
  }
  return h & 0x3fffffff;
}

/** A wildcard that is a plain prefix (`abc*`) or suffix (`*abc`), as [kind, literal], else undefined. */
function plainAffix(segments: readonly string[]): ['prefix' | 'suffix', string] | undefined {
  if (segments.length !== 2) return undefined;
  if (segments[1] === '') return ['prefix', segments[0]];
  if (segments[0] === '') return ['suffix', segments[1]];
  return undefined;
}

function matcherGroup(m: Matcher, objs: (Matcher | string)[]): number[] {
  const mi = objs.push(m) - 1;
  // [code, group length, matcher, literal length, literal hash, literal]: the literal confirms a hash hit.
  const lit = (code: number, value: string, fold: boolean) => [
    code,
    6,
    mi,
    value.length,
    hashRange(value, 0, value.length, fold),
    objs.push(value) - 1,
  ];
  switch (m.kind) {
    case 'string':
      return lit(OP_EXACT, m.value, false);
    case 'prefix':
    case 'suffix': {
      if (m.ignoreCase && !ASCII_ONLY.test(m.value)) break;
      if (!m.ignoreCase && m.re) break;
      const code =
        m.kind === 'prefix' ? (m.ignoreCase ? OP_FOLD_PREFIX : OP_PREFIX) : m.ignoreCase ? OP_FOLD_SUFFIX : OP_SUFFIX;
      return lit(code, m.value, m.ignoreCase);
    }
    case 'equals-ignore-case':
      if (ASCII_ONLY.test(m.value)) return lit(OP_FOLD_EXACT, m.value, true);
      break;
    case 'anything-but':
      if (m.numbers.size === 0 && m.strings.size <= 4) {
        const hashes = [...m.strings].map((v) => hashRange(v, 0, v.length, false));
        return [OP_NOT_STRINGS, 4 + hashes.length, mi, hashes.length, ...hashes];
      }
      break;
    case 'wildcard': {
      // No star: equality; one star at an end: a plain prefix or suffix.
      if (m.segments.length === 1) return lit(OP_EXACT, m.segments[0], false);
      const affix = plainAffix(m.segments);
      if (affix) return lit(affix[0] === 'prefix' ? OP_PREFIX : OP_SUFFIX, affix[1], false);
      const pre = literalPrefix(m.segments);
      const suf = literalSuffix(m.segments);
      return [
        OP_WILDCARD,
        7,
        mi,
        pre.length,
        hashRange(pre, 0, pre.length, false),
        suf.length,
        hashRange(suf, 0, suf.length, false),
      ];
    }
  }
  return [OP_GENERIC, 3, mi];
}

function toOps(
  fields: readonly FieldCondition[],
  slotOf: (path: string) => number,
  objs: (Matcher | string)[],
  skip?: FieldCondition,
): number[] {
  const ops: number[] = [];
  for (const f of fields) {
    if (f === skip) continue;
    const groups = f.matchers.flatMap((m) => matcherGroup(m, objs));
    ops.push(slotOf(f.path), f.allowsAbsent ? 1 : 0, groups.length, ...groups);
  }
  return ops;
}

/** Does the matcher group at `k` accept the leaf? Hash prefilters first, the operator itself only on a hit. */
function acceptOp(ops: ArrayLike<number>, k: number, leaf: Leaf, objs: ObjTable, sid: number): boolean {
  const code = ops[k];
  if (code === OP_GENERIC) return acceptLeaf((objs[sid] as Objs)[ops[k + 2]] as Matcher, leaf);
  if (leaf.kind !== STRING)
    return code === OP_NOT_STRINGS ? acceptLeaf((objs[sid] as Objs)[ops[k + 2]] as Matcher, leaf) : false;
  const t = leaf.text;
  const n = t.length;
  const len = ops[k + 3];
  switch (code) {
    case OP_EXACT:
      return n === len && hashRange(t, 0, n, false) === ops[k + 4] && t === (objs[sid] as Objs)[ops[k + 5]];
    case OP_PREFIX:
      return (
        n >= len &&
        hashRange(t, 0, len, false) === ops[k + 4] &&
        t.startsWith((objs[sid] as Objs)[ops[k + 5]] as string)
      );
    case OP_SUFFIX:
      return (
        n >= len &&
        hashRange(t, n - len, n, false) === ops[k + 4] &&
        t.endsWith((objs[sid] as Objs)[ops[k + 5]] as string)
      );
    case OP_FOLD_EXACT:
      return (
        n === len &&
        hashRange(t, 0, n, true) === ops[k + 4] &&
        acceptLeaf((objs[sid] as Objs)[ops[k + 2]] as Matcher, leaf)
      );
    case OP_FOLD_PREFIX:
      return (
        n >= len &&
        hashRange(t, 0, len, true) === ops[k + 4] &&
        acceptLeaf((objs[sid] as Objs)[ops[k + 2]] as Matcher, leaf)
      );
    case OP_FOLD_SUFFIX:
      return (
        n >= len &&
        hashRange(t, n - len, n, true) === ops[k + 4] &&
        acceptLeaf((objs[sid] as Objs)[ops[k + 2]] as Matcher, leaf)
      );
    case OP_NOT_STRINGS: {
      const h = hashRange(t, 0, n, false);
      for (let j = 0; j < len; j++)
        if (ops[k + 4 + j] === h) return acceptLeaf((objs[sid] as Objs)[ops[k + 2]] as Matcher, leaf);
      return true;
    }
    case OP_WILDCARD: {
      const slen = ops[k + 5];
      if (n < len + slen) return false;
      if (hashRange(t, 0, len, false) !== ops[k + 4]) return false;
      if (slen > 0 && hashRange(t, n - slen, n, false) !== ops[k + 6]) return false;
      return acceptLeaf((objs[sid] as Objs)[ops[k + 2]] as Matcher, leaf);
    }
    default:
      return acceptLeaf((objs[sid] as Objs)[ops[k + 2]] as Matcher, leaf);
  }
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
  /** Per sub-pattern id (its rule slot and flags are in the collector's meta words): its checks. */
  /** Every field, for array-consistent search. */
  private readonly subOps: (number[] | undefined)[] = [];
  /** The matchers and literals the checks refer to by index, per sub-pattern id. */
  private readonly subObjs: (Objs | undefined)[] = [];
  /** The checks of every sub-pattern (a header, then the fields), back to back (holes of removed ones compacted). */
  private code = new Int32Array(1024);
  private codeUsed = 0;
  private codeLive = 0;
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
  /** One bit per rule slot, and one per word of those (see `ids`); all zero between events. */

  constructor(private readonly options: CompileOptions = {}) {}

  /** A sub-pattern's entry in range lists: its rule slot × 2 when a hit alone proves the rule, else sid × 2 + 1. */
  private readonly entryCode = (sid: number): number => {
    const slot = this.col.direct[sid];
    return slot >= 0 ? slot << 1 : (sid << 1) | 1;
  };

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
    const multi = compiled.subPatterns.length > 1;
    for (const sub of compiled.subPatterns) sids.push(this.addSub(slot, sub, slotOfPath, multi));
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
      const at = sid << 2;
      this.col.data[at + 1] = FREE_SID;
      this.col.direct[sid] = -1;
      this.codeLive -= this.col.data[at + 3] - this.col.data[at + 2];
      this.subOps[sid] = undefined;
      this.subObjs[sid] = undefined;
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
        const data = this.col.data;
        const direct = this.col.direct;
        for (const sid of sids) {
          data[(sid << 2) + 1] = (w << 3) | (data[(sid << 2) + 1] & 7);
          if (direct[sid] >= 0) direct[sid] = w;
        }
        this.slotOf.set(id, w);
      }
      w++;
    }
    // Range lists hold the slots of the rules their hits prove.
    for (const fi of this.fieldIndexes) fi?.ranges.invalidate();
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
      for (let i = 0; i < col.data.length; i += 4) col.data[i] = 0;
      this.ruleStamp.fill(0);
      col.epoch = 1;
    }
    const epoch = col.epoch;
    const candidates = col.candidates;
    candidates.length = 0;
    const out = col.out;
    out.length = 0;
    // Output bits sized for every slot before lookups set them; left set only if a previous match threw.
    this.slotBits(this.nextSlot);
    if (col.bits !== 0) this.clearBits();
    const bySlot = flat.bySlot;
    const touched = flat.touched;
    for (let t = 0; t < touched.length; t++) {
      const slot = touched[t];
      const fi = this.fieldIndexes[slot];
      if (fi === undefined) continue;
      const leaves = bySlot[slot] as Leaf[];
      if (leaves.length > 1 && leaves.length <= 64 && fi.walksSorted()) fi.lookupLeaves(leaves, col);
      else for (let k = 0; k < leaves.length; k++) fi.lookup(leaves[k], col, true);
    }
    col.addAll(this.undriven);

    const data = col.data;
    const ruleStamp = this.ruleStamp;
    for (let c = 0; c < candidates.length; c++) {
      const sid = candidates[c];
      const at = sid << 2;
      const meta = data[at + 1];
      if (meta < 0) continue;
      const slot = meta >> 3;
      // A rule of one sub-pattern is collected at most once per event; only `$or` rules need the rule stamp.
      const multi = (meta & META_MULTI) !== 0;
      if (multi && ruleStamp[slot] === epoch) continue;
      if (
        (meta & META_CERTAIN) !== 0 ||
        (!flat.arrays || (meta & META_SINGLE) !== 0 || !flat.arraysMeet(this.code, data[at + 2], data[at + 3])
          ? check(this.code, data[at + 2] + 1, data[at + 3], bySlot, this.subObjs, sid)
          : search(this.subOps[sid] as number[], 0, null, bySlot, this.subObjs, sid))
      ) {
        if (multi) ruleStamp[slot] = epoch;
        out.push(slot);
      }
    }
    return this.ids(out);
  }

  /** The ids of the matched slots, in slot (= insertion) order. */
  private ids(out: number[]): T[] {
    const col = this.col;
    let n = out.length;
    if (n === 0 && col.bits === 0) return [];
    const ruleIds = this.ruleIds;
    if (col.bits === 0 && n <= 16) {
      const ids: T[] = [];
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
    // Many matches: sort through a two-level bitset over the slots (bits set, then read back in order, clearing
    // as it goes): linear in the matches plus one summary word per 1,024 slots, and nothing allocated but the
    // result, at its exact size (`new Array(n)`: growing an array's length is a slow runtime call).
    // Range hits that prove their rule already set their bits (`Collector.direct`); a slot may be both there and
    // in `out`, so the size counts the bits set.
    const words = col.words;
    const summary = col.summary;
    let total = col.bits;
    for (let i = 0; i < n; i++) {
      const slot = out[i];
      const w = slot >> 5;
      const word = words[w];
      const bit = 1 << (slot & 31);
      if ((word & bit) !== 0) continue;
      if (word === 0) summary[w >> 5] |= 1 << (w & 31);
      words[w] = word | bit;
      total++;
    }
    n = total;
    col.bits = 0;
    const sized = new Array<T>(n);
    let o = 0;
    for (let si = 0; si < summary.length; si++) {
      let sw = summary[si];
      if (sw === 0) continue;
      summary[si] = 0;
      while (sw !== 0) {
        const sb = sw & -sw;
        sw ^= sb;
        const w = (si << 5) | (31 - Math.clz32(sb));
        let word = words[w];
        words[w] = 0;
        while (word !== 0) {
          const b = word & -word;
          word ^= b;
          sized[o++] = ruleIds[(w << 5) | (31 - Math.clz32(b))] as T;
        }
      }
    }
    return sized;
  }

  /** Clear the output bits (left set only when a match threw between setting and reading them). */
  private clearBits(): void {
    const col = this.col;
    col.words.fill(0);
    col.summary.fill(0);
    col.bits = 0;
  }

  /** The slot bitset (all zero between uses), grown to hold `slots` slots. */
  private slotBits(slots: number): Int32Array {
    const need = (slots + 31) >> 5;
    const col = this.col;
    if (need > col.words.length) {
      col.words = new Int32Array(Math.max(need, col.words.length * 2));
      col.summary = new Int32Array((col.words.length + 31) >> 5);
      col.bits = 0;
    }
    return col.words;
  }

  /** Why the pattern `id` does or does not match the event. */
  explain(id: T, event: unknown): Explanation | undefined {
    const pattern = this.get(id);
    return pattern ? explain(pattern, event) : undefined;
  }

  /** Append a sub-pattern's checks to the shared array; returns where they start. */
  private appendCode(ops: readonly number[]): number {
    if (this.codeUsed + ops.length > this.code.length) {
      if (this.codeLive * 2 < this.codeUsed) this.compactCode();
      if (this.codeUsed + ops.length > this.code.length) {
        const grown = new Int32Array(Math.max(this.codeUsed + ops.length, this.code.length * 2));
        grown.set(this.code.subarray(0, this.codeUsed));
        this.code = grown;
      }
    }
    const start = this.codeUsed;
    this.code.set(ops, start);
    this.codeUsed += ops.length;
    this.codeLive += ops.length;
    return start;
  }

  /** Drop the checks of removed sub-patterns (moving the others down, in id order). */
  private compactCode(): void {
    const next = new Int32Array(this.code.length);
    const data = this.col.data;
    let w = 0;
    for (let sid = 0; sid < this.sidCount; sid++) {
      const at = sid << 2;
      if (data[at + 1] < 0) continue;
      const from = data[at + 2];
      const to = data[at + 3];
      next.set(this.code.subarray(from, to), w);
      data[at + 2] = w;
      data[at + 3] = w + to - from;
      w += to - from;
    }
    this.code = next;
    this.codeUsed = w;
    this.codeLive = w;
  }

  private addSub(slot: number, sub: SubPattern, slotOfPath: (path: string) => number, multi: boolean): number {
    const sid = this.freeSids.pop() ?? this.sidCount++;
    if (4 * sid + 3 >= this.col.data.length) {
      const grown = new Int32Array(Math.max(4 * sid + 4, this.col.data.length * 2)).fill(FREE_SID);
      grown.set(this.col.data);
      this.col.data = grown;
    }
    if (sid >= this.col.direct.length) {
      const grown = new Int32Array(Math.max(sid + 1, this.col.direct.length * 2)).fill(-1);
      grown.set(this.col.direct);
      this.col.direct = grown;
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
      if (!fi) this.fieldIndexes[pathSlot] = fi = new FieldIndex(this.entryCode);
      const index = fi;
      for (const m of driver.matchers) undo.push(index.register(m, sid));
      undo.push(() => {
        if (index.registrations === 0 && this.fieldIndexes[pathSlot] === index) this.fieldIndexes[pathSlot] = undefined;
      });
    } else {
      undo.push(pushUndo(this.undriven, sid));
    }
    const objs: (Matcher | string)[] = [];
    // Header: the path slot of a driver whose hit proves it (left out of the checks), else -1 (see `arraysMeet`).
    const quick = [
      exactDriver && driver ? slotOfPath(driver.path) : -1,
      ...toOps(sub.fields, slotOfPath, objs, exactDriver ? driver : undefined),
    ];
    const start = this.appendCode(quick);
    const at = sid << 2;
    this.col.data[at + 2] = start;
    this.col.data[at + 3] = start + quick.length;
    this.col.data[at + 1] =
      (slot << 3) |
      (sub.fields.length === 1 && exactDriver ? META_CERTAIN : 0) |
      (sub.fields.length === 1 ? META_SINGLE : 0) |
      (multi ? META_MULTI : 0);
    this.col.direct[sid] = sub.fields.length === 1 && exactDriver && !multi ? slot : -1;
    this.subOps[sid] = toOps(sub.fields, slotOfPath, objs);
    this.subObjs[sid] = objs;
    this.subUndo[sid] = undo;
    return sid;
  }
}

function grownInt32(a: Int32Array, min: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(min, a.length * 2));
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

/** Every field of ops[from, to) has an accepted leaf (or is absent and may be): the check without arrays. */
function check(
  ops: ArrayLike<number>,
  from: number,
  to: number,
  bySlot: readonly (Leaf[] | undefined)[],
  objs: ObjTable,
  sid: number,
): boolean {
  let i = from;
  while (i < to) {
    const n = ops[i + 2];
    const leaves = bySlot[ops[i]];
    if (leaves === undefined) {
      if (ops[i + 1] !== 1) return false;
    } else if (!anyAccepted(ops, i + 3, i + 3 + n, leaves, objs, sid)) {
      return false;
    }
    i += 3 + n;
  }
  return true;
}

function anyAccepted(
  ops: ArrayLike<number>,
  from: number,
  to: number,
  leaves: readonly Leaf[],
  objs: ObjTable,
  sid: number,
): boolean {
  for (let l = 0; l < leaves.length; l++) if (leafAccepted(ops, from, to, leaves[l], objs, sid)) return true;
  return false;
}

function leafAccepted(ops: ArrayLike<number>, from: number, to: number, leaf: Leaf, objs: ObjTable, sid: number) {
  for (let k = from; k < to; k += ops[k + 1]) if (acceptOp(ops, k, leaf, objs, sid)) return true;
  return false;
}

/** Full check with array consistency: one leaf per field, all from the same array elements. */
function search(
  ops: readonly number[],
  i: number,
  membership: Membership | null,
  bySlot: readonly (Leaf[] | undefined)[],
  objs: ObjTable,
  sid: number,
): boolean {
  if (i >= ops.length) return true;
  const next = i + 3 + ops[i + 2];
  const list = bySlot[ops[i]];
  let anyConsistent = false;
  if (list) {
    for (const leaf of list) {
      if (!consistent(membership, leaf.membership)) continue;
      anyConsistent = true;
      if (
        leafAccepted(ops, i + 3, next, leaf, objs, sid) &&
        search(ops, next, merge(membership, leaf.membership), bySlot, objs, sid)
      ) {
        return true;
      }
    }
  }
  return ops[i + 1] === 1 && !anyConsistent && search(ops, next, membership, bySlot, objs, sid);
}
