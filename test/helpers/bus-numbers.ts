import { expect } from 'vitest';
import { PatternIndex } from '../../src/bus/pattern/compiled.js';
import { parseEvent } from '../../src/bus/pattern/flatten.js';
import { matches } from '../../src/bus/pattern/reference.js';

/**
 * Numeric patterns over field `n`: for every value, the compiled index (on the JSON text and on the object) selects
 * exactly the patterns the reference matcher selects on `{"n": value}`.
 */
export function expectNumbersAgree(patterns: object[], values: readonly number[]): void {
  const index = new PatternIndex<number>();
  patterns.forEach((p, i) => {
    index.add(i, p);
  });
  for (const v of values) {
    const text = `{"n": ${v}}`;
    const parsed = parseEvent(text);
    if (!parsed.ok) throw new Error(parsed.error);
    const expected = patterns.flatMap((p, i) => (matches(p, parsed.event) ? [i] : []));
    const got = index.matchJson(text);
    expect(got.ok && got.ids, text).toEqual(expected);
    expect(index.match({ n: v }), text).toEqual(expected);
  }
}
