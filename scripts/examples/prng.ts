/**
 * Seeded pseudo-random numbers for the example generator. Output must be byte-identical on every run and machine,
 * so nothing here reads the clock or Math.random.
 *
 * Every log module draws from its own stream (`rngFor('cloudtrail')` …): changing one module's draws does not
 * shift the values of any other module.
 */

/** The one seed every stream derives from. Changing it changes every example file. */
export const BASE_SEED = 'vigil-examples-v1';

/** 32-bit FNV-1a: a stable, well-spread hash of a label into a seed. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** IAM unique IDs and access key IDs use upper-case letters and the digits 2–7 after their prefix. */
const IAM_ID = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** mulberry32: tiny, fast and good enough for synthetic data (not for cryptography). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Pick by weight: `[[value, weight], …]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1][0];
  }

  /** Exponentially distributed value with the given mean (latencies, gaps between events). */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  private chars(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  hex(n: number): string {
    return this.chars('0123456789abcdef', n);
  }

  upperHex(n: number): string {
    return this.chars('0123456789ABCDEF', n);
  }

  alnum(n: number): string {
    return this.chars(ALNUM, n);
  }

  upperAlnum(n: number): string {
    return this.chars(UPPER_ALNUM, n);
  }

  /** IAM-style identifier body (`AKIA` + 16, `AIDA` + 17 …). */
  iamId(prefix: string, n: number): string {
    return prefix + this.chars(IAM_ID, n);
  }

  base64(n: number): string {
    return this.chars(BASE64, n);
  }

  base64url(n: number): string {
    return this.chars(BASE64URL, n);
  }

  /** A version-4-shaped UUID. */
  uuid(): string {
    const h = this.hex(32);
    const variant = '89ab'[Math.floor(this.next() * 4)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** The independent stream for one module or purpose. */
export function rngFor(label: string): Rng {
  return new Rng(fnv1a(`${BASE_SEED}:${label}`));
}
