/**
 * Resource schemas from `@aws-cdk/aws-service-spec` (the CDK team's maintained database of every CloudFormation
 * resource type): known properties and their types, required properties, create-only (replacement) properties,
 * primary identifier and GetAtt attributes. The ≈2.6 MB database is loaded lazily on first use and cached, so
 * commands that never touch templates do not pay for it.
 */
import { createRequire } from 'node:module';
import type { PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

export interface PropertySchema {
  /** Rendered type: `string`, `integer`, `boolean`, `json`, `Tag`, `Array<Tag>`, `Map<string>`, a type name, `A | B`. */
  type: string;
  required: boolean;
  /** Changing it replaces the resource (`causesReplacement: yes`; the spec's equivalent of createOnlyProperties). */
  createOnly: boolean;
  /** Nested property types (for a structured type), resolved lazily. */
  readonly properties?: Record<string, PropertySchema>;
}

export interface ResourceSchema {
  type: string;
  properties: Record<string, PropertySchema>;
  required: string[];
  createOnlyProperties: string[];
  /**
   * Write-only properties (never returned by a read, so never compared by drift). `undefined`: the source database
   * does not carry this keyword (see docs/cfn-engine.md); consumers must not read absence as "none".
   */
  writeOnlyProperties?: string[];
  primaryIdentifier: string[];
  /** GetAtt attribute names (dotted for nested ones, e.g. `Endpoint.Address`). */
  attributes: string[];
  isStateful: boolean;
  tagPropertyName?: string;
}

let db: SpecDatabase | undefined;
let loading: Promise<SpecDatabase> | undefined;
let loadMs = 0;
const cache = new Map<string, ResourceSchema | null>();

const require = createRequire(import.meta.url);
type SpecModule = { loadAwsServiceSpec(): Promise<SpecDatabase>; loadAwsServiceSpecSync(): SpecDatabase };

/** Loads the database once (async); later calls return at once. */
export async function loadSchemas(): Promise<void> {
  if (db) return;
  loading ??= (async () => {
    const t0 = performance.now();
    const mod = (await import('@aws-cdk/aws-service-spec')) as unknown as SpecModule;
    const d = await mod.loadAwsServiceSpec();
    loadMs = performance.now() - t0;
    return d;
  })();
  db = await loading;
}

/** Synchronous load for synchronous callers (tests, resolveTemplateText). */
export function loadSchemasSync(): void {
  if (db) return;
  const t0 = performance.now();
  db = (require('@aws-cdk/aws-service-spec') as SpecModule).loadAwsServiceSpecSync();
  loadMs = performance.now() - t0;
}

export function schemasLoaded(): boolean {
  return db !== undefined;
}

/** Milliseconds the database took to load (0 before it is loaded). */
export function schemaLoadMs(): number {
  return loadMs;
}

function renderType(t: PropertyType): string {
  switch (t.type) {
    case 'ref':
      return (db as SpecDatabase).get('typeDefinition', t.reference).name;
    case 'array':
      return `Array<${renderType(t.element)}>`;
    case 'map':
      return `Map<${renderType(t.element)}>`;
    case 'union':
      return t.types.map(renderType).join(' | ');
    case 'tag':
      return 'Tag';
    default:
      return t.type;
  }
}

function propertySchemas(
  props: Record<string, { type: PropertyType; required?: boolean; causesReplacement?: string }>,
): Record<string, PropertySchema> {
  const out: Record<string, PropertySchema> = {};
  for (const [name, p] of Object.entries(props)) {
    const ps: PropertySchema = {
      type: renderType(p.type),
      required: p.required === true,
      createOnly: p.causesReplacement === 'yes',
    };
    const def = structDef(p.type);
    if (def) {
      let nested: Record<string, PropertySchema> | undefined;
      Object.defineProperty(ps, 'properties', {
        enumerable: true,
        get: () => {
          nested ??= propertySchemas(def.properties);
          return nested;
        },
      });
    }
    out[name] = ps;
  }
  return out;
}

/** The structure definition a property type refers to (directly or as array/map element). */
function structDef(t: PropertyType): TypeDefinition | undefined {
  if (t.type === 'ref') return (db as SpecDatabase).get('typeDefinition', t.reference);
  if (t.type === 'array' || t.type === 'map') return structDef(t.element);
  return undefined;
}

function specResource(type: string): Resource | undefined {
  loadSchemasSync();
  const found = (db as SpecDatabase).lookup('resource', 'cloudFormationType', 'equals', type);
  return found[0];
}

/** The schema of a resource type, or undefined when the database does not know the type. Loads the database. */
export function resourceSchema(type: string): ResourceSchema | undefined {
  const c = cache.get(type);
  if (c !== undefined) return c ?? undefined;
  const r = specResource(type);
  if (!r) {
    cache.set(type, null);
    return undefined;
  }
  const properties = propertySchemas(r.properties);
  const s: ResourceSchema = {
    type,
    properties,
    required: Object.keys(properties).filter((k) => properties[k]?.required),
    createOnlyProperties: Object.keys(properties).filter((k) => properties[k]?.createOnly),
    primaryIdentifier: r.primaryIdentifier ?? [],
    attributes: Object.keys(r.attributes),
    isStateful: r.isStateful === true,
  };
  if (r.tagInformation) s.tagPropertyName = r.tagInformation.tagPropertyName;
  cache.set(type, s);
  return s;
}

/** Raw spec access for the validator (type-directed walk). */
export function specResourceRaw(type: string): Resource | undefined {
  return specResource(type);
}

export function typeDefinition(t: PropertyType): TypeDefinition | undefined {
  return t.type === 'ref' ? (db as SpecDatabase).get('typeDefinition', t.reference) : undefined;
}

export { renderType };
