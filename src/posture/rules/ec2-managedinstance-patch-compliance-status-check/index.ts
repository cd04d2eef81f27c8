import { defineRule } from '../../rule.js';
import { complianceStatusRule } from '../ssm.js';

export const rule = defineRule(
  {
    name: 'ec2-managedinstance-patch-compliance-status-check',
    resourceTypes: ['AWS::SSM::PatchCompliance'],
    severity: 'HIGH',
    title: 'Managed instances are compliant with their patch baseline',
    description:
      'Checks whether the patch compliance status of a Systems Manager managed instance is COMPLIANT after a patch scan or install.',
    risk: 'Missing security patches are the commonest path to instance compromise.',
    remediation:
      'Run AWS-RunPatchBaseline with Operation=Install on the instance (or a Patch Manager maintenance window).',
    runbook: 'AWS-RunPatchBaseline',
  },
  complianceStatusRule('patch'),
);
