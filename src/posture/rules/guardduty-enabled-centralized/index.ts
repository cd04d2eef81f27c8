import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 'guardduty-enabled-centralized',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    parameters: [
      {
        name: 'CentralMonitoringAccount',
        type: 'string',
        description: 'Account ID that must be the GuardDuty administrator (findings centralised there)',
      },
    ],
    severity: 'HIGH',
    title: 'GuardDuty is enabled (and centralised)',
    description:
      'Checks whether GuardDuty is enabled in the account and region; with CentralMonitoringAccount, whether findings go to that administrator account.',
    risk: 'Without GuardDuty, credential theft, crypto-mining and reconnaissance go unnoticed.',
    remediation: 'Enable a GuardDuty detector in every region; delegate administration to the security account.',
  },
  (ci, p, ctx) => {
    if (!ctx.known('AWS::GuardDuty::Detector')) return insufficient('GuardDuty detectors were not collected');
    const dets = ctx.itemsOf('AWS::GuardDuty::Detector').filter((d) => d.awsAccountId === ci.resourceId);
    const enabled = dets.filter((d) => field(d.configuration, 'status') !== 'DISABLED');
    if (enabled.length === 0)
      return nonCompliant(dets.length === 0 ? 'no GuardDuty detector' : 'GuardDuty detector is disabled', {
        path: 'AWS::GuardDuty::Detector.status',
        value: dets.map((d) => field(d.configuration, 'status')),
      });
    const central = p.CentralMonitoringAccount;
    if (typeof central === 'string' && central !== ci.resourceId) {
      const admin = enabled
        .map((d) => field(d.supplementaryConfiguration.Administrator, 'accountId'))
        .find((a) => a !== undefined);
      if (admin !== central)
        return nonCompliant(`GuardDuty administrator is ${String(admin ?? 'none')}, not ${central}`, {
          path: 'supplementaryConfiguration.Administrator.accountId',
          value: admin ?? null,
        });
    }
    return compliant(`GuardDuty enabled in ${enabled.map((d) => d.awsRegion).join(', ')}`, {
      path: 'AWS::GuardDuty::Detector',
      value: enabled.map((d) => d.resourceId),
    });
  },
);
