import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { behaviors, customOrigins, DISTRIBUTION, originLabel } from '../cloudfront.js';
import { field, path } from '../util.js';

export const rule = defineRule(
  {
    name: 'cloudfront-traffic-to-origin-encrypted',
    resourceTypes: [DISTRIBUTION],
    severity: 'MEDIUM',
    title: 'CloudFront encrypts traffic to custom origins',
    description:
      'Checks whether CloudFront distributions encrypt traffic to custom origins: origin protocol policy is not http-only, nor match-viewer while viewers may use HTTP.',
    risk: 'Content and credentials travel in clear text between CloudFront and the origin.',
    remediation: 'Set OriginProtocolPolicy to https-only on every custom origin.',
  },
  (ci) => {
    const cs = customOrigins(ci);
    if (cs.length === 0) return notApplicable('the distribution has no custom origin (S3 origins are always HTTPS)');
    const viewerHttp = behaviors(ci).some(
      ({ b }) => String(field(b, 'viewerProtocolPolicy') ?? 'allow-all') === 'allow-all',
    );
    const bad = cs.filter((o) => {
      const pol = String(path(o, 'customOriginConfig.originProtocolPolicy') ?? '');
      return pol === 'http-only' || (pol === 'match-viewer' && viewerHttp);
    });
    if (bad.length > 0)
      return nonCompliant(
        `origin(s) reached over HTTP: ${bad.map((o) => `${originLabel(o)} (${String(path(o, 'customOriginConfig.originProtocolPolicy'))})`).join(', ')}`,
        {
          path: 'configuration.distributionConfig.origins.items[].customOriginConfig.originProtocolPolicy',
          value: bad.map((o) => path(o, 'customOriginConfig.originProtocolPolicy')),
        },
      );
    return compliant(`all ${cs.length} custom origin(s) are reached over HTTPS`);
  },
);
