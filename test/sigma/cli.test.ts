import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { registerSigma } from '../../src/cli/commands/sigma.js';
import { SIGMA_RULES } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-sigma-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Run `vigil sigma …` in-process; returns stdout, stderr and the exit code it set. */
async function vigil(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  process.exitCode = undefined;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  const program = new Command('vigil').exitOverride();
  registerSigma(program);
  await program.parseAsync(args, { from: 'user' });
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  vi.restoreAllMocks();
  return { out, err, code };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('vigil sigma check', () => {
  it('validates the SigmaHQ AWS rules: exit 0 and a summary', async () => {
    const r = await vigil('sigma', 'check', SIGMA_RULES);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      '57 rules, 0 correlations, 0 filters loaded from 57 files; 0 errors, 0 warnings\nrules by log type: cloudtrail 57\n',
    );
  });

  it('reports invalid rules with file, line, rule and path, and exits 2', async () => {
    const bad = write(
      'bad.yml',
      'title: Bad\nid: 0e95725d-7320-415d-80f7-004da920fc11\nlogsource: { product: aws, service: cloudtrail }\ndetection:\n  sel:\n    eventName|endwith: Stop\n  condition: sel\n',
    );
    const r = await vigil('sigma', 'lint', bad);
    expect(r.code).toBe(2);
    expect(r.out).toBe(
      `${bad}:6: error: rule 0e95725d-7320-415d-80f7-004da920fc11: detection.sel.eventName|endwith: unknown modifier 'endwith'\n` +
        '0 rules, 0 correlations, 0 filters loaded from 1 file; 1 error, 0 warnings\nrules by log type: none\n',
    );
    const json = JSON.parse((await vigil('sigma', 'check', '--format', 'json', bad)).out);
    expect(json).toMatchObject({ rules: 0, errors: 1, issues: [{ line: 6, reason: "unknown modifier 'endwith'" }] });
  });

  it('resolves placeholders from a file (unresolved ones reject the rule)', async () => {
    const rule = write(
      'ph.yml',
      "title: Admin login\nlogsource: { product: aws, service: cloudtrail }\ndetection:\n  sel:\n    userIdentity.userName|expand: '%Admins%'\n  condition: sel\n",
    );
    expect((await vigil('sigma', 'check', rule)).code).toBe(2);
    const ph = write('placeholders.yml', 'Admins: [root, breakglass]\n');
    const r = await vigil('sigma', 'check', '--placeholders', ph, rule);
    expect(r.code).toBe(0);
  });
});

describe('vigil sigma run', () => {
  const query = (name: string, second: number) =>
    JSON.stringify({
      version: '1.100000',
      account_id: '111122223333',
      region: 'us-east-1',
      vpc_id: 'vpc-0a1b2c3d',
      query_timestamp: `2024-05-01T10:00:${String(second).padStart(2, '0')}Z`,
      query_name: name,
      query_type: 'A',
      query_class: 'IN',
      rcode: 'NOERROR',
      answers: [],
      srcaddr: '10.0.0.5',
      srcport: '53535',
      transport: 'UDP',
      srcids: { instance: 'i-0123456789abcdef0' },
    });
  const log = () =>
    write(
      'resolver.log',
      `${[query('www.example.com.', 1), query('c2.evil.example.', 2), query('x.evil.example.', 3), query('y.evil.example.', 4)].join('\n')}\n`,
    );
  const rules = () =>
    write(
      'dns.yml',
      [
        'title: Query to evil.example\nname: evil_dns\nid: 0e95725d-7320-415d-80f7-004da920fc41\nlevel: high\nlogsource: { category: dns }',
        "detection:\n  sel:\n    query|endswith: '.evil.example.'\n  condition: sel\n",
      ].join('\n') +
        '---\ntitle: Many evil queries\nlevel: critical\ngenerate: true\ncorrelation:\n  type: event_count\n  rules: [evil_dns]\n  group-by: [srcaddr]\n  timespan: 5m\n  condition: { gte: 3 }\n',
    );

  it('prints each match with the value that caused it, and correlations', async () => {
    const r = await vigil('sigma', 'run', '-r', rules(), '--format', 'json', log());
    expect(r.code).toBe(0);
    const events = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.kind, e.rule.title])).toEqual([
      ['match', 'Query to evil.example'],
      ['match', 'Query to evil.example'],
      ['match', 'Query to evil.example'],
      ['correlation', 'Many evil queries'],
    ]);
    expect(events[0]).toMatchObject({
      time: '2024-05-01T10:00:02.000Z',
      rule: { id: '0e95725d-7320-415d-80f7-004da920fc41', level: 'high' },
      origin: { line: 2 },
      selections: [
        { identifier: 'sel', values: [{ field: 'query', modifiers: ['endswith'], actual: 'c2.evil.example.' }] },
      ],
    });
    expect(events[3]).toMatchObject({ group: { srcaddr: '10.0.0.5' }, value: 3, eventCount: 3, condition: 'gte 3' });
    expect(r.err).toContain('4 records, 3 rule matches, 1 correlations; 0 inputs rejected');
  });

  it('table output, --fail-on and usage errors', async () => {
    const table = await vigil('sigma', 'run', '-r', rules(), '--fail-on', 'critical', log());
    expect(table.code).toBe(1);
    expect(table.out).toMatch(/^time +level +rule +where +why\n/);
    expect(table.out).toContain('sel: query|endswith="c2.evil.example."');
    expect(table.out).toContain('event_count 3 (gte 3); srcaddr="10.0.0.5"');
    await expect(vigil('sigma', 'run', '--fail-on', 'severe', '-r', rules(), log())).rejects.toThrow(
      /--fail-on must be/,
    );
    await expect(vigil('sigma', 'run', log())).rejects.toThrow(/give at least one --rules/);
  });

  it('sigma test: one rule over inputs', async () => {
    const rule = write(
      'one.yml',
      'title: Any evil query\nlogsource: { category: dns }\ndetection:\n  sel:\n    query|contains: evil\n  condition: sel\n',
    );
    const r = await vigil('sigma', 'test', rule, log());
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => l.includes('Any evil query'))).toHaveLength(3);
    expect(r.out).toContain(`${join(dir, 'resolver.log')}:3`);
  });
});

describe('report helpers', () => {
  it('maps levels to finding severity labels', async () => {
    const { severityOf } = await import('../../src/sigma/report.js');
    expect(severityOf('informational')).toBe('INFORMATIONAL');
    expect(severityOf('critical')).toBe('CRITICAL');
    expect(severityOf(undefined)).toBeUndefined();
  });
});
