import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { num, path } from '../util.js';

export const rule = defineRule(
  {
    name: 'dynamodb-pitr-enabled',
    resourceTypes: ['AWS::DynamoDB::Table'],
    severity: 'MEDIUM',
    title: 'DynamoDB tables have point-in-time recovery enabled',
    description: 'Checks that point-in-time recovery (PITR) is enabled for Amazon DynamoDB tables.',
    risk: 'Without PITR an accidental write or delete cannot be rolled back (recovery window 1–35 days, default 35).',
    remediation:
      'aws dynamodb update-continuous-backups --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true',
  },
  (ci) => {
    const d = ci.supplementaryConfiguration.ContinuousBackupsDescription;
    const status = path(d, 'pointInTimeRecoveryDescription.pointInTimeRecoveryStatus');
    const p =
      'supplementaryConfiguration.ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus';
    if (status === undefined) return insufficient('continuous backups status not recorded');
    if (status !== 'ENABLED')
      return nonCompliant(`point-in-time recovery is ${String(status)}`, { path: p, value: status });
    const days = num(path(d, 'pointInTimeRecoveryDescription.recoveryPeriodInDays'));
    return compliant(`point-in-time recovery is ENABLED${days ? ` (${days} days)` : ''}`, { path: p, value: status });
  },
);
