import { describe, expect, it } from 'vitest';
import { Interner } from './intern.js';

/** Column `k` of a space-separated line as [from, to). */
function span(line: string, k: number): [number, number] {
  let from = 0;
  for (let i = 0; i < k; i++) from = line.indexOf(' ', from) + 1;
  const sp = line.indexOf(' ', from);
  return [from, sp < 0 ? line.length : sp];
}

describe('Interner', () => {
  it('returns the column text, and the same string object for a value seen before', () => {
    const it1 = new Interner();
    const a = '2 123456789012 eni-0a1b2c3d4e5f00001 10.0.0.1';
    const b = '2 123456789012 eni-0a1b2c3d4e5f00002 10.0.0.2';
    const c = '2 123456789012 eni-0a1b2c3d4e5f00001 10.0.0.3';
    const x = it1.get(a, ...span(a, 2));
    const y = it1.get(b, ...span(b, 2));
    const z = it1.get(c, ...span(c, 2));
    expect([x, y, z]).toEqual(['eni-0a1b2c3d4e5f00001', 'eni-0a1b2c3d4e5f00002', 'eni-0a1b2c3d4e5f00001']);
    expect(Object.is(x, z)).toBe(true);
  });

  it('never returns a stored value whose text differs (same length, same last characters, other text)', () => {
    const it1 = new Interner();
    const values = ['i-aaaaaaaaaaaaaaaa0', 'i-bbbbbbbbbbbbbbbb0', 'x-aaaaaaaaaaaaaaaa0', 'i-aaaaaaaaaaaaaaab0'];
    for (let round = 0; round < 3; round++)
      for (const v of values) {
        const line = `pre ${v} post`;
        expect(it1.get(line, 4, 4 + v.length)).toBe(v);
      }
  });

  it('matches only at the column position, not a later occurrence in the line', () => {
    const it1 = new Interner();
    const first = 'ACCEPTED ACCEPT';
    expect(it1.get(first, 9, 15)).toBe('ACCEPT');
    // Same length and hash inputs at position 0 ("XCCEPT"), while "ACCEPT" occurs later in the line.
    const second = 'XCCEPT ACCEPT';
    expect(it1.get(second, 0, 6)).toBe('XCCEPT');
  });

  it('keeps working (plain slices) when values do not repeat', () => {
    const it1 = new Interner();
    for (let i = 0; i < 20_000; i++) {
      const v = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const line = `x ${v} y`;
      expect(it1.get(line, 2, 2 + v.length)).toBe(v);
    }
  });
});
