import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { registerNetfw } from '../../src/cli/commands/netfw.js';
import { ELASTIC } from '../helpers/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-netfw-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function vigil(...args: string[]): Promise<{ out: string; code: number }> {
  let out = '';
  process.exitCode = undefined;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const program = new Command('vigil').exitOverride();
  registerNetfw(program);
  await program.parseAsync(args, { from: 'user' });
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  vi.restoreAllMocks();
  return { out, code };
}

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('vigil netfw lint', () => {
  it('clean rules file: summary and exit 0', async () => {
    const f = write(
      'ok.rules',
      'alert dns $HOME_NET any -> any any (msg:"x"; dns.query; content:"evil.test"; sid:1;)\n',
    );
    const r = await vigil('netfw', 'lint', f);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      '1 rule (0 commented out), 0 rule groups, 0 policies from 1 file; 0 rules Network Firewall would reject; 0 errors, 0 warnings\n',
    );
  });

  it('reports parse errors and NFW incompatibilities located, keeps going, exit 2', async () => {
    const f = write(
      'bad.rules',
      'alert tcp any any -> any any (msg:"t"; threshold:type limit, track by_src, count 1, seconds 9; sid:1;)\nalert tcp any any -> any any (msg:"x")\n',
    );
    const missing = join(dir, 'missing.rules');
    const r = await vigil('netfw', 'lint', f, missing);
    expect(r.code).toBe(2);
    expect(r.out.split('\n')).toEqual([
      `${f}:2:31: error: option "msg" is not terminated by ";"`,
      `${f}:1:40: error: thresholding (threshold) is not supported by Network Firewall [sid 1]`,
      `${missing}: error: cannot read: ENOENT`,
      '1 rule (0 commented out), 0 rule groups, 0 policies from 1 file; 1 rule Network Firewall would reject; 3 errors, 0 warnings',
      '',
    ]);
  });

  it('rule group and policy documents, JSON output', async () => {
    const g = write(
      'group.json',
      JSON.stringify({
        RuleGroup: {
          RulesSource: {
            RulesSourceList: {
              Targets: ['.example.com', 'bad_name'],
              TargetTypes: ['TLS_SNI'],
              GeneratedRulesType: 'ALLOWLIST',
            },
          },
        },
      }),
    );
    const p = write(
      'policy.yaml',
      'Resources:\n  P:\n    Type: AWS::NetworkFirewall::FirewallPolicy\n    Properties:\n      FirewallPolicyName: !Ref Name\n      FirewallPolicy:\n        StatelessDefaultActions: [aws:forward_to_sfe]\n        StatelessFragmentDefaultActions: [aws:drop]\n',
    );
    const r = await vigil('netfw', 'lint', '--format', 'json', g, p);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out) as {
      ruleGroups: number;
      policies: number;
      errors: number;
      issues: { reason: string; path?: string }[];
    };
    expect([doc.ruleGroups, doc.policies, doc.errors]).toEqual([1, 1, 1]);
    expect(doc.issues).toEqual([
      expect.objectContaining({
        path: 'RulesSource.RulesSourceList.Targets[1]',
        reason: '"bad_name" is not a domain name (letters, digits, "-" labels, optional leading ".")',
      }),
    ]);
  });

  it('rejects a bad --rule-order', async () => {
    await expect(vigil('netfw', 'lint', '--rule-order', 'X', 'a.rules')).rejects.toThrow(
      '--rule-order must be DEFAULT_ACTION_ORDER or STRICT_ORDER, got "X"',
    );
  });
});

describe('vigil netfw eval', () => {
  const R53 = join(ELASTIC, 'route53_resolver_logs/test-route53.log');
  it.skipIf(!existsSync(R53))(
    'Suricata DNS rules on Route 53 Resolver query logs (elastic fixture), jsonl',
    async () => {
      const rules = write(
        'dns.rules',
        'alert dns $HOME_NET any -> any any (msg:"lookup of example.com names"; dns.query; dotprefix; content:".example.com"; nocase; endswith; classtype:policy-violation; sid:100; rev:1;)\n' +
          'drop dns any any -> any any (msg:"ntp pool"; dns.query; content:"pool.ntp.org"; endswith; sid:101; rev:2;)\n' +
          'alert dns any any -> any any (msg:"needs payload"; content:"|00 01|"; sid:102;)\n',
      );
      const r = await vigil('netfw', 'eval', '--rules', rules, '--format', 'jsonl', '--hits', '-q', R53);
      expect(r.code).toBe(0);
      const docs = r.out
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as { verdict: string; sid: number; observation: { query: string }; log: { line: number } },
        );
      expect(docs.map((d) => [d.log.line, d.verdict, d.sid, d.observation.query])).toEqual([
        [3, 'alert', 100, 'does-not-exist.example.com'],
        [22, 'drop', 101, '1.amazon.pool.ntp.org'],
        [23, 'drop', 101, '2.amazon.pool.ntp.org'],
        [24, 'drop', 101, '0.amazon.pool.ntp.org'],
        [25, 'drop', 101, '0.amazon.pool.ntp.org'],
        [26, 'drop', 101, '1.amazon.pool.ntp.org'],
        [27, 'drop', 101, '2.amazon.pool.ntp.org'],
        [29, 'alert', 100, 'test.example.com'],
        [30, 'alert', 100, 'test.example.com'],
        [32, 'alert', 100, 'abcd.example.com'],
      ]);
      expect(docs[0]).toMatchObject({
        alerts: [
          { sid: 100, rev: 1, msg: 'lookup of example.com names', classtype: 'policy-violation', action: 'alert' },
        ],
      });
    },
  );

  it('requires some rules', async () => {
    await expect(vigil('netfw', 'eval', 'x.log')).rejects.toThrow(
      'give --policy with --rule-group files, or --rule-group / --rules',
    );
  });
});
