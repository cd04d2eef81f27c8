import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFtwFolder } from '../../src/waf/ftw.js';
import { loadWebAcl, managedGroupsWebAcl, WafEngine } from '../../src/waf/index.js';
import { CORPORA, corpusAvailable } from '../helpers/corpus.js';

const DIR = join(CORPORA, 'waf/crs-regression');
const vis = { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: 'x' };
const DECODE = [
  { Priority: 0, Type: 'URL_DECODE_UNI' },
  { Priority: 1, Type: 'HTML_ENTITY_DECODE' },
];
const FIELDS = [
  { UriPath: {} },
  { AllQueryArguments: {} },
  { Body: { OversizeHandling: 'CONTINUE' } },
  { Cookies: { MatchPattern: { All: {} }, MatchScope: 'VALUE', OversizeHandling: 'CONTINUE' } },
  {
    Headers: {
      MatchPattern: { ExcludedHeaders: ['host', 'accept', 'user-agent', 'content-type', 'cookie'] },
      MatchScope: 'VALUE',
      OversizeHandling: 'CONTINUE',
    },
  },
];

/** One ACL per family: SqliMatch (LOW) or XssMatch on every user-controlled field, URL + entity decoded. */
function engineFor(kind: 'SqliMatchStatement' | 'XssMatchStatement'): WafEngine {
  const rules = FIELDS.map((f, i) => ({
    Name: `r${i}`,
    Priority: i,
    Action: { Block: {} },
    VisibilityConfig: vis,
    Statement: { [kind]: { FieldToMatch: f, TextTransformations: DECODE } },
  }));
  const { acl, issues } = loadWebAcl([
    { Name: kind, DefaultAction: { Allow: {} }, VisibilityConfig: vis, Rules: rules },
  ]);
  expect(issues).toEqual([]);
  return new WafEngine(acl!);
}

/** Scores one CRS folder (src/waf/ftw.ts builds the requests exactly as `npm run bench:waf` sends them to the peer). */
function measure(folder: string, engine: WafEngine) {
  let attacks = 0;
  let caught = 0;
  let benign = 0;
  let fp = 0;
  const { cases } = readFtwFolder(join(DIR, folder));
  for (const c of cases) {
    const blocked = engine.evaluate(c.request).action === 'BLOCK';
    if (c.attack) {
      attacks++;
      if (blocked) caught++;
    } else {
      benign++;
      if (blocked) fp++;
    }
  }
  return { attacks, caught, benign, fp };
}

// Floors documented in docs/waf.md. CRS tests target rules of every paranoia level (1–4) while AWS's SqliMatch /
// XssMatch are one fixed detector, so recall here is far below the libinjection corpus; the numbers are reported as
// measured, not tuned to CRS.
describe.skipIf(!corpusAvailable())('CRS regression corpus (waf/crs-regression)', () => {
  it('SQLi family (942) through SqliMatchStatement', () => {
    const r = measure('REQUEST-942-APPLICATION-ATTACK-SQLI', engineFor('SqliMatchStatement'));
    console.log(`CRS 942 SQLi: caught ${r.caught}/${r.attacks}, false positives ${r.fp}/${r.benign}`);
    expect(r.attacks).toBeGreaterThan(100);
    expect(r.caught / r.attacks).toBeGreaterThanOrEqual(FLOOR.sqli);
  });
  it('XSS family (941) through XssMatchStatement', () => {
    const r = measure('REQUEST-941-APPLICATION-ATTACK-XSS', engineFor('XssMatchStatement'));
    console.log(`CRS 941 XSS: caught ${r.caught}/${r.attacks}, false positives ${r.fp}/${r.benign}`);
    expect(r.attacks).toBeGreaterThan(50);
    expect(r.caught / r.attacks).toBeGreaterThanOrEqual(FLOOR.xss);
  });
});

const FLOOR = { sqli: 0.27, xss: 0.44 };

// The managed-group emulations together, per CRS attack family, with recall floors (measured values in docs/waf.md).
// `no_expect_ids` cases only say that one CRS rule must not fire — many are attacks for other rules — so the
// "false positives" printed here overstate real false positives.
const FAMILIES: [string, string, number][] = [
  ['LFI', 'REQUEST-930-APPLICATION-ATTACK-LFI', 0.35],
  ['RFI', 'REQUEST-931-APPLICATION-ATTACK-RFI', 0.3],
  ['RCE', 'REQUEST-932-APPLICATION-ATTACK-RCE', 0.3],
  ['PHP', 'REQUEST-933-APPLICATION-ATTACK-PHP', 0.43],
  ['XSS', 'REQUEST-941-APPLICATION-ATTACK-XSS', 0.44],
  ['SQLi', 'REQUEST-942-APPLICATION-ATTACK-SQLI', 0.32],
  ['Java', 'REQUEST-944-APPLICATION-ATTACK-JAVA', 0.57],
  ['protocol', 'REQUEST-921-PROTOCOL-ATTACK', 0.08],
];

describe.skipIf(!corpusAvailable())('CRS regression corpus through the managed-group emulations', () => {
  const { acl, issues } = loadWebAcl([managedGroupsWebAcl()]);
  it.each(FAMILIES)('%s', (family, folder, floor) => {
    expect(issues).toEqual([]);
    const r = measure(folder, new WafEngine(acl!));
    console.log(`managed groups, CRS ${family}: caught ${r.caught}/${r.attacks}, false positives ${r.fp}/${r.benign}`);
    expect(r.attacks).toBeGreaterThan(0);
    expect(r.caught / r.attacks).toBeGreaterThanOrEqual(floor);
  });
});

describe.skipIf(!corpusAvailable())('go-ftw reader (src/waf/ftw.ts)', () => {
  it('builds the same request for Vigil and as raw HTTP for the peer', () => {
    const { cases, skipped } = readFtwFolder(join(DIR, 'REQUEST-933-APPLICATION-ATTACK-PHP'));
    expect(cases.length).toBeGreaterThan(300);
    expect(skipped).toBeLessThan(20);
    expect(cases.some((c) => c.attack) && cases.some((c) => !c.attack)).toBe(true);
    for (const c of cases) {
      const raw = c.raw.toString('latin1');
      const [head = '', body = ''] = [raw.slice(0, raw.indexOf('\r\n\r\n')), raw.slice(raw.indexOf('\r\n\r\n') + 4)];
      const line = head.split('\r\n')[0]!;
      expect(line.startsWith(`${c.request.method} ${c.request.uriPath}`)).toBe(true);
      expect(head).not.toMatch(/\r\nHost: localhost/i);
      expect(head.endsWith('Connection: close')).toBe(true);
      expect(body).toBe(c.request.body ?? '');
      const cl = /\r\nContent-Length: (\d+)/i.exec(head);
      if (cl && !c.raw.includes('Transfer-Encoding')) expect(Number(cl[1])).toBeLessThanOrEqual(body.length + 2);
    }
  });
});
