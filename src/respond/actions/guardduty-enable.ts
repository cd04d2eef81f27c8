/** Enable GuardDuty in the region: create a detector when there is none, re-enable a disabled one. */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({
  findingPublishingFrequency: z.enum(['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS']).default('FIFTEEN_MINUTES'),
});
type Params = z.infer<typeof params>;

export const guarddutyEnable = defineAction<Params>({
  name: 'guardduty-enable',
  category: 'logging',
  title: 'Enable GuardDuty',
  description:
    'Creates an enabled GuardDuty detector in the region, or enables the existing one (publishing frequency is only set on create).',
  params,
  permissions: [
    'guardduty:CreateDetector',
    'guardduty:GetDetector',
    'guardduty:ListDetectors',
    'guardduty:UpdateDetector',
    'iam:CreateServiceLinkedRole',
  ],
  undo: 'guardduty:UpdateDetector with Enable=false (or DeleteDetector, which loses findings).',
  references: [
    'AWS Config rule guardduty-enabled-centralized',
    'AWS Security Hub ASR playbook GuardDuty.1 (EnableGuardDuty)',
    'GuardDuty finding Stealth:IAMUser/… detector deletion (defence evasion)',
  ],
  target: (_p) => 'guardduty',
  async plan(p, ctx) {
    const name = 'guardduty-enable';
    const gd = await import('@aws-sdk/client-guardduty');
    const c = await awsClient(ctx, 'guardduty');
    const ids = (await c.send(new gd.ListDetectorsCommand({}))).DetectorIds ?? [];
    const target = `arn:aws:guardduty:${ctx.region}:${ctx.accountId}:detector`;
    if (!ids.length) {
      return makePlan(
        name,
        target,
        [
          call(
            'guardduty:CreateDetector',
            { Enable: true, FindingPublishingFrequency: p.findingPublishingFrequency },
            `no GuardDuty detector in ${ctx.region}`,
          ),
        ],
        { detectorId: null },
      );
    }
    const det = await c.send(new gd.GetDetectorCommand({ DetectorId: ids[0] }));
    const calls =
      det.Status === 'ENABLED'
        ? []
        : [
            call(
              'guardduty:UpdateDetector',
              { DetectorId: ids[0], Enable: true },
              `detector ${ids[0]} is ${det.Status}`,
            ),
          ];
    return makePlan(name, `${target}/${ids[0]}`, calls, { detectorId: ids[0], status: det.Status });
  },
});
