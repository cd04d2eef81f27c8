import { defineRule } from '../../rule.js';
import { accountInPlanRule } from '../backup-rules.js';

export const rule = defineRule(
  {
    name: 'efs-in-backup-plan',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'EFS file systems are in an AWS Backup plan',
    description:
      'Checks whether every Amazon EFS file system is taken in by the resource selection of an AWS Backup plan.',
    risk: 'A file system outside every backup plan cannot be restored after deletion, corruption or ransomware.',
    remediation: 'Add the file systems to a backup plan selection, or enable the EFS automatic backup policy.',
  },
  accountInPlanRule('AWS::EFS::FileSystem', 'EFS file system'),
);
