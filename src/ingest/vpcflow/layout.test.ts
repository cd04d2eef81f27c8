import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUT, Kind, makeLayout, type ReadFailure } from './layout.js';

/** Digits → number (any length), else -1: the semantics the reader's generic path gets from the format. */
function uint(s: string, from: number, to: number): number {
  const t = s.slice(from, to);
  return /^\d+$/.test(t) ? Number(t) : -1;
}

/** What a layout's reader must return for a line, computed the obvious way (split, then convert each column). */
function reference(names: readonly string[], kinds: Uint8Array, line: string): Record<string, unknown> | undefined {
  const cols = line.split(' ');
  if (cols.length !== names.length) return undefined;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    if (c === '' || c === '-') continue;
    const digits = /^\d+$/.test(c);
    if (kinds[i] === Kind.Int) {
      if (!digits) return undefined;
      out[names[i]!] = Number(c);
    } else if (kinds[i] === Kind.Lenient) out[names[i]!] = digits ? Number(c) : c;
    else out[names[i]!] = c;
  }
  return out;
}

describe('VPC flow layout reader', () => {
  const layouts = [DEFAULT_LAYOUT, makeLayout(['srcport', 'encryption-status', 'action', 'bytes'], 'test')];
  const column = fc.oneof(
    fc.constantFrom('-', '', '0', '7', '443', '00012', 'ACCEPT', 'eni-0a1b2c3d4e5f00001', '10.0.0.1', '1x', 'x1'),
    fc.stringMatching(/^\d{1,20}$/),
    fc.string({ maxLength: 6 }).filter((s) => !s.includes(' ')),
  );

  it('equals the split-and-convert reference on any line (integer fast path, `-`, empty, long and bad numbers)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...layouts), fc.array(column, { minLength: 1, maxLength: 16 }), (layout, cols) => {
        const line = cols.join(' ');
        const fail: ReadFailure = { index: 0, from: 0, to: 0 };
        const got = layout.read(line, fail, uint);
        const want = reference(layout.names, layout.kinds, line);
        expect(got === undefined ? undefined : { ...got }).toEqual(want);
        if (got === undefined && cols.length === layout.count) {
          // A bad integer is reported with its column and span.
          expect(layout.kinds[fail.index]).toBe(Kind.Int);
          expect(line.slice(fail.from, fail.to)).toBe(cols[fail.index]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the default format with plain integers and a 16-digit byte count exactly', () => {
    const line =
      '2 123456789010 eni-1 10.0.0.1 10.0.0.2 49152 443 6 20 1234567890123456 1418530010 1418530070 ACCEPT OK';
    const got = DEFAULT_LAYOUT.read(line, { index: 0, from: 0, to: 0 }, uint);
    expect(got).toMatchObject({ version: 2, srcport: 49152, dstport: 443, bytes: 1234567890123456, end: 1418530070 });
    expect(got?.['account-id']).toBe('123456789010');
  });
});
