import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { ELBV2, lbType, v2Attr, v2AttrPath } from '../elb.js';

const KEY = 'routing.http.drop_invalid_header_fields.enabled';

export const rule = defineRule(
  {
    name: 'alb-http-drop-invalid-header-enabled',
    resourceTypes: [ELBV2],
    severity: 'MEDIUM',
    title: 'Application Load Balancers drop invalid HTTP headers',
    description: 'Checks whether Application Load Balancers are configured to drop HTTP headers that are not valid.',
    risk: 'Passing malformed headers to targets enables HTTP request smuggling and desync attacks.',
    remediation: `aws elbv2 modify-load-balancer-attributes --load-balancer-arn ARN --attributes Key=${KEY},Value=true`,
  },
  (ci) => {
    if (lbType(ci) !== 'application') return notApplicable(`${lbType(ci)} load balancers do not parse HTTP headers`);
    const v = v2Attr(ci, KEY);
    if (v === undefined) return insufficient('load balancer attributes were not recorded');
    const ev = { path: v2AttrPath(KEY), value: v };
    return v === 'true'
      ? compliant('invalid header fields are dropped', ev)
      : nonCompliant(`${KEY} is ${v ?? 'unset'} (default false)`, ev);
  },
);
