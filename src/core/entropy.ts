/** Shannon entropy, shared by the secret scanner (random-looking values) and the DNS detectors (DGA/tunnel labels). */

/** Shannon entropy of `s` in bits per character (per code point); 0 for the empty string. */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}
