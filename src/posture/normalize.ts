/**
 * Adapters from the CI shapes AWS produces (API form, snapshot/history file form, change-notification form) into
 * the one `ConfigItem` shape. They never throw: a problem is returned as a reason string.
 */
import type { ConfigItem, Relationship } from './model.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse a JSON string when it is one; other values pass through. */
function maybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function tagsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    // SDK style [{Key, Value}] or CI style [{key, value}]
    for (const t of v)
      if (isObj(t)) {
        const k = t.key ?? t.Key;
        if (typeof k === 'string') out[k] = String(t.value ?? t.Value ?? '');
      }
  } else if (isObj(v)) {
    for (const [k, val] of Object.entries(v)) out[k] = String(val ?? '');
  }
  return out;
}

function relationshipsOf(v: unknown): Relationship[] {
  if (!Array.isArray(v)) return [];
  const out: Relationship[] = [];
  for (const r of v) {
    if (!isObj(r)) continue;
    const name = str(r.relationshipName) ?? str(r.name);
    const type = str(r.resourceType);
    if (!name || !type) continue;
    out.push({
      resourceType: type,
      resourceId: str(r.resourceId),
      resourceName: str(r.resourceName),
      relationshipName: name,
    });
  }
  return out;
}

/** Normalise one CI in any of AWS's three forms. Returns the item or a reason it was rejected. */
export function normalizeCi(raw: unknown): ConfigItem | string {
  if (!isObj(raw)) return 'configuration item is not a JSON object';
  const resourceType = str(raw.resourceType);
  if (!resourceType) return 'configuration item has no resourceType';
  const resourceId = str(raw.resourceId) ?? str(raw.resourceName);
  if (!resourceId) return `configuration item of type ${resourceType} has no resourceId`;
  const awsAccountId = str(raw.awsAccountId) ?? str(raw.accountId);
  if (!awsAccountId) return `configuration item ${resourceType} ${resourceId} has no awsAccountId`;
  const configuration = maybeJson(raw.configuration);
  if (raw.configuration !== undefined && raw.configuration !== null && !isObj(configuration))
    return `configuration item ${resourceType} ${resourceId}: configuration is not a JSON object`;
  const supp: Obj = {};
  const rawSupp = maybeJson(raw.supplementaryConfiguration);
  if (isObj(rawSupp)) for (const [k, v] of Object.entries(rawSupp)) supp[k] = maybeJson(v);
  return {
    resourceType,
    resourceId,
    resourceName: str(raw.resourceName),
    arn: str(raw.arn) ?? str(raw.ARN),
    awsRegion: str(raw.awsRegion) ?? 'global',
    awsAccountId,
    availabilityZone: str(raw.availabilityZone),
    configuration: isObj(configuration) ? configuration : {},
    supplementaryConfiguration: supp,
    tags: tagsOf(raw.tags),
    relationships: relationshipsOf(raw.relationships),
    configurationItemCaptureTime: str(raw.configurationItemCaptureTime),
    configurationItemStatus: str(raw.configurationItemStatus) ?? 'OK',
  };
}

/** True for CI statuses that describe a resource that no longer exists (not evaluated). */
export function isDeleted(ci: ConfigItem): boolean {
  return (
    ci.configurationItemStatus === 'ResourceDeleted' || ci.configurationItemStatus === 'ResourceDeletedNotRecorded'
  );
}
