import { describe, expect, it } from 'vitest';
import { PatternIndex } from './compiled.js';
import { explain } from './explain.js';

const guardDuty = {
  version: '0',
  source: 'aws.guardduty',
  'detail-type': 'GuardDuty Finding',
  region: 'us-east-1',
  resources: [],
  detail: {
    severity: 8.2,
    type: 'UnauthorizedAccess:EC2/SSHBruteForce',
    service: { action: { networkConnectionAction: { remoteIpDetails: { ipAddressV4: '198.51.100.7' } } } },
  },
};

describe('explain', () => {
  it('for a match, lists each field with the operator and the value that satisfied it', () => {
    const e = explain(
      {
        source: ['aws.guardduty'],
        detail: {
          severity: [{ numeric: ['>=', 7] }],
          type: [{ prefix: 'UnauthorizedAccess:' }],
          service: {
            action: { networkConnectionAction: { remoteIpDetails: { ipAddressV4: [{ cidr: '198.51.100.0/24' }] } } },
          },
        },
        region: [{ 'anything-but': ['eu-west-1'] }],
        'replay-name': [{ exists: false }],
      },
      guardDuty,
    );
    expect(e.matched).toBe(true);
    expect(e.branch).toBe(0);
    expect(e.fields).toEqual([
      {
        path: 'detail.service.action.networkConnectionAction.remoteIpDetails.ipAddressV4',
        operator: 'cidr',
        expected: '{"cidr":"198.51.100.0/24"}',
        value: '198.51.100.7',
      },
      { path: 'detail.severity', operator: 'numeric', expected: '{"numeric":[">=",7]}', value: 8.2 },
      {
        path: 'detail.type',
        operator: 'prefix',
        expected: '{"prefix":"UnauthorizedAccess:"}',
        value: 'UnauthorizedAccess:EC2/SSHBruteForce',
      },
      { path: 'region', operator: 'anything-but', expected: '{"anything-but":["eu-west-1"]}', value: 'us-east-1' },
      { path: 'replay-name', operator: 'exists', expected: '{"exists":false}', absent: true },
      { path: 'source', operator: 'equals', expected: '"aws.guardduty"', value: 'aws.guardduty' },
    ]);
    expect(e.summary).toContain('detail.severity=8.2 by {"numeric":[">=",7]}');
  });

  it('quotes pattern elements as written in JSON text', () => {
    const e = explain('{"detail": {"severity": [ {"numeric": [">=", 7.0]} ]}}', guardDuty);
    expect(e.fields[0].expected).toBe('{"numeric": [">=", 7.0]}');
  });

  it('for a non-match, names the first failing field and why', () => {
    const missing = explain({ source: ['aws.guardduty'], detail: { accountId: ['1'] } }, guardDuty);
    expect(missing.matched).toBe(false);
    expect(missing.failures[0]).toMatchObject({ path: 'detail.accountId', reason: 'missing', expected: ['"1"'] });
    expect(missing.failures[0].satisfied.map((s) => s.path)).toEqual([]);
    expect(missing.summary).toBe('no match: detail.accountId is missing (expected ["1"])');

    const wrong = explain({ source: ['aws.guardduty'], detail: { severity: [{ numeric: ['>', 9] }] } }, guardDuty);
    expect(wrong.failures[0]).toMatchObject({ path: 'detail.severity', reason: 'no-match', actual: [8.2] });
    expect(wrong.summary).toBe('no match: detail.severity=8.2 does not match [{"numeric":[">",9]}]');

    const present = explain({ region: [{ exists: false }] }, guardDuty);
    expect(present.failures[0]).toMatchObject({ path: 'region', reason: 'present', actual: ['us-east-1'] });
  });

  it('reports array inconsistency when each field matches alone but not in one element', () => {
    const e = explain(
      { a: { x: [1], y: [4] } },
      {
        a: [
          { x: 1, y: 2 },
          { x: 3, y: 4 },
        ],
      },
    );
    expect(e.matched).toBe(false);
    expect(e.failures[0].reason).toBe('array-inconsistent');
    expect(e.summary).toBe('no match: fields a.x, a.y match only in different elements of the same array');
  });

  it('with $or, reports the matching branch, or every branch failure (closest first)', () => {
    const pattern = {
      $or: [
        { source: ['aws.config'] },
        { 'detail-type': ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>', 9] }] } },
      ],
    };
    const e = explain(pattern, guardDuty);
    expect(e.matched).toBe(false);
    expect(e.failures.map((f) => [f.branch, f.path])).toEqual([
      [1, 'detail.severity'],
      [0, 'source'],
    ]);
    const hit = explain({ $or: [{ source: ['aws.config'] }, { 'detail-type': [{ suffix: 'Finding' }] }] }, guardDuty);
    expect(hit).toMatchObject({ matched: true, branch: 1 });
  });

  it('is available from the index for routed ids', () => {
    const index = new PatternIndex();
    index.add('high', { detail: { severity: [{ numeric: ['>=', 7] }] } });
    expect(index.match(guardDuty)).toEqual(['high']);
    expect(index.explain('high', guardDuty)?.fields[0]).toMatchObject({ path: 'detail.severity', value: 8.2 });
    expect(index.explain('unknown', guardDuty)).toBeUndefined();
  });
});
