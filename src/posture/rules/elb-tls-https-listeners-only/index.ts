import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { classicListeners, ELB } from '../elb.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 'elb-tls-https-listeners-only',
    resourceTypes: [ELB],
    severity: 'MEDIUM',
    title: 'Classic Load Balancer listeners use SSL or HTTPS only',
    description: 'Checks whether every listener of a Classic Load Balancer uses the SSL or HTTPS protocol.',
    risk: 'An HTTP or TCP listener carries client traffic unencrypted between the client and the load balancer.',
    remediation: 'Replace HTTP/TCP listeners with HTTPS/SSL listeners that use an ACM certificate.',
  },
  (ci) => {
    const ls = classicListeners(ci);
    if (ls.length === 0) return notApplicable('the load balancer has no listeners');
    const bad = ls.filter((l) => !['HTTPS', 'SSL'].includes(String(field(l, 'protocol') ?? '').toUpperCase()));
    if (bad.length > 0)
      return nonCompliant(
        `listener(s) ${bad.map((l) => `${String(field(l, 'protocol'))}:${String(field(l, 'loadBalancerPort'))}`).join(', ')} are not SSL/HTTPS`,
        { path: 'configuration.listenerDescriptions[].listener.protocol', value: bad.map((l) => field(l, 'protocol')) },
      );
    return compliant(`all ${ls.length} listener(s) use SSL/HTTPS`);
  },
);
