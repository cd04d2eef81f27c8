import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { arr, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'rds-snapshots-public-prohibited',
    resourceTypes: ['AWS::RDS::DBSnapshot', 'AWS::RDS::DBClusterSnapshot'],
    severity: 'CRITICAL',
    title: 'RDS snapshots are not public',
    description: 'Checks whether Amazon RDS DB and cluster snapshots are shared publicly (restore attribute "all").',
    risk: 'Any AWS account can restore a public snapshot and read the whole database.',
    remediation:
      'aws rds modify-db-snapshot-attribute --db-snapshot-identifier ID --attribute-name restore --values-to-remove all',
  },
  (ci) => {
    const key = ci.resourceType === 'AWS::RDS::DBSnapshot' ? 'DBSnapshotAttributes' : 'DBClusterSnapshotAttributes';
    const attrs = ci.supplementaryConfiguration[key];
    if (attrs === undefined) return insufficient('snapshot attributes not recorded');
    const restore = arr(attrs).find((a) => field(a, 'attributeName') === 'restore');
    const values = arr(field(restore, 'attributeValues')).map(String);
    const ev = { path: `supplementaryConfiguration.${key}[attributeName=restore].attributeValues`, value: values };
    if (values.includes('all')) return nonCompliant('the snapshot is restorable by all AWS accounts (restore=all)', ev);
    return compliant(values.length > 0 ? `shared with ${values.length} account(s), not public` : 'not shared', ev);
  },
);
