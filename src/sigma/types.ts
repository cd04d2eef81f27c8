/**
 * The Sigma rule model after parsing and validation: what the compiler and the engine consume.
 * Everything here is plain data (no closures) so rules can be inspected, explained and reported.
 */

import type { RecordOrigin } from '../ingest/types.js';

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;
export type Status = (typeof STATUSES)[number];

/** A problem found while loading rules. Errors reject the document; warnings do not. */
export interface SigmaIssue {
  severity: 'error' | 'warning';
  file: string;
  /** 1-based line of the offending YAML node when known. */
  line?: number;
  /** Rule id (or name, or title) when the document got that far. */
  rule?: string;
  /** Dotted path into the document, e.g. `detection.selection.eventName|contains`. */
  path?: string;
  reason: string;
}

export interface LogSource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
}

/** Metadata shared by detection rules and correlations. */
export interface RuleMeta {
  title: string;
  id?: string;
  name?: string;
  status?: Status;
  level?: Level;
  description?: string;
  author?: string;
  tags: string[];
  references: string[];
  falsepositives: string[];
  fields: string[];
  date?: string;
  modified?: string;
  /** Where the document came from: file and 1-based line of its first key. */
  file: string;
  line: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** One element of a Sigma string after escape processing. */
export type StrPart =
  | string
  /** `*`: any sequence, including empty. */
  | typeof STAR
  /** `?`: exactly one character. */
  | typeof ONE
  /** A set of interchangeable characters (produced by `windash`). */
  | CharClass;

export const STAR: unique symbol = Symbol('*');
export const ONE: unique symbol = Symbol('?');
export interface CharClass {
  chars: string;
}

/** A string value after modifiers: literal runs and wildcards. `binary` strings hold bytes as latin1 chars. */
export interface SigmaString {
  parts: StrPart[];
  binary: boolean;
}

/** A compiled comparison applied to one field (or to every leaf of the record for keywords). */
export type ValueTest =
  | { kind: 'null' }
  | { kind: 'exists'; want: boolean }
  | { kind: 'string'; patterns: StringPattern[] }
  | { kind: 'regex'; patterns: RegexPattern[] }
  | { kind: 'compare'; op: CompareOp; values: number[]; part?: TimePart }
  | { kind: 'cidr'; ranges: CidrRange[] }
  | { kind: 'fieldref'; refs: string[]; mode: MatchMode; cased: boolean };

export type CompareOp = 'lt' | 'lte' | 'gt' | 'gte' | 'eq';
export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
export type MatchMode = 'exact' | 'startswith' | 'endswith' | 'contains';

export interface StringPattern {
  /** Human form of the value for explanations (after modifiers, wildcards shown as `*`/`?`). */
  display: string;
  value: SigmaString;
  cased: boolean;
}

export interface RegexPattern {
  source: string;
  flags: string;
  /** Literal text every match contains (a cheap pre-check and an index key). */
  literal?: string;
}

export interface CidrRange {
  text: string;
  kind: 'ipv4' | 'ipv6';
  /** Address bytes of the network and the prefix length. */
  bytes: number[];
  prefix: number;
}

/** One field test of a search identifier: `field|mods: values`. */
export interface DetectionItem {
  /** Field name as written (after pipeline mapping), or null for keyword (field-less) searches. */
  field: string | null;
  /** Field as written in the rule (before mapping), for explanations. */
  ruleField: string | null;
  modifiers: string[];
  test: ValueTest;
  /** `all` modifier: every value must match (possibly different elements). */
  all: boolean;
  /** `neq` modifier: the item is negated as a whole. */
  negated: boolean;
  /** Path of the item in the rule document, for errors and explanations. */
  path: string;
  /** Pipeline value transformations of the (native) field, applied to the record's value before the test. */
  transforms?: string[];
}

/** A search identifier's structure: maps are AND, lists are OR. */
export type SearchNode =
  | { kind: 'and'; children: SearchNode[] }
  | { kind: 'or'; children: SearchNode[] }
  | { kind: 'item'; item: DetectionItem };

export type ConditionNode =
  | { op: 'id'; name: string }
  | { op: 'and'; args: ConditionNode[] }
  | { op: 'or'; args: ConditionNode[] }
  | { op: 'not'; arg: ConditionNode }
  | { op: 'of'; quantifier: 'one' | 'all'; pattern: string; names: string[] };

export interface Detection {
  identifiers: Record<string, SearchNode>;
  /** One entry per condition in the rule (a condition list is OR). */
  conditions: string[];
  condition: ConditionNode;
}

export interface SigmaRule {
  kind: 'rule';
  meta: RuleMeta;
  logsource: LogSource;
  /** Raw detection section, kept so pipelines can re-map fields before compilation. */
  rawDetection: Record<string, unknown>;
  detection: Detection;
  /** Meta filters applied to this rule (titles), for explanations. */
  filters: string[];
}

export const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

export type ThresholdOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface CorrelationRule {
  kind: 'correlation';
  meta: RuleMeta;
  type: CorrelationType;
  /** Referenced rule ids or names, in order (order matters for temporal_ordered). */
  rules: string[];
  groupBy: string[];
  /** Window length in milliseconds. */
  timespanMs: number;
  timespan: string;
  /** Threshold conditions (AND-ed); empty for temporal types without a condition. */
  condition: { op: ThresholdOp; value: number }[];
  /** Field(s) aggregated by value_* types. */
  field?: string[];
  /** alias → (rule id or name → field in that rule's events). */
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
}

export interface SigmaFilter {
  kind: 'filter';
  meta: RuleMeta;
  logsource: LogSource;
  rules: string[];
  rawDetection: Record<string, unknown>;
  detection: Detection;
}

export type SigmaDocument = SigmaRule | CorrelationRule | SigmaFilter;

/** A loaded set of documents plus everything that went wrong. */
export interface SigmaCollection {
  rules: SigmaRule[];
  correlations: CorrelationRule[];
  filters: SigmaFilter[];
  issues: SigmaIssue[];
}

// ---------------------------------------------------------------------------------------------------------------
// Matches

/** Which field (or record leaf, for keywords) held which value, and what it was compared with. */
export interface MatchedValue {
  field: string | null;
  modifiers: string[];
  /** The rule value (pattern) that matched, as displayed. */
  expected: string;
  /** The record value that matched (a scalar; for negated items the value that was present, if any). */
  actual: unknown;
}

export interface MatchedSelection {
  identifier: string;
  values: MatchedValue[];
}

export interface RuleRef {
  id?: string;
  name?: string;
  title: string;
  level?: Level;
  status?: Status;
  tags: string[];
  file: string;
}

/** A detection rule matched one record. */
export interface SigmaMatch {
  kind: 'match';
  rule: RuleRef;
  origin: RecordOrigin;
  /** Event time of the record (epoch ms, NaN when unknown). */
  time: number;
  condition: string[];
  /** Search identifiers that were true, with the values that made them true. */
  selections: MatchedSelection[];
  /** The record's native fields (a reference, not a copy). */
  fields: Record<string, unknown>;
}

/** A correlation rule fired for one group. */
export interface SigmaCorrelationMatch {
  kind: 'correlation';
  rule: RuleRef;
  type: CorrelationType;
  /** Group-by field → value. */
  group: Record<string, unknown>;
  /** The aggregate that met the condition (count, distinct count, sum, average, percentile, rules matched). */
  value: number;
  condition: string;
  /** Event-time window covered by the contributing events. */
  start: number;
  end: number;
  time: number;
  /** The contributing events (base matches or nested correlation matches), capped. */
  events: (SigmaMatch | SigmaCorrelationMatch)[];
  /** Total contributing events (may exceed `events.length`). */
  eventCount: number;
  /** For value_percentile: the value that was rare. */
  fieldValue?: unknown;
}

export type SigmaEvent = SigmaMatch | SigmaCorrelationMatch;
