/**
 * Value tests compiled to fast predicates over a resolved field value.
 *
 * Semantics (spec §2–§4 plus Vigil's documented choices):
 * - arrays and objects are searched leaf by leaf: an item matches when any leaf matches (with `all`, every value
 *   must be matched by some leaf);
 * - strings compare case-insensitively unless `cased`; Base64 and UTF-16 outputs compare case-sensitively
 *   (their case is part of the encoding);
 * - numbers compare by their decimal text (`4625` matches 4625 and "4625"), booleans as `true`/`false`;
 * - `neq` negates the whole item, so it is true when the field is absent.
 */

import ipaddr from 'ipaddr.js';
import { parseIsoTime } from '../core/time.js';
import { FieldPath, leafText, resolveField, someLeaf } from './fields.js';
import { compileRegex } from './regex.js';
import {
  type CidrRange,
  type CompareOp,
  type DetectionItem,
  type MatchedValue,
  type MatchMode,
  ONE,
  type RegexPattern,
  STAR,
  type StringPattern,
  type TimePart,
  type ValueTest,
} from './types.js';
import { toRegexSource } from './values.js';

type Leaf = string | number | boolean;
type Fields = Record<string, unknown>;

/** Predicate over a resolved field value (undefined = absent); `fields` is the record (for fieldref). */
export type ValuePredicate = (value: unknown, fields: Fields) => boolean;

/** A leaf-level matcher for one rule value. */
export interface LeafMatcher {
  display: string;
  test(leaf: Leaf, fields: Fields): boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Strings

enum Form {
  Raw = 0,
  Lower = 1,
  Bytes = 2,
}

interface StrFn {
  form: Form;
  fn: (text: string) => boolean;
  display: string;
}

function stringFn(p: StringPattern): StrFn {
  const s = p.value;
  const form = s.binary ? Form.Bytes : p.cased ? Form.Raw : Form.Lower;
  const lower = form === Form.Lower;
  const parts = s.parts.map((x) => (typeof x === 'string' && lower ? x.toLowerCase() : x));
  const n = parts.length;
  const display = p.display;
  let fn: (t: string) => boolean;
  const a = parts[0];
  const b = parts[1];
  const c = parts[2];
  if (n === 0) fn = (t) => t.length === 0;
  else if (n === 1 && typeof a === 'string') fn = (t) => t === a;
  else if (n === 1 && a === STAR) fn = () => true;
  else if (n === 2 && typeof a === 'string' && b === STAR) fn = (t) => t.startsWith(a);
  else if (n === 2 && a === STAR && typeof b === 'string') fn = (t) => t.endsWith(b);
  else if (n === 3 && a === STAR && typeof b === 'string' && c === STAR) fn = (t) => t.includes(b);
  else {
    const re = new RegExp(toRegexSource({ parts, binary: s.binary }, false), 'u');
    fn = (t) => re.test(t);
  }
  return { form, fn, display };
}

/**
 * Prepared text forms of one leaf, computed lazily. The forms of the previous leaf are kept when the next test
 * looks at the same string (many rules test the same field of the same record), so a field is lower-cased once.
 */
class LeafForms {
  raw = '';
  lower: string | undefined;
  bytes: string | undefined;
  reset(raw: string): void {
    if (raw === this.raw) return;
    this.raw = raw;
    this.lower = undefined;
    this.bytes = undefined;
  }
  get(form: Form): string {
    if (form === Form.Raw) return this.raw;
    if (form === Form.Lower) return (this.lower ??= this.raw.toLowerCase());
    return (this.bytes ??= Buffer.from(this.raw, 'utf8').toString('latin1'));
  }
}

const forms = new LeafForms();

/** OR over string patterns, with set lookups for plain equality values. */
function stringAnyLeaf(patterns: StringPattern[]): (leaf: Leaf) => boolean {
  const lowerSet = new Set<string>();
  const rawSet = new Set<string>();
  const others: StrFn[] = [];
  for (const p of patterns) {
    const f = stringFn(p);
    const only = p.value.parts.length === 1 && typeof p.value.parts[0] === 'string' ? p.value.parts[0] : undefined;
    if (only !== undefined && f.form === Form.Lower) lowerSet.add(only.toLowerCase());
    else if (only !== undefined && f.form === Form.Raw) rawSet.add(only);
    else others.push(f);
  }
  const useLower = lowerSet.size > 0;
  const useRaw = rawSet.size > 0;
  return (leaf) => {
    const raw = leafText(leaf);
    if (raw === undefined) return false;
    if (useRaw && rawSet.has(raw)) return true;
    forms.reset(raw);
    if (useLower && lowerSet.has(forms.get(Form.Lower))) return true;
    for (let i = 0; i < others.length; i++) {
      const o = others[i]!;
      if (o.fn(forms.get(o.form))) return true;
    }
    return false;
  };
}

function stringLeafMatcher(p: StringPattern): LeafMatcher {
  const f = stringFn(p);
  return {
    display: p.display,
    test: (leaf) => {
      const raw = leafText(leaf);
      if (raw === undefined) return false;
      forms.reset(raw);
      return f.fn(forms.get(f.form));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers, time, IP

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

export function leafNumber(leaf: Leaf): number {
  if (typeof leaf === 'number') return leaf;
  if (typeof leaf === 'string' && NUMERIC.test(leaf)) return Number(leaf);
  return Number.NaN;
}

function compare(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'eq':
      return a === b;
  }
}

/** Epoch ms of a date leaf: ISO-8601 text, or epoch seconds / milliseconds (≥ 1e11 is read as ms). */
export function leafTime(leaf: Leaf): number {
  const n = leafNumber(leaf);
  if (Number.isFinite(n)) return Math.abs(n) >= 1e11 ? n : n * 1000;
  if (typeof leaf !== 'string') return Number.NaN;
  return parseIsoTime(leaf.trim());
}

/** UTC component of an epoch-ms time (ISO-8601 week number for `week`). */
export function timePart(ms: number, part: TimePart): number {
  const d = new Date(ms);
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    case 'week': {
      // ISO 8601: the week with the year's first Thursday is week 1.
      const t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
      const thursday = t + (3 - dow) * 86_400_000;
      const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
      return Math.floor((thursday - yearStart) / 86_400_000 / 7) + 1;
    }
  }
}

function compareLeafMatcher(op: CompareOp, value: number, part: TimePart | undefined): LeafMatcher {
  const display = `${part ? `${part} ` : ''}${op === 'eq' ? '=' : op} ${value}`;
  if (part) {
    return {
      display,
      test: (leaf) => {
        const t = leafTime(leaf);
        return Number.isFinite(t) && compare(op, timePart(t, part), value);
      },
    };
  }
  return {
    display,
    test: (leaf) => {
      const n = leafNumber(leaf);
      return !Number.isNaN(n) && compare(op, n, value);
    },
  };
}

/** Address bytes of an IP leaf (IPv4-mapped IPv6 becomes IPv4), or undefined. */
export function leafIp(leaf: Leaf): { kind: 'ipv4' | 'ipv6'; bytes: number[] } | undefined {
  if (typeof leaf !== 'string') return undefined;
  let text = leaf.trim();
  const zone = text.indexOf('%');
  if (zone > 0) text = text.slice(0, zone);
  if (!ipaddr.isValid(text)) return undefined;
  let addr = ipaddr.parse(text);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  // ipaddr.isValid accepts legacy forms ("10.1", "0x0a.0.0.1"); an address in a log is written in full.
  if (addr.kind() === 'ipv4' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(text) && !text.includes(':')) return undefined;
  return { kind: addr.kind(), bytes: addr.toByteArray() };
}

export function inRange(ip: { kind: string; bytes: number[] }, r: CidrRange): boolean {
  if (ip.kind !== r.kind) return false;
  let bits = r.prefix;
  for (let i = 0; i < r.bytes.length && bits > 0; i++) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip.bytes[i]! & mask) !== (r.bytes[i]! & mask)) return false;
    bits -= 8;
  }
  return true;
}

function cidrLeafMatcher(r: CidrRange): LeafMatcher {
  return {
    display: r.text,
    test: (leaf) => {
      const ip = leafIp(leaf);
      return ip !== undefined && inRange(ip, r);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Field references

function refMatch(mode: MatchMode, a: string, b: string): boolean {
  switch (mode) {
    case 'exact':
      return a === b;
    case 'contains':
      return a.includes(b);
    case 'startswith':
      return a.startsWith(b);
    case 'endswith':
      return a.endsWith(b);
  }
}

function fieldrefLeafMatcher(ref: string, mode: MatchMode, cased: boolean): LeafMatcher {
  const path = new FieldPath(ref);
  return {
    display: `${mode === 'exact' ? '' : `${mode} `}field ${ref}`,
    test: (leaf, fields) => {
      const a = leafText(leaf);
      if (a === undefined) return false;
      const left = cased ? a : a.toLowerCase();
      return someLeaf(resolveField(fields, path), (other) => {
        const b = leafText(other);
        return b !== undefined && refMatch(mode, left, cased ? b : b.toLowerCase());
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Regular expressions

function regexLeafMatcher(p: RegexPattern): LeafMatcher {
  const re = compileRegex(p.source, p.flags);
  const display = `/${p.source}/${p.flags}`;
  const lit = p.literal;
  if (lit === undefined) {
    return {
      display,
      test: (leaf) => {
        const t = leafText(leaf);
        return t !== undefined && re.test(t);
      },
    };
  }
  // A plain substring search rules out most texts before the (backtracking) regular expression runs.
  const ci = p.flags.includes('i');
  const needle = ci ? lit.toLowerCase() : lit;
  return {
    display,
    test: (leaf) => {
      const t = leafText(leaf);
      if (t === undefined) return false;
      if (ci) {
        forms.reset(t);
        if (!forms.get(Form.Lower).includes(needle)) return false;
      } else if (!t.includes(needle)) return false;
      return re.test(t);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Items

const matcherCache = new WeakMap<ValueTest, LeafMatcher[]>();

/** One leaf matcher per rule value (used for `all`, explanations, and as the generic path). Cached per test. */
export function leafMatchers(test: ValueTest): LeafMatcher[] {
  let m = matcherCache.get(test);
  if (!m) {
    m = buildLeafMatchers(test);
    matcherCache.set(test, m);
  }
  return m;
}

function buildLeafMatchers(test: ValueTest): LeafMatcher[] {
  switch (test.kind) {
    case 'string':
      return test.patterns.map(stringLeafMatcher);
    case 'regex':
      return test.patterns.map(regexLeafMatcher);
    case 'compare':
      return test.values.map((v) => compareLeafMatcher(test.op, v, test.part));
    case 'cidr':
      return test.ranges.map(cidrLeafMatcher);
    case 'fieldref':
      return test.refs.map((r) => fieldrefLeafMatcher(r, test.mode, test.cased));
    case 'null':
    case 'exists':
      return [];
  }
}

const predicateCache = new WeakMap<DetectionItem, ValuePredicate>();

/** Compile an item (field already resolved by the caller) to a predicate, including `all` and `neq`. Cached. */
export function compileItemPredicate(item: DetectionItem): ValuePredicate {
  let p = predicateCache.get(item);
  if (!p) {
    const base = compilePositive(item);
    p = item.negated ? (v, f) => !base(v, f) : base;
    predicateCache.set(item, p);
  }
  return p;
}

function compilePositive(item: DetectionItem): ValuePredicate {
  const test = item.test;
  if (test.kind === 'null') return (v) => v === undefined || v === null;
  if (test.kind === 'exists') return test.want ? (v) => v !== undefined : (v) => v === undefined;
  const matchers = leafMatchers(test);
  if (item.all) {
    return (v, fields) => {
      if (v === undefined || v === null) return false;
      for (const m of matchers) if (!someLeaf(v, (leaf) => m.test(leaf, fields))) return false;
      return true;
    };
  }
  if (test.kind === 'string') {
    const any = stringAnyLeaf(test.patterns);
    return (v) => {
      if (v === undefined || v === null) return false;
      if (typeof v !== 'object') return any(v as Leaf);
      return someLeaf(v, any);
    };
  }
  if (matchers.length === 1) {
    const m = matchers[0]!;
    return (v, fields) => someLeaf(v, (leaf) => m.test(leaf, fields));
  }
  return (v, fields) => someLeaf(v, (leaf) => matchers.some((m) => m.test(leaf, fields)));
}

/**
 * For items whose values all compare case-insensitively as text: a predicate over the lower-cased text of a
 * string field, so the engine can lower-case each field once per record for all such items. Undefined otherwise.
 */
export function compileLowerPredicate(item: DetectionItem): ((lower: string) => boolean) | undefined {
  const test = item.test;
  if (test.kind !== 'string' || item.all) return undefined;
  if (test.patterns.some((p) => p.cased || p.value.binary)) return undefined;
  const set = new Set<string>();
  const others: ((t: string) => boolean)[] = [];
  for (const p of test.patterns) {
    const parts = p.value.parts;
    if (parts.length === 0 || (parts.length === 1 && typeof parts[0] === 'string')) {
      set.add(((parts[0] as string | undefined) ?? '').toLowerCase());
    } else others.push(stringFn(p).fn);
  }
  const negated = item.negated;
  const n = others.length;
  return (l) => {
    let r = set.has(l);
    for (let i = 0; !r && i < n; i++) r = others[i]!(l);
    return negated ? !r : r;
  };
}

/**
 * Why an item is true: the values that matched (for negated items, what the field held instead).
 * Returns undefined when the item is false. Only called for rules that matched, so it may allocate.
 */
export function explainItem(
  item: DetectionItem,
  value: unknown,
  fields: Fields,
  raw: unknown = value,
): MatchedValue[] | undefined {
  if (!compileItemPredicate(item)(value, fields)) return undefined;
  return describeItem(item, value, fields, leafMatchers(item.test), raw);
}

/**
 * The values behind an item already known to be true. `value` is what the test saw; `raw` the record's value before
 * pipeline transformations (same shape), which is what explanations cite.
 */
export function describeItem(
  item: DetectionItem,
  value: unknown,
  fields: Fields,
  matchers: LeafMatcher[] = leafMatchers(item.test),
  raw: unknown = value,
): MatchedValue[] {
  const field = item.ruleField;
  const modifiers = item.modifiers;
  const test = item.test;
  if (item.negated) return [{ field, modifiers, expected: `not ${describeTest(test)}`, actual: firstLeaf(raw) }];
  if (test.kind === 'null') return [{ field, modifiers, expected: 'null', actual: raw ?? null }];
  if (test.kind === 'exists') {
    return [{ field, modifiers, expected: test.want ? 'exists' : 'absent', actual: raw === undefined ? null : raw }];
  }
  const out: MatchedValue[] = [];
  for (let i = 0; i < matchers.length; i++) {
    const m = matchers[i]!;
    let hit: Leaf | undefined;
    let ordinal = 0;
    if (value !== null && typeof value !== 'object') {
      if (m.test(value as Leaf, fields)) hit = value as Leaf;
    } else {
      someLeaf(value, (leaf) => {
        if (m.test(leaf, fields)) {
          hit = leaf;
          return true;
        }
        ordinal++;
        return false;
      });
    }
    if (hit !== undefined) {
      out.push({ field, modifiers, expected: m.display, actual: raw === value ? hit : nthLeaf(raw, ordinal) });
      if (!item.all) break;
    }
  }
  return out;
}

/** The `n`-th leaf (someLeaf order) of a value. */
function nthLeaf(v: unknown, n: number): unknown {
  let found: unknown;
  let k = 0;
  someLeaf(v, (leaf) => {
    if (k++ !== n) return false;
    found = leaf;
    return true;
  });
  return found;
}

function firstLeaf(v: unknown): unknown {
  let first: unknown = v === undefined ? null : v;
  someLeaf(v, (leaf) => {
    first = leaf;
    return true;
  });
  return first;
}

export function describeTest(test: ValueTest): string {
  switch (test.kind) {
    case 'null':
      return 'null';
    case 'exists':
      return test.want ? 'exists' : 'absent';
    default:
      return leafMatchers(test)
        .map((m) => m.display)
        .join(' | ');
  }
}

export { ONE, STAR };
