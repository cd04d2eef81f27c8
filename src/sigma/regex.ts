/**
 * The `re` modifier's regular-expression dialect.
 *
 * Sigma 2.1 defines a PCRE subset: `.`, `^`, `$`, `*`, `+`, `?`, `{n,m}`, `[a-z]`, `[^a-z]`, groups and `|`. Vigil
 * also accepts the escapes every engine implements the same way (`\d \w \s \D \W \S \b \B \t \n \r \f \v`,
 * `\xHH`, escaped punctuation), non-capturing groups, lazy quantifiers and leading inline flags (`(?i)`, `(?s)`,
 * `(?m)`), and translates them to a JavaScript RegExp. Everything else (back-references, look-around, atomic
 * groups, possessive quantifiers, `\p{…}`, …) rejects the rule. Because V8's engine backtracks, a quantifier
 * applied to something that already contains an unbounded quantifier (`(a+)+`) is rejected too: it is the shape
 * of catastrophic backtracking, and a detection engine must not stall on a hostile log line.
 */

export interface TranslatedRegex {
  source: string;
  /** Flags implied by leading inline groups (`(?i)` → `i`). */
  flags: string;
  /**
   * The longest literal text every match must contain (case as written), when there is one. Engines test it with
   * a plain substring search before running the regular expression, and index rules by it.
   */
  literal?: string;
}

export class RegexError extends Error {}

interface Parsed {
  src: string;
  /** Longest literal every match of this part contains. */
  required?: string;
  /** The single literal character this atom matches, if it is one. */
  char?: string;
  /** Anchors and word boundaries: they match no character, so they do not break a literal run. */
  zeroWidth?: boolean;
  /** Contains an unbounded quantifier (`*`, `+`, `{n,}`). */
  unbounded: boolean;
  /** Could match the empty string (used to refuse `(a*)*`-like loops as well). */
  canBeEmpty: boolean;
}

/** Validate and translate; throws RegexError with a precise reason. */
export function translateRegex(pattern: string): TranslatedRegex {
  let pos = 0;
  let flags = '';
  // Leading inline flags, possibly several groups: (?i)(?s) or (?is).
  for (;;) {
    const m = /^\(\?([imsx]+)\)/.exec(pattern.slice(pos));
    if (!m) break;
    for (const f of m[1]!) {
      if (f === 'x') throw new RegexError('inline flag (?x) (extended mode) is not supported');
      if (!flags.includes(f)) flags += f;
    }
    pos += m[0].length;
  }
  const p = new RegexParser(pattern, pos);
  const result = p.alternation(0);
  if (p.pos < pattern.length) throw new RegexError(`unbalanced ')' at offset ${p.pos}`);
  // Validate with the JavaScript engine too: a pattern that passes our checks must also compile.
  try {
    new RegExp(result.src, flags);
  } catch (err) {
    throw new RegexError((err as Error).message);
  }
  return result.required ? { source: result.src, flags, literal: result.required } : { source: result.src, flags };
}

class RegexParser {
  constructor(
    readonly text: string,
    public pos: number,
  ) {}

  fail(reason: string): never {
    throw new RegexError(`${reason} at offset ${this.pos}`);
  }

  alternation(depth: number): Parsed {
    const branches: Parsed[] = [this.sequence(depth)];
    while (this.text[this.pos] === '|') {
      this.pos++;
      branches.push(this.sequence(depth));
    }
    const out: Parsed = {
      src: branches.map((b) => b.src).join('|'),
      unbounded: branches.some((b) => b.unbounded),
      canBeEmpty: branches.some((b) => b.canBeEmpty),
    };
    // With alternatives no single literal is required (common substrings are not worth the search).
    if (branches.length === 1 && branches[0]!.required) out.required = branches[0]!.required;
    return out;
  }

  sequence(depth: number): Parsed {
    let src = '';
    let unbounded = false;
    let canBeEmpty = true;
    let run = '';
    let best = '';
    const endRun = () => {
      if (run.length > best.length) best = run;
      run = '';
    };
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === '|') break;
      if (c === ')') {
        if (depth === 0) this.fail("unbalanced ')'");
        break;
      }
      const atom = this.atom(depth);
      const q = this.quantifier();
      if (q) {
        if (atom.quantifiable === false) this.fail(`quantifier '${q.text}' has nothing to repeat`);
        if (q.unbounded && (atom.unbounded || atom.canBeEmpty) && atom.src.length > 0 && atom.isGroup) {
          this.fail(
            `nested quantifier '${q.text}' over a group that ${atom.unbounded ? 'already repeats' : 'can be empty'} (catastrophic backtracking risk)`,
          );
        }
        if (q.unbounded && atom.unbounded) {
          this.fail(`nested quantifier '${q.text}' (catastrophic backtracking risk)`);
        }
        src += atom.src + q.text;
        unbounded ||= q.unbounded || atom.unbounded;
        canBeEmpty &&= q.min === 0 || atom.canBeEmpty;
        // A repeated atom that must occur at least once still ends the run after its first occurrence.
        if (q.min >= 1 && atom.char !== undefined) run += atom.char;
        else if (q.min >= 1 && atom.required && atom.required.length > best.length) best = atom.required;
        endRun();
      } else {
        src += atom.src;
        unbounded ||= atom.unbounded;
        canBeEmpty &&= atom.canBeEmpty;
        if (atom.char !== undefined) run += atom.char;
        else if (!atom.zeroWidth) {
          endRun();
          if (atom.required && atom.required.length > best.length) best = atom.required;
        }
      }
    }
    endRun();
    return best ? { src, unbounded, canBeEmpty, required: best } : { src, unbounded, canBeEmpty };
  }

  atom(depth: number): Parsed & { quantifiable: boolean; isGroup: boolean } {
    const c = this.text[this.pos]!;
    switch (c) {
      case '(': {
        this.pos++;
        let open = '(';
        if (this.text[this.pos] === '?') {
          const rest = this.text.slice(this.pos);
          if (rest.startsWith('?:')) {
            open = '(?:';
            this.pos += 2;
          } else if (rest.startsWith('?=') || rest.startsWith('?!')) this.fail('look-ahead is not supported');
          else if (rest.startsWith('?<=') || rest.startsWith('?<!')) this.fail('look-behind is not supported');
          else if (rest.startsWith('?>')) this.fail('atomic groups are not supported');
          else if (/^\?P?</.test(rest)) this.fail('named groups are not supported');
          else if (/^\?[a-zA-Z-]/.test(rest)) this.fail('inline flags are only supported at the start of the pattern');
          else this.fail('unsupported group construct');
        }
        const inner = this.alternation(depth + 1);
        if (this.text[this.pos] !== ')') this.fail("missing ')'");
        this.pos++;
        return { ...inner, src: `${open}${inner.src})`, quantifiable: true, isGroup: true };
      }
      case '[':
        return { ...this.charClass(), quantifiable: true, isGroup: false };
      case '\\':
        return { ...this.escape(false), quantifiable: true, isGroup: false };
      case '.':
        this.pos++;
        return { src: '.', unbounded: false, canBeEmpty: false, quantifiable: true, isGroup: false };
      case '^':
      case '$':
        this.pos++;
        return { src: c, unbounded: false, canBeEmpty: true, quantifiable: false, isGroup: false, zeroWidth: true };
      case '*':
      case '+':
      case '?':
        this.fail(`quantifier '${c}' has nothing to repeat`);
        break;
      case '{':
        if (this.peekQuantifierBraces()) this.fail(`quantifier '{' has nothing to repeat`);
        this.pos++;
        return { src: '\\{', unbounded: false, canBeEmpty: false, quantifiable: true, isGroup: false, char: '{' };
      case '}':
      case ']':
        this.pos++;
        return { src: `\\${c}`, unbounded: false, canBeEmpty: false, quantifiable: true, isGroup: false, char: c };
    }
    this.pos++;
    return { src: literal(c), unbounded: false, canBeEmpty: false, quantifiable: true, isGroup: false, char: c };
  }

  peekQuantifierBraces(): RegExpExecArray | null {
    return /^\{(\d+)(,(\d*))?\}/.exec(this.text.slice(this.pos));
  }

  quantifier(): { text: string; unbounded: boolean; min: number } | undefined {
    const c = this.text[this.pos];
    let text: string;
    let unbounded: boolean;
    let min: number;
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      text = c;
      unbounded = c !== '?';
      min = c === '+' ? 1 : 0;
    } else if (c === '{') {
      const m = this.peekQuantifierBraces();
      if (!m) return undefined;
      this.pos += m[0].length;
      min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
      if (max < min) this.fail(`quantifier ${m[0]} has max < min`);
      if (min > 1000 || (Number.isFinite(max) && max > 1000)) this.fail(`quantifier ${m[0]} exceeds 1000`);
      text = m[0];
      unbounded = !Number.isFinite(max);
    } else return undefined;
    const next = this.text[this.pos];
    if (next === '+') this.fail('possessive quantifiers are not supported');
    if (next === '?') {
      this.pos++;
      text += '?';
    }
    return { text, unbounded, min };
  }

  charClass(): Parsed {
    this.pos++; // [
    let src = '[';
    if (this.text[this.pos] === '^') {
      src += '^';
      this.pos++;
    }
    // A ']' right after '[' or '[^' is a literal in PCRE.
    if (this.text[this.pos] === ']') {
      src += '\\]';
      this.pos++;
    }
    for (;;) {
      if (this.pos >= this.text.length) this.fail("missing ']'");
      const c = this.text[this.pos]!;
      if (c === ']') {
        this.pos++;
        break;
      }
      if (c === '\\') {
        src += this.escape(true).src;
        continue;
      }
      if (c === '[' && this.text[this.pos + 1] === ':') this.fail('POSIX character classes are not supported');
      this.pos++;
      // '-' keeps its range meaning; other characters that are special to JS inside a class get escaped.
      src += c === '-' ? '-' : c === '[' || c === '^' ? `\\${c}` : c;
    }
    return { src: `${src}]`, unbounded: false, canBeEmpty: false };
  }

  escape(inClass: boolean): Parsed {
    this.pos++; // backslash
    const c = this.text[this.pos];
    if (c === undefined) this.fail('pattern ends with a backslash');
    this.pos++;
    const ok = (src: string, char?: string): Parsed =>
      char === undefined
        ? { src, unbounded: false, canBeEmpty: false }
        : { src, unbounded: false, canBeEmpty: false, char };
    if ('dDwWsS'.includes(c)) return ok(`\\${c}`);
    const control: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v' };
    if (control[c] !== undefined) return ok(`\\${c}`, control[c]);
    if (c === 'b' || c === 'B') {
      if (inClass) this.fail(`'\\${c}' inside a character class is not supported`);
      return { src: `\\${c}`, unbounded: false, canBeEmpty: true, zeroWidth: true };
    }
    if (c === 'x') {
      const m = /^[0-9a-fA-F]{2}/.exec(this.text.slice(this.pos));
      if (!m) this.fail('\\x needs two hex digits');
      this.pos += 2;
      return ok(`\\x${m[0]}`, String.fromCharCode(Number.parseInt(m[0], 16)));
    }
    if (c === '0') return ok('\\x00', '\0');
    if (/[1-9]/.test(c)) this.fail('back-references are not supported');
    if (/[a-zA-Z]/.test(c)) this.fail(`escape '\\${c}' is not supported`);
    // Escaped punctuation or space: a literal character.
    return ok(literal(c), c);
  }
}

function literal(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** Compile a translated regex with the modifier flags (`i`, `m`, `s`) added. */
export function compileRegex(source: string, flags: string): RegExp {
  return new RegExp(source, flags);
}
