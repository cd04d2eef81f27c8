import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'rds-instance-deletion-protection-enabled',
    resourceTypes: ['AWS::RDS::DBInstance'],
    parameters: [
      { name: 'databaseEngines', type: 'list', description: 'Only evaluate these engines (comma-separated)' },
    ],
    severity: 'MEDIUM',
    title: 'RDS DB instances have deletion protection',
    description:
      'Checks whether an RDS DB instance has deletion protection enabled (optionally only for the given engines).',
    risk: 'One mistaken or malicious API call deletes the database.',
    remediation: 'aws rds modify-db-instance --deletion-protection',
  },
  (ci, p) => {
    const engine = String(field(ci.configuration, 'engine') ?? '');
    if (Array.isArray(p.databaseEngines) && p.databaseEngines.length > 0 && !p.databaseEngines.includes(engine))
      return notApplicable(`engine ${engine} not in databaseEngines`);
    const v = bool(field(ci.configuration, 'deletionProtection'));
    const ev = { path: 'configuration.deletionProtection', value: v ?? null };
    return v === true
      ? compliant('deletion protection is enabled', ev)
      : nonCompliant('deletion protection is disabled', ev);
  },
);
