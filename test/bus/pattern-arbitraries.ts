import fc from 'fast-check';

/**
 * fast-check generators of event patterns over a small universe of fields and values (so that hits are frequent),
 * shared by the differential tests of the compiled index (property.test.ts) and of the text scanner (scan.test.ts).
 */

export const strings = fc.constantFrom(
  'x',
  'xy',
  'yx',
  'X',
  'XY',
  '',
  'ab',
  'aXb',
  '10.0.0.1',
  '10.0.1.7',
  '2001:db8::1',
  'ß',
  'SS',
);
const nonEmpty = strings.filter((s) => s !== '');
export const numbers = fc.constantFrom(0, 1, 5, 10, 1.5, -3, 300);
const wildcards = fc.constantFrom('x*', '*y', '*', 'a*b', '*x*', '', 'x', 'a\\*b');

const element: fc.Arbitrary<unknown> = fc.oneof(
  strings,
  numbers,
  fc.constantFrom(true, false, null),
  strings.map((s) => ({ prefix: s })),
  strings.map((s) => ({ suffix: s })),
  strings.map((s) => ({ 'equals-ignore-case': s })),
  strings.map((s) => ({ prefix: { 'equals-ignore-case': s } })),
  strings.map((s) => ({ suffix: { 'equals-ignore-case': s } })),
  wildcards.map((w) => ({ wildcard: w })),
  fc
    .oneof(
      strings,
      numbers,
      fc.array(strings, { minLength: 1, maxLength: 3 }),
      fc.array(numbers, { minLength: 1, maxLength: 3 }),
    )
    .map((v) => ({ 'anything-but': v })),
  fc.array(nonEmpty, { minLength: 1, maxLength: 2 }).map((v) => ({ 'anything-but': { prefix: v } })),
  fc.array(nonEmpty, { minLength: 1, maxLength: 2 }).map((v) => ({ 'anything-but': { suffix: v } })),
  fc.array(strings, { minLength: 1, maxLength: 2 }).map((v) => ({ 'anything-but': { 'equals-ignore-case': v } })),
  wildcards.map((w) => ({ 'anything-but': { wildcard: w } })),
  fc
    .tuple(numbers, numbers, fc.boolean(), fc.boolean())
    .map(([a, b, openLo, openHi]) =>
      a < b ? { numeric: [openLo ? '>' : '>=', a, openHi ? '<' : '<=', b] } : { numeric: [openLo ? '>' : '<=', a] },
    ),
  numbers.map((n) => ({ numeric: ['=', n] })),
  fc.boolean().map((b) => ({ exists: b })),
  fc.constantFrom('10.0.0.0/24', '10.0.0.0/8', '2001:db8::/32').map((c) => ({ cidr: c })),
);

const paths = fc.constantFrom('a', 'b', 'c', 'a.x', 'a.y', 'b.x', 'c.z');
const field = fc.tuple(paths, fc.array(element, { minLength: 1, maxLength: 3 }));

/** Nest dotted paths into objects where possible; otherwise keep the dotted key (AWS joins both the same way). */
function build(fields: [string, unknown[]][], nest: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, list] of fields) {
    const parts = path.split('.');
    if (!nest || parts.length === 1) {
      out[path] = list;
      continue;
    }
    const head = out[parts[0]];
    if (head === undefined) out[parts[0]] = { [parts[1]]: list };
    else if (!Array.isArray(head)) (head as Record<string, unknown>)[parts[1]] = list;
    else out[path] = list;
  }
  return out;
}

const sub = fc.tuple(fc.array(field, { minLength: 1, maxLength: 2 }), fc.boolean()).map(([f, nest]) => build(f, nest));
export const patternObject: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 3, arbitrary: sub },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.option(sub, { nil: undefined }), fc.array(sub, { minLength: 2, maxLength: 3 }))
      .map(([base, alternatives]) => ({ ...(base ?? {}), $or: alternatives })),
  },
);
