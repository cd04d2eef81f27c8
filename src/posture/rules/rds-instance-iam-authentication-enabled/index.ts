import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { bool, field } from '../util.js';

/** Engines that support IAM database authentication. */
const SUPPORTED = /^(mysql|mariadb|postgres|aurora|aurora-mysql|aurora-postgresql)$/;

export const rule = defineRule(
  {
    name: 'rds-instance-iam-authentication-enabled',
    resourceTypes: ['AWS::RDS::DBInstance'],
    severity: 'MEDIUM',
    title: 'RDS instances use IAM database authentication',
    description: 'Checks whether IAM database authentication is enabled on RDS DB instances whose engine supports it.',
    risk: 'Without IAM authentication, long-lived database passwords are shared, stored and rarely rotated.',
    remediation:
      'aws rds modify-db-instance --db-instance-identifier ID --enable-iam-database-authentication --apply-immediately',
  },
  (ci) => {
    const engine = String(field(ci.configuration, 'engine') ?? '');
    if (engine === '') return insufficient('engine not recorded');
    if (!SUPPORTED.test(engine)) return notApplicable(`engine ${engine} does not support IAM authentication`);
    const v = bool(
      field(ci.configuration, 'iAMDatabaseAuthenticationEnabled') ??
        field(ci.configuration, 'iamDatabaseAuthenticationEnabled'),
    );
    const ev = { path: 'configuration.iAMDatabaseAuthenticationEnabled', value: v ?? null };
    if (v === undefined) return insufficient('iAMDatabaseAuthenticationEnabled not recorded', ev);
    return v
      ? compliant('IAM database authentication is enabled', ev)
      : nonCompliant('IAM database authentication is disabled', ev);
  },
);
