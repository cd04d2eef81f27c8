import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/posture/engine.js';
import { emptyCi } from '../../src/posture/model.js';
import { ALL_RULES } from '../../src/posture/rules/index.js';

/**
 * Issue 6 §4: unknown data gives INSUFFICIENT_DATA, never a crash or a false COMPLIANT. Every rule runs on a bare
 * configuration item of each type it evaluates (configuration and supplementary configuration empty, coverage
 * known so "none found" is a real answer): none may throw out of the engine, and none may say COMPLIANT. KNOWN_GAPS
 * lists exceptions being fixed (empty: the 13 gaps this test found are fixed).
 */
const KNOWN_GAPS = new Set<string>([]);

/** Rules that read a wrong-typed field (e.g. `ipPermissions: "nope"`) as empty; reported to the rules' owner. */
const KNOWN_WRONG_TYPE_GAPS = new Set([
  'ec2-instance-no-public-ip AWS::EC2::Instance',
  'restricted-common-ports AWS::EC2::SecurityGroup',
  'restricted-ssh AWS::EC2::SecurityGroup',
  'vpc-sg-open-only-to-authorized-ports AWS::EC2::SecurityGroup',
  'ec2-volume-inuse-check AWS::EC2::Volume',
]);

describe('missing fields never give a false COMPLIANT', () => {
  const types = [...new Set(ALL_RULES.flatMap((r) => r.meta.resourceTypes))];
  const items = types.map((t) =>
    emptyCi({ resourceType: t, resourceId: t === 'AWS::::Account' ? '123456789012' : `bare-${t}` }),
  );
  const res = evaluate(
    { items, collectedTypes: new Set(types) },
    ALL_RULES.map((rule) => ({ rule })),
    { now: Date.parse('2026-11-01T00:00:00Z') },
  );

  it('every rule evaluates every bare item of its types', () => {
    expect(res.errors).toEqual([]);
    const expected = ALL_RULES.reduce((n, r) => n + r.meta.resourceTypes.length, 0);
    expect(res.evaluations).toHaveLength(expected);
  });

  it('no COMPLIANT outside the known gaps; every verdict says why', () => {
    const offenders = res.evaluations
      .filter((e) => e.complianceType === 'COMPLIANT')
      .map((e) => `${e.configRuleName} ${e.resourceType}`)
      .filter((k) => !KNOWN_GAPS.has(k));
    expect(offenders).toEqual([]);
    for (const e of res.evaluations) expect(e.annotation.length, e.configRuleName).toBeGreaterThan(0);
  });

  it('a field of the wrong type is never a crash, and is not read as "nothing there" (COMPLIANT)', () => {
    const odd = types.map((t) =>
      emptyCi({
        resourceType: t,
        resourceId: t === 'AWS::::Account' ? '123456789012' : `odd-${t}`,
        configuration: { ipPermissions: 'nope', attachments: 7, userPolicyList: {}, tags: 3, encrypted: 'maybe' },
        supplementaryConfiguration: { BucketPolicy: { policyText: 42 }, AccessKeys: 'x', KeyRotationStatus: 'yes' },
      }),
    );
    const r = evaluate(
      { items: odd, collectedTypes: new Set(types) },
      ALL_RULES.map((rule) => ({ rule })),
      { now: Date.parse('2026-11-01T00:00:00Z') },
    );
    expect(r.evaluations.length).toBeGreaterThan(0);
    for (const e of r.evaluations)
      expect(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']).toContain(e.complianceType);
    const offenders = r.evaluations
      .filter((e) => e.complianceType === 'COMPLIANT' && e.resourceType !== 'AWS::::Account')
      .map((e) => `${e.configRuleName} ${e.resourceType}`)
      .filter((k) => !KNOWN_WRONG_TYPE_GAPS.has(k));
    expect(offenders).toEqual([]);
  });
});
