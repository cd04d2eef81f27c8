/**
 * VPC Flow Logs field catalogue and per-format layouts (logs.md §2).
 *
 * A layout is the ordered field list of one format (a file's header line, the configured format string, or the
 * default v2 format) with everything the hot path needs precomputed: a converter kind per position and the
 * positions of the fields the normalised helpers read.
 */

import { cachedByLayout } from '../fields.js';
import { Interner } from '../intern.js';

/** How a column's text becomes a value (plain numbers so the hot path compares small integers). */
export const Kind = {
  /** Kept as written. */
  Text: 0,
  /** Unsigned integer; anything else (but `-`) is an error. */
  Int: 1,
  /** Number when numeric, otherwise kept as text (fields whose type AWS has not confirmed). */
  Lenient: 2,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Every field AWS documents for VPC flow logs (v2–v8, plus two newer ones) and Transit Gateway flow logs. */
export const KNOWN_FIELDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  // v2 (the default format, in this order)
  ['version', Kind.Int],
  ['account-id', Kind.Text], // 12 digits with leading zeros, or `unknown`: never a number
  ['interface-id', Kind.Text],
  ['srcaddr', Kind.Text],
  ['dstaddr', Kind.Text],
  ['srcport', Kind.Int],
  ['dstport', Kind.Int],
  ['protocol', Kind.Int],
  ['packets', Kind.Int],
  ['bytes', Kind.Int],
  ['start', Kind.Int],
  ['end', Kind.Int],
  ['action', Kind.Text],
  ['log-status', Kind.Text],
  // v3
  ['vpc-id', Kind.Text],
  ['subnet-id', Kind.Text],
  ['instance-id', Kind.Text],
  ['tcp-flags', Kind.Int],
  ['type', Kind.Text],
  ['pkt-srcaddr', Kind.Text],
  ['pkt-dstaddr', Kind.Text],
  // v4
  ['region', Kind.Text],
  ['az-id', Kind.Text],
  ['sublocation-type', Kind.Text],
  ['sublocation-id', Kind.Text],
  // v5
  ['pkt-src-aws-service', Kind.Text],
  ['pkt-dst-aws-service', Kind.Text],
  ['flow-direction', Kind.Text],
  ['traffic-path', Kind.Int],
  // v7 (ECS)
  ['ecs-cluster-arn', Kind.Text],
  ['ecs-cluster-name', Kind.Text],
  ['ecs-container-instance-arn', Kind.Text],
  ['ecs-container-instance-id', Kind.Text],
  ['ecs-container-id', Kind.Text],
  ['ecs-second-container-id', Kind.Text],
  ['ecs-service-name', Kind.Text],
  ['ecs-task-definition-arn', Kind.Text],
  ['ecs-task-arn', Kind.Text],
  ['ecs-task-id', Kind.Text],
  // v8
  ['reject-reason', Kind.Text],
  // newer, unconfirmed in the spec: typed leniently so an unexpected value is kept rather than rejected
  ['resource-id', Kind.Text],
  ['encryption-status', Kind.Lenient],
  // Transit Gateway flow logs (their own field set; shared names above keep their meaning)
  ['resource-type', Kind.Text],
  ['tgw-id', Kind.Text],
  ['tgw-attachment-id', Kind.Text],
  ['tgw-src-vpc-account-id', Kind.Text],
  ['tgw-dst-vpc-account-id', Kind.Text],
  ['tgw-src-vpc-id', Kind.Text],
  ['tgw-dst-vpc-id', Kind.Text],
  ['tgw-src-subnet-id', Kind.Text],
  ['tgw-dst-subnet-id', Kind.Text],
  ['tgw-src-eni', Kind.Text],
  ['tgw-dst-eni', Kind.Text],
  ['tgw-src-az-id', Kind.Text],
  ['tgw-dst-az-id', Kind.Text],
  ['tgw-pair-attachment-id', Kind.Text],
  ['packets-lost-no-route', Kind.Int],
  ['packets-lost-blackhole', Kind.Int],
  ['packets-lost-mtu-exceeded', Kind.Int],
  ['packets-lost-ttl-expired', Kind.Int],
]);

export const DEFAULT_V2_FIELDS = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
] as const;

/** Field names AWS uses: lower case, digits and hyphens. */
const NAME = /^[a-z][a-z0-9-]*$/;

export function isFieldName(token: string): boolean {
  return NAME.test(token);
}

export interface Layout {
  /** Where the layout came from, for error messages ("per the header (line 1)"). */
  readonly origin: string;
  readonly names: readonly string[];
  readonly kinds: Uint8Array;
  readonly count: number;
  /** Positions (-1 when the layout lacks the field) of the fields the helpers read. */
  readonly start: number;
  readonly end: number;
  readonly srcaddr: number;
  readonly dstaddr: number;
  readonly pktSrcaddr: number;
  readonly instanceId: number;
  readonly interfaceId: number;
  /** Declared names that are not in the catalogue: accepted, kept as text. */
  readonly unknown: readonly string[];
  /** This layout's record reader (see `compileReader`). */
  readonly read: RecordReader;
  /** This layout's in-place reader (see `compileRowReader`). */
  readonly readRow: RowReader;
}

/**
 * Where a record stopped being readable: `index` is the field whose text is not a valid value (its text spans
 * `from`..`to`), or -1 when the line has the wrong number of fields.
 */
export interface ReadFailure {
  index: number;
  from: number;
  to: number;
}

/** Reads one record line into its fields object, or returns undefined and fills `fail`. */
export type RecordReader = (
  line: string,
  fail: ReadFailure,
  parseUint: (s: string, from: number, to: number) => number,
) => Record<string, unknown> | undefined;

/**
 * Reads the record `text[from, to)` in place: column i's span into spans[2i], spans[2i + 1] (absolute positions;
 * spans[2i] = -1 when absent) and an integer column's value, or an address column's IPv4 number (-1: not IPv4),
 * into nums[i] (NaN when absent), and the `Hot` fields into `hot`; false with `fail` set as `RecordReader` sets it
 * (positions absolute).
 */
export type RowReader = (
  text: string,
  from: number,
  to: number,
  spans: Int32Array,
  nums: Float64Array,
  hot: Float64Array,
  fail: ReadFailure,
  parseUint: (s: string, from: number, to: number) => number,
) => boolean;

/**
 * Slots of the values flow detection reads for every record, which the row reader also copies into a fixed-size
 * array (`hot`, NaN when the record or the layout lacks the field): the view then reads constant positions instead
 * of looking each column up through the layout.
 */
export const Hot = {
  srcaddr: 0,
  dstaddr: 1,
  srcport: 2,
  dstport: 3,
  protocol: 4,
  packets: 5,
  bytes: 6,
  'tcp-flags': 7,
  start: 8,
  end: 9,
  /** 1 for ACCEPT, 0 for anything else. */
  action: 10,
  /** 1 for ingress, 2 for egress, 0 for anything else. */
  'flow-direction': 11,
  /** 1 when present. */
  'vpc-id': 12,
} as const;

/** Text columns the row reader turns into a number for `hot` (keyword → value; any other text is 0). */
const KEYWORDS: Partial<Record<keyof typeof Hot, Record<string, number>>> = {
  action: { ACCEPT: 1 },
  'flow-direction': { ingress: 1, egress: 2 },
  'vpc-id': {},
};
export const HOT_SLOTS = Object.keys(Hot).length;

/** Text columns whose IPv4 number the row reader computes while finding their end. */
const ADDRESS_COLUMNS = new Set(['srcaddr', 'dstaddr']);
/** Row reader column kind of an address column (beside `Kind`). */
const ADDRESS = 3;

/** Build a layout from an ordered field list (names already validated). */
export function makeLayout(names: readonly string[], origin: string): Layout {
  const kinds = new Uint8Array(names.length);
  const unknown: string[] = [];
  names.forEach((name, i) => {
    const kind = KNOWN_FIELDS.get(name);
    if (kind === undefined) unknown.push(name);
    kinds[i] = kind ?? Kind.Text;
  });
  const rowKinds = kinds.map((k, i) => (ADDRESS_COLUMNS.has(names[i]!) ? ADDRESS : k));
  const hotSlots = names.map((n) => (Object.hasOwn(Hot, n) ? Hot[n as keyof typeof Hot] : -1));
  return {
    origin,
    names,
    kinds,
    count: names.length,
    start: names.indexOf('start'),
    end: names.indexOf('end'),
    srcaddr: names.indexOf('srcaddr'),
    dstaddr: names.indexOf('dstaddr'),
    pktSrcaddr: names.indexOf('pkt-srcaddr'),
    instanceId: names.indexOf('instance-id'),
    interfaceId: names.indexOf('interface-id'),
    unknown,
    read: cachedByLayout(readers, `${kinds.join('')}\n${names.join(' ')}`, () => compileReader(names, kinds)),
    readRow: cachedByLayout(rowReaders, `${rowKinds.join('')}|${hotSlots.join(',')}`, () =>
      compileRowReader(rowKinds, hotSlots),
    ),
  };
}

const readers = new Map<string, RecordReader>();
const rowReaders = new Map<string, RowReader>();

/**
 * Columns read through an interner (intern.ts): the ids that per-instance state is keyed by, so each distinct id is
 * one string object whose hash V8 computes once. Other columns are sliced: interning costs more than it saves there.
 */
const INTERNED = new Set(['interface-id', 'instance-id']);

/** Code that sets `sp` to the end of the column starting at `pos` (the record ends at `len`). */
function endOfColumn(): string[] {
  return ["sp = line.indexOf(' ', pos);", 'if (sp < 0 || sp > len) sp = len;'];
}

/** Condition true when the column `pos`..`sp` is absent: empty or `-`. */
const ABSENT = 'sp === pos || (sp - pos === 1 && line.charCodeAt(pos) === 45)';

/**
 * Code reading integer column i (strict: anything else is an error; else lenient: kept as text) starting at `pos`.
 * Most are 1–15 plain digits: read while finding the column's end (no indexOf, no second pass); anything else (`-`,
 * empty, longer, not digits) takes the generic path from the column's start through `parseUint`. Leaves `sp` at the
 * column's end; `store(v)` keeps a value (with `pos`, `sp` set), `absent` handles `-` / empty, `text` a lenient
 * column's text, `fail` ends the read after `fail` was filled.
 */
function numberColumn(
  i: number,
  strict: boolean,
  code: { store: (value: string) => string; absent: string; text: string; fail: string },
): string[] {
  return [
    'v = 0; p = pos; c = 32;',
    'while (p < len) { c = line.charCodeAt(p); if (c < 48 || c > 57) break; v = v * 10 + (c - 48); p++; }',
    'if (p === len) c = 32;',
    `if (p > pos && c === 32 && p - pos <= 15) { sp = p; ${code.store('v')} } else {`,
    ...endOfColumn().map((l) => `  ${l}`),
    `  if (${ABSENT}) { ${code.absent} } else {`,
    '    v = parseUint(line, pos, sp);',
    strict
      ? `    if (v < 0) { fail.index = ${i}; fail.from = pos; fail.to = sp; ${code.fail} }\n    ${code.store('v')}`
      : `    if (v < 0) { ${code.text} } else { ${code.store('v')} }`,
    '  }',
    '}',
  ];
}

/**
 * A record reader specialised for one layout (cached by layout: every file with the same header shares it): straight-line code with one literal property name per column, so
 * every fields object of a layout is built by the same monomorphic stores (a loop storing `fields[names[i]]` goes
 * through V8's generic keyed-store path for every column, which was most of the parser's time). Field names are
 * validated (`[a-z][a-z0-9-]*`) and embedded with JSON.stringify, so no input reaches the code as anything but a
 * string literal. `-` (and an empty column) is absent: the key is omitted.
 */
function compileReader(names: readonly string[], kinds: Uint8Array): RecordReader {
  const lines = [
    'const len = line.length;',
    'const f = new Fields();',
    'let pos = 0;',
    'let sp = 0;',
    'let v = 0;',
    'let p = 0;',
    'let c = 0;',
  ];
  names.forEach((name, i) => {
    if (!NAME.test(name)) throw new Error(`invalid VPC flow log field name ${JSON.stringify(name)}`);
    const key = JSON.stringify(name);
    lines.push('if (pos > len) { fail.index = -1; return undefined; }');
    if (kinds[i] === Kind.Text) {
      // Find the column's end; `-` and empty are absent (the key is omitted).
      const value = INTERNED.has(name) ? `intern[${i}].get(line, pos, sp)` : 'line.slice(pos, sp)';
      lines.push(...endOfColumn(), `if (!(${ABSENT})) f[${key}] = ${value};`);
    } else
      lines.push(
        ...numberColumn(i, kinds[i] === Kind.Int, {
          store: (v) => `f[${key}] = ${v};`,
          absent: '',
          text: `f[${key}] = line.slice(pos, sp);`,
          fail: 'return undefined;',
        }),
      );
    lines.push('pos = sp + 1;');
  });
  lines.push('if (pos <= len) { fail.index = -1; return undefined; }', 'return f;');
  // Objects made by a constructor get room for all their properties inside the object once V8 has seen a few
  // (slack tracking); a `{}` literal has four in-object slots and moves the rest to a separately grown store.
  // The prototype stays Object.prototype: the objects are plain records for every consumer.
  const factory = new Function(
    'intern',
    `function Fields() {}\nFields.prototype = Object.prototype;\nreturn function read(line, fail, parseUint) {\n${lines.join('\n')}\n};`,
  ) as (intern: Interner[]) => RecordReader;
  // One interner per column (text columns use theirs; see intern.ts), shared by every file of this layout.
  return factory(names.map(() => new Interner()));
}

/**
 * The in-place reader of a layout's column kinds: the same checks as `compileReader` (an invalid integer fails at
 * the same column, `-` and empty are absent), straight-line code with constant indices, no object and no substring.
 * Integer columns are read while finding their end, as there; so are addresses, as IPv4 numbers (`ipv4At`'s rules:
 * four octets of 1–3 digits up to 255, 7–15 characters), so neither needs a second pass.
 */
function compileRowReader(kinds: Uint8Array, hotSlots: readonly number[]): RowReader {
  const lines = ['let pos = from;', 'const len = to;', 'let sp = 0;', 'let v = 0;', 'let p = 0;', 'let c = 0;'];
  lines.push('let o = 0;', 'let d = 0;', 'let dots = 0;', 'let ok = true;', 'let q = 0;');
  kinds.forEach((kind, i) => {
    const a = 2 * i;
    const keep = `spans[${a}] = pos; spans[${a + 1}] = sp;`;
    lines.push('if (pos > len) { fail.index = -1; return false; }');
    if (kind === Kind.Text) lines.push(...endOfColumn(), `if (${ABSENT}) spans[${a}] = -1;`, `else { ${keep} }`);
    else if (kind === ADDRESS) {
      lines.push(
        'v = 0; o = 0; d = 0; dots = 0; ok = true; p = pos;',
        'while (p < len) {',
        '  c = line.charCodeAt(p);',
        '  if (c === 32) break;',
        '  if (c >= 48 && c <= 57) { o = o * 10 + (c - 48); if (++d > 3) ok = false; }',
        '  else if (c === 46 && d > 0 && o <= 255 && dots < 3) { v = v * 256 + o; o = 0; d = 0; dots++; }',
        '  else ok = false;',
        '  p++;',
        '}',
        'sp = p;',
        `if (${ABSENT}) spans[${a}] = -1;`,
        `else { ${keep} nums[${i}] = ok && dots === 3 && d > 0 && o <= 255 && sp - pos >= 7 && sp - pos <= 15 ? v * 256 + o : -1; }`,
      );
    } else
      lines.push(
        ...numberColumn(i, kind === Kind.Int, {
          store: (v) => `${keep} nums[${i}] = ${v};`,
          absent: `spans[${a}] = -1; nums[${i}] = NaN;`,
          text: `${keep} nums[${i}] = NaN;`,
          fail: 'return false;',
        }),
      );
    lines.push('pos = sp + 1;');
  });
  lines.push('if (pos <= len) { fail.index = -1; return false; }');
  for (const [name, k] of Object.entries(Hot)) {
    const i = hotSlots.indexOf(k);
    const keywords = KEYWORDS[name as keyof typeof Hot];
    if (i < 0) lines.push(`hot[${k}] = NaN;`);
    else if (keywords === undefined) lines.push(`hot[${k}] = spans[${2 * i}] < 0 ? NaN : nums[${i}];`);
    else {
      // Compared in place, character by character (no substring, no call).
      const test = Object.entries(keywords).map(([word, value]) => {
        const chars = [...word].map((ch, j) => `line.charCodeAt(p + ${j}) === ${ch.charCodeAt(0)}`);
        return `q === ${word.length} && ${chars.join(' && ')} ? ${value} : `;
      });
      lines.push(
        `p = spans[${2 * i}]; q = spans[${2 * i + 1}] - p;`,
        `hot[${k}] = p < 0 ? NaN : ${name === 'vpc-id' ? '1' : `${test.join('')}0`};`,
      );
    }
  }
  lines.push('return true;');
  const params = ['line', 'from', 'to', 'spans', 'nums', 'hot', 'fail', 'parseUint'];
  return new Function(...params, lines.join('\n')) as RowReader;
}

export const DEFAULT_LAYOUT = makeLayout(DEFAULT_V2_FIELDS, 'the default v2 format');

/**
 * Parse a configured format string: `${version} ${account-id} …` (as AWS shows it) or plain names, separated by
 * spaces (commas tolerated). Returns the names, or a reason the string is not a flow log format.
 */
export function parseFormatString(spec: string): { names: string[] } | { error: string } {
  const tokens = spec.split(/[\s,]+/).filter((t) => t.length > 0);
  if (tokens.length === 0) return { error: 'it names no fields' };
  const names: string[] = [];
  for (const token of tokens) {
    const name = token.startsWith('${') && token.endsWith('}') ? token.slice(2, -1) : token;
    if (!NAME.test(name)) return { error: `'${token}' is not a field name` };
    if (names.includes(name)) return { error: `field '${name}' appears twice` };
    names.push(name);
  }
  return { names };
}

/**
 * Is this line a header (the field list S3-delivered files start with)? Every token must be name-shaped and the
 * first, or failing that the second, a catalogued field name; data values never are (they are numbers, IDs such as
 * `eni-…`, addresses, upper-case keywords or `-`). Cheap for data lines: most fail on the first character.
 */
export function headerNames(text: string): string[] | undefined {
  const c = text.charCodeAt(0);
  if (c < 97 || c > 122) return undefined; // not a-z
  const line = text.trimEnd();
  let sp = line.indexOf(' ');
  if (sp < 0) sp = line.length;
  if (!KNOWN_FIELDS.has(line.slice(0, sp))) {
    // A header may start with a field this version of Vigil does not know; then the second must be known.
    let sp2 = line.indexOf(' ', sp + 1);
    if (sp2 < 0) sp2 = line.length;
    if (sp2 <= sp + 1 || !KNOWN_FIELDS.has(line.slice(sp + 1, sp2))) return undefined;
  }
  const names = line.split(' ');
  for (const name of names) if (!NAME.test(name)) return undefined;
  return names;
}
