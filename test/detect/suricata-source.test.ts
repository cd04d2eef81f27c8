/**
 * Suricata rules and Network Firewall policies as a detection source (issue 13 §3–4): alerts on the observations
 * derived from logs become findings (rule msg, classtype, severity from priority), and `--format eve` writes them as
 * NFW-wrapped Suricata EVE alerts (netfw.md §10).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingIdFor } from '../../src/detect/finding.js';
import { runDetection } from '../../src/detect/run.js';
import { prioritySeverity } from '../../src/detect/sources/suricata.js';
import { eveTimestamp, parseClassification } from '../../src/netfw/eve.js';
import { attackRefs } from '../../src/report/findings.js';
import { CORPORA } from '../helpers/corpus.js';

const ET = join(CORPORA, 'netfw/et-open');
let dir = '';

function dnsLine(name: string, at: string, port: number): string {
  return JSON.stringify({
    version: '1.100000',
    account_id: '111122223333',
    region: 'us-east-1',
    vpc_id: 'vpc-1',
    query_timestamp: at,
    query_name: `${name}.`,
    query_type: 'A',
    query_class: 'IN',
    rcode: 'NOERROR',
    answers: [],
    srcaddr: '10.0.1.5',
    srcport: String(port),
    transport: 'UDP',
    srcids: { instance: 'i-0aaaaaaaaaaaaaaa1' },
  });
}

function albLine(ip: string, at: string, url: string, sni: string): string {
  return `h2 ${at} app/shop-prod/4f9a3c2e1b0d8a76 ${ip}:52444 10.0.11.34:8080 0.003 0.080 0.000 200 200 717 4893 "GET ${url} HTTP/2.0" "curl/8.0" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/shop-web/6d0ecf831eec9f09 "Root=1-6ae68b93-584eb6e601d3b9482a6ffab2" "${sni}" "-" 1 ${at} "forward" "-" "-" "10.0.11.34:8080" "200" "-" "-" TID_6e163134b94e796f3fcb7ef944ec60dc`;
}

const FLOW_HEADER =
  'version account-id vpc-id instance-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-suricata-src-'));
  writeFileSync(
    join(dir, 'dns.log'),
    `${[
      dnsLine('crypto-loot.com', '2026-11-01T00:05:00Z', 5353),
      dnsLine('crypto-loot.com', '2026-11-01T00:06:00Z', 5354),
      dnsLine('example.com', '2026-11-01T00:07:00Z', 5355),
    ].join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'alb.log'),
    `${[
      albLine(
        '198.51.100.9',
        '2026-11-01T00:10:00.000000Z',
        'https://shop.example.com:443/admin/login',
        'shop.example.com',
      ),
      albLine('198.51.100.9', '2026-11-01T00:11:00.000000Z', 'https://www.evil.test:443/x', 'www.evil.test'),
    ].join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'flow.log'),
    `${FLOW_HEADER}\n5 111122223333 vpc-1 i-0bbbbbbbbbbbbbbb2 eni-1 203.0.113.7 10.0.2.9 51515 3389 6 3 180 1793491800 1793491830 ACCEPT OK 2\n`,
  );
  writeFileSync(
    join(dir, 'local.rules'),
    [
      'alert http any any -> any any (msg:"TEST admin path"; http.uri; content:"/admin"; startswith; priority:1; sid:1000001; rev:2;)',
      'alert tls any any -> any any (msg:"TEST shop SNI"; tls.sni; content:"shop.example.com"; startswith; endswith; nocase; classtype:policy-violation; sid:1000002; rev:1;)',
      'alert tcp any any -> any 3389 (msg:"TEST inbound RDP"; flow:to_server; sid:1000003; rev:1;)',
      'alert tcp any any -> any any (msg:"TEST payload only"; content:"|de ad be ef|"; sid:1000004; rev:1;)',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'classification.config'),
    'config classification: policy-violation,Potential Corporate Privacy Violation,1\nnot a line\n',
  );
  writeFileSync(
    join(dir, 'deny-evil.json'),
    JSON.stringify({
      RuleGroupResponse: {
        RuleGroupArn: 'arn:aws:network-firewall:us-east-1:111122223333:stateful-rulegroup/deny-evil',
        RuleGroupName: 'deny-evil',
        Type: 'STATEFUL',
      },
      RuleGroup: {
        RulesSource: {
          RulesSourceList: { Targets: ['.evil.test'], TargetTypes: ['HTTP_HOST'], GeneratedRulesType: 'DENYLIST' },
        },
      },
    }),
  );
  writeFileSync(
    join(dir, 'policy.json'),
    JSON.stringify({
      FirewallPolicy: {
        StatelessDefaultActions: ['aws:forward_to_sfe'],
        StatelessFragmentDefaultActions: ['aws:drop'],
        StatefulRuleGroupReferences: [
          { ResourceArn: 'arn:aws:network-firewall:us-east-1:111122223333:stateful-rulegroup/deny-evil' },
        ],
      },
    }),
  );
});

describe('Suricata alerts as findings', () => {
  it('ET Open coinminer rule on Route 53 Resolver queries: one aggregated finding, severity from classtype', async () => {
    const eve: Record<string, unknown>[] = [];
    const run = await runDetection([join(dir, 'dns.log')], {
      suricata: [join(ET, 'emerging-coinminer.rules')],
      builtin: false,
      onEve: (e) => eve.push(e),
    });
    // classification.config is picked up beside the rules file; coin-mining has priority 2 there.
    const classes = parseClassification(readFileSync(join(ET, 'classification.config'), 'utf8'), 'c').classes;
    expect(classes.get('coin-mining')?.priority).toBe(2);
    expect(run.sources.suricata?.classification).toBe(join(ET, 'classification.config'));
    expect(run.sources.suricata?.stats).toMatchObject({ observations: 3, alerts: 2 });
    expect(run.sources.suricata?.stats.verdicts).toEqual({ pass: 1, drop: 0, reject: 0, alert: 2 });
    expect(run.result.findings).toHaveLength(1);
    const f = run.result.findings[0]!;
    expect(f.type).toBe('Suricata:DNS/sid-2024828');
    expect(f.severity).toBe(prioritySeverity(2));
    expect(f.severity).toBe(5);
    expect(f.title).toBe('ET COINMINER Observed DNS Query to Browser Coinminer (crypto-loot[.]com)');
    expect(f.service.count).toBe(2);
    expect(f.accountId).toBe('111122223333');
    expect(f.resource).toMatchObject({
      resourceType: 'Instance',
      instanceDetails: { instanceId: 'i-0aaaaaaaaaaaaaaa1' },
    });
    expect(f.service.action).toMatchObject({
      actionType: 'DNS_REQUEST',
      dnsRequestAction: { domain: 'crypto-loot.com' },
    });
    expect(f.explanation.detector).toBe('suricata');
    expect(f.explanation.evidence).toMatchObject({
      suricata: {
        sid: 2024828,
        rev: 5,
        classtype: 'coin-mining',
        category: 'Crypto Currency Mining Activity Detected',
        priority: 2,
      },
      verdict: 'alert',
      observation: { kind: 'dns', query: 'crypto-loot.com', logType: 'route53resolver' },
    });
    expect(f.explanation.reason).toContain('sid 2024828 rev 5');
    // ATT&CK from the rule's metadata (mitre_tactic_id TA0040 … mitre_technique_name Resource_Hijacking).
    expect(f.service.additionalInfo?.suricata).toMatchObject({
      attack: { tacticId: 'TA0040', tactic: 'Impact', techniqueId: 'T1496', technique: 'Resource Hijacking' },
    });
    expect(attackRefs(f)).toEqual([{ tactic: 'Impact', technique: 'T1496', name: 'Resource Hijacking' }]);
    expect(f.explanation.records.map((r) => r.line)).toEqual([1, 2]);
    // Identity: rules file name + sid + instance + domain (stable when the rules file moves).
    expect(f.id).toBe(
      findingIdFor(
        '111122223333',
        'us-east-1',
        f.type,
        'emerging-coinminer.rules|2024828|i-0aaaaaaaaaaaaaaa1|crypto-loot.com',
      ),
    );

    expect(eve).toHaveLength(2);
    expect(eve[0]).toEqual({
      firewall_name: 'vigil',
      availability_zone: '',
      event_timestamp: String(Date.UTC(2026, 10, 1, 0, 5) / 1000),
      event: {
        timestamp: '2026-11-01T00:05:00.000000+0000',
        flow_id: (eve[0]!.event as { flow_id: number }).flow_id,
        event_type: 'alert',
        src_ip: '10.0.1.5',
        src_port: 5353,
        dest_port: 53,
        proto: 'UDP',
        app_proto: 'dns',
        alert: {
          action: 'allowed',
          gid: 1,
          signature_id: 2024828,
          rev: 5,
          signature: 'ET COINMINER Observed DNS Query to Browser Coinminer (crypto-loot[.]com)',
          category: 'Crypto Currency Mining Activity Detected',
          severity: 2,
        },
        dns: { query: [{ type: 'query', rrname: 'crypto-loot.com', rrtype: 'A' }] },
        vigil: {
          log: { type: 'route53resolver', file: join(dir, 'dns.log'), line: 1 },
          verdict: 'alert',
          decidedBy: `sid 2024828 (${join(ET, 'emerging-coinminer.rules')})`,
          group: join(ET, 'emerging-coinminer.rules'),
        },
      },
    });
    const ids = eve.map((e) => (e.event as { flow_id: number }).flow_id);
    expect(new Set(ids).size).toBe(2);
    expect(ids.every((x) => Number.isSafeInteger(x) && x > 0)).toBe(true);
  });

  it('HTTP, TLS SNI and flow observations; priority keyword and classification decide severity; payload rules are not evaluable', async () => {
    const issues: string[] = [];
    const run = await runDetection([join(dir, 'alb.log'), join(dir, 'flow.log')], {
      suricata: [join(dir, 'local.rules')],
      builtin: false,
      onRuleIssue: (i) => issues.push(`${i.file}:${i.line}: ${i.reason}`),
    });
    expect(issues).toEqual([
      `${join(dir, 'classification.config')}:2: expected "config classification: shortname,description,priority"`,
    ]);
    expect(run.sources.suricata).toMatchObject({ evaluableRules: 3, notEvaluable: 1 });
    const byType = Object.fromEntries(run.result.findings.map((f) => [f.type, f]));
    expect(Object.keys(byType).sort()).toEqual([
      'Suricata:Flow/sid-1000003',
      'Suricata:HTTP/sid-1000001',
      'Suricata:TLS/sid-1000002',
    ]);
    // priority:1 keyword → High 8; classtype policy-violation (priority 1 in the local classification) → 8;
    // no priority and no classtype → Suricata's default 3 → Low 2.
    expect(byType['Suricata:HTTP/sid-1000001']!.severity).toBe(8);
    expect(byType['Suricata:TLS/sid-1000002']!.severity).toBe(8);
    expect(byType['Suricata:Flow/sid-1000003']!.severity).toBe(2);
    expect(byType['Suricata:HTTP/sid-1000001']!.resource).toEqual({
      resourceType: 'LoadBalancer',
      loadBalancerDetails: { name: 'app/shop-prod/4f9a3c2e1b0d8a76' },
    });
    const flow = byType['Suricata:Flow/sid-1000003']!;
    expect(flow.resource).toMatchObject({
      resourceType: 'Instance',
      instanceDetails: { instanceId: 'i-0bbbbbbbbbbbbbbb2' },
    });
    expect(flow.service.action).toMatchObject({
      actionType: 'NETWORK_CONNECTION',
      networkConnectionAction: { connectionDirection: 'INBOUND', localPortDetails: { port: 3389 } },
    });
    expect(flow.explanation.evidence).toMatchObject({ observation: { kind: 'flow', dstPort: 3389, tcpFlags: 2 } });
  });

  it('a Network Firewall policy: DENYLIST drop on http.host is a blocked alert; findings sit beside built-in ones', async () => {
    const eve: Record<string, unknown>[] = [];
    const run = await runDetection([join(dir, 'alb.log')], {
      nfwPolicy: join(dir, 'policy.json'),
      nfwRuleGroups: [join(dir, 'deny-evil.json')],
      homeNet: ['198.51.100.0/24'],
      onEve: (e) => eve.push(e),
    });
    expect(run.sources.suricata?.stats.verdicts).toEqual({ pass: 3, drop: 1, reject: 0, alert: 0 });
    const f = run.result.findings.find((x) => x.type.startsWith('Suricata:'))!;
    expect(f.type).toBe('Suricata:HTTP/sid-1');
    expect(f.title).toBe('matching HTTP denylisted FQDNs');
    expect(f.explanation.evidence).toMatchObject({ verdict: 'drop', decidedBy: 'sid 1 (deny-evil)' });
    expect(eve).toHaveLength(1);
    const ev = eve[0]!.event as Record<string, unknown>;
    expect(ev.alert).toMatchObject({ action: 'blocked', signature_id: 1, severity: 3, category: '' });
    expect(ev.http).toEqual({ hostname: 'www.evil.test', url: '/x', http_user_agent: 'curl/8.0', http_method: 'GET' });
    expect(ev.src_ip).toBe('198.51.100.9');
  });

  it('a directory of rules files: the whole ET Open corpus, with its classification.config', async () => {
    const run = await runDetection([join(dir, 'dns.log')], { suricata: [ET], builtin: false });
    const su = run.sources.suricata!;
    expect(su.errors).toBe(0);
    expect(su.classification).toBe(join(ET, 'classification.config'));
    // Every active rule is either evaluated or counted as not evaluable on logs (24,827 active rules in the corpus).
    expect(su.evaluableRules + su.notEvaluable).toBe(24_827);
    expect(run.result.findings.map((f) => [f.type, f.severity])).toEqual([['Suricata:DNS/sid-2024828', 5]]);
  });

  it('priority to severity bands and the EVE timestamp form', () => {
    expect([1, 2, 3, 4, 255].map(prioritySeverity)).toEqual([8, 5, 2, 1, 1]);
    expect(eveTimestamp(Date.UTC(2020, 9, 13, 22, 10, 1, 6))).toBe('2020-10-13T22:10:01.006000+0000');
  });
});
