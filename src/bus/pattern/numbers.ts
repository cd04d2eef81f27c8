/**
 * AWS's number rules (event-ruler `ComparableNumber`): a JSON number takes part in numeric matching only when its
 * decimal text is exactly the value of the float64 it rounds to (as Java's `BigDecimal.valueOf(double)` prints it);
 * NaN, infinities and anything that loses digits (e.g. 12345678901234567890) are "not comparable" and can then only
 * match their literal text. Negative zero does not exist (BigDecimal has no signed zero).
 */

/** Canonical form of a decimal literal: sign, significant digits and exponent (zero → "0"). */
export function canonicalDecimal(text: string): string {
  let i = 0;
  let neg = false;
  if (text.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  } else if (text.charCodeAt(0) === 43) {
    i = 1;
  }
  let digits = '';
  let exp = 0;
  let seenPoint = false;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits += text[i];
      if (seenPoint) exp--;
    } else if (c === 46) {
      seenPoint = true;
    } else if (c === 101 || c === 69) {
      exp += Number.parseInt(text.slice(i + 1), 10);
      break;
    } else {
      return `invalid:${text}`;
    }
  }
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 48) lead++;
  digits = digits.slice(lead);
  if (digits === '') return '0';
  let trail = digits.length;
  while (digits.charCodeAt(trail - 1) === 48) trail--;
  exp += digits.length - trail;
  digits = digits.slice(0, trail);
  return `${neg ? '-' : ''}${digits}e${exp}`;
}

/**
 * The float64 value of a JSON number literal when it is comparable, else undefined. `-0` becomes `0`. `value`, when
 * given, must be `Number(text)` (callers that parsed the literal already pass it).
 */
export function comparableNumber(text: string, value: number = Number(text)): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  if (value === 0) return canonicalDecimal(text) === '0' ? 0 : undefined;
  if (provenShortest(text, value)) return value;
  // Fast path: JS's shortest round-trip form equals the literal → same decimal value.
  const shortest = String(value);
  if (shortest === text) return value;
  return canonicalDecimal(shortest) === canonicalDecimal(text) ? value : undefined;
}

/** 10^0 … 10^22: the powers of ten a float64 holds exactly. */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
/** 2^27 + 1: Veltkamp's constant, splits a float64 into two halves of 26 bits whose products are exact. */
const SPLIT = 134217729;
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
/** Index of the word holding sign and exponent (platform byte order). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Proves, without converting `value` to text, that a plain literal (`-?digits[.digits]`, no exponent) of 16 or 17
 * significant digits is exactly the shortest round-trip decimal of `value = Number(text)` — what `String(value)`
 * would print, a conversion that costs ~0.4 µs. False means "not proven" (callers then convert), never "not
 * comparable".
 *
 * With M the literal's digits as an integer and s = 10^(fraction digits), the scaled value v·s is computed exactly
 * as p + e (Dekker's product), so diff = M − v·s is known to ~1e-14. The shortest decimal of v is M when (1) no
 * decimal of fewer digits rounds to v — those are multiples of 10 in scaled units, so none may lie within half an
 * ulp(v)·s of v·s — and (2) M is the integer nearest to v·s (among equally short decimals the closest is printed).
 * Both are tested with a margin; anything near a boundary is left to the conversion.
 */
export function provenShortest(text: string, value: number): boolean {
  const n = text.length;
  if (n > 24) return false;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  // M = hi·10^(digits − 9) + lo: the first nine significant digits and the rest, both exact integers.
  let hi = 0;
  let lo = 0;
  let digits = 0;
  let frac = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (frac >= 0) return false;
      frac = 0;
      continue;
    }
    const d = c ^ 48;
    if (d >= 10) return false;
    if (frac >= 0) frac++;
    if (digits === 0 && d === 0) continue;
    if (digits < 9) hi = hi * 10 + d;
    else lo = lo * 10 + d;
    digits++;
  }
  if (digits < 16 || digits > 17 || frac > 22) return false;
  const s = POW10[Math.max(frac, 0)];
  const a = value < 0 ? -value : value;
  // p + e = a·s exactly (Dekker's product; no overflow or underflow for these magnitudes).
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * s;
  const sh = t - (t - s);
  const sl = s - sh;
  const p = a * s;
  const e = ah * sh - p + ah * sl + al * sh + al * sl;
  // M − p is exact: hi·10^k = hi·5^k·2^k (k ≤ 8) fits 53 bits, subtracting p (within a few units of it) is exact
  // by Sterbenz's lemma, and adding lo (< 10^8) stays on p's grid (p ≥ 2^49 here) within 2^28.
  const diff = hi * POW10[digits - 9] - p + lo - e;
  if (!(diff < 0.5 - 1e-6 && diff > -0.5 + 1e-6)) return false;
  // Half an ulp of v, scaled: ulp(v) = 2^(exponent − 52); v ≥ 1e-7 here, so it is a normal number.
  bits[0] = a;
  const exponent = (words[HIGH] >>> 20) & 0x7ff;
  words[HIGH] = (exponent - 52) << 20;
  words[1 - HIGH] = 0;
  const half = (bits[0] * s) / 2 + 1e-6;
  const last = lo % 10;
  return last - diff > half && 10 - last + diff > half;
}

/**
 * The comparable value of a plain decimal literal (`-?digits[.digits]`, no exponent) with at most 15 significant
 * digits, given `value = Number(text)`; NaN when the literal is not of that form (callers then use
 * `comparableNumber`). Such literals are always comparable: distinct decimals of ≤ 15 digits round to distinct
 * float64s, so the shortest decimal of `value` is the literal itself.
 */
export function quickComparable(text: string, value: number): number {
  const n = text.length;
  if (n > 24) return Number.NaN;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  let significant = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) continue;
    if ((c ^ 48) >= 10) return Number.NaN;
    if (significant > 0 || c !== 48) significant++;
  }
  if (significant > 15) return Number.NaN;
  return value === 0 ? 0 : value;
}

/** The message event-ruler raises for a pattern number it cannot compare. */
export function cannotCompare(text: string): string {
  return `Cannot compare number : ${text}`;
}
