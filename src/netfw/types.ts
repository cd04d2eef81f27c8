/** Parsed Suricata rules (spec netfw.md §9). */

/** A located problem with a rule: file, 1-based line and column, and why. Parsers report these, never throw. */
export interface RuleIssue {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  reason: string;
  sid?: number;
  keyword?: string;
  /** Location inside a JSON document (rule groups, policies), e.g. `RulesSource.StatelessRules[2].Priority`. */
  path?: string;
}

export type IssueSink = (issue: RuleIssue) => void;

/** Address expression tree; IPv4 ranges as unsigned 32-bit numbers, IPv6 as bigints (inclusive). */
export type AddrNode =
  | { kind: 'any' }
  | { kind: 'var'; name: string }
  | { kind: 'v4'; lo: number; hi: number; text: string }
  | { kind: 'v6'; lo: bigint; hi: bigint; text: string }
  | { kind: 'group'; items: AddrNode[] }
  | { kind: 'not'; item: AddrNode };

export type PortNode =
  | { kind: 'any' }
  | { kind: 'var'; name: string }
  | { kind: 'range'; lo: number; hi: number }
  | { kind: 'group'; items: PortNode[] }
  | { kind: 'not'; item: PortNode };

/** One `keyword[:value]` option as written; `value` is trimmed raw text (escapes kept), `column` 1-based. */
export interface RuleOption {
  name: string;
  value: string | undefined;
  column: number;
}

/** A content match with its modifiers, in the buffer it inspects. */
export interface ContentMatch {
  kind: 'content';
  buffer: string;
  negated: boolean;
  /** Decoded bytes as a latin1 string (each char one byte). */
  bytes: string;
  nocase: boolean;
  startswith: boolean;
  endswith: boolean;
  depth?: number | string;
  offset?: number | string;
  distance?: number | string;
  within?: number | string;
  fastPattern: boolean;
  /** Transforms applied to the buffer before this match (`dotprefix`, `to_lowercase` …). */
  transforms: string[];
}

export interface PcreMatch {
  kind: 'pcre';
  buffer: string;
  negated: boolean;
  source: string;
  flags: string;
  /** True when Suricata semantics are expressible as a JS RegExp. */
  transforms: string[];
}

/** Other payload keywords (`byte_test`, `isdataat`, `bsize` …) kept with their buffer. */
export interface OtherMatch {
  kind: 'other';
  buffer: string;
  name: string;
  value: string | undefined;
}

export type Match = ContentMatch | PcreMatch | OtherMatch;

export interface Flow {
  established?: boolean;
  notEstablished?: boolean;
  stateless?: boolean;
  toServer?: boolean;
  toClient?: boolean;
  onlyStream?: boolean;
  noStream?: boolean;
  onlyFrag?: boolean;
  noFrag?: boolean;
}

export interface Flowbit {
  op: string;
  names: string[];
}

export interface Threshold {
  keyword: 'threshold' | 'detection_filter';
  type?: string;
  track?: string;
  count?: number;
  seconds?: number;
}

export interface SuricataRule {
  file: string;
  line: number;
  enabled: boolean;
  raw: string;
  action: string;
  proto: string;
  header: string;
  /** Header fields as written (what suricata-update reports). */
  sourceAddr: string;
  sourcePort: string;
  direction: string;
  destAddr: string;
  destPort: string;
  src: AddrNode;
  srcPorts: PortNode;
  dst: AddrNode;
  dstPorts: PortNode;
  options: RuleOption[];
  sid: number;
  gid: number;
  rev: number;
  msg: string;
  classtype?: string;
  priority?: number;
  references: string[];
  metadata: string[];
  flowbits: Flowbit[];
  noalert: boolean;
  flow?: Flow;
  thresholds: Threshold[];
  matches: Match[];
  /** Buffers inspected by content/pcre/other matches, canonical names, `pkt_data` for the raw payload. */
  buffers: Set<string>;
}
