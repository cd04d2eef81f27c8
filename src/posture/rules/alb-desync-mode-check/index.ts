import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { ELBV2, lbType, v2Attr, v2AttrPath } from '../elb.js';

const KEY = 'routing.http.desync_mitigation_mode';

export const rule = defineRule(
  {
    name: 'alb-desync-mode-check',
    resourceTypes: [ELBV2],
    parameters: [
      {
        name: 'desyncMode',
        type: 'list',
        // AWS marks it required with no default; unset here means "anything but monitor" so that running every
        // rule without parameters stays possible (stated in the annotation).
        description:
          "Comma-separated list of at most 2 of 'defensive', 'strictest', 'monitor' (AWS: required; unset = defensive,strictest)",
      },
    ],
    severity: 'MEDIUM',
    title: 'Application Load Balancers use the required desync mitigation mode',
    description: 'Checks whether an Application Load Balancer uses one of the given HTTP desync mitigation modes.',
    risk: 'In monitor mode ambiguous requests reach the targets, enabling request smuggling and cache poisoning.',
    remediation: `aws elbv2 modify-load-balancer-attributes --load-balancer-arn ARN --attributes Key=${KEY},Value=defensive`,
  },
  (ci, p) => {
    if (lbType(ci) !== 'application') return notApplicable(`${lbType(ci)} load balancers have no desync mitigation`);
    const v = v2Attr(ci, KEY);
    if (v === undefined) return insufficient('load balancer attributes were not recorded');
    // The attribute is absent on load balancers created before it existed; AWS's default is defensive.
    const mode = v ?? 'defensive';
    const given = p.desyncMode as string[] | undefined;
    const allowed = (given && given.length > 0 ? given : ['defensive', 'strictest']).map((m) => m.toLowerCase());
    const ev = { path: v2AttrPath(KEY), value: v };
    return allowed.includes(mode)
      ? compliant(`desync mitigation mode is ${mode}`, ev)
      : nonCompliant(`desync mitigation mode is ${mode}, not one of ${allowed.join(', ')}`, ev);
  },
);
