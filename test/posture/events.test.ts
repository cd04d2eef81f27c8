import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ComplianceStateStore,
  complianceChangeEvent,
  complianceChanges,
  configRuleArn,
  resultKey,
  type StoredResult,
} from '../../src/posture/events.js';
import type { ConfigItem } from '../../src/posture/model.js';
import { vigil } from './cli-harness.js';
import { ci, run } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-events-'));
const T = { invokedAt: '2026-11-02T10:00:00.000Z', recordedAt: '2026-11-02T10:00:01.500Z' };

const sg = (id: string, open: boolean) =>
  ci('AWS::EC2::SecurityGroup', id, {
    arn: `arn:aws:ec2:eu-west-1:111122223333:security-group/${id}`,
    configuration: {
      groupName: id,
      ipPermissions: open ? [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] }] : [],
    },
  });

function snapshot(name: string, items: ConfigItem[]): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ fileVersion: '1.0', configurationItems: items }));
  return file;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('compliance changes', () => {
  const [open, closed] = run('restricted-ssh', [sg('sg-a', true), sg('sg-b', false)]);
  const prevOf = (complianceType: StoredResult['complianceType']): StoredResult => ({
    configRuleName: 'restricted-ssh',
    resourceType: 'AWS::EC2::SecurityGroup',
    resourceId: 'sg-a',
    complianceType,
    orderingTimestamp: '2026-11-01T00:00:00.000Z',
    resultRecordedTime: '2026-11-01T00:00:02.000Z',
    configRuleInvokedTime: '2026-11-01T00:00:01.000Z',
    annotation: 'no ingress rule open to the world',
  });

  it('first evaluations are changes without a previous result; equal compliance is not a change', () => {
    expect(complianceChanges(() => undefined, [open!, closed!], T).map((c) => c.previous)).toEqual([
      undefined,
      undefined,
    ]);
    const prev = new Map([[resultKey(open!), prevOf('NON_COMPLIANT')]]);
    expect(complianceChanges((k) => prev.get(k), [open!], T)).toEqual([]);
    const was = new Map([[resultKey(open!), prevOf('COMPLIANT')]]);
    const [c] = complianceChanges((k) => was.get(k), [open!, closed!], T).filter((x) => x.previous);
    expect(c!.previous!.complianceType).toBe('COMPLIANT');
    expect(c!.current.complianceType).toBe('NON_COMPLIANT');
  });

  it('the event is AWS Config\'s "Config Rules Compliance Change" (eventbridge.md §7)', () => {
    const was = new Map([[resultKey(open!), prevOf('COMPLIANT')]]);
    const [c] = complianceChanges((k) => was.get(k), [open!], T);
    const ev = complianceChangeEvent(c!, { id: () => 'e0c3f0aa-1111-4222-8333-444455556666' });
    expect(ev).toEqual({
      version: '0',
      id: 'e0c3f0aa-1111-4222-8333-444455556666',
      'detail-type': 'Config Rules Compliance Change',
      source: 'aws.config',
      account: '111122223333',
      time: '2026-11-02T10:00:01Z',
      region: 'eu-west-1',
      resources: ['arn:aws:ec2:eu-west-1:111122223333:security-group/sg-a'],
      detail: {
        resourceId: 'sg-a',
        awsRegion: 'eu-west-1',
        awsAccountId: '111122223333',
        configRuleName: 'restricted-ssh',
        recordVersion: '1.0',
        configRuleARN: configRuleArn('restricted-ssh', '111122223333', 'eu-west-1'),
        messageType: 'ComplianceChangeNotification',
        newEvaluationResult: {
          evaluationResultIdentifier: {
            evaluationResultQualifier: {
              configRuleName: 'restricted-ssh',
              resourceType: 'AWS::EC2::SecurityGroup',
              resourceId: 'sg-a',
              evaluationMode: 'DETECTIVE',
            },
            orderingTimestamp: open!.orderingTimestamp,
          },
          complianceType: 'NON_COMPLIANT',
          resultRecordedTime: T.recordedAt,
          configRuleInvokedTime: T.invokedAt,
          annotation: 'ingress tcp port 22 from 0.0.0.0/0 includes SSH port 22',
        },
        oldEvaluationResult: {
          evaluationResultIdentifier: {
            evaluationResultQualifier: {
              configRuleName: 'restricted-ssh',
              resourceType: 'AWS::EC2::SecurityGroup',
              resourceId: 'sg-a',
              evaluationMode: 'DETECTIVE',
            },
            orderingTimestamp: '2026-11-01T00:00:00.000Z',
          },
          complianceType: 'COMPLIANT',
          resultRecordedTime: '2026-11-01T00:00:02.000Z',
          configRuleInvokedTime: '2026-11-01T00:00:01.000Z',
          annotation: 'no ingress rule open to the world',
        },
        notificationCreationTime: T.recordedAt,
        resourceType: 'AWS::EC2::SecurityGroup',
      },
    });
    expect(configRuleArn('restricted-ssh', '111122223333', 'eu-west-1')).toMatch(
      /^arn:aws:config:eu-west-1:111122223333:config-rule\/config-rule-[0-9a-f]{6}$/,
    );
  });

  it('global resources are reported from us-east-1 (or the given region); no ARN gives resources []', () => {
    const [e] = run('iam-password-policy', [
      ci('AWS::::Account', '111122223333', { awsRegion: 'global', configuration: { passwordPolicy: null } }),
    ]);
    const [c] = complianceChanges(() => undefined, [e!], T);
    const ev = complianceChangeEvent(c!) as { region: string; resources: string[]; detail: Record<string, unknown> };
    expect(ev.region).toBe('us-east-1');
    expect(ev.resources).toEqual([]);
    expect(ev.detail.oldEvaluationResult).toBeUndefined();
    expect((complianceChangeEvent(c!, { globalRegion: 'eu-central-1' }) as { region: string }).region).toBe(
      'eu-central-1',
    );
  });

  it('the SQLite state keeps the last result per rule and resource across opens', () => {
    const file = join(dir, 'state.db');
    const s1 = new ComplianceStateStore(file);
    s1.record([open!], T);
    s1.close();
    const s2 = new ComplianceStateStore(file);
    expect(s2.get(resultKey(open!))).toMatchObject({ complianceType: 'NON_COMPLIANT', resourceId: 'sg-a' });
    expect(s2.get(resultKey(closed!))).toBeUndefined();
    s2.close();
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not sqlite, just text long enough to be read as a header........');
    expect(() => new ComplianceStateStore(junk)).toThrow(/--state .*junk\.db: cannot open as a posture state file/);
  });
});

describe('vigil audit --state / --bus-config', () => {
  it('publishes only changes through the bus: rule pattern and file target apply', async () => {
    const state = join(dir, 'audit-state.db');
    const out = join(dir, 'noncompliant.jsonl');
    const bus = join(dir, 'bus.yaml');
    writeFileSync(
      bus,
      [
        'bus:',
        '  rules:',
        '    - Name: config-noncompliant',
        '      EventPattern:',
        '        source: [aws.config]',
        '        detail-type: [Config Rules Compliance Change]',
        '        detail: { newEvaluationResult: { complianceType: [NON_COMPLIANT] } }',
        '      Targets:',
        `        - { Id: file, Arn: "file://${out}" }`,
        '',
      ].join('\n'),
    );
    const day1 = snapshot('day1.json', [sg('sg-a', true), sg('sg-b', false)]);
    const r1 = await vigil([
      'audit',
      '--snapshot',
      day1,
      '--rules',
      'restricted-ssh',
      '--state',
      state,
      '--bus-config',
      bus,
      '-f',
      'json',
    ]);
    expect(r1.code).toBe(0);
    expect(r1.stderr).toContain(
      `vigil: 2 compliance changes since the previous run in ${state}; published 2 events: 1 deliveries, 1 delivered, 0 dead-lettered, 0 dropped, 0 pending`,
    );
    const first = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      source: 'aws.config',
      'detail-type': 'Config Rules Compliance Change',
      detail: { resourceId: 'sg-a', newEvaluationResult: { complianceType: 'NON_COMPLIANT' } },
    });
    expect(first[0].detail.oldEvaluationResult).toBeUndefined();

    // Same input again: nothing changed, nothing published.
    const r2 = await vigil([
      'audit',
      '--snapshot',
      day1,
      '--rules',
      'restricted-ssh',
      '--state',
      state,
      '--bus-config',
      bus,
    ]);
    expect(r2.stderr).toContain('vigil: 0 compliance changes');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1);

    // sg-a closed, sg-b opened: two changes, one of them to NON_COMPLIANT (delivered with its old result).
    const day2 = snapshot('day2.json', [sg('sg-a', false), sg('sg-b', true)]);
    const r3 = await vigil([
      'audit',
      '--snapshot',
      day2,
      '--rules',
      'restricted-ssh',
      '--state',
      state,
      '--bus-config',
      bus,
    ]);
    expect(r3.stderr).toContain('vigil: 2 compliance changes');
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[1].detail).toMatchObject({
      resourceId: 'sg-b',
      newEvaluationResult: { complianceType: 'NON_COMPLIANT' },
      oldEvaluationResult: { complianceType: 'COMPLIANT' },
    });
  });

  it('bad bus configuration is reported with file and line (exit 2, the valid rules still deliver); delivery failures are listed', async () => {
    const bus = join(dir, 'bad-bus.yaml');
    writeFileSync(
      bus,
      'bus:\n  rules:\n    - Name: x\n      EventPattern: { source: [aws.config] }\n      Targets:\n        - { Id: t, Arn: "ftp://nowhere" }\n    - Name: "bad name!"\n      EventPattern: { source: [aws.config] }\n',
    );
    const snap = snapshot('one.json', [sg('sg-z', true)]);
    const r = await vigil([
      'audit',
      '--snapshot',
      snap,
      '--rules',
      'restricted-ssh',
      '--bus-config',
      bus,
      '--fail-on',
      'CRITICAL',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('restricted-ssh');
    expect(r.stderr).toMatch(new RegExp(`vigil: ${bus}:7: bus\\.rules\\[1\\] rule bad name!: `));
    expect(r.stderr).toMatch(/vigil: delivery failed: rule x target t \(ftp:\/\/nowhere\): dropped: /);
    expect(r.stderr).toContain('published 1 events: 1 deliveries, 0 delivered, 0 dead-lettered, 1 dropped, 0 pending');
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
    // A valid configuration whose target fails: reported, and the exit code is the audit's own.
    writeFileSync(
      bus,
      'bus:\n  rules:\n    - Name: x\n      EventPattern: { source: [aws.config] }\n      Targets:\n        - { Id: t, Arn: "ftp://nowhere" }\n',
    );
    const ok = await vigil([
      'audit',
      '--snapshot',
      snap,
      '--rules',
      'restricted-ssh',
      '--bus-config',
      bus,
      '--fail-on',
      'CRITICAL',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('1 dropped');
  });
});
