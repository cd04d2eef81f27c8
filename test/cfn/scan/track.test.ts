import { describe, expect, it } from 'vitest';
import { unknown } from '../../../src/cfn/model.js';
import { segments, settle, Tracker } from '../../../src/cfn/scan/track.js';
import { emptyCi } from '../../../src/posture/model.js';
import { compliant, insufficient, nonCompliant, notApplicable } from '../../../src/posture/rule.js';

const U = unknown('parameter P has no value', { Ref: 'P' });

function ciWith(configuration: Record<string, unknown>) {
  return emptyCi({ resourceType: 'AWS::EC2::SecurityGroup', resourceId: 'sg', configuration });
}

describe('Unknown read tracking', () => {
  it('records the path of every Unknown a reader touches, nested and in arrays', () => {
    const ci = ciWith({ a: { b: U }, list: [{ x: 1 }, { x: U }] });
    const tr = new Tracker();
    const w = tr.wrap(ci, '');
    expect((w.configuration.a as Record<string, unknown>).b).toBe(U);
    (w.configuration.list as { x: unknown }[]).map((e) => e.x);
    expect(tr.reads.map((r) => r.path)).toEqual(['configuration.a.b', 'configuration.list.1.x']);
    expect(Array.isArray(w.configuration.list)).toBe(true);
  });

  it('the view is read-only and plain() strips proxies', () => {
    const ci = ciWith({ a: { b: 1 } });
    const tr = new Tracker();
    const w = tr.wrap(ci, '');
    expect(() => {
      (w.configuration as Record<string, unknown>).z = 1;
    }).toThrow();
    const copy = tr.plain(w.configuration) as Record<string, unknown>;
    expect(copy).toEqual({ a: { b: 1 } });
    expect(ci.configuration).toEqual({ a: { b: 1 } });
  });

  it('segments parses dotted, indexed and keyed evidence paths', () => {
    expect(segments('configuration.ipPermissions[2]')).toEqual(['configuration', 'ipPermissions', '2']);
    expect(segments('supplementaryConfiguration.LoadBalancerAttributes[key=access_logs.s3.enabled].value')).toEqual([
      'supplementaryConfiguration',
      'LoadBalancerAttributes',
      'key=access_logs.s3.enabled',
      'value',
    ]);
  });
});

describe('settle: never a false COMPLIANT', () => {
  const ci = ciWith({ ipPermissions: [{ cidr: U }, { cidr: '0.0.0.0/0' }] });
  const reads = [{ path: 'configuration.ipPermissions.0.cidr', unknown: U }];

  it('COMPLIANT or NOT_APPLICABLE after an Unknown read → INSUFFICIENT_DATA with the reason', () => {
    for (const d of [compliant('fine'), notApplicable('n/a')]) {
      const s = settle(d, reads, ci);
      expect(s.decision.compliance).toBe('INSUFFICIENT_DATA');
      expect(s.decision.annotation).toMatch(
        /^ipPermissions\.0\.cidr is only known at deploy time \(parameter P has no value\)/,
      );
    }
  });

  it('NON_COMPLIANT on known evidence stays; on unknown evidence it does not', () => {
    const known = nonCompliant('open', { path: 'configuration.ipPermissions[1]', value: { cidr: '0.0.0.0/0' } });
    expect(settle(known, reads, ci).decision).toBe(known);
    const under = nonCompliant('open', { path: 'configuration.ipPermissions[0]', value: 'x' });
    expect(settle(under, reads, ci).decision.compliance).toBe('INSUFFICIENT_DATA');
    const noEvidence = nonCompliant('open');
    expect(settle(noEvidence, reads, ci).decision.compliance).toBe('INSUFFICIENT_DATA');
  });

  it('decisions without Unknown reads, and INSUFFICIENT_DATA, are unchanged', () => {
    const d = compliant('fine');
    expect(settle(d, [], ci).decision).toBe(d);
    const i = insufficient('not recorded');
    expect(settle(i, reads, ci).decision).toBe(i);
  });
});
