import { describe, expect, it } from 'vitest';
import { ci, one } from '../helpers.js';

const D = 'AWS::CloudFront::Distribution';
const s3Origin = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  domainName: `${id}.s3.amazonaws.com`,
  s3OriginConfig: { originAccessIdentity: '' },
  originAccessControlId: '',
  ...extra,
});
const customOrigin = (id: string, policy: string, protocols = ['TLSv1.2']) => ({
  id,
  domainName: `${id}.example.com`,
  customOriginConfig: {
    httpPort: 80,
    httpsPort: 443,
    originProtocolPolicy: policy,
    originSslProtocols: { quantity: protocols.length, items: protocols },
  },
});
const dist = (id: string, dc: Record<string, unknown>) =>
  ci(D, id, {
    awsRegion: 'us-east-1',
    configuration: {
      id,
      distributionConfig: {
        defaultRootObject: '',
        webACLId: '',
        logging: { enabled: false, bucket: '', prefix: '' },
        defaultCacheBehavior: { viewerProtocolPolicy: 'redirect-to-https' },
        cacheBehaviors: { quantity: 0 },
        origins: { quantity: 0, items: [] },
        viewerCertificate: { cloudFrontDefaultCertificate: true },
        ...dc,
      },
    },
  });
const origins = (...items: unknown[]) => ({ origins: { quantity: items.length, items } });

describe('CloudFront rules', () => {
  it('cloudfront-associated-with-waf: webACLId, allowed ids (WAFv2 ARN tail)', () => {
    const arn = 'arn:aws:wafv2:us-east-1:1:global/webacl/edge/1111-2222';
    expect(one('cloudfront-associated-with-waf', [dist('E1', { webACLId: arn })], 'E1').annotation).toBe(
      `web ACL ${arn} is associated`,
    );
    expect(
      one('cloudfront-associated-with-waf', [dist('E1', { webACLId: arn })], 'E1', { wafWebAclIds: '1111-2222' })
        .complianceType,
    ).toBe('COMPLIANT');
    expect(
      one('cloudfront-associated-with-waf', [dist('E1', { webACLId: arn })], 'E1', { wafWebAclIds: 'other' })
        .complianceType,
    ).toBe('NON_COMPLIANT');
    expect(one('cloudfront-associated-with-waf', [dist('E2', {})], 'E2').annotation).toBe(
      'no web ACL is associated (webACLId is empty)',
    );
  });

  it('OAI and OAC on S3 origins; custom-only distributions are not applicable', () => {
    const oai = dist(
      'E1',
      origins(s3Origin('a', { s3OriginConfig: { originAccessIdentity: 'origin-access-identity/cloudfront/X' } })),
    );
    const oac = dist('E2', origins(s3Origin('b', { originAccessControlId: 'OAC1' })));
    const none = dist('E3', origins(s3Origin('c')));
    const custom = dist('E4', origins(customOrigin('api', 'https-only')));
    expect(one('cloudfront-origin-access-identity-enabled', [oai], 'E1').complianceType).toBe('COMPLIANT');
    expect(one('cloudfront-origin-access-identity-enabled', [none], 'E3').annotation).toBe(
      'S3 origin(s) without an origin access identity: c',
    );
    expect(one('cloudfront-origin-access-identity-enabled', [custom], 'E4').complianceType).toBe('NOT_APPLICABLE');
    expect(one('cloudfront-s3-origin-access-control-enabled', [oac], 'E2').complianceType).toBe('COMPLIANT');
    expect(one('cloudfront-s3-origin-access-control-enabled', [oai], 'E1').annotation).toBe(
      'S3 origin(s) without origin access control: a',
    );
    expect(one('cloudfront-s3-origin-access-control-enabled', [custom], 'E4').complianceType).toBe('NOT_APPLICABLE');
  });

  it('cloudfront-viewer-policy-https over default and ordered behaviors', () => {
    expect(one('cloudfront-viewer-policy-https', [dist('E1', {})], 'E1').complianceType).toBe('COMPLIANT');
    const mixed = dist('E2', {
      cacheBehaviors: { quantity: 1, items: [{ pathPattern: '/img/*', viewerProtocolPolicy: 'allow-all' }] },
    });
    expect(one('cloudfront-viewer-policy-https', [mixed], 'E2').annotation).toBe(
      'cache behavior /img/* allow(s) HTTP (viewerProtocolPolicy allow-all)',
    );
  });

  it('cloudfront-accesslogs-enabled with the S3BucketName parameter', () => {
    const on = dist('E1', { logging: { enabled: true, bucket: 'cf-logs.s3.amazonaws.com', prefix: 'e1/' } });
    expect(one('cloudfront-accesslogs-enabled', [on], 'E1').annotation).toBe('access logs go to cf-logs');
    expect(one('cloudfront-accesslogs-enabled', [on], 'E1', { S3BucketName: 'cf-logs' }).complianceType).toBe(
      'COMPLIANT',
    );
    expect(one('cloudfront-accesslogs-enabled', [on], 'E1', { S3BucketName: 'central' }).annotation).toBe(
      'access logs go to cf-logs, not central',
    );
    expect(one('cloudfront-accesslogs-enabled', [dist('E2', {})], 'E2').annotation).toBe('access logging is disabled');
  });

  it('default root object, origin transport, SSLv3, SNI', () => {
    expect(
      one('cloudfront-default-root-object-configured', [dist('E1', { defaultRootObject: 'index.html' })], 'E1')
        .annotation,
    ).toBe('default root object is index.html');
    expect(one('cloudfront-default-root-object-configured', [dist('E2', {})], 'E2').complianceType).toBe(
      'NON_COMPLIANT',
    );

    const httpOnly = dist('E3', origins(customOrigin('api', 'http-only')));
    const matchViewer = dist('E4', {
      ...origins(customOrigin('api', 'match-viewer')),
      defaultCacheBehavior: { viewerProtocolPolicy: 'allow-all' },
    });
    const tls = dist('E5', origins(customOrigin('api', 'https-only')));
    expect(one('cloudfront-traffic-to-origin-encrypted', [httpOnly], 'E3').annotation).toBe(
      'origin(s) reached over HTTP: api (http-only)',
    );
    expect(one('cloudfront-traffic-to-origin-encrypted', [matchViewer], 'E4').complianceType).toBe('NON_COMPLIANT');
    expect(one('cloudfront-traffic-to-origin-encrypted', [tls], 'E5').complianceType).toBe('COMPLIANT');
    expect(
      one('cloudfront-traffic-to-origin-encrypted', [dist('E6', origins(s3Origin('s')))], 'E6').complianceType,
    ).toBe('NOT_APPLICABLE');

    const v3 = dist('E7', origins(customOrigin('old', 'https-only', ['SSLv3', 'TLSv1'])));
    expect(one('cloudfront-no-deprecated-ssl-protocols', [v3], 'E7').annotation).toBe('origin(s) allow SSLv3: old');
    expect(one('cloudfront-no-deprecated-ssl-protocols', [tls], 'E5').complianceType).toBe('COMPLIANT');
    expect(one('cloudfront-no-deprecated-ssl-protocols', [httpOnly], 'E3').complianceType).toBe('NOT_APPLICABLE');

    const vip = dist('E8', {
      viewerCertificate: { aCMCertificateArn: 'arn:aws:acm:us-east-1:1:certificate/c', sSLSupportMethod: 'vip' },
    });
    const sni = dist('E9', {
      viewerCertificate: { acmCertificateArn: 'arn:aws:acm:us-east-1:1:certificate/c', sslSupportMethod: 'sni-only' },
    });
    expect(one('cloudfront-sni-enabled', [vip], 'E8').annotation).toBe('SSL support method is vip, not sni-only');
    expect(one('cloudfront-sni-enabled', [sni], 'E9').complianceType).toBe('COMPLIANT');
    expect(one('cloudfront-sni-enabled', [dist('E1', {})], 'E1').complianceType).toBe('NOT_APPLICABLE');
  });
});
