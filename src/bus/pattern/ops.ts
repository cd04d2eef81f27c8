import { inRange } from './ip.js';
import { FALSE, type Leaf, type Matcher, NULL, NUMBER, STRING, TRUE } from './types.js';
import { wildcardMatches } from './wildcard.js';

/**
 * The semantics of each operator on one event leaf (event-ruler's, restated):
 * - string operators (exact, prefix, suffix, equals-ignore-case, wildcard, IP/cidr) accept string leaves only;
 * - number literals accept numbers equal as float64 (comparable literals) or with the same text (others);
 * - numeric ranges accept comparable numbers only;
 * - exists:true accepts any leaf, including null; exists:false accepts no leaf (it is satisfied by absence);
 * - every anything-but accepts any leaf not excluded, so numbers, booleans and null pass string exclusions and
 *   strings pass numeric exclusions.
 */
export function accepts(m: Matcher, leaf: Leaf): boolean {
  switch (m.kind) {
    case 'string':
      return leaf.kind === STRING && leaf.text === m.value;
    case 'number':
      if (leaf.kind !== NUMBER) return false;
      return m.value !== undefined ? leaf.num === m.value : leaf.text === m.text;
    case 'literal':
      return leaf.kind === (m.value === true ? TRUE : m.value === false ? FALSE : NULL);
    case 'ip': {
      const addr = leaf.ip();
      return addr !== null && inRange(addr, m.range);
    }
    case 'prefix':
      if (leaf.kind !== STRING) return false;
      return m.re ? m.re.test(leaf.text) : leaf.text.startsWith(m.value);
    case 'suffix':
      if (leaf.kind !== STRING) return false;
      return m.re ? m.re.test(leaf.text) : leaf.text.endsWith(m.value);
    case 'equals-ignore-case':
      return leaf.kind === STRING && m.re.test(leaf.text);
    case 'wildcard':
      return leaf.kind === STRING && wildcardMatches(m.segments, leaf.text);
    case 'numeric': {
      if (leaf.kind !== NUMBER || Number.isNaN(leaf.num)) return false;
      const v = leaf.num;
      return (m.loOpen ? v > m.lo : v >= m.lo) && (m.hiOpen ? v < m.hi : v <= m.hi);
    }
    case 'exists':
      return m.value;
    case 'anything-but':
      if (leaf.kind === STRING) return !m.strings.has(leaf.text);
      if (leaf.kind === NUMBER && !Number.isNaN(leaf.num)) return !m.numbers.has(leaf.num);
      return true;
    case 'anything-but-prefix':
      return leaf.kind !== STRING || !m.values.some((p) => leaf.text.startsWith(p));
    case 'anything-but-suffix':
      return leaf.kind !== STRING || !m.values.some((p) => leaf.text.endsWith(p));
    case 'anything-but-ignore-case':
      return leaf.kind !== STRING || !m.res.some((re) => re.test(leaf.text));
    case 'anything-but-wildcard':
      return leaf.kind !== STRING || !m.values.some((w) => wildcardMatches(w, leaf.text));
  }
}

/** Operator name of a matcher, for explanations. */
export function operatorName(m: Matcher): string {
  switch (m.kind) {
    case 'string':
    case 'number':
    case 'literal':
      return 'equals';
    case 'ip':
      return m.source.startsWith('{') ? 'cidr' : 'equals-ip';
    case 'prefix':
    case 'suffix':
      return m.ignoreCase ? `${m.kind}-equals-ignore-case` : m.kind;
    default:
      return m.kind;
  }
}
