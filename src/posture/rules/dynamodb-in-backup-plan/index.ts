import { defineRule } from '../../rule.js';
import { resourceInPlanRule } from '../backup-rules.js';

export const rule = defineRule(
  {
    name: 'dynamodb-in-backup-plan',
    resourceTypes: ['AWS::DynamoDB::Table'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'DynamoDB tables are in an AWS Backup plan',
    description: 'Checks whether an Amazon DynamoDB table is taken in by the resource selection of an AWS Backup plan.',
    risk: 'Without a backup plan a table has only PITR (at most 35 days) or ad-hoc on-demand backups.',
    remediation: 'Add the table (by ARN or tag) to a backup plan selection.',
  },
  resourceInPlanRule('DynamoDB table'),
);
