/** A configuration item under construction, remembering which CloudFormation property each Config field came from. */
import { type ConfigItem, emptyCi } from '../../../posture/model.js';
import { isUnknown, type ResolvedResource, type SourceLocation } from '../../model.js';
import { arnOf, type Env, physicalId } from './symbolic.js';

export type CfnPath = (string | number)[];

export interface Origin {
  /** Config path segments (e.g. ['configuration', 'ipPermissions', '2']). */
  path: string[];
  resource: ResolvedResource;
  cfn: CfnPath;
  /** The value below this origin has the CloudFormation shape (a policy document): deeper segments carry over. */
  same?: boolean;
}

export interface TemplateCi {
  ci: ConfigItem;
  resource: ResolvedResource;
  origins: Origin[];
  /** Set when no dedicated mapping exists for the type (generic lowerCamel copy). */
  generic?: boolean;
}

export function newCi(r: ResolvedResource, env: Env, type = r.type): TemplateCi {
  const id = physicalId(r, env);
  const ci = emptyCi({
    resourceType: type,
    resourceId: id,
    resourceName: id,
    arn: arnOf(r, env),
    awsRegion: env.region,
    awsAccountId: env.account,
    tags: tagsOf(r.properties.Tags),
  });
  return { ci, resource: r, origins: [] };
}

/** Record that Config path `path` (dotted) came from `cfn` (below Properties) of `res`. */
export function origin(
  t: TemplateCi,
  path: string | string[],
  cfn: CfnPath,
  res: ResolvedResource = t.resource,
  same = false,
): void {
  t.origins.push({
    path: typeof path === 'string' ? path.split('.') : path,
    resource: res,
    cfn,
    ...(same ? { same } : {}),
  });
}

/** Tags as `[{Key, Value}]` or a `{key: value}` map; Unknown values are kept (reads are tracked). */
export function tagsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const t of v)
      if (t && typeof t === 'object' && typeof (t as { Key?: unknown }).Key === 'string')
        out[(t as { Key: string }).Key] = (t as { Value: unknown }).Value as string;
  } else if (v && typeof v === 'object' && !isUnknown(v)) for (const [k, x] of Object.entries(v)) out[k] = x as string;
  return out;
}

/** Config's describe serialisation of SDK names: first letter lowercased (`SSEDescription` → `sSEDescription`). */
export function lc(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || isUnknown(v) || depth > 40) return v;
  if (Array.isArray(v)) return v.map((x) => lc(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k.length > 0 ? k[0]!.toLowerCase() + k.slice(1) : k] = lc(x, depth + 1);
  return out;
}

/** Apply `fn` to a known value; Unknown passes through, undefined stays undefined. */
export function known<T>(v: unknown, fn: (x: unknown) => T): T | unknown {
  if (v === undefined || isUnknown(v)) return v;
  return fn(v);
}

export const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) && !isUnknown(v) ? (v as Record<string, unknown>) : {};
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Longest recorded origin for an evidence path, or the resource itself. */
export function locateEvidence(
  t: TemplateCi,
  segs: string[],
): { resource: ResolvedResource; location: SourceLocation; cfn?: CfnPath } {
  let best: Origin | undefined;
  for (const o of t.origins) {
    if (o.path.length > segs.length) continue;
    let ok = true;
    for (let i = 0; i < o.path.length; i++)
      if (o.path[i] !== segs[i]) {
        ok = false;
        break;
      }
    if (ok && (!best || o.path.length > best.path.length)) best = o;
  }
  if (!best) return { resource: t.resource, location: t.resource.location };
  // Segments below the origin that are plain CloudFormation-shaped (indices) extend the property path.
  const cfn = best.same
    ? [...best.cfn, ...segs.slice(best.path.length).map((s) => (/^\d+$/.test(s) ? Number(s) : s))]
    : best.cfn;
  return {
    resource: best.resource,
    location: cfn.length > 0 ? best.resource.locate(cfn) : best.resource.location,
    cfn,
  };
}
