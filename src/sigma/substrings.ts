/**
 * Find which of many literals occur in a text in one pass (Aho–Corasick). Used to pre-select rules whose only
 * cheap necessary condition is "field contains X": the cost per record depends on the text length, not on how
 * many such rules are loaded. Few literals are simply searched one by one.
 */

const LOOP_LIMIT = 8;

/** Where found rule indices go (an array, or the engine's reusable list). */
export interface IndexSink {
  push(v: number): void;
}

export class SubstringSet {
  private readonly literals: string[];
  // Automaton (only built beyond LOOP_LIMIT literals): per state, char code → next state.
  private readonly next: Map<number, number>[] = [];
  private readonly fail: number[] = [];
  /** Literal ids ending at each state (including those reached through failure links). */
  private readonly out: number[][] = [];

  constructor(literals: string[]) {
    this.literals = literals;
    if (literals.length > LOOP_LIMIT) this.build();
  }

  private build(): void {
    this.next.push(new Map());
    this.fail.push(0);
    this.out.push([]);
    this.literals.forEach((lit, id) => {
      let s = 0;
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        let t = this.next[s]!.get(c);
        if (t === undefined) {
          t = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.next[s]!.set(c, t);
        }
        s = t;
      }
      this.out[s]!.push(id);
    });
    // Breadth-first failure links.
    const queue: number[] = [];
    for (const t of this.next[0]!.values()) queue.push(t);
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      for (const [c, t] of this.next[s]!) {
        queue.push(t);
        let f = this.fail[s]!;
        while (f !== 0 && !this.next[f]!.has(c)) f = this.fail[f]!;
        const g = this.next[f]!.get(c);
        this.fail[t] = g !== undefined && g !== t ? g : 0;
        const inherited = this.out[this.fail[t]!]!;
        if (inherited.length > 0) this.out[t] = [...this.out[t]!, ...inherited];
      }
    }
  }

  /** Push `lists[id]` to `out` for every literal `id` found in `text` (no closure: this runs per record). */
  collect(text: string, lists: number[][], out: IndexSink): void {
    const lits = this.literals;
    if (this.next.length === 0) {
      for (let i = 0; i < lits.length; i++) if (text.includes(lits[i]!)) pushList(out, lists[i]!);
      return;
    }
    const next = this.next;
    const fail = this.fail;
    const outputs = this.out;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let t = next[s]!.get(c);
      while (t === undefined && s !== 0) {
        s = fail[s]!;
        t = next[s]!.get(c);
      }
      s = t ?? 0;
      const o = outputs[s]!;
      for (let k = 0; k < o.length; k++) pushList(out, lists[o[k]!]!);
    }
  }
}

function pushList(out: IndexSink, list: number[]): void {
  for (let i = 0; i < list.length; i++) out.push(list[i]!);
}
