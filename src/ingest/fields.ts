/**
 * Fields objects for the column formats (S3 server access, ELB, CloudFront): a builder compiled once per column
 * layout stores each column under its literal name. A loop doing `fields[names[i]] = value` goes through V8's generic
 * keyed-store path for every column of every record, which was most of these parsers' time; straight-line stores
 * with literal names are monomorphic, and objects made by a constructor get room for every property in-object.
 *
 * Names reach the generated code only as JSON string literals (they may come from a file's header line).
 */

/** Where building stopped: the column whose text is not a number. */
export interface FieldsFailure {
  index: number;
}

/**
 * Builds the fields of one record from its first `count` columns: `-` and empty columns are absent (no key);
 * numeric columns go through `num` (NaN = invalid: returns undefined with `fail.index` set).
 */
export type FieldsBuilder = (
  columns: readonly string[],
  count: number,
  fail: FieldsFailure,
) => Record<string, unknown> | undefined;

/** `numeric[i] === 1` marks the numeric columns; `num` converts one (NaN when the text is not a valid number). */
export function compileFieldsBuilder(
  names: readonly string[],
  numeric: ArrayLike<number>,
  num: (text: string) => number,
): FieldsBuilder {
  const body = ['const f = new Fields();', 'let v;', 'let n;'];
  names.forEach((name, i) => {
    // `__proto__` as a plain store would replace the object's prototype: define it as an ordinary property instead.
    const store = (value: string) =>
      name === '__proto__'
        ? `defineProperty(f, '__proto__', { value: ${value}, enumerable: true, writable: true, configurable: true });`
        : `f[${JSON.stringify(name)}] = ${value};`;
    body.push(`if (count > ${i}) {`, `  v = columns[${i}];`, "  if (v !== '-' && v !== '') {");
    if (numeric[i] === 1)
      body.push('    n = num(v);', `    if (n !== n) { fail.index = ${i}; return undefined; }`, `    ${store('n')}`);
    else body.push(`    ${store('v')}`);
    body.push('  }', '}');
  });
  body.push('return f;');
  // The prototype stays Object.prototype: these are plain records for every consumer.
  const factory = new Function(
    'num',
    'defineProperty',
    `function Fields() {}\nFields.prototype = Object.prototype;\nreturn function build(columns, count, fail) {\n${body.join('\n')}\n};`,
  ) as (num: (text: string) => number, defineProperty: typeof Object.defineProperty) => FieldsBuilder;
  return factory(num, Object.defineProperty);
}

/**
 * Compiled code cached by layout (its names and kinds): delivered logs come as many files with the same header, and a
 * builder compiled per file would also start cold in the JIT for every file. Bounded: cleared when full.
 */
export function cachedByLayout<T>(cache: Map<string, T>, key: string, make: () => T, max = 256): T {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size >= max) cache.clear();
    v = make();
    cache.set(key, v);
  }
  return v;
}

const builders = new Map<string, FieldsBuilder>();

/**
 * A builder whose numeric columns use `finiteNumber` (S3 access, CloudFront), shared by every parser instance with
 * the same layout.
 */
export function fieldsBuilderFor(names: readonly string[], numeric: ArrayLike<number>): FieldsBuilder {
  const key = `${Array.from(numeric).join('')}\n${names.join('\n')}`;
  return cachedByLayout(builders, key, () => compileFieldsBuilder(names, numeric, finiteNumber));
}

/** The value of a plain unsigned integer of at most 15 digits (exact in a double), else -1. */
export function plainUint(text: string): number {
  const len = text.length;
  if (len === 0 || len > 15) return -1;
  let v = 0;
  for (let i = 0; i < len; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** `Number(text)` when finite, else NaN (S3 and CloudFront numeric columns); plain integers skip `Number()`. */
export function finiteNumber(text: string): number {
  const u = plainUint(text);
  if (u >= 0) return u;
  const n = Number(text);
  return Number.isFinite(n) ? n : Number.NaN;
}
