import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'rds-snapshot-encrypted',
    resourceTypes: ['AWS::RDS::DBSnapshot', 'AWS::RDS::DBClusterSnapshot'],
    severity: 'MEDIUM',
    title: 'RDS snapshots are encrypted',
    description: 'Checks whether Amazon RDS DB and cluster snapshots are encrypted.',
    risk: 'An unencrypted snapshot copied or shared out of the account exposes the data in clear.',
    remediation: 'aws rds copy-db-snapshot --kms-key-id KEY (the copy is encrypted); delete the unencrypted one.',
  },
  (ci) => {
    const name = ci.resourceType === 'AWS::RDS::DBSnapshot' ? 'encrypted' : 'storageEncrypted';
    const v = bool(field(ci.configuration, name) ?? field(ci.configuration, 'encrypted'));
    const ev = { path: `configuration.${name}`, value: v ?? null };
    if (v === undefined) return insufficient(`${name} not recorded`, ev);
    return v
      ? compliant(
          `snapshot is encrypted${field(ci.configuration, 'kmsKeyId') ? ` with ${String(field(ci.configuration, 'kmsKeyId'))}` : ''}`,
          ev,
        )
      : nonCompliant('snapshot is not encrypted', ev);
  },
);
