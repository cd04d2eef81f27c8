/**
 * Whole-template resolution: parameters (supplied, default or Unknown), pseudo parameters, Conditions, Resources
 * (properties, Condition, DependsOn, policies, Metadata), Outputs, nested stacks with a local TemplateURL and the SAM
 * transform. Pure apart from reading parameter files and nested templates through `readFile`.
 */
import { basename, dirname, extname, resolve as resolvePath } from 'node:path';
import type {
  ParameterDeclaration,
  ResolvedResource,
  ResolvedTemplate,
  SourceLocation,
  TemplateIssue,
} from '../model.js';
import { isUnknown, unknown } from '../model.js';
import { expandForEach, hasForEach } from './foreach.js';
import { type CondValue, type Ctx, conditionValue, type GetAttUse, NOVALUE, resolve } from './intrinsics.js';
import { coerceParameter, parseParameterFile } from './parameters.js';
import { type LocTable, type ParsedText, parseTemplateText } from './parse.js';
import { expandSam, SAM_TRANSFORM, samImplicitResources } from './sam.js';

export interface TemplateOptions {
  /** `--parameter K=V` overrides (win over parameter files and defaults). */
  parameters?: Record<string, string>;
  /** Parameter files, CloudFormation (`[{ParameterKey, ParameterValue}]`) or CLI (`K=V` list, `{Parameters}`) format. */
  parameterFiles?: string[];
  /** Default 123456789012 (the documentation placeholder). */
  accountId?: string;
  /** Default us-east-1. */
  region?: string;
  /** Default derived from the region (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b). */
  partition?: string;
  /** Default: the template file name without extension. */
  stackName?: string;
  notificationArns?: string[];
  /** Availability zones for Fn::GetAZs: a list for the configured region, or per region. Unset → Unknown. */
  azs?: string[] | Record<string, string[]>;
  /** Check resource types/properties/GetAtt attributes against the resource schemas (default true). */
  schemaCheck?: boolean;
  /** Load nested stacks with a local TemplateURL (default true). */
  nested?: boolean;
}

/** Hooks the engine needs from outside (file reads, schema checks) — injected so this module stays pure. */
export interface EngineHooks {
  readFile(path: string): string | undefined;
  checkSchema?(t: ResolvedTemplate, getAtts: GetAttUse[], position: (off: number) => SourceLocation): void;
}

interface Internal {
  parentValues?: Record<string, unknown>;
  chain: string[];
  origin: string[];
}

const MAX_NESTING = 8;

/** Parameter types CloudFormation accepts (plain, AWS-specific, their lists, SSM). */
const PARAMETER_TYPE =
  /^(?:String|Number|List<Number>|CommaDelimitedList|(?:List<)?AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+>?|AWS::SSM::Parameter::Name|AWS::SSM::Parameter::Value<.+>)$/;

/** Condition names as cfn-lint checks them (E8001). */
const CONDITION_NAME = /^[a-zA-Z0-9&_]{1,255}$/;

/** Issues a macro transform can make moot. */
const MACRO_SOFTENED = new Set([
  'unknown-resource-attribute',
  'missing-required-property',
  'unresolved-ref',
  'bad-intrinsic',
  'missing-resources',
]);

/** Keys CloudFormation accepts on a resource (anything else fails the deployment). */
const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
  'Version', // legacy attribute on custom resources, still accepted
]);

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

export function resolveParsed(
  parsed: ParsedText,
  opts: TemplateOptions,
  hooks: EngineHooks,
  internal: Internal = { chain: [], origin: [] },
): ResolvedTemplate {
  const file = parsed.file;
  const issues: TemplateIssue[] = [...parsed.issues];
  const root = parsed.value;
  const rootLoc = parsed.locs.get(root as object);
  const keyOff = (k: string) => rootLoc?.keys?.get(k) ?? 0;
  const result: ResolvedTemplate = {
    file,
    parameters: {},
    conditions: {},
    resources: [],
    outputs: {},
    nested: [],
    issues,
    parameterDeclarations: {},
    transforms: [],
  };
  const at = (off: number) => parsed.position(off);
  const issue = (off: number, code: string, message: string, severity: 'error' | 'warning' = 'error') =>
    issues.push({ location: at(off), severity, code, message });

  if (parsed.issues.some((i) => i.code === 'json-syntax')) return result;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    issue(0, 'not-a-template', 'the document is not a mapping, so it is not a CloudFormation template');
    return result;
  }
  const doc = root as Record<string, unknown>;
  // Nothing usable was parsed: the syntax error says it all.
  if (parsed.issues.some((i) => i.code === 'multiple-documents' || i.code === 'json-syntax')) return result;

  const section = (k: string): Record<string, unknown> => {
    const v = doc[k];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) {
      issue(keyOff(k), 'bad-section', `${k} must be a mapping`);
      return {};
    }
    return v as Record<string, unknown>;
  };

  const tr = doc.Transform;
  const transforms = (Array.isArray(tr) ? tr : tr === undefined ? [] : [tr]).filter(
    (t): t is string => typeof t === 'string',
  );
  result.transforms = transforms;

  // Pseudo parameters.
  const region = opts.region ?? 'us-east-1';
  const partition = opts.partition ?? partitionOf(region);
  const account = opts.accountId ?? '123456789012';
  const stackName = opts.stackName ?? (basename(file, extname(file)).replace(/[^A-Za-z0-9-]/g, '-') || 'stack');
  const pseudo = new Map<string, unknown>([
    ['AWS::AccountId', account],
    ['AWS::Region', region],
    ['AWS::Partition', partition],
    ['AWS::URLSuffix', partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'],
    ['AWS::StackName', stackName],
    [
      'AWS::StackId',
      `arn:${partition}:cloudformation:${region}:${account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`,
    ],
    ['AWS::NotificationARNs', opts.notificationArns ?? []],
    ['AWS::NoValue', NOVALUE],
  ]);
  const azs = (r: string) => {
    const a = opts.azs;
    if (!a) return undefined;
    return Array.isArray(a) ? (r === region ? a : undefined) : a[r];
  };

  // Parameter values from outside: files in order, then --parameter overrides.
  const supplied = new Map<string, { value: unknown; source: ParameterDeclaration['source'] }>();
  for (const pf of opts.parameterFiles ?? []) {
    const text = hooks.readFile(pf);
    if (text === undefined) {
      issues.push({
        location: { file: pf, line: 1, column: 1 },
        severity: 'error',
        code: 'bad-parameter-file',
        message: 'cannot read parameters file',
      });
      continue;
    }
    const r = parseParameterFile(text, pf);
    issues.push(...r.issues);
    for (const [k, v] of Object.entries(r.values)) supplied.set(k, { value: v, source: 'file' });
  }
  for (const [k, v] of Object.entries(opts.parameters ?? {})) supplied.set(k, { value: v, source: 'override' });
  if (internal.parentValues) {
    for (const [k, v] of Object.entries(internal.parentValues)) supplied.set(k, { value: v, source: 'parent' });
  }

  const paramDefs = section('Parameters');
  const paramLoc = parsed.locs.get(paramDefs);
  const params = new Map<string, unknown>();
  for (const [name, def] of Object.entries(paramDefs)) {
    const off = paramLoc?.keys?.get(name) ?? keyOff('Parameters');
    if (!def || typeof def !== 'object' || Array.isArray(def)) {
      issue(off, 'bad-parameter', `parameter ${name} must be a mapping with a Type`);
      params.set(name, unknown(`parameter ${name} is malformed`, { Ref: name }));
      continue;
    }
    const d = def as Record<string, unknown>;
    const type = typeof d.Type === 'string' ? d.Type : 'String';
    if (typeof d.Type !== 'string') issue(off, 'bad-parameter', `parameter ${name} has no Type`);
    else if (!PARAMETER_TYPE.test(type))
      issue(off, 'bad-parameter', `parameter ${name} has Type ${type}, which CloudFormation does not know`);
    const s = supplied.get(name);
    let raw: unknown;
    let source: ParameterDeclaration['source'];
    if (s) {
      raw = s.value;
      source = s.source;
    } else if (d.Default !== undefined && d.Default !== null) {
      raw = Array.isArray(d.Default) ? d.Default.join(',') : d.Default;
      source = 'default';
    } else {
      raw = unknown(`parameter ${name} has no value (no default, none supplied)`, { Ref: name });
      source = 'none';
    }
    const c = coerceParameter(name, type, raw);
    if (c.problem) issue(off, 'bad-parameter', c.problem);
    if (!isUnknown(c.value) && Array.isArray(d.AllowedValues)) {
      const allowed = d.AllowedValues.map(String);
      const vals = Array.isArray(c.value) ? c.value.map(String) : [String(c.value)];
      const bad = vals.find((v) => !allowed.includes(v));
      if (bad !== undefined) {
        issue(
          off,
          'bad-parameter',
          `value "${bad}" of parameter ${name} (${source}) is not in AllowedValues [${allowed.join(', ')}]`,
        );
      }
    }
    if (!isUnknown(c.value) && typeof d.AllowedPattern === 'string' && typeof c.value === 'string') {
      try {
        if (!new RegExp(`^(?:${d.AllowedPattern})$`, 'u').test(c.value)) {
          issue(
            off,
            'bad-parameter',
            `value "${c.value}" of parameter ${name} (${source}) does not match AllowedPattern ${d.AllowedPattern}`,
            'warning',
          );
        }
      } catch {
        // CloudFormation uses Java regexes; a pattern JS cannot compile is not the template's fault.
      }
    }
    params.set(name, c.value);
    result.parameters[name] = c.value;
    (result.parameterDeclarations as Record<string, ParameterDeclaration>)[name] = {
      type,
      noEcho: d.NoEcho === true || d.NoEcho === 'true',
      source,
      location: at(off),
    };
    if (pseudo.has(name)) issue(off, 'bad-parameter', `parameter ${name} shadows a pseudo parameter`);
  }
  for (const [k, s] of supplied) {
    if (!Object.hasOwn(paramDefs, k) && s.source !== 'parent') {
      issues.push({
        location: { file, line: 1, column: 1 },
        severity: 'warning',
        code: 'unknown-parameter',
        message: `a value was supplied (${s.source}) for parameter ${k}, which the template does not declare`,
      });
    }
  }

  const resourcesRaw = doc.Resources;
  if (
    resourcesRaw === undefined ||
    resourcesRaw === null ||
    typeof resourcesRaw !== 'object' ||
    Array.isArray(resourcesRaw)
  ) {
    issue(
      resourcesRaw === undefined ? 0 : keyOff('Resources'),
      'missing-resources',
      'the template has no Resources mapping, which CloudFormation requires',
    );
  }
  let resSection = section('Resources');
  const resourceTypes = new Map<string, string>();

  const out: LocTable = new WeakMap();
  const ctx: Ctx = {
    parsed,
    issues,
    params,
    pseudo,
    mappings: section('Mappings'),
    conditionDefs: section('Conditions'),
    conditionValues: new Map(),
    evaluating: new Set(),
    resources: resourceTypes,
    region,
    azs,
    out,
    getAtts: [],
    forEach: transforms.includes('AWS::LanguageExtensions'),
  };
  const expandLoops = (sec: Record<string, unknown>, name: string): Record<string, unknown> => {
    if (!hasForEach(sec)) return sec;
    if (!ctx.forEach) {
      issue(
        keyOff(name),
        'missing-transform',
        `${name} uses Fn::ForEach, which needs "Transform: AWS::LanguageExtensions"`,
      );
      return sec;
    }
    return expandForEach(ctx, sec);
  };
  resSection = expandLoops(resSection, 'Resources');
  const resLoc = parsed.locs.get(resSection);
  for (const [id, body] of Object.entries(resSection)) {
    if (
      body &&
      typeof body === 'object' &&
      !Array.isArray(body) &&
      typeof (body as Record<string, unknown>).Type === 'string'
    ) {
      resourceTypes.set(id, (body as Record<string, unknown>).Type as string);
    }
  }
  if (transforms.includes(SAM_TRANSFORM)) {
    for (const [id, type] of samImplicitResources(resSection)) resourceTypes.set(id, type);
  }
  for (const name of params.keys()) {
    if (resourceTypes.has(name)) {
      issue(resLoc?.keys?.get(name) ?? 0, 'duplicate-name', `${name} is both a parameter and a resource`);
    }
  }
  const condLoc = parsed.locs.get(ctx.conditionDefs);
  for (const name of Object.keys(ctx.conditionDefs)) {
    const coff = condLoc?.keys?.get(name) ?? keyOff('Conditions');
    if (!CONDITION_NAME.test(name))
      issue(coff, 'bad-condition', `condition name "${name}" must match [a-zA-Z0-9&_]{1,255}`);
    result.conditions[name] = conditionValue(ctx, name, coff);
  }

  const strOf = (v: unknown, off: number, what: string): string | undefined => {
    const r = resolve(ctx, v, off);
    if (r === undefined || r === null || r === NOVALUE) return undefined;
    if (typeof r === 'string') return r;
    issue(off, 'bad-resource', `${what} must be a string`, 'warning');
    return undefined;
  };

  for (const [id, body] of Object.entries(resSection)) {
    const off = resLoc?.keys?.get(id) ?? keyOff('Resources');
    if (id.startsWith('Fn::ForEach::')) continue; // not expanded: reported by expandLoops
    if (!/^[A-Za-z0-9]+$/.test(id)) issue(off, 'bad-logical-id', `logical id "${id}" must be alphanumeric`);
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      issue(off, 'bad-resource', `resource ${id} must be a mapping with a Type`);
      continue;
    }
    const b = body as Record<string, unknown>;
    const bLoc = parsed.locs.get(b);
    const bOff = (k: string) => bLoc?.keys?.get(k) ?? off;
    if (typeof b.Type !== 'string') {
      issue(b.Type === undefined ? off : bOff('Type'), 'bad-resource', `resource ${id} has no Type (string)`);
      continue;
    }
    for (const k of Object.keys(b)) {
      if (!RESOURCE_ATTRIBUTES.has(k)) {
        issue(
          bOff(k),
          'unknown-resource-attribute',
          `${id}: "${k}" is not a resource attribute (Type, Properties, DependsOn, Condition, …)`,
        );
      }
    }
    let condition: ResolvedResource['condition'];
    if (b.Condition !== undefined) {
      if (typeof b.Condition === 'string') {
        condition = { name: b.Condition, value: conditionValue(ctx, b.Condition, bOff('Condition')) };
      } else issue(bOff('Condition'), 'bad-resource', `Condition of ${id} must be a condition name`);
    }
    let properties: Record<string, unknown> = {};
    if (b.Properties !== undefined && b.Properties !== null) {
      const p = resolve(ctx, b.Properties, bOff('Properties'));
      if (p && typeof p === 'object' && !Array.isArray(p) && !isUnknown(p)) properties = p as Record<string, unknown>;
      else if (isUnknown(p)) properties = { [UNKNOWN_PROPERTIES]: p };
      else if (p !== NOVALUE) issue(bOff('Properties'), 'bad-resource', `Properties of ${id} must be a mapping`);
    }
    const dependsOn: string[] = [];
    const dep = b.DependsOn;
    if (dep !== undefined) {
      const list = Array.isArray(dep) ? dep : [dep];
      list.forEach((d, i) => {
        const doff = parsed.locs.get(dep as object)?.items?.[i] ?? bOff('DependsOn');
        if (typeof d !== 'string') issue(doff, 'bad-resource', `DependsOn of ${id} must list logical ids`);
        else if (!resourceTypes.has(d))
          issue(doff, 'unresolved-ref', `${id} DependsOn "${d}", which is not a resource`);
        else dependsOn.push(d);
      });
    }
    let metadata: Record<string, unknown> = {};
    if (b.Metadata !== undefined) {
      const m = resolve(ctx, b.Metadata, bOff('Metadata'));
      if (m && typeof m === 'object' && !Array.isArray(m) && !isUnknown(m)) metadata = m as Record<string, unknown>;
    }
    const res: ResolvedResource = {
      logicalId: id,
      type: b.Type,
      properties,
      metadata,
      dependsOn,
      location: at(off),
      locate: makeLocate(parsed, out, properties, b.Properties !== undefined ? bOff('Properties') : off),
      rawProperties:
        b.Properties && typeof b.Properties === 'object' && !Array.isArray(b.Properties)
          ? (b.Properties as Record<string, unknown>)
          : {},
    };
    if (condition) res.condition = condition;
    const dp =
      b.DeletionPolicy !== undefined ? strOf(b.DeletionPolicy, bOff('DeletionPolicy'), 'DeletionPolicy') : undefined;
    if (dp !== undefined) res.deletionPolicy = dp;
    const urp =
      b.UpdateReplacePolicy !== undefined
        ? strOf(b.UpdateReplacePolicy, bOff('UpdateReplacePolicy'), 'UpdateReplacePolicy')
        : undefined;
    if (urp !== undefined) res.updateReplacePolicy = urp;
    if (internal.origin.length > 0) res.origin = [...internal.origin];
    result.resources.push(res);
  }

  const outs = expandLoops(section('Outputs'), 'Outputs');
  const outLoc = parsed.locs.get(outs);
  for (const [name, o] of Object.entries(outs)) {
    const off = outLoc?.keys?.get(name) ?? keyOff('Outputs');
    if (!o || typeof o !== 'object' || Array.isArray(o) || !Object.hasOwn(o, 'Value')) {
      issue(off, 'bad-output', `output ${name} must be a mapping with a Value`);
      continue;
    }
    const od = o as Record<string, unknown>;
    const oLoc = parsed.locs.get(od);
    if (
      typeof od.Condition === 'string' &&
      conditionValue(ctx, od.Condition, oLoc?.keys?.get('Condition') ?? off) === false
    ) {
      continue;
    }
    const v = resolve(ctx, od.Value, oLoc?.keys?.get('Value') ?? off);
    if (v !== NOVALUE) result.outputs[name] = v;
    if (od.Export !== undefined) resolve(ctx, od.Export, oLoc?.keys?.get('Export') ?? off);
  }

  // Schema checks run on the template as written (SAM resources against the SAM schema), before expansion.
  hooks.checkSchema?.(result, ctx.getAtts, at);

  if (transforms.includes(SAM_TRANSFORM)) {
    const globals = doc.Globals === undefined ? {} : resolve(ctx, doc.Globals, keyOff('Globals'));
    result.resources = expandSam(result.resources, globals, { partition, region, account, issues }, out);
  } else if (result.resources.some((r) => r.type.startsWith('AWS::Serverless::'))) {
    const r = result.resources.find((x) => x.type.startsWith('AWS::Serverless::')) as ResolvedResource;
    issues.push({
      location: r.location,
      severity: 'error',
      code: 'missing-transform',
      message: `${r.logicalId} is ${r.type}, which needs "Transform: ${SAM_TRANSFORM}"`,
    });
  }
  const macros = transforms.filter((t) => t !== SAM_TRANSFORM && t !== 'AWS::LanguageExtensions');
  for (const t of macros) {
    issue(
      keyOff('Transform'),
      'unsupported-transform',
      `transform ${t} (a macro or AWS::Include) is not expanded offline`,
      'warning',
    );
  }
  if (macros.length > 0) {
    // A macro may rewrite anything before CloudFormation sees it: what looks wrong as written is only a warning.
    for (const i of issues) {
      if (i.severity === 'error' && MACRO_SOFTENED.has(i.code)) {
        i.severity = 'warning';
        i.message += ` (the template uses macro ${macros.join(', ')}, which may rewrite it)`;
      }
    }
  }

  if (opts.nested !== false) loadNested(result, opts, hooks, internal);
  return result;
}

/** Key under which a resource whose whole Properties is Unknown (e.g. a top-level Fn::If) keeps it. */
export const UNKNOWN_PROPERTIES = '__vigilUnknownProperties';

function makeLocate(
  parsed: ParsedText,
  out: LocTable,
  properties: Record<string, unknown>,
  baseOff: number,
): ResolvedResource['locate'] {
  return (path) => {
    let off = baseOff;
    let cur: unknown = properties;
    for (const seg of path) {
      if (cur === null || typeof cur !== 'object') break;
      const l = out.get(cur);
      const o = typeof seg === 'number' ? l?.items?.[seg] : l?.keys?.get(seg);
      if (o === undefined) break;
      off = o;
      cur = (cur as Record<string | number, unknown>)[seg];
    }
    return parsed.position(off);
  };
}

function loadNested(result: ResolvedTemplate, opts: TemplateOptions, hooks: EngineHooks, internal: Internal): void {
  for (const r of result.resources) {
    if (r.type !== 'AWS::CloudFormation::Stack' || r.condition?.value === false) continue;
    const url = r.properties.TemplateURL;
    if (typeof url !== 'string' || /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) continue; // remote: not loadable offline
    const path = resolvePath(dirname(result.file), url);
    const loc = r.locate(['TemplateURL']);
    if (internal.chain.includes(path) || resolvePath(result.file) === path) {
      result.issues.push({
        location: loc,
        severity: 'error',
        code: 'nested-cycle',
        message: `nested stack ${r.logicalId} includes ${url}, which is already being loaded (cycle)`,
      });
      continue;
    }
    if (internal.chain.length >= MAX_NESTING) {
      result.issues.push({
        location: loc,
        severity: 'warning',
        code: 'nested-depth',
        message: `nested stacks deeper than ${MAX_NESTING} levels are not loaded`,
      });
      continue;
    }
    const text = hooks.readFile(path);
    if (text === undefined) {
      result.issues.push({
        location: loc,
        severity: 'warning',
        code: 'nested-template-missing',
        message: `nested template ${url} of ${r.logicalId} cannot be read (${path})`,
      });
      continue;
    }
    const p = r.properties.Parameters;
    const parentValues: Record<string, unknown> = {};
    if (p && typeof p === 'object' && !Array.isArray(p) && !isUnknown(p)) Object.assign(parentValues, p);
    const parsed = parseTemplateText(text, path);
    const child = resolveParsed(
      parsed,
      { ...opts, parameters: {}, parameterFiles: [], stackName: `${opts.stackName ?? 'stack'}-${r.logicalId}` },
      hooks,
      { parentValues, chain: [...internal.chain, resolvePath(result.file)], origin: [...internal.origin, r.logicalId] },
    );
    result.nested.push({ logicalId: r.logicalId, template: child });
  }
}

export type { CondValue };
