import { describe, expect, it } from 'vitest';
import { ACCOUNT, account, ci, daysAgo, one } from '../helpers.js';

const user = (name: string, supp: Record<string, unknown>, conf: Record<string, unknown> = {}) =>
  ci('AWS::IAM::User', name, {
    resourceName: name,
    awsRegion: 'global',
    configuration: { userName: name, createDate: daysAgo(400), ...conf },
    supplementaryConfiguration: supp,
  });
const key = (id: string, age: number, status = 'Active', lastUsed?: number) => ({
  accessKeyId: id,
  status,
  createDate: daysAgo(age),
  lastUsedDate: lastUsed === undefined ? undefined : daysAgo(lastUsed),
});

describe('root account rules', () => {
  it('root-account-mfa-enabled from the account summary or the credential report', () => {
    expect(
      one('root-account-mfa-enabled', [account({ accountSummary: { AccountMFAEnabled: 0 } })], ACCOUNT).annotation,
    ).toBe('root user has no MFA device (AccountMFAEnabled 0)');
    expect(
      one('root-account-mfa-enabled', [account({ accountSummary: { AccountMFAEnabled: 1 } })], ACCOUNT).complianceType,
    ).toBe('COMPLIANT');
    const report = [
      { user: '<root_account>', mfa_active: 'false', access_key_1_active: 'true', access_key_2_active: 'false' },
    ];
    expect(one('root-account-mfa-enabled', [account({ credentialReport: report })], ACCOUNT).annotation).toBe(
      'credential report: root mfa_active false',
    );
    expect(one('root-account-mfa-enabled', [account({})], ACCOUNT).complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('iam-root-access-key-check', () => {
    expect(
      one('iam-root-access-key-check', [account({ accountSummary: { AccountAccessKeysPresent: 1 } })], ACCOUNT)
        .complianceType,
    ).toBe('NON_COMPLIANT');
    const report = [{ user: '<root_account>', access_key_1_active: 'true', access_key_2_active: 'false' }];
    expect(one('iam-root-access-key-check', [account({ credentialReport: report })], ACCOUNT).annotation).toBe(
      'credential report: root access key 1 active',
    );
  });
});

describe('iam-password-policy', () => {
  const good = {
    MinimumPasswordLength: 14,
    RequireSymbols: true,
    RequireNumbers: true,
    RequireUppercaseCharacters: true,
    RequireLowercaseCharacters: true,
    PasswordReusePrevention: 24,
    MaxPasswordAge: 90,
  };
  it('AWS defaults (14 chars, reuse 24, max age 90, all classes)', () => {
    expect(one('iam-password-policy', [account({ passwordPolicy: good })], ACCOUNT).complianceType).toBe('COMPLIANT');
    const e = one(
      'iam-password-policy',
      [account({ passwordPolicy: { ...good, MinimumPasswordLength: 8, MaxPasswordAge: undefined } })],
      ACCOUNT,
    );
    expect(e.annotation).toBe('MinimumPasswordLength is 8 (need ≥ 14); MaxPasswordAge is unset (need ≤ 90)');
    expect(e.evidence.map((x) => x.path)).toEqual([
      'configuration.passwordPolicy.MinimumPasswordLength',
      'configuration.passwordPolicy.MaxPasswordAge',
    ]);
  });
  it('parameters independently; no policy is NON_COMPLIANT', () => {
    expect(
      one('iam-password-policy', [account({ passwordPolicy: { ...good, MinimumPasswordLength: 8 } })], ACCOUNT, {
        MinimumPasswordLength: '8',
      }).complianceType,
    ).toBe('COMPLIANT');
    expect(one('iam-password-policy', [account({ passwordPolicy: null })], ACCOUNT).annotation).toBe(
      'the account has no password policy',
    );
  });
});

describe('user credential rules', () => {
  it('access-keys-rotated: 90 days default, inactive keys ignored', () => {
    const u = user('alice', { AccessKeys: [key('AKIA1', 91), key('AKIA2', 300, 'Inactive')] });
    expect(one('access-keys-rotated', [u], 'alice').annotation).toBe('active access key AKIA1 is 91 days old (max 90)');
    expect(one('access-keys-rotated', [u], 'alice', { maxAccessKeyAge: 100 }).complianceType).toBe('COMPLIANT');
    expect(
      one('access-keys-rotated', [user('bob', { AccessKeys: [key('AKIA3', 300, 'Inactive')] })], 'bob').complianceType,
    ).toBe('NOT_APPLICABLE');
    expect(one('access-keys-rotated', [user('carol', {})], 'carol').complianceType).toBe('INSUFFICIENT_DATA');
  });
  it('iam-user-mfa-enabled and mfa-enabled-for-iam-console-access', () => {
    const console = user('a', { LoginProfile: { createDate: daysAgo(10) }, MfaDevices: [], AccessKeys: [] });
    const api = user('b', { LoginProfile: null, MfaDevices: [], AccessKeys: [] });
    const ok = user('c', {
      LoginProfile: { createDate: daysAgo(10) },
      MfaDevices: [{ serialNumber: 'arn:mfa' }],
      AccessKeys: [],
    });
    expect(one('iam-user-mfa-enabled', [console], 'a').annotation).toBe('user has no MFA device (collector)');
    expect(one('mfa-enabled-for-iam-console-access', [console], 'a').complianceType).toBe('NON_COMPLIANT');
    expect(one('mfa-enabled-for-iam-console-access', [api], 'b').complianceType).toBe('NOT_APPLICABLE');
    expect(one('mfa-enabled-for-iam-console-access', [ok], 'c').complianceType).toBe('COMPLIANT');
  });
  it('credential report fallback', () => {
    const u = ci('AWS::IAM::User', 'AIDA1', { resourceName: 'dave', configuration: { userName: 'dave' } });
    const report = [
      {
        user: 'dave',
        password_enabled: 'true',
        mfa_active: 'false',
        password_last_used: daysAgo(100),
        user_creation_time: daysAgo(500),
        access_key_1_active: 'true',
        access_key_1_last_rotated: daysAgo(200),
        access_key_1_last_used_date: 'N/A',
        access_key_2_active: 'false',
        access_key_2_last_rotated: 'N/A',
      },
    ];
    const items = [u, account({ credentialReport: report })];
    expect(one('iam-user-mfa-enabled', items, 'AIDA1').annotation).toBe('user has no MFA device (credential report)');
    expect(one('access-keys-rotated', items, 'AIDA1').annotation).toBe(
      'active access key access_key_1 is 200 days old (max 90)',
    );
    expect(one('iam-user-unused-credentials-check', items, 'AIDA1').annotation).toBe(
      'password last used 100 days ago (max 90)',
    );
  });
  it('iam-user-unused-credentials-check: never-used key counts from creation; CIS uses 45', () => {
    const u = user('e', { LoginProfile: null, AccessKeys: [key('AKIA9', 60)] });
    expect(one('iam-user-unused-credentials-check', [u], 'e').complianceType).toBe('COMPLIANT');
    expect(one('iam-user-unused-credentials-check', [u], 'e', { maxCredentialUsageAge: 45 }).annotation).toBe(
      'access key AKIA9 never used, created 60 days ago (max 45)',
    );
    const recent = user('f', { LoginProfile: null, AccessKeys: [key('AKIA8', 300, 'Active', 3)] });
    expect(one('iam-user-unused-credentials-check', [recent], 'f', { maxCredentialUsageAge: 45 }).complianceType).toBe(
      'COMPLIANT',
    );
  });
});

describe('policy rules', () => {
  const pol = (id: string, doc: unknown, arn = `arn:aws:iam::${ACCOUNT}:policy/${id}`) =>
    ci('AWS::IAM::Policy', id, {
      configuration: {
        arn,
        policyName: id,
        policyVersionList: [
          { versionId: 'v1', isDefaultVersion: false, document: encodeURIComponent(JSON.stringify({ Statement: [] })) },
          { versionId: 'v2', isDefaultVersion: true, document: encodeURIComponent(JSON.stringify(doc)) },
        ],
      },
    });
  it('iam-policy-no-statements-with-admin-access reads the URL-encoded default version', () => {
    const admin = pol('admin', {
      Statement: [
        { Effect: 'Allow', Action: 's3:Get*', Resource: '*' },
        { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' },
      ],
    });
    expect(one('iam-policy-no-statements-with-admin-access', [admin], 'admin').annotation).toBe(
      'statement 1 (Sid All) allows Action "*" on Resource "*"',
    );
    const narrow = pol('narrow', { Statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/*' } });
    expect(one('iam-policy-no-statements-with-admin-access', [narrow], 'narrow').complianceType).toBe('COMPLIANT');
    const awsManaged = pol(
      'AdministratorAccess',
      { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      'arn:aws:iam::aws:policy/AdministratorAccess',
    );
    expect(one('iam-policy-no-statements-with-admin-access', [awsManaged], 'AdministratorAccess').complianceType).toBe(
      'NOT_APPLICABLE',
    );
  });
  it('iam-user-no-policies-check and iam-no-inline-policy-check', () => {
    const u = user(
      'g',
      {},
      { userPolicyList: [{ policyName: 'inline1' }], attachedManagedPolicies: [{ policyName: 'ReadOnlyAccess' }] },
    );
    expect(one('iam-user-no-policies-check', [u], 'g').annotation).toBe(
      'user has attached ReadOnlyAccess, inline inline1',
    );
    expect(one('iam-no-inline-policy-check', [u], 'g').annotation).toBe('inline policies: inline1');
    const role = ci('AWS::IAM::Role', 'r', {
      configuration: { path: '/aws-service-role/x/', rolePolicyList: [{ policyName: 'p' }] },
    });
    expect(one('iam-no-inline-policy-check', [role], 'r').complianceType).toBe('NOT_APPLICABLE');
    const none = user('h', {}, { userPolicyList: [], attachedManagedPolicies: [] });
    expect(one('iam-user-no-policies-check', [none], 'h').complianceType).toBe('COMPLIANT');
    expect(one('iam-no-inline-policy-check', [none], 'h').complianceType).toBe('COMPLIANT');
    // Policy lists not recorded: unknown, not "no policies".
    expect(one('iam-user-no-policies-check', [user('i', {})], 'i').annotation).toBe('user policies not recorded');
    expect(one('iam-no-inline-policy-check', [user('i', {})], 'i').annotation).toBe('userPolicyList not recorded');
  });
});
