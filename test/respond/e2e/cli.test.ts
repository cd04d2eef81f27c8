import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../src/respond/actions/index.js';
import { vigil } from './harness.js';

/** The CLI without AWS: catalogue, policy, history, and bad input (exit 2 with a message naming the problem). */
let dir: string;
let state: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-respond-cli-'));
  state = join(dir, 'respond.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil respond (no AWS needed)', () => {
  it('list: every action with category, description and IAM permissions', async () => {
    const r = await vigil(['respond', 'list', '-f', 'json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; category: string; permissions: string[] }[];
    expect(list.map((a) => a.name)).toEqual(ACTIONS.map((a) => a.name));
    const q = list.find((a) => a.name === 'ec2-quarantine-instance')!;
    expect(q.category).toBe('network');
    expect(q.permissions).toContain('ec2:ModifyNetworkInterfaceAttribute');
    const t = await vigil(['respond', 'list', '--category', 'network']);
    expect(t.stdout.split('\n')[0]).toMatch(/^action\s+category\s+description\s+IAM permissions$/);
    expect(t.stdout).toContain('ec2-quarantine-instance');
    expect(t.stdout).not.toContain('iam-deactivate-access-key');
  });

  it('permissions: a valid least-privilege policy for the chosen actions', async () => {
    const r = await vigil([
      'respond',
      'permissions',
      '--actions',
      'ec2-revoke-public-ingress,s3-block-public-access-bucket',
      '--explain',
    ]);
    expect(r.code).toBe(0);
    const policy = JSON.parse(r.stdout);
    expect(policy.Version).toBe('2012-10-17');
    const actions = policy.Statement.flatMap((s: { Action: string[] }) => s.Action);
    const want = new Set(
      ACTIONS.filter(
        (a) => a.name === 'ec2-revoke-public-ingress' || a.name === 's3-block-public-access-bucket',
      ).flatMap((a) => a.permissions),
    );
    expect(new Set(actions)).toEqual(want);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['VigilRemediationEc2', 'VigilRemediationS3']);
    expect(r.stderr).toContain('ec2:RevokeSecurityGroupIngress: ec2-revoke-public-ingress');
    const bad = await vigil(['respond', 'permissions', '--actions', 'ec2-revoke-public-ingres']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown action "ec2-revoke-public-ingres" \(did you mean .*ec2-revoke-public-ingress/);
  });

  it('bad input exits 2 with the reason: unknown action, bad params, bad event, bad mode, missing input', async () => {
    const unknown = await vigil(['respond', 'plan', 'nope', '--param', 'x=1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('vigil: unknown action "nope"');

    const params = await vigil([
      'respond',
      'run',
      'ec2-revoke-public-ingress',
      '--param',
      'groupId=web',
      '--param',
      'ports=[99999]',
      '--state',
      state,
    ]);
    expect(params.code).toBe(2);
    expect(params.stderr).toContain('ec2-revoke-public-ingress: parameter groupId: must be a security group id (sg-…)');
    expect(params.stderr).toContain('ec2-revoke-public-ingress: parameter ports.0:');

    const flag = await vigil(['respond', 'plan', 'ec2-revoke-public-ingress', '--param', 'groupId']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--param "groupId": expected key=value');

    const none = await vigil(['respond', 'plan', 'ec2-revoke-public-ingress']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give --event FILE or --param key=value');

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"source": "aws.guardduty", ');
    const ev = await vigil(['respond', 'plan', 'ec2-quarantine-instance', '--event', broken]);
    expect(ev.code).toBe(2);
    expect(ev.stderr).toContain(`--event ${broken}: not valid JSON:`);

    const many = join(dir, 'many.jsonl');
    writeFileSync(many, '{"a":1}\n{"a":2}\n');
    const m = await vigil(['respond', 'plan', 'ec2-quarantine-instance', '--event', many]);
    expect(m.stderr).toContain(`--event ${many}: holds 2 JSON lines; give one event`);

    const notEvent = join(dir, 'not-event.json');
    writeFileSync(notEvent, '{"hello": "world"}');
    const ne = await vigil(['respond', 'plan', 'ec2-quarantine-instance', '--event', notEvent]);
    expect(ne.code).toBe(2);
    expect(ne.stderr).toContain('not an EventBridge event (needs source, detail-type and a detail object)');

    const missing = await vigil(['respond', 'plan', 'ec2-quarantine-instance', '--event', join(dir, 'absent.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');

    const mode = await vigil([
      'respond',
      'run',
      'ec2-revoke-public-ingress',
      '--param',
      'groupId=sg-1',
      '--mode',
      'yolo',
    ]);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('--mode must be one of dryRun, approve, auto, got "yolo"');

    const event = join(dir, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({
        source: 'aws.guardduty',
        'detail-type': 'GuardDuty Finding',
        detail: { type: 'Recon:EC2/Portscan' },
      }),
    );
    const badMapping = join(dir, 'mapping.yaml');
    writeFileSync(badMapping, 'findingTypes:\n  Recon:EC2/Portscan: { action: no-such }\n');
    const mp = await vigil(['respond', 'plan', 'ec2-quarantine-instance', '--event', event, '--mapping', badMapping]);
    expect(mp.code).toBe(2);
    expect(mp.stderr).toContain(
      `vigil: --mapping ${badMapping}: findingTypes.Recon:EC2/Portscan: unknown action "no-such"`,
    );
    // An event the mapping reads nothing from: the parameter problems and why the event did not help.
    const unmapped = await vigil(['respond', 'plan', 'dynamodb-enable-pitr', '--event', event]);
    expect(unmapped.code).toBe(2);
    expect(unmapped.stderr).toContain('dynamodb-enable-pitr: parameter tableName:');
    expect(unmapped.stderr).toContain(
      "from the event: the mapping has no way to read dynamodb-enable-pitr's parameters",
    );

    const approve = await vigil(['respond', 'approve', 'deadbeef', '--state', state]);
    expect(approve.code).toBe(2);
    expect(approve.stderr).toContain(`no execution deadbeef in ${state}`);
    for (const r of [unknown, params, flag, none, ev, m, ne, missing, mode, approve])
      expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('check: remediation targets of a bus config that cannot run are reported with file and reason', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(
      good,
      'bus:\n  rules:\n    - Name: r\n      EventPattern: { source: [aws.guardduty] }\n      Targets:\n        - { Id: q, Arn: "vigil:remediation:ec2-quarantine-instance", RemediationParameters: { Mode: auto } }\n',
    );
    const ok = await vigil(['respond', 'check', good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`${good}: 1 rules, 1 remediation targets, 0 problems\n`);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'bus:\n  rules:\n    - Name: r\n      EventPattern: { source: [aws.guardduty] }\n      Targets:\n        - { Id: q, Arn: "vigil:remediation:ec2-quarantine", RemediationParameters: { mode: auto } }\n        - { Id: p, Arn: "vigil:remediation:s3-enable-versioning", RemediationParameters: { Mode: Auto } }\n',
    );
    const r = await vigil(['respond', 'check', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `vigil: ${bad}: bus default: rule r: target q: unknown remediation action "ec2-quarantine"`,
    );
    expect(r.stderr).toContain(
      `vigil: ${bad}: bus default: rule r: target p: RemediationParameters.Mode must be one of dryRun, approve, auto, got "Auto"`,
    );
    expect(r.stdout).toBe(`${bad}: 1 rules, 2 remediation targets, 2 problems\n`);
  });

  it('history of an empty store is an empty table', async () => {
    const r = await vigil(['respond', 'history', '--state', join(dir, 'empty.db')]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^id\s+time\s+action\s+mode\s+status\s+target\s+trigger\s+detail$/);
  });
});
