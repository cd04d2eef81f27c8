import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWildcard, type WildcardSegments, wildcardComplexity, wildcardMatches } from './wildcard.js';

function segs(text: string): WildcardSegments {
  const s = parseWildcard(text);
  if (typeof s === 'string') throw new Error(s);
  return s;
}

describe('wildcard parsing', () => {
  it('splits on unescaped stars and resolves escapes', () => {
    expect(segs('a*b*')).toEqual(['a', 'b', '']);
    expect(segs('abc')).toEqual(['abc']);
    expect(segs('a\\*b')).toEqual(['a*b']);
    expect(segs('a\\\\*b')).toEqual(['a\\', 'b']);
    expect(segs('')).toEqual(['']);
  });

  it('reports byte positions in the quoted value', () => {
    expect(parseWildcard('**')).toBe('Consecutive wildcard characters at pos 1');
    expect(parseWildcard('ab\\**')).toEqual(['ab*', '']);
    expect(parseWildcard('ab\\***')).toBe('Consecutive wildcard characters at pos 5');
    expect(parseWildcard('€**')).toBe('Consecutive wildcard characters at pos 4');
    expect(parseWildcard('a\\n')).toBe('Invalid escape character at pos 2');
    expect(parseWildcard('a\\')).toBe('Invalid escape character at pos 2');
  });
});

describe('wildcard matching', () => {
  it.each([
    ['a*b', 'ab', true],
    ['a*b', 'axxb', true],
    ['a*b', 'axxbc', false],
    ['*ab*ab', 'abab', true],
    ['*ab*ab', 'ababab', true],
    ['*ab*ab', 'aba', false],
    ['ab*b', 'ab', false],
    ['a*a*a', 'aa', false],
    ['a*a*a', 'aaa', true],
    ['', '', true],
    ['', 'x', false],
    ['*', '', true],
  ])('%s ~ %s → %s', (w, v, expected) => {
    expect(wildcardMatches(segs(w), v)).toBe(expected);
  });

  it('agrees with a regular-expression translation on random inputs', () => {
    const alphabet = fc.constantFrom('a', 'b', '*');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 7 }),
        fc.array(fc.constantFrom('a', 'b'), { maxLength: 8 }),
        (w, v) => {
          const text = w.join('');
          const parsed = parseWildcard(text);
          if (typeof parsed === 'string') return;
          const re = new RegExp(`^${text.replace(/\*/g, '.*')}$`);
          expect(wildcardMatches(parsed, v.join(''))).toBe(re.test(v.join('')));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('wildcard complexity (event-ruler MachineComplexityEvaluator semantics)', () => {
  // Values published with event-ruler's evaluator for bare (unquoted) patterns.
  it.each([
    [['*'], 1],
    [['abc'], 1],
    [['*ab'], 2],
    [['*aa'], 3],
    [['a*b'], 2],
    [['aa*'], 2],
    [['a*bc'], 2],
    [['a*bb'], 3],
    [['a*bcb'], 3],
    [['a*bbb'], 4],
    [['*ab*ad'], 4],
    [['*ab*d'], 3],
    [['*aba*'], 4],
    [['a*b*bb'], 5],
    [['a*b*cb'], 4],
    [['a*b*cd'], 3],
    [['a*b*b'], 4],
    [['a*bb*'], 4],
    [['ab*b*'], 3],
    [['ab*c', 'x*xx'], 3],
    [['*abc', '*abcde'], 4],
    [['a*bcd', 'ab*cd'], 4],
    [['a*bc', 'a*bcde'], 4],
    [['a*aaa', 'aa*aa'], 7],
    [['a*bc', 'abc*d'], 4],
    [['a*aaa', 'aaa*a'], 6],
  ])('%j → %i', (patterns, expected) => {
    expect(wildcardComplexity(patterns.map(segs), 100, false)).toBe(expected);
  });

  it('quoted values (as compiled for events) for the AWS-verified cases', () => {
    expect(wildcardComplexity([segs('*:*:*:*:*:event-bus/*')], 100)).toBe(11);
    expect(wildcardComplexity([segs('arn:aws:events:us-east-1:*:event-bus/*')], 100)).toBe(3);
    expect(wildcardComplexity([segs('/Users/*/dir/dir/dir/dir/dir/doc.txt')], 100)).toBe(7);
  });

  it('stops once the cap is exceeded', () => {
    expect(wildcardComplexity([segs('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a')], 10)).toBe(11);
  });
});
