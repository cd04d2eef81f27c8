/**
 * Located schema checks on a resolved template: unknown resource types, unknown properties (at any depth), missing
 * required properties, object/list/scalar shape mismatches and GetAtt attributes the type does not have. Values that
 * are Unknown are never judged.
 */
import type { Property, PropertyType } from '@aws-cdk/service-spec-types';
import type { ResolvedResource, ResolvedTemplate, SourceLocation } from '../model.js';
import { isUnknown } from '../model.js';
import { renderType, specResourceRaw, typeDefinition } from './index.js';

export interface GetAttUse {
  logicalId: string;
  attribute: string;
  off: number;
}

const UNKNOWN_PROPERTIES = '__vigilUnknownProperties';

/** Types whose properties/attributes are free-form by design. */
function freeForm(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !isUnknown(v);

export function checkSchema(
  t: ResolvedTemplate,
  getAtts: GetAttUse[],
  position: (off: number) => SourceLocation,
): void {
  const warn = (location: SourceLocation, code: string, message: string, severity: 'error' | 'warning' = 'warning') =>
    t.issues.push({ location, severity, code, message });
  const types = new Map<string, string>();
  for (const r of t.resources) {
    types.set(r.logicalId, r.type);
    if (freeForm(r.type)) continue;
    const spec = specResourceRaw(r.type);
    if (!spec) {
      warn(
        r.location,
        'unknown-resource-type',
        `resource type ${r.type} of ${r.logicalId} is not in the CloudFormation resource specification`,
      );
      continue;
    }
    if (Object.hasOwn(r.properties, UNKNOWN_PROPERTIES)) continue;
    walk(r, r.properties, spec.properties, [], warn);
  }
  for (const g of getAtts) {
    const type = types.get(g.logicalId);
    if (!type || freeForm(type) || type === 'AWS::CloudFormation::Stack' || type.startsWith('AWS::Serverless::'))
      continue;
    const spec = specResourceRaw(type);
    if (!spec || Object.hasOwn(spec.attributes, g.attribute)) continue;
    warn(
      position(g.off),
      'bad-getatt',
      `GetAtt ${g.logicalId}.${g.attribute}: ${type} has no attribute ${g.attribute} (has: ${Object.keys(spec.attributes).slice(0, 12).join(', ') || 'none'})`,
    );
  }
}

type Warn = (location: SourceLocation, code: string, message: string, severity?: 'error' | 'warning') => void;

function walk(
  r: ResolvedResource,
  value: Record<string, unknown>,
  props: Record<string, Property>,
  path: (string | number)[],
  warn: Warn,
): void {
  for (const [name, p] of Object.entries(props)) {
    if (p.required && value[name] === undefined) {
      const where = path.length === 0 ? r.location : r.locate(path);
      warn(
        where,
        'missing-required-property',
        `${r.logicalId}: required property ${[...path, name].join('.')} is missing`,
        'error',
      );
    }
  }
  for (const [name, v] of Object.entries(value)) {
    const p = Object.hasOwn(props, name) ? props[name] : undefined;
    const here = [...path, name];
    if (!p) {
      warn(r.locate(here), 'unknown-property', `${r.logicalId} (${r.type}): unknown property ${here.join('.')}`);
      continue;
    }
    checkValue(r, v, p.type, here, warn);
  }
}

/** Shape of a value: object, list or scalar. */
function shape(v: unknown): 'object' | 'list' | 'scalar' {
  return Array.isArray(v) ? 'list' : v !== null && typeof v === 'object' ? 'object' : 'scalar';
}

function expectedShape(t: PropertyType): 'object' | 'list' | 'scalar' | 'any' {
  switch (t.type) {
    case 'ref':
    case 'tag':
    case 'map':
      return 'object';
    case 'array':
      return 'list';
    case 'json':
    case 'union':
      return 'any';
    default:
      return 'scalar';
  }
}

function checkValue(r: ResolvedResource, v: unknown, t: PropertyType, path: (string | number)[], warn: Warn): void {
  if (v === undefined || v === null || isUnknown(v)) return;
  if (t.type === 'union') {
    // Accept when any member matches the shape; descend only when exactly one does (else the member is ambiguous).
    const ms = t.types.filter((x) => expectedShape(x) === shape(v) || expectedShape(x) === 'any');
    const m = ms[0];
    if (!m) {
      warn(
        r.locate(path),
        'bad-property-type',
        `${r.logicalId}: ${path.join('.')} should be ${renderType(t)}, found a ${shape(v)}`,
      );
      return;
    }
    if (ms.length > 1) return;
    if (m.type !== 'union') checkValue(r, v, m, path, warn);
    return;
  }
  const want = expectedShape(t);
  if (want !== 'any' && want !== shape(v)) {
    warn(
      r.locate(path),
      'bad-property-type',
      `${r.logicalId}: ${path.join('.')} should be ${renderType(t)}, found a ${shape(v)}`,
    );
    return;
  }
  if (t.type === 'ref' && isObj(v)) {
    const def = typeDefinition(t);
    if (def) walk(r, v, def.properties, path, warn);
  } else if (t.type === 'array' && Array.isArray(v)) {
    v.forEach((x, i) => {
      checkValue(r, x, t.element, [...path, i], warn);
    });
  } else if (t.type === 'map' && isObj(v)) {
    for (const [k, x] of Object.entries(v)) checkValue(r, x, t.element, [...path, k], warn);
  }
}
