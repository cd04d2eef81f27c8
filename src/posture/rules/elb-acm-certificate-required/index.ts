import { compliant, defineRule, nonCompliant, notApplicable } from '../../rule.js';
import { classicListeners, ELB } from '../elb.js';
import { field } from '../util.js';

/** Config spells it `sslcertificateId`; the SDK's lowerCamel gives `sSLCertificateId`. */
const cert = (l: Record<string, unknown>) =>
  String(field(l, 'sslcertificateId') ?? field(l, 'sSLCertificateId') ?? field(l, 'sslCertificateId') ?? '');

export const rule = defineRule(
  {
    name: 'elb-acm-certificate-required',
    resourceTypes: [ELB],
    severity: 'MEDIUM',
    title: 'Classic Load Balancers use certificates from ACM',
    description:
      'Checks whether the SSL/HTTPS listeners of Classic Load Balancers use certificates provided by AWS Certificate Manager.',
    risk: 'IAM-uploaded certificates are not renewed automatically and expire unnoticed, breaking TLS.',
    remediation:
      'Issue or import the certificate in ACM and set it on the listener (set-load-balancer-listener-ssl-certificate).',
  },
  (ci) => {
    const tls = classicListeners(ci).filter((l) =>
      ['HTTPS', 'SSL'].includes(String(field(l, 'protocol') ?? '').toUpperCase()),
    );
    if (tls.length === 0) return notApplicable('the load balancer has no SSL/HTTPS listener');
    const bad = tls.filter((l) => !cert(l).startsWith('arn:aws:acm:'));
    if (bad.length > 0)
      return nonCompliant(
        `listener port(s) ${bad.map((l) => String(field(l, 'loadBalancerPort'))).join(', ')} use a non-ACM certificate`,
        {
          path: 'configuration.listenerDescriptions[].listener.sslcertificateId',
          value: bad.map(cert),
        },
      );
    return compliant(`all ${tls.length} SSL/HTTPS listener(s) use ACM certificates`);
  },
);
