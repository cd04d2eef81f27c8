import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'encrypted-volumes',
    resourceTypes: ['AWS::EC2::Volume'],
    parameters: [
      { name: 'kmsId', type: 'string', description: 'ID or ARN of the KMS key that must encrypt the volume' },
    ],
    severity: 'MEDIUM',
    title: 'Attached EBS volumes are encrypted',
    description:
      'Checks whether EBS volumes that are in an attached state are encrypted, optionally with the given KMS key.',
    risk: 'Unencrypted volumes and their snapshots expose data at rest.',
    remediation:
      'Create an encrypted copy of the volume from a snapshot and swap it in; enable EBS encryption by default.',
  },
  (ci, params) => {
    const attachments = field(ci.configuration, 'attachments');
    if (Array.isArray(attachments) && attachments.length === 0) return notApplicable('volume is not attached');
    const enc = bool(field(ci.configuration, 'encrypted'));
    if (enc !== true)
      return nonCompliant('volume is not encrypted', { path: 'configuration.encrypted', value: enc ?? null });
    const want = params.kmsId;
    const key = String(field(ci.configuration, 'kmsKeyId') ?? '');
    if (typeof want === 'string' && want !== '' && key !== want && !key.endsWith(`/${want}`))
      return nonCompliant(`volume is encrypted with ${key}, not ${want}`, {
        path: 'configuration.kmsKeyId',
        value: key,
      });
    return compliant('volume is encrypted', { path: 'configuration.encrypted', value: true });
  },
);
