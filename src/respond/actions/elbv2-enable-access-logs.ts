/** Enable access logging on an Application/Network Load Balancer (load balancer attributes access_logs.s3.*). */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({
  loadBalancerArn: z.string().startsWith('arn:', 'must be a load balancer ARN'),
  bucket: z.string().min(3).max(63),
  prefix: z.string().default(''),
});
type Params = z.infer<typeof params>;

/** Pure: the attributes to set, or none when logging already goes to that bucket and prefix. */
export function decideAccessLogAttributes(p: Params, attrs: Record<string, string | undefined>) {
  const want: Record<string, string> = {
    'access_logs.s3.enabled': 'true',
    'access_logs.s3.bucket': p.bucket,
    'access_logs.s3.prefix': p.prefix,
  };
  const differs = Object.entries(want).filter(([k, v]) => (attrs[k] ?? '') !== v);
  return differs.length ? Object.entries(want).map(([Key, Value]) => ({ Key, Value })) : [];
}

export const elbv2EnableAccessLogs = defineAction<Params>({
  name: 'elbv2-enable-access-logs',
  category: 'logging',
  title: 'Enable ELB access logging',
  description:
    'Sets access_logs.s3.enabled/bucket/prefix on an ALB or NLB. The bucket policy must allow the ELB log delivery principal.',
  params,
  permissions: [
    'elasticloadbalancing:DescribeLoadBalancerAttributes',
    'elasticloadbalancing:ModifyLoadBalancerAttributes',
  ],
  undo: 'elasticloadbalancing:ModifyLoadBalancerAttributes with the previous values (observed.accessLogs).',
  references: [
    'AWS Config rule elb-logging-enabled',
    'AWS Security Hub ASR playbook ELB.5',
    'Cloud Custodian app-elb action set-s3-logging',
  ],
  target: (p) => p.loadBalancerArn,
  async plan(p, ctx) {
    const { DescribeLoadBalancerAttributesCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
    const c = await awsClient(ctx, 'elasticloadbalancing');
    const out = await c.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: p.loadBalancerArn }));
    const attrs = Object.fromEntries((out.Attributes ?? []).map((a) => [a.Key ?? '', a.Value]));
    const set = decideAccessLogAttributes(p, attrs);
    const accessLogs = Object.fromEntries(Object.entries(attrs).filter(([k]) => k.startsWith('access_logs.')));
    const calls = set.length
      ? [
          call(
            'elasticloadbalancing:ModifyLoadBalancerAttributes',
            { LoadBalancerArn: p.loadBalancerArn, Attributes: set },
            attrs['access_logs.s3.enabled'] === 'true'
              ? `access logs go to ${attrs['access_logs.s3.bucket']}/${attrs['access_logs.s3.prefix'] ?? ''}`
              : 'access logging is disabled',
          ),
        ]
      : [];
    return makePlan('elbv2-enable-access-logs', p.loadBalancerArn, calls, { accessLogs });
  },
});
