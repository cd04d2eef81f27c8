import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'rds-storage-encrypted',
    resourceTypes: ['AWS::RDS::DBInstance'],
    parameters: [{ name: 'kmsKeyId', type: 'string', description: 'KMS key ID or ARN that must encrypt the instance' }],
    severity: 'MEDIUM',
    title: 'RDS DB instances encrypt storage',
    description: 'Checks whether storage encryption is enabled for RDS DB instances (optionally with the given key).',
    risk: 'Unencrypted database storage, snapshots and replicas expose data at rest.',
    remediation:
      'Restore an encrypted copy of a snapshot into a new instance (encryption cannot be turned on in place).',
    frameworks: ['cis-aws-4.0.1:2.2.1'],
  },
  (ci, p) => {
    const enc = bool(field(ci.configuration, 'storageEncrypted'));
    if (enc !== true)
      return nonCompliant('storage is not encrypted', { path: 'configuration.storageEncrypted', value: enc ?? null });
    const key = String(field(ci.configuration, 'kmsKeyId') ?? '');
    if (typeof p.kmsKeyId === 'string' && key !== p.kmsKeyId && !key.endsWith(`/${p.kmsKeyId}`))
      return nonCompliant(`encrypted with ${key}, not ${p.kmsKeyId}`, { path: 'configuration.kmsKeyId', value: key });
    return compliant('storage is encrypted', { path: 'configuration.storageEncrypted', value: true });
  },
);
