/**
 * Detection items: `field|mod1|mod2: value(s)` → a compiled ValueTest.
 *
 * Modifiers apply left to right (spec §4). Value transformations (windash, utf16*, base64*, contains/startswith/
 * endswith) work on every value and may expand one value into several (OR-ed). Type-changing modifiers (re, cidr,
 * lt/lte/gt/gte, time parts, fieldref, exists) decide the kind of test. `all`, `neq` and `cased` change how the
 * values combine or compare. Anything the spec does not define, or a combination that has no meaning, is an error.
 */

import ipaddr from 'ipaddr.js';
import { RegexError, translateRegex } from './regex.js';
import {
  type CidrRange,
  type CompareOp,
  type DetectionItem,
  type MatchMode,
  type RegexPattern,
  type SigmaString,
  STAR,
  type StringPattern,
  type StrPart,
  type TimePart,
  type ValueTest,
} from './types.js';
import {
  displayString,
  expandClasses,
  hasSpecial,
  isCharClass,
  literalText,
  normalize,
  parseSigmaString,
  plainString,
} from './values.js';

/** Every modifier name of Sigma 2.1 (the same set as pySigma's `modifier_mapping`). */
export const MODIFIERS = new Set([
  'contains',
  'startswith',
  'endswith',
  'exists',
  'base64',
  'base64offset',
  'wide',
  'utf16le',
  'utf16be',
  'utf16',
  'windash',
  're',
  'i',
  'ignorecase',
  'm',
  'multiline',
  's',
  'dotall',
  'cidr',
  'all',
  'lt',
  'lte',
  'gt',
  'gte',
  'neq',
  'fieldref',
  'expand',
  'cased',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
]);

const TIME_PARTS = new Set<string>(['minute', 'hour', 'day', 'week', 'month', 'year']);
const COMPARE = new Set<string>(['lt', 'lte', 'gt', 'gte']);
const MATCH_MODES = new Set<string>(['contains', 'startswith', 'endswith']);
const ENCODINGS = new Set<string>(['base64', 'base64offset', 'wide', 'utf16le', 'utf16be', 'utf16']);
const RE_FLAGS: Record<string, string> = { i: 'i', ignorecase: 'i', m: 'm', multiline: 'm', s: 's', dotall: 's' };

/** The characters `windash` makes interchangeable: hyphen, slash, en dash, em dash, horizontal bar. */
export const WINDASH_CHARS = '-/\u2013\u2014\u2015';

/** Upper bound on how many values one rule value may expand to (placeholders × windash × …). */
const MAX_EXPANSION = 4096;

export class ItemError extends Error {}

export interface ItemOptions {
  /** Placeholder name (without `%`) → values, for the `expand` modifier. */
  placeholders: Record<string, string[]>;
  /** Path of the item in the document (for explanations). */
  path: string;
}

/** Split `field|mod|mod` into the field (null for keywords) and the modifier names, validating names. */
export function splitKey(key: string): { field: string | null; modifiers: string[] } {
  const pieces = key.split('|');
  const field = pieces[0] === '' ? null : pieces[0]!;
  const modifiers = pieces.slice(1);
  for (const m of modifiers) {
    if (m === '') throw new ItemError(`empty modifier in '${key}'`);
    if (!MODIFIERS.has(m)) throw new ItemError(`unknown modifier '${m}'`);
  }
  const seen = new Set<string>();
  for (const m of modifiers) {
    if (seen.has(m)) throw new ItemError(`modifier '${m}' is repeated`);
    seen.add(m);
  }
  return { field, modifiers };
}

type Scalar = string | number | boolean;

/** Compile one detection item. `raw` is the YAML value (scalar or list). Throws ItemError. */
export function compileItem(
  field: string | null,
  ruleField: string | null,
  modifiers: string[],
  raw: unknown,
  opts: ItemOptions,
): DetectionItem {
  const isList = Array.isArray(raw);
  const values: unknown[] = isList ? (raw as unknown[]) : [raw];
  if (isList && values.length === 0) throw new ItemError('empty value list');
  for (const v of values) {
    if (v !== null && typeof v === 'object') throw new ItemError('values must be scalars (string, number, boolean)');
    if (v === null && values.length > 1) throw new ItemError('null cannot be part of a value list');
  }
  const mods = new Set(modifiers);
  const all = mods.has('all');
  const negated = mods.has('neq');
  const cased = mods.has('cased');
  if (all && (!isList || values.length < 2)) {
    throw new ItemError("modifier 'all' needs a list of two or more values");
  }
  const base = { field, ruleField, modifiers, all, negated, path: opts.path };
  const make = (test: ValueTest): DetectionItem => ({ ...base, test });

  // Modifiers other than the list-level ones (`all`, `neq`) and `cased`, in order.
  const chain = modifiers.filter((m) => m !== 'all' && m !== 'neq');

  if (values.length === 1 && values[0] === null) {
    if (chain.length > 0) throw new ItemError(`modifier '${chain[0]}' cannot be applied to null`);
    return make({ kind: 'null' });
  }
  const scalars = values as Scalar[];

  if (mods.has('exists')) {
    if (field === null) throw new ItemError("modifier 'exists' needs a field");
    if (chain.length !== 1 || all) throw new ItemError("modifier 'exists' cannot be combined with other modifiers");
    if (scalars.length !== 1 || typeof scalars[0] !== 'boolean') {
      throw new ItemError("modifier 'exists' needs a boolean value (true or false)");
    }
    return make({ kind: 'exists', want: scalars[0] as boolean });
  }

  if (mods.has('re')) return make(compileRegexTest(chain, scalars, opts));

  if (mods.has('cidr')) {
    const other = chain.find((m) => m !== 'cidr' && m !== 'expand');
    if (other) throw new ItemError(`modifier 'cidr' cannot be combined with '${other}'`);
    // Network lists are a natural placeholder (`SourceIp|cidr|expand: '%internal_networks%'`).
    const texts = mods.has('expand')
      ? scalars.flatMap((v) => expandPlaceholders(scalarText(v), opts.placeholders))
      : scalars.map(scalarText);
    return make({ kind: 'cidr', ranges: texts.map(parseCidr) });
  }

  const timePart = chain.find((m) => TIME_PARTS.has(m)) as TimePart | undefined;
  const compare = chain.filter((m) => COMPARE.has(m));
  if (timePart || compare.length > 0) {
    if (compare.length > 1)
      throw new ItemError(`only one of lt, lte, gt, gte may be used (found ${compare.join(', ')})`);
    const allowed = chain.filter((m) => !TIME_PARTS.has(m) && !COMPARE.has(m));
    if (allowed.length > 0) {
      throw new ItemError(`modifier '${allowed[0]}' cannot be combined with numeric or time modifiers`);
    }
    if (chain.filter((m) => TIME_PARTS.has(m)).length > 1) throw new ItemError('only one time modifier may be used');
    if (timePart && compare.length === 1 && chain.indexOf(timePart) > chain.indexOf(compare[0]!)) {
      throw new ItemError(`time modifier '${timePart}' must come before '${compare[0]}'`);
    }
    const nums = scalars.map((v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
      if (!Number.isFinite(n)) throw new ItemError(`value '${String(v)}' is not a number`);
      if (timePart && !Number.isInteger(n)) throw new ItemError(`time modifier '${timePart}' needs an integer`);
      return n;
    });
    const op = (compare[0] as CompareOp | undefined) ?? 'eq';
    return make({ kind: 'compare', op, values: nums, ...(timePart ? { part: timePart } : {}) });
  }

  // Expansion happens on the rule text before wildcard parsing, wherever `expand` sits in the chain.
  let texts: string[] = scalars.map(scalarText);
  if (mods.has('expand')) texts = texts.flatMap((t) => expandPlaceholders(t, opts.placeholders));

  if (mods.has('fieldref')) {
    const bad = chain.find((m) => m !== 'fieldref' && m !== 'cased' && m !== 'expand' && !MATCH_MODES.has(m));
    if (bad) throw new ItemError(`modifier '${bad}' cannot be combined with 'fieldref'`);
    const modes = chain.filter((m) => MATCH_MODES.has(m));
    if (modes.length > 1) throw new ItemError(`only one of contains, startswith, endswith may be used with fieldref`);
    for (const t of texts) {
      if (hasSpecial(parseSigmaString(t)) || t.includes('*') || t.includes('?')) {
        throw new ItemError(`field reference '${t}' must not contain wildcards`);
      }
      if (t === '') throw new ItemError('field reference must name a field');
    }
    return make({ kind: 'fieldref', refs: texts, mode: (modes[0] as MatchMode | undefined) ?? 'exact', cased });
  }

  // String values through the transformation chain.
  const stringChain = chain.filter((m) => m !== 'cased' && m !== 'expand');
  for (const m of stringChain) {
    if (RE_FLAGS[m] !== undefined) throw new ItemError(`modifier '${m}' is a regular-expression flag and needs 're'`);
  }
  // Field-less keyword searches without value modifiers match anywhere in a leaf (spec §9: `*K*`).
  const implicitContains = field === null && stringChain.length === 0;
  const effective = implicitContains ? ['contains'] : stringChain;
  const patterns: StringPattern[] = [];
  for (const text of texts) {
    let current: { s: SigmaString; cased: boolean }[] = [{ s: parseSigmaString(text), cased }];
    for (const m of effective) {
      current = current.flatMap((v) => applyStringModifier(m, v));
      if (current.length > MAX_EXPANSION) {
        throw new ItemError(`value '${text}' expands to more than ${MAX_EXPANSION} variants`);
      }
    }
    for (const v of current) {
      const s = normalize(v.s);
      patterns.push({ display: displayString(s), value: s, cased: v.cased });
    }
  }
  return make({ kind: 'string', patterns });
}

function scalarText(v: Scalar): string {
  return typeof v === 'string' ? v : String(v);
}

function applyStringModifier(m: string, v: { s: SigmaString; cased: boolean }): { s: SigmaString; cased: boolean }[] {
  const { s } = v;
  if (MATCH_MODES.has(m)) {
    const parts = [...s.parts];
    if ((m === 'contains' || m === 'endswith') && parts[0] !== STAR) parts.unshift(STAR);
    if ((m === 'contains' || m === 'startswith') && parts[parts.length - 1] !== STAR) parts.push(STAR);
    return [{ s: { parts, binary: s.binary }, cased: v.cased }];
  }
  if (m === 'windash') {
    if (s.binary) throw new ItemError("modifier 'windash' must come before encoding modifiers");
    const parts = s.parts.flatMap((p): StrPart[] => {
      if (typeof p !== 'string') return [p];
      const out: SigmaString['parts'] = [];
      let lit = '';
      for (const ch of p) {
        if (WINDASH_CHARS.includes(ch)) {
          if (lit) out.push(lit);
          lit = '';
          out.push({ chars: WINDASH_CHARS });
        } else lit += ch;
      }
      if (lit) out.push(lit);
      return out;
    });
    return [{ s: { parts, binary: false }, cased: v.cased }];
  }
  if (ENCODINGS.has(m)) {
    // Byte-level encodings need concrete strings: expand windash classes first.
    const variants = s.parts.some(isCharClass) ? expandClassesOrFail(s) : [s];
    return variants.flatMap((one) => encode(m, one).map((e) => ({ s: e, cased: e.binary || m.startsWith('base64') })));
  }
  throw new ItemError(`modifier '${m}' cannot be applied to a string value`);
}

function expandClassesOrFail(s: SigmaString): SigmaString[] {
  if (s.parts.some((p) => p === STAR || typeof p === 'symbol')) {
    throw new ItemError('encoding a value with both windash and wildcards is not supported');
  }
  const all = expandClasses(s, MAX_EXPANSION);
  if (!all) throw new ItemError(`value expands to more than ${MAX_EXPANSION} variants`);
  return all.map((t) => plainString(t, s.binary));
}

function bytesOf(s: SigmaString): Buffer {
  const text = literalText(s);
  return Buffer.from(text, s.binary ? 'latin1' : 'utf8');
}

function encode(m: string, s: SigmaString): SigmaString[] {
  if (m === 'base64' || m === 'base64offset') {
    if (hasSpecial(s)) throw new ItemError(`${m} encoding of a value with wildcards is not allowed`);
    const data = bytesOf(s);
    if (m === 'base64') return [plainString(data.toString('base64'))];
    return base64Offsets(data).map((t) => plainString(t));
  }
  // UTF-16 variants encode each literal run and keep wildcards where they are.
  const parts = s.parts.map((p): StrPart => {
    if (typeof p !== 'string') return p;
    const src = s.binary ? Buffer.from(p, 'latin1').toString('utf8') : p;
    const bytes = m === 'utf16be' ? utf16be(src) : Buffer.from(src, 'utf16le');
    return bytes.toString('latin1');
  });
  if (m === 'utf16') parts.unshift('\xff\xfe');
  return [{ parts, binary: true }];
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) {
    const a = le[i]!;
    le[i] = le[i + 1]!;
    le[i + 1] = a;
  }
  return le;
}

/**
 * The three Base64 forms of `data` appearing at byte offset 0, 1 or 2 of a larger encoded string: prefix the
 * offset with filler bytes, encode, and cut the characters that depend on the unknown neighbours (the first 0, 2
 * or 3 and, depending on `(len + offset) mod 3`, the last 0, 3 or 2).
 */
export function base64Offsets(data: Buffer): string[] {
  const startCut = [0, 2, 3];
  const endCut = [0, 3, 2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), data]).toString('base64');
    const end = endCut[(data.length + i) % 3]!;
    out.push(enc.slice(startCut[i], enc.length - end));
  }
  return out;
}

/** `%name%` placeholders (with `\%` for a literal percent) → every combination of the configured values. */
export function expandPlaceholders(text: string, placeholders: Record<string, string[]>): string[] {
  let results = [''];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '%') {
      results = results.map((r) => `${r}%`);
      i += 2;
      continue;
    }
    if (c === '%') {
      const end = text.indexOf('%', i + 1);
      if (end > i + 1) {
        const name = text.slice(i + 1, end);
        const values = Object.hasOwn(placeholders, name) ? placeholders[name] : undefined;
        if (!values || values.length === 0) {
          throw new ItemError(`placeholder '%${name}%' is not defined in the configuration (the rule is rejected)`);
        }
        const next: string[] = [];
        for (const r of results) for (const v of values) next.push(r + v);
        if (next.length > MAX_EXPANSION)
          throw new ItemError(`placeholders expand to more than ${MAX_EXPANSION} values`);
        results = next;
        i = end + 1;
        continue;
      }
    }
    results = results.map((r) => r + c);
    i++;
  }
  return results;
}

function compileRegexTest(chain: string[], values: Scalar[], opts: ItemOptions): ValueTest {
  const at = chain.indexOf('re');
  const before = chain.slice(0, at).filter((m) => m !== 'expand');
  if (before.length > 0) throw new ItemError(`modifier '${before[0]}' cannot be applied before 're'`);
  let flags = '';
  for (const m of chain.slice(at + 1)) {
    const f = RE_FLAGS[m];
    if (f !== undefined) {
      if (!flags.includes(f)) flags += f;
    } else if (MATCH_MODES.has(m)) {
      // Regular expressions are searched (unanchored), so contains/startswith/endswith add nothing.
    } else if (m !== 'expand') {
      throw new ItemError(`modifier '${m}' cannot be applied after 're'`);
    }
  }
  let texts = values.map(scalarText);
  if (chain.includes('expand')) texts = texts.flatMap((t) => expandPlaceholders(t, opts.placeholders));
  const patterns: RegexPattern[] = texts.map((t) => {
    try {
      const tr = translateRegex(t);
      let all = flags;
      for (const f of tr.flags) if (!all.includes(f)) all += f;
      return tr.literal ? { source: tr.source, flags: all, literal: tr.literal } : { source: tr.source, flags: all };
    } catch (err) {
      if (err instanceof RegexError) throw new ItemError(`regular expression '${t}': ${err.message}`);
      throw err;
    }
  });
  return { kind: 'regex', patterns };
}

function parseCidr(v: Scalar): CidrRange {
  const text = scalarText(v).trim();
  try {
    const [net, prefix] = ipaddr.parseCIDR(text);
    return { text, kind: net.kind(), bytes: net.toByteArray(), prefix };
  } catch {
    // A bare address is a host route (/32 or /128).
    if (ipaddr.isValid(text)) {
      const a = ipaddr.parse(text);
      return { text, kind: a.kind(), bytes: a.toByteArray(), prefix: a.kind() === 'ipv4' ? 32 : 128 };
    }
    throw new ItemError(`'${text}' is not an IPv4 or IPv6 CIDR range`);
  }
}
