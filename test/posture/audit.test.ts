import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfigItem } from '../../src/posture/model.js';
import { csvField, toCsv } from '../../src/posture/report/csv.js';
import { escapeHtml, renderHtmlReport } from '../../src/posture/report/html.js';
import { ruleRows, tally } from '../../src/posture/report/score.js';
import { vigil } from './cli-harness.js';
import { account, ci, run } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-'));

function snapshot(name: string, items: ConfigItem[]): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      fileVersion: '1.0',
      configSnapshotId: 'a1b2c3d4-0000-4000-8000-000000000001',
      configurationItems: items,
    }),
  );
  return file;
}

const sg = (id: string, port: number | undefined) =>
  ci('AWS::EC2::SecurityGroup', id, {
    arn: `arn:aws:ec2:eu-west-1:111122223333:security-group/${id}`,
    configurationItemCaptureTime: '2026-11-01T00:00:00.000Z',
    configuration: {
      groupName: id,
      ipPermissions:
        port === undefined ? [] : [{ ipProtocol: 'tcp', fromPort: port, toPort: port, ipRanges: ['0.0.0.0/0'] }],
    },
  });

const XSS = '<script>alert("x")</script>&';
const snap = snapshot('snap.json', [
  sg('sg-open', 22),
  sg('sg-ok', undefined),
  sg(XSS, 22),
  account({ passwordPolicy: null }),
  ci('AWS::Foo::Widget', 'w-1'),
]);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('vigil audit', () => {
  it('--format json: a list of {configRuleName, resourceType, resourceId, complianceType, annotation, severity}', async () => {
    const r = await vigil(['audit', '--snapshot', snap, '--rules', 'restricted-ssh', '--format', 'json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(list).toHaveLength(3);
    for (const e of list)
      expect(Object.keys(e)).toEqual([
        'configRuleName',
        'resourceType',
        'resourceId',
        'complianceType',
        'annotation',
        'severity',
      ]);
    expect(list.find((e) => e.resourceId === 'sg-ok')).toEqual({
      configRuleName: 'restricted-ssh',
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-ok',
      complianceType: 'COMPLIANT',
      annotation: expect.any(String),
      severity: 'HIGH',
    });
    // The summary goes to stderr so stdout stays machine-readable; unknown types are named, not silently dropped.
    expect(r.stderr).toContain('vigil: 1 rules, 3 resources, 3 evaluations: 2 NON_COMPLIANT, 1 COMPLIANT');
    expect(r.stderr).toContain(
      'vigil: not evaluated (no selected rule covers these resource types): AWS::::Account ×1, AWS::Foo::Widget ×1',
    );
  });

  it('is the same implementation as posture scan (identical output)', async () => {
    const a = await vigil(['audit', '--snapshot', snap, '-f', 'jsonl', '--now', '2026-11-02T00:00:00Z']);
    const b = await vigil(['posture', 'scan', snap, '-f', 'jsonl', '--now', '2026-11-02T00:00:00Z']);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.length).toBeGreaterThan(0);
  });

  it('usage: exactly one of --snapshot / --collect; --publish needs --bus-config; bad format and delimiter', async () => {
    expect((await vigil(['audit'])).stderr).toBe('vigil: give snapshot files or --collect (exactly one of them)\n');
    expect((await vigil(['audit', '--snapshot', snap, '--collect'])).code).toBe(2);
    expect((await vigil(['audit', '--snapshot', snap, '--publish'])).stderr).toMatch(/--publish needs --bus-config/);
    expect((await vigil(['audit', '--snapshot', snap, '-f', 'xml'])).stderr).toMatch(
      /--format must be one of table, json, jsonl, ocsf, asff, csv, html, got "xml"/,
    );
    expect((await vigil(['audit', '--snapshot', snap, '-f', 'csv', '--delimiter', '"'])).code).toBe(2);
  });

  it('malformed snapshot files are located and the rest is still audited', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"configurationItems": [{"resourceType": "AWS::EC2::SecurityGroup"}, 7]}');
    const trunc = join(dir, 'trunc.json');
    writeFileSync(trunc, '{"fileVersion":"1.0","configurationItems":[{"resourceType"');
    const r = await vigil(['audit', '--snapshot', bad, trunc, snap, '--rules', 'restricted-ssh', '-f', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `vigil: ${bad}: configuration item of type AWS::EC2::SecurityGroup has no resourceId (configurationItems[0])`,
    );
    expect(r.stderr).toContain(`vigil: ${bad}: configuration item is not a JSON object (configurationItems[1])`);
    expect(r.stderr).toMatch(new RegExp(`vigil: ${trunc}:1: not valid JSON or JSON Lines`));
    expect(JSON.parse(r.stdout)).toHaveLength(3);
  });

  it('--output writes the report to a file and keeps stdout empty', async () => {
    const out = join(dir, 'out.csv');
    const r = await vigil(['audit', '--snapshot', snap, '--rules', 'restricted-ssh', '-f', 'csv', '-o', out]);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8').split('\r\n')[0]).toBe(
      'configRuleName,identifier,complianceType,severity,resourceType,resourceId,resourceName,arn,awsAccountId,awsRegion,annotation,suppressed,baseline,orderingTimestamp',
    );
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes only fields holding the delimiter, a quote, CR or LF, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField('a;b')).toBe('a;b');
    expect(csvField('a;b', ';')).toBe('"a;b"');
  });
  it('one CRLF-terminated record per evaluation, fields in header order', () => {
    const [e] = run('restricted-ssh', [sg('sg-open', 22)]);
    const text = toCsv([{ ...e!, annotation: 'port 22, "SSH"\nopen' }]);
    const records = text.split('\r\n');
    expect(records).toHaveLength(3);
    expect(records[2]).toBe('');
    expect(records[1]).toBe(
      'restricted-ssh,INCOMING_SSH_DISABLED,NON_COMPLIANT,HIGH,AWS::EC2::SecurityGroup,sg-open,,' +
        'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-open,111122223333,eu-west-1,' +
        `"port 22, ""SSH""\nopen",,,${e!.orderingTimestamp}`,
    );
  });
  it('--delimiter ; as Prowler writes it', async () => {
    const r = await vigil(['audit', '--snapshot', snap, '--rules', 'restricted-ssh', '-f', 'csv', '--delimiter', ';']);
    const rows = r.stdout.split('\r\n');
    expect(rows[0]!.split(';')).toHaveLength(14);
    expect(rows.find((l) => l.startsWith('restricted-ssh;INCOMING_SSH_DISABLED;COMPLIANT;'))).toContain(';sg-ok;');
  });
});

describe('HTML report', () => {
  it('escapes every character that could open markup', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('is self-contained, escapes a resource id holding <script>, and shows per-pack and overall scores', async () => {
    const r = await vigil(['audit', '--snapshot', snap, '-f', 'html', '--pack', 'cis-aws-4.0.1']);
    expect(r.code).toBe(0);
    const html = r.stdout;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;');
    // No external reference of any kind: no URLs in src/href, no @import, and a CSP that forbids fetching.
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    // CIS selects restricted-ssh (5.3/5.4) and iam-password-policy (1.8) among others: the score is
    // compliant / (compliant + non_compliant) over the pack's evaluations.
    const json = JSON.parse(
      (await vigil(['audit', '--snapshot', snap, '-f', 'jsonl', '--pack', 'cis-aws-4.0.1'])).stdout
        .trim()
        .split('\n')
        .map((l) => l)
        .join(',')
        .replace(/^/, '[')
        .replace(/$/, ']'),
    ) as { complianceType: string }[];
    const c = json.filter((e) => e.complianceType === 'COMPLIANT').length;
    const n = json.filter((e) => e.complianceType === 'NON_COMPLIANT').length;
    expect(n).toBeGreaterThan(0);
    const want = `${(Math.round((c / (c + n)) * 1000) / 10).toFixed(1)}%`;
    expect(html).toContain(`<b id="overall-score">${want}</b>`);
    expect(html).toMatch(
      new RegExp(
        `<tr data-pack="cis-aws-4\\.0\\.1"><td>cis-aws-4\\.0\\.1</td><td>[^<]*</td><td class="num score">${want.replace('.', '\\.')}</td>`,
      ),
    );
    // Per-rule rows (a pack's parameterised use is its own ConfigRuleName) and annotated resources.
    expect(html).toContain(
      '<tr><td>cis-aws-4.0.1-5.3-restricted-common-ports</td><td class="id">RESTRICTED_INCOMING_TRAFFIC</td><td class="HIGH">HIGH</td><td class="NON_COMPLIANT">NON_COMPLIANT</td><td class="num">33.3%</td><td class="num">1</td><td class="num">2</td>',
    );
    expect(html).toContain(
      '<td class="id">sg-open</td><td>111122223333</td><td>eu-west-1</td><td>ingress tcp port 22 from 0.0.0.0/0 includes blocked port 22</td>',
    );
    // A rule whose only results are INSUFFICIENT_DATA has that rule-level status (AWS's), not NOT_APPLICABLE.
    expect(html).toContain(
      '<td>securityhub-enabled</td><td class="id">SECURITYHUB_ENABLED</td><td class="MEDIUM">MEDIUM</td><td class="INSUFFICIENT_DATA">INSUFFICIENT_DATA</td>',
    );
  });

  it('without --pack: the overall score, and each built-in pack scored from those of its rules that ran', async () => {
    const r = await vigil(['audit', '--snapshot', snap, '-f', 'html', '--rules', 'restricted-ssh']);
    // 1 compliant of 3 decided: 33.3%. CIS uses restricted-ssh only with parameters (its own ConfigRuleName).
    expect(r.stdout).toContain('<b id="overall-score">33.3%</b>');
    expect(r.stdout).toContain('<p class="muted">No pack was evaluated.</p>');
    const all = await vigil(['audit', '--snapshot', snap, '-f', 'html']);
    expect(all.stdout).toMatch(/<tr data-pack="cis-aws-4\.0\.1">.*<td>\d+ \/ \d+<\/td><\/tr>/);
  });
});

describe('HTML report rendering (library)', () => {
  it('caps resource rows (failures first) with exact counts kept; pack and control text escaped', () => {
    const evs = run('restricted-ssh', [sg('sg-a', 22), sg('sg-b', undefined), sg('sg-c', 22)]);
    const html = renderHtmlReport({
      title: 'T <x>',
      generatedAt: '2026-11-01T00:00:00.000Z',
      version: '1.0.0',
      sources: ['a&b.json'],
      evaluations: evs,
      overall: tally(evs),
      packs: [
        {
          pack: 'p<1>',
          title: 'Pack "one"',
          rules: 2,
          rulesEvaluated: 1,
          ...tally(evs),
          controls: [{ id: 'c1', title: '<b>bold</b>', status: 'NON_COMPLIANT', nonCompliant: 2 }],
        },
      ],
      rules: ruleRows(evs),
      maxRows: 2,
    });
    expect(html).toContain('<title>T &lt;x&gt;</title>');
    expect(html).toContain('from a&amp;b.json.');
    expect(html).toContain('<b id="overall-score">33.3%</b>');
    expect(html).toContain('<tr data-pack="p&lt;1&gt;"><td>p&lt;1&gt;</td><td>Pack &quot;one&quot;</td>');
    expect(html).toContain('<td>&lt;b&gt;bold&lt;/b&gt;</td>');
    expect(html).toContain('Showing the first 2 of 3 evaluations (failures first)');
    expect(html.match(/<tr><td class="(NON_COMPLIANT|COMPLIANT)">/g)).toHaveLength(2);
    expect(html).toContain('<b id="total">3</b>');
  });
});
