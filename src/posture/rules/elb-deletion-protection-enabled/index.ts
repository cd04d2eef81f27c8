import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { ELBV2, v2Attr, v2AttrPath } from '../elb.js';

const KEY = 'deletion_protection.enabled';

export const rule = defineRule(
  {
    name: 'elb-deletion-protection-enabled',
    resourceTypes: [ELBV2],
    severity: 'LOW',
    title: 'Load balancers have deletion protection enabled',
    description: 'Checks whether Elastic Load Balancing (v2) load balancers have deletion protection enabled.',
    risk: 'An accidental or malicious delete takes the application offline and loses its listener configuration.',
    remediation: `aws elbv2 modify-load-balancer-attributes --load-balancer-arn ARN --attributes Key=${KEY},Value=true`,
  },
  (ci) => {
    const v = v2Attr(ci, KEY);
    if (v === undefined) return insufficient('load balancer attributes were not recorded');
    const ev = { path: v2AttrPath(KEY), value: v };
    return v === 'true'
      ? compliant('deletion protection is enabled', ev)
      : nonCompliant('deletion protection is disabled', ev);
  },
);
