import { type IpRange, ipBytes } from './ip.js';
import { comparableNumber, plainDecimal, quickComparable } from './numbers.js';
import type { WildcardSegments } from './wildcard.js';

/**
 * One element of a pattern's value list. `source` is the element as written (JSON), for explanations.
 * All string operators apply to string values only; numbers, booleans and null never match them.
 */
export type Matcher =
  | { readonly kind: 'string'; readonly value: string; readonly source: string }
  /** A number literal: numeric equality when the literal is comparable, else literal-text equality. */
  | { readonly kind: 'number'; readonly text: string; readonly value: number | undefined; readonly source: string }
  | { readonly kind: 'literal'; readonly value: true | false | null; readonly source: string }
  /** An exact IP address (a pattern string that parses as one) or a `cidr` range. */
  | { readonly kind: 'ip'; readonly range: IpRange; readonly source: string }
  | {
      readonly kind: 'prefix';
      readonly value: string;
      readonly ignoreCase: boolean;
      readonly re?: RegExp;
      readonly source: string;
    }
  | {
      readonly kind: 'suffix';
      readonly value: string;
      readonly ignoreCase: boolean;
      readonly re?: RegExp;
      readonly source: string;
    }
  | { readonly kind: 'equals-ignore-case'; readonly value: string; readonly re: RegExp; readonly source: string }
  | { readonly kind: 'wildcard'; readonly segments: WildcardSegments; readonly source: string }
  | {
      readonly kind: 'numeric';
      readonly lo: number;
      readonly loOpen: boolean;
      readonly hi: number;
      readonly hiOpen: boolean;
      readonly source: string;
    }
  | { readonly kind: 'exists'; readonly value: boolean; readonly source: string }
  /** anything-but over exact strings or exact numbers (numbers compared as float64). */
  | {
      readonly kind: 'anything-but';
      readonly strings: ReadonlySet<string>;
      readonly numbers: ReadonlySet<number>;
      readonly source: string;
    }
  | { readonly kind: 'anything-but-prefix'; readonly values: readonly string[]; readonly source: string }
  | { readonly kind: 'anything-but-suffix'; readonly values: readonly string[]; readonly source: string }
  | {
      readonly kind: 'anything-but-ignore-case';
      readonly values: readonly string[];
      readonly res: readonly RegExp[];
      readonly source: string;
    }
  | { readonly kind: 'anything-but-wildcard'; readonly values: readonly WildcardSegments[]; readonly source: string };

export type MatcherKind = Matcher['kind'];

/** The condition a (sub-)pattern puts on one field path: any one matcher must accept a value. */
export interface FieldCondition {
  /** Dotted path, e.g. `detail.state`. */
  readonly path: string;
  readonly matchers: readonly Matcher[];
  /** True when the list contains `{"exists": false}`: the field may be absent. */
  readonly allowsAbsent: boolean;
}

/** One `$or` combination: all fields must match. Fields are sorted by path (event-ruler's evaluation order). */
export interface SubPattern {
  readonly fields: readonly FieldCondition[];
}

/** A compiled, validated event pattern. */
export interface Pattern {
  /** The pattern's JSON text as given (or serialized from an object). */
  readonly source: string;
  /** The `$or` expansion; the pattern matches when any one matches. */
  readonly subPatterns: readonly SubPattern[];
  /** Every field path the pattern reads. */
  readonly paths: readonly string[];
}

/** Kinds of event leaves. */
export const STRING = 0;
export const NUMBER = 1;
export const TRUE = 2;
export const FALSE = 3;
export const NULL = 4;

/**
 * Array membership of a leaf: pairs [arrayId, index, arrayId, index, …] for each enclosing array element.
 * Two leaves are array-consistent when they agree on the index of every array they share.
 */
export type Membership = readonly number[];

const RESOLVED = 0;
const RAW_PENDING = 1;
const NUM_PENDING = 2;

/** A leaf (scalar) of an event, at a dotted path. */
export class Leaf {
  /** Parsed IP address of a string leaf: undefined = not computed yet, null = not an address. */
  private ipCache: Uint8Array | null | undefined = undefined;
  /**
   * The comparable value, or NaN; for a number read from text, computed on first use (see `num`). While NUM_PENDING
   * it holds `plainDecimal(text)`, which the comparability proof reuses instead of reading the literal again.
   */
  private numValue: number;
  private rawValue: number;
  /** For a number read from text: RESOLVED, RAW_PENDING (nothing computed yet) or NUM_PENDING (`raw` known). */
  private numState = RESOLVED;
  constructor(
    /** STRING, NUMBER, TRUE, FALSE or NULL. */
    readonly kind: number,
    /** The text; undefined for a JS number, whose text is only derived when needed (it is costly). */
    private textValue: string | undefined,
    /** The comparable float64 of a number leaf, or NaN (not a number, or not comparable). */
    num: number,
    readonly membership: Membership | null,
  ) {
    this.numValue = num;
    this.rawValue = num;
  }

  /**
   * A number leaf from JSON text. Nothing is computed until used: many number leaves are only read to check
   * another field's condition, or never looked at. AWS's comparability check (literal text = the float64's decimal
   * value) costs a float-to-string conversion for long literals, so it waits for the first read of `num`; short
   * plain literals (≤ 15 significant digits) are always comparable and skip it.
   */
  static fromLiteral(text: string, membership: Membership | null): Leaf {
    const leaf = new Leaf(NUMBER, text, Number.NaN, membership);
    leaf.numState = RAW_PENDING;
    return leaf;
  }

  /**
   * `Number(text)` of a number leaf (the float64 the literal rounds to, comparable or not), the value of a JS
   * number, NaN for other kinds. Index lookups and range tests use it; `num` then confirms comparability.
   */
  get raw(): number {
    if (this.numState === RAW_PENDING) this.resolveRaw();
    return this.rawValue;
  }

  /** The comparable float64 of a number leaf, or NaN (not a number, or not comparable). */
  get num(): number {
    if (this.numState !== RESOLVED) {
      if (this.numState === RAW_PENDING) this.resolveRaw();
      if (this.numState === NUM_PENDING) {
        this.numValue = comparableNumber(this.textValue as string, this.rawValue, this.numValue) ?? Number.NaN;
        this.numState = RESOLVED;
      }
    }
    return this.numValue;
  }

  private resolveRaw(): void {
    const text = this.textValue as string;
    const value = Number(text);
    this.rawValue = value;
    const decimal = plainDecimal(text);
    const quick = quickComparable(text, value, decimal);
    if (Number.isNaN(quick) && Number.isFinite(value)) {
      this.numValue = decimal;
      this.numState = NUM_PENDING;
    } else {
      this.numValue = quick;
      this.numState = RESOLVED;
    }
  }

  /** String value, or the literal text of a number, or 'true'/'false'/'null'. */
  get text(): string {
    if (this.textValue === undefined) this.textValue = String(this.num);
    return this.textValue;
  }

  /** The IP address this string leaf spells, if any. */
  ip(): Uint8Array | null {
    if (this.ipCache === undefined) this.ipCache = this.kind === STRING ? (ipBytes(this.text) ?? null) : null;
    return this.ipCache;
  }

  /** The leaf as a JSON value, for explanations. */
  toJSON(): unknown {
    switch (this.kind) {
      case STRING:
        return this.text;
      case NUMBER:
        return Number.isNaN(this.num) ? this.text : this.num;
      case TRUE:
        return true;
      case FALSE:
        return false;
      default:
        return null;
    }
  }
}
