/**
 * The rule interface, shared by live (configuration item) and template (CloudFormation, via an adapter into the CI
 * shape) evaluation: metadata as data plus one pure function from a CI to a decision that says why.
 */
import type { ComplianceType, ConfigItem } from './model.js';

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
export const SEVERITIES: Severity[] = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

export type ParamType = 'int' | 'string' | 'boolean' | 'list';

/** One rule parameter, named and defaulted exactly as AWS does (config-rules.md §4). */
export interface ParamSpec {
  name: string;
  type: ParamType;
  /** AWS's default, as the string AWS would accept in InputParameters. */
  default?: string;
  required?: boolean;
  description: string;
}

export type Trigger = 'ConfigurationChange' | 'Periodic';

export interface RuleMeta {
  /** AWS Config managed-rule name (kebab-case). */
  name: string;
  /** AWS SourceIdentifier (config-rules.md §3 for the exceptions). */
  identifier: string;
  /** Resource types evaluated; `AWS::::Account` for account-scoped rules. */
  resourceTypes: string[];
  triggers: Trigger[];
  parameters: ParamSpec[];
  severity: Severity;
  title: string;
  description: string;
  risk: string;
  remediation: string;
  /** AWS-owned SSM Automation runbook that fixes it, when there is a natural one (config-rules.md §6). */
  runbook?: string;
  /** Framework references, `framework:control` (e.g. `cis-aws-4.0.1:1.5`). */
  frameworks: string[];
}

export type ParamValue = string | number | boolean | string[] | undefined;
export type Params = Readonly<Record<string, ParamValue>>;

/** A field (dotted path into the CI) and the value that decided. */
export interface Evidence {
  path: string;
  value: unknown;
}

export interface Decision {
  compliance: ComplianceType;
  /** Why, in one sentence naming the port / statement / day count (≤ 256 chars once reported). */
  annotation: string;
  evidence: Evidence[];
}

/** What a rule may look at besides its own CI: the rest of the inventory, indexed once. */
export interface EvalContext {
  /** Evaluation clock, epoch ms. */
  now: number;
  itemsOf(resourceType: string): readonly ConfigItem[];
  find(resourceType: string, resourceId: string): ConfigItem | undefined;
  /** False when the producer says this type was not collected (so "none found" would be a guess). */
  known(resourceType: string): boolean;
  /**
   * A value derived from the inventory (e.g. users by group), built once per evaluation run so that a rule which
   * looks across a resource type stays linear. Optional: contexts that must observe every read (template scans
   * track reads of deploy-time values) leave it out, and `derived` then builds the value on each call.
   */
  memo?<T>(key: string, build: () => T): T;
}

/** `ctx.memo` when the context has one, else build now. */
export function derived<T>(ctx: EvalContext, key: string, build: () => T): T {
  return ctx.memo ? ctx.memo(key, build) : build();
}

export interface Rule {
  meta: RuleMeta;
  evaluate(ci: ConfigItem, params: Params, ctx: EvalContext): Decision;
}

export function decide(compliance: ComplianceType, annotation: string, ...evidence: Evidence[]): Decision {
  return { compliance, annotation, evidence };
}
export const compliant = (annotation: string, ...evidence: Evidence[]) => decide('COMPLIANT', annotation, ...evidence);
export const nonCompliant = (annotation: string, ...evidence: Evidence[]) =>
  decide('NON_COMPLIANT', annotation, ...evidence);
export const notApplicable = (annotation: string, ...evidence: Evidence[]) =>
  decide('NOT_APPLICABLE', annotation, ...evidence);
export const insufficient = (annotation: string, ...evidence: Evidence[]) =>
  decide('INSUFFICIENT_DATA', annotation, ...evidence);

/** Identifier AWS derives from a name, for rules without an exception (config-rules.md §3). */
export function defaultIdentifier(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

type MetaInput = Omit<RuleMeta, 'identifier' | 'parameters' | 'frameworks' | 'triggers'> &
  Partial<Pick<RuleMeta, 'identifier' | 'parameters' | 'frameworks' | 'triggers'>>;

/** Define a rule; the identifier defaults to AWS's derivation from the name. */
export function defineRule(meta: MetaInput, evaluate: Rule['evaluate']): Rule {
  return {
    meta: {
      identifier: defaultIdentifier(meta.name),
      parameters: [],
      frameworks: [],
      triggers: ['ConfigurationChange'],
      ...meta,
    },
    evaluate,
  };
}
