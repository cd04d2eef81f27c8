/**
 * defineAction: metadata + a planning function → an Action. Planning errors (resource gone, access denied) become a
 * blocked plan carrying AWS's code and message instead of an exception; apply defaults to the generic executor.
 */
import type { z } from 'zod';
import type { Action, ActionContext, ActionMeta, CallResult, Plan } from '../action.js';
import { applyCalls, blockedPlan, callError } from './sdk.js';

export interface ActionDef<P> extends ActionMeta<P> {
  /** The resource acted on, from the params (used for blocked plans). */
  target(params: P): string;
  plan(params: P, ctx: ActionContext): Promise<Plan>;
  apply?(plan: Plan, params: P, ctx: ActionContext): Promise<CallResult[]>;
}

export function defineAction<P>(def: ActionDef<P>): Action<P> & { target(params: P): string } {
  const { plan, apply, ...meta } = def;
  return {
    ...meta,
    async plan(params: P, ctx: ActionContext): Promise<Plan> {
      try {
        return await plan(params, ctx);
      } catch (err) {
        const e = callError(err);
        return blockedPlan(def.name, safeTarget(def, params), `${e.code}: ${e.message}`);
      }
    },
    apply: apply ?? ((p: Plan, _params: P, ctx: ActionContext) => applyCalls(p, ctx)),
  };
}

function safeTarget<P>(def: ActionDef<P>, params: P): string {
  try {
    return def.target(params);
  } catch {
    return def.name;
  }
}

export type ParamsResult<P> = { ok: true; params: P } | { ok: false; errors: string[] };

/** Validate raw params against an action's schema; errors name the parameter and the reason. */
export function validateParams<P>(action: { name: string; params: z.ZodType<P> }, raw: unknown): ParamsResult<P> {
  const r = action.params.safeParse(raw ?? {});
  if (r.success) return { ok: true, params: r.data };
  return {
    ok: false,
    errors: r.error.issues.map(
      (i) => `${action.name}: parameter ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
    ),
  };
}
