import { describe, expect, it } from 'vitest';
import { compileFieldsBuilder, fieldsBuilderFor, finiteNumber } from './fields.js';

describe('compiled fields builders', () => {
  const names = ['a', 'n', 'cs(User-Agent)', 'x"y'];
  const build = compileFieldsBuilder(names, [0, 1, 0, 0], finiteNumber);

  it('stores columns under their names; - and empty columns are absent; numbers converted', () => {
    const fail = { index: -1 };
    const f = build(['one', '42', 'Mozilla/5.0', '-'], 4, fail);
    expect(f).toEqual({ a: 'one', n: 42, 'cs(User-Agent)': 'Mozilla/5.0' });
    expect(Object.keys(f!)).toEqual(['a', 'n', 'cs(User-Agent)']);
    expect(Object.getPrototypeOf(f)).toBe(Object.prototype);
    expect(build(['', '-', 'ua', 'q'], 4, fail)).toEqual({ 'cs(User-Agent)': 'ua', 'x"y': 'q' });
  });

  it('uses only the first `count` columns', () => {
    expect(build(['one', '1', 'ua', 'z'], 2, { index: -1 })).toEqual({ a: 'one', n: 1 });
  });

  it('reports the column of an invalid number', () => {
    const fail = { index: -1 };
    expect(build(['one', 'NaNx', 'ua', 'z'], 4, fail)).toBeUndefined();
    expect(fail.index).toBe(1);
    expect(build(['one', 'Infinity', 'ua', 'z'], 4, fail)).toBeUndefined();
  });

  it('a column named __proto__ is an ordinary property, never the prototype', () => {
    const b = compileFieldsBuilder(['__proto__', 'b'], [0, 0], finiteNumber);
    const f = b(['polluted', 'ok'], 2, { index: -1 })!;
    expect(Object.getPrototypeOf(f)).toBe(Object.prototype);
    expect(Object.hasOwn(f, '__proto__')).toBe(true);
    expect(f.b).toBe('ok');
  });

  it('is shared by layouts with the same names and numeric columns', () => {
    const a = fieldsBuilderFor(['p', 'q'], [0, 1]);
    expect(fieldsBuilderFor(['p', 'q'], [0, 1])).toBe(a);
    expect(fieldsBuilderFor(['p', 'q'], [0, 0])).not.toBe(a);
  });
});
