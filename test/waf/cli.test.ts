import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerWaf } from '../../src/cli/commands/waf.js';
import { corpusAvailable, ELASTIC } from '../helpers/corpus.js';

const vis = { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: 'x' };

// Mirrors the rule in Elastic's WAF fixture: SQL injection in any header, as AWS logged it.
const ACL = {
  WebACL: {
    Name: 'STMTest',
    ARN: 'arn:aws:wafv2:ap-southeast-2:123456789012:regional/webacl/STMTest/1',
    DefaultAction: { Allow: {} },
    VisibilityConfig: vis,
    Rules: [
      {
        Name: 'STMTest_SQLi_XSS',
        Priority: 0,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: {
          SqliMatchStatement: {
            FieldToMatch: { Headers: { MatchPattern: { All: {} }, MatchScope: 'VALUE', OversizeHandling: 'CONTINUE' } },
            TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }],
          },
        },
      },
      {
        Name: 'shell',
        Priority: 1,
        Action: { Block: {} },
        VisibilityConfig: vis,
        Statement: {
          ByteMatchStatement: {
            SearchString: 'rm -rf',
            FieldToMatch: { QueryString: {} },
            TextTransformations: [
              { Priority: 0, Type: 'URL_DECODE' },
              { Priority: 1, Type: 'CMD_LINE' },
            ],
            PositionalConstraint: 'CONTAINS',
          },
        },
      },
    ],
  },
};

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

async function run(args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerWaf(program);
  await program.parseAsync(args, { from: 'user' });
}

function tmp(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-waf-'));
  const f = join(dir, name);
  writeFileSync(f, content);
  return f;
}

describe('vigil waf validate', () => {
  it('prints rules and WCU', async () => {
    await run(['waf', 'validate', '--web-acl', tmp('acl.json', JSON.stringify(ACL))]);
    expect(out).toContain('web ACL STMTest: 2 rules, 60 WCU, default Allow');
    expect(out).toMatch(/0 {2}STMTest_SQLi_XSS {2}REGULAR {2}Block {2}30 WCU/);
  });
  it('reports located errors for a broken ACL', async () => {
    const bad = structuredClone(ACL) as { WebACL: { Rules: { Priority: number }[] } };
    bad.WebACL.Rules[1]!.Priority = 0;
    await expect(run(['waf', 'validate', '--acl', tmp('bad.json', JSON.stringify(bad))])).rejects.toThrow(
      /WebACL\.Rules\[1\]\.Priority: priority 0 is also used by rule STMTest_SQLi_XSS/,
    );
  });
});

describe.skipIf(!corpusAvailable())('vigil waf test (offline replay)', () => {
  it('replays AWS WAF logs and reproduces the logged SQLi decisions and matched data', async () => {
    const logOut = join(mkdtempSync(join(tmpdir(), 'vigil-waf-')), 'waf.log');
    await run([
      'waf',
      'test',
      '--web-acl',
      tmp('acl.json', JSON.stringify(ACL)),
      '--all',
      '-f',
      'json',
      '--log-out',
      logOut,
      join(ELASTIC, 'waf/test-waf.log'),
    ]);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const summary = lines.pop().summary;
    expect(summary.requests).toBe(lines.length);
    const first = lines[0];
    expect(first).toMatchObject({
      action: 'BLOCK',
      terminatingRuleId: 'STMTest_SQLi_XSS',
      logged: { action: 'BLOCK', terminatingRuleId: 'STMTest_SQLi_XSS' },
    });
    // AWS logged matchedData ["10","AND","1"] for header x-stm-test: "10 AND 1=1"
    expect(first.matches[0]).toMatchObject({
      location: 'HEADER',
      fieldName: 'x-stm-test',
      matchedData: ['10', 'AND', '1'],
    });
    const records = readFileSync(logOut, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(summary.requests);
    expect(records[0]).toMatchObject({
      formatVersion: 1,
      action: 'BLOCK',
      terminatingRuleId: 'STMTest_SQLi_XSS',
      timestamp: 1576280412771,
    });
  });

  it('replays ALB logs and reports what the ACL would block', async () => {
    await run([
      'waf',
      'test',
      '--web-acl',
      tmp('acl.json', JSON.stringify(ACL)),
      join(ELASTIC, 'elb_logs/test-alb.log'),
    ]);
    expect(out).toMatch(/test-alb\.log:2 BLOCK shell \[QUERY_STRING \["rm -rf"\]\] GET \/shell\?cd\+\/tmp;rm\+-rf/);
    expect(out).toMatch(/requests evaluated: \d+/);
    expect(out).toMatch(/BLOCK +1\n/);
  });

  it('reads JSONL requests and reports bad lines without stopping', async () => {
    const reqs = tmp(
      'r.jsonl',
      [
        JSON.stringify({ method: 'GET', url: '/?q=1', headers: { 'x-a': "1' OR '1'='1" }, clientIp: '192.0.2.1' }),
        '{not json',
        JSON.stringify({ method: 'GET', url: '/ok' }),
      ].join('\n'),
    );
    await run(['waf', 'test', '--acl', tmp('acl.json', JSON.stringify(ACL)), '--requests', reqs]);
    expect(err).toMatch(/r\.jsonl:2: invalid JSON/);
    expect(out).toMatch(/r\.jsonl:1 BLOCK STMTest_SQLi_XSS/);
    expect(out).toContain('requests evaluated: 2 (1 records not replayable)');
  });
});

describe('vigil waf test --ip-reputation', () => {
  const REP_ACL = {
    WebACL: {
      Name: 'rep',
      ARN: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/rep/1',
      DefaultAction: { Allow: {} },
      VisibilityConfig: vis,
      Rules: [
        {
          Name: 'ip-reputation',
          Priority: 0,
          OverrideAction: { None: {} },
          VisibilityConfig: vis,
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' },
          },
        },
      ],
    },
  };
  const reqs = () =>
    tmp(
      'r.jsonl',
      [
        JSON.stringify({ method: 'GET', url: '/', clientIp: '203.0.113.9' }),
        JSON.stringify({ method: 'GET', url: '/', clientIp: '198.51.100.1' }),
      ].join('\n'),
    );

  it('blocks addresses from the list file given for AWSManagedIPReputationList', async () => {
    const list = tmp('bad-ips.txt', '# known bad\n203.0.113.0/24\n');
    const acl = tmp('acl.json', JSON.stringify(REP_ACL));
    await run([
      'waf',
      'test',
      '--acl',
      acl,
      '--ip-reputation',
      `AWSManagedIPReputationList=${list}`,
      '--requests',
      reqs(),
    ]);
    expect(out).toMatch(/r\.jsonl:1 BLOCK ip-reputation\/AWSManagedIPReputationList/);
    expect(out).not.toMatch(/r\.jsonl:2 BLOCK/);
  });

  it('rejects an unknown list name and a bad address with the file and line', async () => {
    const acl = tmp('acl.json', JSON.stringify(REP_ACL));
    await expect(
      run(['waf', 'validate', '--acl', acl, '--ip-reputation', `NoSuchList=${tmp('x.txt', '1.2.3.4')}`]),
    ).rejects.toThrow(/NAME one of AWSManagedIPReputationList/);
    const bad = tmp('bad.txt', '10.0.0.0/8\nnot-an-ip\n');
    await expect(
      run(['waf', 'validate', '--acl', acl, '--ip-reputation', `AWSManagedIPDDoSList=${bad}`]),
    ).rejects.toThrow(/bad\.txt:2: not an IP address or CIDR: not-an-ip/);
  });
});
