import { defineRule } from '../../rule.js';
import { complianceStatusRule } from '../ssm.js';

export const rule = defineRule(
  {
    name: 'ec2-managedinstance-association-compliance-status-check',
    resourceTypes: ['AWS::SSM::AssociationCompliance'],
    severity: 'LOW',
    title: 'State Manager associations ran successfully on managed instances',
    description:
      'Checks whether the compliance status of the State Manager associations on a managed instance is COMPLIANT.',
    risk: 'A failed association leaves the instance outside its intended configuration (agents, hardening, inventory).',
    remediation:
      'Inspect the association execution output and re-run it: aws ssm start-associations-once --association-ids ID',
  },
  complianceStatusRule('association'),
);
