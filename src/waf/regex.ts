import { setFlagsFromString } from 'node:v8';

// V8 falls back to its linear-time engine when a backtracking match explodes. Process-wide, and it only ever
// changes how slow a pathological match is, never its result, so a WAF exposed to hostile input turns it on.
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

export type RegexResult = { ok: true; re: RegExp } | { ok: false; reason: string };

const MAX_LEN = 200;

const FORBIDDEN: [RegExp, string][] = [
  [/\\[1-9]|\\k<|\\g[{\d-]/, 'back-references are not supported'],
  [/\(\?(?:R|\d|[+-]\d|&|P>)/, 'recursion and subroutine calls are not supported'],
  [/\(\?\(/, 'conditional subpatterns are not supported'],
  [/\(\*[A-Z]/, 'backtracking control verbs are not supported'],
  [/\\[CRK]/, '\\C, \\R and \\K are not supported'],
  [/\(\?C/, 'callouts are not supported'],
  [/\(\?>/, 'atomic groups are not supported'],
  [/[*+?}]\+/, 'possessive quantifiers are not supported'],
];

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
  word: '\\w',
};

/**
 * Compile an AWS WAF regex (PCRE subset, waf.md §5) to a JS RegExp over byte strings, rejecting the constructs AWS
 * rejects. `(?i)`/`(?s)`/`(?m)` at the start become flags; `\A`, `\z`, `\Z` become anchors; POSIX classes expand.
 * Escapes are checked by scanning (a `\\1` literal is a backslash then `1`, not a back-reference).
 */
export function compileAwsRegex(src: string): RegexResult {
  if (src.length === 0) return { ok: false, reason: 'empty regular expression' };
  if (src.length > MAX_LEN) return { ok: false, reason: `longer than ${MAX_LEN} characters (${src.length})` };
  const bare = src.replace(/\\\\/g, '');
  for (const [re, reason] of FORBIDDEN) if (re.test(bare)) return { ok: false, reason };
  let flags = '';
  let body = src;
  const lead = /^\(\?([imsx]+)\)/.exec(body);
  if (lead) {
    if (lead[1]!.includes('x')) return { ok: false, reason: 'extended mode (?x) is not supported by Vigil' };
    for (const f of lead[1]!) if (!flags.includes(f)) flags += f;
    body = body.slice(lead[0].length);
  }
  if (/\(\?[imsx-]+[):]/.test(body.replace(/\\\\/g, ''))) {
    return { ok: false, reason: 'inline flags are only supported at the start of the pattern' };
  }
  body = body
    .replace(/\[:(\w+):\]/g, (m, name: string) => POSIX[name] ?? m)
    .replace(/(^|[^\\])\\A/g, '$1^')
    .replace(/(^|[^\\])\\[zZ]/g, '$1$');
  try {
    return { ok: true, re: new RegExp(body, flags) };
  } catch (err) {
    return {
      ok: false,
      reason: `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
    };
  }
}
