import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vigil } from '../helpers/cli.js';
import { CORPORA, ELASTIC } from '../helpers/corpus.js';

const R53 = join(ELASTIC, 'route53_resolver_logs/test-route53.log');

describe('vigil CLI contract', () => {
  it('prints its version and help', async () => {
    const v = await vigil(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await vigil(['logs', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('stats');
  });

  it('demo ingests every example log type, runs detection and shows the planted bad input', async () => {
    const r = await vigil(['demo']);
    expect(r.code).toBe(0);
    for (const type of [
      'cloudtrail',
      'vpcflow',
      'route53resolver',
      's3access',
      'alb',
      'waf',
      'cloudfront',
      'networkfirewall',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${type}\\s+\\d+$`, 'm'));
    }
    expect(r.stdout).toContain('Stealth:IAMUser/CloudTrailLoggingDisabled');
    expect(r.stdout).toContain('UnauthorizedAccess:EC2/SSHBruteForce');
    expect(r.stdout).toContain('CryptoCurrency:EC2/BitcoinTool.B!DNS');
    expect(r.stdout).toMatch(/bad\/truncated-cloudtrail\.json\.gz@\d+: truncated or corrupt gzip/);
  });

  it('exits 2 with a one-line message (no stack trace) on usage errors', async () => {
    for (const args of [
      ['nope'],
      ['logs', 'stats', R53, '--since', 'yesterday-ish'],
      ['logs', 'cat', R53, '--type', 'syslog'],
    ]) {
      const r = await vigil(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const r = await vigil(['logs', 'cat', R53, '--type', 'syslog']);
    expect(r.stderr).toContain('--type: Invalid option: expected one of "cloudtrail"');
  });

  it('logs stats --format json gives records, errors, types and timeRange', async () => {
    const r = await vigil(['logs', 'stats', R53, '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ records: 34, errors: 0, types: { route53resolver: 34 } });
    expect(out.timeRange).toEqual({ start: '2021-02-04T17:51:55.000Z', end: '2021-12-11T22:48:33.000Z' });
  });

  it('logs cat reads stdin and writes one JSON record per line with native fields', async () => {
    const r = await vigil(['logs', 'cat', '-'], { input: readFileSync(R53) });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(34);
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rec.query_name).toBe('does-not-exist.abc.com.');
    expect(rec._vigil).toMatchObject({ type: 'route53resolver', file: '-', line: 1, sourceIp: '172.31.86.159' });
  });

  it('keeps good records, reports bad ones with file:line, and --strict turns rejections into exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
    const file = join(dir, 'mixed.log');
    const good = readFileSync(R53, 'utf8').trim().split('\n');
    writeFileSync(file, [good[0], '{"query_name": broken', good[1]].join('\n'));
    const r = await vigil(['logs', 'cat', file]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toContain(`${file}:2: invalid JSON`);
    const strict = await vigil(['logs', 'stats', file, '--strict', '--format', 'json']);
    expect(strict.code).toBe(2);
    expect(JSON.parse(strict.stdout)).toMatchObject({ records: 2, errors: 1 });
  });

  it("--where filters any log with an EventBridge pattern; an invalid pattern is exit 2 with AWS's message", async () => {
    const stratus = join(CORPORA, 'cloudtrail/stratus');
    const r = await vigil(['logs', 'cat', stratus, '--where', '{"eventName":["StopLogging","DeleteTrail"]}']);
    expect(r.code).toBe(0);
    const names = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { eventName: string }).eventName)
      .sort();
    expect(names).toEqual(['DeleteTrail', 'StopLogging']);
    const flows = await vigil([
      'logs',
      'stats',
      R53,
      '--where',
      '{"rcode":["NXDOMAIN"],"query_type":[{"anything-but":"PTR"}]}',
      '--format',
      'json',
    ]);
    const expected = readFileSync(R53, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { rcode: string; query_type: string })
      .filter((x) => x.rcode === 'NXDOMAIN' && x.query_type !== 'PTR').length;
    expect(JSON.parse(flows.stdout)).toMatchObject({ records: 34, kept: expected });
    const bad = await vigil(['logs', 'cat', R53, '--where', '{"x":[]}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--where: Event pattern is not valid. Reason: Empty arrays are not allowed');
  });

  it('config show names the source of each value: cli > env > file > default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cfg-'));
    writeFileSync(join(dir, 'vigil.yaml'), 'logs:\n  workers: 3\n  strict: true\naws:\n  region: eu-west-1\n');
    const r = await vigil(['config', 'show', '--format', 'json'], {
      cwd: dir,
      env: { VIGIL_AWS_REGION: 'ap-south-1' },
    });
    expect(r.code).toBe(0);
    const settings = (JSON.parse(r.stdout) as { settings: { key: string; value: unknown; source: string }[] }).settings;
    const byKey = Object.fromEntries(settings.map((s) => [s.key, s]));
    expect(byKey['logs.workers']).toMatchObject({ value: 3, source: `file:${join(dir, 'vigil.yaml')}` });
    expect(byKey['aws.region']).toMatchObject({ value: 'ap-south-1', source: 'env:VIGIL_AWS_REGION' });
    expect(byKey['output.format']).toMatchObject({ value: 'table', source: 'default' });
    const bad = await vigil(['config', 'show'], { cwd: dir, env: { VIGIL_LOGS_WORKERS: 'many' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('VIGIL_LOGS_WORKERS: expected a number');
    writeFileSync(join(dir, 'vigil.yaml'), 'logs:\n  workers: -1\n');
    const invalid = await vigil(['config', 'validate'], { cwd: dir });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/vigil\.yaml: logs\.workers: /);
  });
});
