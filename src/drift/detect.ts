/**
 * Drift of one stack: expected (resolved template + physical ids) against actual (configuration items converted to
 * CloudFormation properties), CloudFormation's rules (compare.ts), then unmanaged resources and attribution.
 */
import { isUnknown, type ResolvedResource, type ResolvedTemplate, UNKNOWN_PROPERTIES } from '../cfn/index.js';
import type { ConfigItem } from '../posture/model.js';
import { actualInlinePolicy, actualProperties, configTypeOf, findCi, SUPPORTED_TYPES } from './actual.js';
import { attribute, type TrailEvent } from './attribution.js';
import { diff, dropPaths, project } from './compare.js';
import type { IgnoreRule } from './ignore.js';
import { writeOnlyPaths } from './rules.js';
import type { DriftReport, PropertyDifference, StackResourceDrift, UnmanagedResource } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface DriftInput {
  template: ResolvedTemplate;
  stackName: string;
  /** The user named the stack (match aws:cloudformation:stack-name tags); else the name is the file's. */
  stackNameGiven?: boolean;
  stackId?: string;
  /** logical id → physical id (from DescribeStackResources); without it, ids come from tags or names. */
  physicalIds?: Map<string, string>;
  items: readonly ConfigItem[];
  /** Config types the inventory covers (undefined = whatever it holds). */
  collectedTypes?: ReadonlySet<string>;
  events?: readonly TrailEvent[];
  /** Stack's last update (epoch ms): older events are not attributed. */
  since?: number;
  ignore?: readonly IgnoreRule[];
  /** Physical ids of resources other stacks manage (not reported as unmanaged). */
  otherManaged?: ReadonlySet<string>;
  now?: string;
}

/** Template properties that name the resource (for matching without a stack). */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::EC2::SecurityGroup': 'GroupName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
};

/** Physical id from the stack, else CloudFormation's own tags, else an explicit name property. */
function physicalIdOf(r: ResolvedResource, input: DriftInput): string | undefined {
  const fromStack = input.physicalIds?.get(r.logicalId);
  if (fromStack) return fromStack;
  if (input.physicalIds) return undefined;
  const type = configTypeOf(r.type);
  const tagged = input.items.filter(
    (ci) =>
      ci.resourceType === type &&
      ci.tags['aws:cloudformation:logical-id'] === r.logicalId &&
      (!input.stackNameGiven || ci.tags['aws:cloudformation:stack-name'] === input.stackName),
  );
  // Without an explicit stack name, a logical id is only trusted when one stack in the inventory uses it.
  if (tagged.length === 1 || (tagged.length > 1 && input.stackNameGiven)) return tagged[0]!.resourceId;
  const nameProp = NAME_PROPERTY[r.type];
  const name = nameProp ? r.properties[nameProp] : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** Replace deploy-time values: Ref/GetAtt to stack resources from physical ids, else drop with a note. */
function resolveUnknowns(
  v: unknown,
  path: string,
  physical: (logicalId: string, attribute?: string) => string | undefined,
  notes: string[],
): unknown {
  if (isUnknown(v)) {
    if (v.ref) {
      const got = physical(v.ref.logicalId, v.ref.attribute);
      if (got !== undefined) return got;
    }
    notes.push(`${path || '/'}: not compared: value known only at deploy time (${v.reason})`);
    return undefined;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    v.forEach((x, i) => {
      const r = resolveUnknowns(x, `${path}/${i}`, physical, notes);
      if (r !== undefined) out.push(r);
    });
    return out;
  }
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const r = resolveUnknowns(x, `${path}/${k}`, physical, notes);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return v;
}

/** All resources of a template tree (nested stacks included: AWS does not recurse, Vigil does). */
function allResources(t: ResolvedTemplate): ResolvedResource[] {
  return [...t.resources, ...t.nested.flatMap((n) => allResources(n.template))];
}

const loc = (r: ResolvedResource) => `${r.location.file}:${r.location.line}`;

/** Defaults AWS creates in every account/VPC: never "unmanaged" (driftctl skips them too). */
function isAwsDefault(ci: ConfigItem): boolean {
  const c = ci.configuration;
  if (ci.resourceType === 'AWS::EC2::VPC') return c.isDefault === true;
  if (ci.resourceType === 'AWS::EC2::Subnet') return c.defaultForAz === true;
  if (ci.resourceType === 'AWS::EC2::SecurityGroup') return c.groupName === 'default' || ci.resourceName === 'default';
  if (ci.resourceType === 'AWS::IAM::Policy') return /^arn:aws[\w-]*:iam::aws:policy\//.test(ci.arn ?? '');
  if (ci.resourceType === 'AWS::IAM::Role') return /\/aws-service-role\//.test(String(c.path ?? ci.arn ?? ''));
  if (ci.resourceType === 'AWS::KMS::Key') return c.keyManager === 'AWS';
  return false;
}

export function detectDrift(input: DriftInput): DriftReport {
  const now = input.now ?? new Date().toISOString();
  const stackId =
    input.stackId ??
    `arn:aws:cloudformation:us-east-1:123456789012:stack/${input.stackName}/00000000-0000-0000-0000-000000000000`;
  const resources = allResources(input.template).filter((r) => r.condition?.value !== false);
  const physicalIds = new Map<string, string>();
  for (const r of resources) {
    const id = physicalIdOf(r, input);
    if (id) physicalIds.set(r.logicalId, id);
  }
  const physical = (logicalId: string, attribute?: string): string | undefined => {
    const id = physicalIds.get(logicalId);
    if (id === undefined) return undefined;
    if (attribute === undefined || attribute === 'GroupId' || attribute === 'Id') return id;
    const r = resources.find((x) => x.logicalId === logicalId);
    const ci = r ? findCi(input.items, r.type, id) : undefined;
    if (attribute === 'Arn') return ci?.arn;
    return undefined;
  };
  const drifts: StackResourceDrift[] = [];
  const managed = new Set<string>();
  for (const r of resources) {
    const id = physicalIds.get(r.logicalId);
    const base: StackResourceDrift = {
      StackId: stackId,
      LogicalResourceId: r.logicalId,
      PhysicalResourceId: id ?? '',
      ResourceType: r.type,
      Timestamp: now,
      StackResourceDriftStatus: 'NOT_CHECKED',
      location: loc(r),
    };
    const notChecked = (reason: string) => drifts.push({ ...base, DriftStatusReason: reason });
    if (!SUPPORTED_TYPES.includes(r.type)) {
      notChecked(`Vigil cannot read the actual properties of ${r.type}`);
      continue;
    }
    if (!id) {
      notChecked('physical id unknown: not in the stack, no aws:cloudformation:logical-id tag, no name property');
      continue;
    }
    const cfgType = configTypeOf(r.type);
    if (r.type !== 'AWS::IAM::Policy' && input.collectedTypes && !input.collectedTypes.has(cfgType)) {
      notChecked(`the inventory does not cover ${cfgType}`);
      continue;
    }
    if (UNKNOWN_PROPERTIES in r.properties) {
      notChecked('Properties depend on a condition unknown before deploy');
      continue;
    }
    const notes: string[] = [];
    const dropped: string[] = [];
    const resolved = resolveUnknowns(r.properties, '', physical, notes) as Obj;
    const expected = dropPaths(resolved, writeOnlyPaths(r.type), dropped);
    for (const d of dropped) notes.push(`${d}: not compared: write-only property (the read handler cannot return it)`);
    let actual: Obj | undefined;
    if (r.type === 'AWS::IAM::Policy') {
      actual = actualInlinePolicy(expected, input.items);
    } else {
      const ci = findCi(input.items, r.type, id);
      if (ci) {
        managed.add(`${ci.resourceType}|${ci.resourceId}`);
        const got = actualProperties(r.type, ci, input.items);
        actual = got?.props;
        for (const k of Object.keys(expected))
          if (got?.missing.has(k)) {
            delete expected[k];
            notes.push(`/${k}: not compared: the inventory does not carry the actual ${k}`);
          } else if (got && !got.reads.has(k)) {
            delete expected[k];
            notes.push(`/${k}: not compared: Vigil does not read ${k} of ${r.type}`);
          }
      }
    }
    if (!actual || (r.type === 'AWS::IAM::Policy' && actual.PolicyName === undefined)) {
      drifts.push({
        ...base,
        StackResourceDriftStatus: 'DELETED',
        DriftStatusReason: `${id} is not in the actual inventory`,
        ExpectedProperties: JSON.stringify(expected),
        ...(notes.length ? { notes } : {}),
      });
      continue;
    }
    const diffs: PropertyDifference[] = [];
    for (const k of Object.keys(expected)) diff(r.type, [k], expected[k], actual[k], diffs);
    drifts.push({
      ...base,
      StackResourceDriftStatus: diffs.length > 0 ? 'MODIFIED' : 'IN_SYNC',
      ExpectedProperties: JSON.stringify(expected),
      ActualProperties: JSON.stringify(project(expected, actual) ?? {}),
      PropertyDifferences: diffs,
      ...(notes.length ? { notes } : {}),
    });
  }

  // Unmanaged: supported types in the inventory that no stack resource (of this or another stack) names.
  const managedIds = new Set<string>([...physicalIds.values(), ...(input.otherManaged ?? [])]);
  const configTypes = new Set(SUPPORTED_TYPES.map(configTypeOf));
  const unmanaged: UnmanagedResource[] = [];
  let ignored = 0;
  for (const ci of input.items) {
    if (!configTypes.has(ci.resourceType) || isAwsDefault(ci)) continue;
    if (managed.has(`${ci.resourceType}|${ci.resourceId}`)) continue;
    if ([ci.resourceId, ci.resourceName, ci.arn].some((v) => v !== undefined && managedIds.has(v))) continue;
    if (ci.tags['aws:cloudformation:stack-name'] !== undefined) continue;
    const u: UnmanagedResource = {
      resourceType: ci.resourceType,
      resourceId: ci.resourceId,
      resourceName: ci.resourceName,
      arn: ci.arn,
      region: ci.awsRegion,
      tags: ci.tags,
    };
    if (input.ignore?.some((rule) => rule.match(u))) {
      ignored++;
      continue;
    }
    unmanaged.push(u);
  }

  if (input.events?.length) {
    for (const d of drifts) {
      const ids = new Set([d.PhysicalResourceId]);
      const ci = d.PhysicalResourceId ? findCi(input.items, d.ResourceType, d.PhysicalResourceId) : undefined;
      for (const v of [ci?.resourceId, ci?.resourceName, ci?.arn]) if (v) ids.add(v);
      if (d.StackResourceDriftStatus === 'MODIFIED')
        d.attribution = attribute(input.events, ids, d.PropertyDifferences ?? [], undefined, input.since);
      else if (d.StackResourceDriftStatus === 'DELETED')
        d.attribution = attribute(input.events, ids, [], 'delete', input.since);
    }
    for (const u of unmanaged) {
      const ids = new Set([u.resourceId, u.resourceName, u.arn].filter((v): v is string => v !== undefined));
      u.attribution = attribute(input.events, ids, [], 'create');
    }
  }

  const drifted = drifts.filter(
    (d) => d.StackResourceDriftStatus === 'MODIFIED' || d.StackResourceDriftStatus === 'DELETED',
  );
  const missing = drifts.filter((d) => d.StackResourceDriftStatus === 'DELETED').length;
  const managedCount = drifts.filter(
    (d) => d.StackResourceDriftStatus === 'IN_SYNC' || d.StackResourceDriftStatus === 'MODIFIED',
  ).length;
  const total = managedCount + unmanaged.length;
  return {
    StackId: stackId,
    StackName: input.stackName,
    StackDriftStatus: drifted.length > 0 ? 'DRIFTED' : 'IN_SYNC',
    DriftedStackResourceCount: drifted.length,
    Timestamp: now,
    StackResourceDrifts: drifts,
    unmanaged,
    summary: {
      total_resources: total,
      total_managed: managedCount,
      total_unmanaged: unmanaged.length,
      total_missing: missing,
      total_ignored: ignored,
      coverage: total === 0 ? 100 : Math.floor((managedCount / total) * 100),
    },
    issues: input.template.issues
      .filter((i) => i.severity === 'error')
      .map((i) => `${i.location.file}:${i.location.line}: ${i.message}`),
  };
}
