import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowLine, T0 } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const HARNESS = resolve(import.meta.dirname, 'cli-harness.ts');

function detect(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HARNESS, 'detect', ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

let dir = '';
let aux = '';
const HEADER =
  'version account-id vpc-id instance-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags';

beforeAll(() => {
  aux = mkdtempSync(join(tmpdir(), 'vigil-detect-cli-'));
  dir = join(aux, 'logs');
  mkdirSync(dir);
  const ssh = Array.from({ length: 25 }, (_, i) =>
    flowLine({ src: '203.0.113.45', dst: '10.0.0.20', sport: 40000 + i, dport: 22, at: T0 + i * 10_000 }),
  );
  writeFileSync(join(dir, 'flows-1.log'), `${HEADER}\n${ssh.slice(0, 12).join('\n')}\n`);
  writeFileSync(join(dir, 'flows-2.log'), `${HEADER}\n${ssh.slice(12).join('\n')}\n`);
  const q = {
    version: '1.100000',
    account_id: '111122223333',
    region: 'us-east-1',
    vpc_id: 'vpc-1',
    query_timestamp: '2026-11-01T00:05:00Z',
    query_name: 'pool.supportxmr.com.',
    query_type: 'A',
    query_class: 'IN',
    rcode: 'NOERROR',
    answers: [],
    srcaddr: '10.0.1.5',
    srcport: '5353',
    transport: 'UDP',
    srcids: { instance: 'i-0aaaaaaaaaaaaaaa1' },
  };
  writeFileSync(join(dir, 'dns.log'), `${JSON.stringify(q)}\n`);
  writeFileSync(join(aux, 'intel.txt'), '192.0.2.1\nthis is not an address\n');
  writeFileSync(
    join(aux, 'suppress.yaml'),
    'filters:\n  - Name: lab-scanner\n    Action: ARCHIVE\n    Rank: 1\n    FindingCriteria:\n      Criterion:\n        type:\n          Eq: ["UnauthorizedAccess:EC2/SSHBruteForce"]\n',
  );
});
afterAll(() => rmSync(aux, { recursive: true, force: true }));

describe('vigil detect', () => {
  it('table output ends with counts; --fail-on high exits 1', async () => {
    const r = await detect([dir, '--fail-on', 'high']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('UnauthorizedAccess:EC2/SSHBruteForce');
    expect(r.stdout).toContain('CryptoCurrency:EC2/BitcoinTool.B!DNS');
    expect(r.stdout).toMatch(/Findings by type:/);
    expect(r.stdout.trimEnd().endsWith('2 findings')).toBe(true);
    expect(r.stderr).toMatch(/vigil detect: 26 records, 0 rejected, \d+ detectors, 2 findings \(2 new/);
  }, 30_000);

  it('--format jsonl writes one GuardDuty finding per line; --min-severity filters; --fail-on critical exits 0', async () => {
    const r = await detect([dir, '--format', 'jsonl', '--min-severity', 'high', '--fail-on', 'critical', '-q']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const f = JSON.parse(lines[0]!);
    expect([f.type, f.severity, f.schemaVersion]).toEqual(['CryptoCurrency:EC2/BitcoinTool.B!DNS', 8, '2.0']);
    expect(r.stderr).toBe('');
  }, 30_000);

  it('suppression archives (hidden unless --show-archived, never gating); intel errors name file and line', async () => {
    const r = await detect([
      dir,
      '--suppress',
      join(aux, 'suppress.yaml'),
      '--intel',
      `custom:${join(aux, 'intel.txt')}`,
      '--format',
      'json',
      '--fail-on',
      'low',
      '--min-severity',
      'low',
      '--detectors',
      'ec2-brute-force',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
    expect(r.stderr).toContain(`${join(aux, 'intel.txt')}:2: intel: not an IP address, CIDR or domain: "this"`);
    const shown = await detect([
      dir,
      '--suppress',
      join(aux, 'suppress.yaml'),
      '--show-archived',
      '--format',
      'ocsf',
      '--detectors',
      'ec2-brute-force',
      '-q',
    ]);
    const o = JSON.parse(shown.stdout.trim());
    expect([o.class_uid, o.status_id, o.finding_info.types[0]]).toEqual([
      2004,
      3,
      'UnauthorizedAccess:EC2/SSHBruteForce',
    ]);
  }, 30_000);

  it('--state carries open windows across runs split in two', async () => {
    const state = join(aux, 'state.db');
    const a = await detect([join(dir, 'flows-1.log'), '--state', state, '--format', 'jsonl', '-q']);
    expect(a.stdout).toBe('');
    const b = await detect([join(dir, 'flows-2.log'), '--state', state, '--format', 'jsonl', '-q']);
    const whole = await detect([join(dir, 'flows-1.log'), join(dir, 'flows-2.log'), '--format', 'jsonl', '-q']);
    expect(b.stdout).not.toBe('');
    expect(b.stdout).toBe(whole.stdout);
  }, 30_000);

  it('usage errors exit 2 with one clear line', async () => {
    const bad = await detect([dir, '--fail-on', 'severe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fail-on must be low, medium, high or critical, got "severe"');
    const param = await detect([dir, '--param', 'ec2-brute-force.minAttemptz=3']);
    expect(param.code).toBe(2);
    expect(param.stderr).toMatch(
      /detector ec2-brute-force has no parameter "minAttemptz" \(has: windowMinutes, minAttempts, maxPacketsPerAttempt\)/,
    );
    expect(param.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('--param overrides a threshold (explanation shows it)', async () => {
    const r2 = await detect([
      dir,
      '--param',
      'ec2-brute-force.minAttempts=25',
      '--format',
      'jsonl',
      '-q',
      '--detectors',
      'ec2-brute-force',
    ]);
    expect(JSON.parse(r2.stdout).explanation.thresholds.minAttempts).toBe(25);
  }, 30_000);
});
