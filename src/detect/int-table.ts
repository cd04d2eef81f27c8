/**
 * A small hash table from (kind, 32-bit integer) to a number, open addressing in one flat Float64Array: the
 * per-instance mirrors of flow baselines (remote ports, DNS resolvers) that every matching flow record looks up.
 * Profiles showed a Map lookup (or a linear scan) costing ~0.2 µs per call there: the lookups mostly miss, and a
 * Map's bucket chain sits in memory that the parser's short-lived garbage keeps evicting from the cache. Here a
 * lookup reads one or two adjacent slots of one buffer: each slot is [tag, value] with tag = kind × 2^32 + key + 1
 * (exact in a double; 0 marks a free slot).
 */

const TWO_32 = 4294967296;

/** Hash of (kind, key): the key's 32 bits mixed with the kind, multiplied so the high bits pick the slot. */
function mix(kind: number, key: number): number {
  return Math.imul(key ^ Math.imul(kind, 0x27d4eb2d), 0x9e3779b1);
}

export class IntTable {
  private slots = new Float64Array(32);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** The value for (kind 0–2^20, key taken modulo 2^32), or undefined. */
  get(kind: number, key: number): number | undefined {
    const i = this.slot(kind * TWO_32 + (key >>> 0) + 1, mix(kind, key));
    return this.slots[i] === 0 ? undefined : this.slots[i + 1];
  }

  set(kind: number, key: number, value: number): void {
    const tag = kind * TWO_32 + (key >>> 0) + 1;
    let i = this.slot(tag, mix(kind, key));
    if (this.slots[i] === 0) {
      // At most half full: probes stay short and a free slot always ends a search.
      if ((this.n + 1) * 4 > this.slots.length) {
        this.grow();
        i = this.slot(tag, mix(kind, key));
      }
      this.slots[i] = tag;
      this.n++;
    }
    this.slots[i + 1] = value;
  }

  /** Index of the slot holding `tag`, or of the free slot where it would go (`h`: the tag's hash). */
  private slot(tag: number, h: number): number {
    const s = this.slots;
    const mask = (s.length >> 1) - 1;
    let i = (h >>> 16) & mask;
    for (;;) {
      const t = s[i * 2]!;
      if (t === tag || t === 0) return i * 2;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    for (let j = 0; j < old.length; j += 2) {
      const tag = old[j]!;
      if (tag === 0) continue;
      const key = (tag - 1) % TWO_32;
      const i = this.slot(tag, mix((tag - 1 - key) / TWO_32, key));
      this.slots[i] = tag;
      this.slots[i + 1] = old[j + 1]!;
    }
  }
}
