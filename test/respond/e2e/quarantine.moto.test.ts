import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBusConfig } from '../../../src/bus/config.js';
import { EventBusRegistry } from '../../../src/bus/registry.js';
import { BusRuntime } from '../../../src/bus/runtime.js';
import { registerRemediationTargets } from '../../../src/respond/index.js';
import { ExecutionStore } from '../../../src/respond/store.js';
import { type MotoServer, startMoto } from '../../helpers/moto.js';
import { ACCOUNT, CREDENTIALS, motoAvailable, REGION, vigil } from './harness.js';
import { startThrottleProxy } from './throttle-proxy.js';

/**
 * End to end against moto_server: planted SSH brute-force flow logs → `vigil detect --route` → a bus rule on
 * UnauthorizedAccess:EC2/SSHBruteForce → the ec2-quarantine-instance target in auto mode → the instance has only the
 * isolation group. Then the approve round trip on the CLI, and a throttled call retried into the dead-letter queue.
 */
const available = motoAvailable();

const ATTACKER = '198.51.100.77';
const FLOW_FIELDS = [
  'version',
  'account-id',
  'interface-id',
  'instance-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
  'flow-direction',
];

/** A VPC flow log (custom v5 format with its header line) of `n` short SSH connections from ATTACKER to the ENI. */
function bruteForceFlowLog(eni: string, instanceId: string, ip: string, n: number, start: number): string {
  const lines = [FLOW_FIELDS.join(' ')];
  for (let i = 0; i < n; i++) {
    const t = start + i * 10;
    lines.push(
      [5, ACCOUNT, eni, instanceId, ATTACKER, ip, 40000 + i, 22, 6, 4, 240, t, t + 5, 'ACCEPT', 'OK', 'ingress'].join(
        ' ',
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

const jsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe.skipIf(!available)('remediation end to end (moto_server)', () => {
  let moto: MotoServer;
  let ec2: EC2Client;
  let dir: string;
  let state: string;
  let vpcId: string;
  const env = { ...process.env };

  beforeAll(async () => {
    process.env.MOTO_EC2_LOAD_DEFAULT_AMIS = 'false';
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'vigil-respond-e2e-'));
    state = join(dir, 'respond.db');
    // What `vigil bus serve` / `vigil detect --route` read for remediation targets.
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    process.env.AWS_REGION = REGION;
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    process.env.VIGIL_RESPOND_STATE = state;
    ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  }, 60_000);

  afterAll(async () => {
    process.env = env;
    ec2?.destroy();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function openGroup(name: string, port: number): Promise<string> {
    const id = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId })))
      .GroupId!;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    return id;
  }

  async function worldOpenPorts(groupId: string): Promise<number[]> {
    const g = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!;
    return (g.IpPermissions ?? [])
      .filter((p) => (p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0'))
      .map((p) => p.FromPort!)
      .sort((a, b) => a - b);
  }

  it('detect → bus rule on SSHBruteForce → quarantine (auto): the instance has only the isolation group', async () => {
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24' }))).Subnet!
      .SubnetId!;
    const web = await openGroup('web', 22);
    const app = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpcId })))
      .GroupId!;
    const inst = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-12c6146b',
          MinCount: 1,
          MaxCount: 1,
          InstanceType: 't3.micro',
          SubnetId: subnetId,
          SecurityGroupIds: [web, app],
        }),
      )
    ).Instances![0]!;
    const instanceId = inst.InstanceId!;
    const eni = inst.NetworkInterfaces![0]!;
    const flows = join(dir, 'flows.log');
    writeFileSync(
      flows,
      bruteForceFlowLog(eni.NetworkInterfaceId!, instanceId, eni.PrivateIpAddress!, 30, 1_795_000_000),
    );
    const findingsLog = join(dir, 'findings.jsonl');
    const resultsLog = join(dir, 'results.jsonl');
    const bus = join(dir, 'bus.yaml');
    writeFileSync(
      bus,
      `bus:
  rules:
    - Name: ssh-brute-force-quarantine
      EventPattern:
        source: [aws.guardduty]
        detail-type: [GuardDuty Finding]
        detail: { type: [UnauthorizedAccess:EC2/SSHBruteForce] }
      Targets:
        - Id: quarantine
          Arn: vigil:remediation:ec2-quarantine-instance
          RemediationParameters: { Mode: auto }
        - { Id: log, Arn: "file://${findingsLog}" }
    - Name: remediation-results
      EventPattern: { source: [vigil.respond] }
      Targets:
        - { Id: log, Arn: "file://${resultsLog}" }
`,
    );
    // What the quarantine would do, from the finding as `vigil detect -f eventbridge` writes it.
    const events = await vigil([
      'detect',
      flows,
      '-t',
      'vpcflow',
      '--detectors',
      'ec2-brute-force',
      '-f',
      'eventbridge',
      '-q',
    ]);
    const findingFile = join(dir, 'finding.json');
    writeFileSync(findingFile, events.stdout);
    const plan = await vigil([
      'respond',
      'plan',
      'ec2-quarantine-instance',
      '--event',
      findingFile,
      '--param',
      'snapshotVolumes=false',
    ]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`ec2-quarantine-instance → ${instanceId} (${REGION})`);
    expect(plan.stdout).toContain(
      `ec2:ModifyInstanceAttribute {"InstanceId":"${instanceId}","DisableApiTermination":{"Value":true}}`,
    );
    expect(plan.stdout).toContain('ec2:CreateSecurityGroup {"GroupName":"vigil-isolation"');
    expect(plan.stdout).not.toContain('ec2:CreateSnapshot');

    const r = await vigil(['detect', flows, '-t', 'vpcflow', '--route', bus, '--detectors', 'ec2-brute-force', '-q']);
    // two deliveries of the finding, plus the execution event delivered to the results rule
    expect(r.stderr).toMatch(/routed 1 findings: 2 deliveries, 3 delivered, 0 dead-lettered, 0 dropped, 0 pending/);
    expect(r.code).toBe(0);

    const [finding] = jsonl(findingsLog);
    expect(finding.detail.type).toBe('UnauthorizedAccess:EC2/SSHBruteForce');
    expect(finding.detail.resource.instanceDetails.instanceId).toBe(instanceId);
    // The target got the whole finding: the mapping read instanceId from it (no InputTransformer configured).

    const after = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0]!
      .Instances![0]!;
    const groups = after.SecurityGroups!.map((g) => g.GroupName);
    expect(groups).toEqual(['vigil-isolation']);
    for (const n of after.NetworkInterfaces!) expect(n.Groups!.map((g) => g.GroupName)).toEqual(['vigil-isolation']);
    expect(after.Tags).toContainEqual({ Key: 'vigil:quarantine', Value: 'true' });

    // Recorded with what triggered it, and emitted on the bus for the results rule.
    const [result] = jsonl(resultsLog);
    expect(result).toMatchObject({
      source: 'vigil.respond',
      'detail-type': 'Vigil Remediation Execution',
      account: ACCOUNT,
      region: REGION,
      detail: {
        action: 'ec2-quarantine-instance',
        mode: 'auto',
        status: 'applied',
        target: instanceId,
        trigger: { via: 'bus', eventId: finding.id, ruleName: 'ssh-brute-force-quarantine', targetId: 'quarantine' },
      },
    });
    const h = await vigil(['respond', 'history', '--state', state, '-f', 'json']);
    expect(h.code).toBe(0);
    const [exec] = JSON.parse(h.stdout);
    expect(exec.id).toBe(result.detail.executionId);
    expect(exec.results.every((x: { ok: boolean }) => x.ok)).toBe(true);
    expect(exec.results.map((x: { call: { action: string } }) => x.call.action)).toContain(
      'ec2:ModifyNetworkInterfaceAttribute',
    );

    // The same finding again: the instance is already quarantined, so the execution is a no-op.
    const again = await vigil([
      'detect',
      flows,
      '-t',
      'vpcflow',
      '--route',
      bus,
      '--detectors',
      'ec2-brute-force',
      '-q',
    ]);
    expect(again.code).toBe(0);
    const second = jsonl(resultsLog)[1];
    expect(second.detail).toMatchObject({ status: 'noop', results: [] });
  });

  it('approve mode round trip on the CLI: pending → unchanged plan applied; a changed plan shows the diff', async () => {
    const sg = await openGroup('approve-me', 22);
    const args = ['--endpoint-url', moto.endpoint, '--region', REGION, '--state', state];
    const plan = await vigil([
      'respond',
      'plan',
      'ec2-revoke-public-ingress',
      '--param',
      `groupId=${sg}`,
      '--param',
      'ports=[22]',
      '--endpoint-url',
      moto.endpoint,
    ]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`ec2-revoke-public-ingress → ${sg} (${REGION})`);
    expect(plan.stdout).toContain(
      `1. ec2:RevokeSecurityGroupIngress {"GroupId":"${sg}","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]}`,
    );

    const run = await vigil([
      'respond',
      'run',
      'ec2-revoke-public-ingress',
      '--param',
      `groupId=${sg}`,
      '--mode',
      'approve',
      '-f',
      'json',
      ...args,
    ]);
    expect(run.code).toBe(0);
    const pending = JSON.parse(run.stdout);
    expect(pending.status).toBe('pending');
    expect(await worldOpenPorts(sg)).toEqual([22]); // nothing changed yet

    const approvals = join(dir, 'approvals.jsonl');
    const bus = join(dir, 'approvals.yaml');
    writeFileSync(
      bus,
      `bus:\n  rules:\n    - Name: applied\n      EventPattern: { source: [vigil.respond], detail: { status: [applied] } }\n      Targets:\n        - { Id: f, Arn: "file://${approvals}" }\n`,
    );
    const ok = await vigil(['respond', 'approve', pending.id.slice(0, 8), '--state', state, '--bus-config', bus]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`execution ${pending.id}: ec2-revoke-public-ingress approve → applied`);
    expect(ok.stderr).toContain('published 1 execution events: 1 deliveries, 1 delivered');
    expect(await worldOpenPorts(sg)).toEqual([]);
    const [approved] = readFileSync(approvals, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(approved.detail).toMatchObject({
      executionId: pending.id,
      status: 'applied',
      approval: { matched: true, forced: false, diff: [] },
    });

    // Approving twice is refused.
    const twice = await vigil(['respond', 'approve', pending.id, '--state', state]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`execution ${pending.id} is applied, not pending approval`);

    // The world changes between plan and approval: the diff is shown, nothing applied until --force.
    const sg2 = await openGroup('drifts', 22);
    const run2 = await vigil([
      'respond',
      'run',
      'ec2-revoke-public-ingress',
      '--param',
      `groupId=${sg2}`,
      '--mode',
      'approve',
      '-f',
      'json',
      ...args,
    ]);
    const id2 = JSON.parse(run2.stdout).id as string;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg2,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const diff = await vigil(['respond', 'approve', id2, '--state', state]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('plan changed since it was recorded:');
    const world = (port: number) =>
      `{"FromPort":${port},"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0"}],"ToPort":${port}}`;
    expect(diff.stdout).toContain(
      `  - ec2:RevokeSecurityGroupIngress {"GroupId":"${sg2}","IpPermissions":[${world(22)}]}\n` +
        `  + ec2:RevokeSecurityGroupIngress {"GroupId":"${sg2}","IpPermissions":[${world(22)},${world(3389)}]}\n`,
    );
    expect(await worldOpenPorts(sg2)).toEqual([22, 3389]);
    const forced = await vigil(['respond', 'approve', id2, '--force', '--state', state]);
    expect(forced.code).toBe(0);
    expect(await worldOpenPorts(sg2)).toEqual([]);

    const hist = await vigil(['respond', 'history', '--state', state, '--action', 'ec2-revoke-public-ingress']);
    expect(hist.code).toBe(0);
    expect(
      hist.stdout.split('\n').filter((l) => l.includes('ec2-revoke-public-ingress  approve  applied')),
    ).toHaveLength(2);
  });

  it('a throttled call is retried with the RetryPolicy, then dead-lettered with AWS attributes', async () => {
    const sg = await openGroup('throttled', 22);
    const proxy = await startThrottleProxy(moto.endpoint, 'RevokeSecurityGroupIngress');
    const store = new ExecutionStore(join(dir, 'throttle.db'));
    // Registered last, so it is consulted first: this bus acts through the throttling proxy.
    const off = registerRemediationTargets({
      store,
      endpoint: proxy.endpoint,
      credentials: CREDENTIALS,
      region: REGION,
    });
    const dlq = join(dir, 'dlq.jsonl');
    const registry = new EventBusRegistry({ account: ACCOUNT, region: REGION });
    const loaded = loadBusConfig(
      registry,
      `bus:
  rules:
    - Name: open-ssh
      EventPattern: { source: [aws.config], detail: { configRuleName: [restricted-ssh] } }
      Targets:
        - Id: revoke
          Arn: vigil:remediation:ec2-revoke-public-ingress
          RemediationParameters: { Mode: auto, Parameters: { ports: [22] } }
          InputTransformer: { InputPathsMap: { sg: $.detail.resourceId }, InputTemplate: '{"groupId": <sg>}' }
          RetryPolicy: { MaximumRetryAttempts: 2 }
          DeadLetterConfig: { Arn: "file://${dlq}" }
`,
      'bus.yaml',
    );
    expect(loaded.issues).toEqual([]);
    const runtime = new BusRuntime({ registry, retry: { baseMs: 20, capMs: 50 } });
    try {
      const put = runtime.putEvents([
        {
          Source: 'aws.config',
          DetailType: 'Config Rules Compliance Change',
          Detail: JSON.stringify({
            configRuleName: 'restricted-ssh',
            resourceId: sg,
            resourceType: 'AWS::EC2::SecurityGroup',
          }),
        },
      ]);
      expect(put.FailedEntryCount).toBe(0);
      for (let i = 0; i < 100 && runtime.outbox.nextDueAt() !== undefined; i++) {
        await runtime.drain();
        await new Promise((r) => setTimeout(r, 30));
      }
      expect(proxy.throttled).toBe(3); // the first attempt and two retries, one SDK attempt each
      const [letter] = jsonl(dlq);
      expect(JSON.parse(letter.body)).toEqual({ groupId: sg });
      expect(letter.attributes).toMatchObject({
        RULE_ARN: `arn:aws:events:${REGION}:${ACCOUNT}:rule/open-ssh`,
        TARGET_ARN: 'vigil:remediation:ec2-revoke-public-ingress',
        ERROR_CODE: 'THROTTLING',
        RETRY_ATTEMPTS: '2',
        EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      });
      expect(letter.attributes.ERROR_MESSAGE).toContain(
        'ec2:RevokeSecurityGroupIngress: RequestLimitExceeded: Request limit exceeded.',
      );
      expect(store.history().map((e) => [e.trigger.attempt, e.status, e.error?.retriable])).toEqual([
        [3, 'failed', true],
        [2, 'failed', true],
        [1, 'failed', true],
      ]);
      expect(await worldOpenPorts(sg)).toEqual([22]); // still open: every write was throttled
      const m = Object.fromEntries(runtime.outbox.metrics().map((x) => [x.name, x.value]));
      expect(m).toMatchObject({ Invocations: 1, FailedInvocations: 1, InvocationsSentToDLQ: 1 });
    } finally {
      runtime.outbox.close();
      off();
      store.close();
      await proxy.close();
    }
  });
});
