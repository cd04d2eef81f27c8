import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'rds-multi-az-support',
    resourceTypes: ['AWS::RDS::DBInstance'],
    severity: 'MEDIUM',
    title: 'RDS DB instances use Multi-AZ deployments',
    description: 'Checks whether high availability is enabled for RDS DB instances (MultiAZ).',
    risk: 'A single-AZ database is unavailable during an AZ failure or maintenance.',
    remediation: 'aws rds modify-db-instance --multi-az',
    frameworks: ['cis-aws-4.0.1:2.2.4'],
  },
  (ci) => {
    const v = bool(field(ci.configuration, 'multiAZ'));
    const ev = { path: 'configuration.multiAZ', value: v ?? null };
    return v === true ? compliant('Multi-AZ is enabled', ev) : nonCompliant('Multi-AZ is disabled', ev);
  },
);
