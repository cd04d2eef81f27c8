import {
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateSubnetCommand, CreateVpcCommand, DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  UpdateDetectorCommand,
} from '@aws-sdk/client-guardduty';
import { CreateKeyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateWebACLCommand, GetLoggingConfigurationCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/respond/action.js';
import { cloudtrailEnableLogFileValidation, cloudtrailStartLogging } from '../../../src/respond/actions/cloudtrail.js';
import { validateParams } from '../../../src/respond/actions/define.js';
import { ec2EnableVpcFlowLogs, flowLogSatisfies } from '../../../src/respond/actions/ec2-enable-vpc-flow-logs.js';
import {
  decideAccessLogAttributes,
  elbv2EnableAccessLogs,
} from '../../../src/respond/actions/elbv2-enable-access-logs.js';
import { guarddutyEnable } from '../../../src/respond/actions/guardduty-enable.js';
import { kmsEnableKeyRotation } from '../../../src/respond/actions/kms-enable-key-rotation.js';
import { wafv2EnableLogging } from '../../../src/respond/actions/wafv2-enable-logging.js';
import type { MotoServer } from '../../helpers/moto.js';
import { motoAvailable, params, planApplyReplan, type SdkConfig, startMotoContext } from './harness.js';

describe('logging decisions (pure)', () => {
  it('flow logs: ALL covers REJECT; the destination kind must match; params name what is missing', () => {
    const p = params(ec2EnableVpcFlowLogs, { vpcId: 'vpc-0a', destinationType: 's3', s3BucketArn: 'arn:aws:s3:::b' });
    expect(flowLogSatisfies({ TrafficType: 'ALL', LogDestinationType: 's3' }, p)).toBe(true);
    expect(flowLogSatisfies({ TrafficType: 'ACCEPT', LogDestinationType: 's3' }, p)).toBe(false);
    expect(flowLogSatisfies({ TrafficType: 'REJECT', LogDestinationType: 'cloud-watch-logs' }, p)).toBe(false);
    const bad = validateParams(ec2EnableVpcFlowLogs, { vpcId: 'vpc-0a' });
    expect(bad).toEqual({
      ok: false,
      errors: [
        'ec2-enable-vpc-flow-logs: parameter deliverLogsPermissionArn: deliverLogsPermissionArn (an IAM role CloudWatch Logs delivery assumes) is required for cloud-watch-logs',
      ],
    });
  });
  it('ELB access logs: nothing when bucket and prefix already match', () => {
    const p = params(elbv2EnableAccessLogs, { loadBalancerArn: 'arn:x', bucket: 'logs', prefix: 'alb' });
    expect(
      decideAccessLogAttributes(p, {
        'access_logs.s3.enabled': 'true',
        'access_logs.s3.bucket': 'logs',
        'access_logs.s3.prefix': 'alb',
      }),
    ).toEqual([]);
    expect(decideAccessLogAttributes(p, { 'access_logs.s3.enabled': 'false' })).toHaveLength(3);
  });
  it('WAF logging destination must carry the aws-waf-logs- prefix', () => {
    const r = validateParams(wafv2EnableLogging, {
      webAclArn: 'arn:aws:wafv2:us-east-1:1:regional/webacl/a/1',
      logDestinationArn: 'arn:aws:logs:us-east-1:1:log-group:waf',
    });
    expect(r.ok).toBe(false);
  });
});

describe.skipIf(!motoAvailable())('logging actions against moto_server', () => {
  let moto: MotoServer;
  let ctx: ActionContext;
  let config: SdkConfig;
  let s3: S3Client;
  let ec2: EC2Client;

  beforeAll(async () => {
    ({ moto, ctx, config } = await startMotoContext());
    s3 = new S3Client(config);
    ec2 = new EC2Client(config);
    await s3.send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('cloudtrail-start-logging and -enable-log-file-validation: trail logs with validation, read back', async () => {
    const ct = new CloudTrailClient(config);
    await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: 'trail-logs' }));
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'main' }))).IsLogging).toBe(false);
    const { plan } = await planApplyReplan(cloudtrailStartLogging, ctx, { trailName: 'main' });
    expect(plan.calls).toEqual([
      { action: 'cloudtrail:StartLogging', params: { Name: 'main' }, reason: 'trail is not logging' },
    ]);
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'main' }))).IsLogging).toBe(true);

    await planApplyReplan(cloudtrailEnableLogFileValidation, ctx, { trailName: 'main' });
    const t = (await ct.send(new DescribeTrailsCommand({ trailNameList: ['main'] }))).trailList![0]!;
    expect(t.LogFileValidationEnabled).toBe(true);
  });

  it('ec2-enable-vpc-flow-logs: S3 destination, REJECT traffic, read back', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!;
    const { plan } = await planApplyReplan(ec2EnableVpcFlowLogs, ctx, {
      vpcId,
      destinationType: 's3',
      s3BucketArn: 'arn:aws:s3:::trail-logs',
    });
    expect(plan.calls[0]!.params).toEqual({
      ResourceIds: [vpcId],
      ResourceType: 'VPC',
      TrafficType: 'REJECT',
      LogDestinationType: 's3',
      LogDestination: 'arn:aws:s3:::trail-logs',
    });
    const fl = await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpcId] }] }));
    expect(fl.FlowLogs!.map((f) => [f.TrafficType, f.LogDestinationType, f.LogDestination])).toEqual([
      ['REJECT', 's3', 'arn:aws:s3:::trail-logs'],
    ]);
  });

  it('ec2-enable-vpc-flow-logs: CloudWatch Logs destination with the delivery role', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.3.0.0/16' }))).Vpc!.VpcId!;
    const role = 'arn:aws:iam::123456789012:role/flow-logs-delivery';
    const { plan } = await planApplyReplan(ec2EnableVpcFlowLogs, ctx, {
      vpcId,
      trafficType: 'ALL',
      deliverLogsPermissionArn: role,
    });
    expect(plan.calls[0]!.params).toMatchObject({
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: '/vigil/vpc-flow-logs',
    });
    const fl = await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpcId] }] }));
    expect(fl.FlowLogs!.map((f) => [f.TrafficType, f.LogGroupName, f.DeliverLogsPermissionArn])).toEqual([
      ['ALL', '/vigil/vpc-flow-logs', role],
    ]);
  });

  it('guardduty-enable: creates a detector, then re-enables a disabled one', async () => {
    const gd = new GuardDutyClient(config);
    const { plan } = await planApplyReplan(guarddutyEnable, ctx, {});
    expect(plan.calls[0]).toMatchObject({ action: 'guardduty:CreateDetector', params: { Enable: true } });
    const [id] = (await gd.send(new ListDetectorsCommand({}))).DetectorIds!;
    expect((await gd.send(new GetDetectorCommand({ DetectorId: id }))).Status).toBe('ENABLED');
    await gd.send(new UpdateDetectorCommand({ DetectorId: id, Enable: false }));
    const again = await planApplyReplan(guarddutyEnable, ctx, {});
    expect(again.plan.calls[0]).toMatchObject({ action: 'guardduty:UpdateDetector', params: { DetectorId: id } });
    expect((await gd.send(new GetDetectorCommand({ DetectorId: id }))).Status).toBe('ENABLED');
  });

  it('kms-enable-key-rotation: rotation on, read back; asymmetric key blocked', async () => {
    const kms = new KMSClient(config);
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await planApplyReplan(kmsEnableKeyRotation, ctx, { keyId });
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(true);
    const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    const blocked = await kmsEnableKeyRotation.plan(params(kmsEnableKeyRotation, { keyId: rsa.KeyId }), ctx);
    expect(blocked.blocked).toBe('RSA_2048 keys do not support automatic rotation');
  });

  it('elbv2-enable-access-logs: attributes set, read back', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc!.VpcId!;
    const a = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.2.1.0/24', AvailabilityZone: 'us-east-1a' }),
      )
    ).Subnet!.SubnetId!;
    const b = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.2.2.0/24', AvailabilityZone: 'us-east-1b' }),
      )
    ).Subnet!.SubnetId!;
    const elb = new ElasticLoadBalancingV2Client(config);
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: [a, b] }))).LoadBalancers![0]!
      .LoadBalancerArn!;
    await planApplyReplan(elbv2EnableAccessLogs, ctx, { loadBalancerArn: lb, bucket: 'trail-logs', prefix: 'alb' });
    const attrs = (await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb }))).Attributes!;
    const m = Object.fromEntries(attrs.map((x) => [x.Key, x.Value]));
    expect([m['access_logs.s3.enabled'], m['access_logs.s3.bucket'], m['access_logs.s3.prefix']]).toEqual([
      'true',
      'trail-logs',
      'alb',
    ]);
  });

  it('wafv2-enable-logging: logging configuration put, read back', async () => {
    const waf = new WAFV2Client(config);
    const acl = (
      await waf.send(
        new CreateWebACLCommand({
          Name: 'edge',
          Scope: 'REGIONAL',
          DefaultAction: { Allow: {} },
          VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'edge' },
          Rules: [],
        }),
      )
    ).Summary!.ARN!;
    const dest = 'arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-edge';
    await planApplyReplan(wafv2EnableLogging, ctx, { webAclArn: acl, logDestinationArn: dest });
    const got = await waf.send(new GetLoggingConfigurationCommand({ ResourceArn: acl }));
    expect(got.LoggingConfiguration!.LogDestinationConfigs).toEqual([dest]);
  });
});
