import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALL_RULES } from '../../src/posture/rules/index.js';
import { vigil } from './cli-harness.js';
import { account, ci } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-posture-cli-'));
const snap = join(dir, 'snap.json');
writeFileSync(
  snap,
  JSON.stringify({
    vigilSnapshot: 1,
    collectedAt: '2026-11-01T00:00:00.000Z',
    collectedTypes: ['AWS::EC2::SecurityGroup', 'AWS::::Account', 'AWS::S3::Bucket'],
    errors: [],
    configurationItems: [
      ci('AWS::EC2::SecurityGroup', 'sg-open', {
        configuration: {
          groupName: 'open',
          ipPermissions: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] }],
        },
      }),
      ci('AWS::EC2::SecurityGroup', 'sg-ok', { configuration: { groupName: 'ok', ipPermissions: [] } }),
      ci('AWS::S3::Bucket', 'logs', {
        supplementaryConfiguration: { BucketVersioningConfiguration: { status: 'Off' } },
      }),
      account({ passwordPolicy: null }),
    ],
  }),
);
const bad = join(dir, 'bad.jsonl');
writeFileSync(bad, '{"messageType":"ConfigurationItemChangeNotification"}\nnot json\n');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('vigil posture scan', () => {
  it('json: evaluations with configRuleName, resourceType, resourceId, complianceType, annotation, severity', async () => {
    const r = await vigil([
      'posture',
      'scan',
      snap,
      '--rules',
      'restricted-ssh,INCOMING_SSH_DISABLED',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.byCompliance).toMatchObject({ NON_COMPLIANT: 1, COMPLIANT: 1 });
    expect(doc.evaluations[0]).toMatchObject({
      configRuleName: 'restricted-ssh',
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-open',
      complianceType: 'NON_COMPLIANT',
      annotation: 'ingress tcp port 22 from 0.0.0.0/0 includes SSH port 22',
      severity: 'HIGH',
    });
  });
  it('--fail-on gates on severity: HIGH fails, CRITICAL passes', async () => {
    expect((await vigil(['posture', 'scan', snap, '--rules', 'restricted-ssh', '--fail-on', 'high'])).code).toBe(1);
    expect((await vigil(['posture', 'scan', snap, '--rules', 'restricted-ssh', '--fail-on', 'CRITICAL'])).code).toBe(0);
  });
  it('table output with summary; --status filters the rows only', async () => {
    const r = await vigil(['posture', 'scan', snap, '--status', 'NON_COMPLIANT']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /NON_COMPLIANT\s+MEDIUM\s+iam-password-policy\s+AWS::::Account\s+111122223333\s+the account has no password policy/,
    );
    expect(r.stdout).not.toMatch(/^COMPLIANT/m);
    expect(r.stdout).toContain(`${ALL_RULES.length} rules, `);
  });
  it('--param overrides a rule parameter', async () => {
    const r = await vigil([
      'posture',
      'scan',
      snap,
      '--rules',
      'restricted-common-ports',
      '--param',
      'restricted-common-ports:blockedPort1=22',
      '-f',
      'jsonl',
    ]);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((e) => e.resourceId === 'sg-open').annotation).toMatch(/blocked port 22/);
  });
  it('bad input files are reported with file and line; evaluation continues', async () => {
    const r = await vigil(['posture', 'scan', bad, snap, '--rules', 'restricted-ssh', '-f', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`vigil: ${bad}:1: change notification without configurationItem`);
    expect(r.stderr).toContain(`vigil: ${bad}:2: invalid JSON`);
    expect(JSON.parse(r.stdout).evaluations).toHaveLength(2);
  });
  it('usage errors exit 2 with one clear line', async () => {
    expect((await vigil(['posture', 'scan', snap, '--rules', 'nope'])).stderr).toBe(
      'vigil: unknown rule "nope" (see vigil posture rules)\n',
    );
    expect((await vigil(['posture', 'scan', snap, '--fail-on', 'urgent'])).code).toBe(2);
    expect((await vigil(['posture', 'scan'])).stderr).toMatch(/exactly one of them/);
    const p = await vigil([
      'posture',
      'scan',
      snap,
      '--rules',
      'access-keys-rotated',
      '--param',
      'access-keys-rotated:maxAccessKeyAge=abc',
    ]);
    expect(p.code).toBe(2);
    expect(p.stderr).toBe('vigil: access-keys-rotated: parameter maxAccessKeyAge must be an integer, got "abc"\n');
  });
  it('--pack cis-aws-4.0.1 adds per-control results and a score; conformance-pack files accepted', async () => {
    const r = await vigil(['posture', 'scan', snap, '--pack', 'cis-aws-4.0.1', '-f', 'json']);
    const doc = JSON.parse(r.stdout);
    const c53 = doc.packs[0].controls.find((c: { id: string }) => c.id === '5.3');
    expect(c53).toMatchObject({ status: 'NON_COMPLIANT', nonCompliant: 1 });
    expect(doc.packs[0].controls.find((c: { id: string }) => c.id === '1.8').status).toBe('NON_COMPLIANT');
    const t = await vigil(['posture', 'scan', snap, '--pack', 'cis-aws-4.0.1']);
    expect(t.stdout).toMatch(/cis-aws-4\.0\.1: score \d+(\.\d)?%/);
    const cp = join(dir, 'pack.yaml');
    writeFileSync(
      cp,
      'Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: ssh\n      Source: { Owner: AWS, SourceIdentifier: INCOMING_SSH_DISABLED }\n',
    );
    const y = await vigil(['posture', 'scan', snap, '--pack', cp, '-f', 'json', '--fail-on', 'HIGH']);
    expect(y.code).toBe(1);
    expect(JSON.parse(y.stdout).evaluations.map((e: { configRuleName: string }) => e.configRuleName)).toEqual([
      'ssh',
      'ssh',
    ]);
    expect((await vigil(['posture', 'scan', snap, '--pack', 'nope'])).stderr).toMatch(
      /no built-in pack or file named "nope"/,
    );
  });

  it('--format ocsf prints one Compliance Finding per line; asff a JSON array', async () => {
    const r = await vigil(['posture', 'scan', snap, '--rules', 'restricted-ssh', '-f', 'ocsf']);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.class_uid, l.compliance.status])).toEqual([
      [2003, 'Fail'],
      [2003, 'Pass'],
    ]);
    const a = JSON.parse((await vigil(['posture', 'scan', snap, '--rules', 'restricted-ssh', '-f', 'asff'])).stdout);
    expect(a.map((x: { Compliance: { Status: string } }) => x.Compliance.Status)).toEqual(['FAILED', 'PASSED']);
  });

  it('--suppressions and --baseline flag evaluations and stop them gating', async () => {
    const sup = join(dir, 'sup.yaml');
    writeFileSync(sup, 'suppressions:\n  - rule: restricted-ssh\n    resource: sg-open\n    reason: jump host\n');
    const r = await vigil([
      'posture',
      'scan',
      snap,
      '--rules',
      'restricted-ssh',
      '--suppressions',
      sup,
      '--fail-on',
      'LOW',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NON_COMPLIANT \(suppressed\)\s+HIGH\s+restricted-ssh/);
    const base = join(dir, 'baseline.json');
    expect(
      (
        await vigil([
          'posture',
          'scan',
          snap,
          '--rules',
          'restricted-ssh',
          '--create-baseline',
          base,
          '--fail-on',
          'LOW',
        ])
      ).code,
    ).toBe(1);
    const b = await vigil([
      'posture',
      'scan',
      snap,
      '--rules',
      'restricted-ssh',
      '--baseline',
      base,
      '--fail-on',
      'LOW',
      '-f',
      'json',
    ]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout).evaluations[0]).toMatchObject({ resourceId: 'sg-open', baseline: true });
    writeFileSync(sup, 'suppressions:\n  - rule: restricted-ssh\n');
    expect((await vigil(['posture', 'scan', snap, '--suppressions', sup])).stderr).toMatch(
      /suppressions\[0\]: "reason" is required/,
    );
  });

  it('posture rules lists the catalogue', async () => {
    const r = await vigil(['posture', 'rules', '-f', 'json']);
    const metas = JSON.parse(r.stdout);
    expect(metas).toHaveLength(ALL_RULES.length);
    expect(metas.find((m: { name: string }) => m.name === 'restricted-ssh').identifier).toBe('INCOMING_SSH_DISABLED');
  });
});
