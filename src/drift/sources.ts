/**
 * Inputs of a drift run: the expected state (a template file through the engine, or a deployed stack through
 * GetTemplate + DescribeStackResources), the actual state (a Config / Vigil snapshot, or live collection), and
 * CloudTrail events for attribution. User errors become VigilError (exit 2) naming the input.
 */
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { loadTemplate, type ResolvedTemplate, resolveTemplateText, type TemplateOptions } from '../cfn/index.js';
import { VigilError } from '../core/errors.js';
import { ingestAll } from '../ingest/run.js';
import { collect } from '../posture/collect/index.js';
import { loadInventory } from '../posture/inputs.js';
import { type ConfigItem, emptyCi } from '../posture/model.js';
import { effectOf, type TrailEvent } from './attribution.js';

export interface AwsOptions {
  region?: string;
  endpoint?: string;
  profile?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const clientConfig = (o: AwsOptions) => ({
  region: o.region ?? 'us-east-1',
  ...(o.endpoint ? { endpoint: o.endpoint } : {}),
  ...(o.profile ? { profile: o.profile } : {}),
  ...(o.credentials ? { credentials: o.credentials } : {}),
});

export interface DeployedStack {
  template: ResolvedTemplate;
  stackId: string;
  physicalIds: Map<string, string>;
  /** Last update (or creation) time, epoch ms. */
  lastUpdated?: number;
}

/** A deployed stack: its template (resolved with the stack's own parameter values) and physical ids. */
export async function loadStack(name: string, o: AwsOptions): Promise<DeployedStack> {
  const cfn = new CloudFormationClient(clientConfig(o));
  try {
    const [stacks, tpl, res] = await Promise.all([
      cfn.send(new DescribeStacksCommand({ StackName: name })),
      cfn.send(new GetTemplateCommand({ StackName: name, TemplateStage: 'Original' })),
      cfn.send(new DescribeStackResourcesCommand({ StackName: name })),
    ]);
    const stack = stacks.Stacks?.[0];
    const parameters: Record<string, string> = {};
    for (const p of stack?.Parameters ?? [])
      if (p.ParameterKey) parameters[p.ParameterKey] = p.ResolvedValue ?? p.ParameterValue ?? '';
    const body = typeof tpl.TemplateBody === 'string' ? tpl.TemplateBody : JSON.stringify(tpl.TemplateBody ?? {});
    const region = o.region ?? 'us-east-1';
    const accountId = /^arn:[\w-]+:cloudformation:[^:]*:(\d{12}):/.exec(stack?.StackId ?? '')?.[1];
    const template = resolveTemplateText(body, `stack:${name}`, {
      parameters,
      stackName: name,
      region,
      ...(accountId ? { accountId } : {}),
    });
    const physicalIds = new Map<string, string>();
    for (const r of res.StackResources ?? [])
      if (r.LogicalResourceId && r.PhysicalResourceId) physicalIds.set(r.LogicalResourceId, r.PhysicalResourceId);
    const t = stack?.LastUpdatedTime ?? stack?.CreationTime;
    return {
      template,
      stackId: stack?.StackId ?? name,
      physicalIds,
      lastUpdated: t ? new Date(t).getTime() : undefined,
    };
  } catch (e) {
    throw new VigilError(`--stack-name ${name}: ${(e as Error).name}: ${(e as Error).message}`);
  }
}

export async function loadTemplateFile(file: string, opts: TemplateOptions): Promise<ResolvedTemplate> {
  const t = await loadTemplate(file, opts);
  const fatal = t.issues.find((i) => i.severity === 'error' && (i.code === 'unreadable' || i.code.endsWith('-syntax')));
  if (fatal) throw new VigilError(`--template ${file}:${fatal.location.line}: ${fatal.message}`);
  return t;
}

/** Config snapshot / `vigil collect` output files. */
export function loadSnapshot(files: string[], issues: string[]): { items: ConfigItem[]; collectedTypes?: Set<string> } {
  const inv = loadInventory(files, (i) => issues.push(`${i.file}${i.line ? `:${i.line}` : ''}: ${i.reason}`));
  return { items: inv.items, collectedTypes: inv.collectedTypes };
}

const SERVICE_OF: Record<string, string> = {
  EC2: 'ec2',
  S3: 's3',
  IAM: 'iam',
  KMS: 'kms',
  DynamoDB: 'dynamodb',
  RDS: 'rds',
  Lambda: 'lambda',
};

/** Live collection of the services the template's types belong to (plus IAM roles, which the collector skips). */
export async function collectLive(
  types: readonly string[],
  o: AwsOptions,
  issues: string[],
): Promise<{ items: ConfigItem[]; collectedTypes: Set<string> }> {
  const services = [...new Set(types.map((t) => SERVICE_OF[t.split('::')[1] ?? '']).filter((s) => s !== undefined))];
  const region = o.region ?? 'us-east-1';
  const col = await collect({
    regions: [region],
    endpoint: o.endpoint,
    profile: o.profile,
    credentials: o.credentials,
    services: services.length ? services : ['ec2'],
    timeoutMs: 20_000,
  });
  for (const e of col.snapshot.errors) issues.push(`collect ${e.service} ${e.region} ${e.operation}: ${e.reason}`);
  const items = [...col.snapshot.configurationItems];
  const collectedTypes = new Set(col.snapshot.collectedTypes);
  if (services.includes('iam')) {
    const roles = await collectRoles(o, issues);
    if (roles) {
      items.push(...roles);
      collectedTypes.add('AWS::IAM::Role');
    }
  }
  return { items, collectedTypes };
}

/** IAM roles in Config's shape (rolePolicyList with documents, attachedManagedPolicies, tags). */
async function collectRoles(o: AwsOptions, issues: string[]): Promise<ConfigItem[] | undefined> {
  const iam = new IAMClient(clientConfig(o));
  try {
    const out: ConfigItem[] = [];
    let Marker: string | undefined;
    do {
      const page = await iam.send(new ListRolesCommand({ Marker }));
      for (const r of page.Roles ?? []) {
        const RoleName = r.RoleName!;
        const [full, inline, attached] = await Promise.all([
          iam.send(new GetRoleCommand({ RoleName })),
          iam.send(new ListRolePoliciesCommand({ RoleName })),
          iam.send(new ListAttachedRolePoliciesCommand({ RoleName })),
        ]);
        const docs = await Promise.all(
          (inline.PolicyNames ?? []).map((PolicyName) => iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))),
        );
        const role = full.Role ?? r;
        const tags: Record<string, string> = {};
        for (const t of role.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
        out.push(
          emptyCi({
            resourceType: 'AWS::IAM::Role',
            resourceId: role.RoleId ?? RoleName,
            resourceName: RoleName,
            arn: role.Arn,
            awsRegion: 'global',
            configuration: {
              roleName: RoleName,
              path: role.Path,
              description: role.Description,
              maxSessionDuration: role.MaxSessionDuration,
              assumeRolePolicyDocument: role.AssumeRolePolicyDocument,
              permissionsBoundary: role.PermissionsBoundary
                ? { permissionsBoundaryArn: role.PermissionsBoundary.PermissionsBoundaryArn }
                : undefined,
              rolePolicyList: docs.map((d) => ({ policyName: d.PolicyName, policyDocument: d.PolicyDocument })),
              attachedManagedPolicies: (attached.AttachedPolicies ?? []).map((p) => ({
                policyName: p.PolicyName,
                policyArn: p.PolicyArn,
              })),
            },
            tags,
          }),
        );
      }
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    return out;
  } catch (e) {
    issues.push(`collect iam roles: ${(e as Error).name}: ${(e as Error).message}`);
    return undefined;
  }
}

/** CloudTrail records that change something Vigil maps, oldest first. */
export async function loadTrailEvents(inputs: string[], issues: string[]): Promise<TrailEvent[]> {
  const events: TrailEvent[] = [];
  await ingestAll(
    inputs,
    { type: 'cloudtrail' },
    {
      record: (r) => {
        const effect = effectOf(r.fields);
        if (effect)
          events.push({ fields: r.fields, time: r.time, effect, origin: `${r.origin.file}:${r.origin.line}` });
      },
      error: (i) => issues.push(`${i.file}${i.line ? `:${i.line}` : ''}: ${i.reason}`),
    },
  );
  return events.sort((a, b) => a.time - b.time);
}
