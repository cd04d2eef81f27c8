import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { activeTrails, logsAllManagementEvents, trailsOf } from '../trail.js';

export const rule = defineRule(
  {
    name: 'multi-region-cloudtrail-enabled',
    identifier: 'MULTI_REGION_CLOUD_TRAIL_ENABLED',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    parameters: [
      { name: 's3BucketName', type: 'string', description: 'Bucket the trail must deliver to' },
      { name: 'snsTopicArn', type: 'string', description: 'SNS topic the trail must notify' },
      { name: 'cloudWatchLogsLogGroupArn', type: 'string', description: 'Log group the trail must deliver to' },
      { name: 'includeManagementEvents', type: 'boolean', description: 'Require management events' },
      { name: 'readWriteType', type: 'string', description: 'ReadOnly, WriteOnly or All' },
    ],
    severity: 'HIGH',
    title: 'At least one multi-region CloudTrail trail logs all management events',
    description:
      'Checks that there is at least one multi-region AWS CloudTrail trail (with management events when asked).',
    risk: 'Activity in regions without a trail — a favourite for attackers — goes unrecorded.',
    remediation: 'aws cloudtrail update-trail --is-multi-region-trail; keep management events read/write All.',
    runbook: 'AWS-EnableCloudTrail',
    frameworks: ['cis-aws-4.0.1:3.1'],
  },
  (ci, p, ctx) => {
    if (!ctx.known('AWS::CloudTrail::Trail')) return insufficient('CloudTrail trails were not collected');
    const trails = activeTrails(trailsOf(ctx, ci.resourceId)).filter((t) => t.multiRegion);
    const needMgmt = p.includeManagementEvents === true || p.readWriteType === 'All';
    const ok = trails.filter(
      (t) =>
        (p.s3BucketName === undefined || t.s3BucketName === p.s3BucketName) &&
        (p.snsTopicArn === undefined || t.snsTopicArn === p.snsTopicArn) &&
        (p.cloudWatchLogsLogGroupArn === undefined || t.logGroupArn === p.cloudWatchLogsLogGroupArn) &&
        (!needMgmt || logsAllManagementEvents(t)),
    );
    if (ok.length === 0)
      return nonCompliant(
        trails.length === 0 ? 'no logging multi-region trail' : 'no multi-region trail meets the parameters',
        { path: 'AWS::CloudTrail::Trail.isMultiRegionTrail', value: trails.map((t) => t.name) },
      );
    return compliant(`multi-region trail ${ok[0]!.name} is logging`, {
      path: 'AWS::CloudTrail::Trail',
      value: ok[0]!.arn,
    });
  },
);
