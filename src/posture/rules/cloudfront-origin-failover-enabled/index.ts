import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { DISTRIBUTION, distConfig, items } from '../cloudfront.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 'cloudfront-origin-failover-enabled',
    resourceTypes: [DISTRIBUTION],
    severity: 'LOW',
    title: 'CloudFront distributions have origin failover',
    description: 'Checks whether a CloudFront distribution has an origin group with two origins for failover.',
    risk: 'When the only origin fails, every cache miss fails.',
    remediation: 'Create an origin group with a primary and a secondary origin and point the cache behaviours at it.',
  },
  (ci) => {
    const groups = items(field(distConfig(ci), 'originGroups'));
    const ok = groups.filter((g) => items(field(g, 'members')).length >= 2);
    const ev = { path: 'configuration.distributionConfig.originGroups', value: groups.map((g) => field(g, 'id')) };
    if (groups.length === 0) return nonCompliant('the distribution has no origin group', ev);
    if (ok.length === 0) return nonCompliant('no origin group has two origins', ev);
    return compliant(
      `origin group ${String(field(ok[0], 'id'))} fails over between ${items(field(ok[0], 'members')).length} origins`,
      ev,
    );
  },
);
