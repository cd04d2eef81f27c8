import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELASTIC, ecsGet, readExpected } from '../../../test/helpers/corpus.js';
import { parseTextWith } from '../file-parse.js';
import type { SniffInput } from '../types.js';
import { wafFormat } from './format.js';

const LOG = join(ELASTIC, 'waf/test-waf.log');

/** A newer WAFv2 record with the later keys (CAPTCHA, rate-based, labels, JA3/JA4, ASN) and an IPv6 client. */
const NEWER = JSON.stringify({
  timestamp: 1718035200123,
  formatVersion: 1,
  webaclId: 'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/shop-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
  terminatingRuleId: 'login-rate-limit',
  terminatingRuleType: 'RATE_BASED',
  action: 'BLOCK',
  terminatingRuleMatchDetails: [],
  httpSourceName: 'ALB',
  httpSourceId: '111122223333-app/shop-alb/50dc6c495c0c9188',
  ruleGroupList: [
    {
      ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet',
      terminatingRule: null,
      nonTerminatingMatchingRules: [],
      excludedRules: null,
      customerConfig: null,
    },
  ],
  rateBasedRuleList: [
    {
      rateBasedRuleId: 'arn:aws:wafv2:us-east-1:111122223333:regional/ipset/login-rate-limit/EXAMPLE',
      rateBasedRuleName: 'login-rate-limit',
      limitKey: 'IP',
      maxRateAllowed: 100,
      evaluationWindowSec: '300',
      limitValue: '2001:db8:4::9',
    },
  ],
  nonTerminatingMatchingRules: [
    {
      ruleId: 'captcha-login',
      action: 'CAPTCHA',
      ruleMatchDetails: [],
      captchaResponse: { responseCode: 0, solveTimestamp: 1718035100, failureReason: null },
    },
  ],
  requestHeadersInserted: null,
  responseCodeSent: null,
  httpRequest: {
    clientIp: '2001:db8:4::9',
    country: 'DE',
    headers: [
      { name: 'host', value: 'shop.example.com' },
      { name: 'user-agent', value: 'python-requests/2.31' },
    ],
    uri: '/login',
    args: 'next=%2Faccount',
    httpVersion: 'HTTP/2.0',
    httpMethod: 'POST',
    requestId: '1-66674d00-0d9c3a6b6f1e2a3b4c5d6e7f',
    fragment: '',
    scheme: 'https',
    host: 'shop.example.com',
  },
  labels: [{ name: 'awswaf:managed:aws:core-rule-set:NoUserAgent_Header' }],
  captchaResponse: { responseCode: 405, solveTimestamp: 0, failureReason: 'TOKEN_MISSING' },
  oversizeFields: ['REQUEST_BODY'],
  ja3Fingerprint: 'e7d705a3286e19ea42f587b344ee6865',
  ja4Fingerprint: 't13d1516h2_8daaf6152771_b186095e22b6',
  clientAsn: 64496,
});

/** The parts of a WAF record the conformance test reads. */
interface WafFields {
  webaclId: string;
  action: string;
  terminatingRuleId: string;
  terminatingRuleType: string;
  httpSourceName: string;
  httpSourceId: string;
  terminatingRuleMatchDetails: unknown[];
  nonTerminatingMatchingRules: unknown[];
  ruleGroupList: unknown[];
  httpRequest: {
    httpMethod: string;
    requestId: string;
    httpVersion: string;
    uri: string;
    headers: { name: string; value: string }[];
  };
}

function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}

describe('AWS WAF logs — Elastic fixture', () => {
  const { records, errors } = parseTextWith(wafFormat, readFileSync(LOG, 'utf8'), { file: LOG });
  const expected = readExpected(LOG);

  it('parses every line with zero errors', () => {
    expect(errors).toEqual([]);
    expect(records).toHaveLength(expected.length);
    expect(records).toHaveLength(4);
  });

  it('keeps each record exactly as written and matches the expected original values', () => {
    records.forEach((r, i) => {
      const doc = expected[i]!;
      const f = r.fields as unknown as WafFields;
      expect(f).toEqual(JSON.parse(ecsGet(doc, 'event.original') as string));
      expect(r.origin).toEqual({ file: LOG, line: i + 1 });
      expect(new Date(r.time).toISOString()).toBe(ecsGet(doc, '@timestamp'));
      expect(f.webaclId).toBe(ecsGet(doc, 'aws.waf.arn'));
      expect(f.action).toBe(ecsGet(doc, 'event.action'));
      expect(f.terminatingRuleId).toBe(ecsGet(doc, 'rule.id'));
      expect(f.terminatingRuleType).toBe(ecsGet(doc, 'rule.ruleset'));
      expect(r.sourceIp).toBe(ecsGet(doc, 'source.ip'));
      expect(r.actor).toBeUndefined();
      expect(f.httpRequest.httpMethod).toBe(ecsGet(doc, 'http.request.method'));
      expect(f.httpRequest.requestId).toBe(ecsGet(doc, 'http.request.id'));
      expect(f.httpRequest.httpVersion).toBe(`HTTP/${ecsGet(doc, 'http.version')}`);
      // Elastic drops empty strings, empty arrays and nulls; compare wherever it kept the value.
      if (f.httpRequest.uri !== '') expect(f.httpRequest.uri).toBe(ecsGet(doc, 'url.path'));
      if (f.terminatingRuleMatchDetails.length > 0) {
        expect(f.terminatingRuleMatchDetails).toEqual(ecsGet(doc, 'aws.waf.terminating_rule_match_details'));
      }
      if (f.nonTerminatingMatchingRules.length > 0) {
        expect(f.nonTerminatingMatchingRules).toEqual(ecsGet(doc, 'aws.waf.non_terminating_matching_rules'));
      }
      if (f.ruleGroupList.length > 0) {
        expect(withoutNulls(f.ruleGroupList)).toEqual(ecsGet(doc, 'aws.waf.rule_group_list'));
      }
      if (f.httpRequest.headers.length > 0) {
        const headers = Object.fromEntries(f.httpRequest.headers.map((h) => [h.name, h.value]));
        expect(headers).toEqual(ecsGet(doc, 'aws.waf.request.headers'));
      }
      if (f.httpSourceName !== '-') {
        expect(f.httpSourceName).toBe(ecsGet(doc, 'aws.waf.source.name'));
        expect(f.httpSourceId).toBe(ecsGet(doc, 'aws.waf.source.id'));
      }
    });
  });
});

describe('AWS WAF logs — variants', () => {
  it('keeps newer keys and nulls as written, with an IPv6 client', () => {
    const { records, errors } = parseTextWith(wafFormat, NEWER);
    expect(errors).toEqual([]);
    const r = records[0]!;
    expect(r.fields).toEqual(JSON.parse(NEWER));
    expect(r.fields.requestHeadersInserted).toBeNull();
    expect(r.time).toBe(1718035200123);
    expect(r.sourceIp).toBe('2001:db8:4::9');
    expect(r.raw).toBeUndefined();
  });

  it('accepts a numeric-string timestamp and a record without httpRequest', () => {
    const line = JSON.stringify({ timestamp: '1576280412771', webaclId: 'arn:aws:wafv2:…', action: 'ALLOW' });
    const { records, errors } = parseTextWith(wafFormat, line);
    expect(errors).toEqual([]);
    expect(records[0]!.time).toBe(1576280412771);
    expect(records[0]!.sourceIp).toBeUndefined();
  });
});

describe('AWS WAF logs — bad input', () => {
  it('reports each bad line with file, line and reason and keeps the good lines', () => {
    const lines = [
      NEWER,
      '{"timestamp":1576280412771,"webaclId":',
      '[1,2,3]',
      '{"formatVersion":1,"action":"BLOCK"}',
      '{"timestamp":"soon","webaclId":"arn"}',
      '\u0000\u0007\u00fe garbage',
      NEWER.slice(0, 200),
      NEWER,
    ];
    const { records, errors } = parseTextWith(wafFormat, lines.join('\n'), { file: 'waf.log' });
    expect(records.map((r) => r.origin.line)).toEqual([1, 8]);
    expect(errors.map((e) => [e.file, e.line])).toEqual([2, 3, 4, 5, 6, 7].map((l) => ['waf.log', l]));
    const reasons = errors.map((e) => e.reason);
    expect(reasons[0]).toMatch(/^invalid JSON: /);
    expect(reasons[1]).toBe('expected a JSON object (AWS WAF log record)');
    expect(reasons[2]).toBe('not an AWS WAF log record: missing timestamp or webaclId');
    expect(reasons[3]).toBe('invalid timestamp "soon" (expected epoch milliseconds)');
    expect(reasons[4]).toMatch(/^invalid JSON: /);
    expect(reasons[5]).toMatch(/^invalid JSON: /);
  });

  it('never throws; every line yields exactly one record or one error (property)', () => {
    const base = readFileSync(LOG, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .concat(NEWER);
    const mutated = fc
      .tuple(fc.constantFrom(...base), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
      .map(([line, a, b, ins]) => {
        const i = a % line.length;
        return line.slice(0, i) + ins + line.slice(Math.min(line.length, i + (b % 12)));
      });
    const jsonLine = fc.jsonValue().map((v) => JSON.stringify(v));
    const anyLine = fc.oneof(mutated, jsonLine, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(fc.array(anyLine, { minLength: 1, maxLength: 8 }), (raw) => {
        const lines = raw.map((l) => l.replace(/[\r\n]/g, ' ')).filter((l) => l.trim() !== '');
        const { records, errors } = parseTextWith(wafFormat, lines.join('\n'));
        expect(errors.filter((e) => e.reason.startsWith('parser failure'))).toEqual([]);
        const seen = [...records.map((r) => r.origin.line), ...errors.map((e) => e.line)].sort((x, y) => x! - y!);
        expect(seen).toEqual(lines.map((_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });
});

describe('AWS WAF logs — sniffing', () => {
  it('is confident on real samples', () => {
    const head = readFileSync(LOG, 'utf8');
    expect(wafFormat.sniff({ firstLine: head.split('\n')[0]!, head, path: '' })).toBeGreaterThanOrEqual(0.9);
    expect(wafFormat.sniff({ firstLine: NEWER, head: NEWER, path: '' })).toBeGreaterThanOrEqual(0.9);
  });

  it('returns 0 for every other format in the corpus', () => {
    for (const { path, input } of otherFormatSamples('waf')) expect(wafFormat.sniff(input), path).toBe(0);
  });
});

function otherFormatSamples(skipDir: string): { path: string; input: SniffInput }[] {
  const files = (readdirSync(ELASTIC, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.log') && !f.startsWith(`${skipDir}/`),
  );
  return files.map((f) => {
    const head = readFileSync(join(ELASTIC, f), 'utf8').slice(0, 65536);
    const firstLine = head.split('\n').find((l) => l.trim() !== '') ?? '';
    return { path: f, input: { firstLine, head, path: f } };
  });
}
