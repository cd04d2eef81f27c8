import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { activeTrails, trailsOf } from '../trail.js';

export const rule = defineRule(
  {
    name: 'cloud-trail-cloud-watch-logs-enabled',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    parameters: [
      {
        name: 'expectedDeliveryWindowAge',
        type: 'int',
        description: 'Maximum hours since the last delivery to CloudWatch Logs',
      },
    ],
    severity: 'LOW',
    title: 'CloudTrail trails send events to CloudWatch Logs',
    description:
      'Checks whether CloudTrail trails send logs to Amazon CloudWatch Logs (delivered within the expected window).',
    risk: 'Metric filters and alarms (CIS 4.x) need the trail in CloudWatch Logs.',
    remediation: 'aws cloudtrail update-trail --cloud-watch-logs-log-group-arn … --cloud-watch-logs-role-arn …',
  },
  (ci, p, ctx) => {
    if (!ctx.known('AWS::CloudTrail::Trail')) return insufficient('CloudTrail trails were not collected');
    const trails = activeTrails(trailsOf(ctx, ci.resourceId)).filter((t) => t.logGroupArn);
    if (trails.length === 0) return nonCompliant('no logging trail delivers to CloudWatch Logs');
    const hours = p.expectedDeliveryWindowAge;
    if (typeof hours === 'number') {
      const fresh = trails.find((t) => {
        const at = t.latestCloudWatchLogsDelivery ? Date.parse(t.latestCloudWatchLogsDelivery) : Number.NaN;
        return !Number.isNaN(at) && ctx.now - at <= hours * 3_600_000;
      });
      if (!fresh)
        return nonCompliant(`no trail delivered to CloudWatch Logs in the last ${hours} hours`, {
          path: 'supplementaryConfiguration.TrailStatus.latestCloudWatchLogsDeliveryTime',
          value: trails.map((t) => t.latestCloudWatchLogsDelivery ?? null),
        });
    }
    return compliant(`trail ${trails[0]!.name} delivers to ${trails[0]!.logGroupArn}`);
  },
);
