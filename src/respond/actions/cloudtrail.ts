/**
 * CloudTrail remediations: resume logging on a stopped trail (StopLogging is a classic defence-evasion step,
 * GuardDuty Stealth:IAMUser/CloudTrailLoggingDisabled) and enable log file integrity validation.
 */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, blockedPlan, call, makePlan } from './sdk.js';

const params = z.object({ trailName: z.string().min(1).describe('Trail name or ARN') });
type Params = z.infer<typeof params>;

export const cloudtrailStartLogging = defineAction<Params>({
  name: 'cloudtrail-start-logging',
  category: 'logging',
  title: 'Resume CloudTrail logging',
  description: 'Calls StartLogging on a trail whose logging is stopped.',
  params,
  permissions: ['cloudtrail:GetTrailStatus', 'cloudtrail:StartLogging'],
  undo: 'cloudtrail:StopLogging on the trail (not recommended).',
  references: [
    'AWS Config rule cloudtrail-enabled / multi-region-cloudtrail-enabled',
    'GuardDuty finding Stealth:IAMUser/CloudTrailLoggingDisabled',
    'AWS Security Hub ASR playbook CloudTrail.1',
  ],
  target: (p) => p.trailName,
  async plan(p, ctx) {
    const { GetTrailStatusCommand } = await import('@aws-sdk/client-cloudtrail');
    const ct = await awsClient(ctx, 'cloudtrail');
    const st = await ct.send(new GetTrailStatusCommand({ Name: p.trailName }));
    const calls = st.IsLogging
      ? []
      : [
          call(
            'cloudtrail:StartLogging',
            { Name: p.trailName },
            `trail is not logging${st.StopLoggingTime ? ` (stopped ${st.StopLoggingTime.toISOString()})` : ''}`,
          ),
        ];
    return makePlan('cloudtrail-start-logging', p.trailName, calls, {
      isLogging: !!st.IsLogging,
      stopLoggingTime: st.StopLoggingTime?.toISOString() ?? null,
      latestDeliveryError: st.LatestDeliveryError ?? null,
    });
  },
});

export const cloudtrailEnableLogFileValidation = defineAction<Params>({
  name: 'cloudtrail-enable-log-file-validation',
  category: 'logging',
  title: 'Enable CloudTrail log file validation',
  description: 'Turns on log file integrity validation (signed digest files) for a trail.',
  params,
  permissions: ['cloudtrail:DescribeTrails', 'cloudtrail:UpdateTrail'],
  undo: 'cloudtrail:UpdateTrail with EnableLogFileValidation=false.',
  references: [
    'AWS Config rule cloud-trail-log-file-validation-enabled',
    'AWS Security Hub ASR playbook CloudTrail.4 (EnableCloudTrailLogFileValidation)',
    'CIS AWS Foundations Benchmark 3.2',
  ],
  target: (p) => p.trailName,
  async plan(p, ctx) {
    const name = 'cloudtrail-enable-log-file-validation';
    const { DescribeTrailsCommand } = await import('@aws-sdk/client-cloudtrail');
    const ct = await awsClient(ctx, 'cloudtrail');
    const out = await ct.send(new DescribeTrailsCommand({ trailNameList: [p.trailName] }));
    const trail = out.trailList?.[0];
    if (!trail) return blockedPlan(name, p.trailName, `trail ${p.trailName} not found`);
    const calls = trail.LogFileValidationEnabled
      ? []
      : [
          call(
            'cloudtrail:UpdateTrail',
            { Name: p.trailName, EnableLogFileValidation: true },
            'log file validation is disabled',
          ),
        ];
    return makePlan(name, trail.TrailARN ?? p.trailName, calls, {
      logFileValidationEnabled: !!trail.LogFileValidationEnabled,
      homeRegion: trail.HomeRegion,
    });
  },
});
