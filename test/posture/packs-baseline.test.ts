import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/posture/engine.js';
import { PACKS, planPack, rollUp } from '../../src/posture/packs/index.js';
import { ACCOUNT, account, ci, NOW } from './helpers.js';

describe('security-baseline pack (data)', () => {
  const pack = PACKS['security-baseline']!;
  const plan = planPack(pack);
  it('ten controls, every rule reference resolves, each control mapped', () => {
    expect(pack.controls.map((c) => c.id)).toEqual(Array.from({ length: 10 }, (_, i) => `SB-${i + 1}`));
    expect(plan.errors).toEqual([]);
    for (const c of pack.controls) expect(c.rules.length, c.id).toBeGreaterThan(0);
    expect(plan.rulesOf.get('SB-10')).toEqual([
      'security-baseline-SB-10-s3-bucket-replication-enabled',
      's3-bucket-versioning-enabled',
    ]);
  });
  it('rolls up: open SSH fails SB-3, MFA passes SB-1, PITR off fails SB-8, uncollected stays undecided', () => {
    const items = [
      ci('AWS::EC2::SecurityGroup', 'sg-1', {
        configuration: {
          groupName: 'x',
          ipPermissions: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] }],
        },
      }),
      ci('AWS::DynamoDB::Table', 't', {
        supplementaryConfiguration: {
          ContinuousBackupsDescription: { pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: 'DISABLED' } },
        },
      }),
      account({ accountSummary: { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0 }, credentialReport: [] }),
    ];
    const { evaluations, errors } = evaluate(
      { items, collectedTypes: new Set(['AWS::EC2::SecurityGroup', 'AWS::DynamoDB::Table', 'AWS::::Account']) },
      plan.selections,
      { now: NOW },
    );
    expect(errors).toEqual([]);
    const r = rollUp(plan, evaluations);
    const c = (id: string) => r.controls.find((x) => x.id === id)!;
    expect(c('SB-3').status).toBe('NON_COMPLIANT');
    expect(c('SB-8').status).toBe('NON_COMPLIANT');
    expect(c('SB-1').status).toBe('COMPLIANT');
    expect(c('SB-6').status).toBe('INSUFFICIENT_DATA'); // GuardDuty detectors were not collected
    expect(evaluations.some((e) => e.resourceId === ACCOUNT)).toBe(true);
    expect(r.score).not.toBeNull();
  });
  it('CIS 2.3.1 now maps to efs-encrypted-check', () => {
    expect(planPack(PACKS['cis-aws-4.0.1']!).rulesOf.get('2.3.1')).toEqual(['efs-encrypted-check']);
  });
});
