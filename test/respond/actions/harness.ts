import { expect } from 'vitest';
import type { Action, ActionContext, CallResult, Plan } from '../../../src/respond/action.js';
import { validateParams } from '../../../src/respond/actions/define.js';
import { createActionContext } from '../../../src/respond/context.js';
import { hasCommand, integrationAvailable } from '../../helpers/integration.js';
import { type MotoServer, startMoto } from '../../helpers/moto.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export const motoAvailable = (): boolean => integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));

export async function startMotoContext(): Promise<{ moto: MotoServer; ctx: ActionContext; config: SdkConfig }> {
  process.env.MOTO_EC2_LOAD_DEFAULT_AMIS = 'false';
  const moto = await startMoto();
  const ctx = createActionContext({
    region: REGION,
    accountId: ACCOUNT,
    endpoint: moto.endpoint,
    credentials: CREDENTIALS,
  });
  return {
    moto,
    ctx,
    config: { region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS, forcePathStyle: true },
  };
}

export interface SdkConfig {
  region: string;
  endpoint: string;
  credentials: typeof CREDENTIALS;
  forcePathStyle: boolean;
}

/** Validate params with the action's schema (defaults applied), failing the test on invalid input. */
export function params<P>(action: Action<P>, raw: unknown): P {
  const r = validateParams(action, raw);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.params;
}

/**
 * The contract every action test checks: a plan with calls, apply succeeds for every call, a second plan is a no-op.
 * Returns the first plan and the results for action-specific assertions.
 */
export async function planApplyReplan<P>(
  action: Action<P>,
  ctx: ActionContext,
  raw: unknown,
): Promise<{ plan: Plan; results: CallResult[]; second: Plan }> {
  const p = params(action, raw);
  const plan = await action.plan(p, ctx);
  expect(plan.blocked, `first plan blocked: ${plan.blocked}`).toBeUndefined();
  expect(plan.noop).toBe(false);
  expect(plan.calls.length).toBeGreaterThan(0);
  const results = await action.apply(plan, p, ctx);
  for (const r of results) expect(r.ok, `${r.call.action} failed: ${JSON.stringify(r.error)}`).toBe(true);
  expect(results).toHaveLength(plan.calls.length);
  const second = await action.plan(p, ctx);
  expect(second.blocked, `second plan blocked: ${second.blocked}`).toBeUndefined();
  expect(second.calls, 'second plan should make no calls').toEqual([]);
  expect(second.noop).toBe(true);
  return { plan, results, second };
}
