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
  // Fast path: JS's shortest round-trip form equals the literal → same decimal value.
  const shortest = String(value);
  if (shortest === text) return value;
  return canonicalDecimal(shortest) === canonicalDecimal(text) ? value : undefined;
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
