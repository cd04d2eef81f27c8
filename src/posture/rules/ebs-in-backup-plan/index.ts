import { defineRule } from '../../rule.js';
import { accountInPlanRule } from '../backup-rules.js';

export const rule = defineRule(
  {
    name: 'ebs-in-backup-plan',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'EBS volumes are in an AWS Backup plan',
    description: 'Checks whether every Amazon EBS volume is taken in by the resource selection of an AWS Backup plan.',
    risk: 'A volume outside every backup plan has no managed, retained recovery point after deletion or corruption.',
    remediation:
      'Add the volumes (by ARN or tag) to a backup plan selection: aws backup create-backup-selection --backup-plan-id … --backup-selection …',
  },
  accountInPlanRule('AWS::EC2::Volume', 'EBS volume'),
);
