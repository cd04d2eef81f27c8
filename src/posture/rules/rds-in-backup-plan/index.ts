import { defineRule } from '../../rule.js';
import { resourceInPlanRule } from '../backup-rules.js';

export const rule = defineRule(
  {
    name: 'rds-in-backup-plan',
    resourceTypes: ['AWS::RDS::DBInstance'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'RDS DB instances are in an AWS Backup plan',
    description:
      'Checks whether an Amazon RDS DB instance is taken in by the resource selection of an AWS Backup plan.',
    risk: 'Automated RDS backups are kept at most 35 days and die with the instance; a backup plan keeps them longer and elsewhere.',
    remediation: 'Add the DB instance (by ARN or tag) to a backup plan selection.',
  },
  resourceInPlanRule('DB instance'),
);
