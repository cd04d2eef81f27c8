import { describe, expect, it } from 'vitest';
import { ACCOUNT, account, ci, one } from '../helpers.js';

const V2 = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
const ACL = 'AWS::WAFv2::WebACL';
const arnOf = (n: string) => `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/app/${n}/abc`;
const alb = (name: string, attrs: Record<string, string> | undefined, type = 'application') =>
  ci(V2, arnOf(name), {
    arn: arnOf(name),
    resourceName: name,
    configuration: { loadBalancerArn: arnOf(name), loadBalancerName: name, type, scheme: 'internet-facing' },
    supplementaryConfiguration:
      attrs === undefined
        ? {}
        : { LoadBalancerAttributes: Object.entries(attrs).map(([key, value]) => ({ key, value })) },
  });
const webAcl = (id: string, assoc: string[], logging?: unknown) =>
  ci(ACL, id, {
    resourceName: `acl-${id}`,
    arn: `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/acl-${id}/${id}`,
    configuration: { id, name: `acl-${id}` },
    supplementaryConfiguration: {
      AssociatedResources: assoc,
      ...(logging === undefined ? {} : { LoggingConfiguration: logging }),
    },
  });

describe('ELB / ALB rules', () => {
  it('elb-logging-enabled: ELBv2 attributes, Classic accessLog, bucket parameter, gateway and unrecorded', () => {
    const on = alb('on', { 'access_logs.s3.enabled': 'true', 'access_logs.s3.bucket': 'lb-logs' });
    const off = alb('off', { 'access_logs.s3.enabled': 'false' });
    expect(one('elb-logging-enabled', [on], on.resourceId).annotation).toBe('access logs go to s3://lb-logs');
    expect(one('elb-logging-enabled', [off], off.resourceId).annotation).toBe('access logging is disabled');
    expect(one('elb-logging-enabled', [on], on.resourceId, { s3BucketNames: 'other,more' }).annotation).toBe(
      'access logs go to lb-logs, not one of other, more',
    );
    expect(one('elb-logging-enabled', [alb('gw', {}, 'gateway')], arnOf('gw')).complianceType).toBe('NOT_APPLICABLE');
    expect(one('elb-logging-enabled', [alb('x', undefined)], arnOf('x')).complianceType).toBe('INSUFFICIENT_DATA');
    const classic = ci('AWS::ElasticLoadBalancing::LoadBalancer', 'web', {
      supplementaryConfiguration: { LoadBalancerAttributes: { accessLog: { enabled: true, s3BucketName: 'clb' } } },
    });
    expect(one('elb-logging-enabled', [classic], 'web').complianceType).toBe('COMPLIANT');
  });

  it('alb-waf-enabled: association from ListResourcesForWebACL, allowed ids, NLB not applicable', () => {
    const lb = alb('shop', {});
    const acl = webAcl('a1', [arnOf('shop')]);
    expect(one('alb-waf-enabled', [lb, acl], lb.resourceId).annotation).toBe('web ACL a1 is associated');
    expect(one('alb-waf-enabled', [lb, acl], lb.resourceId, { wafWebAclIds: 'zz' }).complianceType).toBe(
      'NON_COMPLIANT',
    );
    const other = webAcl('a2', []);
    expect(one('alb-waf-enabled', [lb, other], lb.resourceId).annotation).toBe('no WAF web ACL is associated');
    expect(one('alb-waf-enabled', [lb], lb.resourceId, {}, [V2]).complianceType).toBe('INSUFFICIENT_DATA');
    expect(one('alb-waf-enabled', [alb('n', {}, 'network')], arnOf('n')).complianceType).toBe('NOT_APPLICABLE');
  });

  it('elb-deletion-protection-enabled and alb-http-drop-invalid-header-enabled', () => {
    const good = alb('g', {
      'deletion_protection.enabled': 'true',
      'routing.http.drop_invalid_header_fields.enabled': 'true',
    });
    const bad = alb('b', { 'deletion_protection.enabled': 'false' });
    expect(one('elb-deletion-protection-enabled', [good], good.resourceId).complianceType).toBe('COMPLIANT');
    expect(one('elb-deletion-protection-enabled', [bad], bad.resourceId).annotation).toBe(
      'deletion protection is disabled',
    );
    expect(one('alb-http-drop-invalid-header-enabled', [good], good.resourceId).complianceType).toBe('COMPLIANT');
    expect(one('alb-http-drop-invalid-header-enabled', [bad], bad.resourceId).annotation).toBe(
      'routing.http.drop_invalid_header_fields.enabled is unset (default false)',
    );
    expect(one('alb-http-drop-invalid-header-enabled', [alb('n', {}, 'network')], arnOf('n')).complianceType).toBe(
      'NOT_APPLICABLE',
    );
    expect(one('elb-deletion-protection-enabled', [alb('u', undefined)], arnOf('u')).complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
  });

  it('alb-http-to-https-redirection-check over the account listeners', () => {
    const L = 'AWS::ElasticLoadBalancingV2::Listener';
    const lst = (id: string, protocol: string, action: Record<string, unknown>, lb = arnOf('shop')) =>
      ci(L, id, {
        configuration: { listenerArn: id, loadBalancerArn: lb, protocol, port: 80, defaultActions: [action] },
      });
    const redirect = lst('l1', 'HTTP', { type: 'redirect', redirectConfig: { protocol: 'HTTPS', port: '443' } });
    const forward = lst('l2', 'HTTP', { type: 'forward', targetGroupArn: 'tg' });
    const https = lst('l3', 'HTTPS', { type: 'forward' });
    const acct = account({});
    expect(one('alb-http-to-https-redirection-check', [acct, redirect, https], ACCOUNT).annotation).toBe(
      'all 1 HTTP listener(s) redirect to HTTPS',
    );
    expect(one('alb-http-to-https-redirection-check', [acct, redirect, forward], ACCOUNT).annotation).toBe(
      '1 HTTP listener(s) do not redirect to HTTPS: l2',
    );
    expect(one('alb-http-to-https-redirection-check', [acct], ACCOUNT, {}, ['AWS::::Account']).complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
  });

  it('Classic ELB: elb-tls-https-listeners-only and elb-acm-certificate-required (CI-only: no classic collector)', () => {
    const E = 'AWS::ElasticLoadBalancing::LoadBalancer';
    const clb = (id: string, listeners: Record<string, unknown>[]) =>
      ci(E, id, {
        configuration: { loadBalancerName: id, listenerDescriptions: listeners.map((listener) => ({ listener })) },
      });
    const tls = clb('tls', [
      { protocol: 'HTTPS', loadBalancerPort: 443, sslcertificateId: 'arn:aws:acm:eu-west-1:1:certificate/x' },
    ]);
    const mixed = clb('mixed', [
      { protocol: 'HTTP', loadBalancerPort: 80 },
      { protocol: 'SSL', loadBalancerPort: 8443, sSLCertificateId: 'arn:aws:iam::1:server-certificate/old' },
    ]);
    expect(one('elb-tls-https-listeners-only', [tls], 'tls').complianceType).toBe('COMPLIANT');
    expect(one('elb-tls-https-listeners-only', [mixed], 'mixed').annotation).toBe(
      'listener(s) HTTP:80 are not SSL/HTTPS',
    );
    expect(one('elb-tls-https-listeners-only', [clb('none', [])], 'none').complianceType).toBe('NOT_APPLICABLE');
    expect(one('elb-acm-certificate-required', [mixed], 'mixed').annotation).toBe(
      'listener port(s) 8443 use a non-ACM certificate',
    );
    expect(
      one('elb-acm-certificate-required', [clb('h', [{ protocol: 'HTTP', loadBalancerPort: 80 }])], 'h').complianceType,
    ).toBe('NOT_APPLICABLE');
  });

  it('wafv2-logging-enabled: per-account list of web ACLs, firehose parameter, unrecorded logging', () => {
    const acct = account({});
    const logged = webAcl('a1', [], {
      logDestinationConfigs: ['arn:aws:firehose:eu-west-1:1:deliverystream/aws-waf-logs-x'],
    });
    const silent = webAcl('a2', [], null);
    expect(one('wafv2-logging-enabled', [acct, logged], ACCOUNT).annotation).toBe(
      'all 1 web ACL(s) have logging enabled',
    );
    expect(one('wafv2-logging-enabled', [acct, logged, silent], ACCOUNT).annotation).toBe(
      '1 of 2 web ACL(s) not logging as required: acl-a2 (no logging)',
    );
    expect(
      one('wafv2-logging-enabled', [acct, logged], ACCOUNT, { KinesisFirehoseDeliveryStreamArns: 'arn:other' })
        .complianceType,
    ).toBe('NON_COMPLIANT');
    expect(one('wafv2-logging-enabled', [acct, webAcl('a3', [])], ACCOUNT).complianceType).toBe('INSUFFICIENT_DATA');
    expect(one('wafv2-logging-enabled', [acct], ACCOUNT, {}, ['AWS::::Account']).complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
  });
});
