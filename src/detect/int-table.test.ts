import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntTable } from './int-table.js';

describe('IntTable', () => {
  it('stores, updates and finds values by (kind, key), keys modulo 2^32', () => {
    const t = new IntTable();
    expect(t.get(0, 53)).toBeUndefined();
    t.set(0, 53, 1.5e12);
    t.set(1, 53, 7);
    t.set(0, 0xc0000201, 9); // above 2^31: stored as the same 32 bits
    expect(t.get(0, 53)).toBe(1.5e12);
    expect(t.get(1, 53)).toBe(7);
    expect(t.get(2, 53)).toBeUndefined();
    expect(t.get(0, 0xc0000201)).toBe(9);
    expect(t.get(0, 0xc0000201 | 0)).toBe(9);
    t.set(0, 53, 1);
    expect(t.get(0, 53)).toBe(1);
    expect(t.size).toBe(3);
  });

  it('agrees with a Map for any sequence of sets and gets (growth and collisions included)', () => {
    const op = fc.record({
      set: fc.boolean(),
      kind: fc.integer({ min: 0, max: 3 }),
      key: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 })),
      value: fc.double({ noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const t = new IntTable();
        const m = new Map<string, number>();
        for (const o of ops) {
          const id = `${o.kind}:${o.key | 0}`;
          if (o.set) {
            t.set(o.kind, o.key, o.value);
            m.set(id, o.value);
          } else expect(t.get(o.kind, o.key)).toBe(m.get(id));
        }
        expect(t.size).toBe(m.size);
        for (const [id, value] of m) {
          const [kind, key] = id.split(':').map(Number);
          expect(t.get(kind!, key!)).toBe(value);
        }
      }),
    );
  });
});
