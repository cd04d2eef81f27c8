import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'rds-cluster-deletion-protection-enabled',
    resourceTypes: ['AWS::RDS::DBCluster'],
    severity: 'MEDIUM',
    title: 'RDS DB clusters have deletion protection',
    description: 'Checks whether an RDS DB cluster has deletion protection enabled.',
    risk: 'One mistaken or malicious API call deletes the cluster.',
    remediation: 'aws rds modify-db-cluster --deletion-protection',
  },
  (ci) => {
    const v = bool(field(ci.configuration, 'deletionProtection'));
    const ev = { path: 'configuration.deletionProtection', value: v ?? null };
    return v === true
      ? compliant('deletion protection is enabled', ev)
      : nonCompliant('deletion protection is disabled', ev);
  },
);
