/**
 * Unknown tracking: a rule reads a template CI through a Proxy that records every Unknown marker it touches (with
 * the CI path it was found at). The scan then downgrades decisions that depended on a value only known at deploy time
 * (never a false COMPLIANT), while a NON_COMPLIANT decided by known values stands.
 */
import type { ConfigItem } from '../../posture/model.js';
import type { Decision, EvalContext, Evidence } from '../../posture/rule.js';
import { isUnknown, type Unknown } from '../model.js';

export interface UnknownRead {
  path: string;
  unknown: Unknown;
}

export class Tracker {
  reads: UnknownRead[] = [];
  private readonly targets = new WeakMap<object, object>();
  private readonly cache = new WeakMap<object, Map<string, object>>();

  /** A read-only view of `o` that records Unknown reads under `base`. */
  wrap<T extends object>(o: T, base: string): T {
    let byBase = this.cache.get(o);
    const hit = byBase?.get(base);
    if (hit) return hit as T;
    const self = this;
    const p = new Proxy(o, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || v === null || typeof v !== 'object') return v;
        const at = base === '' ? key : `${base}.${key}`;
        if (isUnknown(v)) {
          self.reads.push({ path: at, unknown: v });
          return v;
        }
        return self.wrap(v as object, at);
      },
      set: () => false,
      deleteProperty: () => false,
    });
    if (!byBase) this.cache.set(o, (byBase = new Map()));
    byBase.set(base, p);
    this.targets.set(p, o);
    return p;
  }

  /** Deep copy of a value a rule returned (evidence), without proxies. */
  plain(v: unknown, depth = 0): unknown {
    if (v === null || typeof v !== 'object' || depth > 20) return v;
    const t = this.targets.get(v as object) ?? v;
    if (isUnknown(t)) return t;
    if (Array.isArray(t)) return t.map((x) => this.plain(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(t)) out[k] = this.plain(x, depth + 1);
    return out;
  }

  reset(): void {
    this.reads = [];
  }
}

/** A context whose CIs are tracked too (paths prefixed `<type>/<id>`). */
export function trackedContext(ctx: EvalContext, tr: Tracker): EvalContext {
  return {
    now: ctx.now,
    known: (t) => ctx.known(t),
    itemsOf: (t) => ctx.itemsOf(t).map((ci) => tr.wrap(ci, `${t}/${ci.resourceId}`)),
    find: (t, id) => {
      const ci = ctx.find(t, id);
      return ci ? tr.wrap(ci, `${t}/${ci.resourceId}`) : undefined;
    },
  };
}

/** `a.b[2].c` / `a.b[key=x].value` → segments. */
export function segments(path: string): string[] {
  const out: string[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

function prefixOf(a: string[], b: string[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && a[i] !== '' && b[i] !== '') return false;
  return true;
}

export function containsUnknown(v: unknown, depth = 0): Unknown | undefined {
  if (v === null || typeof v !== 'object' || depth > 20) return undefined;
  if (isUnknown(v)) return v;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    const u = containsUnknown(x, depth + 1);
    if (u) return u;
  }
  return undefined;
}

/** The value at an evidence path in a CI (undefined when the path does not resolve). */
export function at(ci: ConfigItem, path: string): unknown {
  let cur: unknown = ci;
  for (const s of segments(path)) {
    if (cur === null || typeof cur !== 'object' || isUnknown(cur)) return cur;
    const o = cur as Record<string, unknown>;
    if (s === '') return undefined; // `[]` (any element) in an evidence path
    cur = s in o ? o[s] : o[s[0]!.toUpperCase() + s.slice(1)];
  }
  return cur;
}

/**
 * The decision after accounting for Unknown reads: a COMPLIANT / NOT_APPLICABLE decision that read an Unknown, or a
 * NON_COMPLIANT one whose evidence is (or lies under, or contains) an Unknown, becomes INSUFFICIENT_DATA naming the
 * reason. Returns the Unknown that decided it, if any.
 */
export function settle(
  d: Decision,
  reads: UnknownRead[],
  ci: ConfigItem,
): { decision: Decision; unknown?: UnknownRead } {
  if (reads.length === 0 || d.compliance === 'INSUFFICIENT_DATA') return { decision: d };
  let culprit: UnknownRead | undefined;
  if (d.compliance === 'NON_COMPLIANT') {
    if (d.evidence.length === 0) culprit = reads[0];
    for (const e of d.evidence) {
      if (culprit) break;
      const es = segments(e.path);
      const u =
        containsUnknown(e.value) ??
        (es[0] === 'configuration' || es[0] === 'supplementaryConfiguration' || es[0] === 'tags'
          ? containsUnknown(at(ci, e.path))
          : undefined);
      if (u) culprit = reads.find((r) => r.unknown === u) ?? { path: e.path, unknown: u };
      else
        culprit = reads.find((r) => {
          const rs = segments(r.path);
          return prefixOf(rs, es) || prefixOf(es, rs);
        });
    }
    if (!culprit) return { decision: d };
  } else culprit = reads[0]!;
  const what = culprit.path.replace(/^(configuration|supplementaryConfiguration)\./, '');
  return {
    decision: {
      compliance: 'INSUFFICIENT_DATA',
      annotation: `${what} is only known at deploy time (${culprit.unknown.reason}); on the known values: ${d.annotation}`,
      evidence: [{ path: culprit.path, value: culprit.unknown } as Evidence, ...d.evidence],
    },
    unknown: culprit,
  };
}
