/**
 * Wildcard patterns: `*` matches zero or more characters, `\*` is a literal star, `\\` a literal backslash; any
 * other escape and `**` are errors. Error positions are byte offsets in the quoted value (`"` + text + `"`), as
 * event-ruler reports them.
 */

const STAR = 42;
const BACKSLASH = 92;

/** Literal segments between stars: `a*b*` → ['a', 'b', '']. A pattern without stars has one segment. */
export type WildcardSegments = readonly string[];

const encoder = new TextEncoder();

/** Parse a wildcard text into segments, or return AWS's error text. */
export function parseWildcard(text: string): WildcardSegments | string {
  const bytes = encoder.encode(`"${text}"`);
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === STAR && bytes[i + 1] === STAR) return `Consecutive wildcard characters at pos ${i}`;
    if (bytes[i] === BACKSLASH) {
      const n = bytes[i + 1];
      // The closing quote is part of the scanned bytes, so a trailing backslash is an invalid escape.
      if (i + 1 < bytes.length && (n === STAR || n === BACKSLASH)) {
        i++;
        continue;
      }
      return `Invalid escape character at pos ${i}`;
    }
  }
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      current += text[i + 1];
      i++;
    } else if (c === STAR) {
      segments.push(current);
      current = '';
    } else {
      current += text[i];
    }
  }
  segments.push(current);
  return segments;
}

/**
 * Glob match over literal segments. The first segment anchors at the start, the last at the end; the middle ones
 * are found leftmost-first, which is optimal for `*`-only globs (no backtracking needed).
 */
export function wildcardMatches(segments: WildcardSegments, value: string): boolean {
  const n = segments.length;
  const first = segments[0];
  if (n === 1) return value === first;
  const last = segments[n - 1];
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let pos = first.length;
  const limit = value.length - last.length;
  for (let i = 1; i < n - 1; i++) {
    const seg = segments[i];
    if (seg === '') continue;
    const at = value.indexOf(seg, pos);
    if (at < 0 || at + seg.length > limit) return false;
    pos = at + seg.length;
  }
  return true;
}

/** The literal text before the first star (index key for candidate lookup). */
export function literalPrefix(segments: WildcardSegments): string {
  return segments[0];
}

/** The literal text after the last star, or '' when there is no star. */
export function literalSuffix(segments: WildcardSegments): string {
  return segments.length > 1 ? segments[segments.length - 1] : '';
}

/** Source text of segments (escaping stars and backslashes), for explanations. */
export function formatWildcard(segments: WildcardSegments): string {
  return segments.map((s) => s.replace(/[\\*]/g, (c) => `\\${c}`)).join('*');
}

const WILD = -1;

/** Byte-level tokens of a (quoted) wildcard value: byte values, WILD for a star. */
function tokens(segments: WildcardSegments, quoted: boolean): number[] {
  const out: number[] = quoted ? [34] : [];
  segments.forEach((seg, i) => {
    if (i > 0) out.push(WILD);
    for (const b of encoder.encode(seg)) out.push(b);
  });
  if (quoted) out.push(34);
  return out;
}

/**
 * Wildcard complexity in the sense of event-ruler's MachineComplexityEvaluator: the largest number of wildcard
 * pattern prefixes that one input value can match at the same time, summed over all patterns that share a field
 * machine. A prefix `p1..pj` of a pattern "matches" an input when the glob `p1..pj` matches the whole input.
 * Evaluation stops as soon as `cap` is exceeded. Values are quoted (`"…"`) as in event-ruler's machine; `quoted =
 * false` evaluates bare patterns.
 */
export function wildcardComplexity(patterns: readonly WildcardSegments[], cap: number, quoted = true): number {
  const toks = patterns.map((p) => tokens(p, quoted));
  const offsets: number[] = [];
  let total = 0;
  for (const t of toks) {
    offsets.push(total);
    total += t.length + 1;
  }
  // State id = offset of the pattern + number of tokens matched (0..length).
  const owner = new Int32Array(total);
  const posOf = new Int32Array(total);
  toks.forEach((t, p) => {
    for (let j = 0; j <= t.length; j++) {
      owner[offsets[p] + j] = p;
      posOf[offsets[p] + j] = j;
    }
  });
  const alphabet = new Set<number>([0]);
  for (const t of toks) for (const b of t) if (b !== WILD) alphabet.add(b);

  const closure = (set: Set<number>): Set<number> => {
    for (const s of [...set]) {
      const t = toks[owner[s]];
      let j = posOf[s];
      while (j < t.length && t[j] === WILD) {
        j++;
        set.add(offsets[owner[s]] + j);
      }
    }
    return set;
  };
  const start = new Set<number>();
  for (const off of offsets) start.add(off);
  closure(start);

  const seen = new Set<string>();
  let frontier: Set<number>[] = [start];
  let max = 0;
  let explored = 0;
  while (frontier.length > 0) {
    const next: Set<number>[] = [];
    for (const current of frontier) {
      for (const byte of alphabet) {
        const moved = new Set<number>();
        for (const s of current) {
          const t = toks[owner[s]];
          const j = posOf[s];
          if (j >= 1 && t[j - 1] === WILD) moved.add(s);
          if (j < t.length && t[j] === byte) moved.add(s + 1);
        }
        if (moved.size === 0) continue;
        closure(moved);
        const key = [...moved].sort((a, b) => a - b).join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        let size = 0;
        for (const s of moved) if (posOf[s] >= 1) size++;
        if (size > max) max = size;
        if (max > cap) return max;
        // A runaway state space is itself a sign of excess non-determinism.
        if (++explored > 200_000) return cap + 1;
        next.push(moved);
      }
    }
    frontier = next;
  }
  return max;
}
