import { describe, expect, it } from 'vitest';
import { evaluate, ruleCompliance } from '../../src/posture/engine.js';
import { defineRule } from '../../src/posture/rule.js';
import { ALL_RULES, findRule } from '../../src/posture/rules/index.js';
import { ci, NOW } from './helpers.js';

describe('rule catalogue invariants', () => {
  it('names and identifiers are unique; AWS identifier exceptions kept (config-rules.md §3)', () => {
    const names = ALL_RULES.map((r) => r.meta.name);
    expect(new Set(names).size).toBe(names.length);
    expect(findRule('restricted-ssh')!.meta.identifier).toBe('INCOMING_SSH_DISABLED');
    expect(findRule('RESTRICTED_INCOMING_TRAFFIC')!.meta.name).toBe('restricted-common-ports');
    expect(findRule('cloudtrail-enabled')!.meta.identifier).toBe('CLOUD_TRAIL_ENABLED');
    expect(findRule('multi-region-cloudtrail-enabled')!.meta.identifier).toBe('MULTI_REGION_CLOUD_TRAIL_ENABLED');
    expect(findRule('s3-bucket-versioning-enabled')!.meta.identifier).toBe('S3_BUCKET_VERSIONING_ENABLED');
  });
  it('every rule has complete metadata; defaults as in AWS', () => {
    for (const r of ALL_RULES) {
      const m = r.meta;
      expect(m.name).toMatch(/^[a-z0-9-]+$/);
      expect(m.resourceTypes.length).toBeGreaterThan(0);
      for (const t of m.resourceTypes) expect(t).toMatch(/^AWS::/);
      for (const k of ['title', 'description', 'risk', 'remediation'] as const) expect(m[k].length).toBeGreaterThan(10);
      expect(m.title.startsWith('Ensure')).toBe(false);
    }
    const defaults = (n: string) =>
      Object.fromEntries(
        findRule(n)!
          .meta.parameters.filter((p) => p.default)
          .map((p) => [p.name, p.default]),
      );
    expect(defaults('restricted-common-ports')).toEqual({
      blockedPort1: '20',
      blockedPort2: '21',
      blockedPort3: '3389',
      blockedPort4: '3306',
      blockedPort5: '4333',
    });
    expect(defaults('iam-password-policy')).toMatchObject({
      MinimumPasswordLength: '14',
      PasswordReusePrevention: '24',
      MaxPasswordAge: '90',
    });
    expect(defaults('access-keys-rotated')).toEqual({ maxAccessKeyAge: '90' });
    expect(defaults('iam-user-unused-credentials-check')).toEqual({ maxCredentialUsageAge: '90' });
    expect(defaults('required-tags')).toEqual({ tag1Key: 'CostCenter' });
  });
});

describe('engine', () => {
  it('a rule that throws yields INSUFFICIENT_DATA for that resource and evaluation continues', () => {
    const boom = defineRule(
      {
        name: 'boom',
        resourceTypes: ['AWS::EC2::VPC'],
        severity: 'LOW',
        title: 't',
        description: 'd',
        risk: 'r',
        remediation: 'x',
      },
      (c) => {
        if (c.resourceId === 'vpc-bad') throw new Error('odd data');
        return { compliance: 'COMPLIANT', annotation: 'ok', evidence: [] };
      },
    );
    const { evaluations } = evaluate(
      { items: [ci('AWS::EC2::VPC', 'vpc-bad'), ci('AWS::EC2::VPC', 'vpc-ok')] },
      [{ rule: boom }],
      { now: NOW },
    );
    expect(evaluations.map((e) => [e.resourceId, e.complianceType, e.annotation])).toEqual([
      ['vpc-bad', 'INSUFFICIENT_DATA', 'could not evaluate: odd data'],
      ['vpc-ok', 'COMPLIANT', 'ok'],
    ]);
    expect(evaluations[0]!.orderingTimestamp).toBe(new Date(NOW).toISOString());
  });
  it('annotations are clipped to 256 characters; configRuleName can be renamed by a pack', () => {
    const long = defineRule(
      {
        name: 'long',
        resourceTypes: ['AWS::EC2::VPC'],
        severity: 'LOW',
        title: 't',
        description: 'd',
        risk: 'r',
        remediation: 'x',
      },
      () => ({ compliance: 'NON_COMPLIANT', annotation: 'x'.repeat(400), evidence: [] }),
    );
    const { evaluations } = evaluate(
      { items: [ci('AWS::EC2::VPC', 'v')] },
      [{ rule: long, configRuleName: 'my-long' }],
      { now: NOW },
    );
    expect(evaluations[0]!.annotation.length).toBe(256);
    expect(evaluations[0]!.configRuleName).toBe('my-long');
    expect(ruleCompliance(evaluations)).toBe('NON_COMPLIANT');
  });
  it('parameter errors skip the rule and are reported', () => {
    const r = evaluate({ items: [] }, [{ rule: findRule('access-keys-rotated')!, params: { maxAccessKeyAge: 'x' } }]);
    expect(r.errors).toEqual(['access-keys-rotated: parameter maxAccessKeyAge must be an integer, got "x"']);
  });
});
