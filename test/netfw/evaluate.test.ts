import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestAll } from '../../src/ingest/run.js';
import type { LogRecord } from '../../src/ingest/types.js';
import { candidates, compileForEval, decide, type EvalPolicy, ruleMatches } from '../../src/netfw/evaluate.js';
import { compileBuffer } from '../../src/netfw/match.js';
import { type Observation, observationsOf } from '../../src/netfw/observe.js';
import { parseRules } from '../../src/netfw/parse.js';
import { loadRuleGroup } from '../../src/netfw/rule-group.js';
import { defaultVars } from '../../src/netfw/vars.js';
import { CORPORA, ELASTIC } from '../helpers/corpus.js';

const vars = defaultVars({ address: { HOME_NET: '[10.0.0.0/16]' } });
const origin = { file: 'x.log', line: 1 };

function rules(text: string) {
  const p = parseRules(text, 't.rules');
  expect(p.issues).toEqual([]);
  return p.rules;
}

function bufferMatcher(ruleText: string) {
  const r = rules(ruleText)[0]!;
  const c = compileBuffer(r.matches);
  if (!c.ok) throw new Error(c.reason);
  return c.value;
}

const obs = {
  tls: (sni: string, src = '10.0.1.5'): Observation => ({
    kind: 'tls',
    sni,
    src,
    dstPort: 443,
    proto: 6,
    time: 0,
    origin,
    logType: 'alb',
  }),
  dns: (query: string, src = '10.0.1.5'): Observation => ({
    kind: 'dns',
    query,
    src,
    proto: 17,
    dstPort: 53,
    time: 0,
    origin,
    logType: 'route53resolver',
  }),
  flow: (src: string, dst: string, dstPort: number, tcpFlags: number): Observation => ({
    kind: 'flow',
    src,
    dst,
    srcPort: 40000,
    dstPort,
    proto: 6,
    tcpFlags,
    time: 0,
    origin,
    logType: 'vpcflow',
  }),
};

describe('content matching on a buffer', () => {
  it('relative content with distance/within backtracks over earlier candidates', () => {
    const m = bufferMatcher(
      'alert http any any -> any any (http.uri; content:"/a"; content:"x"; distance:0; within:2; sid:1;)',
    );
    expect(m('/a1/ax')).toBe(true); // first "/a" fails within:2, the second succeeds
    expect(m('/a123x')).toBe(false);
  });

  it('dotprefix + endswith matches a domain and its subdomains only; nocase; startswith+endswith is exact', () => {
    const wild = bufferMatcher(
      'alert tls any any -> any any (tls.sni; dotprefix; content:".amazon.com"; nocase; endswith; sid:1;)',
    );
    expect([wild('amazon.com'), wild('www.AMAZON.com'), wild('evilamazon.com'), wild('amazon.com.evil')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    const exact = bufferMatcher(
      'alert tls any any -> any any (tls.sni; content:"example.com"; startswith; nocase; endswith; sid:2;)',
    );
    expect([exact('example.com'), exact('a.example.com'), exact('example.community')]).toEqual([true, false, false]);
  });

  it('negated content, offset/depth, pcre and bsize', () => {
    const m = bufferMatcher(
      'alert http any any -> any any (http.uri; content:"/api"; depth:4; content:!"debug"; pcre:"/id=\\d+$/"; bsize:>8; sid:3;)',
    );
    expect(m('/api?id=42')).toBe(true);
    expect(m('/api?debug&id=42')).toBe(false);
    expect(m('/x/api?id=42')).toBe(false);
    expect(m('/api?id=x')).toBe(false);
  });
});

describe('policy decisions', () => {
  const allow = loadRuleGroup(
    {
      RulesSource: {
        RulesSourceList: {
          Targets: ['.amazon.com', 'example.com'],
          TargetTypes: ['TLS_SNI'],
          GeneratedRulesType: 'ALLOWLIST',
        },
      },
    },
    'allow.json',
  );
  const et = rules(
    'alert tls $HOME_NET any -> $EXTERNAL_NET any (msg:"ET coin"; flow:established,to_server; tls.sni; content:"coin-hive.com"; endswith; classtype:trojan-activity; sid:2025535; rev:3;)',
  );
  const policy = (order: EvalPolicy['ruleOrder'], statefulDefault: string[] = []): EvalPolicy => ({
    statelessGroups: [],
    statelessDefault: ['aws:forward_to_sfe'],
    statefulGroups: [
      { label: 'et', rules: compileForEval(et, vars, 'et').compiled },
      { label: 'allow', rules: compileForEval(allow.parsed!.rules, vars, 'allow').compiled },
    ],
    ruleOrder: order,
    statefulDefault,
  });

  it('DEFAULT_ACTION_ORDER: allow-list pass beats everything, catch-all drops the rest with an alert', () => {
    const p = policy('DEFAULT_ACTION_ORDER');
    expect(decide(p, obs.tls('s3.amazon.com'))).toMatchObject({
      verdict: 'pass',
      sid: 1,
      decidedBy: 'sid 1 (allow)',
      alerts: [],
    });
    const d = decide(p, obs.tls('coin-hive.com'));
    expect(d.verdict).toBe('drop');
    expect(d.sid).toBe(3);
    expect(d.alerts.map((a) => [a.sid, a.action, a.msg])).toEqual([
      [2025535, 'alert', 'ET coin'],
      [3, 'drop', 'not matching any TLS allowlisted FQDNs'],
    ]);
    // Traffic not from HOME_NET is not inspected by generated domain rules.
    expect(decide(p, obs.tls('evil.test', '192.0.2.1')).verdict).toBe('pass');
  });

  it('STRICT_ORDER: groups in order, alert continues, first pass/drop decides; drop_established spares handshakes', () => {
    const p = policy('STRICT_ORDER', ['aws:drop_established']);
    const d = decide(p, obs.tls('coin-hive.com'));
    expect([d.verdict, d.sid, d.alerts.map((a) => a.sid)]).toEqual(['drop', 3, [2025535, 3]]);
    expect(decide(p, obs.flow('10.0.1.5', '192.0.2.9', 22, 2))).toMatchObject({ verdict: 'pass' });
    expect(decide(p, obs.flow('10.0.1.5', '192.0.2.9', 22, 27))).toMatchObject({
      verdict: 'drop',
      decidedBy: 'StatefulDefaultActions aws:drop_established',
    });
  });

  it('stateless rules: first match by priority; forward_to_sfe hands flows to stateful rules; default action', () => {
    const g = loadRuleGroup(
      {
        RulesSource: {
          StatelessRulesAndCustomActions: {
            StatelessRules: [
              {
                Priority: 5,
                RuleDefinition: {
                  Actions: ['aws:drop'],
                  MatchAttributes: { Protocols: [6], DestinationPorts: [{ FromPort: 23, ToPort: 23 }] },
                },
              },
              {
                Priority: 1,
                RuleDefinition: {
                  Actions: ['aws:pass'],
                  MatchAttributes: { Sources: [{ AddressDefinition: '10.0.9.0/24' }] },
                },
              },
              {
                Priority: 9,
                RuleDefinition: {
                  Actions: ['aws:forward_to_sfe'],
                  MatchAttributes: { Protocols: [6], TCPFlags: [{ Flags: ['SYN'], Masks: ['SYN', 'ACK'] }] },
                },
              },
            ],
          },
        },
      },
      'sl.json',
    );
    expect(g.issues).toEqual([]);
    const p: EvalPolicy = {
      ...policy('DEFAULT_ACTION_ORDER'),
      statelessGroups: [{ label: 'sl', rules: g.stateless }],
      statelessDefault: ['aws:drop'],
    };
    expect(decide(p, obs.flow('10.0.9.1', '192.0.2.9', 23, 2))).toMatchObject({
      verdict: 'pass',
      decidedBy: 'stateless priority 1 (sl)',
    });
    expect(decide(p, obs.flow('10.0.1.1', '192.0.2.9', 23, 2))).toMatchObject({
      verdict: 'drop',
      decidedBy: 'stateless priority 5 (sl)',
    });
    expect(decide(p, obs.flow('10.0.1.1', '192.0.2.9', 443, 2))).toMatchObject({
      verdict: 'pass',
      decidedBy: 'no stateful rule matched (default action order passes)',
    });
    expect(decide(p, obs.flow('10.0.1.1', '192.0.2.9', 443, 16))).toMatchObject({
      verdict: 'drop',
      decidedBy: 'StatelessDefaultActions aws:drop',
    });
  });
});

describe('observations from log records', () => {
  const rec = (type: LogRecord['type'], fields: Record<string, unknown>): LogRecord => ({
    type,
    fields,
    time: 1,
    origin,
  });
  it('Route 53 Resolver query, ALB request + SNI, VPC flow', () => {
    expect(
      observationsOf(
        rec('route53resolver', { query_name: 'coin-hive.com.', srcaddr: '10.0.1.5', srcport: '5353', query_type: 'A' }),
      ),
    ).toEqual([
      {
        kind: 'dns',
        query: 'coin-hive.com',
        src: '10.0.1.5',
        srcPort: 5353,
        qtype: 'A',
        proto: 17,
        dstPort: 53,
        time: 1,
        origin,
        logType: 'route53resolver',
      },
    ]);
    const alb = observationsOf(
      rec('alb', {
        'client:port': '192.0.2.10:51234',
        request: 'GET https://shop.example.com:443/admin.php?id=1 HTTP/1.1',
        user_agent: 'curl/8.0',
        domain_name: 'shop.example.com',
      }),
    );
    expect(
      alb.map((o) =>
        o.kind === 'http'
          ? [o.kind, o.method, o.host, o.uri, o.userAgent, o.dstPort]
          : [o.kind, o.kind === 'tls' ? o.sni : ''],
      ),
    ).toEqual([
      ['http', 'GET', 'shop.example.com', '/admin.php?id=1', 'curl/8.0', 443],
      ['tls', 'shop.example.com'],
    ]);
    expect(
      observationsOf(
        rec('vpcflow', {
          srcaddr: '10.0.1.5',
          dstaddr: '192.0.2.9',
          srcport: 40000,
          dstport: 22,
          protocol: 6,
          'tcp-flags': 2,
        }),
      )[0],
    ).toMatchObject({
      kind: 'flow',
      proto: 6,
      tcpFlags: 2,
      dstPort: 22,
    });
  });

  it('an ET DNS rule alerts on a Route 53 query', () => {
    const r = rules(
      'alert dns $HOME_NET any -> any any (msg:"ET DNS coin-hive"; dns.query; content:"coin-hive.com"; nocase; endswith; sid:2025000; rev:1;)',
    );
    const p: EvalPolicy = {
      statelessGroups: [],
      statelessDefault: [],
      statefulGroups: [{ label: 'et', rules: compileForEval(r, vars, 'et').compiled }],
      ruleOrder: 'DEFAULT_ACTION_ORDER',
      statefulDefault: [],
    };
    expect(decide(p, obs.dns('www.Coin-Hive.com'))).toMatchObject({
      verdict: 'alert',
      sid: 2025000,
      alerts: [{ sid: 2025000, msg: 'ET DNS coin-hive' }],
    });
    expect(decide(p, obs.dns('example.org')).alerts).toEqual([]);
  });
});

const DIR = join(CORPORA, 'netfw/et-open');
describe.skipIf(!existsSync(DIR))('ET Open evaluability', () => {
  it('every active rule is either compiled for an observation kind or reported not evaluable with a reason', () => {
    const kinds: Record<string, number> = {};
    let notEvaluable = 0;
    let total = 0;
    for (const f of readdirSync(DIR).filter((x) => x.endsWith('.rules'))) {
      const p = parseRules(readFileSync(join(DIR, f), 'utf8'), f);
      total += p.rules.length;
      const c = compileForEval(p.rules, vars, f);
      for (const r of c.compiled) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
      notEvaluable += c.notEvaluable.length;
      expect(c.notEvaluable.every((n) => n.reason.length > 0)).toBe(true);
    }
    expect(total).toBe(24827);
    // Spec §9: ≈1,200 header-only IP-list rules; request-side DNS/TLS/HTTP rules evaluable on logs.
    expect(kinds).toEqual({ flow: 1192, http: 8204, dns: 3796, tls: 1656 });
    expect(notEvaluable).toBe(24827 - 1192 - 8204 - 3796 - 1656);
  });
});

describe('domain index', () => {
  it('finds exactly the rules a full scan matches, in rule order (10,000-domain allow list + ET-style rules)', () => {
    const targets: string[] = [];
    for (let i = 0; i < 5000; i++) targets.push(`host${i}.example${i % 97}.com`, `.zone${i}.test`);
    const g = loadRuleGroup(
      {
        RulesSource: {
          RulesSourceList: { Targets: targets, TargetTypes: ['TLS_SNI', 'HTTP_HOST'], GeneratedRulesType: 'ALLOWLIST' },
        },
      },
      'big.json',
    );
    const extra = rules(
      'alert tls any any -> any any (tls.sni; content:"Zone7.test"; endswith; sid:900001;)\n' +
        'alert dns any any -> any any (dns.query; dotprefix; content:".zone9.test"; nocase; endswith; sid:900002;)\n' +
        'alert tls any any -> any any (tls.sni; content:"host1.example1.com"; startswith; endswith; sid:900003;)\n',
    );
    const compiled = compileForEval([...g.parsed!.rules, ...extra], vars, 'big').compiled;
    expect(compiled).toHaveLength(20_005);
    const group = { label: 'big', rules: compiled };
    const names = [
      'host1.example1.com',
      'HOST1.example1.com',
      'a.b.zone7.test',
      'zone7.test',
      'Zone7.test',
      'x.zone9.test',
      'zone70.test',
      'example1.com',
      'nothing.invalid',
    ];
    const observations: Observation[] = names.flatMap((n) => [
      obs.tls(n),
      obs.dns(n),
      {
        kind: 'http',
        host: n.toLowerCase(),
        uri: '/',
        src: '10.0.1.5',
        proto: 6,
        time: 0,
        origin,
        logType: 'alb',
      } as Observation,
    ]);
    for (const o of observations) {
      const scan = compiled.filter((c) => ruleMatches(c, o)).map((c) => c.rule.sid);
      const viaIndex = candidates(group, o)
        .filter((c) => ruleMatches(c, o))
        .map((c) => c.rule.sid);
      expect(viaIndex).toEqual(scan);
    }
    // host1.example1.com (TLS): its exact allow rule (sid 3), the case-sensitive extra rule, and nothing else.
    expect(compiled.filter((c) => ruleMatches(c, obs.tls('host1.example1.com'))).map((c) => c.rule.sid)).toEqual([
      3, 10001, 900003,
    ]);
  });
});

describe('observations from ingested logs (elastic fixtures through ingestAll)', () => {
  const files = ['elb_logs/test-alb.log', 'waf/test-waf.log', 'route53_resolver_logs/test-route53.log'].map((f) =>
    join(ELASTIC, f),
  );
  it.skipIf(!files.every((f) => existsSync(f)))(
    'every ALB/WAF/Route 53 record yields an observation of its kind',
    async () => {
      const byType: Record<string, Record<string, number>> = {};
      const records: Record<string, number> = {};
      await ingestAll(
        files,
        {},
        {
          record: (r) => {
            records[r.type] = (records[r.type] ?? 0) + 1;
            for (const o of observationsOf(r)) {
              const t = (byType[r.type] ??= {});
              t[o.kind] = (t[o.kind] ?? 0) + 1;
            }
          },
        },
      );
      // The ELB fixture also holds NLB and ALB connection-log lines, which carry no request.
      expect(Object.keys(records).sort()).toEqual(['alb', 'albconnection', 'nlb', 'route53resolver', 'waf']);
      expect(byType.nlb).toBeUndefined();
      // One HTTP observation per ALB/WAF request, one DNS per query.
      expect(byType.alb?.http).toBe(records.alb);
      expect(byType.waf?.http).toBe(records.waf);
      expect(byType.route53resolver?.dns).toBe(records.route53resolver);
    },
  );
});
