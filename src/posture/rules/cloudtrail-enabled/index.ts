import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { activeTrails, trailsOf } from '../trail.js';

export const rule = defineRule(
  {
    name: 'cloudtrail-enabled',
    identifier: 'CLOUD_TRAIL_ENABLED',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    parameters: [
      { name: 's3BucketName', type: 'string', description: 'Bucket the trail must deliver to' },
      { name: 'snsTopicArn', type: 'string', description: 'SNS topic the trail must notify' },
      { name: 'cloudWatchLogsLogGroupArn', type: 'string', description: 'Log group the trail must deliver to' },
    ],
    severity: 'HIGH',
    title: 'A CloudTrail trail is enabled',
    description:
      'Checks whether an AWS CloudTrail trail is enabled in the account (optionally with the given destinations).',
    risk: 'Without a trail there is no durable record of API activity for detection or investigation.',
    remediation: 'Create a multi-region trail delivering to a dedicated, access-logged S3 bucket.',
    runbook: 'AWS-EnableCloudTrail',
  },
  (ci, p, ctx) => {
    if (!ctx.known('AWS::CloudTrail::Trail')) return insufficient('CloudTrail trails were not collected');
    const trails = activeTrails(trailsOf(ctx, ci.resourceId));
    const match = trails.filter(
      (t) =>
        (p.s3BucketName === undefined || t.s3BucketName === p.s3BucketName) &&
        (p.snsTopicArn === undefined || t.snsTopicArn === p.snsTopicArn) &&
        (p.cloudWatchLogsLogGroupArn === undefined || t.logGroupArn === p.cloudWatchLogsLogGroupArn),
    );
    if (match.length === 0)
      return nonCompliant(
        trails.length === 0
          ? 'no logging CloudTrail trail in the account'
          : `${trails.length} trail(s) but none matches the required destinations`,
        { path: 'AWS::CloudTrail::Trail', value: trails.map((t) => t.name) },
      );
    return compliant(`trail ${match[0]!.name} is logging`, {
      path: 'AWS::CloudTrail::Trail',
      value: match.map((t) => t.name),
    });
  },
);
