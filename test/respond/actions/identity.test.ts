import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountPasswordPolicyCommand,
  GetLoginProfileCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/respond/action.js';
import { iamAttachDenyAll } from '../../../src/respond/actions/iam-attach-deny-all.js';
import { decideDeactivateKey, iamDeactivateAccessKey } from '../../../src/respond/actions/iam-deactivate-access-key.js';
import { iamDeleteLoginProfile } from '../../../src/respond/actions/iam-delete-login-profile.js';
import {
  decidePasswordPolicy,
  iamEnforcePasswordPolicy,
} from '../../../src/respond/actions/iam-enforce-password-policy.js';
import { iamRevokeRoleSessions } from '../../../src/respond/actions/iam-revoke-role-sessions.js';
import { DENY_ALL_DOCUMENT, parsePolicyDocument } from '../../../src/respond/actions/policy-doc.js';
import type { MotoServer } from '../../helpers/moto.js';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

import { motoAvailable, params, planApplyReplan, type SdkConfig, startMotoContext } from './harness.js';

describe('identity decisions (pure)', () => {
  it('deactivate: Active → one UpdateAccessKey, Inactive → nothing', () => {
    expect(decideDeactivateKey('alice', 'AKIAEXAMPLE000000001', 'Active')).toEqual([
      {
        action: 'iam:UpdateAccessKey',
        params: { UserName: 'alice', AccessKeyId: 'AKIAEXAMPLE000000001', Status: 'Inactive' },
        reason: 'key AKIAEXAMPLE000000001 of alice is Active',
      },
    ]);
    expect(decideDeactivateKey('alice', 'AKIAEXAMPLE000000001', 'Inactive')).toEqual([]);
  });
  it('password policy: stricter current settings are kept, weaker ones raised', () => {
    const p = params(iamEnforcePasswordPolicy, {});
    const [c] = decidePasswordPolicy(p, { MinimumPasswordLength: 20, MaxPasswordAge: 30, RequireSymbols: false });
    expect(c!.params).toMatchObject({ MinimumPasswordLength: 20, MaxPasswordAge: 30, RequireSymbols: true });
    expect(c!.reason).toContain('RequireSymbols false → true');
    const strict = c!.params as Record<string, unknown>;
    expect(decidePasswordPolicy(p, strict)).toEqual([]);
  });
});

describe.skipIf(!motoAvailable())('identity actions against moto_server', () => {
  let moto: MotoServer;
  let ctx: ActionContext;
  let iam: IAMClient;

  beforeAll(async () => {
    let config: SdkConfig;
    ({ moto, ctx, config } = await startMotoContext());
    iam = new IAMClient(config);
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('iam-deactivate-access-key: owner looked up from the key, key becomes Inactive', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
    const { plan } = await planApplyReplan(iamDeactivateAccessKey, ctx, { accessKeyId: key.AccessKeyId });
    expect(plan.observed).toMatchObject({ userName: 'alice', status: 'Active' });
    expect(plan.calls.map((c) => c.params)).toEqual([
      { UserName: 'alice', AccessKeyId: key.AccessKeyId, Status: 'Inactive' },
    ]);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(keys.AccessKeyMetadata![0]!.Status).toBe('Inactive');
  });

  it('iam-deactivate-access-key: temporary keys and unknown keys are blocked, not thrown', async () => {
    const tmp = await iamDeactivateAccessKey.plan(
      params(iamDeactivateAccessKey, { accessKeyId: 'ASIAEXAMPLE000000001' }),
      ctx,
    );
    expect(tmp.blocked).toMatch(/temporary credentials/);
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    const other = await iamDeactivateAccessKey.plan(
      params(iamDeactivateAccessKey, { accessKeyId: 'AKIAEXAMPLE000000009', userName: 'bob' }),
      ctx,
    );
    expect(other.blocked).toBe('user bob has no access key AKIAEXAMPLE000000009');
  });

  it('iam-attach-deny-all: user and role (GuardDuty userType accepted), read back', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'mallory' }));
    const { plan } = await planApplyReplan(iamAttachDenyAll, ctx, {
      principalType: 'IAMUser',
      principalName: 'mallory',
    });
    expect(plan.calls[0]!.action).toBe('iam:PutUserPolicy');
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'mallory', PolicyName: 'VigilDenyAll' }));
    expect(parsePolicyDocument(got.PolicyDocument)).toEqual(DENY_ALL_DOCUMENT);

    await iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: TRUST }));
    await planApplyReplan(iamAttachDenyAll, ctx, { principalType: 'role', principalName: 'app', policyName: 'Freeze' });
    const role = await iam.send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'Freeze' }));
    expect(parsePolicyDocument(role.PolicyDocument)).toEqual(DENY_ALL_DOCUMENT);
  });

  it('iam-revoke-role-sessions: AWSRevokeOlderSessions with aws:TokenIssueTime; a later cutoff rewrites', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'ci', AssumeRolePolicyDocument: TRUST }));
    const t1 = '2026-11-29T06:00:00.000Z';
    const { plan } = await planApplyReplan(iamRevokeRoleSessions, ctx, { roleName: 'ci', issuedBefore: t1 });
    expect(plan.calls[0]!.params.PolicyName).toBe('AWSRevokeOlderSessions');
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'ci', PolicyName: 'AWSRevokeOlderSessions' }));
    expect(parsePolicyDocument(got.PolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': t1 } } },
      ],
    });
    // An earlier cutoff is already covered; a later one is a new revocation.
    const earlier = await iamRevokeRoleSessions.plan(
      params(iamRevokeRoleSessions, { roleName: 'ci', issuedBefore: '2026-11-01T00:00:00Z' }),
      ctx,
    );
    expect(earlier.noop).toBe(true);
    const later = await iamRevokeRoleSessions.plan(params(iamRevokeRoleSessions, { roleName: 'ci' }), ctx);
    expect(later.calls[0]!.reason).toMatch(/^existing cutoff 2026-11-29T06:00:00.000Z is before /);
  });

  it('iam-delete-login-profile: console password removed', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'carol' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'carol', Password: 'Sup3r-secret-pw!' }));
    await planApplyReplan(iamDeleteLoginProfile, ctx, { userName: 'carol' });
    await expect(iam.send(new GetLoginProfileCommand({ UserName: 'carol' }))).rejects.toThrow();
  });

  it('iam-enforce-password-policy: CIS defaults written, read back', async () => {
    const { plan } = await planApplyReplan(iamEnforcePasswordPolicy, ctx, {});
    expect(plan.calls[0]!.reason).toBe('the account has no password policy');
    const got = (await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy!;
    expect(got).toMatchObject({
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 24,
    });
  });
});
