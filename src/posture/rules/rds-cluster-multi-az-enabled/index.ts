import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { arr, bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'rds-cluster-multi-az-enabled',
    resourceTypes: ['AWS::RDS::DBCluster'],
    severity: 'MEDIUM',
    title: 'RDS clusters are Multi-AZ',
    description: 'Checks whether Multi-AZ replication is enabled on Amazon Aurora and Multi-AZ DB clusters.',
    risk: 'A single-AZ cluster is down (and may lose recent writes) when its Availability Zone fails.',
    remediation: 'Add a reader instance in another Availability Zone (Aurora) or create a Multi-AZ DB cluster.',
  },
  (ci) => {
    const v = bool(field(ci.configuration, 'multiAZ'));
    const azs = arr(field(ci.configuration, 'availabilityZones')).map(String);
    const ev = { path: 'configuration.multiAZ', value: v ?? null };
    if (v === undefined) return insufficient('multiAZ not recorded', ev);
    return v
      ? compliant(`Multi-AZ${azs.length ? ` across ${azs.join(', ')}` : ''}`, ev)
      : nonCompliant('the cluster is not Multi-AZ', ev);
  },
);
