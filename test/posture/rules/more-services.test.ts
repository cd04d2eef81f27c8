import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/posture/engine.js';
import type { ConfigItem } from '../../../src/posture/model.js';
import { rule as kmsKeyPolicyNoPublicAccess } from '../../../src/posture/rules/kms-key-policy-no-public-access/index.js';
import { ACCOUNT, ci, NOW, one } from '../helpers.js';

const V2 = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
const alb = (id: string, attrs?: Record<string, string>, type = 'application') =>
  ci(V2, id, {
    configuration: { loadBalancerName: id, type },
    supplementaryConfiguration: attrs
      ? { LoadBalancerAttributes: Object.entries(attrs).map(([key, value]) => ({ key, value })) }
      : {},
  });

describe('more ELB / WAF / IAM / Lambda / RDS / CloudFront rules', () => {
  it('alb-desync-mode-check: parameter list, unset parameter, absent attribute, NLB', () => {
    const K = 'routing.http.desync_mitigation_mode';
    expect(one('alb-desync-mode-check', [alb('a', { [K]: 'monitor' })], 'a').annotation).toBe(
      'desync mitigation mode is monitor, not one of defensive, strictest',
    );
    expect(
      one('alb-desync-mode-check', [alb('a', { [K]: 'monitor' })], 'a', { desyncMode: 'monitor' }).complianceType,
    ).toBe('COMPLIANT');
    expect(one('alb-desync-mode-check', [alb('b', {})], 'b', { desyncMode: 'strictest' }).annotation).toBe(
      'desync mitigation mode is defensive, not one of strictest',
    );
    expect(one('alb-desync-mode-check', [alb('c')], 'c').complianceType).toBe('INSUFFICIENT_DATA');
    expect(one('alb-desync-mode-check', [alb('n', {}, 'network')], 'n').complianceType).toBe('NOT_APPLICABLE');
  });
  it('wafv2-webacl-not-empty', () => {
    const acl = (id: string, rules?: unknown[]) =>
      ci('AWS::WAFv2::WebACL', id, { configuration: rules === undefined ? {} : { rules } });
    expect(one('wafv2-webacl-not-empty', [acl('a', [{ name: 'common' }])], 'a').annotation).toBe('1 rule(s): common');
    expect(one('wafv2-webacl-not-empty', [acl('b', [])], 'b').annotation).toBe(
      'the web ACL has no rules or rule groups',
    );
    expect(one('wafv2-webacl-not-empty', [acl('c')], 'c').complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('iam-user-group-membership-check with groupNames', () => {
    const u = (id: string, groupList?: string[]) =>
      ci('AWS::IAM::User', id, { configuration: { userName: id, ...(groupList ? { groupList } : {}) } });
    expect(one('iam-user-group-membership-check', [u('a', ['ops'])], 'a').annotation).toBe('member of ops');
    expect(one('iam-user-group-membership-check', [u('b', [])], 'b').annotation).toBe('the user is in no group');
    expect(
      one('iam-user-group-membership-check', [u('a', ['ops'])], 'a', { groupNames: 'admins,dev' }).annotation,
    ).toBe('member of none of admins, dev (groups: ops)');
    expect(one('iam-user-group-membership-check', [u('c')], 'c').complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('lambda-dlq-check with dlqArns', () => {
    const q = `arn:aws:sqs:eu-west-1:${ACCOUNT}:dlq`;
    const fn = (id: string, target?: string) =>
      ci('AWS::Lambda::Function', id, { configuration: target ? { deadLetterConfig: { targetArn: target } } : {} });
    expect(one('lambda-dlq-check', [fn('a', q)], 'a').annotation).toBe(`dead-letter target ${q}`);
    expect(one('lambda-dlq-check', [fn('b')], 'b').annotation).toBe('no dead-letter queue is configured');
    expect(one('lambda-dlq-check', [fn('a', q)], 'a', { dlqArns: 'arn:other' }).complianceType).toBe('NON_COMPLIANT');
  });
  it('RDS IAM authentication (instances, clusters) and cluster Multi-AZ', () => {
    const db = (id: string, engine: string, iam?: boolean) =>
      ci('AWS::RDS::DBInstance', id, {
        configuration: { engine, ...(iam === undefined ? {} : { iAMDatabaseAuthenticationEnabled: iam }) },
      });
    expect(one('rds-instance-iam-authentication-enabled', [db('a', 'postgres', true)], 'a').complianceType).toBe(
      'COMPLIANT',
    );
    expect(one('rds-instance-iam-authentication-enabled', [db('b', 'mysql', false)], 'b').annotation).toBe(
      'IAM database authentication is disabled',
    );
    expect(one('rds-instance-iam-authentication-enabled', [db('c', 'oracle-ee', false)], 'c').complianceType).toBe(
      'NOT_APPLICABLE',
    );
    expect(one('rds-instance-iam-authentication-enabled', [db('d', 'postgres')], 'd').complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
    const cl = (id: string, conf: Record<string, unknown>) => ci('AWS::RDS::DBCluster', id, { configuration: conf });
    expect(
      one(
        'rds-cluster-iam-authentication-enabled',
        [cl('x', { engine: 'aurora-mysql', iAMDatabaseAuthenticationEnabled: false })],
        'x',
      ).complianceType,
    ).toBe('NON_COMPLIANT');
    expect(
      one(
        'rds-cluster-multi-az-enabled',
        [cl('y', { multiAZ: true, availabilityZones: ['eu-west-1a', 'eu-west-1b'] })],
        'y',
      ).annotation,
    ).toBe('Multi-AZ across eu-west-1a, eu-west-1b');
    expect(one('rds-cluster-multi-az-enabled', [cl('z', { multiAZ: false })], 'z').complianceType).toBe(
      'NON_COMPLIANT',
    );
    expect(one('rds-cluster-multi-az-enabled', [cl('w', {})], 'w').complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('cloudfront-custom-ssl-certificate and cloudfront-origin-failover-enabled', () => {
    const d = (id: string, dc: Record<string, unknown>) =>
      ci('AWS::CloudFront::Distribution', id, { configuration: { distributionConfig: dc } });
    expect(
      one(
        'cloudfront-custom-ssl-certificate',
        [d('E1', { viewerCertificate: { cloudFrontDefaultCertificate: true } })],
        'E1',
      ).annotation,
    ).toBe('the distribution uses the default CloudFront certificate');
    expect(
      one(
        'cloudfront-custom-ssl-certificate',
        [
          d('E2', {
            viewerCertificate: {
              cloudFrontDefaultCertificate: false,
              acmCertificateArn: 'arn:aws:acm:us-east-1:1:certificate/c',
            },
          }),
        ],
        'E2',
      ).annotation,
    ).toBe('custom certificate arn:aws:acm:us-east-1:1:certificate/c');
    const group = (n: number) => ({
      originGroups: {
        quantity: 1,
        items: [
          { id: 'g1', members: { quantity: n, items: Array.from({ length: n }, (_, i) => ({ originId: `o${i}` })) } },
        ],
      },
    });
    expect(one('cloudfront-origin-failover-enabled', [d('E3', group(2))], 'E3').annotation).toBe(
      'origin group g1 fails over between 2 origins',
    );
    expect(one('cloudfront-origin-failover-enabled', [d('E4', group(1))], 'E4').annotation).toBe(
      'no origin group has two origins',
    );
    expect(
      one('cloudfront-origin-failover-enabled', [d('E5', { originGroups: { quantity: 0 } })], 'E5').complianceType,
    ).toBe('NON_COMPLIANT');
  });
});

describe('kms-key-policy-no-public-access', () => {
  const key = (id: string, policy?: unknown, manager = 'CUSTOMER') =>
    ci('AWS::KMS::Key', id, {
      configuration: { keyId: id, keyManager: manager },
      supplementaryConfiguration: policy === undefined ? {} : { KeyPolicy: policy },
    });
  const doc = (...Statement: Record<string, unknown>[]) => ({ Version: '2012-10-17', Statement });
  // Not in ALL_RULES yet (see rules/index.ts), so evaluated directly.
  const R = 'kms-key-policy-no-public-access';
  const kmsOne = (_rule: string, items: ConfigItem[], id: string) => {
    const res = evaluate({ items }, [{ rule: kmsKeyPolicyNoPublicAccess }], { now: NOW });
    return res.evaluations.find((e) => e.resourceId === id)!;
  };
  it('fixed principals pass; wildcard principals need a fixed pinning condition', () => {
    const root = {
      Sid: 'root',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    };
    expect(kmsOne(R, [key('k1', doc(root))], 'k1').annotation).toBe('none of 1 statement(s) grants public access');
    const anyone = { Sid: 'all', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' };
    expect(kmsOne(R, [key('k2', doc(root, anyone))], 'k2').annotation).toBe(
      'statement 1 (Sid all) allows principal * to kms:Decrypt without a fixed-value condition',
    );
    const pinnedStmt = { ...anyone, Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } } };
    expect(kmsOne(R, [key('k3', JSON.stringify(doc(pinnedStmt)))], 'k3').complianceType).toBe('COMPLIANT');
    const wildPin = { ...anyone, Condition: { StringEquals: { 'kms:CallerAccount': '*' } } };
    expect(kmsOne(R, [key('k4', doc(wildPin))], 'k4').complianceType).toBe('NON_COMPLIANT');
    const wildArn = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::*:root' },
      Action: 'kms:Encrypt',
      Resource: '*',
    };
    expect(kmsOne(R, [key('k5', doc(wildArn))], 'k5').complianceType).toBe('NON_COMPLIANT');
  });
  it('AWS managed keys are not applicable; unrecorded policy is insufficient', () => {
    expect(kmsOne(R, [key('k6', undefined, 'AWS')], 'k6').complianceType).toBe('NOT_APPLICABLE');
    expect(kmsOne(R, [key('k7')], 'k7').complianceType).toBe('INSUFFICIENT_DATA');
  });
});
