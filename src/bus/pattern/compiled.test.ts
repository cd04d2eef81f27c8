import { describe, expect, it } from 'vitest';
import { compilePattern, PatternError } from './compile.js';
import { PatternIndex } from './compiled.js';
import { matches } from './reference.js';

const event = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  source: 'aws.config',
  'detail-type': 'Config Rules Compliance Change',
  detail,
  ...extra,
});

describe('PatternIndex', () => {
  it('adds, replaces and removes patterns; ids come back in insertion order', () => {
    const index = new PatternIndex();
    index.add('b', { source: ['aws.config'] });
    index.add('a', { detail: { complianceType: ['NON_COMPLIANT'] } });
    index.add('c', { source: [{ prefix: 'aws.' }] });
    const e = event({ complianceType: 'NON_COMPLIANT' });
    expect(index.match(e)).toEqual(['b', 'a', 'c']);
    expect(index.size).toBe(3);
    index.add('b', { source: ['aws.s3'] });
    expect(index.match(e)).toEqual(['a', 'c']);
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect(index.match(e)).toEqual(['c']);
    expect(index.has('a')).toBe(false);
    expect(index.get('c')?.paths).toEqual(['source']);
  });

  it('leaves the index unchanged when a pattern is invalid', () => {
    const index = new PatternIndex();
    index.add('x', { source: ['aws.config'] });
    expect(() => index.add('x', { source: [] })).toThrow(PatternError);
    expect(index.match(event({}))).toEqual(['x']);
  });

  it('reports each rule once even when several $or branches match', () => {
    const index = new PatternIndex();
    index.add('r', { $or: [{ source: ['aws.config'] }, { 'detail-type': [{ prefix: 'Config' }] }] });
    expect(index.match(event({}))).toEqual(['r']);
  });

  it('handles patterns made only of exists:false (checked for every event)', () => {
    const index = new PatternIndex();
    index.add('not-replayed', { 'replay-name': [{ exists: false }] });
    expect(index.match(event({}))).toEqual(['not-replayed']);
    expect(index.match(event({}, { 'replay-name': 'r1' }))).toEqual([]);
  });

  it('keeps sharing structures correct across removals (same keys, prefixes, masks, ranges)', () => {
    const index = new PatternIndex<number>();
    const patterns = [
      { ip: [{ cidr: '10.0.0.0/8' }] },
      { ip: [{ cidr: '10.1.0.0/16' }] },
      { ip: ['10.1.2.3'] },
      { n: [{ numeric: ['>', 0, '<=', 10] }] },
      { n: [{ numeric: ['>=', 10] }] },
      { s: [{ prefix: 'ab' }] },
      { s: [{ prefix: 'a' }] },
      { s: ['abc'] },
    ];
    for (const [i, p] of patterns.entries()) index.add(i, p);
    const e = { ip: '10.1.2.3', n: 10, s: 'abc' };
    expect(index.match(e)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const i of [1, 3, 5]) index.remove(i);
    expect(index.match(e)).toEqual([0, 2, 4, 6, 7]);
    for (const i of [0, 2, 4, 6, 7]) index.remove(i);
    expect(index.match(e)).toEqual([]);
    index.add(9, { s: [{ suffix: 'bc' }] });
    expect(index.match(e)).toEqual([9]);
  });

  it('routes among 10,000 rules exactly like the reference loop', () => {
    const index = new PatternIndex<number>();
    const compiled = [];
    const results: number[][] = [];
    for (let i = 0; i < 10_000; i++) {
      const p = compilePattern(
        i % 4 === 0
          ? { detail: { resourceId: [`i-${i}`] } }
          : i % 4 === 1
            ? { detail: { resourceId: [{ prefix: `i-${i}` }] } }
            : i % 4 === 2
              ? { detail: { severity: [{ numeric: ['>=', i, '<', i + 3] }] } }
              : { detail: { resourceType: [`AWS::Type${i}`], resourceId: [{ 'anything-but': `i-${i}` }] } },
      );
      compiled.push(p);
      index.add(i, p);
    }
    for (const e of [
      event({ resourceId: 'i-40', severity: 4002 }),
      event({ resourceId: 'i-4000', severity: 41 }),
      event({ resourceType: 'AWS::Type7', resourceId: 'i-8' }),
      event({ resourceType: 'AWS::Type7', resourceId: 'i-7' }),
    ]) {
      const expected = compiled.flatMap((p, i) => (matches(p, e) ? [i] : []));
      expect(index.match(e)).toEqual(expected);
      results.push(expected);
    }
    expect(results).toEqual([[40, 4002], [4000], [7, 8], []]);
  });

  it('keeps insertion order and verdicts through heavy churn (rule slots and shared checks are compacted)', () => {
    const index = new PatternIndex<number>();
    const live = new Map<number, object>();
    const pattern = (i: number) =>
      i % 3 === 0
        ? { k: [`v${i % 400}`], s: [{ suffix: `${i % 7}` }] }
        : i % 3 === 1
          ? { k: [`v${i % 400}`], s: [{ 'equals-ignore-case': `X${i % 7}` }] }
          : { $or: [{ k: [`v${i % 400}`] }, { s: [{ wildcard: `*${i % 7}*` }] }] };
    let next = 0;
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 900; k++, next++) {
        index.add(next, pattern(next));
        live.set(next, pattern(next));
      }
      // Remove two thirds of what is there, oldest and newest alike.
      for (const id of [...live.keys()]) {
        if (id % 3 !== round % 3) {
          index.remove(id);
          live.delete(id);
        }
      }
    }
    expect(index.size).toBe(live.size);
    for (const e of [
      { k: 'v3', s: 'abc3' },
      { k: 'v10', s: 'x1' },
      { k: 'v49', s: 'zz5zz' },
    ]) {
      const expected = [...live].flatMap(([id, p]) => (matches(p, e) ? [id] : []));
      expect(expected.length).toBeGreaterThan(0);
      expect(index.match(e)).toEqual(expected);
      const text = index.matchJson(JSON.stringify(e));
      expect(text.ok && text.ids).toEqual(expected);
    }
  });

  it('finds the surviving keys after most keys are removed (the key table shrinks)', () => {
    const index = new PatternIndex<number>();
    for (let i = 0; i < 1000; i++) index.add(i, { k: [`key-${i}`], s: [{ prefix: `p${i}` }] });
    for (let i = 0; i < 1000; i++) if (i % 10 !== 0) index.remove(i);
    for (const i of [0, 5, 10, 990, 999]) {
      const e = { k: `key-${i}`, s: `p${i}-x` };
      expect(index.match(e), String(i)).toEqual(i % 10 === 0 ? [i] : []);
    }
    index.add(5, { k: ['key-5'] });
    expect(index.match({ k: 'key-5' })).toEqual([5]);
  });

  it('accepts compiled patterns, JSON text and objects alike', () => {
    const index = new PatternIndex();
    index.add('text', '{"source": ["aws.config"]}');
    index.add('object', { source: ['aws.config'] });
    index.add('compiled', compilePattern({ source: ['aws.config'] }));
    expect(index.match(event({}))).toEqual(['text', 'object', 'compiled']);
  });

  it('applies compile options (limits) to added patterns', () => {
    const index = new PatternIndex({ maxLength: 20 });
    expect(() => index.add('long', { source: ['aws.config.something.long'] })).toThrow(
      /Event pattern is \d+ characters long; the maximum is 20/,
    );
  });
});
