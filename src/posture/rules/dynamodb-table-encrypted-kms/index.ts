import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 'dynamodb-table-encrypted-kms',
    resourceTypes: ['AWS::DynamoDB::Table'],
    parameters: [{ name: 'kmsKeyArns', type: 'list', description: 'Allowed KMS key ARNs' }],
    severity: 'MEDIUM',
    title: 'DynamoDB tables are encrypted with AWS KMS',
    description:
      'Checks whether DynamoDB tables are encrypted with a KMS key (SSEType KMS), optionally one of the given keys.',
    risk: 'Tables encrypted with the AWS owned key cannot be governed by key policy or audited per key.',
    remediation: 'aws dynamodb update-table --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=<key>',
  },
  (ci, p) => {
    const sse = field(ci.configuration, 'sSEDescription') ?? field(ci.configuration, 'sseDescription');
    const type = field(sse, 'sSEType') ?? field(sse, 'sseType');
    const status = field(sse, 'status');
    const key = field(sse, 'kMSMasterKeyArn') ?? field(sse, 'kmsMasterKeyArn');
    const ev = { path: 'configuration.sSEDescription', value: sse ?? null };
    if (type !== 'KMS' || (status !== undefined && status !== 'ENABLED'))
      return nonCompliant(`table is not encrypted with a KMS key (SSEType ${String(type ?? 'none')})`, ev);
    if (Array.isArray(p.kmsKeyArns) && p.kmsKeyArns.length > 0 && !p.kmsKeyArns.includes(String(key)))
      return nonCompliant(`KMS key ${String(key)} is not in kmsKeyArns`, ev);
    return compliant(`encrypted with ${String(key)}`, ev);
  },
);
