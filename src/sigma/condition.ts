/**
 * The condition language (spec §5):
 *
 *   condition := or_expr
 *   or_expr   := and_expr ("or" and_expr)*
 *   and_expr  := not_expr ("and" not_expr)*
 *   not_expr  := "not" not_expr | primary
 *   primary   := "(" or_expr ")" | ("1" | "all") "of" (PATTERN | "them") | IDENT
 *
 * Precedence, loosest to tightest: or < and < not < x of < ( ). `them` means every search identifier not starting
 * with `_`. A pattern (with `*` wildcards) or identifier that names nothing is an error.
 */

import type { ConditionNode } from './types.js';

export class ConditionError extends Error {}

interface Token {
  text: string;
  pos: number;
}

const WORD = /[A-Za-z0-9_*.-]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ text: c, pos: i });
      i++;
    } else if (WORD.test(c)) {
      const start = i;
      while (i < text.length && WORD.test(text[i]!)) i++;
      tokens.push({ text: text.slice(start, i), pos: start });
    } else if (c === '|') {
      throw new ConditionError(
        `aggregation expressions ('| count() …', Sigma 1.x) are not supported at offset ${i}; use a correlation rule`,
      );
    } else {
      throw new ConditionError(`unexpected character '${c}' at offset ${i}`);
    }
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them']);

/** Identifier-name pattern with `*` wildcards → RegExp. */
function patternRegex(pattern: string): RegExp {
  const src = pattern
    .split('*')
    .map((s) => s.replace(/[.\\^$+?()[\]{}|/-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${src}$`);
}

/** Parse one condition string against the rule's search identifiers. */
export function parseCondition(text: string, identifiers: readonly string[]): ConditionNode {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new ConditionError('condition is empty');
  let i = 0;
  const peek = (): string | undefined => tokens[i]?.text.toLowerCase();
  const where = (): string => (i < tokens.length ? `at offset ${tokens[i]!.pos} ('${tokens[i]!.text}')` : 'at end');
  const expect = (what: string): never => {
    throw new ConditionError(`expected ${what} ${where()}`);
  };

  const orExpr = (): ConditionNode => {
    const args = [andExpr()];
    while (peek() === 'or') {
      i++;
      args.push(andExpr());
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  };
  const andExpr = (): ConditionNode => {
    const args = [notExpr()];
    while (peek() === 'and') {
      i++;
      args.push(notExpr());
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  };
  const notExpr = (): ConditionNode => {
    if (peek() === 'not') {
      i++;
      return { op: 'not', arg: notExpr() };
    }
    return primary();
  };
  const primary = (): ConditionNode => {
    const t = tokens[i];
    if (!t) return expect('an identifier, "(", "not", "1 of" or "all of"');
    const low = t.text.toLowerCase();
    if (t.text === '(') {
      i++;
      const inner = orExpr();
      if (tokens[i]?.text !== ')') expect("')'");
      i++;
      return inner;
    }
    if (
      (low === '1' || low === 'all' || /^\d+$/.test(low) || low === 'any') &&
      tokens[i + 1]?.text.toLowerCase() === 'of'
    ) {
      if (low !== '1' && low !== 'all') {
        throw new ConditionError(`'${t.text} of' is not Sigma: use '1 of' or 'all of' (offset ${t.pos})`);
      }
      i += 2;
      const target = tokens[i];
      if (!target || target.text === '(' || target.text === ')') return expect('a pattern or "them" after "of"');
      i++;
      const quantifier = low === '1' ? 'one' : 'all';
      if (target.text.toLowerCase() === 'them') {
        const names = identifiers.filter((n) => !n.startsWith('_'));
        if (names.length === 0) throw new ConditionError("'them' matches no search identifier");
        return { op: 'of', quantifier, pattern: 'them', names };
      }
      const re = patternRegex(target.text);
      const names = identifiers.filter((n) => re.test(n));
      if (names.length === 0) {
        throw new ConditionError(`pattern '${target.text}' matches no search identifier`);
      }
      return { op: 'of', quantifier, pattern: target.text, names };
    }
    if (t.text === ')' || KEYWORDS.has(low)) return expect('an identifier');
    if (t.text.includes('*')) {
      throw new ConditionError(`wildcard '${t.text}' is only allowed after '1 of' or 'all of' (offset ${t.pos})`);
    }
    if (!identifiers.includes(t.text)) {
      throw new ConditionError(`search identifier '${t.text}' is not defined in detection (offset ${t.pos})`);
    }
    i++;
    return { op: 'id', name: t.text };
  };

  const node = orExpr();
  if (i < tokens.length) expect('"and", "or" or end of condition');
  return node;
}

/** Identifiers a condition refers to. */
export function referencedIdentifiers(node: ConditionNode, out = new Set<string>()): Set<string> {
  switch (node.op) {
    case 'id':
      out.add(node.name);
      break;
    case 'of':
      for (const n of node.names) out.add(n);
      break;
    case 'not':
      referencedIdentifiers(node.arg, out);
      break;
    default:
      for (const a of node.args) referencedIdentifiers(a, out);
  }
  return out;
}

/** Evaluate a condition given identifier values. */
export function evalCondition(node: ConditionNode, value: (name: string) => boolean): boolean {
  switch (node.op) {
    case 'id':
      return value(node.name);
    case 'not':
      return !evalCondition(node.arg, value);
    case 'and':
      return node.args.every((a) => evalCondition(a, value));
    case 'or':
      return node.args.some((a) => evalCondition(a, value));
    case 'of':
      return node.quantifier === 'one' ? node.names.some(value) : node.names.every(value);
  }
}

/** Render a condition back to text (fully parenthesised where needed), for explanations. */
export function formatCondition(node: ConditionNode): string {
  switch (node.op) {
    case 'id':
      return node.name;
    case 'not':
      return `not ${wrap(node.arg)}`;
    case 'of':
      return `${node.quantifier === 'one' ? '1' : 'all'} of ${node.pattern}`;
    default:
      return node.args.map(wrap).join(` ${node.op} `);
  }
}

function wrap(node: ConditionNode): string {
  return node.op === 'and' || node.op === 'or' ? `(${formatCondition(node)})` : formatCondition(node);
}
