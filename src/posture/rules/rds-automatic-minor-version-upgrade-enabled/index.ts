import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'rds-automatic-minor-version-upgrade-enabled',
    resourceTypes: ['AWS::RDS::DBInstance'],
    severity: 'MEDIUM',
    title: 'RDS DB instances upgrade minor versions automatically',
    description: 'Checks whether RDS instances have automatic minor version upgrades enabled.',
    risk: 'Security fixes in minor engine versions are not applied.',
    remediation: 'aws rds modify-db-instance --auto-minor-version-upgrade',
    frameworks: ['cis-aws-4.0.1:2.2.2'],
  },
  (ci) => {
    const v = bool(field(ci.configuration, 'autoMinorVersionUpgrade'));
    const ev = { path: 'configuration.autoMinorVersionUpgrade', value: v ?? null };
    return v === true
      ? compliant('automatic minor version upgrade is enabled', ev)
      : nonCompliant('automatic minor version upgrade is disabled', ev);
  },
);
