import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { DISTRIBUTION, distConfig } from '../cloudfront.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 'cloudfront-default-root-object-configured',
    resourceTypes: [DISTRIBUTION],
    severity: 'LOW',
    title: 'CloudFront distributions have a default root object',
    description: 'Checks whether CloudFront distributions are configured with a default root object.',
    risk: 'A request for the root URL may list or expose the origin (for example an S3 bucket listing).',
    remediation: 'Set DefaultRootObject (e.g. index.html) in the distribution configuration.',
  },
  (ci) => {
    const v = String(field(distConfig(ci), 'defaultRootObject') ?? '');
    const ev = { path: 'configuration.distributionConfig.defaultRootObject', value: v };
    return v === ''
      ? nonCompliant('no default root object is configured', ev)
      : compliant(`default root object is ${v}`, ev);
  },
);
