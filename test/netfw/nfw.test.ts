import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDomainList } from '../../src/netfw/domain-list.js';
import { lintRuleForNfw, lintRulesForNfw } from '../../src/netfw/nfw-lint.js';
import { parseRules } from '../../src/netfw/parse.js';
import { loadPolicy } from '../../src/netfw/policy.js';
import { loadRuleGroup } from '../../src/netfw/rule-group.js';
import { CORPORA } from '../helpers/corpus.js';

function rule(text: string) {
  const p = parseRules(text, 'r.rules');
  expect(p.issues).toEqual([]);
  return p.rules[0]!;
}

describe('Network Firewall compatibility linter', () => {
  it('rejects thresholds, unsupported keywords and actions, naming the keyword and column', () => {
    const r = rule(
      'rejectsrc tcp any any -> any any (msg:"x"; geoip:src,RU; threshold:type limit, track by_src, count 1, seconds 60; sid:1;)',
    );
    expect(lintRuleForNfw(r).map((i) => [i.column, i.keyword ?? null, i.reason])).toEqual([
      [1, null, 'action "rejectsrc" is not supported by Network Firewall (pass, drop, reject or alert only)'],
      [44, 'geoip', 'GeoIP matching (geoip) is not supported by Network Firewall'],
      [58, 'threshold', 'thresholding (threshold) is not supported by Network Firewall'],
    ]);
  });

  it('xbits with IP tracking, tag:host, hostbits, datasets, file keywords, Lua, HTTP/2 and QUIC keywords', () => {
    const reasons = (t: string) => lintRuleForNfw(rule(t)).map((i) => i.keyword);
    expect(reasons('alert ip any any -> any any (xbits:set,x,track ip_pair; sid:1;)')).toEqual(['xbits']);
    expect(reasons('alert ip any any -> any any (xbits:set,x,track tx; sid:1;)')).toEqual([]);
    expect(reasons('alert ip any any -> any any (tag:host,60,seconds,src; sid:1;)')).toEqual(['tag']);
    expect(reasons('alert ip any any -> any any (tag:session,60,seconds; sid:1;)')).toEqual([]);
    expect(reasons('alert ip any any -> any any (hostbits:set,x,track ip_src; sid:1;)')).toEqual(['hostbits']);
    expect(reasons('alert http any any -> any any (filemagic:"PE"; filestore; sid:1;)')).toEqual([
      'filemagic',
      'filestore',
    ]);
    expect(reasons('alert dns any any -> any any (dns.query; dataset:isset,ioc,type string; sid:1;)')).toEqual([
      'dataset',
    ]);
    expect(reasons('alert tcp any any -> any any (luajit:x.lua; sid:1;)')).toEqual(['luajit']);
    expect(reasons('alert http2 any any -> any any (http2.frametype:GOAWAY; sid:1;)')).toEqual(['http2.frametype']);
    expect(reasons('alert quic any any -> any any (quic.sni; content:"a"; sid:1;)')).toEqual(['quic.sni']);
  });

  it('priority is rejected only under STRICT_ORDER; undefined variables; duplicate sids', () => {
    const r = rule('pass tls $HOME_NET any -> $WEB any (priority:1; sid:4;)');
    expect(lintRuleForNfw(r, { ruleOrder: 'DEFAULT_ACTION_ORDER' })).toEqual([]);
    expect(lintRuleForNfw(r, { ruleOrder: 'STRICT_ORDER', definedVars: new Set() }).map((i) => i.reason)).toEqual([
      'the priority keyword is not allowed in STRICT_ORDER rule groups (rules run in file order)',
      "variable $WEB is not defined in the rule group's RuleVariables (or policy variables)",
    ]);
    const p = parseRules('alert ip any any -> any any (sid:5;)\nalert ip any any -> any any (sid:5;)', 'd.rules');
    expect(lintRulesForNfw(p.rules)).toEqual([
      {
        file: 'd.rules',
        line: 2,
        column: 1,
        severity: 'error',
        reason: 'duplicate sid 5 (first at line 1)',
        sid: 5,
        keyword: 'sid',
      },
    ]);
  });

  const DIR = join(CORPORA, 'netfw/et-open');
  it.skipIf(!existsSync(DIR))(
    'ET Open: every threshold/detection_filter, IP-tracking xbits and ftp-data rule is rejected',
    () => {
      let thresholdRules = 0;
      let flagged = 0;
      const byKeyword = new Map<string, number>();
      for (const f of readdirSync(DIR).filter((x) => x.endsWith('.rules'))) {
        for (const r of parseRules(readFileSync(join(DIR, f), 'utf8'), f).rules) {
          if (r.thresholds.length > 0) thresholdRules++;
          const issues = lintRuleForNfw(r);
          if (issues.length > 0) flagged++;
          for (const i of issues) byKeyword.set(i.keyword ?? i.reason, (byKeyword.get(i.keyword ?? i.reason) ?? 0) + 1);
        }
      }
      // Spec §9: threshold 1,984; plus 3 detection_filter rules.
      expect(thresholdRules).toBe(1987);
      // Besides thresholds: 42 xbits options with IP tracking (30 rules) and the one ftp-data rule.
      expect(Object.fromEntries(byKeyword)).toEqual({
        threshold: 1984,
        detection_filter: 3,
        xbits: 42,
        'FTP-data detection is not supported by Network Firewall': 1,
      });
      expect(flagged).toBe(1987 + 30 + 1);
    },
  );
});

describe('domain lists compile to the Suricata rules AWS generates', () => {
  it('ALLOWLIST + TLS_SNI: wildcard, exact and catch-all rules exactly as in the spec', () => {
    expect(
      compileDomainList({
        Targets: ['.amazon.com', 'example.com'],
        TargetTypes: ['TLS_SNI'],
        GeneratedRulesType: 'ALLOWLIST',
      }),
    ).toEqual([
      'pass tls $HOME_NET any -> $EXTERNAL_NET any (ssl_state:client_hello; tls.sni; dotprefix; content:".amazon.com"; nocase; endswith; msg:"matching TLS allowlisted FQDNs"; priority:1; flow:to_server, established; sid:1; rev:1;)',
      'pass tls $HOME_NET any -> $EXTERNAL_NET any (ssl_state:client_hello; tls.sni; content:"example.com"; startswith; nocase; endswith; msg:"matching TLS allowlisted FQDNs"; priority:1; flow:to_server, established; sid:2; rev:1;)',
      'drop tls $HOME_NET any -> $EXTERNAL_NET any (msg:"not matching any TLS allowlisted FQDNs"; priority:1; ssl_state:client_hello; flow:to_server, established; sid:3; rev:1;)',
    ]);
  });

  it('DENYLIST + HTTP_HOST: drop rules on http.host without nocase and no catch-all; all generated rules parse', () => {
    const lines = compileDomainList({
      Targets: ['.evil.test'],
      TargetTypes: ['HTTP_HOST'],
      GeneratedRulesType: 'DENYLIST',
    });
    expect(lines).toEqual([
      'drop http $HOME_NET any -> $EXTERNAL_NET any (http.host; dotprefix; content:".evil.test"; endswith; msg:"matching HTTP denylisted FQDNs"; flow:to_server, established; sid:1; rev:1;)',
    ]);
    const all = compileDomainList({
      Targets: ['a.test', '.b.test'],
      TargetTypes: ['TLS_SNI', 'HTTP_HOST'],
      GeneratedRulesType: 'ALLOWLIST',
    });
    const p = parseRules(all.join('\n'), 'gen');
    expect(p.issues).toEqual([]);
    expect(p.rules.map((r) => [r.action, r.proto, r.sid])).toEqual([
      ['pass', 'tls', 1],
      ['pass', 'tls', 2],
      ['drop', 'tls', 3],
      ['pass', 'http', 4],
      ['pass', 'http', 5],
      ['drop', 'http', 6],
    ]);
  });
});

describe('rule groups and policies', () => {
  it('stateless group: capacity, sorted priorities, TCP flags and explained errors', () => {
    const g = loadRuleGroup(
      {
        RuleGroup: {
          RulesSource: {
            StatelessRulesAndCustomActions: {
              StatelessRules: [
                {
                  Priority: 20,
                  RuleDefinition: {
                    Actions: ['aws:drop'],
                    MatchAttributes: {
                      Sources: [{ AddressDefinition: '10.0.0.0/8' }, { AddressDefinition: '192.168.0.0/16' }],
                      Protocols: [6, 17],
                      DestinationPorts: [
                        { FromPort: 22, ToPort: 22 },
                        { FromPort: 3389, ToPort: 3389 },
                        { FromPort: 23, ToPort: 23 },
                      ],
                    },
                  },
                },
                {
                  Priority: 10,
                  RuleDefinition: {
                    Actions: ['aws:pass', 'metric1'],
                    MatchAttributes: { Protocols: [6], TCPFlags: [{ Flags: ['SYN'], Masks: ['SYN', 'ACK'] }] },
                  },
                },
                {
                  Priority: 10,
                  RuleDefinition: {
                    Actions: ['aws:pass', 'aws:drop'],
                    MatchAttributes: {
                      Protocols: [1],
                      SourcePorts: [{ FromPort: 9, ToPort: 1 }],
                      TCPFlags: [{ Flags: ['SYNN'] }],
                    },
                  },
                },
              ],
              CustomActions: [
                { ActionName: 'metric1', ActionDefinition: { PublishMetricAction: { Dimensions: [{ Value: 'x' }] } } },
              ],
            },
          },
        },
        RuleGroupResponse: { RuleGroupName: 'sl', Type: 'STATELESS', Capacity: 100 },
      },
      'sl.json',
    );
    expect(g.kind).toBe('STATELESS');
    expect(g.stateless.map((r) => [r.priority, r.capacity])).toEqual([
      [10, 1],
      [10, 1],
      [20, 12],
    ]);
    expect(g.stateless[0]?.tcpFlags).toEqual([{ flags: 2, masks: 18 }]);
    expect(g.capacity).toBe(14);
    expect(g.issues.map((i) => `${i.path}: ${i.reason}`)).toEqual([
      'RulesSource.StatelessRulesAndCustomActions.StatelessRules[2].Priority: Priority 10 is also used by StatelessRules[1]; priorities must be unique',
      'RulesSource.StatelessRulesAndCustomActions.StatelessRules[2].RuleDefinition.Actions: exactly one of aws:pass, aws:drop, aws:forward_to_sfe is required, found aws:pass, aws:drop',
      'RulesSource.StatelessRulesAndCustomActions.StatelessRules[2].RuleDefinition.MatchAttributes.SourcePorts[0]: port range must have integer FromPort ≤ ToPort within 0–65535, got {"FromPort":9,"ToPort":1}',
      'RulesSource.StatelessRulesAndCustomActions.StatelessRules[2].RuleDefinition.MatchAttributes.TCPFlags[0].Flags: unknown TCP flag "SYNN" (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR)',
      'RulesSource.StatelessRulesAndCustomActions.StatelessRules[2].RuleDefinition.MatchAttributes.TCPFlags: TCP flags apply only to protocol 6 (TCP), which this rule does not match',
    ]);
  });

  it('stateful 5-tuple rules compile to one Suricata line each and are linted (CloudFormation form)', () => {
    const g = loadRuleGroup(
      {
        Type: 'AWS::NetworkFirewall::RuleGroup',
        Properties: {
          RuleGroupName: 'sf',
          Type: 'STATEFUL',
          Capacity: 10,
          RuleGroup: {
            RuleVariables: {
              IPSets: { WEB: { Definition: ['10.1.0.0/16'] } },
              PortSets: { WEBP: { Definition: ['443', '8443'] } },
            },
            StatefulRuleOptions: { RuleOrder: 'STRICT_ORDER' },
            RulesSource: {
              StatefulRules: [
                {
                  Action: 'DROP',
                  Header: {
                    Protocol: 'TCP',
                    Source: 'any',
                    SourcePort: 'any',
                    Direction: 'FORWARD',
                    Destination: '$WEB',
                    DestinationPort: '$WEBP',
                  },
                  RuleOptions: [
                    { Keyword: 'msg', Settings: ['"no web"'] },
                    { Keyword: 'sid', Settings: ['100'] },
                  ],
                },
                {
                  Action: 'REJECT',
                  Header: {
                    Protocol: 'UDP',
                    Source: '$DB',
                    SourcePort: 'any',
                    Direction: 'ANY',
                    Destination: 'any',
                    DestinationPort: '53',
                  },
                  RuleOptions: [
                    { Keyword: 'sid', Settings: ['101'] },
                    { Keyword: 'priority', Settings: ['2'] },
                  ],
                },
              ],
            },
          },
        },
      },
      'sf.yaml',
    );
    expect(g.kind).toBe('STATEFUL');
    expect(g.suricata?.split('\n')).toEqual([
      'drop tcp any any -> $WEB $WEBP (msg:"no web"; sid:100;)',
      'reject udp $DB any <> any 53 (sid:101; priority:2;)',
    ]);
    expect(g.parsed?.rules.map((r) => r.sid)).toEqual([100, 101]);
    expect(g.issues.map((i) => [i.path ?? `${i.file}:${i.line}`, i.reason])).toEqual([
      ['RulesSource.StatefulRules[1].Action', 'REJECT sends a TCP reset and applies to TCP rules only'],
      [
        'sf.yaml#StatefulRules:2',
        'the priority keyword is not allowed in STRICT_ORDER rule groups (rules run in file order)',
      ],
      [
        'sf.yaml#StatefulRules:2',
        "variable $DB is not defined in the rule group's RuleVariables (or policy variables)",
      ],
    ]);
  });

  it('RulesString groups are parsed with located errors; exactly one RulesSource kind', () => {
    const g = loadRuleGroup(
      {
        RulesSource: {
          RulesString: 'alert tcp any any -> any any (sid:1;)\nalert tcp any any -> any any (msg:"x"; rev:1;)\n',
        },
      },
      'g.json',
    );
    expect(g.issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.reason}`)).toEqual([
      'g.json#RulesString:2:1 rule has no sid',
    ]);
    const bad = loadRuleGroup({ RulesSource: { RulesString: '', StatefulRules: [] } }, 'b.json');
    expect(bad.issues[0]?.reason).toBe(
      'RulesSource must have exactly one of RulesString, RulesSourceList, StatefulRules, StatelessRulesAndCustomActions (found RulesString, StatefulRules)',
    );
  });

  it('policy: stateful default actions only with STRICT_ORDER, reference priorities, stream exception policy', () => {
    const ok = loadPolicy(
      {
        FirewallPolicy: {
          StatelessDefaultActions: ['aws:forward_to_sfe'],
          StatelessFragmentDefaultActions: ['aws:drop'],
          StatefulRuleGroupReferences: [
            { ResourceArn: 'arn:b', Priority: 20 },
            { ResourceArn: 'arn:a', Priority: 10, Override: { Action: 'DROP_TO_ALERT' } },
          ],
          StatefulDefaultActions: ['aws:drop_established', 'aws:alert_established'],
          StatefulEngineOptions: { RuleOrder: 'STRICT_ORDER', StreamExceptionPolicy: 'REJECT' },
        },
      },
      'p.json',
    );
    expect(ok.issues).toEqual([]);
    expect(ok.statefulGroups.map((r) => r.arn)).toEqual(['arn:a', 'arn:b']);
    expect(ok.streamExceptionPolicy).toBe('REJECT');
    const bad = loadPolicy(
      {
        StatelessDefaultActions: ['aws:pass', 'aws:drop'],
        StatelessFragmentDefaultActions: ['aws:drop'],
        StatefulRuleGroupReferences: [{ ResourceArn: 'arn:a', Priority: 1 }],
        StatefulDefaultActions: ['aws:drop_strict'],
      },
      'q.json',
    );
    expect(bad.issues.map((i) => i.reason)).toEqual([
      'StatelessDefaultActions needs exactly one of aws:pass, aws:drop, aws:forward_to_sfe (found aws:pass, aws:drop)',
      'StatefulDefaultActions are only allowed with STRICT_ORDER (default action order applies pass > drop > reject > alert)',
      'Priority on stateful group references is only allowed with STRICT_ORDER',
    ]);
  });
});
