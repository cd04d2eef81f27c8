import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, integrationAvailable } from '../helpers/integration.js';
import { type MotoServer, startMoto } from '../helpers/moto.js';
import { vigil } from './cli-harness.js';

/** vigil audit --collect: the collector's AWS options, then the same evaluation, outputs and events as files. */
const available = integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));

describe.skipIf(!available)('vigil audit --collect against moto_server', () => {
  let moto: MotoServer;
  let open: string;
  const env = { ...process.env };

  beforeAll(async () => {
    process.env.MOTO_EC2_LOAD_DEFAULT_AMIS = 'false';
    moto = await startMoto();
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: moto.endpoint });
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    open = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ssh', Description: 'x', VpcId: vpc })))
      .GroupId!;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: open,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    ec2.destroy();
  }, 60_000);

  afterAll(async () => {
    process.env = env;
    await moto?.stop();
  });

  it('collects (EC2 only), evaluates, gates, and publishes the change events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-collect-'));
    const out = join(dir, 'events.jsonl');
    const bus = join(dir, 'bus.yaml');
    writeFileSync(
      bus,
      `bus:\n  rules:\n    - Name: all-config\n      EventPattern: { source: [aws.config] }\n      Targets:\n        - { Id: f, Arn: "file://${out}", InputPath: "$.detail" }\n`,
    );
    const args = ['audit', '--collect', '--endpoint-url', moto.endpoint, '--region', 'us-east-1', '--services', 'ec2'];
    const r = await vigil([
      ...args,
      '--rules',
      'restricted-ssh',
      '-f',
      'json',
      '--fail-on',
      'HIGH',
      '--bus-config',
      bus,
      '-q',
    ]);
    expect(r.code).toBe(1);
    const list = JSON.parse(r.stdout) as { resourceId: string; complianceType: string }[];
    expect(list.find((e) => e.resourceId === open)?.complianceType).toBe('NON_COMPLIANT');
    expect(list.filter((e) => e.complianceType === 'COMPLIANT').length).toBeGreaterThan(0);
    const details = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // InputPath $.detail: the target receives AWS Config's notification body.
    expect(details).toHaveLength(list.length);
    expect(details.find((d) => d.resourceId === open)).toMatchObject({
      messageType: 'ComplianceChangeNotification',
      configRuleName: 'restricted-ssh',
      awsAccountId: '123456789012',
      newEvaluationResult: { complianceType: 'NON_COMPLIANT' },
    });
  }, 60_000);
});
