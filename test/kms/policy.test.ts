import { describe, expect, it } from 'vitest';
import { authorize, grantCovers } from '../../src/kms/authz.js';
import { evaluateConditions, type RequestKeys } from '../../src/kms/conditions.js';
import type { GrantRecord } from '../../src/kms/model.js';
import { defaultKeyPolicy } from '../../src/kms/model.js';
import { matchStatements, type PolicyDoc, parsePolicy } from '../../src/kms/policy.js';
import { type Principal, principalFromArn } from '../../src/kms/principal.js';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const p = (arn: string, policies?: PolicyDoc[]) => principalFromArn(arn, { identityPolicies: policies })!;
const keys = (entries: Record<string, string | string[]> = {}): RequestKeys =>
  new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]]));
const doc = (text: string) => parsePolicy(text, { resourcePolicy: true }).doc!;

describe('condition operators', () => {
  it('StringEquals on an encryption-context key: exact, case-sensitive value, case-insensitive key name', () => {
    const block = { StringEquals: { 'kms:EncryptionContext:Purpose': 'backup' } };
    expect(evaluateConditions(block, keys({ 'kms:encryptioncontext:purpose': 'backup' })).ok).toBe(true);
    expect(evaluateConditions(block, keys({ 'kms:encryptioncontext:purpose': 'Backup' })).ok).toBe(false);
    const r = evaluateConditions(block, keys());
    expect(r.ok).toBe(false);
    expect(r.details[0]).toContain('key absent');
  });

  it('negated operators are true for a missing key; IfExists makes a missing key true', () => {
    expect(evaluateConditions({ StringNotEquals: { 'kms:CallerAccount': ACCOUNT } }, keys()).ok).toBe(true);
    expect(evaluateConditions({ StringEqualsIfExists: { 'kms:CallerAccount': ACCOUNT } }, keys()).ok).toBe(true);
    expect(
      evaluateConditions({ StringNotEquals: { 'kms:CallerAccount': ACCOUNT } }, keys({ 'kms:CallerAccount': ACCOUNT }))
        .ok,
    ).toBe(false);
  });

  it('ForAnyValue / ForAllValues over kms:EncryptionContextKeys', () => {
    const k = keys({ 'kms:EncryptionContextKeys': ['tenant', 'purpose'] });
    expect(evaluateConditions({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'tenant' } }, k).ok).toBe(
      true,
    );
    expect(evaluateConditions({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': 'tenant' } }, k).ok).toBe(
      false,
    );
    expect(
      evaluateConditions({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenant', 'purpose'] } }, k).ok,
    ).toBe(true);
    // The classic pitfall: ForAllValues is true when the key is absent.
    expect(evaluateConditions({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': 'x' } }, keys()).ok).toBe(
      true,
    );
    expect(evaluateConditions({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'x' } }, keys()).ok).toBe(
      false,
    );
  });

  it('IpAddress / NotIpAddress with CIDRs (IPv4 and IPv6), StringLike, Numeric, Bool, Null, ArnLike, Date', () => {
    const ip = keys({ 'aws:SourceIp': '10.1.2.3' });
    expect(evaluateConditions({ IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '10.0.0.0/8'] } }, ip).ok).toBe(true);
    expect(evaluateConditions({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, ip).ok).toBe(false);
    expect(
      evaluateConditions({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, keys({ 'aws:SourceIp': '2001:db8::1' }))
        .ok,
    ).toBe(true);
    expect(
      evaluateConditions(
        { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/ops-*' } },
        keys({ 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/ops-alice` }),
      ).ok,
    ).toBe(true);
    expect(
      evaluateConditions(
        { NumericLessThanEquals: { 'kms:ScheduleKeyDeletionPendingWindowInDays': '10' } },
        keys({ 'kms:ScheduleKeyDeletionPendingWindowInDays': '7' }),
      ).ok,
    ).toBe(true);
    expect(
      evaluateConditions(
        { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        keys({ 'kms:GrantIsForAWSResource': 'false' }),
      ).ok,
    ).toBe(false);
    expect(evaluateConditions({ Null: { 'kms:EncryptionContextKeys': 'true' } }, keys()).ok).toBe(true);
    expect(
      evaluateConditions(
        { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } },
        keys({ 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/app` }),
      ).ok,
    ).toBe(true);
    expect(
      evaluateConditions(
        { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
        keys({ 'aws:CurrentTime': '2026-01-01T00:00:00Z' }),
      ).ok,
    ).toBe(true);
  });
});

describe('policy parsing', () => {
  it('accepts the default key policy and reports malformed documents with a reason', () => {
    expect(parsePolicy(defaultKeyPolicy('aws', ACCOUNT), { resourcePolicy: true }).doc?.Statement).toHaveLength(1);
    expect(parsePolicy('{', { resourcePolicy: true }).error).toBe('This policy contains invalid Json');
    expect(parsePolicy('{"Version":"2012-10-17"}', { resourcePolicy: true }).error).toContain('Statement');
    expect(
      parsePolicy('{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}', { resourcePolicy: true }).error,
    ).toBe('Policy contains a statement with no principal.');
    expect(
      parsePolicy('{"Statement":{"Effect":"Maybe","Principal":"*","Action":"kms:*","Resource":"*"}}', {
        resourcePolicy: true,
      }).error,
    ).toContain('Effect must be Allow or Deny');
    expect(
      parsePolicy('{"Statement":{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"kms:*","Resource":"*"}}', {
        resourcePolicy: true,
      }).error,
    ).toBe('Policy contains a statement with one or more invalid principals.');
    expect(
      parsePolicy(
        '{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEqualz":{}}}}',
        { resourcePolicy: true },
      ).error,
    ).toContain('unknown condition operator StringEqualz');
  });

  it('matches actions case-insensitively with wildcards, resources case-sensitively, and NotAction inverts', () => {
    const d = doc(
      JSON.stringify({
        Statement: [
          { Sid: 'a', Effect: 'Allow', Principal: '*', Action: 'KMS:encrypt*', Resource: '*' },
          { Sid: 'b', Effect: 'Allow', Principal: '*', NotAction: 'kms:Decrypt', Resource: KEY.toUpperCase() },
          { Sid: 'c', Effect: 'Deny', Principal: '*', NotAction: 'kms:Decrypt', Resource: '*' },
        ],
      }),
    );
    const req = { principal: p(`arn:aws:iam::${ACCOUNT}:user/a`), action: 'kms:Encrypt', resource: KEY, keys: keys() };
    expect(matchStatements(d, 'key policy', req, true).map((h) => h.sid)).toEqual(['a', 'c']);
    expect(matchStatements(d, 'key policy', { ...req, action: 'kms:Decrypt' }, true).map((h) => h.sid)).toEqual([]);
  });
});

describe('authorisation decisions', () => {
  const alice = p(`arn:aws:iam::${ACCOUNT}:user/alice`);
  const bobWithNoIam = p(`arn:aws:iam::${ACCOUNT}:user/bob`, []);
  const root = p(`arn:aws:iam::${ACCOUNT}:root`);
  const base = (principal: Principal, policy: PolicyDoc, action = 'kms:Encrypt', extra: RequestKeys = keys()) =>
    authorize({ principal, action, resource: KEY, keyAccount: ACCOUNT, keyPolicy: policy, keys: extra });

  it('default key policy: the account root and principals whose IAM allows are allowed; an IAM-less user is not', () => {
    const d = doc(defaultKeyPolicy('aws', ACCOUNT));
    const r = base(root, d);
    expect(r.allowed).toBe(true);
    expect(r.reason).toContain('Enable IAM User Permissions');
    expect(base(alice, d).allowed).toBe(true);
    const denied = base(bobWithNoIam, d);
    expect(denied.allowed).toBe(false);
    expect(denied.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: kms:Encrypt on resource: ${KEY} because no identity-based policy allows the kms:Encrypt action`,
    );
  });

  it('a key policy that names only another user denies, with AWS wording', () => {
    const d = doc(
      JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carol` }, Action: 'kms:*', Resource: '*' },
        ],
      }),
    );
    const r = base(alice, d);
    expect(r.allowed).toBe(false);
    expect(r.message).toContain('because no resource-based policy allows the kms:Encrypt action');
    expect(base(p(`arn:aws:iam::${ACCOUNT}:user/carol`, []), d).allowed).toBe(true);
  });

  it('explicit Deny wins, naming the statement; conditions on encryption context decide', () => {
    const d = doc(
      JSON.stringify({
        Statement: [
          {
            Sid: 'root',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'tenant-only',
            Effect: 'Deny',
            Principal: '*',
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: { StringNotEquals: { 'kms:EncryptionContext:tenant': 'acme' } },
          },
        ],
      }),
    );
    const bad = base(alice, d, 'kms:Decrypt', keys({ 'kms:EncryptionContext:tenant': 'evil' }));
    expect(bad.allowed).toBe(false);
    expect(bad.message).toContain('with an explicit deny in a resource-based policy');
    expect(bad.reason).toContain('tenant-only');
    expect(bad.reason).toContain('"evil"');
    expect(base(alice, d, 'kms:Decrypt', keys({ 'kms:EncryptionContext:tenant': 'acme' })).allowed).toBe(true);
  });

  it('cross-account: the key policy must name the account and the caller identity policy must allow', () => {
    const d = doc(
      JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'kms:Decrypt', Resource: '*' },
        ],
      }),
    );
    const ext = (policies?: PolicyDoc[]) => p(`arn:aws:iam::${OTHER}:user/dave`, policies);
    const allow = [{ Statement: [{ Effect: 'Allow' as const, Action: 'kms:Decrypt', Resource: KEY }] }];
    expect(base(ext(allow), d, 'kms:Decrypt').allowed).toBe(true);
    expect(base(ext([]), d, 'kms:Decrypt').allowed).toBe(false);
    expect(base(ext(allow), d, 'kms:Encrypt').message).toContain('no resource-based policy');
  });

  it('an assumed-role session matches a key policy that names its role', () => {
    const d = doc(
      JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/path/app` },
            Action: 'kms:Encrypt',
            Resource: '*',
          },
        ],
      }),
    );
    expect(base(p(`arn:aws:sts::${ACCOUNT}:assumed-role/app/session-1`, []), d).allowed).toBe(true);
    expect(base(p(`arn:aws:sts::${ACCOUNT}:assumed-role/other/session-1`, []), d).allowed).toBe(false);
  });

  it('grants allow their grantee for listed operations within their encryption-context constraints', () => {
    const g: GrantRecord = {
      grantId: 'g1',
      token: 't',
      account: ACCOUNT,
      region: 'us-east-1',
      keyId: 'k',
      created: 0,
      granteePrincipal: `arn:aws:iam::${ACCOUNT}:user/bob`,
      issuingAccount: ACCOUNT,
      operations: ['Decrypt'],
      constraints: { EncryptionContextSubset: { tenant: 'acme' } },
    };
    expect(grantCovers(g, bobWithNoIam, 'Decrypt', { tenant: 'acme', x: 'y' })).toBe(true);
    expect(grantCovers(g, bobWithNoIam, 'Decrypt', { tenant: 'other' })).toBe(false);
    expect(grantCovers(g, bobWithNoIam, 'Encrypt', { tenant: 'acme' })).toBe(false);
    expect(
      grantCovers({ ...g, constraints: { EncryptionContextEquals: { tenant: 'acme' } } }, bobWithNoIam, 'Decrypt', {
        tenant: 'acme',
        x: 'y',
      }),
    ).toBe(false);
    const d = doc(defaultKeyPolicy('aws', ACCOUNT));
    const r = authorize({
      principal: bobWithNoIam,
      action: 'kms:Decrypt',
      resource: KEY,
      keyAccount: ACCOUNT,
      keyPolicy: d,
      keys: keys(),
      grants: { list: [g], operation: 'Decrypt', context: { tenant: 'acme' } },
    });
    expect(r).toMatchObject({ allowed: true, grantId: 'g1' });
    expect(r.reason).toContain('grant g1');
  });

  it('operations not on a key are decided by the identity policy alone', () => {
    const r = authorize({ principal: bobWithNoIam, action: 'kms:CreateKey', resource: '*', keys: keys() });
    expect(r.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`,
    );
  });
});
