import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { DISTRIBUTION, distConfig } from '../cloudfront.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'cloudfront-sni-enabled',
    resourceTypes: [DISTRIBUTION],
    severity: 'LOW',
    title: 'CloudFront custom certificates are served with SNI',
    description:
      'Checks whether CloudFront distributions with a custom SSL certificate serve HTTPS with SNI (sni-only) rather than dedicated IPs.',
    risk: 'Dedicated-IP SSL support costs far more and is only needed for clients from before 2010.',
    remediation: 'Set ViewerCertificate.SSLSupportMethod to sni-only.',
  },
  (ci) => {
    const vc = field(distConfig(ci), 'viewerCertificate');
    if (
      bool(field(vc, 'cloudFrontDefaultCertificate')) === true ||
      (!field(vc, 'aCMCertificateArn') &&
        !field(vc, 'acmCertificateArn') &&
        !field(vc, 'iAMCertificateId') &&
        !field(vc, 'iamCertificateId'))
    )
      return notApplicable('the distribution uses the default CloudFront certificate');
    const method = String(field(vc, 'sSLSupportMethod') ?? field(vc, 'sslSupportMethod') ?? '');
    const ev = { path: 'configuration.distributionConfig.viewerCertificate.sslSupportMethod', value: method };
    return method === 'sni-only'
      ? compliant('custom certificate served with SNI', ev)
      : nonCompliant(`SSL support method is ${method || 'unset'}, not sni-only`, ev);
  },
);
