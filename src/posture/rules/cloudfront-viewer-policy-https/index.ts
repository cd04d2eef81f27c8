import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { behaviors, DISTRIBUTION } from '../cloudfront.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 'cloudfront-viewer-policy-https',
    resourceTypes: [DISTRIBUTION],
    severity: 'MEDIUM',
    title: 'CloudFront requires HTTPS between viewers and the distribution',
    description:
      'Checks whether the default and every ordered cache behavior use viewer protocol policy https-only or redirect-to-https.',
    risk: 'allow-all serves content and cookies over plain HTTP, open to interception and tampering.',
    remediation: 'Set ViewerProtocolPolicy to redirect-to-https (or https-only) on every cache behavior.',
  },
  (ci) => {
    const bs = behaviors(ci);
    if (bs.length === 0) return insufficient('no cache behavior recorded');
    const bad = bs.filter(({ b }) => String(field(b, 'viewerProtocolPolicy') ?? 'allow-all') === 'allow-all');
    if (bad.length > 0)
      return nonCompliant(`${bad.map((x) => x.label).join(', ')} allow(s) HTTP (viewerProtocolPolicy allow-all)`, {
        path: 'configuration.distributionConfig.defaultCacheBehavior.viewerProtocolPolicy',
        value: 'allow-all',
      });
    return compliant(`all ${bs.length} cache behavior(s) require HTTPS`);
  },
);
