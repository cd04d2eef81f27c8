import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writePostureDemo } from '../../src/cli/commands/posture.js';
import { vigil } from './cli-harness.js';

/** The bundled AWS Config snapshot (scripts/examples/config-snapshot.ts) audited as vigil audit and vigil demo do. */
const SNAPSHOT = resolve(import.meta.dirname, '../../examples/config-snapshot.json');

afterEach(() => {
  vi.restoreAllMocks();
});

interface Ev {
  configRuleName: string;
  resourceId: string;
  complianceType: string;
  annotation: string;
}

describe('examples/config-snapshot.json', () => {
  it('reads cleanly and has compliant and non-compliant resources with the planted decisions', async () => {
    const r = await vigil(['audit', '--snapshot', SNAPSHOT, '-f', 'json', '--fail-on', 'CRITICAL']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/not evaluated|configurationItems\[/);
    const list = JSON.parse(r.stdout) as Ev[];
    const of = (rule: string, id: string) => list.find((e) => e.configRuleName === rule && e.resourceId === id);
    expect(of('restricted-ssh', 'sg-0b2c3d4e5f6071829')).toMatchObject({
      complianceType: 'NON_COMPLIANT',
      annotation: 'ingress tcp port 22 from 0.0.0.0/0 includes SSH port 22',
    });
    expect(of('restricted-ssh', 'sg-0a1b2c3d4e5f60718')?.complianceType).toBe('COMPLIANT');
    expect(of('s3-bucket-public-read-prohibited', 'example-shop-public-uploads')).toMatchObject({
      complianceType: 'NON_COMPLIANT',
      annotation: 'ACL grants read to AllUsers',
    });
    expect(of('s3-bucket-ssl-requests-only', 'example-shop-assets')?.complianceType).toBe('COMPLIANT');
    expect(of('eip-attached', 'eipalloc-0f1e2d3c4b5a69788')?.complianceType).toBe('NON_COMPLIANT');
    expect(of('dynamodb-pitr-enabled', 'sessions')?.complianceType).toBe('NON_COMPLIANT');
    expect(of('dynamodb-pitr-enabled', 'orders')?.complianceType).toBe('COMPLIANT');
    expect(of('multi-region-cloudtrail-enabled', '111122223333')?.complianceType).toBe('COMPLIANT');
    // An AWS Config snapshot carries no account-level facts: those rules say so instead of guessing.
    expect(of('iam-password-policy', '111122223333')?.complianceType).toBe('INSUFFICIENT_DATA');
    const count = (t: string) => list.filter((e) => e.complianceType === t).length;
    expect(count('COMPLIANT')).toBeGreaterThan(20);
    expect(count('NON_COMPLIANT')).toBeGreaterThan(20);
  });

  it('vigil demo prints the failures, the counts and the pack score', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out += String(s);
      return true;
    });
    await writePostureDemo(SNAPSHOT);
    vi.restoreAllMocks();
    expect(out).toContain('on the example Config snapshot (19 resources)');
    expect(out).toMatch(/HIGH\s+restricted-ssh\s+AWS::EC2::SecurityGroup\s+bastion\s+ingress tcp port 22/);
    expect(out).not.toMatch(/^COMPLIANT/m);
    expect(out).toMatch(
      /^\d+ NON_COMPLIANT, \d+ COMPLIANT, \d+ INSUFFICIENT_DATA, \d+ NOT_APPLICABLE; score \d+(\.\d)?%$/m,
    );
    expect(out).toMatch(/^cis-aws-4\.0\.1: score \d+(\.\d)?% over the \d+ of its \d+ rules that ran$/m);
  });
});
