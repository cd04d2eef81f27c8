import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { field, isObj } from '../util.js';

export const rule = defineRule(
  {
    name: 's3-bucket-replication-enabled',
    resourceTypes: ['AWS::S3::Bucket'],
    parameters: [
      { name: 'ReplicationType', type: 'string', description: 'CROSS-REGION or SAME-REGION; any when unset' },
    ],
    severity: 'LOW',
    title: 'S3 buckets have replication rules enabled',
    description: 'Checks whether S3 buckets have an enabled replication rule (optionally of the given type).',
    risk: 'Without replication a regional outage or destructive action can lose the only copy of the data.',
    remediation: 'Add a replication configuration with an enabled rule to a bucket in another region or account.',
  },
  (ci, p, ctx) => {
    const rc = ci.supplementaryConfiguration.BucketReplicationConfiguration;
    const raw = field(rc, 'rules');
    // Config serialises rules as a map keyed by rule id; the SDK as an array.
    const rules = Array.isArray(raw) ? raw : isObj(raw) ? Object.values(raw) : [];
    const enabled = rules.filter((r) => String(field(r, 'status')).toLowerCase() === 'enabled');
    const ev = { path: 'supplementaryConfiguration.BucketReplicationConfiguration.rules', value: rules.length };
    if (enabled.length === 0) return nonCompliant(`no enabled replication rule (${rules.length} rule(s))`, ev);
    const want = typeof p.ReplicationType === 'string' ? p.ReplicationType.toUpperCase() : undefined;
    if (want) {
      const match = enabled.some((r) => {
        const arn = String(field(field(r, 'destinationConfig') ?? field(r, 'destination'), 'bucketARN') ?? '');
        const name = arn.split(':::')[1];
        const dest = name ? ctx.find('AWS::S3::Bucket', name) : undefined;
        if (!dest) return false;
        return (dest.awsRegion === ci.awsRegion) === (want === 'SAME-REGION');
      });
      if (!match) return nonCompliant(`no enabled ${want} replication rule to a known destination bucket`, ev);
    }
    return compliant(`${enabled.length} enabled replication rule(s)`, ev);
  },
);
