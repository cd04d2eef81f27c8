import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { bool, field } from '../util.js';

const EFS = 'AWS::EFS::FileSystem';

export const rule = defineRule(
  {
    name: 'efs-encrypted-check',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    parameters: [{ name: 'KmsKeyId', type: 'string', description: 'ARN of the KMS key the file systems must use' }],
    severity: 'MEDIUM',
    title: 'EFS file systems are encrypted',
    description: 'Checks whether Amazon EFS file systems encrypt data at rest with AWS KMS (with the given key).',
    risk: 'Unencrypted file-system data is exposed if storage media or snapshots are accessed outside the service.',
    remediation: 'EFS encryption is set at creation: create an encrypted file system and copy the data (AWS DataSync).',
    frameworks: ['cis-aws-4.0.1:2.3.1'],
  },
  (ci, p, ctx) => {
    if (!ctx.known(EFS)) return insufficient('EFS file systems were not collected');
    const fss = ctx.itemsOf(EFS).filter((f) => f.awsAccountId === ci.resourceId);
    const bad: string[] = [];
    for (const f of fss) {
      const enc = bool(field(f.configuration, 'encrypted')) === true;
      const key = String(field(f.configuration, 'kmsKeyId') ?? '');
      if (!enc) bad.push(`${f.resourceId} (unencrypted)`);
      else if (typeof p.KmsKeyId === 'string' && key !== p.KmsKeyId) bad.push(`${f.resourceId} (key ${key})`);
    }
    if (bad.length > 0)
      return nonCompliant(`${bad.length} of ${fss.length} file system(s): ${bad.join(', ')}`, {
        path: `${EFS}.configuration.encrypted`,
        value: bad,
      });
    return compliant(`all ${fss.length} EFS file system(s) are encrypted`);
  },
);
