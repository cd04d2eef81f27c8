import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/ingest/types.js';
import { GEN_MAX_RULES } from '../../src/sigma/codegen.js';
import { SigmaEngine } from '../../src/sigma/engine.js';
import { generatedRules, syntheticCloudTrail } from '../../src/sigma/measure.js';
import { parsePipeline } from '../../src/sigma/pipeline.js';
import { emitKeyCheck } from '../../src/sigma/prefilter.js';
import { referenceMatch } from '../../src/sigma/reference.js';
import { collectionOf, SELECTION_CONDITIONS, sigmaArbitraries } from './arbitraries.js';
import { loadOtrf, loadSigmaDir, loadStratus, SIGMA_RULES, stratusFiles } from './helpers.js';

// Generated program (codegen.ts) ≡ interpreted program: same matches, same explanations.

const { record, ruleDoc } = sigmaArbitraries({
  fields: ['eventName', 'eventSource', 'a', 'n.x', 'arr', 'userAgent', 'constructor'],
  mods: ['', '|contains', '|startswith', '|endswith', '|cased', '|neq', '|re', '|exists', '|all', '|windash'],
  ruleWords: ['Stop', 'stop', 'DeleteTrail', 'x*y', 'Trail', 'elet', 'stoplog', 'Del*Trail', '*gging', '-a'],
  recordWords: ['Stop', 'STOP', 'DeleteTrail', 'xQy', 'xxDeleteTrailyy', 'STOPLOGGING', 'İstop', '/a'],
  recordKeys: ['eventName', 'eventSource', 'a', 'arr', 'userAgent'],
  extraSelections: [
    fc.constantFrom('Stop', 'bot', 'Trail').map((k) => [k]),
    fc.constant({ eventName: 'Stop', eventSource: 'Trail' }),
  ],
  conditions: [...SELECTION_CONDITIONS, '1 of them'],
});

function asRecord(fields: Record<string, unknown>, line: number): LogRecord {
  return { type: 'cloudtrail', fields, time: 0, origin: { file: 'gen', line } };
}

describe('generated program ≡ interpreted program', () => {
  it('random rules on random records: same rules, same explanations (and the reference agrees)', () => {
    fc.assert(
      fc.property(
        fc.array(ruleDoc, { minLength: 1, maxLength: 12 }),
        fc.array(record, { minLength: 1, maxLength: 8 }),
        (docs, records) => {
          const c = collectionOf(docs);
          const generated = new SigmaEngine(c);
          const interpreted = new SigmaEngine(c, { generate: false });
          records.forEach((fields, i) => {
            const a = generated.match(asRecord(fields, i));
            expect(a).toEqual(interpreted.match(asRecord(fields, i)));
            const slow = c.rules.filter((rule) => referenceMatch(rule.detection, fields));
            expect(a.map((m) => m.rule.title)).toEqual(slow.map((r) => r.meta.title));
            expect(generated.countMatches('cloudtrail', fields)).toBe(a.length);
          });
        },
      ),
      { numRuns: Number(process.env.SIGMA_FUZZ_RUNS ?? 150) },
    );
  });

  it('a pipeline with field mapping and value transformations: same matches and explanations', () => {
    const { pipeline, issues } = parsePipeline(
      [
        'name: mine',
        'logsources:',
        '  - logsource: { product: aws, service: cloudtrail }',
        '    types: [cloudtrail]',
        '    fields: { Host: [n.x, a] }',
        '    transforms: { n.x: [strip_trailing_dot, lowercase] }',
      ].join('\n'),
      'mine.yml',
    );
    expect(issues).toEqual([]);
    const ct = { product: 'aws', service: 'cloudtrail' };
    const c = collectionOf([
      { title: 'cased', logsource: ct, detection: { s: { 'Host|cased': 'abc' }, condition: 's' } },
      { title: 'plain', logsource: ct, detection: { s: { Host: 'Abc', eventName: 'Stop' }, condition: 's' } },
      { title: 'ends', logsource: ct, detection: { s: { 'Host|endswith': 'bc.' }, condition: 's' } },
    ]);
    const opts = { pipelines: [pipeline!] };
    const generated = new SigmaEngine(c, opts);
    const interpreted = new SigmaEngine(c, { ...opts, generate: false });
    let matches = 0;
    for (const x of ['abc', 'ABC.', 'Abc', ['x', 'ABC.'], 1, null, { y: 'abc' }]) {
      for (const extra of [{}, { eventName: 'STOP' }, { a: 'abc' }]) {
        const r = asRecord({ n: { x }, ...extra }, 1);
        const a = generated.match(r);
        expect(a).toEqual(interpreted.match(r));
        matches += a.length;
      }
    }
    expect(matches).toBeGreaterThan(10);
  });

  it('the SigmaHQ AWS rules on every Stratus and OTRF record', () => {
    const c = loadSigmaDir(SIGMA_RULES);
    const generated = new SigmaEngine(c);
    const interpreted = new SigmaEngine(c, { generate: false });
    const records = [...stratusFiles().flatMap(loadStratus), ...loadOtrf()];
    let matches = 0;
    for (const r of records) {
      const a = generated.match(r);
      expect(a).toEqual(interpreted.match(r));
      matches += a.length;
    }
    expect(matches).toBeGreaterThan(0);
  });

  it('a hundred and fifty rules (one function per rule): same matches and explanations', () => {
    const c = generatedRules(150);
    const generated = new SigmaEngine(c);
    const interpreted = new SigmaEngine(c, { generate: false });
    let matches = 0;
    syntheticCloudTrail(600, 5).forEach((l, i) => {
      const r = asRecord(JSON.parse(l) as Record<string, unknown>, i);
      const a = generated.match(r);
      expect(a).toEqual(interpreted.match(r));
      matches += a.length;
    });
    expect(matches).toBeGreaterThan(0);
  });

  it(`rule sets beyond ${GEN_MAX_RULES} rules stay interpreted and match the same`, () => {
    const c = generatedRules(GEN_MAX_RULES + 50);
    const big = new SigmaEngine(c);
    const interpreted = new SigmaEngine(c, { generate: false });
    const lines = syntheticCloudTrail(300);
    let matches = 0;
    lines.forEach((l, i) => {
      const r = asRecord(JSON.parse(l) as Record<string, unknown>, i);
      const a = big.match(r);
      expect(a).toEqual(interpreted.match(r));
      matches += a.length;
    });
    expect(matches).toBeGreaterThan(0);
  });
});

// Characters whose lower-casing is not plain ASCII folding: İ (longer), the Kelvin sign (to ASCII k), ß, Σ.
const chars = fc.constantFrom('a', 'A', 'k', 'K', 'z', 'Z', '.', '-', 'i', 'I', '\u0130', '\u212a', 'ß', 'Σ', 'é', 'É');
const text = fc.array(chars, { maxLength: 6 }).map((a) => a.join(''));

describe('emitKeyCheck (generated equality-key rejection)', () => {
  const check = (keys: string[]) =>
    new Function('v', `let x, y; return ${emitKeyCheck(keys, 'v', 'x', 'y')};`) as (v: string) => boolean;

  it('never rejects a value whose lower-cased text is a key', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(text, fc.constantFrom('x'.repeat(40), 'stoplogging')), { minLength: 1, maxLength: 6 }),
        fc.oneof(text, fc.constantFrom('X'.repeat(40), 'StopLogging')),
        (raw, value) => {
          const keys = raw.map((k) => k.toLowerCase());
          if (keys.includes(value.toLowerCase())) expect(check(keys)(value)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects values that differ at an end or in length', () => {
    const f = check(['stoplogging', 'deletetrail', 'x'.repeat(40)]);
    expect(f('StopLogging')).toBe(true);
    expect(f('DELETETRAIL')).toBe(true);
    expect(f('X'.repeat(40))).toBe(true);
    expect(f('StartLogging')).toBe(false); // same ends, other length
    expect(f('DescribeTrails')).toBe(false);
    expect(f('X'.repeat(41))).toBe(false);
    expect(f('')).toBe(false);
    expect(f(`\u212a${'x'.repeat(39)}`)).toBe(true); // non-ASCII first character: not judged here
    expect(f('St\u0130pLogging')).toBe(true); // contains İ: length not judged
    expect(check([''])('')).toBe(true);
  });
});
