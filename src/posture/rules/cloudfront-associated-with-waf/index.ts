import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { DISTRIBUTION, distConfig } from '../cloudfront.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 'cloudfront-associated-with-waf',
    resourceTypes: [DISTRIBUTION],
    parameters: [
      { name: 'wafWebAclIds', type: 'list', description: 'Comma-separated web ACL IDs (WAF classic) or ARNs (WAFv2)' },
    ],
    severity: 'MEDIUM',
    title: 'CloudFront distributions are associated with AWS WAF',
    description:
      'Checks whether CloudFront distributions are associated with a WAF or WAFv2 web ACL (one of the given).',
    risk: 'A distribution without WAF forwards injection attempts, bots and layer-7 floods to the origin.',
    remediation: 'aws cloudfront update-distribution with DistributionConfig.WebACLId set to the web ACL ARN',
  },
  (ci, p) => {
    const acl = String(field(distConfig(ci), 'webACLId') ?? '');
    const ev = { path: 'configuration.distributionConfig.webACLId', value: acl };
    if (acl === '') return nonCompliant('no web ACL is associated (webACLId is empty)', ev);
    const allowed = p.wafWebAclIds as string[] | undefined;
    // WAFv2 ARNs end in /NAME/ID; the parameter may name either the ARN or the ID.
    const id = acl.split('/').pop() ?? acl;
    if (allowed && allowed.length > 0 && !allowed.includes(acl) && !allowed.includes(id))
      return nonCompliant(`web ACL ${acl} is not one of ${allowed.join(', ')}`, ev);
    return compliant(`web ACL ${acl} is associated`, ev);
  },
);
