/**
 * Posture benchmark (BENCH_ONLY=posture).
 * 1. Evaluation: synthetic configuration items (every resource type a rule evaluates, realistic configurations
 *    with a mix of compliant and non-compliant values) × all rules at 25k / 50k / 100k CIs; the per-item cost must
 *    stay flat (linear) and 100k must take ≤ 10 s.
 * 2. Collection against moto_server with 1,000 resources created through the SDK: wall time and API calls per
 *    operation, counted by an SDK middleware installed on every client (the collector is not modified), to show
 *    each API is called once per resource set (or once per resource for per-resource APIs), never per rule.
 */
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AllocateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Client } from '@smithy/core/client';
import { mulberry32 } from '../src/core/random.js';
import { collect } from '../src/posture/collect/index.js';
import { evaluate } from '../src/posture/engine.js';
import { type ConfigItem, emptyCi, type Inventory } from '../src/posture/model.js';
import { ALL_RULES } from '../src/posture/rules/index.js';
import { startMoto } from '../test/helpers/moto.js';

const ACCOUNT = '111122223333';
const NOW = Date.parse('2026-11-01T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW - d * 86_400_000).toISOString();

type Make = (i: number, r: () => number) => Partial<ConfigItem>;

/** Realistic configurations for the common types; every other evaluated type gets a bare CI. */
const MAKERS: Record<string, Make> = {
  'AWS::EC2::SecurityGroup': (i, r) => ({
    configuration: {
      groupName: i % 50 === 0 ? 'default' : `sg-${i}`,
      vpcId: `vpc-${i % 100}`,
      ipPermissions: [
        {
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
          ipRanges: ['0.0.0.0/0'],
        },
        r() < 0.2
          ? {
              ipProtocol: 'tcp',
              fromPort: 22,
              toPort: 22,
              ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
              ipRanges: ['0.0.0.0/0'],
            }
          : {
              ipProtocol: 'tcp',
              fromPort: 5432,
              toPort: 5432,
              ipv4Ranges: [{ cidrIp: '10.0.0.0/8' }],
              ipRanges: ['10.0.0.0/8'],
            },
      ],
      ipPermissionsEgress: [{ ipProtocol: '-1', ipRanges: ['0.0.0.0/0'] }],
    },
  }),
  'AWS::S3::Bucket': (i, r) => ({
    arn: `arn:aws:s3:::bucket-${i}`,
    supplementaryConfiguration: {
      BucketVersioningConfiguration: { status: r() < 0.5 ? 'Enabled' : 'Off' },
      ServerSideEncryptionConfiguration:
        r() < 0.7 ? { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] } : undefined,
      BucketLoggingConfiguration: r() < 0.5 ? { destinationBucketName: 'logs' } : {},
      BucketPolicy: {
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [`arn:aws:s3:::bucket-${i}/*`],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
            ...(r() < 0.1 ? [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] : []),
          ],
        }),
      },
    },
  }),
  'AWS::EC2::Volume': (i, r) => ({
    configuration: { encrypted: r() < 0.7, attachments: r() < 0.8 ? [{ instanceId: `i-${i}` }] : [] },
  }),
  'AWS::IAM::User': (i, r) => ({
    awsRegion: 'global',
    resourceName: `user-${i}`,
    configuration: {
      userName: `user-${i}`,
      createDate: daysAgo(400),
      userPolicyList: r() < 0.1 ? [{ policyName: 'inline', policyDocument: '{}' }] : [],
      attachedManagedPolicies: [],
      groupList: ['engineers'],
    },
    supplementaryConfiguration: {
      AccessKeys: [
        { accessKeyId: `AKIA${i}`, status: 'Active', createDate: daysAgo(r() * 200), lastUsedDate: daysAgo(3) },
      ],
      MfaDevices: r() < 0.7 ? [{ serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/u${i}` }] : [],
      LoginProfile: r() < 0.5 ? { createDate: daysAgo(300) } : null,
    },
  }),
  'AWS::RDS::DBInstance': (i, r) => ({
    configuration: {
      dBInstanceIdentifier: `db-${i}`,
      engine: 'postgres',
      storageEncrypted: r() < 0.8,
      multiAZ: r() < 0.5,
      publiclyAccessible: r() < 0.05,
      backupRetentionPeriod: r() < 0.9 ? 7 : 0,
      deletionProtection: r() < 0.5,
      autoMinorVersionUpgrade: true,
    },
  }),
  'AWS::EC2::EIP': (i, r) => ({
    configuration: {
      allocationId: `eipalloc-${i}`,
      publicIp: '198.51.100.7',
      ...(r() < 0.8 ? { instanceId: `i-${i}` } : {}),
    },
  }),
  'AWS::KMS::Key': (_i, r) => ({
    configuration: { keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', keyState: 'Enabled', origin: 'AWS_KMS' },
    supplementaryConfiguration: { KeyRotationStatus: r() < 0.6 },
  }),
  'AWS::DynamoDB::Table': (_i, r) => ({
    configuration: r() < 0.5 ? { sSEDescription: { status: 'ENABLED', sSEType: 'KMS', kMSMasterKeyArn: 'arn:k' } } : {},
    supplementaryConfiguration: {
      ContinuousBackupsDescription: {
        pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: r() < 0.6 ? 'ENABLED' : 'DISABLED' },
      },
    },
  }),
  'AWS::EC2::Instance': (i, r) => ({
    configuration: {
      instanceId: `i-${i}`,
      vpcId: `vpc-${i % 100}`,
      publicIpAddress: r() < 0.2 ? '198.51.100.9' : undefined,
      metadataOptions: { httpTokens: r() < 0.6 ? 'required' : 'optional' },
    },
  }),
  'AWS::EC2::VPC': (i) => ({ configuration: { vpcId: `vpc-${i}`, cidrBlock: '10.0.0.0/16' } }),
  'AWS::EC2::Subnet': (i, r) => ({ configuration: { subnetId: `subnet-${i}`, mapPublicIpOnLaunch: r() < 0.3 } }),
};

/** `n` CIs cycling through every type a rule evaluates (one account CI with facts). */
export function syntheticInventory(n: number, seed = 7): Inventory {
  const r = mulberry32(seed);
  const types = [...new Set(ALL_RULES.flatMap((x) => x.meta.resourceTypes))].filter((t) => t !== 'AWS::::Account');
  const items: ConfigItem[] = [
    emptyCi({
      resourceType: 'AWS::::Account',
      resourceId: ACCOUNT,
      awsAccountId: ACCOUNT,
      awsRegion: 'global',
      configuration: {
        passwordPolicy: { MinimumPasswordLength: 14, RequireSymbols: true },
        accountSummary: { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0 },
        ebsEncryptionByDefault: { 'us-east-1': true },
        s3PublicAccessBlock: null,
      },
    }),
  ];
  // Half the items in the common, fully modelled types; the rest spread over every other evaluated type.
  const common = Object.keys(MAKERS);
  for (let i = 1; i < n; i++) {
    const type = i % 2 === 0 ? common[(i >> 1) % common.length]! : types[(i >> 1) % types.length]!;
    const make = MAKERS[type];
    items.push(
      emptyCi({
        resourceType: type,
        resourceId: `${type.split('::')[2]!.toLowerCase()}-${i}`,
        awsAccountId: ACCOUNT,
        awsRegion: 'us-east-1',
        tags: r() < 0.5 ? { CostCenter: 'c1' } : {},
        ...(make ? make(i, r) : {}),
      }),
    );
  }
  return { items, capturedAt: new Date(NOW).toISOString() };
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function benchEvaluation(sizes = [25_000, 50_000, 100_000]) {
  const selections = ALL_RULES.map((rule) => ({ rule }));
  // Warm the JIT first so the smallest size is not charged for compilation.
  evaluate(syntheticInventory(5_000), selections, { now: NOW });
  const runs = sizes.map((n) => {
    const inv = syntheticInventory(n);
    let best = Number.POSITIVE_INFINITY;
    let bestCpu = Number.POSITIVE_INFINITY;
    let evaluations = 0;
    const byCompliance: Record<string, number> = {};
    for (let k = 0; k < 3; k++) {
      gc();
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const res = evaluate(inv, selections, { now: NOW });
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      if (ms < best) best = ms;
      // CPU time of this process: on a machine shared with other jobs, wall time also counts the waits for a core.
      const cpuMs = (cpu.user + cpu.system) / 1000;
      if (cpuMs < bestCpu) bestCpu = cpuMs;
      evaluations = res.evaluations.length;
      if (k === 0)
        for (const e of res.evaluations) byCompliance[e.complianceType] = (byCompliance[e.complianceType] ?? 0) + 1;
    }
    return {
      configurationItems: n,
      evaluations,
      byCompliance,
      ms: Math.round(best),
      cpuMs: Math.round(bestCpu),
      usPerItem: Math.round((best * 1000 * 100) / n) / 100,
      cpuUsPerItem: Math.round((bestCpu * 1000 * 100) / n) / 100,
      usPerEvaluation: Math.round((best * 1000 * 100) / evaluations) / 100,
    };
  });
  const first = runs[0]!;
  const last = runs[runs.length - 1]!;
  return {
    rules: ALL_RULES.length,
    runs,
    /** Per-item cost at the largest size over the smallest: ~1 = linear. */
    linearity: Math.round((last.ms / last.configurationItems / (first.ms / first.configurationItems)) * 100) / 100,
    linearityCpu:
      Math.round((last.cpuMs / last.configurationItems / (first.cpuMs / first.configurationItems)) * 100) / 100,
    targetMs100k: 10_000,
    withinTarget: (runs.find((x) => x.configurationItems === 100_000)?.ms ?? 0) <= 10_000,
  };
}

/** Count every API call (and every HTTP attempt, retries included) made by any SDK client, via middleware. */
function installCallCounter(): { calls: Map<string, number>; attempts: Map<string, number>; uninstall: () => void } {
  const calls = new Map<string, number>();
  const attempts = new Map<string, number>();
  const seen = new WeakSet<object>();
  const proto = Client.prototype as unknown as { send: (...a: unknown[]) => unknown };
  const original = proto.send;
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  proto.send = function (this: Client<never, never, never, never>, ...args: unknown[]) {
    if (!seen.has(this)) {
      seen.add(this);
      const stack = this.middlewareStack as unknown as {
        add: (mw: unknown, o: { step: string; name: string; priority?: string }) => void;
      };
      const key = (ctx: { clientName?: string; commandName?: string }) =>
        `${(ctx.clientName ?? '?').replace(/Client$/, '')}:${(ctx.commandName ?? '?').replace(/Command$/, '')}`;
      stack.add(
        (next: (a: unknown) => unknown, ctx: { clientName?: string; commandName?: string }) => (a: unknown) => {
          bump(calls, key(ctx));
          return next(a);
        },
        { step: 'initialize', name: 'vigilBenchCallCounter', priority: 'high' },
      );
      // The deserialize step runs inside the retry loop: once per HTTP attempt.
      stack.add(
        (next: (a: unknown) => unknown, ctx: { clientName?: string; commandName?: string }) => (a: unknown) => {
          bump(attempts, key(ctx));
          return next(a);
        },
        { step: 'deserialize', name: 'vigilBenchAttemptCounter', priority: 'low' },
      );
    }
    return original.apply(this, args);
  };
  return {
    calls,
    attempts,
    uninstall: () => {
      proto.send = original;
    },
  };
}

const RESOURCES = { securityGroups: 350, buckets: 200, users: 150, volumes: 100, tables: 100, keys: 50, eips: 50 };

async function inBatches(n: number, size: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += size)
    await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => fn(i + k)));
}

export async function benchCollection() {
  process.env.MOTO_EC2_LOAD_DEFAULT_AMIS = 'false';
  let moto: Awaited<ReturnType<typeof startMoto>>;
  try {
    moto = await startMoto();
  } catch (e) {
    return { skipped: `moto_server is not available: ${(e as Error).message}` };
  }
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const cfg = { region: 'us-east-1', endpoint: moto.endpoint, credentials };
  try {
    const t0 = performance.now();
    const ec2 = new EC2Client(cfg);
    const s3 = new S3Client({ ...cfg, forcePathStyle: true });
    const iam = new IAMClient(cfg);
    const kms = new KMSClient(cfg);
    const ddb = new DynamoDBClient(cfg);
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    await inBatches(RESOURCES.securityGroups, 16, async (i) => {
      const id = (
        await ec2.send(new CreateSecurityGroupCommand({ GroupName: `g${i}`, Description: 'bench', VpcId: vpc }))
      ).GroupId!;
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: i % 5 === 0 ? 22 : 443,
              ToPort: i % 5 === 0 ? 22 : 443,
              IpRanges: [{ CidrIp: '0.0.0.0/0' }],
            },
          ],
        }),
      );
    });
    await inBatches(RESOURCES.buckets, 16, (i) => s3.send(new CreateBucketCommand({ Bucket: `vigil-bench-${i}` })));
    await inBatches(RESOURCES.users, 16, (i) => iam.send(new CreateUserCommand({ UserName: `bench-user-${i}` })));
    await inBatches(RESOURCES.volumes, 16, (i) =>
      ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8, Encrypted: i % 2 === 0 })),
    );
    await inBatches(RESOURCES.tables, 16, (i) =>
      ddb.send(
        new CreateTableCommand({
          TableName: `bench-${i}`,
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      ),
    );
    await inBatches(RESOURCES.keys, 16, () => kms.send(new CreateKeyCommand({})));
    await inBatches(RESOURCES.eips, 16, () => ec2.send(new AllocateAddressCommand({ Domain: 'vpc' })));
    const setupMs = performance.now() - t0;
    for (const c of [ec2, s3, iam, kms, ddb]) c.destroy();

    const counter = installCallCounter();
    const t1 = performance.now();
    let res: Awaited<ReturnType<typeof collect>>;
    try {
      res = await collect({ regions: ['us-east-1'], endpoint: moto.endpoint, credentials, now: NOW });
    } finally {
      counter.uninstall();
    }
    const ms = performance.now() - t1;
    const byType: Record<string, number> = {};
    for (const ci of res.snapshot.configurationItems) byType[ci.resourceType] = (byType[ci.resourceType] ?? 0) + 1;
    const sorted = (m: Map<string, number>) =>
      Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
    // Evaluating every rule on the collected snapshot makes no further API call (rules are pure).
    const before = [...counter.calls.values()].reduce((a, b) => a + b, 0);
    const evalStart = performance.now();
    const evals = evaluate(
      { items: res.snapshot.configurationItems },
      ALL_RULES.map((rule) => ({ rule })),
      { now: NOW },
    );
    const evalMs = performance.now() - evalStart;
    return {
      resourcesCreated: Object.values(RESOURCES).reduce((a, b) => a + b, 0) + 1,
      createdBy: RESOURCES,
      setupMs: Math.round(setupMs),
      collection: {
        ms: Math.round(ms),
        configurationItems: res.snapshot.configurationItems.length,
        byType,
        errors: res.snapshot.errors.map((e) => `${e.service} ${e.region} ${e.operation}: ${e.reason}`.slice(0, 200)),
        /** HTTP attempts beyond one per call: the SDK's retries (throttling, 5xx from the emulator). */
        retries:
          [...counter.attempts.values()].reduce((a, b) => a + b, 0) -
          [...counter.calls.values()].reduce((a, b) => a + b, 0),
        apiCallsCountedByMiddleware: [...counter.calls.values()].reduce((a, b) => a + b, 0),
        httpAttempts: [...counter.attempts.values()].reduce((a, b) => a + b, 0),
        apiCallsCountedByCollector: res.totalCalls,
        callsPerOperation: sorted(counter.calls),
      },
      evaluation: {
        rules: ALL_RULES.length,
        evaluations: evals.evaluations.length,
        ms: Math.round(evalMs),
        apiCallsDuringEvaluation: [...counter.calls.values()].reduce((a, b) => a + b, 0) - before,
      },
    };
  } finally {
    await moto.stop();
  }
}

export async function benchPosture() {
  return { evaluate: benchEvaluation(), collect: await benchCollection() };
}
