/**
 * Interning of repeated column values (one string object per distinct value) for the text-log readers.
 *
 * Flow logs repeat a handful of ids over millions of lines, and per-instance state is keyed by them: a Map keyed by
 * an ENI hashes and compares 21 characters (through V8's slow path for sliced strings) for each new string object,
 * but only compares pointers for the same object, whose hash V8 caches. So a column reader first looks the text up
 * in a small direct-mapped table (hashed on the value's length and last characters, where ids differ) and returns
 * the stored string when the bytes match.
 *
 * A column whose values rarely repeat (a huge fleet) would pay the lookup for nothing: each interner measures its hit
 * rate and stops looking for a while when most lookups miss.
 */

const SLOTS = 512;
const MASK = SLOTS - 1;
/** Lookups per hit-rate check, and the records skipped when the rate was too low before trying again. */
const PERIOD = 4096;
const PAUSE = 1 << 16;

/** A detached copy: V8 slices of 13+ characters keep their parent (a whole input chunk) alive. */
function detach(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

export class Interner {
  private readonly slots: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  private lookups = 0;
  private hits = 0;
  private paused = 0;

  /** `line.slice(from, to)` (`line` may be a whole chunk), as the string object returned before for the same text. */
  get(line: string, from: number, to: number): string {
    if (this.paused > 0) {
      this.paused--;
      return line.slice(from, to);
    }
    const len = to - from;
    if (len < 2) return line.slice(from, to);
    const h =
      (len * 0x9e3 +
        line.charCodeAt(to - 1) * 0x3b +
        line.charCodeAt(to - 2) * 7 +
        line.charCodeAt(from + (len >> 1))) &
      MASK;
    const known = this.slots[h];
    if (++this.lookups === PERIOD) this.check();
    // Compared in place with `startsWith` at the position (no substring): ~22 ns on a line or a whole chunk. An
    // `indexOf` would search on past a mismatch, through the rest of a chunk when readers pass one (vpcflow/row.ts).
    if (known !== undefined && known.length === len && line.startsWith(known, from)) {
      this.hits++;
      return known;
    }
    // The copy is returned too: the caller may keep it for long (a state table key), and then it pins no chunk.
    const value = detach(line.slice(from, to));
    this.slots[h] = value;
    return value;
  }

  private check(): void {
    // Fewer than one hit in four: this column's values do not repeat enough to pay for the lookups.
    if (this.hits * 4 < this.lookups) this.paused = PAUSE;
    this.lookups = 0;
    this.hits = 0;
  }
}
