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

  /** Compiled accessor (see compileAccessor), built on first use. */
  private compiled: ((fields: unknown) => unknown) | undefined;

  constructor(readonly name: string) {
    this.parts = name.split('.');
    this.suffixes = this.parts.map((_, i) => this.parts.slice(i).join('.'));
    this.guarded = this.parts.map((p, i) => p in Object.prototype || this.suffixes[i]! in Object.prototype);
    this.index = this.parts.map((p) => (/^(0|[1-9]\d{0,8})$/.test(p) ? Number(p) : undefined));
  }

  get(fields: unknown): unknown {
    this.compiled ??= compileAccessor(this);
    return this.compiled(fields);
  }

  /** The compiled accessor itself, for callers that read the same path for every record. */
  accessor(): (fields: unknown) => unknown {
    this.compiled ??= compileAccessor(this);
    return this.compiled;
  }
}

/** Resolve a field; `undefined` when absent. Several hits through arrays come back as an array. */
export function resolveField(fields: Record<string, unknown>, path: FieldPath): unknown {
  return path.get(fields);
}

/** The same resolution by plain interpretation of the path (the reference the compiled accessor is tested against). */
export function walkField(fields: Record<string, unknown>, path: FieldPath): unknown {
  return walk(fields, path, 0);
}

/**
 * Property reads with a key that varies at run time are slow in V8 (one shared, megamorphic inline cache); a read
 * written with a constant key gets its own cache and costs a nanosecond or two. So each path is compiled once into
 * a small function of constant-key reads. Keys are embedded with JSON.stringify (a valid, escaped string literal).
 * Arrays hand over to the interpreter, which handles "any element" and indices.
 */
function compileAccessor(path: FieldPath): (fields: unknown) => unknown {
  const n = path.parts.length;
  const read = (obj: string, key: string, guarded: boolean) =>
    guarded
      ? `(hasOwn(${obj}, ${JSON.stringify(key)}) ? ${obj}[${JSON.stringify(key)}] : undefined)`
      : `${obj}[${JSON.stringify(key)}]`;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const cur = `v${i}`;
    lines.push(`if (${cur} === null || typeof ${cur} !== 'object') return undefined;`);
    lines.push(`if (Array.isArray(${cur})) return slow(${cur}, ${i});`);
    if (i < n - 1) {
      lines.push(`const l${i} = ${read(cur, path.suffixes[i]!, path.guarded[i]!)};`);
      lines.push(`if (l${i} !== undefined) return l${i};`);
    }
    lines.push(`const v${i + 1} = ${read(cur, path.parts[i]!, path.guarded[i]!)};`);
    if (i < n - 1) lines.push(`if (v${i + 1} === undefined) return undefined;`);
  }
  lines.push(`return v${n};`);
  const factory = new Function('slow', 'hasOwn', `return function (v0) {\n${lines.join('\n')}\n};`) as (
    slow: (v: unknown, i: number) => unknown,
    hasOwn: (o: object, k: string) => boolean,
  ) => (fields: unknown) => unknown;
  return factory((v, i) => walk(v, path, i), Object.hasOwn);
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
