import { describe, expect, it } from 'vitest';
import type { ActionContext, Plan } from '../../../src/respond/action.js';
import { apiOf, applyCalls, call, callError, expandEnv, resolveRefs } from '../../../src/respond/actions/sdk.js';
import { createActionContext } from '../../../src/respond/context.js';

describe('executor plumbing (pure)', () => {
  it('IAM action → API operation only where they differ', () => {
    expect(call('s3:PutEncryptionConfiguration', {}, 'r')).toEqual({
      action: 's3:PutEncryptionConfiguration',
      api: 's3:PutBucketEncryption',
      params: {},
      reason: 'r',
    });
    expect(call('ec2:CreateTags', {}, 'r')).toEqual({ action: 'ec2:CreateTags', params: {}, reason: 'r' });
    expect(apiOf({ action: 's3:PutAccountPublicAccessBlock' })).toBe('s3control:PutPublicAccessBlock');
  });
  it('$from references resolve from earlier responses; a missing field is an error', () => {
    const params = {
      Groups: [{ $from: { call: 0, path: 'GroupId' } }],
      Nested: { x: { $from: { call: 1, path: 'A.B' } } },
    };
    expect(resolveRefs(params, [{ GroupId: 'sg-1' }, { A: { B: 2 } }])).toEqual({ Groups: ['sg-1'], Nested: { x: 2 } });
    expect(() => resolveRefs(params, [{}])).toThrow('call 0 returned no GroupId');
  });
  it('errors keep AWS code and message, never the stack', () => {
    const sdkErr = Object.assign(new Error('The security group does not exist'), { name: 'InvalidGroup.NotFound' });
    expect(callError(sdkErr)).toEqual({ code: 'InvalidGroup.NotFound', message: 'The security group does not exist' });
    expect(callError({ Code: 'AccessDenied', message: 'no' })).toEqual({ code: 'AccessDenied', message: 'no' });
    expect(callError(new Error('plain'))).toEqual({ code: 'Error', message: 'plain' });
    expect(callError('text')).toEqual({ code: 'Error', message: 'text' });
  });
  it(`\${env:NAME} expansion`, () => {
    expect(expandEnv(`Bearer \${env:T}`, { T: 'x' })).toBe('Bearer x');
    expect(() => expandEnv(`\${env:NOPE}`, {})).toThrow('environment variable NOPE (used in a header) is not set');
  });
});

describe('applyCalls', () => {
  const ctx: ActionContext = createActionContext({ region: 'us-east-1', accountId: '123456789012' });
  const plan = (calls: Plan['calls'], extra: Partial<Plan> = {}): Plan => ({
    action: 't',
    target: 'x',
    calls,
    observed: {},
    noop: calls.length === 0,
    ...extra,
  });
  it('blocked and no-op plans make no calls', async () => {
    expect(await applyCalls(plan([]), ctx)).toEqual([]);
    expect(await applyCalls(plan([call('ec2:CreateTags', {}, 'r')], { blocked: 'why' }), ctx)).toEqual([]);
  });
  it('stops at the first failure and reports it as a CallResult', async () => {
    const failing: ActionContext = {
      ...ctx,
      client: <T>() =>
        ({
          send: async () => {
            throw Object.assign(new Error('User: x is not authorized'), { name: 'UnauthorizedOperation' });
          },
        }) as T,
    };
    const calls = [call('ec2:CreateTags', { Resources: ['i-1'], Tags: [] }, 'a'), call('ec2:CreateTags', {}, 'b')];
    const results = await applyCalls(plan(calls), failing);
    expect(results).toEqual([
      { call: calls[0], ok: false, error: { code: 'UnauthorizedOperation', message: 'User: x is not authorized' } },
    ]);
  });
  it('an unknown service is an error result, not an exception', async () => {
    const [r] = await applyCalls(plan([{ action: 'nosuch:DoIt', params: {}, reason: 'r' }]), ctx);
    expect(r!.error!.code).toBe('UnsupportedService');
  });
});
