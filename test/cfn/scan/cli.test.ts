import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerIac } from '../../../src/cli/commands/iac.js';
import { registerSecrets } from '../../../src/cli/commands/secrets.js';
import { vigilWith } from '../../helpers/cli-inprocess.js';

/** In-process run of the iac / secrets commands, mirroring src/cli/main.ts's error handling. */
const vigil = (args: string[]) =>
  vigilWith((program) => {
    registerIac(program);
    registerSecrets(program);
  }, args);

function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-iac-'));
  mkdirSync(join(dir, 'stacks'));
  writeFileSync(
    join(dir, 'stacks', 'net.yaml'),
    `Parameters:\n  Cidr: {Type: String}\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Cidr}\n`,
  );
  writeFileSync(join(dir, 'stacks', 'broken.yaml'), 'Resources:\n  Bad: {Type: AWS::S3::Bucket\n');
  writeFileSync(join(dir, 'stacks', 'ci.yml'), 'jobs:\n  build: {runs-on: ubuntu-latest}\n');
  return dir;
}

describe('vigil iac scan', () => {
  it('exit 0 without --fail-on; unknown parameter → INSUFFICIENT_DATA; --parameter decides; --fail-on gates (exit 1)', async () => {
    const dir = fixture();
    const net = join(dir, 'stacks', 'net.yaml');
    const a = await vigil(['iac', 'scan', net, '--rules', 'restricted-ssh', '-f', 'json']);
    expect(a.code).toBe(0);
    const doc = JSON.parse(a.stdout);
    expect(doc.templates[0].findings.map((f: { complianceType: string }) => f.complianceType)).toEqual([
      'INSUFFICIENT_DATA',
    ]);
    const b = await vigil([
      'iac',
      'scan',
      net,
      '--rules',
      'restricted-ssh',
      '--parameter',
      'Cidr=0.0.0.0/0',
      '--fail-on',
      'HIGH',
    ]);
    expect(b.code).toBe(1);
    expect(b.stdout).toMatch(/FAIL\s+HIGH\s+restricted-ssh\s+Sg\s+\S+net\.yaml:9:/);
    const c = await vigil([
      'iac',
      'scan',
      net,
      '--rules',
      'restricted-ssh',
      '--parameter',
      'Cidr=10.0.0.0/8',
      '--fail-on',
      'LOW',
    ]);
    expect(c.code).toBe(0);
  });

  it('a broken template is a located error (exit 2) and the others are still scanned; non-templates are skipped', async () => {
    const dir = fixture();
    const r = await vigil(['iac', 'scan', join(dir, 'stacks'), '-f', 'sarif', '-o', join(dir, 'out.sarif')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml:3:1: yaml-syntax: Flow map/);
    const sarif = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8'));
    const files = new Set(
      sarif.runs[0].results.map((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        x.locations[0]!.physicalLocation.artifactLocation.uri.split('/').pop(),
      ),
    );
    expect([...files].sort()).toEqual(['broken.yaml', 'net.yaml']);
  });

  it('junit output and usage errors', async () => {
    const dir = fixture();
    const j = await vigil(['iac', 'scan', join(dir, 'stacks', 'net.yaml'), '-f', 'junit']);
    expect(j.stdout).toMatch(/^<\?xml/);
    expect(j.stdout).toContain('<testsuite name=');
    expect((await vigil(['iac', 'scan', dir, '-f', 'csv'])).code).toBe(2);
    expect((await vigil(['iac', 'scan', dir, '--fail-on', 'SEVERE'])).code).toBe(2);
    expect((await vigil(['iac', 'scan', dir, '--pack', 'nope'])).code).toBe(2);
  });
});

describe('vigil secrets scan', () => {
  it('reports masked, located secrets and exits 1; clean trees exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sec-'));
    writeFileSync(join(dir, 'deploy.sh'), 'export AWS_ACCESS_KEY_ID=AKIA2E3FK5LMNOPQRSTU\n');
    const r = await vigil(['secrets', 'scan', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/deploy\.sh:1:26/);
    expect(r.stdout).not.toContain('AKIA2E3FK5LMNOPQRSTU');
    const clean = mkdtempSync(join(tmpdir(), 'vigil-sec-'));
    writeFileSync(join(clean, 'a.txt'), 'nothing here\n');
    expect((await vigil(['secrets', 'scan', clean, '-f', 'json'])).code).toBe(0);
  });
});
