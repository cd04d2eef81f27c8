import { describe, expect, it } from 'vitest';
import { issueToken, loadWebAcl, makeRequest, WafEngine, wafLogRecord } from '../../src/waf/index.js';

const ARN = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/test-acl/1111';
const IPSET_ARN = 'arn:aws:wafv2:us-east-1:123456789012:regional/ipset/bad-ips/2222';
const REGEX_ARN = 'arn:aws:wafv2:us-east-1:123456789012:regional/regexpatternset/paths/3333';

const NONE = [{ Priority: 0, Type: 'NONE' }];
const URL_LOWER = [
  { Priority: 0, Type: 'URL_DECODE' },
  { Priority: 1, Type: 'LOWERCASE' },
];

function acl(rules: unknown[], extra: Record<string, unknown> = {}) {
  return {
    WebACL: {
      Name: 'test-acl',
      Id: '1111',
      ARN,
      DefaultAction: { Allow: {} },
      Rules: rules,
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'm' },
      ...extra,
    },
    LockToken: 'abc',
  };
}

const vis = { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: 'x' };
const ipset = {
  IPSet: { Name: 'bad-ips', Id: '2222', ARN: IPSET_ARN, IPAddressVersion: 'IPV4', Addresses: ['203.0.113.0/24'] },
};
const regexSet = {
  RegexPatternSet: {
    Name: 'paths',
    ARN: REGEX_ARN,
    RegularExpressionList: [{ RegexString: '(?i)^/wp-admin' }, { RegexString: '\\.env$' }],
  },
};

function engine(rules: unknown[], extra: Record<string, unknown> = {}, docs: unknown[] = [ipset, regexSet], opts = {}) {
  const r = loadWebAcl([acl(rules, extra), ...docs]);
  expect(r.issues).toEqual([]);
  return new WafEngine(r.acl!, opts);
}

describe('loading (waf.md §1)', () => {
  it('accepts get-web-acl output, a bare WebACL and CloudFormation', () => {
    const rule = {
      Name: 'r',
      Priority: 1,
      Action: { Block: {} },
      VisibilityConfig: vis,
      Statement: {
        ByteMatchStatement: {
          SearchString: 'x',
          FieldToMatch: { UriPath: {} },
          TextTransformations: NONE,
          PositionalConstraint: 'CONTAINS',
        },
      },
    };
    expect(loadWebAcl([acl([rule])]).acl?.rules[0]?.name).toBe('r');
    expect(loadWebAcl([acl([rule]).WebACL]).acl?.name).toBe('test-acl');
    const cfn = {
      Resources: {
        Ips: {
          Type: 'AWS::WAFv2::IPSet',
          Properties: { Name: 'ips', Scope: 'REGIONAL', IPAddressVersion: 'IPV4', Addresses: ['10.0.0.0/8'] },
        },
        Acl: {
          Type: 'AWS::WAFv2::WebACL',
          Properties: {
            Name: 'cfn-acl',
            Scope: 'REGIONAL',
            DefaultAction: { Allow: {} },
            VisibilityConfig: vis,
            Rules: [
              {
                Name: 'ip',
                Priority: 0,
                Action: { Block: {} },
                VisibilityConfig: vis,
                Statement: {
                  IPSetReferenceStatement: {
                    Arn: { 'Fn::GetAtt': ['Ips', 'Arn'] },
                    ARN: { 'Fn::GetAtt': ['Ips', 'Arn'] },
                  },
                },
              },
            ],
          },
        },
      },
    };
    const r = loadWebAcl([cfn]);
    expect(r.issues).toEqual([]);
    expect(new WafEngine(r.acl!).evaluate(makeRequest({ url: '/', clientIp: '10.1.2.3' })).action).toBe('BLOCK');
  });

  it('names the JSON path of every validation error', () => {
    const r = loadWebAcl([
      acl([
        {
          Name: 'a',
          Priority: 1,
          Action: { Block: {} },
          Statement: {
            ByteMatchStatement: {
              SearchString: 'x',
              FieldToMatch: { UriPath: {} },
              TextTransformations: [{ Priority: 0, Type: 'ROT13' }],
              PositionalConstraint: 'CONTAINS',
            },
          },
        },
        {
          Name: 'b',
          Priority: 1,
          Action: { Block: {} },
          Statement: {
            RegexMatchStatement: { RegexString: '(a)\\1', FieldToMatch: { UriPath: {} }, TextTransformations: NONE },
          },
        },
        {
          Name: 'c',
          Priority: 2,
          Action: { Block: {} },
          OverrideAction: { None: {} },
          Statement: { IPSetReferenceStatement: { ARN: 'arn:aws:wafv2:us-east-1:1:regional/ipset/missing/9' } },
        },
      ]),
    ]);
    expect(r.acl).toBeUndefined();
    const msgs = r.issues.map((i) => `${i.path}: ${i.message}`);
    expect(msgs).toContain(
      'WebACL.Rules[0].Statement.ByteMatchStatement.TextTransformations[0].Type: unknown transformation "ROT13"',
    );
    expect(msgs).toContain('WebACL.Rules[1].Priority: priority 1 is also used by rule a');
    expect(msgs).toContain(
      'WebACL.Rules[1].Statement.RegexMatchStatement.RegexString: back-references are not supported',
    );
    expect(msgs).toContain('WebACL.Rules[2]: a rule needs exactly one of Action or OverrideAction');
    expect(msgs.some((m) => m.startsWith('WebACL.Rules[2].Statement.IPSetReferenceStatement.ARN: IP set'))).toBe(true);
  });

  it('computes WCU per statement costs and rejects ACLs over 5000', () => {
    const e = engine([
      {
        Name: 'bm',
        Priority: 0,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: {
          ByteMatchStatement: {
            SearchString: 'x',
            FieldToMatch: { AllQueryArguments: {} },
            TextTransformations: URL_LOWER,
            PositionalConstraint: 'CONTAINS',
          },
        },
      },
      {
        Name: 'sq',
        Priority: 1,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: {
          SqliMatchStatement: { FieldToMatch: { Body: {} }, TextTransformations: NONE, SensitivityLevel: 'HIGH' },
        },
      },
    ]);
    // CONTAINS 10 + AllQueryArguments 10 + 2 transformations 20 = 40; SQLi HIGH 30 with NONE = 30
    expect(e.acl.rules.map((r) => r.wcu)).toEqual([40, 30]);
    expect(e.acl.capacity).toBe(70);
    const many = Array.from({ length: 130 }, (_, i) => ({
      Name: `x${i}`,
      Priority: i,
      Action: { Count: {} },
      VisibilityConfig: vis,
      Statement: { XssMatchStatement: { FieldToMatch: { Body: {} }, TextTransformations: NONE } },
    }));
    const r = loadWebAcl([acl(many)]);
    expect(r.issues[0]?.message).toMatch(/capacity 5200 WCU exceeds 5000; costliest rules: x0 \(40\)/);
  });
});

describe('evaluation (waf.md §2–§8)', () => {
  const sqliRule = {
    Name: 'sqli',
    Priority: 10,
    Action: { Block: {} },
    VisibilityConfig: vis,
    Statement: {
      SqliMatchStatement: {
        FieldToMatch: { AllQueryArguments: {} },
        TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }],
      },
    },
  };

  it('blocks SQL injection with an explanation naming statement, field and transformed value', () => {
    const e = engine([sqliRule]);
    const d = e.evaluate(makeRequest({ url: '/p?id=1%27%20OR%20%271%27%3D%271&x=ok' }));
    expect(d.action).toBe('BLOCK');
    expect(d.response?.status).toBe(403);
    expect(d.terminatingRuleId).toBe('sqli');
    const m = d.terminatingRuleMatchDetails[0]!;
    expect(m).toMatchObject({
      statement: 'WebACL.Rules[0].Statement.SqliMatchStatement',
      conditionType: 'SQL_INJECTION',
      location: 'ALL_QUERY_ARGS',
      fieldName: 'id',
      transformedValue: "1' OR '1'='1",
      sensitivityLevel: 'LOW',
    });
    expect(m.matchedData!.length).toBeGreaterThan(0);
    expect(e.evaluate(makeRequest({ url: '/p?id=42' })).action).toBe('ALLOW');
  });

  it('runs rules by priority, Count continues and labels are visible only to later rules', () => {
    const e = engine([
      {
        Name: 'block-labelled',
        Priority: 5,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: { LabelMatchStatement: { Scope: 'LABEL', Key: 'suspicious:admin' } },
      },
      {
        Name: 'count-admin',
        Priority: 1,
        Action: { Count: { CustomRequestHandling: { InsertHeaders: [{ Name: 'seen', Value: 'admin' }] } } },
        RuleLabels: [{ Name: 'suspicious:admin' }],
        VisibilityConfig: vis,
        Statement: {
          ByteMatchStatement: {
            SearchString: '/ADMIN',
            FieldToMatch: { UriPath: {} },
            TextTransformations: [{ Priority: 0, Type: 'NONE' }],
            PositionalConstraint: 'STARTS_WITH',
          },
        },
      },
      {
        Name: 'label-too-early',
        Priority: 0,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: { LabelMatchStatement: { Scope: 'NAMESPACE', Key: 'suspicious:' } },
      },
    ]);
    const d = e.evaluate(makeRequest({ url: '/ADMIN/x' }));
    expect(d.action).toBe('BLOCK');
    expect(d.terminatingRuleId).toBe('block-labelled');
    expect(d.labels).toEqual(['awswaf:123456789012:webacl:test-acl:suspicious:admin']);
    expect(d.nonTerminatingMatchingRules.map((h) => [h.ruleId, h.action])).toEqual([['count-admin', 'COUNT']]);
    expect(d.requestHeadersInserted).toEqual([['x-amzn-waf-seen', 'admin']]);
    // ByteMatch is case-sensitive without a LOWERCASE transformation
    expect(e.evaluate(makeRequest({ url: '/admin/x' })).action).toBe('ALLOW');
  });

  it('ByteMatch positional constraints, including CONTAINS_WORD boundaries', () => {
    const mk = (pos: string, s: string) =>
      engine([
        {
          Name: 'b',
          Priority: 0,
          Action: { Block: {} },
          VisibilityConfig: vis,
          Statement: {
            ByteMatchStatement: {
              SearchString: s,
              FieldToMatch: { QueryString: {} },
              TextTransformations: NONE,
              PositionalConstraint: pos,
            },
          },
        },
      ]);
    const q = (e: WafEngine, qs: string) => e.evaluate(makeRequest({ url: `/?${qs}` })).action;
    expect(q(mk('EXACTLY', 'a=1'), 'a=1')).toBe('BLOCK');
    expect(q(mk('EXACTLY', 'a=1'), 'a=12')).toBe('ALLOW');
    expect(q(mk('ENDS_WITH', '.php'), 'f=x.php')).toBe('BLOCK');
    const w = mk('CONTAINS_WORD', 'admin');
    expect(q(w, 'u=admin&x')).toBe('BLOCK');
    expect(q(w, 'u=administrator')).toBe('ALLOW');
    expect(q(w, 'u=sysadmin')).toBe('ALLOW');
    // base64 search string (raw API / CloudFormation SearchStringBase64)
    const b64 = engine([
      {
        Name: 'b',
        Priority: 0,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: {
          ByteMatchStatement: {
            SearchStringBase64: Buffer.from('evil').toString('base64'),
            FieldToMatch: { QueryString: {} },
            TextTransformations: NONE,
            PositionalConstraint: 'CONTAINS',
          },
        },
      },
    ]);
    expect(q(b64, 'x=evil')).toBe('BLOCK');
  });

  it('IP sets with forwarded IP positions; a missing header does not apply the rule', () => {
    const mk = (Position: string, FallbackBehavior = 'NO_MATCH') =>
      engine([
        {
          Name: 'ip',
          Priority: 0,
          Action: { Block: {} },
          VisibilityConfig: vis,
          Statement: {
            IPSetReferenceStatement: {
              ARN: IPSET_ARN,
              IPSetForwardedIPConfig: { HeaderName: 'X-Forwarded-For', FallbackBehavior, Position },
            },
          },
        },
      ]);
    const req = (xff?: string) =>
      makeRequest({ url: '/', clientIp: '203.0.113.9', headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });
    expect(mk('FIRST').evaluate(req('203.0.113.5, 10.0.0.1')).action).toBe('BLOCK');
    expect(mk('FIRST').evaluate(req('10.0.0.1, 203.0.113.5')).action).toBe('ALLOW');
    expect(mk('LAST').evaluate(req('10.0.0.1, 203.0.113.5')).action).toBe('BLOCK');
    expect(mk('ANY').evaluate(req('10.0.0.1, 203.0.113.5, 10.0.0.2')).action).toBe('BLOCK');
    expect(mk('FIRST').evaluate(req()).action).toBe('ALLOW'); // client IP would match, but the rule is not applied
    expect(mk('FIRST', 'MATCH').evaluate(req('garbage')).action).toBe('BLOCK');
    expect(mk('FIRST', 'NO_MATCH').evaluate(req('garbage')).action).toBe('ALLOW');
    expect(mk('ANY').acl.rules[0]!.wcu).toBe(6);
  });

  it('GeoMatch labels every inspected request and matches listed countries', () => {
    const e = engine([
      {
        Name: 'geo',
        Priority: 0,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: { GeoMatchStatement: { CountryCodes: ['KP', 'RU'] } },
      },
    ]);
    const ok = e.evaluate(makeRequest({ url: '/', country: 'FR' }));
    expect(ok.action).toBe('ALLOW');
    expect(ok.labels).toEqual(['awswaf:clientip:geo:country:FR']);
    const bad = e.evaluate(makeRequest({ url: '/', country: 'RU' }));
    expect(bad.action).toBe('BLOCK');
    expect(bad.terminatingRuleMatchDetails[0]!.matchedData).toEqual(['RU']);
  });

  it('regex pattern sets use AWS syntax and any pattern matches', () => {
    const e = engine([
      {
        Name: 'rx',
        Priority: 0,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: {
          RegexPatternSetReferenceStatement: {
            ARN: REGEX_ARN,
            FieldToMatch: { UriPath: {} },
            TextTransformations: NONE,
          },
        },
      },
    ]);
    expect(e.evaluate(makeRequest({ url: '/WP-Admin/x' })).action).toBe('BLOCK');
    expect(e.evaluate(makeRequest({ url: '/app/.env' })).action).toBe('BLOCK');
    expect(e.evaluate(makeRequest({ url: '/env' })).action).toBe('ALLOW');
    expect(e.acl.rules[0]!.wcu).toBe(40);
  });

  it('XSS in a header, size constraints, And/Or/Not', () => {
    const e = engine(
      [
        {
          Name: 'xss-ua',
          Priority: 0,
          Action: { Block: {} },
          VisibilityConfig: vis,
          Statement: {
            XssMatchStatement: {
              FieldToMatch: { SingleHeader: { Name: 'User-Agent' } },
              TextTransformations: [{ Priority: 0, Type: 'HTML_ENTITY_DECODE' }],
            },
          },
        },
        {
          Name: 'post-big-not-json',
          Priority: 1,
          Action: {
            Block: {
              CustomResponse: {
                ResponseCode: 413,
                CustomResponseBodyKey: 'big',
                ResponseHeaders: [{ Name: 'retry-after', Value: '60' }],
              },
            },
          },
          VisibilityConfig: vis,
          Statement: {
            AndStatement: {
              Statements: [
                {
                  ByteMatchStatement: {
                    SearchString: 'POST',
                    FieldToMatch: { Method: {} },
                    TextTransformations: NONE,
                    PositionalConstraint: 'EXACTLY',
                  },
                },
                {
                  SizeConstraintStatement: {
                    FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
                    ComparisonOperator: 'GT',
                    Size: 10,
                    TextTransformations: NONE,
                  },
                },
                {
                  NotStatement: {
                    Statement: {
                      ByteMatchStatement: {
                        SearchString: 'application/json',
                        FieldToMatch: { SingleHeader: { Name: 'content-type' } },
                        TextTransformations: NONE,
                        PositionalConstraint: 'STARTS_WITH',
                      },
                    },
                  },
                },
              ],
            },
          },
        },
      ],
      { CustomResponseBodies: { big: { ContentType: 'APPLICATION_JSON', Content: '{"error":"too big"}' } } },
    );
    const x = e.evaluate(makeRequest({ url: '/', headers: { 'User-Agent': '&lt;script&gt;alert(1)' } }));
    expect(x.terminatingRuleId).toBe('xss-ua');
    expect(x.terminatingRuleMatchDetails[0]).toMatchObject({
      location: 'HEADER',
      fieldName: 'user-agent',
      matchedData: ['<', 'script'],
    });
    const big = e.evaluate(
      makeRequest({ url: '/', method: 'POST', body: 'a'.repeat(20), headers: { 'content-type': 'text/plain' } }),
    );
    expect(big.response).toEqual({
      status: 413,
      headers: [['retry-after', '60']],
      body: '{"error":"too big"}',
      contentType: 'application/json',
    });
    expect(big.terminatingRuleMatchDetails.map((m) => m.conditionType)).toEqual([
      'BYTE_MATCH',
      'SIZE_CONSTRAINT',
      'NOT',
    ]);
    expect(
      e.evaluate(
        makeRequest({
          url: '/',
          method: 'POST',
          body: 'a'.repeat(20),
          headers: { 'content-type': 'application/json' },
        }),
      ).action,
    ).toBe('ALLOW');
  });

  it('JsonBody uses the lenient parser and scopes keys/values', () => {
    const e = engine([
      {
        Name: 'j',
        Priority: 0,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: {
          ByteMatchStatement: {
            SearchString: 'evil',
            FieldToMatch: { JsonBody: { MatchPattern: { IncludedPaths: ['/a'] }, MatchScope: 'VALUE' } },
            TextTransformations: NONE,
            PositionalConstraint: 'EXACTLY',
          },
        },
      },
    ]);
    const post = (body: string) => e.evaluate(makeRequest({ url: '/', method: 'POST', body })).action;
    expect(post('{"a":"evil"}')).toBe('BLOCK');
    expect(post('{"b":"evil"}')).toBe('ALLOW');
    expect(post('{"x":"1""a":"evil"}')).toBe('BLOCK'); // missing comma tolerated
    expect(post('{"evil":"a"}')).toBe('ALLOW');
  });

  it('rate-based rules count per key within the window, only scope-down matches', () => {
    const e = engine([
      {
        Name: 'rate',
        Priority: 0,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: {
          RateBasedStatement: {
            Limit: 10,
            EvaluationWindowSec: 60,
            AggregateKeyType: 'IP',
            ScopeDownStatement: {
              ByteMatchStatement: {
                SearchString: '/login',
                FieldToMatch: { UriPath: {} },
                TextTransformations: NONE,
                PositionalConstraint: 'STARTS_WITH',
              },
            },
          },
        },
      },
    ]);
    const t0 = 1_700_000_000_000;
    const hit = (ip: string, url: string, t: number) => e.evaluate(makeRequest({ url, clientIp: ip, time: t }));
    for (let i = 0; i < 10; i++) expect(hit('1.1.1.1', '/login', t0 + i * 1000).action).toBe('ALLOW');
    const d = hit('1.1.1.1', '/login', t0 + 10_000);
    expect(d.action).toBe('BLOCK');
    expect(d.terminatingRuleType).toBe('RATE_BASED');
    expect(d.rateBasedRuleList[0]).toMatchObject({
      rateBasedRuleName: 'rate',
      limitKey: 'IP',
      maxRateAllowed: 10,
      limitValue: '1.1.1.1',
    });
    expect(hit('2.2.2.2', '/login', t0 + 10_000).action).toBe('ALLOW');
    expect(hit('1.1.1.1', '/home', t0 + 10_000).action).toBe('ALLOW');
    expect(hit('1.1.1.1', '/login', t0 + 120_000).action).toBe('ALLOW'); // window passed
  });

  it('custom keys: a request missing a key component is not counted', () => {
    const e = engine([
      {
        Name: 'rate',
        Priority: 0,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: {
          RateBasedStatement: {
            Limit: 10,
            EvaluationWindowSec: 60,
            AggregateKeyType: 'CUSTOM_KEYS',
            CustomKeys: [{ Header: { Name: 'x-api-key', TextTransformations: NONE } }, { HTTPMethod: {} }],
          },
        },
      },
    ]);
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 20; i++) expect(e.evaluate(makeRequest({ url: '/', time: t0 + i })).action).toBe('ALLOW');
    let last = '';
    for (let i = 0; i < 11; i++)
      last = e.evaluate(makeRequest({ url: '/', time: t0 + i, headers: { 'x-api-key': 'k1' } })).action;
    expect(last).toBe('BLOCK');
  });

  it('Captcha and Challenge: valid token behaves like Count, otherwise 405 / 202', () => {
    const secret = 's3cret';
    const e = engine(
      [
        {
          Name: 'cap',
          Priority: 0,
          Action: { Captcha: {} },
          VisibilityConfig: vis,
          Statement: {
            ByteMatchStatement: {
              SearchString: '/buy',
              FieldToMatch: { UriPath: {} },
              TextTransformations: NONE,
              PositionalConstraint: 'EXACTLY',
            },
          },
        },
      ],
      {},
      [],
      { tokenSecret: secret },
    );
    const t = 1_700_000_000_000;
    const no = e.evaluate(makeRequest({ url: '/buy', time: t }));
    expect([no.action, no.response?.status, no.captchaResponse?.failureReason]).toEqual([
      'CAPTCHA',
      405,
      'TOKEN_MISSING',
    ]);
    const tok = issueToken(secret, t - 1000);
    const ok = e.evaluate(makeRequest({ url: '/buy', time: t, headers: { cookie: `aws-waf-token=${tok}` } }));
    expect(ok.action).toBe('ALLOW');
    expect(ok.nonTerminatingMatchingRules[0]!.action).toBe('CAPTCHA');
    const old = e.evaluate(
      makeRequest({ url: '/buy', time: t + 301_000, headers: { cookie: `aws-waf-token=${tok}` } }),
    );
    expect(old.captchaResponse?.failureReason).toBe('TOKEN_EXPIRED');
    const forged = e.evaluate(
      makeRequest({ url: '/buy', time: t, headers: { cookie: `aws-waf-token=${t}.${'A'.repeat(43)}` } }),
    );
    expect(forged.captchaResponse?.failureReason).toBe('TOKEN_INVALID');
  });

  it('rule groups: overrides, excluded rules, OverrideAction Count, group labels', () => {
    const RG_ARN = 'arn:aws:wafv2:us-east-1:123456789012:regional/rulegroup/my-group/4444';
    const group = {
      RuleGroup: {
        Name: 'my-group',
        ARN: RG_ARN,
        Capacity: 100,
        Rules: [
          {
            Name: 'g-xss',
            Priority: 0,
            Action: { Block: {} },
            RuleLabels: [{ Name: 'xss' }],
            VisibilityConfig: vis,
            Statement: {
              XssMatchStatement: {
                FieldToMatch: { QueryString: {} },
                TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }],
              },
            },
          },
          {
            Name: 'g-php',
            Priority: 1,
            Action: { Block: {} },
            VisibilityConfig: vis,
            Statement: {
              ByteMatchStatement: {
                SearchString: '.php',
                FieldToMatch: { UriPath: {} },
                TextTransformations: NONE,
                PositionalConstraint: 'ENDS_WITH',
              },
            },
          },
        ],
      },
    };
    const ref = (over: Record<string, unknown>, action = { None: {} }) => [
      {
        Name: 'grp',
        Priority: 0,
        OverrideAction: action,
        VisibilityConfig: vis,
        Statement: { RuleGroupReferenceStatement: { ARN: RG_ARN, ...over } },
      },
      {
        Name: 'after',
        Priority: 1,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: { LabelMatchStatement: { Scope: 'LABEL', Key: 'awswaf:123456789012:rulegroup:my-group:xss' } },
      },
    ];
    const e1 = engine(ref({}), {}, [group]);
    expect(e1.acl.rules[0]!.wcu).toBe(100);
    const d1 = e1.evaluate(makeRequest({ url: '/?q=%3Cscript%3E' }));
    expect([d1.terminatingRuleId, d1.terminatingRuleType, d1.terminatingGroupRule]).toEqual(['grp', 'GROUP', 'g-xss']);
    expect(d1.ruleGroupList[0]!.terminatingRule?.ruleId).toBe('g-xss');
    const d2 = engine(ref({ ExcludedRules: [{ Name: 'g-xss' }] }), {}, [group]).evaluate(
      makeRequest({ url: '/?q=%3Cscript%3E' }),
    );
    expect(d2.terminatingRuleId).toBe('after'); // excluded → counted, label still added
    expect(d2.ruleGroupList[0]!.excludedRules).toEqual([{ exclusionType: 'EXCLUDED_AS_COUNT', ruleId: 'g-xss' }]);
    const d3 = engine(ref({ RuleActionOverrides: [{ Name: 'g-php', ActionToUse: { Count: {} } }] }), {}, [
      group,
    ]).evaluate(makeRequest({ url: '/x.php' }));
    expect(d3.action).toBe('ALLOW');
    const d4 = engine(ref({}, { Count: {} } as never), {}, [group]).evaluate(makeRequest({ url: '/x.php' }));
    expect(d4.action).toBe('ALLOW');
    expect(d4.ruleGroupList[0]!.nonTerminatingMatchingRules[0]).toMatchObject({
      ruleId: 'g-php',
      action: 'COUNT',
      overriddenAction: 'BLOCK',
    });
    const bad = loadWebAcl([acl(ref({ RuleActionOverrides: [{ Name: 'nope', ActionToUse: { Count: {} } }] })), group]);
    expect(bad.issues.map((i) => i.path)).toContain(
      'WebACL.Rules[0].Statement.RuleGroupReferenceStatement.RuleActionOverrides[0].Name',
    );
  });

  it('produces a WAF log record (waf.md §9) with redaction', () => {
    const e = engine([sqliRule]);
    const req = makeRequest({
      url: '/p?id=1%20UNION%20SELECT%20password%20FROM%20users',
      clientIp: '198.51.100.7',
      time: 1_700_000_000_123,
      headers: { Host: 'x', Authorization: 'secret' },
      requestId: 'r-1',
    });
    const rec = wafLogRecord(e.acl, req, e.evaluate(req), {
      httpSourceName: 'ALB',
      httpSourceId: 'app/lb/1',
      redact: { headers: ['authorization'] },
    });
    expect(rec).toMatchObject({
      timestamp: 1_700_000_000_123,
      formatVersion: 1,
      webaclId: ARN,
      terminatingRuleId: 'sqli',
      terminatingRuleType: 'REGULAR',
      action: 'BLOCK',
      httpSourceName: 'ALB',
      responseCodeSent: null,
      requestHeadersInserted: null,
      httpRequest: {
        clientIp: '198.51.100.7',
        uri: '/p',
        args: 'id=1%20UNION%20SELECT%20password%20FROM%20users',
        httpMethod: 'GET',
        requestId: 'r-1',
        headers: [
          { name: 'Host', value: 'x' },
          { name: 'Authorization', value: 'REDACTED' },
        ],
      },
    });
    const det = (rec.terminatingRuleMatchDetails as Record<string, unknown>[])[0]!;
    expect(det).toMatchObject({ conditionType: 'SQL_INJECTION', sensitivityLevel: 'LOW', location: 'ALL_QUERY_ARGS' });
    expect(det.matchedData).toContain('UNION');
  });
});
