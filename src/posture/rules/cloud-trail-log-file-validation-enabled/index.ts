import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { trailsOf } from '../trail.js';

export const rule = defineRule(
  {
    name: 'cloud-trail-log-file-validation-enabled',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'CloudTrail log file validation is enabled',
    description: 'Checks whether AWS CloudTrail creates a signed digest file with logs.',
    risk: 'Without digests, deleted or altered log files cannot be detected.',
    remediation: 'aws cloudtrail update-trail --enable-log-file-validation',
    runbook: 'AWSConfigRemediation-EnableCloudTrailLogFileValidation',
    frameworks: ['cis-aws-4.0.1:3.2'],
  },
  (ci, _p, ctx) => {
    if (!ctx.known('AWS::CloudTrail::Trail')) return insufficient('CloudTrail trails were not collected');
    const trails = trailsOf(ctx, ci.resourceId);
    if (trails.length === 0) return nonCompliant('no CloudTrail trail in the account');
    const bad = trails.filter((t) => !t.logFileValidation);
    if (bad.length > 0)
      return nonCompliant(`log file validation disabled on ${bad.map((t) => t.name).join(', ')}`, {
        path: 'AWS::CloudTrail::Trail.logFileValidationEnabled',
        value: bad.map((t) => t.name),
      });
    return compliant(`log file validation enabled on all ${trails.length} trail(s)`);
  },
);
