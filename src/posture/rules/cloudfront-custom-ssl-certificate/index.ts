import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { DISTRIBUTION, distConfig } from '../cloudfront.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'cloudfront-custom-ssl-certificate',
    resourceTypes: [DISTRIBUTION],
    severity: 'LOW',
    title: 'CloudFront distributions use a custom SSL certificate',
    description:
      'Checks whether CloudFront distributions serve their own certificate instead of the default *.cloudfront.net one.',
    risk: 'With the default certificate users reach the site under a cloudfront.net name, which is easy to imitate.',
    remediation: 'Request an ACM certificate in us-east-1 and set ViewerCertificate.ACMCertificateArn with sni-only.',
  },
  (ci) => {
    const vc = field(distConfig(ci), 'viewerCertificate');
    if (vc === undefined) return insufficient('viewer certificate not recorded');
    const dflt = bool(field(vc, 'cloudFrontDefaultCertificate')) === true;
    const ev = { path: 'configuration.distributionConfig.viewerCertificate.cloudFrontDefaultCertificate', value: dflt };
    return dflt
      ? nonCompliant('the distribution uses the default CloudFront certificate', ev)
      : compliant(
          `custom certificate ${String(field(vc, 'certificate') ?? field(vc, 'aCMCertificateArn') ?? field(vc, 'acmCertificateArn') ?? '')}`.trim(),
          ev,
        );
  },
);
