import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDetectorDocs } from '../../src/detect/catalogue.js';
import { ALL_DETECTORS, allFindingTypes } from '../../src/detect/detectors/index.js';

describe('detector metadata and catalogue', () => {
  it('docs/detectors.md is current (regenerate with: npx tsx scripts/gen-detector-docs.ts)', () => {
    expect(readFileSync(resolve(import.meta.dirname, '../../docs/detectors.md'), 'utf8')).toBe(renderDetectorDocs());
  });

  it('at least 40 finding types, unique kebab-case ids, complete metadata', () => {
    expect(allFindingTypes().length).toBeGreaterThanOrEqual(40);
    const ids = ALL_DETECTORS.map((d) => d.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of ALL_DETECTORS) {
      expect(d.meta.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(d.meta.trigger.length).toBeGreaterThan(20);
      expect(d.meta.dataSources.length).toBeGreaterThan(0);
      for (const p of Object.values(d.meta.params)) expect(p.description.length).toBeGreaterThan(5);
      for (const f of d.meta.findings) {
        // GuardDuty grammar: ThreatPurpose:ResourceTypeAffected/ThreatFamilyName[.Mechanism][!Artifact]
        expect(f.type).toMatch(/^[A-Za-z]+:[A-Za-z0-9]+\/[A-Za-z0-9&_.]+(![A-Z]+)?$/);
        expect(f.severity).toBeGreaterThanOrEqual(1);
        expect(f.severity).toBeLessThan(9); // Critical is reserved for AttackSequence findings
        expect(f.mitre.technique).toMatch(/^T\d{4}(\.\d{3})?$/);
      }
    }
  });

  it('GuardDuty default severities for well-known types (guardduty.md §3)', () => {
    const sev = new Map(ALL_DETECTORS.flatMap((d) => d.meta.findings.map((f) => [f.type, f.severity] as const)));
    expect(sev.get('Recon:EC2/Portscan')).toBe(5);
    expect(sev.get('Impact:EC2/PortSweep')).toBe(8);
    expect(sev.get('Stealth:IAMUser/CloudTrailLoggingDisabled')).toBe(2);
    expect(sev.get('Policy:IAMUser/RootCredentialUsage')).toBe(2);
    expect(sev.get('PenTest:IAMUser/KaliLinux')).toBe(5);
    expect(sev.get('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS')).toBe(8);
    expect(sev.get('Trojan:EC2/DNSDataExfiltration')).toBe(8);
    expect(sev.get('Discovery:S3/TorIPCaller')).toBe(5);
    expect(sev.get('Policy:S3/BucketAnonymousAccessGranted')).toBe(8);
    expect(sev.get('Discovery:IAMUser/AnomalousBehavior')).toBe(2);
    expect(sev.get('Impact:IAMUser/AnomalousBehavior')).toBe(8);
  });
});

describe('detect config section (vigil.yaml detect:)', () => {
  it('accepts catalogue parameters and rejects unknown detectors, parameters and wrong types with their path', async () => {
    const { detectConfigSchema } = await import('../../src/detect/config.js');
    const ok = detectConfigSchema.parse({ detectors: { 'ec2-brute-force': { minAttempts: 30 } }, failOn: 'high' });
    expect(ok.detectors['ec2-brute-force']).toEqual({ minAttempts: 30 });
    expect(ok.lateness).toBe('1h');
    const bad = detectConfigSchema.safeParse({
      detectors: { 'no-such': {}, 'ec2-brute-force': { minAttemptz: 3, windowMinutes: 'ten' } },
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual([
      'detectors.no-such: unknown detector "no-such" (see docs/detectors.md)',
      'detectors.ec2-brute-force.minAttemptz: detector ec2-brute-force has no parameter "minAttemptz"',
      'detectors.ec2-brute-force.windowMinutes: must be a number',
    ]);
  });
});
