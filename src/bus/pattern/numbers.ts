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
 * given, must be `Number(text)`, and `decimal` must be `plainDecimal(text)` (callers that read the literal already
 * pass them).
 */
export function comparableNumber(
  text: string,
  value: number = Number(text),
  decimal: number = plainDecimal(text),
): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  if (value === 0) return canonicalDecimal(text) === '0' ? 0 : undefined;
  if (provenDecimal(text, value, decimal)) return value;
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
/** 0.75 · 2^-52 (see `normalUlp`). */
const ULP_FACTOR = 0.75 * 2 ** -52;

/**
 * The unit in the last place of a positive normal float64 `a` (2^(exponent − 52)), without reading its exponent
 * through memory (a float store then an integer load, ~3× slower): d = a·0.75·2^-52 lies in [0.75, 1.5)·ulp, so
 * a + d rounds to a + ulp, and subtracting a is exact.
 */
export function normalUlp(a: number): number {
  return a + a * ULP_FACTOR - a;
}

/**
 * The shape of a plain decimal literal (`-?digits[.digits]`, no exponent, at most 24 characters) in one integer:
 * significant digits (from the first non-zero digit on, trailing zeros included) × 32 + fraction digits; -1 for
 * any other text. One pass over the literal: `Leaf` keeps it, so the comparability proof does not read the
 * literal again.
 */
export function plainDecimal(text: string): number {
  const n = text.length;
  if (n > 24) return -1;
  const first = text.charCodeAt(0) === 45 ? 1 : 0;
  let significant = 0;
  let point = -1;
  for (let i = first; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (point >= 0) return -1;
      point = i;
      continue;
    }
    if ((c ^ 48) >= 10) return -1;
    if (significant > 0 || c !== 48) significant++;
  }
  // Digits on both sides of a point, and at least one digit.
  if (point === first || point === n - 1 || n === first) return -1;
  return (significant << 5) | (point < 0 ? 0 : n - 1 - point);
}

/**
 * Proves, without converting `value` to text, that a plain literal (`-?digits[.digits]`, no exponent) of 16 or 17
 * significant digits is exactly the shortest round-trip decimal of `value = Number(text)` — what `String(value)`
 * would print, a conversion that costs ~0.4 µs. False means "not proven" (callers then convert), never "not
 * comparable". `value` must be `Number(text)`.
 */
export function provenShortest(text: string, value: number): boolean {
  return provenDecimal(text, value, plainDecimal(text));
}

/**
 * `provenShortest` given `decimal = plainDecimal(text)`: reads only the literal's last two digits.
 *
 * With M the literal's digits as an integer and s = 10^(fraction digits), the scaled value v·s is computed exactly
 * as p + e (Dekker's product). The shortest decimal of v is M when (1) no decimal of fewer digits rounds to v —
 * those are multiples of 10 in scaled units, so none may lie within half an ulp(v)·s of v·s — and (2) M is the
 * integer nearest to v·s (among equally short decimals the closest is printed). Both are tested with a margin;
 * anything near a boundary is left to the conversion.
 *
 * diff = M − v·s needs only M's last two digits d: the literal rounds to v, so |M − v·s| ≤ ulp(v)·s/2 < 12 for 17
 * digits, and |e| < 8, so M = d + 100k with k the integer nearest to (p − d)/100 (off by < 0.3 before rounding).
 * diff is known to ~1e-14.
 */
export function provenDecimal(text: string, value: number, decimal: number): boolean {
  if (decimal < 0) return false;
  const digits = decimal >> 5;
  const frac = decimal & 31;
  if (digits < 16 || digits > 17 || frac > 22) return false;
  const n = text.length;
  const last = text.charCodeAt(n - 1) ^ 48;
  // The digit before it (the point may sit between them).
  const before = text.charCodeAt(frac === 1 ? n - 3 : n - 2) ^ 48;
  const s = POW10[frac];
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
  // M = d + 100k for the k nearest (p − d) / 100; M − p = ((64k − p) + 32k) + 4k + d, each step exact (Sterbenz:
  // the operands of every subtraction are within a factor of two), without a floating-point remainder.
  const d = before * 10 + last;
  const k = Math.round((p - d) / 100);
  const diff = 64 * k - p + 32 * k + 4 * k + d - e;
  if (!(diff < 0.5 - 1e-6 && diff > -0.5 + 1e-6)) return false;
  // Half an ulp of v, scaled; v ≥ 1e-7 here (at most 24 characters, 16+ digits), so it is a normal number.
  const half = (normalUlp(a) * s) / 2 + 1e-6;
  return last - diff > half && 10 - last + diff > half;
}

/**
 * The comparable value of a plain decimal literal (`-?digits[.digits]`, no exponent) with at most 15 significant
 * digits, given `value = Number(text)`; NaN when the literal is not of that form (callers then use
 * `comparableNumber`). Such literals are always comparable: distinct decimals of ≤ 15 digits round to distinct
 * float64s, so the shortest decimal of `value` is the literal itself.
 */
export function quickComparable(text: string, value: number, decimal: number = plainDecimal(text)): number {
  if (decimal < 0 || decimal >> 5 > 15) return Number.NaN;
  return value === 0 ? 0 : value;
}

/** The message event-ruler raises for a pattern number it cannot compare. */
export function cannotCompare(text: string): string {
  return `Cannot compare number : ${text}`;
}
