/**
 * Matching of a rule's content/pcre/bsize/urilen keywords on one buffer value (netfw.md §9). Content positions
 * follow Suricata: `offset`/`depth` are absolute, `distance`/`within` relative to the previous match's end, with
 * backtracking when a later relative match fails. Buffers are latin1 byte strings (one char = one byte).
 */
import type { ContentMatch, Match, PcreMatch } from './types.js';

/** A compiled matcher for all matches of one buffer. */
export type BufferMatcher = (value: string) => boolean;

export type Compiled<T> = { ok: true; value: T } | { ok: false; reason: string };

function applyTransforms(v: string, transforms: readonly string[]): string {
  let out = v;
  for (const t of transforms) {
    if (t === 'dotprefix') out = `.${out}`;
    else if (t === 'to_lowercase') out = out.toLowerCase();
    else if (t === 'to_uppercase') out = out.toUpperCase();
    else if (t === 'strip_whitespace') out = out.replace(/\s+/g, '');
    else if (t === 'compress_whitespace') out = out.replace(/\s+/g, ' ');
  }
  return out;
}

const EVALUABLE_TRANSFORMS = new Set([
  'dotprefix',
  'to_lowercase',
  'to_uppercase',
  'strip_whitespace',
  'compress_whitespace',
]);

/** Translate a PCRE body and flags to a JS RegExp, or explain why not. Buffer flags are handled by the parser. */
export function pcreToRegExp(p: PcreMatch): Compiled<RegExp> {
  let flags = '';
  for (const f of p.flags) {
    if (f === 'i') flags += 'i';
    else if (f === 's') flags += 's';
    else if (f === 'm') flags += 'm';
    else if (f === 'R') return { ok: false, reason: 'relative pcre (R) needs payload positions' };
    else if (f === 'x') return { ok: false, reason: 'extended pcre (x) is not translated' };
  }
  if (/\(\?[<]?[=!]?[imsx-]+[):]|\\[AZzQEG]|\(\?[P>|#]|\\[pP]\{|\(\?R|\(\*/.test(p.source))
    return { ok: false, reason: 'pcre uses syntax JavaScript regular expressions lack' };
  try {
    let src = p.source;
    if (p.flags.includes('A')) src = `^(?:${src})`;
    return { ok: true, value: new RegExp(src, flags) };
  } catch (e) {
    return { ok: false, reason: `pcre does not compile as a JavaScript RegExp: ${(e as Error).message}` };
  }
}

function num(v: number | string | undefined): number | undefined | null {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? v : null; // byte_extract variables need payload: not evaluable
}

interface Step {
  c: ContentMatch;
  needle: string;
  offset?: number;
  depth?: number;
  distance?: number;
  within?: number;
}

/** Try contents from index `i` with the previous match ending at `prevEnd`; backtracks over candidate positions. */
function matchFrom(hay: string, hayLower: string, steps: Step[], i: number, prevEnd: number): boolean {
  if (i >= steps.length) return true;
  const s = steps[i] as Step;
  const h = s.c.nocase ? hayLower : hay;
  const relative = s.distance !== undefined || s.within !== undefined;
  let start = relative ? prevEnd + (s.distance ?? 0) : (s.offset ?? 0);
  if (start < 0) start = 0;
  let limit = h.length; // the match must end at or before limit
  if (relative && s.within !== undefined) limit = Math.min(limit, prevEnd + (s.distance ?? 0) + s.within);
  if (!relative && s.depth !== undefined) limit = Math.min(limit, (s.offset ?? 0) + s.depth);
  if (s.c.startswith) limit = Math.min(limit, start + s.needle.length);
  if (s.c.negated) {
    const window = h.slice(start, limit);
    const found = s.c.endswith ? window.endsWith(s.needle) : window.includes(s.needle);
    return !found && matchFrom(hay, hayLower, steps, i + 1, prevEnd);
  }
  let pos = h.indexOf(s.needle, start);
  while (pos >= 0 && pos + s.needle.length <= limit) {
    const end = pos + s.needle.length;
    if ((!s.c.endswith || end === h.length) && matchFrom(hay, hayLower, steps, i + 1, end)) return true;
    pos = h.indexOf(s.needle, pos + 1);
  }
  return false;
}

/** Compile all matches of one buffer into a predicate on the buffer value, or explain why it cannot be evaluated. */
export function compileBuffer(matches: readonly Match[]): Compiled<BufferMatcher> {
  const steps: Step[] = [];
  const regexes: { re: RegExp; negated: boolean }[] = [];
  const lengths: ((n: number) => boolean)[] = [];
  let transforms: readonly string[] = [];
  for (const m of matches) {
    for (const t of m.kind === 'other' ? [] : m.transforms)
      if (!EVALUABLE_TRANSFORMS.has(t)) return { ok: false, reason: `transform ${t} is not evaluated` };
    if (m.kind !== 'other' && m.transforms.length > 0) transforms = m.transforms;
    if (m.kind === 'content') {
      const o = num(m.offset);
      const d = num(m.depth);
      const di = num(m.distance);
      const w = num(m.within);
      if (o === null || d === null || di === null || w === null)
        return { ok: false, reason: 'content positions use byte_extract variables' };
      // All fields present (undefined when absent): one object shape, no spread temporaries.
      steps.push({
        c: m,
        needle: m.nocase ? m.bytes.toLowerCase() : m.bytes,
        offset: o,
        depth: d,
        distance: di,
        within: w,
      });
    } else if (m.kind === 'pcre') {
      const r = pcreToRegExp(m);
      if (!r.ok) return r;
      regexes.push({ re: r.value, negated: m.negated });
    } else if (m.name === 'bsize' || m.name === 'urilen') {
      const t = lengthTest(m.value ?? '');
      if (!t) return { ok: false, reason: `${m.name}:${m.value} is not understood` };
      lengths.push(t);
    } else return { ok: false, reason: `${m.name} needs payload bytes no log carries` };
  }
  return {
    ok: true,
    value: (raw: string) => {
      const v = transforms.length > 0 ? applyTransforms(raw, transforms) : raw;
      for (const l of lengths) if (!l(v.length)) return false;
      if (steps.length > 0 && !matchFrom(v, v.toLowerCase(), steps, 0, 0)) return false;
      for (const r of regexes) if (r.re.test(v) === r.negated) return false;
      return true;
    },
  };
}

/** `bsize`/`urilen`: `N`, `<N`, `>N`, `<=N`, `>=N`, `N<>M`, `N-M` (with an optional `,raw|norm` suffix). */
export function lengthTest(value: string): ((n: number) => boolean) | undefined {
  const v = value.split(',')[0]?.trim() ?? '';
  let m = /^(\d+)\s*(?:<>|-)\s*(\d+)$/.exec(v);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    return (n) => n > a && n < b;
  }
  m = /^(<=|>=|<|>|=)?\s*(\d+)$/.exec(v);
  if (!m) return undefined;
  const x = Number(m[2]);
  switch (m[1]) {
    case '<':
      return (n) => n < x;
    case '>':
      return (n) => n > x;
    case '<=':
      return (n) => n <= x;
    case '>=':
      return (n) => n >= x;
    default:
      return (n) => n === x;
  }
}
