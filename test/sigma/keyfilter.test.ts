import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyFilter } from '../../src/sigma/prefilter.js';

// Characters whose lower-casing is not plain ASCII folding: İ (longer), the Kelvin sign (to ASCII k), ß, Σ.
const chars = fc.constantFrom('a', 'A', 'k', 'K', 'z', 'Z', '.', '-', 'i', 'I', '\u0130', '\u212a', 'ß', 'Σ', 'é', 'É');
const text = fc.array(chars, { maxLength: 6 }).map((a) => a.join(''));

describe('KeyFilter (equality-key rejection before lower-casing)', () => {
  it('never rejects a value whose lower-cased text is a key', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), text, (raw, value) => {
        const keys = raw.map((k) => k.toLowerCase());
        const filter = new KeyFilter(keys);
        if (keys.includes(value.toLowerCase())) expect(filter.maybe(value)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects values that differ at an end or in length', () => {
    const filter = new KeyFilter(['stoplogging', 'deletetrail']);
    expect(filter.maybe('StopLogging')).toBe(true);
    expect(filter.maybe('DELETETRAIL')).toBe(true);
    expect(filter.maybe('StartLogging')).toBe(false); // same ends, other length
    expect(filter.maybe('DescribeTrails')).toBe(false);
    expect(filter.maybe('')).toBe(false);
    expect(filter.maybe('\u212aey')).toBe(true); // non-ASCII end: not judged here
    expect(new KeyFilter(['']).maybe('')).toBe(true);
  });
});
