/**
 * Sigma string values: escape processing, wildcards and the conversions the modifiers need.
 *
 * Escaping (spec §3.2, same reading as pySigma): a backslash escapes the next character only when that character
 * is `*`, `?` or `\`; any other backslash is literal. So `\*` is a literal star, `\\*` a backslash then a
 * wildcard, `\\\*` a backslash then a literal star, and `\\\`/`\\\\` two backslashes.
 */

import { type CharClass, ONE, type SigmaString, STAR, type StrPart } from './types.js';

/** Parse a rule string into literal runs and wildcards. */
export function parseSigmaString(text: string): SigmaString {
  const parts: StrPart[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        lit += next;
        i++;
      } else {
        lit += c;
      }
    } else if (c === '*' || c === '?') {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(c === '*' ? STAR : ONE);
    } else {
      lit += c;
    }
  }
  if (lit) parts.push(lit);
  return { parts, binary: false };
}

/** A string with no wildcards. */
export function plainString(text: string, binary = false): SigmaString {
  return { parts: text ? [text] : [], binary };
}

export function isCharClass(p: StrPart): p is CharClass {
  return typeof p === 'object';
}

export function hasSpecial(s: SigmaString): boolean {
  return s.parts.some((p) => typeof p !== 'string');
}

/** The literal text of a string without wildcards (callers check `hasSpecial` first). */
export function literalText(s: SigmaString): string {
  let out = '';
  for (const p of s.parts) if (typeof p === 'string') out += p;
  return out;
}

export function startsWithStar(s: SigmaString): boolean {
  return s.parts[0] === STAR;
}

export function endsWithStar(s: SigmaString): boolean {
  return s.parts[s.parts.length - 1] === STAR;
}

/** Merge adjacent literals and collapse runs of `*` (they are equivalent to one). */
export function normalize(s: SigmaString): SigmaString {
  const parts: StrPart[] = [];
  for (const p of s.parts) {
    const last = parts[parts.length - 1];
    if (typeof p === 'string') {
      if (!p) continue;
      if (typeof last === 'string') parts[parts.length - 1] = last + p;
      else parts.push(p);
    } else if (p === STAR && last === STAR) {
      // `**` matches exactly what `*` matches.
    } else {
      parts.push(p);
    }
  }
  return { parts, binary: s.binary };
}

/** Human-readable form, re-escaped so it reads like the rule value. */
export function displayString(s: SigmaString): string {
  let out = '';
  for (const p of s.parts) {
    if (p === STAR) out += '*';
    else if (p === ONE) out += '?';
    else if (typeof p === 'string') {
      const text = s.binary ? toHexIfBinary(p) : p;
      out += text.replace(/[\\*?]/g, (m) => `\\${m}`);
    } else out += `[${p.chars}]`;
  }
  return out;
}

function toHexIfBinary(p: string): string {
  // Binary literals (UTF-16 bytes without a Base64 step) are unreadable as text: show them as hex.
  let out = '';
  for (let i = 0; i < p.length; i++) out += `\\x${p.charCodeAt(i).toString(16).padStart(2, '0')}`;
  return out;
}

// Escapes valid in Unicode-mode regular expressions (which reject needless escapes such as `\-`).
const REGEX_META = /[\\^$.*+?()[\]{}|/]/g;
const CLASS_META = /[\\\]^-]/g;

export function escapeRegex(text: string): string {
  return text.replace(REGEX_META, '\\$&');
}

function escapeClass(text: string): string {
  return text.replace(CLASS_META, '\\$&');
}

/** Anchored regular-expression source for a wildcard string (`*` → any run, `?` → one character). */
export function toRegexSource(s: SigmaString, lower: boolean): string {
  let src = '^';
  for (const p of s.parts) {
    if (p === STAR) src += '[\\s\\S]*';
    else if (p === ONE) src += '[\\s\\S]';
    else if (typeof p === 'string') src += escapeRegex(lower ? p.toLowerCase() : p);
    else src += `[${escapeClass(lower ? p.chars.toLowerCase() : p.chars)}]`;
  }
  return `${src}$`;
}

/** Every concrete string a value with character classes stands for (classes expanded; wildcards must be absent). */
export function expandClasses(s: SigmaString, limit: number): string[] | undefined {
  let out = [''];
  for (const p of s.parts) {
    if (typeof p === 'string') out = out.map((o) => o + p);
    else if (isCharClass(p)) {
      const next: string[] = [];
      for (const o of out) for (const ch of p.chars) next.push(o + ch);
      out = next;
      if (out.length > limit) return undefined;
    } else return undefined;
  }
  return out;
}

/** Lower-case the literal parts (binary strings keep their bytes). */
export function lowerString(s: SigmaString): SigmaString {
  if (s.binary) return s;
  return {
    parts: s.parts.map((p) =>
      typeof p === 'string' ? p.toLowerCase() : isCharClass(p) ? { chars: p.chars.toLowerCase() } : p,
    ),
    binary: false,
  };
}
