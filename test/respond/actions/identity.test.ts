import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/respond/action.js';
import { decideDeactivateKey, iamDeactivateAccessKey } from '../../../src/respond/actions/iam-deactivate-access-key.js';
import type { MotoServer } from '../../helpers/moto.js';
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
});
