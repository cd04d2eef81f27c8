/**
 * Attribution: which CloudTrail events changed a drifted resource. Each API call is mapped to the resource it
 * names (a request parameter, or the response for creations) and to the CloudFormation properties it changes;
 * an event is linked when the resource id matches and the property is among the drifted ones (or the whole
 * resource was deleted / is unmanaged). Failed calls (errorCode) changed nothing and are ignored.
 */
import type { Attribution, PropertyDifference } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (o: unknown, ...path: string[]): unknown => {
  let v = o;
  for (const p of path) v = isObj(v) ? v[p] : undefined;
  return v;
};
const items = (v: unknown): unknown[] => (Array.isArray(get(v, 'items')) ? (get(v, 'items') as unknown[]) : []);

/** What one API call touches: resource ids (with the parameter that named them) and CloudFormation properties. */
export interface ApiEffect {
  ids: { id: string; param: string }[];
  /** Top-level CloudFormation properties changed; `*` = the resource itself (create/delete). */
  properties: string[];
  kind: 'change' | 'delete' | 'create';
}

const EC2_ATTR: Record<string, string> = {
  instanceType: 'InstanceType',
  groupSet: 'SecurityGroupIds',
  ebsOptimized: 'EbsOptimized',
  userData: 'UserData',
  disableApiTermination: 'DisableApiTermination',
  sourceDestCheck: 'SourceDestCheck',
  mapPublicIpOnLaunch: 'MapPublicIpOnLaunch',
  enableDnsHostnames: 'EnableDnsHostnames',
  enableDnsSupport: 'EnableDnsSupport',
};

type Rule = (req: Obj, resp: Obj) => ApiEffect | undefined;
const one = (param: string, properties: string[], kind: ApiEffect['kind'] = 'change'): Rule => {
  return (req) => {
    const v = get(req, ...param.split('.'));
    return typeof v === 'string'
      ? { ids: [{ id: v, param: `requestParameters.${param}` }], properties, kind }
      : undefined;
  };
};

const RULES: Record<string, Rule> = {
  AuthorizeSecurityGroupIngress: one('groupId', ['SecurityGroupIngress']),
  RevokeSecurityGroupIngress: one('groupId', ['SecurityGroupIngress']),
  AuthorizeSecurityGroupEgress: one('groupId', ['SecurityGroupEgress']),
  RevokeSecurityGroupEgress: one('groupId', ['SecurityGroupEgress']),
  ModifySecurityGroupRules: one('groupId', ['SecurityGroupIngress', 'SecurityGroupEgress']),
  UpdateSecurityGroupRuleDescriptionsIngress: one('groupId', ['SecurityGroupIngress']),
  UpdateSecurityGroupRuleDescriptionsEgress: one('groupId', ['SecurityGroupEgress']),
  DeleteSecurityGroup: one('groupId', ['*'], 'delete'),
  CreateSecurityGroup: (_req, resp) =>
    typeof resp.groupId === 'string'
      ? { ids: [{ id: resp.groupId, param: 'responseElements.groupId' }], properties: ['*'], kind: 'create' }
      : undefined,
  CreateTags: (req) => tagTargets(req),
  DeleteTags: (req) => tagTargets(req),
  ModifyInstanceAttribute: (req) => {
    const id = req.instanceId;
    if (typeof id !== 'string') return undefined;
    const props = Object.keys(req)
      .map((k) => EC2_ATTR[k] ?? (req.attribute === k ? EC2_ATTR[k] : undefined))
      .filter((p): p is string => p !== undefined);
    if (props.includes('SecurityGroupIds')) props.push('SecurityGroups');
    return {
      ids: [{ id, param: 'requestParameters.instanceId' }],
      properties: props.length ? props : ['*'],
      kind: 'change',
    };
  },
  TerminateInstances: (req) => ({
    ids: items(req.instancesSet).map((i) => ({
      id: String(get(i, 'instanceId')),
      param: 'requestParameters.instancesSet',
    })),
    properties: ['*'],
    kind: 'delete',
  }),
  RunInstances: (_req, resp) => ({
    ids: items(resp.instancesSet).map((i) => ({
      id: String(get(i, 'instanceId')),
      param: 'responseElements.instancesSet',
    })),
    properties: ['*'],
    kind: 'create',
  }),
  ModifyVpcAttribute: one('vpcId', ['EnableDnsHostnames', 'EnableDnsSupport']),
  DeleteVpc: one('vpcId', ['*'], 'delete'),
  ModifySubnetAttribute: one('subnetId', ['MapPublicIpOnLaunch']),
  DeleteSubnet: one('subnetId', ['*'], 'delete'),
  PutBucketEncryption: one('bucketName', ['BucketEncryption']),
  DeleteBucketEncryption: one('bucketName', ['BucketEncryption']),
  PutBucketVersioning: one('bucketName', ['VersioningConfiguration']),
  PutBucketPublicAccessBlock: one('bucketName', ['PublicAccessBlockConfiguration']),
  DeleteBucketPublicAccessBlock: one('bucketName', ['PublicAccessBlockConfiguration']),
  PutBucketTagging: one('bucketName', ['Tags']),
  DeleteBucketTagging: one('bucketName', ['Tags']),
  PutBucketLogging: one('bucketName', ['LoggingConfiguration']),
  PutBucketPolicy: one('bucketName', ['BucketPolicy']),
  DeleteBucket: one('bucketName', ['*'], 'delete'),
  CreateBucket: one('bucketName', ['*'], 'create'),
  PutRolePolicy: one('roleName', ['Policies']),
  DeleteRolePolicy: one('roleName', ['Policies']),
  AttachRolePolicy: one('roleName', ['ManagedPolicyArns']),
  DetachRolePolicy: one('roleName', ['ManagedPolicyArns']),
  UpdateAssumeRolePolicy: one('roleName', ['AssumeRolePolicyDocument']),
  UpdateRole: one('roleName', ['Description', 'MaxSessionDuration']),
  UpdateRoleDescription: one('roleName', ['Description']),
  PutRolePermissionsBoundary: one('roleName', ['PermissionsBoundary']),
  DeleteRolePermissionsBoundary: one('roleName', ['PermissionsBoundary']),
  TagRole: one('roleName', ['Tags']),
  UntagRole: one('roleName', ['Tags']),
  DeleteRole: one('roleName', ['*'], 'delete'),
  CreateRole: one('roleName', ['*'], 'create'),
  PutUserPolicy: one('userName', ['Policies']),
  DeleteUserPolicy: one('userName', ['Policies']),
  AttachUserPolicy: one('userName', ['ManagedPolicyArns']),
  DetachUserPolicy: one('userName', ['ManagedPolicyArns']),
  AddUserToGroup: one('userName', ['Groups']),
  RemoveUserFromGroup: one('userName', ['Groups']),
  TagUser: one('userName', ['Tags']),
  UntagUser: one('userName', ['Tags']),
  DeleteUser: one('userName', ['*'], 'delete'),
  CreateUser: one('userName', ['*'], 'create'),
  CreatePolicyVersion: one('policyArn', ['PolicyDocument']),
  SetDefaultPolicyVersion: one('policyArn', ['PolicyDocument']),
  DeletePolicy: one('policyArn', ['*'], 'delete'),
  EnableKeyRotation: one('keyId', ['EnableKeyRotation']),
  DisableKeyRotation: one('keyId', ['EnableKeyRotation']),
  PutKeyPolicy: one('keyId', ['KeyPolicy']),
  EnableKey: one('keyId', ['Enabled']),
  DisableKey: one('keyId', ['Enabled']),
  UpdateKeyDescription: one('keyId', ['Description']),
  ScheduleKeyDeletion: one('keyId', ['*'], 'delete'),
  UpdateTable: one('tableName', ['BillingMode', 'ProvisionedThroughput', 'SSESpecification', 'StreamSpecification']),
  UpdateContinuousBackups: one('tableName', ['PointInTimeRecoverySpecification']),
  DeleteTable: one('tableName', ['*'], 'delete'),
  UpdateFunctionConfiguration: one('functionName', [
    'Runtime',
    'Handler',
    'Role',
    'MemorySize',
    'Timeout',
    'Environment',
    'VpcConfig',
    'Description',
    'TracingConfig',
  ]),
  DeleteFunction: one('functionName', ['*'], 'delete'),
  ModifyDBInstance: one('dBInstanceIdentifier', [
    'DBInstanceClass',
    'AllocatedStorage',
    'PubliclyAccessible',
    'MultiAZ',
    'BackupRetentionPeriod',
    'DeletionProtection',
    'EngineVersion',
    'VPCSecurityGroups',
  ]),
  DeleteDBInstance: one('dBInstanceIdentifier', ['*'], 'delete'),
};

function tagTargets(req: Obj): ApiEffect | undefined {
  const ids = items(req.resourcesSet).map((i) => ({
    id: String(get(i, 'resourceId')),
    param: 'requestParameters.resourcesSet',
  }));
  return ids.length ? { ids, properties: ['Tags'], kind: 'change' } : undefined;
}

/** Lambda's CloudTrail names carry an API version suffix (UpdateFunctionConfiguration20150331v2). */
const baseName = (eventName: string) => eventName.replace(/\d{8}(v\d+)?$/, '');

/** The effect of one CloudTrail record, or undefined when it changes nothing Vigil maps (or it failed). */
export function effectOf(fields: Obj): ApiEffect | undefined {
  if (fields.errorCode !== undefined && fields.errorCode !== null) return undefined;
  const name = typeof fields.eventName === 'string' ? baseName(fields.eventName) : '';
  const rule = RULES[name];
  if (!rule) return undefined;
  const req = isObj(fields.requestParameters) ? fields.requestParameters : {};
  const resp = isObj(fields.responseElements) ? fields.responseElements : {};
  const e = rule(req, resp);
  return e && e.ids.length > 0 ? e : undefined;
}

/** A CloudTrail event reduced to what attribution needs. */
export interface TrailEvent {
  fields: Obj;
  time: number;
  effect: ApiEffect;
  origin?: string;
}

export function toAttribution(ev: TrailEvent, paths: string[], reason: string): Attribution {
  const f = ev.fields;
  const ui = isObj(f.userIdentity) ? f.userIdentity : {};
  const s = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const a: Attribution = {
    eventName: String(f.eventName),
    eventTime: String(f.eventTime ?? new Date(ev.time).toISOString()),
    eventSource: s(f.eventSource),
    principalArn: s(ui.arn) ?? s(get(ui, 'sessionContext', 'sessionIssuer', 'arn')),
    accessKeyId: s(ui.accessKeyId),
    sourceIPAddress: s(f.sourceIPAddress),
    userAgent: s(f.userAgent),
    eventID: s(f.eventID),
    paths,
    reason,
    origin: ev.origin,
  };
  for (const k of Object.keys(a) as (keyof Attribution)[]) if (a[k] === undefined) delete a[k];
  return a;
}

/** CloudTrail's ipPermissions items as CloudFormation rules (one per source), for matching against a difference. */
function trailRules(req: Obj): Obj[] {
  const out: Obj[] = [];
  for (const p of items(req.ipPermissions)) {
    const base = { IpProtocol: get(p, 'ipProtocol'), FromPort: get(p, 'fromPort'), ToPort: get(p, 'toPort') };
    for (const r of items(get(p, 'ipRanges'))) out.push({ ...base, CidrIp: get(r, 'cidrIp') });
    for (const r of items(get(p, 'ipv6Ranges'))) out.push({ ...base, CidrIpv6: get(r, 'cidrIpv6') });
    for (const g of items(get(p, 'groups'))) out.push({ ...base, SourceSecurityGroupId: get(g, 'groupId') });
  }
  return out;
}

const sameRule = (a: Obj, b: Obj) =>
  ['IpProtocol', 'FromPort', 'ToPort', 'CidrIp', 'CidrIpv6', 'SourceSecurityGroupId'].every(
    (k) => a[k] === undefined || b[k] === undefined || String(a[k]) === String(b[k]),
  ) && String(a.IpProtocol) === String(b.IpProtocol);

/** For security-group rule calls: the added/removed rule the request parameters name, if any. */
function ruleMatch(ev: TrailEvent, diff: PropertyDifference): string | undefined {
  const name = String(ev.fields.eventName);
  if (!/SecurityGroup(Ingress|Egress)$/.test(name)) return undefined;
  const value = name.startsWith('Authorize') ? diff.ActualValue : diff.ExpectedValue;
  let rule: unknown;
  try {
    rule = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!isObj(rule)) return undefined;
  const req = isObj(ev.fields.requestParameters) ? ev.fields.requestParameters : {};
  const hit = trailRules(req).find((r) => sameRule(r, rule as Obj));
  if (!hit) return undefined;
  const src = hit.CidrIp ?? hit.CidrIpv6 ?? hit.SourceSecurityGroupId;
  return `requestParameters.ipPermissions (${hit.IpProtocol} ${hit.FromPort}-${hit.ToPort} ${src}) is the ${diff.DifferenceType === 'ADD' ? 'added' : 'removed'} rule ${diff.PropertyPath}`;
}

/**
 * Events explaining a resource's drift: `ids` are the names the resource goes by (physical id, name, ARN);
 * `paths` the drifted property paths (empty = the whole resource: deleted or unmanaged).
 */
export function attribute(
  events: readonly TrailEvent[],
  ids: ReadonlySet<string>,
  diffs: readonly PropertyDifference[],
  whole: 'delete' | 'create' | undefined,
  since?: number,
): Attribution[] {
  const out: Attribution[] = [];
  for (const ev of events) {
    if (since !== undefined && ev.time < since) continue;
    const hit = ev.effect.ids.find((i) => ids.has(i.id));
    if (!hit) continue;
    if (whole) {
      if (ev.effect.kind !== whole && !(whole === 'delete' && ev.effect.kind === 'change')) continue;
      out.push(
        toAttribution(
          ev,
          ['resource'],
          `${hit.param} = ${hit.id} names this resource; ${ev.fields.eventName} ${whole === 'delete' ? 'removes or changes' : 'creates'} it`,
        ),
      );
      continue;
    }
    const touched = diffs.filter((d) => {
      const top = d.PropertyPath.split('/')[1] ?? '';
      return ev.effect.properties.includes(top) || ev.effect.properties.includes('*');
    });
    if (touched.length === 0) continue;
    const props = [...new Set(touched.map((d) => d.PropertyPath.split('/')[1]))].join(', ');
    const rules = touched.map((d) => ruleMatch(ev, d)).filter((m): m is string => m !== undefined);
    // A rule call whose parameters name a rule that is not among the differences did not cause them.
    const matched = rules.length > 0 ? touched.filter((d) => ruleMatch(ev, d) !== undefined) : touched;
    out.push(
      toAttribution(
        ev,
        [...new Set(matched.map((d) => d.PropertyPath))],
        `${hit.param} = ${hit.id} names this resource; ${ev.fields.eventName} changes ${props}${rules.length ? `; ${rules.join('; ')}` : ''}`,
      ),
    );
  }
  return out.sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}
