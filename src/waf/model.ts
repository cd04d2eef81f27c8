import type { PreParseType, TransformationType } from './transforms.js';

/** Compiled (validated) WebACL model. The AWS JSON is loaded once into these shapes (load.ts). */

export type Oversize = 'CONTINUE' | 'MATCH' | 'NO_MATCH';
export type Fallback = 'MATCH' | 'NO_MATCH';

export type FieldSpec =
  | { kind: 'UriPath' | 'QueryString' | 'Method' | 'AllQueryArguments' }
  | { kind: 'SingleQueryArgument' | 'SingleHeader'; name: string }
  | { kind: 'Body'; oversize: Oversize }
  | {
      kind: 'JsonBody';
      oversize: Oversize;
      scope: 'ALL' | 'KEY' | 'VALUE';
      paths?: string[];
      invalidFallback?: 'EVALUATE_AS_STRING' | 'MATCH' | 'NO_MATCH';
    }
  | {
      kind: 'Headers' | 'Cookies';
      oversize: Oversize;
      scope: 'ALL' | 'KEY' | 'VALUE';
      include?: string[];
      exclude?: string[];
    }
  | { kind: 'HeaderOrder'; oversize: Oversize }
  | { kind: 'JA3Fingerprint' | 'JA4Fingerprint' | 'UriFragment'; fallback: Fallback };

export interface ForwardedIp {
  header: string;
  fallback: Fallback;
  position: 'FIRST' | 'LAST' | 'ANY';
}

export interface TextInspection {
  field: FieldSpec;
  tx: TransformationType[];
  preParse: PreParseType[];
}

export type Positional = 'EXACTLY' | 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS' | 'CONTAINS_WORD';

export type Statement = StatementBody & {
  /** JSON path of the statement in the source (explanations). */
  path?: string;
};

type StatementBody =
  | ({ type: 'ByteMatch'; search: string; positional: Positional } & TextInspection)
  | ({ type: 'SqliMatch'; high: boolean } & TextInspection)
  | ({ type: 'XssMatch' } & TextInspection)
  | ({ type: 'SizeConstraint'; op: 'EQ' | 'NE' | 'LE' | 'LT' | 'GE' | 'GT'; size: number } & TextInspection)
  | ({ type: 'RegexMatch'; regexes: RegExp[]; source: string; fromSet: boolean } & TextInspection)
  | { type: 'GeoMatch'; countries: Set<string>; forwarded?: ForwardedIp }
  | { type: 'AsnMatch'; asns: Set<number>; forwarded?: ForwardedIp }
  | { type: 'IPSetReference'; setName: string; cidrs: ParsedCidr[]; forwarded?: ForwardedIp }
  | { type: 'LabelMatch'; scope: 'LABEL' | 'NAMESPACE'; key: string }
  | { type: 'And' | 'Or'; statements: Statement[] }
  | { type: 'Not'; statement: Statement };

export interface ParsedCidr {
  text: string;
  v6: boolean;
  /** Address bytes and prefix length (compared bytewise; no per-request parsing of the set). */
  bytes: number[];
  bits: number;
}

export type ActionType = 'Allow' | 'Block' | 'Count' | 'Captcha' | 'Challenge';

export interface Action {
  type: ActionType;
  insertHeaders: [string, string][];
  response?: { code: number; bodyKey?: string; headers: [string, string][] };
}

export type RuleKind = 'REGULAR' | 'RATE_BASED' | 'GROUP' | 'MANAGED_RULE_GROUP';

export interface RateSpec {
  limit: number;
  windowSec: number;
  aggregate: 'IP' | 'FORWARDED_IP' | 'CONSTANT' | 'CUSTOM_KEYS';
  forwarded?: ForwardedIp;
  scopeDown?: Statement;
  keys: RateKey[];
}

export type RateKey =
  | { kind: 'Header' | 'Cookie' | 'QueryArgument'; name: string; tx: TransformationType[] }
  | { kind: 'QueryString' | 'UriPath'; tx: TransformationType[] }
  | { kind: 'HTTPMethod' | 'IP' | 'ForwardedIP' | 'JA3Fingerprint' | 'JA4Fingerprint' | 'ASN' }
  | { kind: 'LabelNamespace'; namespace: string };

export interface Rule {
  name: string;
  priority: number;
  kind: RuleKind;
  /** Path of the rule in the source JSON (explanations). */
  path: string;
  statement?: Statement;
  rate?: RateSpec;
  group?: GroupRef;
  action?: Action;
  /** For group references: `None` keeps the group's actions, `Count` turns them into Count. */
  override?: 'None' | 'Count';
  labels: string[];
  captchaImmunitySec: number;
  challengeImmunitySec: number;
  wcu: number;
}

export interface GroupRef {
  id: string;
  /** Group label prefix `awswaf:<account>:rulegroup:<name>:` or `awswaf:managed:aws:<name>:`. */
  rules: Rule[];
  excluded: Set<string>;
  overrides: Map<string, Action>;
  scopeDown?: Statement;
}

export interface WebAcl {
  name: string;
  arn: string;
  account: string;
  defaultAction: Action;
  rules: Rule[];
  customBodies: Map<string, { contentType: string; content: string }>;
  /** Body inspection limit in bytes (AssociationConfig or the 8 KB ALB default). */
  bodyLimit: number;
  capacity: number;
  captchaImmunitySec: number;
  challengeImmunitySec: number;
}
