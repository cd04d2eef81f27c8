import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTextWith } from '../../src/ingest/file-parse.js';
import { route53ResolverFormat } from '../../src/ingest/route53resolver/format.js';
import type { LogRecord } from '../../src/ingest/types.js';
import { SigmaEngine } from '../../src/sigma/engine.js';
import { parseSigmaText } from '../../src/sigma/parse.js';
import { parsePipeline } from '../../src/sigma/pipeline.js';
import { referenceMatch } from '../../src/sigma/reference.js';
import { transformPattern, valueTransformer } from '../../src/sigma/transforms.js';
import { STAR } from '../../src/sigma/types.js';
import { ELASTIC } from '../helpers/corpus.js';

const R53 = join(ELASTIC, 'route53_resolver_logs/test-route53.log');
const available = existsSync(R53);
if (!available) console.warn(`Route 53 Resolver corpus missing (${R53}): corpus tests skipped`);

function rule(title: string, logsource: string, selection: string): string {
  return `title: ${title}\nlogsource: ${logsource}\ndetection:\n  sel: ${selection}\n  condition: sel\n`;
}

const DNS = '{ category: dns }';
const NATIVE = '{ product: aws, service: route53resolver }';

describe.skipIf(!available)('pipeline value transformations on real Route 53 Resolver records', () => {
  const { records, errors } = available
    ? parseTextWith(route53ResolverFormat, readFileSync(R53, 'utf8'), { file: R53 })
    : { records: [] as LogRecord[], errors: [] };

  function matches(ruleText: string): LogRecord[] {
    const c = parseSigmaText(ruleText, 'dns.yml');
    expect(c.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const engine = new SigmaEngine(c);
    return records.filter((r) => engine.match(r).length > 0);
  }
  const names = (rs: LogRecord[]) => rs.map((r) => r.fields.query_name);

  it('the corpus parses and its names are fully qualified (trailing dot)', () => {
    expect(errors).toEqual([]);
    expect(records.length).toBe(34);
    expect(names(records).filter((n) => n === 'example.invalid.')).toHaveLength(2);
  });

  it('category: dns rules written without the root dot match (query → query_name, strip_trailing_dot)', () => {
    expect(names(matches(rule('exact', DNS, '{ query: example.invalid }')))).toEqual([
      'example.invalid.',
      'example.invalid.',
    ]);
    expect(names(matches(rule('suffix', DNS, "{ 'query|endswith': .example.com }"))).sort()).toEqual([
      'abcd.example.com.',
      'does-not-exist.example.com.',
      'test.example.com.',
      'test.example.com.',
    ]);
    // A regular expression sees the transformed value too.
    expect(matches(rule('re', DNS, "{ 'query|re': '^instance-data$' }"))).toHaveLength(2);
    // Answers (PTR targets) are names too.
    expect(matches(rule('answer', DNS, "{ 'answer|endswith': .ec2.internal }")).map((r) => r.fields.answers)).toEqual([
      [{ Rdata: 'ip-172-31-86-159.ec2.internal.', Type: 'PTR', Class: 'IN' }],
    ]);
  });

  it('rules written with the trailing dot keep matching; contains/startswith values are left as written', () => {
    expect(matches(rule('fqdn', DNS, '{ query: example.invalid. }'))).toHaveLength(2);
    expect(matches(rule('fqdn suffix', DNS, "{ 'query|endswith': .example.com. }"))).toHaveLength(4);
    // Values not anchored at the end are compared as written (their dots are inside the name).
    expect(names(matches(rule('contains', DNS, "{ 'query|contains': 'example.' }"))).sort()).toEqual([
      'abcd.example.com.',
      'does-not-exist.example.com.',
      'example.invalid.',
      'example.invalid.',
      'test.example.com.',
      'test.example.com.',
    ]);
    expect(matches(rule('prefix', DNS, "{ 'query|startswith': 'test.' }"))).toHaveLength(2);
  });

  it('explanations cite the record value as written', () => {
    const engine = new SigmaEngine(parseSigmaText(rule('exact', DNS, '{ query: example.invalid }'), 'dns.yml'));
    const hit = records.find((r) => r.fields.query_name === 'example.invalid.')!;
    const [m] = engine.match(hit);
    expect(m!.selections).toEqual([
      {
        identifier: 'sel',
        values: [{ field: 'query', modifiers: [], expected: 'example.invalid', actual: 'example.invalid.' }],
      },
    ]);
  });

  it('the native logsource keeps the native value (no transformation)', () => {
    expect(matches(rule('native', NATIVE, '{ query_name: example.invalid }'))).toHaveLength(0);
    expect(matches(rule('native fqdn', NATIVE, '{ query_name: example.invalid. }'))).toHaveLength(2);
  });
});

describe('transformations as pipeline data', () => {
  it('user pipelines declare transformations per native field; unknown names are reported with their path', () => {
    const ok = parsePipeline(
      'name: mine\nlogsources:\n  - logsource: { product: aws, service: route53resolver }\n    types: [route53resolver]\n    transforms: { query_name: [strip_trailing_dot, lowercase] }\n',
      'mine.yml',
    );
    expect(ok.issues).toEqual([]);
    const engine = new SigmaEngine(
      parseSigmaText(rule('cased', NATIVE, "{ 'query_name|cased': evil.example }"), 'r.yml'),
      { pipelines: [ok.pipeline!] },
    );
    expect(engine.countMatches('route53resolver', { query_name: 'EVIL.Example.' })).toBe(1);
    const bad = parsePipeline(
      'name: x\nlogsources:\n  - logsource: { category: dns }\n    types: [route53resolver]\n    transforms: { query_name: [strip_dots] }\n',
      'bad.yml',
    );
    expect(bad.pipeline).toBeUndefined();
    expect(bad.issues[0]).toMatchObject({ file: 'bad.yml', path: 'logsources.0.transforms.query_name.0' });
    expect(bad.issues[0]!.reason).toContain('strip_trailing_dot, trim, lowercase');
  });

  it('value and pattern transformations', () => {
    const strip = valueTransformer(['strip_trailing_dot']);
    expect(strip('example.com.')).toBe('example.com');
    expect(strip('example.com..')).toBe('example.com.');
    expect(strip('.')).toBe('');
    expect(strip(['a.', null, 3, { x: 'b.' }])).toEqual(['a', null, 3, { x: 'b' }]);
    expect(valueTransformer(['trim', 'strip_trailing_dot'])(' a.b. ')).toBe('a.b');
    const pat = (parts: (string | typeof STAR)[]) => ({ display: 'd', value: { parts, binary: false }, cased: false });
    const names = ['strip_trailing_dot'];
    expect(transformPattern(pat(['example.com.']), names).value.parts).toEqual(['example.com']);
    expect(transformPattern(pat([STAR, '.com.']), names).value.parts).toEqual([STAR, '.com']);
    expect(transformPattern(pat([STAR, '.']), names).value.parts).toEqual([STAR]);
    expect(transformPattern(pat(['.']), names).value.parts).toEqual([]);
    expect(transformPattern(pat([STAR, 'example.', STAR]), names).value.parts).toEqual([STAR, 'example.', STAR]);
    expect(transformPattern(pat(['example.com.']), ['trim']).value.parts).toEqual(['example.com.']);
  });

  it('the fast engine agrees with the reference evaluator on transformed fields', () => {
    const label = fc.constantFrom('a', 'B', 'evil', 'example', 'com', '');
    const name = fc
      .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.boolean())
      .map(([ls, dot]) => `${ls.join('.')}${dot ? '.' : ''}`);
    const mod = fc.constantFrom('', '|endswith', '|startswith', '|contains', '|neq', '|cased');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(mod, name), { minLength: 1, maxLength: 5 }),
        fc.array(fc.oneof(name, fc.array(name, { maxLength: 2 }), fc.constant(null)), { maxLength: 6 }),
        (items, values) => {
          const text = items
            .map(([m, v], i) => rule(`r${i}`, DNS, `{ 'query${m}': ${JSON.stringify(v)} }`))
            .join('---\n');
          const c = parseSigmaText(text, 'gen.yml');
          const engine = new SigmaEngine(c);
          const compiled = engine.compiled('route53resolver');
          for (const v of values) {
            const fields = v === undefined ? {} : { query_name: v };
            const fast = engine.matchRules('route53resolver', fields).map((r) => r.rule.meta.title);
            const slow = compiled.filter((r) => referenceMatch(r.detection, fields)).map((r) => r.rule.meta.title);
            expect(fast).toEqual(slow);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
