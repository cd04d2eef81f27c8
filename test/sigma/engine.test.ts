import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SigmaEngine } from '../../src/sigma/engine.js';
import { parsePipeline } from '../../src/sigma/pipeline.js';
import { referenceMatch } from '../../src/sigma/reference.js';
import { SubstringSet } from '../../src/sigma/substrings.js';
import { collectionOf, SELECTION_CONDITIONS, sigmaArbitraries } from './arbitraries.js';

const { record, ruleDoc } = sigmaArbitraries({
  fields: ['eventName', 'eventSource', 'a', 'n.x', 'arr', 'deep.a.b', 'constructor'],
  mods: ['', '|contains', '|startswith', '|endswith', '|cased', '|contains|cased', '|neq', '|re', '|exists'],
  ruleWords: ['Stop', 'stop', 'DeleteTrail', 'x*y', 'Trail', 'elet', 'stoplog', 'Del*Trail', '*gging'],
  recordWords: ['Stop', 'STOP', 'DeleteTrail', 'xQy', 'xxDeleteTrailyy', 'STOPLOGGING', 'İstop'],
  recordKeys: ['eventName', 'eventSource', 'a', 'arr'],
  extraSelections: [fc.constant(null).map(() => ({ eventName: 'Stop' }))],
  conditions: SELECTION_CONDITIONS,
});

describe('fast engine ≡ reference evaluator', () => {
  it('random rules (shared atoms, index, all modifiers of the generator) on random records', () => {
    fc.assert(
      fc.property(
        fc.array(ruleDoc, { minLength: 1, maxLength: 12 }),
        fc.array(record, { minLength: 1, maxLength: 8 }),
        (docs, records) => {
          const c = collectionOf(docs);
          // Invalid generated rules (e.g. regex syntax) are simply not loaded; both sides see the same set.
          const engine = new SigmaEngine(c);
          for (const r of records) {
            const fast = engine.matchRules('cloudtrail', r).map((x) => x.rule);
            const slow = c.rules.filter((rule) => referenceMatch(rule.detection, r));
            expect(fast).toEqual(slow);
          }
        },
      ),
      { numRuns: Number(process.env.SIGMA_FUZZ_RUNS ?? 150) },
    );
  });

  it('indexes rules by eventName+eventSource, equality or substring keys and evaluates only candidates', () => {
    const ct = { product: 'aws', service: 'cloudtrail' };
    const c = collectionOf([
      {
        title: 'by name',
        logsource: ct,
        detection: { s: { eventSource: 'x', eventName: ['A', 'B'] }, condition: 's' },
      },
      {
        title: 'by source',
        logsource: ct,
        detection: { s: { eventSource: 'X' }, f: { a: 1 }, condition: 's and not f' },
      },
      {
        title: 'or of names',
        logsource: ct,
        detection: { s1: { eventName: 'C' }, s2: { eventName: 'D', a: 1 }, condition: '1 of s*' },
      },
      { title: 'by substring', logsource: ct, detection: { s: { 'userAgent|contains': 'bot' }, condition: 's' } },
      { title: 'by other field', logsource: ct, detection: { s: { 'userIdentity.type': 'Root' }, condition: 's' } },
      {
        title: 'unindexed',
        logsource: ct,
        detection: { s: { 'a|contains': 'b' }, f: { eventName: 'Z' }, condition: 's or not f' },
      },
    ]);
    const engine = new SigmaEngine(c);
    const keys = engine.compiled('cloudtrail').map((r) => [r.rule.meta.title, r.key]);
    expect(keys).toEqual([
      ['by name', { kind: 'pair', names: ['a', 'b'], sources: ['x'] }],
      ['by source', { kind: 'eq', field: 'eventSource', values: ['x'] }],
      ['or of names', { kind: 'eq', field: 'eventName', values: ['c', 'd'] }],
      ['by substring', { kind: 'sub', field: 'userAgent', values: ['bot'], cased: false }],
      ['by other field', { kind: 'eq', field: 'userIdentity.type', values: ['root'] }],
      ['unindexed', undefined],
    ]);
    const titles = (f: Record<string, unknown>) => engine.matchRules('cloudtrail', f).map((r) => r.rule.meta.title);
    expect(titles({ eventSource: 'X', eventName: 'b' })).toEqual(['by name', 'by source', 'unindexed']);
    expect(titles({ eventSource: 'x', eventName: 'D', a: 1, userAgent: 'Bot/1' })).toEqual([
      'or of names',
      'by substring',
      'unindexed',
    ]);
    expect(titles({ userIdentity: { type: 'root' }, eventName: 'Z' })).toEqual(['by other field']);
    expect(titles({ eventName: ['Z', 'C'], a: 'abc' })).toEqual(['or of names', 'unindexed']);
  });

  it('shares identical field tests between rules', () => {
    const docs = Array.from({ length: 50 }, (_, i) => ({
      title: `r${i}`,
      logsource: { product: 'aws', service: 'cloudtrail' },
      detection: { s: { eventSource: 'iam.amazonaws.com', eventName: `Op${i % 5}` }, condition: 's' },
    }));
    const engine = new SigmaEngine(collectionOf(docs));
    // 1 eventSource test + 5 distinct eventName tests, over 2 fields.
    expect(engine.stats()).toEqual([{ type: 'cloudtrail', rules: 50, indexed: 50, unindexed: 0, atoms: 6, fields: 2 }]);
    expect(engine.countMatches('cloudtrail', { eventSource: 'iam.amazonaws.com', eventName: 'op3' })).toBe(10);
  });
});

describe('SubstringSet (Aho–Corasick) finds exactly the literals a plain search finds', () => {
  it('many literals, overlapping and nested', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[abc]{1,4}$/), { minLength: 9, maxLength: 30 }),
        fc.stringMatching(/^[abcd]{0,40}$/),
        (literals, text) => {
          const set = new SubstringSet(literals);
          const out: number[] = [];
          set.collect(
            text,
            literals.map((_, i) => [i]),
            out,
          );
          const expected = literals.flatMap((l, i) => (text.includes(l) ? [i] : []));
          expect([...new Set(out)].sort((a, b) => a - b)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('logsources, pipelines and meta filters', () => {
  const dnsRule = {
    title: 'DNS to a bad domain',
    id: '0e95725d-7320-415d-80f7-004da920fc21',
    logsource: { category: 'dns' },
    detection: { s: { 'query|endswith': '.evil.example.' }, condition: 's' },
  };
  const r53 = { query_name: 'c2.evil.example.', srcaddr: '10.0.0.5' };

  it('maps Sigma taxonomy fields to native ones with the built-in pipeline', () => {
    const engine = new SigmaEngine(collectionOf([dnsRule]));
    expect(engine.types()).toEqual(['route53resolver']);
    expect(engine.countMatches('route53resolver', r53)).toBe(1);
    expect(engine.countMatches('route53resolver', { query_name: 'good.example.' })).toBe(0);
    const [m] = engine.matchFields('route53resolver', r53, { file: 'dns.log', line: 3 }, 0);
    // Explanations name the rule's field, not the native one.
    expect(m!.selections[0]!.values[0]).toMatchObject({ field: 'query', actual: 'c2.evil.example.' });
  });

  it('rules for unknown logsources load but are reported as never evaluated', () => {
    const engine = new SigmaEngine(
      collectionOf([{ ...dnsRule, logsource: { product: 'windows', service: 'security' } }]),
    );
    expect(engine.types()).toEqual([]);
    expect(engine.issues).toHaveLength(1);
    expect(engine.issues[0]!.reason).toBe(
      'logsource (product: windows, service: security) matches no Vigil log type; the rule is loaded but never evaluated',
    );
  });

  it('user pipelines add log sources and override field maps (one-to-many mappings are OR)', () => {
    const { pipeline, issues } = parsePipeline(
      'name: mine\nlogsources:\n  - logsource: { category: dns }\n    types: [route53resolver]\n    fields: { query: [query_name, answers.Rdata] }\n',
      'mine.yml',
    );
    expect(issues).toEqual([]);
    const engine = new SigmaEngine(collectionOf([dnsRule]), { pipelines: [pipeline!] });
    expect(engine.countMatches('route53resolver', { query_name: 'x.', answers: [{ Rdata: 'c2.evil.example.' }] })).toBe(
      1,
    );
    const bad = parsePipeline('name: x\nlogsources:\n  - logsource: {}\n    types: [syslog]\n', 'bad.yml');
    expect(bad.pipeline).toBeUndefined();
    expect(bad.issues[0]).toMatchObject({ file: 'bad.yml', path: 'logsources.0.types.0' });
  });

  it('a meta filter adds "and not (filter)" to the rules it names', () => {
    const rule = {
      title: 'Console login',
      id: '0e95725d-7320-415d-80f7-004da920fc31',
      logsource: { product: 'aws', service: 'cloudtrail' },
      detection: { s: { eventName: 'ConsoleLogin' }, condition: 's' },
    };
    const filter = {
      title: 'Ignore the break-glass user',
      logsource: { product: 'aws', service: 'cloudtrail' },
      filter: {
        rules: ['0e95725d-7320-415d-80f7-004da920fc31'],
        selection: { 'userIdentity.userName': 'breakglass' },
        condition: 'selection',
      },
    };
    const c = collectionOf([rule, filter]);
    expect(c.issues).toEqual([]);
    const engine = new SigmaEngine(c);
    expect(engine.countMatches('cloudtrail', { eventName: 'ConsoleLogin', userIdentity: { userName: 'alice' } })).toBe(
      1,
    );
    expect(
      engine.countMatches('cloudtrail', { eventName: 'ConsoleLogin', userIdentity: { userName: 'BreakGlass' } }),
    ).toBe(0);
    const [m] = engine.matchFields('cloudtrail', { eventName: 'ConsoleLogin' }, { file: 'f', line: 1 }, 0);
    expect(m!.condition).toEqual(['s', 'not (filter1: selection)']);
    const other = collectionOf([rule, { ...filter, logsource: { product: 'windows' } }]);
    expect(new SigmaEngine(other).issues[0]!.reason).toMatch(/differs from rule/);
  });
});
