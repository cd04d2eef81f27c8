/**
 * `Fn::ForEach::<Loop>: [Identifier, Collection, {OutputKey: OutputValue}]` (AWS::LanguageExtensions): expanded in
 * a mapping before resolution, once per collection item. In the output key `${Id}` is replaced by the item and `&{Id}`
 * by the item without non-alphanumeric characters; in the value, `{Ref: Id}` and `${Id}` inside Fn::Sub become the
 * item. Clones keep the source positions of the fragment they came from.
 */
import { isUnknown } from '../model.js';
import { type Ctx, resolve } from './intrinsics.js';
import type { NodeLoc } from './parse.js';

const PREFIX = 'Fn::ForEach::';

/** Own-property assignment that also accepts `__proto__` as an ordinary key. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

export function hasForEach(obj: Record<string, unknown>): boolean {
  for (const k of Object.keys(obj)) if (k.startsWith(PREFIX)) return true;
  return false;
}

/** The mapping with every Fn::ForEach key replaced by its expansion (recursively); problems become issues. */
export function expandForEach(ctx: Ctx, obj: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const loc = ctx.parsed.locs.get(obj);
  const out: Record<string, unknown> = {};
  const keys = new Map<string, number>();
  const put = (k: string, v: unknown, off: number) => {
    if (Object.hasOwn(out, k)) {
      ctx.issues.push({
        location: ctx.parsed.position(off),
        severity: 'error',
        code: 'bad-foreach',
        message: `Fn::ForEach produces ${k}, which already exists`,
      });
    }
    setOwn(out, k, v);
    keys.set(k, off);
  };
  for (const [k, v] of Object.entries(obj)) {
    const off = loc?.keys?.get(k) ?? loc?.off ?? 0;
    if (!k.startsWith(PREFIX)) {
      put(k, v, off);
      continue;
    }
    const fail = (message: string) => {
      ctx.issues.push({
        location: ctx.parsed.position(off),
        severity: 'error',
        code: 'bad-foreach',
        message: `${k}: ${message}`,
      });
    };
    if (depth > 5) {
      fail('nested deeper than 5 loops');
      continue;
    }
    if (
      !Array.isArray(v) ||
      v.length !== 3 ||
      typeof v[0] !== 'string' ||
      !v[2] ||
      typeof v[2] !== 'object' ||
      Array.isArray(v[2])
    ) {
      fail('expected [Identifier, Collection, {OutputKey: OutputValue}]');
      continue;
    }
    const id = v[0];
    const coll = resolve(ctx, v[1], ctx.parsed.locs.get(v)?.items?.[1] ?? off);
    if (isUnknown(coll) || !Array.isArray(coll) || coll.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
      ctx.issues.push({
        location: ctx.parsed.position(off),
        severity: 'warning',
        code: 'unsupported-feature',
        message: `${k}: the collection is not a known list of strings (${isUnknown(coll) ? coll.reason : 'not a list'}), so the loop is not expanded`,
      });
      continue;
    }
    const fragment = v[2] as Record<string, unknown>;
    for (const item of coll.map(String)) {
      const expanded = substitute(ctx, fragment, id, item) as Record<string, unknown>;
      const inner = hasForEach(expanded) ? expandForEach(ctx, expanded, depth + 1) : expanded;
      const iloc = ctx.parsed.locs.get(inner);
      for (const [ik, iv] of Object.entries(inner)) put(ik, iv, iloc?.keys?.get(ik) ?? off);
    }
  }
  ctx.parsed.locs.set(out, { off: loc?.off ?? 0, keys });
  return out;
}

/** Deep clone with the loop identifier replaced; positions are copied to the clones. */
function substitute(ctx: Ctx, node: unknown, id: string, item: string, inSub = false): unknown {
  if (typeof node === 'string') {
    let s = node.split(`&{${id}}`).join(item.replace(/[^A-Za-z0-9]/g, ''));
    if (inSub) s = s.split(`\${${id}}`).join(item);
    return s;
  }
  if (node === null || typeof node !== 'object') return node;
  const loc = ctx.parsed.locs.get(node);
  if (Array.isArray(node)) {
    const arr = node.map((x) => substitute(ctx, x, id, item, inSub));
    if (loc) ctx.parsed.locs.set(arr, { off: loc.off, items: loc.items ? [...loc.items] : [] });
    return arr;
  }
  const obj = node as Record<string, unknown>;
  const ks = Object.keys(obj);
  if (ks.length === 1 && ks[0] === 'Ref' && obj.Ref === id) return item;
  const out: Record<string, unknown> = {};
  const keys = new Map<string, number>();
  for (const k of ks) {
    const nk = k
      .split(`\${${id}}`)
      .join(item)
      .split(`&{${id}}`)
      .join(item.replace(/[^A-Za-z0-9]/g, ''));
    setOwn(out, nk, substitute(ctx, obj[k], id, item, inSub || k === 'Fn::Sub'));
    const koff = loc?.keys?.get(k);
    if (koff !== undefined) keys.set(nk, koff);
  }
  const nl: NodeLoc = { off: loc?.off ?? 0, keys };
  ctx.parsed.locs.set(out, nl);
  return out;
}
