import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { ELB, ELBV2, lbType, v2Attr, v2AttrPath } from '../elb.js';
import { bool, field, path } from '../util.js';

export const rule = defineRule(
  {
    name: 'elb-logging-enabled',
    resourceTypes: [ELB, ELBV2],
    parameters: [
      { name: 's3BucketNames', type: 'list', description: 'Comma-separated S3 bucket names the logs must go to' },
    ],
    severity: 'MEDIUM',
    title: 'Load balancers write access logs',
    description:
      'Checks whether Application, Network and Classic Load Balancers have access logging enabled (to one of the given buckets).',
    risk: 'Without access logs there is no record of who sent which request through the load balancer.',
    remediation:
      'aws elbv2 modify-load-balancer-attributes --attributes Key=access_logs.s3.enabled,Value=true Key=access_logs.s3.bucket,Value=BUCKET',
  },
  (ci, p) => {
    let enabled: boolean | undefined;
    let bucket: unknown;
    let where: string;
    if (ci.resourceType === ELBV2) {
      if (lbType(ci) === 'gateway') return notApplicable('Gateway Load Balancers have no access logs');
      const e = v2Attr(ci, 'access_logs.s3.enabled');
      if (e === undefined) return insufficient('load balancer attributes were not recorded');
      enabled = e === 'true';
      bucket = v2Attr(ci, 'access_logs.s3.bucket');
      where = v2AttrPath('access_logs.s3.enabled');
    } else {
      const log = path(ci.supplementaryConfiguration.LoadBalancerAttributes, 'accessLog');
      if (log === undefined) return insufficient('load balancer attributes were not recorded');
      enabled = bool(field(log, 'enabled')) === true;
      bucket = field(log, 's3BucketName');
      where = 'supplementaryConfiguration.LoadBalancerAttributes.accessLog.enabled';
    }
    if (!enabled) return nonCompliant('access logging is disabled', { path: where, value: false });
    const allowed = p.s3BucketNames as string[] | undefined;
    if (allowed && allowed.length > 0 && !allowed.includes(String(bucket)))
      return nonCompliant(`access logs go to ${String(bucket)}, not one of ${allowed.join(', ')}`, {
        path: where.replace(/enabled(\.value)?$/, 'bucket'),
        value: bucket ?? null,
      });
    return compliant(`access logs go to s3://${String(bucket ?? '?')}`, { path: where, value: true });
  },
);
