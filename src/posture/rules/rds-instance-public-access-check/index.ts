import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'rds-instance-public-access-check',
    resourceTypes: ['AWS::RDS::DBInstance'],
    severity: 'CRITICAL',
    title: 'RDS DB instances are not publicly accessible',
    description: 'Checks whether the Amazon RDS instances are not publicly accessible (publiclyAccessible false).',
    risk: 'A publicly accessible database endpoint is one weak password away from a breach.',
    remediation: 'aws rds modify-db-instance --no-publicly-accessible',
    runbook: 'AWSConfigRemediation-DisablePublicAccessToRDSInstance',
    frameworks: ['cis-aws-4.0.1:2.2.3'],
  },
  (ci) => {
    const pub = bool(field(ci.configuration, 'publiclyAccessible'));
    const ev = { path: 'configuration.publiclyAccessible', value: pub ?? null };
    if (pub === undefined) return insufficient('publiclyAccessible not recorded', ev);
    return pub === true
      ? nonCompliant('instance is publicly accessible', ev)
      : compliant('instance is not publicly accessible', ev);
  },
);
