import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { WEBACL } from '../elb.js';
import { arr, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'wafv2-webacl-not-empty',
    resourceTypes: [WEBACL],
    severity: 'MEDIUM',
    title: 'WAFv2 web ACLs contain rules',
    description: 'Checks whether a WAFv2 web ACL contains any WAF rules or rule groups.',
    risk: 'An empty web ACL applies only its default action: traffic passes uninspected while looking protected.',
    remediation: 'Add rules or managed rule groups (e.g. AWSManagedRulesCommonRuleSet) to the web ACL.',
  },
  (ci) => {
    const rules = field(ci.configuration, 'rules');
    if (rules === undefined) return insufficient('web ACL rules not recorded');
    const list = arr(rules);
    const names = list.map((r) => String(field(r, 'name') ?? '?'));
    const ev = { path: 'configuration.rules', value: names };
    return list.length === 0
      ? nonCompliant('the web ACL has no rules or rule groups', ev)
      : compliant(`${list.length} rule(s): ${names.slice(0, 5).join(', ')}`, ev);
  },
);
