import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWebAcl, makeRequest, WafEngine } from '../../src/waf/index.js';
import { TRANSFORMATION_TYPES } from '../../src/waf/transforms.js';

const vis = { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: 'x' };
const all = TRANSFORMATION_TYPES.map((Type, Priority) => ({ Priority, Type }));
// Four chains of ≤ 8 transformations cover all 31 types.
const chains = [all.slice(0, 8), all.slice(8, 16), all.slice(16, 24), all.slice(24)];

const fields = [
  { UriPath: {} },
  { QueryString: {} },
  { AllQueryArguments: {} },
  { SingleQueryArgument: { Name: 'id' } },
  { Body: { OversizeHandling: 'MATCH' } },
  {
    JsonBody: {
      MatchPattern: { All: {} },
      MatchScope: 'ALL',
      InvalidFallbackBehavior: 'EVALUATE_AS_STRING',
      OversizeHandling: 'CONTINUE',
    },
  },
  { Headers: { MatchPattern: { All: {} }, MatchScope: 'ALL', OversizeHandling: 'NO_MATCH' } },
  { Cookies: { MatchPattern: { All: {} }, MatchScope: 'VALUE', OversizeHandling: 'MATCH' } },
  { HeaderOrder: { OversizeHandling: 'CONTINUE' } },
  { UriFragment: { FallbackBehavior: 'NO_MATCH' } },
];

// Every field × every chain, for SQLi (HIGH) and XSS in two ACLs (each under 5,000 WCU); Count so all rules run.
function rules(kind: 'sqli' | 'xss') {
  return fields.flatMap((f, i) =>
    chains.map((t, j) => ({
      Name: `${kind[0]}${i}-${j}`,
      Priority: i * 10 + j,
      Action: { Count: {} },
      VisibilityConfig: vis,
      Statement:
        kind === 'sqli'
          ? { SqliMatchStatement: { FieldToMatch: f, TextTransformations: t, SensitivityLevel: 'HIGH' } }
          : { XssMatchStatement: { FieldToMatch: f, TextTransformations: t } },
    })),
  );
}

describe('malformed requests never throw (waf.md §5 of the issue: defined results)', () => {
  const load = (kind: 'sqli' | 'xss') =>
    loadWebAcl([{ Name: kind, DefaultAction: { Allow: {} }, VisibilityConfig: vis, Rules: rules(kind) }]);
  const a = load('sqli');
  const b = load('xss');
  it('loads', () => {
    expect([...a.issues, ...b.issues]).toEqual([]);
    expect(a.acl!.capacity).toBeLessThanOrEqual(5000);
  });
  const engines = [new WafEngine(a.acl!), new WafEngine(b.acl!)];
  const engine = engines[0]!;
  it('random bytes in every component', () => {
    const bytes = fc.string({
      unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
      maxLength: 300,
    });
    fc.assert(
      fc.property(bytes, bytes, bytes, bytes, (path, query, hv, body) => {
        const req = makeRequest({ url: '/' });
        req.uriPath = `/${path}`;
        req.queryString = query;
        req.headers = [
          ['cookie', hv],
          ['x-h', hv],
        ];
        req.body = body;
        req.fragment = path;
        for (const e of engines) expect(e.evaluate(req).action).toBe('ALLOW');
      }),
      { numRuns: 150 },
    );
  });
  it('oversize bodies, many cookies and huge headers are flagged as oversize', () => {
    const req = makeRequest({
      url: '/?a=%zz%u12&&=&b',
      method: 'POST',
      headers: [
        ['cookie', Array.from({ length: 300 }, (_, i) => `c${i}=v`).join('; ')],
        ...Array.from({ length: 250 }, (_, i) => [`x-${i}`, 'y'.repeat(50)] as [string, string]),
      ],
      body: `{"a": [1, 2, {"b": "${'z'.repeat(20_000)}`,
    });
    const d = engine.evaluate(req);
    expect(d.oversizeFields.sort()).toEqual([
      'REQUEST_BODY',
      'REQUEST_COOKIES',
      'REQUEST_HEADERS',
      'REQUEST_JSON_BODY',
    ]);
    // Body OversizeHandling MATCH → the Body rules match; Headers NO_MATCH → the header rules do not
    const hits = d.nonTerminatingMatchingRules.map((h) => h.ruleId);
    expect(hits).toContain('s4-0');
    expect(hits).not.toContain('s6-0');
  });
});
