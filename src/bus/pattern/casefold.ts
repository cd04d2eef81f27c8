/**
 * equals-ignore-case as event-ruler defines it: each character of the pattern matches either its lower-case or
 * its upper-case form (Locale.ROOT), so "ß" matches "ß" or "SS". (event-ruler works per UTF-16 unit; we work per
 * code point, which only differs for astral characters.)
 */

const ASCII = /^[\x00-\x7f]*$/;

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** A regex source matching the case alternatives of `pattern` in sequence. */
function alternativesSource(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    out += lower === upper ? escapeRegex(lower) : `(?:${escapeRegex(lower)}|${escapeRegex(upper)})`;
  }
  return out;
}

export type CaseMode = 'exact' | 'prefix' | 'suffix';

/** Compiled ignore-case matcher for `pattern` anchored as an exact, prefix or suffix match. */
export function ignoreCaseRegex(pattern: string, mode: CaseMode): RegExp {
  const body = alternativesSource(pattern);
  if (mode === 'exact') return new RegExp(`^${body}$`);
  if (mode === 'prefix') return new RegExp(`^${body}`);
  return new RegExp(`${body}$`);
}

function foldChar(ch: string): string {
  return ch.toUpperCase().toLowerCase();
}

/**
 * A case-folded key: if a value matches a pattern ignoring case then `foldKey(value)` equals (or, for prefix and
 * suffix, starts/ends with) `foldKey(pattern)` — whenever `foldStable(pattern)` holds. Used only to find
 * candidates; the regex above decides.
 */
export function foldKey(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += foldChar(ch);
  return out;
}

/** True when folding each character's case alternatives gives the same key, so `foldKey` is a safe index key. */
export function foldStable(pattern: string): boolean {
  for (const ch of pattern) {
    const key = foldChar(ch);
    if (foldKey(ch.toLowerCase()) !== key || foldKey(ch.toUpperCase()) !== key) return false;
  }
  return true;
}
