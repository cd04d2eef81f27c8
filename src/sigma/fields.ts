/**
 * Field access on native records.
 *
 * A rule field such as `requestParameters.bucketName` is looked up literally first (some formats have dotted
 * keys); when absent, the dotted path walks into nested objects. An array met on the way is searched element by
 * element ("any element"), and an integer path segment may also index into it. The result is the raw value
 * (possibly an array or an object): tests then look at its leaves.
 */

/** A pre-split field path (built once per rule field, used for every record). */
export class FieldPath {
  readonly parts: string[];
  /** `suffixes[i]` = parts[i..].join('.') — the literal key to try first at depth i. */
  readonly suffixes: string[];
  /** Segments that collide with Object.prototype members need an own-property check. */
  readonly guarded: boolean[];
  readonly index: (number | undefined)[];

  constructor(readonly name: string) {
    this.parts = name.split('.');
    this.suffixes = this.parts.map((_, i) => this.parts.slice(i).join('.'));
    this.guarded = this.suffixes.map((s) => s in Object.prototype);
    this.index = this.parts.map((p) => (/^(0|[1-9]\d{0,8})$/.test(p) ? Number(p) : undefined));
    for (let i = 0; i < this.parts.length; i++) {
      if (this.guarded[i] === false && this.parts[i]! in Object.prototype) this.guarded[i] = true;
    }
  }
}

/** Resolve a field; `undefined` when absent. Several hits through arrays come back as an array. */
export function resolveField(fields: Record<string, unknown>, path: FieldPath): unknown {
  return walk(fields, path, 0);
}

function own(obj: Record<string, unknown>, key: string, guarded: boolean): unknown {
  if (guarded && !Object.hasOwn(obj, key)) return undefined;
  return obj[key];
}

function walk(value: unknown, path: FieldPath, i: number): unknown {
  if (i === path.parts.length) return value;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    const idx = path.index[i];
    if (idx !== undefined && idx < value.length) {
      const hit = walk(value[idx], path, i + 1);
      if (hit !== undefined) return hit;
    }
    let found: unknown[] | undefined;
    let single: unknown;
    let count = 0;
    for (const el of value) {
      const hit = walk(el, path, i);
      if (hit === undefined) continue;
      if (count === 0) single = hit;
      else {
        if (count === 1) found = Array.isArray(single) ? [...single] : [single];
        if (Array.isArray(hit)) found!.push(...hit);
        else found!.push(hit);
      }
      count++;
    }
    return count === 0 ? undefined : count === 1 ? single : found;
  }
  const obj = value as Record<string, unknown>;
  const guarded = path.guarded[i]!;
  if (i < path.parts.length - 1) {
    const literal = own(obj, path.suffixes[i]!, guarded);
    if (literal !== undefined) return literal;
  }
  const next = own(obj, path.parts[i]!, guarded);
  if (next === undefined) return undefined;
  return walk(next, path, i + 1);
}

/** Text form of a scalar leaf as Sigma compares it; undefined for null. */
export function leafText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}

/**
 * Call `fn` on every scalar leaf of a value (arrays and objects are descended) until it returns true.
 * Null leaves are skipped: null never equals a string, number or pattern.
 */
export function someLeaf(v: unknown, fn: (leaf: string | number | boolean) => boolean): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v !== 'object') return fn(v as string | number | boolean);
  if (Array.isArray(v)) {
    for (const el of v) if (someLeaf(el, fn)) return true;
    return false;
  }
  for (const key in v as Record<string, unknown>) {
    if (someLeaf((v as Record<string, unknown>)[key], fn)) return true;
  }
  return false;
}

/** The first leaf satisfying `fn`, for explanations. */
export function findLeaf(
  v: unknown,
  fn: (leaf: string | number | boolean) => boolean,
): string | number | boolean | undefined {
  let found: string | number | boolean | undefined;
  someLeaf(v, (leaf) => {
    if (fn(leaf)) {
      found = leaf;
      return true;
    }
    return false;
  });
  return found;
}
