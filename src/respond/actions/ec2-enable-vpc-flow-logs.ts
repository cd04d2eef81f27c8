/**
 * Enable VPC flow logs to CloudWatch Logs (needs a delivery role) or S3. An existing flow log on the VPC that captures
 * at least the requested traffic (ALL covers REJECT and ACCEPT) to the same kind of destination counts as done.
 */
import type { FlowLog } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z
  .object({
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'must be a VPC id (vpc-…)'),
    trafficType: z.enum(['ALL', 'ACCEPT', 'REJECT']).default('REJECT'),
    destinationType: z.enum(['cloud-watch-logs', 's3']).default('cloud-watch-logs'),
    logGroupName: z.string().min(1).default('/vigil/vpc-flow-logs'),
    deliverLogsPermissionArn: z.string().startsWith('arn:').optional(),
    s3BucketArn: z.string().startsWith('arn:aws:s3:::').optional(),
  })
  .refine((p) => p.destinationType !== 'cloud-watch-logs' || p.deliverLogsPermissionArn, {
    message: 'deliverLogsPermissionArn (an IAM role CloudWatch Logs delivery assumes) is required for cloud-watch-logs',
    path: ['deliverLogsPermissionArn'],
  })
  .refine((p) => p.destinationType !== 's3' || p.s3BucketArn, {
    message: 's3BucketArn is required for destinationType s3',
    path: ['s3BucketArn'],
  });
type Params = z.infer<typeof params>;

/** Pure: whether an existing flow log already satisfies the request. */
export function flowLogSatisfies(f: FlowLog, p: Params): boolean {
  if (f.FlowLogStatus && f.FlowLogStatus !== 'ACTIVE') return false;
  if ((f.LogDestinationType ?? 'cloud-watch-logs') !== p.destinationType) return false;
  return f.TrafficType === 'ALL' || f.TrafficType === p.trafficType;
}

export const ec2EnableVpcFlowLogs = defineAction<Params>({
  name: 'ec2-enable-vpc-flow-logs',
  category: 'logging',
  title: 'Enable VPC flow logs',
  description:
    'Creates a flow log for the VPC to CloudWatch Logs (log group + delivery role) or S3, unless one capturing the requested traffic type already exists.',
  params,
  permissions: ['ec2:CreateFlowLogs', 'ec2:DescribeFlowLogs', 'iam:PassRole', 'logs:CreateLogDelivery'],
  undo: 'ec2:DeleteFlowLogs with the FlowLogIds returned by the call.',
  references: [
    'AWS Config rule vpc-flow-logs-enabled',
    'AWS Security Hub ASR playbook EC2.6 (EnableVPCFlowLogs, traffic type REJECT)',
    'CIS AWS Foundations Benchmark 3.9',
  ],
  target: (p) => p.vpcId,
  async plan(p, ctx) {
    const { DescribeFlowLogsCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await awsClient(ctx, 'ec2');
    const out = await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [p.vpcId] }] }));
    const existing = out.FlowLogs ?? [];
    const done = existing.find((f) => flowLogSatisfies(f, p));
    const dest =
      p.destinationType === 's3'
        ? { LogDestinationType: 's3', LogDestination: p.s3BucketArn }
        : {
            LogDestinationType: 'cloud-watch-logs',
            LogGroupName: p.logGroupName,
            DeliverLogsPermissionArn: p.deliverLogsPermissionArn,
          };
    const calls = done
      ? []
      : [
          call(
            'ec2:CreateFlowLogs',
            { ResourceIds: [p.vpcId], ResourceType: 'VPC', TrafficType: p.trafficType, ...dest },
            existing.length
              ? `existing flow logs (${existing.map((f) => `${f.TrafficType} to ${f.LogDestinationType}`).join(', ')}) do not capture ${p.trafficType} to ${p.destinationType}`
              : 'the VPC has no flow log',
          ),
        ];
    return makePlan('ec2-enable-vpc-flow-logs', p.vpcId, calls, {
      flowLogs: existing.map((f) => ({
        id: f.FlowLogId,
        trafficType: f.TrafficType,
        destination: f.LogDestinationType,
      })),
    });
  },
});
