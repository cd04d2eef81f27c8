import type { ConfigItem } from '../../model.js';
import { compliant, defineRule, derived, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { ELBV2, lbArn, lbType, WEBACL } from '../elb.js';
import { arr, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'alb-waf-enabled',
    resourceTypes: [ELBV2],
    parameters: [{ name: 'wafWebAclIds', type: 'list', description: 'Comma-separated web ACL IDs (or ARNs) allowed' }],
    severity: 'MEDIUM',
    title: 'Application Load Balancers are protected by AWS WAF',
    description:
      'Checks whether an AWS WAF web ACL is associated with each Application Load Balancer (one of the given web ACLs).',
    risk: 'An internet-facing application without WAF has no layer-7 filtering of injection, bots or floods.',
    remediation: 'aws wafv2 associate-web-acl --web-acl-arn WEB_ACL_ARN --resource-arn LOAD_BALANCER_ARN',
  },
  (ci, p, ctx) => {
    if (lbType(ci) !== 'application') return notApplicable(`${lbType(ci)} load balancers cannot have a web ACL`);
    const arn = lbArn(ci);
    // The association is recorded on the web ACL (ListResourcesForWebACL) or, when present, on the LB's own CI.
    const own = ci.supplementaryConfiguration.WebACLArn ?? field(ci.configuration, 'webACLArn');
    let acl: { id: string; arn: string } | undefined;
    if (typeof own === 'string' && own !== '') acl = { id: own.split('/').pop() ?? own, arn: own };
    else {
      if (!ctx.known(WEBACL)) return insufficient('WAFv2 web ACLs were not collected');
      // Built once per run: the web ACL of each associated resource, and the ACLs whose associations are unknown.
      const ix = derived(ctx, 'wafv2-webacl-associations', () => {
        const byResource = new Map<string, ConfigItem>();
        const unlistedIn = new Map<string, ConfigItem[]>();
        for (const w of ctx.itemsOf(WEBACL)) {
          const assoc = w.supplementaryConfiguration.AssociatedResources;
          if (assoc === undefined) {
            const key = `${w.awsAccountId}|${w.awsRegion}`;
            unlistedIn.set(key, [...(unlistedIn.get(key) ?? []), w]);
          } else for (const r of arr(assoc)) if (typeof r === 'string' && !byResource.has(r)) byResource.set(r, w);
        }
        return { byResource, unlistedIn };
      });
      const hit = ix.byResource.get(arn);
      if (hit) acl = { id: String(field(hit.configuration, 'id') ?? hit.resourceId), arn: hit.arn ?? '' };
      else {
        // A regional web ACL whose associations were not listed could be the one protecting this load balancer.
        const unlisted = ix.unlistedIn.get(`${ci.awsAccountId}|${ci.awsRegion}`) ?? [];
        if (unlisted.length > 0)
          return insufficient(
            `associations of web ACL(s) ${unlisted.map((w) => w.resourceName ?? w.resourceId).join(', ')} were not recorded`,
          );
      }
    }
    if (!acl)
      return nonCompliant('no WAF web ACL is associated', { path: `${WEBACL}.AssociatedResources`, value: arn });
    const allowed = p.wafWebAclIds as string[] | undefined;
    if (allowed && allowed.length > 0 && !allowed.includes(acl.id) && !allowed.includes(acl.arn))
      return nonCompliant(`web ACL ${acl.id} is not one of ${allowed.join(', ')}`, {
        path: `${WEBACL}.id`,
        value: acl.id,
      });
    return compliant(`web ACL ${acl.id} is associated`, { path: `${WEBACL}.id`, value: acl.id });
  },
);
