import type { PathNode, PathTrie } from './flatten.js';
import { hexValue, SHORT_ESCAPES } from './json.js';
import { FALSE, Leaf, type Membership, NULL, STRING, TRUE } from './types.js';

/**
 * A field-selective JSON scanner for events given as text: one pass over the text that validates all of it but
 * materialises only the leaves at paths some pattern reads (the PathTrie of a PatternIndex). Everything else —
 * coordinate arrays, unread objects, strings — is skipped by a validating, non-recursive state machine that builds
 * nothing. The leaves it emits are exactly those `walkPruned` emits for `parseEvent(text)`: duplicate keys all seen
 * in document order (AWS's streaming reader), numbers kept as their literal text, dotted keys followed segment by
 * segment, arrays adding no path step and object/array elements of arrays carrying their (array, index) membership.
 *
 * Validity is plain RFC 8259 JSON, the grammar `parseJsonStrict` accepts (Jackson's defaults: no comments, no
 * trailing commas, no leading zeros, whitespace = space/tab/LF/CR). The scanner only answers "valid or not": on
 * invalid input the caller asks the tree parser for Jackson's exact message, which keeps one source of error text.
 */

/** Receives each emitted leaf with the trie node of its path (`node.path` is the dotted path). */
export interface LeafCollector {
  add(node: PathNode, leaf: Leaf): void;
}

const IGNORE: LeafCollector = { add() {} };

/** Thrown (one shared instance, no stack) to unwind on the first syntax error. */
const INVALID = { invalid: true };

const NO_MEMBERSHIP: Membership | null = null;

const OBJ = 1;
const ARR = 2;

class Scanner {
  text = '';
  len = 0;
  pos = 0;
  arrays = 0;
  sink: LeafCollector = IGNORE;
  /** Container stack of the skipper (OBJ/ARR per depth), kept across values and calls. */
  stack: Uint8Array = new Uint8Array(64);

  /** Point the (reused) scanner at a new text: scanning is synchronous, so one instance serves every call. */
  reset(text: string, sink: LeafCollector): this {
    this.text = text;
    this.len = text.length;
    this.pos = 0;
    this.arrays = 0;
    this.sink = sink;
    return this;
  }

  /** Skip whitespace; returns the next char code (-1 at the end). */
  ws(): number {
    const t = this.text;
    const n = this.len;
    let i = this.pos;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        i++;
        continue;
      }
      this.pos = i;
      return c;
    }
    this.pos = i;
    return -1;
  }

  /** An object whose keys are looked up in `node`; `pos` is at '{'. */
  object(node: PathNode, membership: Membership | null): void {
    this.pos++;
    let c = this.ws();
    if (c === 125) {
      this.pos++;
      return;
    }
    for (;;) {
      if (c !== 34) throw INVALID;
      const child = this.child(node);
      if (this.ws() !== 58) throw INVALID;
      this.pos++;
      c = this.ws();
      if (child === undefined) this.skip(c);
      else this.value(child, membership, c);
      if (!this.more(125)) return;
      c = this.ws();
    }
  }

  /**
   * After a member or element: true (at the next one's first char) after a comma, false (past it) at `close`;
   * anything else is invalid JSON.
   */
  private more(close: number): boolean {
    const c = this.ws();
    this.pos++;
    if (c === 44) return true;
    if (c === close) return false;
    throw INVALID;
  }

  /** A value at a path some pattern reads (or passes through); `c` is its first char, at `pos`. */
  value(node: PathNode, membership: Membership | null, c: number): void {
    switch (c) {
      case 123:
        if (node.children.size > 0) this.object(node, membership);
        else this.skip(c);
        return;
      case 91:
        this.array(node, membership);
        return;
      case 34:
        if (node.wanted > 0) this.sink.add(node, new Leaf(STRING, this.string(), Number.NaN, membership));
        else this.skipString();
        return;
      case 116:
        this.word(114, 117, 101, -1);
        if (node.wanted > 0) this.sink.add(node, new Leaf(TRUE, 'true', Number.NaN, membership));
        return;
      case 102:
        this.word(97, 108, 115, 101);
        if (node.wanted > 0) this.sink.add(node, new Leaf(FALSE, 'false', Number.NaN, membership));
        return;
      case 110:
        this.word(117, 108, 108, -1);
        if (node.wanted > 0) this.sink.add(node, new Leaf(NULL, 'null', Number.NaN, membership));
        return;
      default: {
        const start = this.pos;
        this.number(c);
        if (node.wanted > 0) {
          this.sink.add(node, Leaf.fromLiteral(this.text.slice(start, this.pos), membership));
        }
      }
    }
  }

  /** An array at a read path: it adds no path step; object and array elements record (array, index). */
  array(node: PathNode, membership: Membership | null): void {
    const id = this.arrays++;
    this.pos++;
    let c = this.ws();
    if (c === 93) {
      this.pos++;
      return;
    }
    for (let i = 0; ; i++) {
      if (c === 123 || c === 91) {
        this.value(node, membership === null ? [id, i] : [...membership, id, i], c);
      } else {
        this.value(node, membership, c);
      }
      if (!this.more(93)) return;
      c = this.ws();
    }
  }

  /**
   * The trie child named by the field name at `pos` (its opening quote), or undefined; the cursor ends after the
   * closing quote. Plain names are compared in place against a few children; names with escapes or dots (which
   * descend several levels) are decoded and looked up in full.
   */
  child(node: PathNode): PathNode | undefined {
    const t = this.text;
    const n = this.len;
    const start = this.pos + 1;
    for (let i = start; i < n; i++) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        const kids = node.childList;
        if (kids.length > 8) return node.children.get(t.slice(start, i));
        const len = i - start;
        for (let k = 0; k < kids.length; k++) {
          const kid = kids[k];
          if (kid.key.length === len && t.startsWith(kid.key, start)) return kid;
        }
        return undefined;
      }
      if (c === 92 || c === 46 || c < 32) break;
    }
    return node.child(this.string());
  }

  /** A string value (at its opening quote) with every JSON escape decoded. */
  string(): string {
    const t = this.text;
    const n = this.len;
    let i = this.pos + 1;
    let chunk = i;
    let out = '';
    for (;;) {
      if (i >= n) throw INVALID;
      const c = t.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return out === '' ? t.slice(chunk, i) : out + t.slice(chunk, i);
      }
      if (c < 32) throw INVALID;
      if (c !== 92) {
        i++;
        continue;
      }
      out += t.slice(chunk, i);
      const e = t.charCodeAt(i + 1);
      const short = SHORT_ESCAPES[e];
      if (short !== undefined) out += short;
      else if (e === 117) {
        let code = 0;
        for (let k = 2; k < 6; k++) {
          const v = hexValue(t.charCodeAt(i + k));
          if (v < 0) throw INVALID;
          code = code * 16 + v;
        }
        // Lone and paired surrogates alike: each escape is one UTF-16 unit, as JSON.parse and Jackson do.
        out += String.fromCharCode(code);
        i += 4;
      } else throw INVALID;
      i += 2;
      chunk = i;
    }
  }

  /** Validate a string (at its opening quote) without building it. */
  skipString(): void {
    this.pos = skipStringAt(this.text, this.len, this.pos);
  }

  /** Validate a number; `c` is its first char. */
  number(c: number): void {
    this.pos = skipNumberAt(this.text, this.pos, c);
  }

  /** Check the rest of `true`/`false`/`null` (first char already seen; -1 = no fourth char). */
  word(c1: number, c2: number, c3: number, c4: number): void {
    const t = this.text;
    const i = this.pos;
    if (t.charCodeAt(i + 1) !== c1 || t.charCodeAt(i + 2) !== c2 || t.charCodeAt(i + 3) !== c3) throw INVALID;
    if (c4 < 0) {
      this.pos = i + 4;
      return;
    }
    if (t.charCodeAt(i + 4) !== c4) throw INVALID;
    this.pos = i + 5;
  }

  /**
   * Skip one value (first char `c`, at `pos`), validating it, without recursion or allocation: a state machine
   * over a stack of open containers. Everything is inlined over a local cursor — this loop runs over most bytes of
   * a typical event (coordinate arrays), and field loads/stores per token would dominate it.
   */
  skip(c: number): void {
    const t = this.text;
    const n = this.len;
    let i = this.pos;
    let depth = 0;
    let stack: Uint8Array = this.stack;
    for (;;) {
      // Expecting a value; c = t.charCodeAt(i).
      if (c === 123 || c === 91) {
        const close = c === 123 ? 125 : 93;
        c = t.charCodeAt(++i);
        while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++i);
        if (c === close) {
          i++;
        } else {
          if (depth === stack.length) stack = this.grow();
          stack[depth++] = close === 125 ? OBJ : ARR;
          if (close === 125) {
            if (c !== 34) throw INVALID;
            i = skipStringAt(t, n, i);
            c = t.charCodeAt(i);
            while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++i);
            if (c !== 58) throw INVALID;
            c = t.charCodeAt(++i);
            while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++i);
          }
          continue;
        }
      } else if (c === 34) {
        i = skipStringAt(t, n, i);
      } else if (c === 45 || (c ^ 48) < 10) {
        i = skipNumberAt(t, i, c);
      } else if (c === 116) {
        if (t.charCodeAt(i + 1) !== 114 || t.charCodeAt(i + 2) !== 117 || t.charCodeAt(i + 3) !== 101) throw INVALID;
        i += 4;
      } else if (c === 102) {
        if (
          t.charCodeAt(i + 1) !== 97 ||
          t.charCodeAt(i + 2) !== 108 ||
          t.charCodeAt(i + 3) !== 115 ||
          t.charCodeAt(i + 4) !== 101
        ) {
          throw INVALID;
        }
        i += 5;
      } else if (c === 110) {
        if (t.charCodeAt(i + 1) !== 117 || t.charCodeAt(i + 2) !== 108 || t.charCodeAt(i + 3) !== 108) throw INVALID;
        i += 4;
      } else {
        throw INVALID;
      }
      // After a value: close containers or move to the next element.
      for (;;) {
        if (depth === 0) {
          this.pos = i;
          return;
        }
        c = t.charCodeAt(i);
        while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++i);
        const inObject = stack[depth - 1] === OBJ;
        if (c === 44) {
          c = t.charCodeAt(++i);
          while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++i);
          if (inObject) {
            if (c !== 34) throw INVALID;
            i = skipStringAt(t, n, i);
            c = t.charCodeAt(i);
            while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++i);
            if (c !== 58) throw INVALID;
            c = t.charCodeAt(++i);
            while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++i);
          }
          break;
        }
        if (c === (inObject ? 125 : 93)) {
          i++;
          depth--;
          continue;
        }
        throw INVALID;
      }
    }
  }

  grow(): Uint8Array {
    const bigger = new Uint8Array(this.stack.length * 2);
    bigger.set(this.stack);
    this.stack = bigger;
    return bigger;
  }
}

const SCANNER = new Scanner();

/** Validate the string whose opening quote is at `i`; returns the offset after its closing quote. */
function skipStringAt(t: string, n: number, i: number): number {
  i++;
  for (;;) {
    if (i >= n) throw INVALID;
    const c = t.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92) {
      const e = t.charCodeAt(i + 1);
      if (e === 117) {
        for (let k = 2; k < 6; k++) if (hexValue(t.charCodeAt(i + k)) < 0) throw INVALID;
        i += 6;
      } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
        i += 2;
      } else {
        throw INVALID;
      }
      continue;
    }
    if (c < 32) throw INVALID;
    i++;
  }
}

/**
 * Validate the number starting at `i` (first char `c`), JSON grammar -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?;
 * returns the offset after it. (c ^ 48) < 10 is one test for '0'..'9'; NaN (past the end) gives 48, not a digit.
 */
function skipNumberAt(t: string, i: number, c: number): number {
  if (c === 45) c = t.charCodeAt(++i);
  if (c === 48) {
    c = t.charCodeAt(++i);
  } else if ((c ^ 48) < 10) {
    do c = t.charCodeAt(++i);
    while ((c ^ 48) < 10);
  } else {
    throw INVALID;
  }
  if (c === 46) {
    c = t.charCodeAt(++i);
    if ((c ^ 48) >= 10) throw INVALID;
    do c = t.charCodeAt(++i);
    while ((c ^ 48) < 10);
  }
  if ((c | 32) === 101) {
    c = t.charCodeAt(++i);
    if (c === 43 || c === 45) c = t.charCodeAt(++i);
    if ((c ^ 48) >= 10) throw INVALID;
    do c = t.charCodeAt(++i);
    while ((c ^ 48) < 10);
  }
  return i;
}

/**
 * Scan event JSON text, emitting the leaves at the trie's paths. Returns false when the text is not a single valid
 * JSON object (then nothing useful was emitted: callers discard partial results and report the tree parser's error).
 */
export function scanEvent(text: string, trie: PathTrie, sink: LeafCollector): boolean {
  const s = SCANNER.reset(text, sink);
  try {
    if (s.ws() !== 123) return false;
    s.object(trie.root, NO_MEMBERSHIP);
    return s.ws() === -1;
  } catch (e) {
    if (e === INVALID) return false;
    throw e;
  } finally {
    // Do not keep the last event (or the caller's collector) alive through the shared scanner.
    s.reset('', IGNORE);
  }
}

/** Validate JSON text of any type without building anything (the scanner's skipper alone). */
export function isValidJson(text: string): boolean {
  const s = SCANNER.reset(text, IGNORE);
  try {
    const c = s.ws();
    if (c === -1) return false;
    s.skip(c);
    return s.ws() === -1;
  } catch (e) {
    if (e === INVALID) return false;
    throw e;
  } finally {
    // Do not keep the last event (or the caller's collector) alive through the shared scanner.
    s.reset('', IGNORE);
  }
}
