import { VigilError } from '../../core/errors.js';
import { foldStable, ignoreCaseRegex } from './casefold.js';
import { ipBytes, looksLikeIp, parseCidr } from './ip.js';
import {
  type JsonArray,
  type JsonEntry,
  type JsonNode,
  type JsonObject,
  type JsonSyntaxError,
  jacksonLocation,
  lineColumn,
  parseJsonTree,
  syntaxErrorText,
  toJsonTree,
} from './json.js';
import { cannotCompare, comparableNumber } from './numbers.js';
import type { FieldCondition, Matcher, Pattern, SubPattern } from './types.js';
import { parseWildcard, type WildcardSegments, wildcardComplexity } from './wildcard.js';

/** Limits applied on top of the matcher's own validation (AWS quotas). */
export interface CompileOptions {
  /** Maximum pattern length in characters (AWS default quota 2,048; adjustable). 0 disables the check. */
  maxLength?: number;
  /** Maximum number of `$or` combinations (AWS: 1,000). */
  maxCombinations?: number;
  /** Maximum wildcard complexity per field machine (AWS's threshold is unpublished; see docs/bus.md). */
  maxWildcardComplexity?: number;
}

export const DEFAULT_MAX_LENGTH = 2048;
export const DEFAULT_MAX_COMBINATIONS = 1000;
/** Highest accepted complexity: AWS accepts 7 and 9 (verified/reported patterns) and rejects 11 and 12. */
export const DEFAULT_MAX_WILDCARD_COMPLEXITY = 10;

const REASON_PREFIX = 'Event pattern is not valid. Reason: ';
export const TOO_COMPLEX =
  'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';

/**
 * An invalid event pattern. `message` is AWS's `InvalidEventPatternException` message; `rawMessage` adds the
 * Jackson location suffix AWS appends to parser-located errors.
 */
export class PatternError extends VigilError {
  readonly code = 'InvalidEventPatternException';
  /** The matcher's own message, e.g. `Empty arrays are not allowed`. */
  readonly reason: string;
  /** Offset of the parser position AWS reports, when the pattern was given as text. */
  readonly offset: number | undefined;
  /** The pattern text, when it was given as text. */
  readonly patternText: string | undefined;
  /** event-ruler re-wraps some errors, so AWS prints the location twice. */
  readonly doubled: boolean;

  constructor(reason: string, opts: { offset?: number; patternText?: string; doubled?: boolean } = {}) {
    super(REASON_PREFIX + reason, 2);
    this.name = 'PatternError';
    this.reason = reason;
    this.offset = opts.offset;
    this.patternText = opts.patternText;
    this.doubled = opts.doubled ?? false;
  }

  /** 1-based line and column (Jackson's count), when known. */
  get location(): { line: number; column: number } | undefined {
    if (this.offset === undefined || this.patternText === undefined) return undefined;
    return lineColumn(this.patternText, this.offset);
  }

  /** The message as AWS returns it, with `\n at [Source: …; line: L, column: C]` where AWS adds it. */
  get rawMessage(): string {
    if (this.offset === undefined || this.patternText === undefined) return this.message;
    const suffix = jacksonLocation(this.patternText, this.offset);
    return this.message + suffix + (this.doubled ? suffix : '');
  }
}

const OR = '$or';
/** Field names event-ruler reserves inside `$or` branches. */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

type FieldMap = Map<string, Matcher[]>;

/** The sub-rules being built; stops materializing (keeps counting) past the combination limit. */
class Rules {
  maps: FieldMap[] | null;
  count: number;
  constructor(maps: FieldMap[] | null, count: number) {
    this.maps = maps;
    this.count = count;
  }
  clone(): Rules {
    if (this.maps === null) return new Rules(null, this.count);
    return new Rules(
      this.maps.length === 0 ? [new Map()] : this.maps.map((m) => new Map(m)),
      Math.max(1, this.maps.length),
    );
  }
  put(path: string, values: Matcher[]): void {
    if (this.maps === null) return;
    if (this.maps.length === 0) this.maps.push(new Map());
    for (const m of this.maps) m.set(path, values);
  }
}

/** A token read from an array: a node, or the array's end. */
type Token = JsonNode | { type: 'end'; end: number };

class Compiler {
  constructor(
    readonly text: string | undefined,
    readonly orAsField: boolean,
    readonly maxCombinations: number,
  ) {}

  error(reason: string, offset: number | undefined, doubled = false): PatternError {
    const located = this.text !== undefined && offset !== undefined && offset >= 0;
    return new PatternError(reason, {
      ...(located ? { offset, patternText: this.text } : {}),
      doubled: located && doubled,
    });
  }

  syntax(e: JsonSyntaxError, doubled = false): PatternError {
    return this.error(this.text === undefined ? e.message : syntaxErrorText(this.text, e), e.offset, doubled);
  }

  /** Parser position after Jackson reads a field name: it has also read the first token of the value. */
  afterName(entry: JsonEntry): number {
    return this.afterToken(entry.value);
  }

  /** Parser position after reading a token (strings are read lazily: only the opening quote is consumed). */
  afterToken(node: Token): number {
    switch (node.type) {
      case 'end':
        return node.end;
      case 'object':
      case 'array':
      case 'string':
        return node.start + 1;
      case 'error':
        return node.inString ? node.start + 1 : node.end;
      default:
        return node.end;
    }
  }

  /** Text of a token (Jackson's getText), which completes a lazily read string. */
  tokenText(node: Token): string {
    switch (node.type) {
      case 'end':
        return ']';
      case 'object':
        return '{';
      case 'array':
        return '[';
      case 'string':
        return node.value;
      case 'number':
        return node.raw;
      case 'literal':
        return String(node.value);
      case 'error':
        throw this.syntax(node.error);
    }
  }

  /** Source text of a pattern element, for explanations. */
  source(node: JsonNode): string {
    if (this.text !== undefined && node.start >= 0) return this.text.slice(node.start, node.end);
    return JSON.stringify(plain(node));
  }

  compile(root: JsonNode): Rules {
    if (root.type === 'error') {
      // Jackson yields no token at all for empty input, and a (lazily read) string token for a bad string.
      if (this.text !== undefined && this.text.trim() === '') throw this.error('Filter is not an object', root.start);
      throw root.inString ? this.error('Filter is not an object', root.start + 1) : this.syntax(root.error);
    }
    if (root.type !== 'object') throw this.error('Filter is not an object', this.afterToken(root));
    const rules = new Rules([], 1);
    this.object(root, '', rules, false);
    return rules;
  }

  object(node: JsonObject, path: string, rules: Rules, insideOr: boolean): void {
    for (const entry of node.entries) {
      const key = entry.key;
      if (key === OR && !this.orAsField) {
        this.or(entry, path, rules);
        continue;
      }
      if (insideOr && RESERVED_IN_OR.has(key)) {
        throw this.error(
          `${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`,
          this.afterName(entry),
        );
      }
      const value = entry.value;
      const name = path === '' ? key : `${path}.${key}`;
      if (value.type === 'object') this.object(value, name, rules, insideOr);
      else if (value.type === 'array') rules.put(name, this.values(value));
      else throw this.error(`"${key}" must be an object or an array`, this.afterName(entry));
    }
    if (node.broken) throw this.syntax(node.broken);
    if (node.entries.length === 0) throw this.error('Empty objects are not allowed', node.end);
  }

  or(entry: JsonEntry, path: string, rules: Rules): void {
    const arr = entry.value;
    if (arr.type !== 'array') {
      if (arr.type === 'error' && !arr.inString) throw this.syntax(arr.error);
      throw this.error(`It must be an Array followed with ${OR}.`, this.afterName(entry));
    }
    const current = rules.clone();
    const result = new Rules([], 0);
    for (const item of arr.items) {
      if (item.type !== 'object') {
        if (item.type === 'error' && !item.inString) throw this.syntax(item.error);
        throw this.error(`Only JSON object is allowed in array of ${OR} relationship.`, this.afterToken(item));
      }
      const branch = current.clone();
      this.object(item, path, branch, true);
      result.count = Math.min(result.count + branch.count, Number.MAX_SAFE_INTEGER);
      if (result.maps && branch.maps && result.count <= this.maxCombinations) result.maps.push(...branch.maps);
      else result.maps = null;
    }
    if (arr.broken) throw this.syntax(arr.broken);
    if (arr.items.length < 2) {
      throw this.error(`There must have at least 2 Objects in ${OR} relationship.`, arr.end);
    }
    rules.maps = result.maps;
    rules.count = result.count;
  }

  /** A field's value list. */
  values(arr: JsonArray): Matcher[] {
    const out: Matcher[] = [];
    for (const item of arr.items) {
      switch (item.type) {
        case 'object':
          out.push(this.expression(item));
          break;
        case 'string': {
          const addr = looksLikeIp(item.value) ? ipBytes(item.value) : undefined;
          out.push(
            addr
              ? { kind: 'ip', range: { network: addr, bits: addr.length * 8 }, source: this.source(item) }
              : { kind: 'string', value: item.value, source: this.source(item) },
          );
          break;
        }
        case 'number':
          out.push({ kind: 'number', text: item.raw, value: comparableNumber(item.raw), source: item.raw });
          break;
        case 'literal':
          out.push({ kind: 'literal', value: item.value, source: String(item.value) });
          break;
        case 'array':
          throw this.error('Match value must be String, number, true, false, or null', item.start + 1);
        case 'error':
          throw this.syntax(item.error);
      }
    }
    if (arr.broken) throw this.syntax(arr.broken);
    if (out.length === 0) throw this.error('Empty arrays are not allowed', arr.end);
    return out;
  }

  /** After an operator's value: the next token must close the object. */
  onlyOneKey(obj: JsonObject, index: number, message = 'Only one key allowed in match expression'): void {
    const next = obj.entries[index + 1];
    if (next) throw this.error(message, this.afterName(next));
    if (obj.broken) throw this.syntax(obj.broken);
  }

  expression(obj: JsonObject): Matcher {
    const entry = obj.entries[0];
    if (!entry) {
      if (obj.broken) throw this.syntax(obj.broken);
      throw this.error('Match expression name not found', obj.end);
    }
    const op = entry.key;
    const value = entry.value;
    const at = this.afterName(entry);
    const source = this.source(obj);
    switch (op) {
      case 'exactly': {
        if (value.type !== 'string') throw this.mustBeString('exact match pattern must be a string', value, at);
        this.onlyOneKey(obj, 0);
        return { kind: 'string', value: value.value, source };
      }
      case 'prefix':
      case 'suffix': {
        if (value.type === 'object') {
          const m = this.affixIgnoreCase(op, value, source);
          this.onlyOneKey(obj, 0);
          return m;
        }
        if (value.type !== 'string') throw this.mustBeString(`${op} match pattern must be a string`, value, at);
        this.onlyOneKey(obj, 0);
        return { kind: op, value: value.value, ignoreCase: false, source };
      }
      case 'numeric': {
        if (value.type !== 'array') {
          if (value.type === 'error' && !value.inString) throw this.syntax(value.error);
          throw this.error('Value of numeric must be an array.', at);
        }
        const m = this.numeric(value, source);
        this.onlyOneKey(obj, 0, 'Too many elements in numeric expression');
        return m;
      }
      case 'anything-but':
        return this.anythingBut(obj, entry, source);
      case 'exists': {
        if (value.type !== 'literal' || value.value === null) {
          throw this.error('exists match pattern must be either true or false.', at);
        }
        this.onlyOneKey(obj, 0);
        return { kind: 'exists', value: value.value, source };
      }
      case 'cidr': {
        if (value.type !== 'string') throw this.mustBeString('prefix match pattern must be a string', value, at);
        // CIDR errors escape event-ruler's parser wrapping, so AWS reports them without a location.
        const range = parseCidr(value.value);
        if (typeof range === 'string') throw this.error(range, undefined);
        this.onlyOneKey(obj, 0);
        return { kind: 'ip', range, source };
      }
      case 'equals-ignore-case': {
        if (value.type !== 'string') {
          throw this.mustBeString('equals-ignore-case match pattern must be a string', value, at);
        }
        this.onlyOneKey(obj, 0);
        return { kind: 'equals-ignore-case', value: value.value, re: ignoreCaseRegex(value.value, 'exact'), source };
      }
      case 'wildcard': {
        if (value.type !== 'string') throw this.mustBeString('wildcard match pattern must be a string', value, at);
        const segments = parseWildcard(value.value);
        if (typeof segments === 'string') throw this.error(segments, value.end);
        this.onlyOneKey(obj, 0);
        return { kind: 'wildcard', segments, source };
      }
      default:
        throw this.error(`Unrecognized match type ${op}`, at);
    }
  }

  /** A type error on an operator's value; a string with a bad body is a string token whose reading fails. */
  mustBeString(reason: string, value: JsonNode, at: number): PatternError {
    if (value.type === 'error') return this.syntax(value.error);
    return this.error(reason, at);
  }

  affixIgnoreCase(op: 'prefix' | 'suffix', inner: JsonObject, source: string): Matcher {
    const label = op === 'prefix' ? 'Prefix' : 'Suffix';
    const entry = inner.entries[0];
    if (!entry) {
      if (inner.broken) throw this.syntax(inner.broken);
      throw this.error(`${label} expression name not found`, inner.end);
    }
    if (entry.key !== 'equals-ignore-case') {
      throw this.error(`Unsupported ${op} pattern: ${entry.key}`, this.afterName(entry));
    }
    const v = entry.value;
    if (v.type !== 'string') {
      throw this.mustBeString('equals-ignore-case match pattern must be a string', v, this.afterName(entry));
    }
    this.onlyOneKey(inner, 0);
    return { kind: op, value: v.value, ignoreCase: true, re: ignoreCaseRegex(v.value, op), source };
  }

  /** Reads an array token by token, the way the numeric parser consumes it. */
  cursor(arr: JsonArray): () => Token {
    let i = 0;
    return () => {
      if (i < arr.items.length) return arr.items[i++];
      if (arr.broken) throw this.syntax(arr.broken);
      return { type: 'end', end: arr.end };
    };
  }

  numeric(arr: JsonArray, source: string): Matcher {
    const next = this.cursor(arr);
    const isNum = (t: Token) => t.type === 'number';
    let token = next();
    if (token.type !== 'string') {
      const text = this.tokenText(token);
      throw this.error(`Invalid member in numeric match: ${text}`, this.afterToken(token));
    }
    const operator = token.value;
    token = next();
    const compare = (text: string): number => {
      const v = comparableNumber(text);
      if (v === undefined) throw this.error(cannotCompare(text), arr.end);
      return v;
    };
    const range = (lo: number, loOpen: boolean, hi: number, hiOpen: boolean): Matcher => ({
      kind: 'numeric',
      lo,
      loOpen,
      hi,
      hiOpen,
      source,
    });
    const expectEnd = (message: string) => {
      const t = next();
      if (t.type !== 'end') throw this.error(message, this.afterToken(t));
    };
    switch (operator) {
      case '=': {
        if (!isNum(token)) throw this.error('Value of equals must be numeric', this.afterToken(token));
        const val = this.tokenText(token);
        expectEnd('Too many elements in numeric expression');
        const v = compare(val);
        return range(v, false, v, false);
      }
      case '>=':
      case '>': {
        if (!isNum(token)) throw this.error(`Value of ${operator} must be numeric`, this.afterToken(token));
        const bottom = this.tokenText(token);
        const open = operator === '>';
        token = next();
        if (token.type === 'end') return range(compare(bottom), open, Number.POSITIVE_INFINITY, false);
        return this.numericUpper(token, bottom, open, next, arr, range);
      }
      case '<=':
      case '<': {
        if (!isNum(token)) throw this.error(`Value of ${operator} must be numeric`, this.afterToken(token));
        const top = this.tokenText(token);
        expectEnd('Too many elements in numeric expression');
        return range(Number.NEGATIVE_INFINITY, false, compare(top), operator === '<');
      }
      default:
        throw this.error(`Unrecognized numeric range operator: ${operator}`, this.afterToken(token));
    }
  }

  numericUpper(
    token: Token,
    bottom: string,
    openBottom: boolean,
    next: () => Token,
    arr: JsonArray,
    range: (lo: number, loOpen: boolean, hi: number, hiOpen: boolean) => Matcher,
  ): Matcher {
    if (token.type !== 'string') {
      throw this.error(`Bad value in numeric range: ${this.tokenText(token)}`, this.afterToken(token));
    }
    const operator = token.value;
    if (operator !== '<' && operator !== '<=') {
      throw this.error(`Bad numeric range operator: ${operator}`, token.end);
    }
    const t = next();
    if (t.type !== 'number') throw this.error(`Value of ${operator} must be numeric`, this.afterToken(t));
    const top = t.raw;
    const after = next();
    if (after.type !== 'end') throw this.error('Too many terms in numeric range expression', this.afterToken(after));
    const lo = comparableNumber(bottom);
    if (lo === undefined) throw this.error(cannotCompare(bottom), arr.end);
    const hi = comparableNumber(top);
    if (hi === undefined) throw this.error(cannotCompare(top), arr.end);
    if (!(lo < hi)) throw this.error('Bottom must be less than top', arr.end);
    return range(lo, openBottom, hi, operator === '<');
  }

  anythingBut(obj: JsonObject, entry: JsonEntry, source: string): Matcher {
    type Variant = 'plain' | 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';
    let variant: Variant = 'plain';
    let value = entry.value;
    let at = this.afterName(entry);
    let inner: JsonObject | undefined;
    if (value.type === 'object') {
      inner = value;
      const ie = value.entries[0];
      if (!ie) {
        if (value.broken) throw this.syntax(value.broken);
        throw this.error('Anything-But expression name not found', value.end);
      }
      if (!['equals-ignore-case', 'prefix', 'suffix', 'wildcard'].includes(ie.key)) {
        throw this.error(`Unsupported anything-but pattern: ${ie.key}`, this.afterName(ie));
      }
      variant = ie.key as Variant;
      value = ie.value;
      at = this.afterName(ie);
    }
    if (value.type === 'error' && !value.inString) throw this.syntax(value.error);
    if (value.type !== 'array' && value.type !== 'string' && value.type !== 'number' && value.type !== 'error') {
      throw this.error('Value of anything-but must be an array or single string/number value.', at);
    }
    let m: Matcher;
    if (value.type === 'array') {
      m = variant === 'plain' ? this.anythingButList(value, source) : this.anythingButSet(value, variant, source);
    } else if (variant === 'plain') {
      if (value.type === 'number') {
        const v = comparableNumber(value.raw);
        // Not wrapped by the parser in event-ruler: no location.
        if (v === undefined) throw this.error(cannotCompare(value.raw), undefined);
        m = { kind: 'anything-but', strings: new Set(), numbers: new Set([v]), source };
      } else {
        m = { kind: 'anything-but', strings: new Set([this.tokenText(value)]), numbers: new Set(), source };
      }
    } else {
      if (value.type !== 'string' && value.type !== 'error') throw this.error(valueSetTypeError(variant), at);
      const text = this.tokenText(value);
      if ((variant === 'prefix' || variant === 'suffix') && text === '') {
        throw this.error('Null prefix/suffix not allowed', value.end);
      }
      m = this.valueSet(variant, [text], value.end, source);
    }
    if (inner) {
      this.onlyOneKey(inner, 0, 'Too many elements in numeric expression');
    }
    this.onlyOneKey(obj, 0, 'Too many elements in numeric expression');
    return m;
  }

  anythingButList(arr: JsonArray, source: string): Matcher {
    const strings = new Set<string>();
    const numbers = new Set<number>();
    let hasString = false;
    let hasNumber = false;
    // Errors inside the list are caught and re-raised by event-ruler, so AWS prints the location twice.
    for (const item of arr.items) {
      if (item.type === 'string') {
        strings.add(item.value);
        hasString = true;
      } else if (item.type === 'number') {
        const v = comparableNumber(item.raw);
        if (v === undefined) throw this.error(cannotCompare(item.raw), item.end);
        numbers.add(v);
        hasNumber = true;
      } else if (item.type === 'error') {
        throw this.syntax(item.error, true);
      } else {
        throw this.error('Inside anything but list, start|null|boolean is not supported.', this.afterToken(item), true);
      }
    }
    if (arr.broken) throw this.syntax(arr.broken, true);
    if (hasNumber === hasString) {
      throw this.error(
        'Inside anything but list, either all values are number or string, mixed type is not supported',
        arr.end,
      );
    }
    return { kind: 'anything-but', strings, numbers, source };
  }

  anythingButSet(arr: JsonArray, variant: 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard', source: string) {
    const texts: string[] = [];
    for (const item of arr.items) {
      if (item.type === 'string') {
        if ((variant === 'prefix' || variant === 'suffix') && item.value === '') {
          throw this.error('Null prefix/suffix not allowed', item.end, true);
        }
        if (!texts.includes(item.value)) texts.push(item.value);
      } else if (item.type === 'error') {
        throw this.syntax(item.error, true);
      } else {
        throw this.error(valueSetTypeError(variant), this.afterToken(item), true);
      }
    }
    if (arr.broken) throw this.syntax(arr.broken, true);
    return this.valueSet(variant, texts, arr.end, source);
  }

  valueSet(
    variant: 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard',
    texts: string[],
    end: number,
    source: string,
  ): Matcher {
    switch (variant) {
      case 'equals-ignore-case':
        return {
          kind: 'anything-but-ignore-case',
          values: texts,
          res: texts.map((t) => ignoreCaseRegex(t, 'exact')),
          source,
        };
      case 'prefix':
        return { kind: 'anything-but-prefix', values: texts, source };
      case 'suffix':
        return { kind: 'anything-but-suffix', values: texts, source };
      case 'wildcard': {
        const values: WildcardSegments[] = [];
        for (const t of texts) {
          const segments = parseWildcard(t);
          if (typeof segments === 'string') throw this.error(segments, end);
          values.push(segments);
        }
        return { kind: 'anything-but-wildcard', values, source };
      }
    }
  }
}

function valueSetTypeError(variant: string): string {
  if (variant === 'equals-ignore-case') {
    return 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.';
  }
  if (variant === 'wildcard') return 'wildcard match pattern must be a string';
  return 'prefix/suffix match pattern must be a string';
}

/** A parsed tree back to a JS value (last duplicate key wins), for serializing object-built patterns. */
function plain(node: JsonNode): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries(node.entries.map((e) => [e.key, plain(e.value)]));
    case 'array':
      return node.items.map(plain);
    case 'string':
      return node.value;
    case 'number':
      return Number(node.raw);
    case 'literal':
      return node.value;
    case 'error':
      return null;
  }
}

function wildcardSegmentsOf(m: Matcher): WildcardSegments[] {
  if (m.kind === 'wildcard') return [m.segments];
  if (m.kind === 'anything-but-wildcard') return [...m.values];
  return [];
}

/**
 * AWS rejects rules whose wildcards make matching too non-deterministic. Wildcards of one field share a matcher
 * when the sub-rules agree on every field evaluated before it (event-ruler's sorted field order).
 */
function checkWildcardComplexity(subPatterns: readonly SubPattern[], cap: number): void {
  const groups = new Map<string, Map<string, WildcardSegments>>();
  for (const sp of subPatterns) {
    let prefix = '';
    for (const field of sp.fields) {
      const key = `${prefix}\u0000${field.path}`;
      for (const m of field.matchers) {
        for (const segs of wildcardSegmentsOf(m)) {
          let group = groups.get(key);
          if (!group) groups.set(key, (group = new Map()));
          group.set(`${m.kind}\u0000${segs.join('\u0001')}`, segs);
        }
      }
      prefix += `\u0000${field.path}\u0000${field.matchers.map((m) => m.source).join('\u0001')}`;
    }
  }
  for (const group of groups.values()) {
    if (wildcardComplexity([...group.values()], cap) > cap) throw new PatternError(TOO_COMPLEX);
  }
}

function toSubPattern(map: FieldMap): SubPattern {
  const fields: FieldCondition[] = [...map.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, matchers]) => ({
      path,
      matchers,
      allowsAbsent: matchers.some((m) => m.kind === 'exists' && !m.value),
    }));
  return { fields };
}

/**
 * Compile and validate an event pattern (JSON text or an object). Throws PatternError with AWS's message.
 *
 * `$or` follows event-ruler: a well-formed `$or` (an array of at least two objects with ordinary field names)
 * expresses alternatives; if the pattern only compiles with `$or` read as a plain field name, that reading is
 * used; otherwise the first error is reported.
 */
const compiled = new WeakSet<Pattern>();

/** True for a pattern returned by compilePattern. */
export function isPattern(value: unknown): value is Pattern {
  return typeof value === 'object' && value !== null && compiled.has(value as Pattern);
}

/** A compiled pattern as is, or compile JSON text / an object. */
export function toPattern(input: Pattern | string | object, options?: CompileOptions): Pattern {
  return isPattern(input) ? input : compilePattern(input, options);
}

export function compilePattern(input: string | object, options: CompileOptions = {}): Pattern {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const maxCombinations = options.maxCombinations ?? DEFAULT_MAX_COMBINATIONS;
  const maxComplexity = options.maxWildcardComplexity ?? DEFAULT_MAX_WILDCARD_COMPLEXITY;
  const text = typeof input === 'string' ? input : undefined;
  const source = text ?? JSON.stringify(input);
  if (maxLength > 0 && source.length > maxLength) {
    throw new PatternError(`Event pattern is ${source.length} characters long; the maximum is ${maxLength}`);
  }
  const root = text !== undefined ? parseJsonTree(text) : toJsonTree(input);
  if (!root) throw new PatternError('Filter is not an object');

  let rules: Rules;
  try {
    rules = new Compiler(text, false, maxCombinations).compile(root);
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    try {
      rules = new Compiler(text, true, maxCombinations).compile(root);
    } catch {
      throw err;
    }
  }
  if (rules.count > maxCombinations || rules.maps === null) {
    throw new PatternError(
      `The pattern has ${rules.count} combinations of ${OR} alternatives; the maximum is ${maxCombinations}`,
    );
  }
  const subPatterns = rules.maps.map(toSubPattern);
  checkWildcardComplexity(subPatterns, maxComplexity);
  const paths = [...new Set(subPatterns.flatMap((sp) => sp.fields.map((f) => f.path)))].sort();
  const pattern: Pattern = Object.freeze({ source, subPatterns, paths });
  compiled.add(pattern);
  return pattern;
}

/** True when the ignore-case folding key of the text is a safe index key (see casefold.ts). */
export function ignoreCaseIndexable(value: string): boolean {
  return foldStable(value);
}
