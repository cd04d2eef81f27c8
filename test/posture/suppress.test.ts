import { describe, expect, it } from 'vitest';
import { applyBaseline, applySuppressions, createBaseline, parseSuppressions } from '../../src/posture/suppress.js';
import { ci, NOW, run } from './helpers.js';

const open = (id: string, tags: Record<string, string> = {}) =>
  ci('AWS::EC2::SecurityGroup', id, {
    arn: `arn:aws:ec2:eu-west-1:111122223333:security-group/${id}`,
    tags,
    configuration: { ipPermissions: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] }] },
  });

describe('suppressions', () => {
  it('parse: reason required, rule must exist, dates accepted', () => {
    const { suppressions, issues } = parseSuppressions(
      `suppressions:
  - rule: INCOMING_SSH_DISABLED
    resource: "arn:aws:ec2:*:*:security-group/sg-bastion*"
    reason: bastion hosts, SSH from anywhere by design
    expires: 2026-12-31
  - rule: restricted-ssh
  - rule: nope
    reason: x
`,
      's.yaml',
    );
    expect(suppressions).toHaveLength(1);
    expect(suppressions[0]!.expires).toBe('2026-12-31');
    expect(issues).toEqual([
      's.yaml: suppressions[1]: "reason" is required',
      's.yaml: suppressions[2]: unknown rule nope',
    ]);
  });
  it('by resource glob and by tag; expired ones do not apply', () => {
    const evals = run('restricted-ssh', [open('sg-bastion-1'), open('sg-dev', { env: 'dev' }), open('sg-prod')]);
    const { expired } = applySuppressions(
      evals,
      [
        { rule: 'restricted-ssh', resource: 'arn:aws:ec2:*:*:security-group/sg-bastion*', reason: 'bastion' },
        { rule: '*', tag: { key: 'env', value: 'dev' }, reason: 'dev sandbox' },
        { rule: 'restricted-ssh', resource: 'sg-prod', reason: 'old', expires: '2026-01-01T00:00:00Z' },
      ],
      NOW,
    );
    expect(evals.map((e) => [e.resourceId, e.suppressed?.reason])).toEqual([
      ['sg-bastion-1', 'bastion'],
      ['sg-dev', 'dev sandbox'],
      ['sg-prod', undefined],
    ]);
    expect(expired.map((x) => x.reason)).toEqual(['old']);
  });
});

describe('baselines', () => {
  it('fingerprints known failures; only new ones stay unflagged', () => {
    const before = run('restricted-ssh', [open('sg-1')]);
    const b = createBaseline(before);
    expect(b.fingerprints).toHaveLength(1);
    const after = run('restricted-ssh', [open('sg-1'), open('sg-2')]);
    expect(applyBaseline(after, b)).toBe(1);
    expect(after.map((e) => [e.resourceId, e.baseline ?? false])).toEqual([
      ['sg-1', true],
      ['sg-2', false],
    ]);
  });
});
