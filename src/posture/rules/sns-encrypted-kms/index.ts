import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { field } from '../util.js';

/** A key reference (ID, ARN, alias name or alias ARN) matches a wanted one by equality or by its trailing ID. */
function sameKey(a: string, b: string): boolean {
  if (a === b) return true;
  const tail = (s: string) => s.replace(/^arn:[^:]+:kms:[^:]*:[^:]*:/, '').replace(/^key\//, '');
  return tail(a) === tail(b);
}

export const rule = defineRule(
  {
    name: 'sns-encrypted-kms',
    resourceTypes: ['AWS::SNS::Topic'],
    parameters: [{ name: 'kmsKeyIds', type: 'list', description: 'Comma-separated KMS key IDs/ARNs allowed' }],
    severity: 'MEDIUM',
    title: 'SNS topics are encrypted with KMS',
    description: 'Checks whether Amazon SNS topics are encrypted at rest with AWS KMS (one of the given keys).',
    risk: 'Messages held by SNS are readable by anyone with access to the service storage path, without key control or audit.',
    remediation: 'aws sns set-topic-attributes --topic-arn ARN --attribute-name KmsMasterKeyId --attribute-value KEY',
  },
  (ci, p) => {
    if (ci.configurationItemStatus === 'ResourceNotRecorded') return insufficient('topic attributes not recorded');
    const key = String(field(ci.configuration, 'kmsMasterKeyId') ?? '');
    const ev = { path: 'configuration.KmsMasterKeyId', value: key || null };
    if (key === '') return nonCompliant('the topic has no KmsMasterKeyId (not encrypted)', ev);
    const allowed = p.kmsKeyIds as string[] | undefined;
    if (allowed && allowed.length > 0 && !allowed.some((a) => sameKey(a, key)))
      return nonCompliant(`encrypted with ${key}, not one of ${allowed.join(', ')}`, ev);
    return compliant(`encrypted with ${key}`, ev);
  },
);
