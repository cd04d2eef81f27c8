/**
 * The resolved-template model: what the template engine (src/cfn/template) produces and what the scanners (mapping
 * into the posture model, template-only checks, drift) consume. Values the engine cannot know before deploy stay in
 * the tree as `Unknown` markers with the reason, so that a consumer can say "INSUFFICIENT_DATA because …" instead of
 * guessing.
 */

/** A position in a template file (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Tag that marks a value known only at deploy time (JSON-serialisable, unlike a symbol). */
export const UNKNOWN_TAG = '__vigilUnknown';

export interface Unknown {
  readonly [UNKNOWN_TAG]: true;
  /** Why it is unknown, for annotations, e.g. "Ref to parameter VpcId without a default" or "GetAtt Bucket.Arn". */
  readonly reason: string;
  /** The intrinsic as written (e.g. `{ "Fn::GetAtt": ["Bucket", "Arn"] }`), for symbolic comparisons. */
  readonly expr: unknown;
  /** For Ref/GetAtt to a resource of the same template: its logical id (lets scanners follow relationships). */
  readonly ref?: { logicalId: string; attribute?: string };
}

export function unknown(reason: string, expr: unknown, ref?: Unknown['ref']): Unknown {
  return ref ? { [UNKNOWN_TAG]: true, reason, expr, ref } : { [UNKNOWN_TAG]: true, reason, expr };
}

export function isUnknown(v: unknown): v is Unknown {
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[UNKNOWN_TAG] === true;
}

/** A located problem with the template itself (syntax, bad intrinsic, missing reference …). */
export interface TemplateIssue {
  location: SourceLocation;
  severity: 'error' | 'warning';
  /** Stable code, e.g. `yaml-syntax`, `unresolved-ref`, `bad-intrinsic`, `unknown-resource-type`. */
  code: string;
  message: string;
}

export interface ResolvedResource {
  logicalId: string;
  /** e.g. `AWS::S3::Bucket` (after transforms: SAM resources appear as the resources they expand to). */
  type: string;
  /**
   * Properties after static resolution: intrinsics evaluated where possible, `Fn::If` branches chosen (or, when the
   * condition is unknown, left as an Unknown whose expr holds both branches), `AWS::NoValue` removed.
   */
  properties: Record<string, unknown>;
  /** The resource's Condition and its value (`undefined` when it has none). */
  condition?: { name: string; value: boolean | 'unknown' };
  metadata: Record<string, unknown>;
  deletionPolicy?: string;
  updateReplacePolicy?: string;
  dependsOn: string[];
  /** Where the resource is declared (its logical-id key). */
  location: SourceLocation;
  /**
   * Location of a property by path below `Properties` (e.g. `['SecurityGroupIngress', 0, 'CidrIp']`); falls back to
   * the nearest located ancestor, then to the resource.
   */
  locate(path: readonly (string | number)[]): SourceLocation;
  /** For resources that came from a nested stack or a transform: the chain of logical ids that produced them. */
  origin?: string[];
  /**
   * Properties as written (long-form intrinsics, before resolution; for transform-generated resources: the source
   * resource's). Lets a scanner see provenance that resolution erases, e.g. `{Ref: DbPassword}` to a NoEcho parameter.
   */
  rawProperties?: Record<string, unknown>;
}

/** A declared parameter and where its value came from. */
export interface ParameterDeclaration {
  type: string;
  noEcho: boolean;
  /** `override` (--parameter), `file` (parameters file), `parent` (nested stack), `default`, or `none` (Unknown). */
  source: 'override' | 'file' | 'parent' | 'default' | 'none';
  location: SourceLocation;
}

export interface ResolvedTemplate {
  file: string;
  /** Parameter values used (default, parameters file, --parameter) or Unknown when none was given. */
  parameters: Record<string, unknown>;
  conditions: Record<string, boolean | 'unknown'>;
  resources: ResolvedResource[];
  outputs: Record<string, unknown>;
  /** Nested stacks (AWS::CloudFormation::Stack with a local TemplateURL), resolved with their Parameters. */
  nested: { logicalId: string; template: ResolvedTemplate }[];
  issues: TemplateIssue[];
  /** Declared parameters (type, NoEcho, value source). Optional so hand-built templates stay valid. */
  parameterDeclarations?: Record<string, ParameterDeclaration>;
  /** Transforms the template declares (e.g. `AWS::Serverless-2016-10-31`). */
  transforms?: string[];
}
