import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 's3-bucket-logging-enabled',
    resourceTypes: ['AWS::S3::Bucket'],
    parameters: [
      { name: 'targetBucket', type: 'string', description: 'Required destination bucket' },
      { name: 'targetPrefix', type: 'string', description: 'Required log prefix' },
    ],
    severity: 'MEDIUM',
    title: 'S3 server access logging is enabled',
    description: 'Checks whether logging is enabled for S3 buckets (optionally to the given bucket and prefix).',
    risk: 'Without access logs, data access cannot be reconstructed after an incident.',
    remediation: 'Enable server access logging to a dedicated log bucket.',
    frameworks: ['cis-aws-4.0.1:3.4'],
  },
  (ci, p) => {
    const l = ci.supplementaryConfiguration.BucketLoggingConfiguration;
    const dest = field(l, 'destinationBucketName');
    const prefix = field(l, 'logFilePrefix');
    const ev = { path: 'supplementaryConfiguration.BucketLoggingConfiguration', value: l ?? null };
    if (typeof dest !== 'string' || dest === '') return nonCompliant('server access logging is disabled', ev);
    if (typeof p.targetBucket === 'string' && p.targetBucket !== dest)
      return nonCompliant(`logs go to ${dest}, not ${p.targetBucket}`, ev);
    if (typeof p.targetPrefix === 'string' && p.targetPrefix !== prefix)
      return nonCompliant(`log prefix is ${String(prefix)}, not ${p.targetPrefix}`, ev);
    return compliant(`logging to ${dest}/${String(prefix ?? '')}`, ev);
  },
);
