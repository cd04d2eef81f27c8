import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { ELBV2, LISTENER, lbType } from '../elb.js';
import { arr, field, path } from '../util.js';

export const rule = defineRule(
  {
    name: 'alb-http-to-https-redirection-check',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'HTTP listeners of Application Load Balancers redirect to HTTPS',
    description:
      'Checks whether every HTTP listener of every Application Load Balancer redirects to HTTPS in its default action.',
    risk: 'An HTTP listener that forwards requests carries credentials and session cookies in clear text.',
    remediation:
      'aws elbv2 modify-listener --listener-arn ARN --default-actions Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}',
  },
  (ci, _p, ctx) => {
    if (!ctx.known(LISTENER)) return insufficient('load balancer listeners were not collected');
    // Listeners of non-application load balancers (NLB TCP/TLS) are out of scope.
    const nonAlb = new Set(
      ctx
        .itemsOf(ELBV2)
        .filter((lb) => lbType(lb) !== 'application')
        .map((lb) => lb.arn ?? String(field(lb.configuration, 'loadBalancerArn'))),
    );
    const http = ctx
      .itemsOf(LISTENER)
      .filter(
        (l) =>
          l.awsAccountId === ci.resourceId &&
          field(l.configuration, 'protocol') === 'HTTP' &&
          !nonAlb.has(String(field(l.configuration, 'loadBalancerArn'))),
      );
    const bad = http.filter(
      (l) =>
        !arr(field(l.configuration, 'defaultActions')).some(
          (a) => field(a, 'type') === 'redirect' && path(a, 'redirectConfig.protocol') === 'HTTPS',
        ),
    );
    if (bad.length > 0)
      return nonCompliant(
        `${bad.length} HTTP listener(s) do not redirect to HTTPS: ${bad.map((l) => l.resourceId).join(', ')}`,
        { path: 'configuration.defaultActions', value: bad.map((l) => l.resourceId) },
      );
    return compliant(`all ${http.length} HTTP listener(s) redirect to HTTPS`, {
      path: 'configuration.defaultActions',
      value: http.length,
    });
  },
);
