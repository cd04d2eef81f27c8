import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { customOrigins, DISTRIBUTION, originLabel } from '../cloudfront.js';
import { arr, path } from '../util.js';

/** originSslProtocols is `{quantity, items:[...]}` of strings (or a bare list). */
function protocols(o: Record<string, unknown>): string[] {
  const v = path(o, 'customOriginConfig.originSslProtocols');
  return arr(Array.isArray(v) ? v : path(v, 'items')).map(String);
}

export const rule = defineRule(
  {
    name: 'cloudfront-no-deprecated-ssl-protocols',
    resourceTypes: [DISTRIBUTION],
    severity: 'MEDIUM',
    title: 'CloudFront does not use SSLv3 towards custom origins',
    description: 'Checks whether CloudFront distributions use the deprecated SSLv3 protocol to talk to custom origins.',
    risk: 'SSLv3 is broken (POODLE); traffic to the origin can be decrypted.',
    remediation: 'Remove SSLv3 from OriginSslProtocols of every custom origin (keep TLSv1.2).',
  },
  (ci) => {
    const cs = customOrigins(ci).filter((o) => path(o, 'customOriginConfig.originProtocolPolicy') !== 'http-only');
    if (cs.length === 0) return notApplicable('no custom origin is reached over HTTPS');
    const bad = cs.filter((o) => protocols(o).includes('SSLv3'));
    if (bad.length > 0)
      return nonCompliant(`origin(s) allow SSLv3: ${bad.map(originLabel).join(', ')}`, {
        path: 'configuration.distributionConfig.origins.items[].customOriginConfig.originSslProtocols',
        value: bad.map(originLabel),
      });
    return compliant(`no custom origin allows SSLv3 (${cs.length} checked)`);
  },
);
