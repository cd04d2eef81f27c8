/**
 * `vigil detect --sigma / --suricata / --format eve / --route` and the detect: config section, through the built
 * binary (test/helpers/cli.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { vigil } from '../helpers/cli.js';
import { CORPORA } from '../helpers/corpus.js';

const STOP = join(CORPORA, 'cloudtrail/stratus/aws.defense-evasion.cloudtrail-stop.json');
const RULES = join(CORPORA, 'sigma/rules-aws');
const COINMINER = join(CORPORA, 'netfw/et-open/emerging-coinminer.rules');
let dir = '';

const jsonl = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-detect-int-'));
  const q = (name: string, at: string) =>
    JSON.stringify({
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
      srcport: '5353',
      transport: 'UDP',
      srcids: { instance: 'i-0aaaaaaaaaaaaaaa1' },
    });
  writeFileSync(
    join(dir, 'dns.log'),
    `${q('crypto-loot.com', '2026-11-01T00:05:00Z')}\n${q('example.com', '2026-11-01T00:06:00Z')}\n`,
  );
  mkdirSync(join(dir, 'cwd'));
});

describe('vigil detect integrations', () => {
  it('--sigma --only-sigma --route: Sigma findings only, published through the bus with delivery stats', async () => {
    const out = join(dir, 'routed.jsonl');
    const bus = join(dir, 'bus.yaml');
    writeFileSync(
      bus,
      `bus:\n  rules:\n    - Name: medium-up\n      EventPattern: { detail: { type: [{ prefix: "Sigma:" }], severity: [{ numeric: [">=", 4] }] } }\n      Targets:\n        - { Id: f, Arn: "file://${out}", InputPath: "$.detail.type" }\n    - Name: high-up\n      EventPattern: { detail: { severity: [{ numeric: [">=", 7] }] } }\n      Targets:\n        - { Id: h, Arn: "file://${out}.high" }\n`,
    );
    const r = await vigil(['detect', STOP, '--sigma', RULES, '--only-sigma', '--route', bus, '-f', 'jsonl']);
    expect(r.code).toBe(0);
    const f = jsonl(r.stdout);
    expect(f.map((x) => x.type)).toEqual(['Sigma:aws.cloudtrail/AWSCloudTrailImportantChange']);
    expect(f[0]!.severity).toBe(5);
    expect(r.stderr).toContain('sigma: 57 rules, 0 correlations loaded (0 errors); 1 matches');
    expect(r.stderr).toContain('routed 1 findings: 1 deliveries, 1 delivered, 0 dead-lettered, 0 dropped, 0 pending');
    expect(readFileSync(out, 'utf8')).toBe('"Sigma:aws.cloudtrail/AWSCloudTrailImportantChange"\n');
  });

  it('--sigma beside built-in detectors, table with --explain', async () => {
    const r = await vigil(['detect', STOP, '--sigma', RULES, '--explain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Stealth:IAMUser/CloudTrailLoggingDisabled');
    expect(r.stdout).toContain('Sigma:aws.cloudtrail/AWSCloudTrailImportantChange');
    expect(r.stdout).toContain('selection_source: eventSource="cloudtrail.amazonaws.com", eventName="StopLogging"');
  });

  it('an invalid Sigma rule is reported with file and reason and exits 2', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      'title: Bad\nlogsource: { product: aws, service: cloudtrail }\ndetection:\n  sel: { eventName|endwith: x }\n  condition: sel\n',
    );
    const r = await vigil(['detect', STOP, '--sigma', bad, '-f', 'jsonl']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vigil: sigma: .*bad\.yml:4: error: .*unknown modifier 'endwith'/);
  });

  it('--suricata with --format eve writes NFW-wrapped EVE alerts', async () => {
    const eve = await vigil(['detect', join(dir, 'dns.log'), '--suricata', COINMINER, '-f', 'eve']);
    expect(eve.code).toBe(0);
    const lines = jsonl(eve.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      firewall_name: 'vigil',
      event: { event_type: 'alert', alert: { signature_id: 2024828, severity: 2, action: 'allowed' } },
    });
    expect(eve.stderr).toContain('suricata: 8 rules evaluated, 18 not evaluable on logs');
    expect(eve.stderr).toContain('2 observations, 1 alerts');
  });

  it('--format eve without Suricata rules is a usage error', async () => {
    const r = await vigil(['detect', STOP, '-f', 'eve']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format eve writes Suricata alerts');
  });

  it('every option from vigil.yaml or VIGIL_DETECT_*; the command line wins; config show names the sources', async () => {
    const cwd = join(dir, 'cwd');
    writeFileSync(join(cwd, 'vigil.yaml'), `detect:\n  sigma: [${RULES}]\n  builtin: false\n  format: jsonl\n`);
    const fromEnv = await vigil(['detect', STOP], {
      cwd,
      env: { VIGIL_DETECT_FORMAT: 'json', VIGIL_DETECT_FAIL_ON: 'medium' },
    });
    expect(fromEnv.code).toBe(1);
    expect((JSON.parse(fromEnv.stdout) as { findings: unknown[] }).findings).toHaveLength(1);
    const cli = await vigil(['detect', STOP, '-f', 'table', '--builtin'], {
      cwd,
      env: { VIGIL_DETECT_FORMAT: 'json' },
    });
    expect(cli.stdout).toContain('Stealth:IAMUser/CloudTrailLoggingDisabled');
    expect(cli.stdout).toContain('Findings by severity');
    const show = await vigil(['config', 'show', '-f', 'json'], { cwd, env: { VIGIL_DETECT_FORMAT: 'json' } });
    const rows = (JSON.parse(show.stdout) as { settings: { key: string; value: unknown; source: string }[] }).settings;
    const row = (k: string) => rows.find((x) => x.key === k);
    expect(row('detect.format')).toMatchObject({ value: 'json', source: 'env:VIGIL_DETECT_FORMAT' });
    expect(row('detect.sigma')).toMatchObject({ value: [RULES], source: `file:${join(cwd, 'vigil.yaml')}` });
    expect(row('detect.route')).toMatchObject({ source: 'default' });
  });

  it('a bad detect value in vigil.yaml exits 2 naming the file and key', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'vigil-detect-bad-'));
    writeFileSync(join(cwd, 'vigil.yaml'), 'detect:\n  minSeverity: severe\n');
    const r = await vigil(['detect', STOP], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vigil\.yaml: detect\.minSeverity/);
  });
});
