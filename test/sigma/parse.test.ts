import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { loadSigmaPaths, validateCollection } from '../../src/sigma/collection.js';
import { mergeCollections, parseSigmaText } from '../../src/sigma/parse.js';
import { loadSigmaDir, SIGMA_RULES, SPEC_CORRELATION } from './helpers.js';

const schemaDir = join(SPEC_CORRELATION, 'json-schema');

/** The official JSON schemas as zod validators (the oracle). The correlation schema's if/then part is checked by hand. */
function officialSchemas() {
  const read = (f: string) => JSON.parse(readFileSync(join(schemaDir, f), 'utf8'));
  const correlation = read('sigma-correlation-rules-schema.json');
  delete correlation.properties.correlation.allOf;
  return {
    rule: z.fromJSONSchema(read('sigma-detection-rule-schema.json')),
    correlation: z.fromJSONSchema(correlation),
    filter: z.fromJSONSchema(read('sigma-filters-schema.json')),
  };
}

const docsIn = (dir: string) =>
  readdirSync(join(SPEC_CORRELATION, dir))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(SPEC_CORRELATION, dir, f));

describe('loading the corpora', () => {
  it('all 57 SigmaHQ AWS rules load with zero errors and zero warnings', () => {
    const c = loadSigmaDir(SIGMA_RULES);
    expect(c.issues).toEqual([]);
    expect(c.rules).toHaveLength(57);
    expect(new Set(c.rules.map((r) => r.meta.id)).size).toBe(57);
    expect(c.rules.every((r) => r.logsource.product === 'aws' && r.logsource.service === 'cloudtrail')).toBe(true);
    const levels = c.rules.reduce<Record<string, number>>((acc, r) => {
      acc[r.meta.level!] = (acc[r.meta.level!] ?? 0) + 1;
      return acc;
    }, {});
    // Spec §8: levels high 16, medium 28, low 13.
    expect(levels).toEqual({ high: 16, medium: 28, low: 13 });
  });

  it('the specification examples (rules, filters, 8 correlations) parse and validate', () => {
    const load = (dir: string) => mergeCollections(docsIn(dir).map((f) => parseSigmaText(readFileSync(f, 'utf8'), f)));
    const rules = load('rules');
    const filters = load('filter');
    const correlations = load('correlation');
    expect([...rules.issues, ...filters.issues, ...correlations.issues]).toEqual([]);
    expect(rules.rules).toHaveLength(2);
    expect(filters.filters).toHaveLength(2);
    expect(correlations.correlations.map((c) => c.type).sort()).toEqual([
      'event_count',
      'event_count',
      'temporal',
      'temporal_ordered',
      'value_avg',
      'value_count',
      'value_percentile',
      'value_sum',
    ]);
    const vc = correlations.correlations.find((c) => c.type === 'value_count')!;
    expect(vc).toMatchObject({
      rules: ['5638f7c0-ac70-491d-8465-2a65075e0d86'],
      groupBy: ['ComputerName', 'WorkstationName'],
      timespan: '1d',
      timespanMs: 86_400_000,
      condition: [{ op: 'gte', value: 100 }],
      field: ['User'],
      generate: false,
    });
    const temporal = correlations.correlations.find((c) => c.type === 'temporal')!;
    expect(temporal.condition).toEqual([]);
    expect(temporal.timespanMs).toBe(300_000);
    const f = filters.filters.find((x) => x.meta.title === 'Filter Administrator account')!;
    expect(f.rules).toEqual(['6f3e2987-db24-4c78-a860-b4f4095a7095', 'df0841c0-9846-4e9f-ad8a-7df91571771b']);
  });
});

describe('validation agrees with the official JSON schemas', () => {
  const schemas = officialSchemas();
  const corpusDocs = [
    ...readdirSync(SIGMA_RULES).map((f) => join(SIGMA_RULES, f)),
    ...docsIn('rules'),
    ...docsIn('filter'),
    ...docsIn('correlation'),
  ];

  it('every corpus document is valid for both', () => {
    for (const file of corpusDocs) {
      const doc = parseYaml(readFileSync(file, 'utf8'));
      const schema = 'correlation' in doc ? schemas.correlation : 'filter' in doc ? schemas.filter : schemas.rule;
      expect(schema.safeParse(doc).success, file).toBe(true);
      expect(parseSigmaText(readFileSync(file, 'utf8'), file).issues, file).toEqual([]);
    }
  });

  const base = {
    title: 'T',
    id: '0e95725d-7320-415d-80f7-004da920fc11',
    logsource: { product: 'aws', service: 'cloudtrail' },
    detection: { sel: { eventName: 'x' }, condition: 'sel' },
  };
  const ruleCases: [string, Record<string, unknown>][] = [
    ['valid', {}],
    ['bad level', { level: 'severe' }],
    ['bad status', { status: 'production' }],
    ['upper-case tag', { tags: ['attack.T1078'] }],
    ['tag without namespace', { tags: ['persistence'] }],
    ['duplicate tags', { tags: ['attack.t1078', 'attack.t1078'] }],
    ['bad date', { date: '2024/01/31' }],
    ['bad modified', { modified: '2024-13-01' }],
    ['title too long', { title: 'x'.repeat(257) }],
    ['title not a string', { title: 5 }],
    ['missing title', { title: undefined }],
    ['missing logsource', { logsource: undefined }],
    ['missing detection', { detection: undefined }],
    ['non-uuid id', { id: 'my-rule' }],
    ['related bad type', { related: [{ id: '0e95725d-7320-415d-80f7-004da920fc12', type: 'cousin' }] }],
    ['falsepositive too short', { falsepositives: ['x'] }],
    ['description', { description: 'ok', author: 'me', references: ['https://a'], date: '2024-01-31' }],
  ];

  it.each(ruleCases)('rule: %s', (_name, patch) => {
    const doc: Record<string, unknown> = { ...base, ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete doc[k];
    const official = schemas.rule.safeParse(doc).success;
    const c = parseSigmaText(JSON.stringify(doc), 'case.yml');
    const ours = c.issues.filter((i) => i.severity === 'error').length === 0;
    expect(ours).toBe(official);
  });

  const corrBase = {
    title: 'C',
    correlation: { type: 'event_count', rules: ['rule_a'], 'group-by': ['x'], timespan: '1h', condition: { gte: 5 } },
  };
  const corrCases: [string, Record<string, unknown>][] = [
    ['valid', {}],
    ['unknown type', { type: 'value_max' }],
    ['rules not a list', { rules: 'rule_a' }],
    ['rule ref too short', { rules: ['a'] }],
    ['timespan too long', { timespan: '12345678901s' }],
    ['bad level', { level: 'x' }],
  ];
  it.each(corrCases)('correlation: %s', (_name, patch) => {
    const { level, ...inner } = patch;
    const doc: Record<string, unknown> = { ...corrBase, correlation: { ...corrBase.correlation, ...inner } };
    if (level !== undefined) doc.level = level;
    const official = schemas.correlation.safeParse(doc).success;
    const c = parseSigmaText(JSON.stringify(doc), 'case.yml');
    const ours = c.issues.filter((i) => i.severity === 'error').length === 0;
    expect(ours).toBe(official);
  });

  it('correlation requirements of the schema if/then part', () => {
    const errs = (corr: Record<string, unknown>) =>
      parseSigmaText(JSON.stringify({ title: 'C', correlation: corr }), 'c.yml').issues.map((i) => i.reason);
    expect(errs({ type: 'event_count', rules: ['rule_a'], 'group-by': ['x'], timespan: '1h' })).toEqual([
      "missing required attribute 'condition' (mandatory for event_count)",
    ]);
    expect(
      errs({ type: 'value_count', rules: ['rule_a'], 'group-by': ['x'], timespan: '1h', condition: { gt: 1 } }),
    ).toEqual(['condition.field is required for value_count']);
    expect(errs({ type: 'temporal', rules: ['rule_a', 'rule_b'], timespan: '1h' })).toEqual([
      "missing required attribute 'group-by'",
    ]);
    expect(
      errs({ type: 'event_count', rules: ['rule_a'], 'group-by': ['x'], timespan: '1 hour', condition: { gt: 1 } }),
    ).toEqual(["timespan '1 hour' must be a positive number followed by s, m, h or d (e.g. 90m)"]);
    expect(
      errs({ type: 'event_count', rules: ['rule_a'], 'group-by': ['x'], timespan: '1h', condition: { gt: 1.5 } }),
    ).toEqual(['threshold must be an integer']);
    expect(
      errs({
        type: 'value_avg',
        rules: ['rule_a'],
        'group-by': ['x'],
        timespan: '1h',
        condition: { field: 'b', gt: 1.5 },
      }),
    ).toEqual([]);
  });
});

describe('error reporting', () => {
  it('names file, line, rule and path', () => {
    const text = [
      'title: Broken',
      'id: 0e95725d-7320-415d-80f7-004da920fc11',
      'logsource:',
      '  product: aws',
      '  service: cloudtrail',
      'detection:',
      '  selection:',
      '    eventSource: s3.amazonaws.com',
      "    eventName|containz: 'Put'",
      '  condition: selection',
    ].join('\n');
    const c = parseSigmaText(text, 'rules/broken.yml');
    expect(c.rules).toHaveLength(0);
    expect(c.issues).toEqual([
      {
        severity: 'error',
        file: 'rules/broken.yml',
        line: 9,
        rule: '0e95725d-7320-415d-80f7-004da920fc11',
        path: 'detection.selection.eventName|containz',
        reason: "unknown modifier 'containz'",
      },
    ]);
  });

  it('points into lists of maps and at metadata', () => {
    const text = [
      'title: Broken',
      'level: severe',
      'logsource: { product: aws, service: cloudtrail }',
      'detection:',
      '  sel:',
      '    - eventName: a',
      '    - eventName|re: "(?=x)"',
      '  condition: sel',
    ].join('\n');
    const c = parseSigmaText(text, 'x.yml');
    expect(c.issues.map((i) => [i.line, i.path, i.rule])).toEqual([[2, 'level', 'Broken']]);
    const fixed = parseSigmaText(text.replace('level: severe', 'level: high'), 'x.yml');
    expect(fixed.issues.map((i) => [i.line, i.path])).toEqual([[7, 'detection.sel[1].eventName|re']]);
    expect(fixed.issues[0]!.reason).toMatch(/look-ahead is not supported/);
  });

  it('keeps loading the other documents of a multi-document file', () => {
    const text = [
      'title: Good one',
      'logsource: { product: aws, service: cloudtrail }',
      'detection: { sel: { eventName: a }, condition: sel }',
      '---',
      'title: Bad one',
      'logsource: { product: aws, service: cloudtrail }',
      'detection: { sel: { eventName: a }, condition: sel and nope }',
      '---',
      'title: Correlation',
      'correlation: { type: event_count, rules: [good_one], group-by: [x], timespan: 5m, condition: { gte: 2 } }',
      '---',
    ].join('\n');
    const c = parseSigmaText(text, 'multi.yml');
    expect(c.rules.map((r) => r.meta.title)).toEqual(['Good one']);
    expect(c.correlations).toHaveLength(1);
    expect(c.issues).toHaveLength(1);
    expect(c.issues[0]).toMatchObject({ line: 7, rule: 'Bad one', path: 'detection.condition' });
  });

  it('reports YAML syntax errors, duplicate keys and non-Sigma documents', () => {
    expect(parseSigmaText('title: [unclosed\n', 'a.yml').issues).toEqual([
      {
        severity: 'error',
        file: 'a.yml',
        line: 2,
        reason:
          'YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1',
      },
    ]);
    const dup = parseSigmaText('title: a\ntitle: b\nlogsource: {}\ndetection: {s: {a: 1}, condition: s}\n', 'd.yml');
    expect(dup.issues[0]!.reason).toMatch(/YAML: Map keys must be unique/);
    expect(dup.issues[0]!.line).toBe(2);
    expect(parseSigmaText('- just\n- a list\n', 'l.yml').issues[0]!.reason).toBe('a Sigma document must be a YAML map');
    expect(parseSigmaText('title: x\n', 'n.yml').issues[0]!.reason).toMatch(/not a Sigma rule, correlation or filter/);
    expect(parseSigmaText('action: global\ntitle: x\n', 'g.yml').issues[0]!.reason).toMatch(/Sigma 1.x/);
  });

  it('whole-set checks: duplicate ids, unknown and cyclic correlation references', () => {
    const rule = (title: string, id: string, name?: string) =>
      `title: ${title}\nid: ${id}\n${name ? `name: ${name}\n` : ''}logsource: { product: aws, service: cloudtrail }\ndetection: { sel: { eventName: a }, condition: sel }\n`;
    const text = [
      rule('A', '0e95725d-7320-415d-80f7-004da920fc11', 'rule_a'),
      rule('A again', '0e95725d-7320-415d-80f7-004da920fc11'),
      'title: Uses missing\ncorrelation: { type: event_count, rules: [rule_a, nothing_here], group-by: [x], timespan: 5m, condition: { gte: 2 } }\n',
      'title: C1\nname: c_one\ncorrelation: { type: event_count, rules: [c_two], group-by: [x], timespan: 5m, condition: { gte: 2 } }\n',
      'title: C2\nname: c_two\ncorrelation: { type: event_count, rules: [c_one], group-by: [x], timespan: 5m, condition: { gte: 2 } }\n',
      'title: OK\ncorrelation: { type: event_count, rules: [rule_a], group-by: [x], timespan: 5m, condition: { gte: 2 } }\n',
    ].join('---\n');
    const c = validateCollection(parseSigmaText(text, 'set.yml'));
    expect(c.rules.map((r) => r.meta.title)).toEqual(['A']);
    expect(c.correlations.map((r) => r.meta.title)).toEqual(['OK']);
    const reasons = c.issues.map((i) => i.reason);
    expect(reasons[0]).toMatch(/'0e95725d-7320-415d-80f7-004da920fc11' is already used by 'A' \(set.yml:1\)/);
    expect(reasons).toContain("references 'nothing_here', which is not a loaded rule or correlation");
    expect(reasons.filter((r) => r.includes('cycle'))).toHaveLength(1);
  });

  it('loads directories recursively and reports unreadable paths', () => {
    const c = loadSigmaPaths([SIGMA_RULES, join(SIGMA_RULES, 'does-not-exist.yml')]);
    expect(c.rules).toHaveLength(57);
    expect(c.issues).toHaveLength(1);
    expect(c.issues[0]!.reason).toMatch(/cannot read: ENOENT/);
  });
});
