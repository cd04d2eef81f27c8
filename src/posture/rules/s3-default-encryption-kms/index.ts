import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { arr, field, path } from '../util.js';

export const rule = defineRule(
  {
    name: 's3-default-encryption-kms',
    resourceTypes: ['AWS::S3::Bucket'],
    parameters: [{ name: 'kmsKeyArns', type: 'list', description: 'Allowed KMS key ARNs, comma-separated' }],
    severity: 'MEDIUM',
    title: 'S3 buckets are encrypted by default with AWS KMS',
    description: 'Checks whether the S3 buckets are encrypted with AWS KMS (optionally one of the given keys).',
    risk: 'SSE-S3 cannot restrict decryption by key policy or log key use in CloudTrail.',
    remediation: 'Set the bucket default encryption to aws:kms with a customer managed key.',
  },
  (ci, p) => {
    const rules = arr(field(ci.supplementaryConfiguration.ServerSideEncryptionConfiguration, 'rules'));
    const d = rules.map((r) => path(r, 'applyServerSideEncryptionByDefault')).find((x) => x !== undefined);
    const alg = field(d, 'sseAlgorithm');
    const key = field(d, 'kmsMasterKeyID');
    const ev = { path: 'supplementaryConfiguration.ServerSideEncryptionConfiguration', value: { alg, key } };
    if (alg !== 'aws:kms' && alg !== 'aws:kms:dsse')
      return nonCompliant(`default encryption is ${String(alg ?? 'none')}, not aws:kms`, ev);
    const allowed = p.kmsKeyArns;
    if (Array.isArray(allowed) && allowed.length > 0 && !allowed.includes(String(key)))
      return nonCompliant(`KMS key ${String(key)} is not in kmsKeyArns`, ev);
    return compliant(`aws:kms with ${String(key ?? 'aws/s3')}`, ev);
  },
);
