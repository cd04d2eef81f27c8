import { describe, expect, it } from 'vitest';
import { ConditionError, formatCondition, parseCondition } from '../../src/sigma/condition.js';
import { loadErrors, matches } from './check.js';

const ids = ['a', 'b', 'c', 'sel_1', 'sel_2', 'filter_main_x', 'filter_main_y', '_hidden'];
const fmt = (text: string) => formatCondition(parseCondition(text, ids));

describe('condition grammar', () => {
  it('precedence: or < and < not < x of < ()', () => {
    expect(fmt('a or b and c')).toBe('a or (b and c)');
    expect(fmt('a and b or c')).toBe('(a and b) or c');
    expect(fmt('not a and b')).toBe('not a and b');
    expect(fmt('not (a and b)')).toBe('not (a and b)');
    expect(fmt('a and not 1 of filter_main_*')).toBe('a and not 1 of filter_main_*');
    expect(fmt('(a or b) and c')).toBe('(a or b) and c');
    expect(fmt('not not a')).toBe('not not a');
  });

  it('x of patterns expand to the matching identifiers', () => {
    expect(parseCondition('1 of sel_*', ids)).toEqual({
      op: 'of',
      quantifier: 'one',
      pattern: 'sel_*',
      names: ['sel_1', 'sel_2'],
    });
    expect(parseCondition('all of *_x', ids)).toMatchObject({ quantifier: 'all', names: ['filter_main_x'] });
    expect(parseCondition('1 of a', ids)).toMatchObject({ names: ['a'] });
  });

  it('them excludes identifiers starting with _', () => {
    const node = parseCondition('all of them', ids);
    expect(node).toMatchObject({ quantifier: 'all', pattern: 'them' });
    expect((node as { names: string[] }).names).not.toContain('_hidden');
    expect((node as { names: string[] }).names).toHaveLength(7);
  });

  it('operators are case-insensitive', () => {
    expect(fmt('a AND NOT b OR c')).toBe('(a and not b) or c');
    expect(fmt('ALL OF sel_*')).toBe('all of sel_*');
  });

  it('reports errors precisely', () => {
    const err = (text: string) => {
      try {
        parseCondition(text, ids);
        return undefined;
      } catch (e) {
        expect(e).toBeInstanceOf(ConditionError);
        return (e as Error).message;
      }
    };
    expect(err('a and d')).toBe("search identifier 'd' is not defined in detection (offset 6)");
    expect(err('1 of nothing_*')).toBe("pattern 'nothing_*' matches no search identifier");
    expect(err('a and')).toBe('expected an identifier, "(", "not", "1 of" or "all of" at end');
    expect(err('(a or b')).toBe("expected ')' at end");
    expect(err('a b')).toBe('expected "and", "or" or end of condition at offset 2 (\'b\')');
    expect(err('2 of sel_*')).toMatch(/use '1 of' or 'all of'/);
    expect(err('sel_*')).toMatch(/only allowed after '1 of' or 'all of'/);
    expect(err('a | count() > 5')).toMatch(/aggregation expressions/);
    expect(err('')).toBe('condition is empty');
  });
});

describe('conditions evaluated on records', () => {
  const det = (condition: string) =>
    `a: { x: 1 }\nb: { y: 1 }\nc: { z: 1 }\nsel_1: { s: 1 }\nsel_2: { t: 1 }\n_hidden: { h: 1 }\ncondition: ${condition}`;

  it('and / or / not / parentheses', () => {
    expect(matches(det('a or b and c'), { x: 1 })).toBe(true);
    expect(matches(det('(a or b) and c'), { x: 1 })).toBe(false);
    expect(matches(det('(a or b) and c'), { x: 1, z: 1 })).toBe(true);
    expect(matches(det('a and not b'), { x: 1, y: 1 })).toBe(false);
    expect(matches(det('a and not b'), { x: 1 })).toBe(true);
    expect(matches(det('not a'), {})).toBe(true);
  });

  it('1 of / all of / them', () => {
    expect(matches(det('1 of sel_*'), { t: 1 })).toBe(true);
    expect(matches(det('all of sel_*'), { t: 1 })).toBe(false);
    expect(matches(det('all of sel_*'), { s: 1, t: 1 })).toBe(true);
    expect(matches(det('1 of them'), { h: 1 })).toBe(false);
    expect(matches(det('1 of them'), { z: 1 })).toBe(true);
    expect(matches(det('all of them'), { x: 1, y: 1, z: 1, s: 1, t: 1 })).toBe(true);
    expect(matches(det('a and not 1 of sel_*'), { x: 1, s: 1 })).toBe(false);
  });

  it('a condition list is OR', () => {
    const d = 'a: { x: 1 }\nb: { y: 1 }\ncondition:\n  - a\n  - b';
    expect(matches(d, { y: 1 })).toBe(true);
    expect(matches(d, { z: 1 })).toBe(false);
  });

  it('the rule forms used by the SigmaHQ AWS rules', () => {
    const bucket =
      "selection_event_name: { eventName: DeleteBucket }\nselection_status_success: { errorCode: 'Success' }\n" +
      'selection_status_null: { errorCode: null }\ncondition: selection_event_name and 1 of selection_status_*';
    expect(matches(bucket, { eventName: 'DeleteBucket' })).toBe(true);
    expect(matches(bucket, { eventName: 'DeleteBucket', errorCode: 'Success' })).toBe(true);
    expect(matches(bucket, { eventName: 'DeleteBucket', errorCode: 'AccessDenied' })).toBe(false);
  });

  it('undefined identifiers are load errors', () => {
    expect(loadErrors('sel: { a: 1 }\ncondition: sel and other')).toEqual([
      "search identifier 'other' is not defined in detection (offset 8)",
    ]);
    expect(loadErrors('sel: { a: 1 }')).toEqual(["missing 'condition'"]);
    expect(loadErrors('sel: { a: 1 }\ntimeframe: 5m\ncondition: sel')[0]).toMatch(/timeframe/);
  });
});
