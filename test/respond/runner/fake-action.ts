/**
 * A tiny in-memory action for runner, store and target tests: "make sure these tags are set on a thing". Its world is
 * a Map, so tests can change the resource between plan and approval, and inject failures per call.
 */
import { z } from 'zod';
import type { Action, ActionContext, CallResult, Plan } from '../../../src/respond/action.js';

export interface World {
  things: Map<string, Record<string, string>>;
  /** Next errors thrown by apply calls (AWS code + message), consumed in order. */
  applyErrors: { code: string; message: string }[];
  /** Next error thrown while planning. */
  planError?: Error;
  calls: string[];
}

export const newWorld = (): World => ({ things: new Map(), applyErrors: [], calls: [] });

const params = z.object({
  thingId: z.string().regex(/^t-[0-9a-f]+$/, 'must be a thing id (t-…)'),
  tags: z.record(z.string(), z.string()).default({ quarantined: 'true' }),
});
type Params = z.infer<typeof params>;

export function tagThingAction(world: World): Action<Params> {
  return {
    name: 'test-tag-thing',
    category: 'generic',
    title: 'Tag a thing',
    description: 'Sets tags on a thing (test action).',
    params,
    permissions: ['test:DescribeThings', 'test:TagThing'],
    undo: 'Remove the tags.',
    references: [],
    async plan(p: Params, _ctx: ActionContext): Promise<Plan> {
      world.calls.push(`plan ${p.thingId}`);
      if (world.planError) {
        const e = world.planError;
        world.planError = undefined;
        throw e;
      }
      const thing = world.things.get(p.thingId);
      if (!thing)
        return {
          action: 'test-tag-thing',
          target: p.thingId,
          calls: [],
          observed: {},
          noop: false,
          blocked: `thing ${p.thingId} does not exist`,
        };
      const missing = Object.entries(p.tags).filter(([k, v]) => thing[k] !== v);
      return {
        action: 'test-tag-thing',
        target: p.thingId,
        calls: missing.map(([k, v]) => ({
          action: 'test:TagThing',
          params: { ThingId: p.thingId, Key: k, Value: v },
          reason: `tag ${k} is ${thing[k] === undefined ? 'missing' : `"${thing[k]}"`}`,
        })),
        observed: { tags: { ...thing } },
        noop: missing.length === 0,
      };
    },
    async apply(plan: Plan): Promise<CallResult[]> {
      const out: CallResult[] = [];
      for (const c of plan.calls) {
        world.calls.push(`${c.action} ${c.params.Key}`);
        const err = world.applyErrors.shift();
        if (err) {
          out.push({ call: c, ok: false, error: err });
          break;
        }
        const thing = world.things.get(String(c.params.ThingId))!;
        thing[String(c.params.Key)] = String(c.params.Value);
        out.push({ call: c, ok: true, response: {} });
      }
      return out;
    },
  };
}

export function fakeContext(region: string, accountId = '111122223333'): ActionContext {
  return {
    region,
    accountId,
    client: () => {
      throw new Error('the test action uses no SDK client');
    },
    fetch: globalThis.fetch,
    now: () => new Date(),
  };
}
