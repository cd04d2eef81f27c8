/**
 * Symbolic identities for template resources: what `Ref` / `Fn::GetAtt …Arn` would return, as stable strings built
 * from logical ids, so that relationships inside a template (a flow log's ResourceId, a bucket policy's Bucket, a
 * web ACL association's ResourceArn) match the CI they point to. Only references to resources of the same template
 * (and pseudo parameters / known parameters) are made symbolic; anything else stays an Unknown.
 */
import { isUnknown, type ResolvedResource, type ResolvedTemplate, type Unknown } from '../../model.js';

export interface Env {
  region: string;
  account: string;
  partition: string;
  byId: Map<string, ResolvedResource>;
  parameters: Record<string, unknown>;
}

export function makeEnv(t: ResolvedTemplate, opts: { region?: string; accountId?: string; partition?: string }): Env {
  const region = opts.region ?? 'us-east-1';
  return {
    region,
    account: opts.accountId ?? '123456789012',
    partition:
      opts.partition ?? (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws'),
    byId: new Map(t.resources.map((r) => [r.logicalId, r])),
    parameters: t.parameters,
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The name a resource declares for itself (BucketName, TableName …) when it is a known string. */
function declaredName(r: ResolvedResource): string | undefined {
  const p = r.properties;
  switch (r.type) {
    case 'AWS::S3::Bucket':
      return str(p.BucketName);
    case 'AWS::DynamoDB::Table':
      return str(p.TableName);
    case 'AWS::RDS::DBInstance':
      return str(p.DBInstanceIdentifier)?.toLowerCase();
    case 'AWS::RDS::DBCluster':
      return str(p.DBClusterIdentifier)?.toLowerCase();
    case 'AWS::IAM::User':
      return str(p.UserName);
    case 'AWS::IAM::Role':
      return str(p.RoleName);
    case 'AWS::IAM::Group':
      return str(p.GroupName);
    case 'AWS::IAM::ManagedPolicy':
      return str(p.ManagedPolicyName);
    case 'AWS::CloudTrail::Trail':
      return str(p.TrailName);
    case 'AWS::Lambda::Function':
      return str(p.FunctionName);
    case 'AWS::SNS::Topic':
      return str(p.TopicName);
    case 'AWS::WAFv2::WebACL':
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
    case 'AWS::ElasticLoadBalancing::LoadBalancer':
      return str(p.Name) ?? str(p.LoadBalancerName);
    default:
      return undefined;
  }
}

/** The resource's CI resourceId: its declared name, else its logical id. */
export function physicalId(r: ResolvedResource, env: Env): string {
  if (r.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') return arnOf(r, env);
  return declaredName(r) ?? r.logicalId;
}

export function arnOf(r: ResolvedResource, env: Env): string {
  const { partition: p, region: rg, account: a } = env;
  const name = declaredName(r) ?? r.logicalId;
  switch (r.type) {
    case 'AWS::S3::Bucket':
      return `arn:${p}:s3:::${name}`;
    case 'AWS::DynamoDB::Table':
      return `arn:${p}:dynamodb:${rg}:${a}:table/${name}`;
    case 'AWS::RDS::DBInstance':
      return `arn:${p}:rds:${rg}:${a}:db:${name}`;
    case 'AWS::RDS::DBCluster':
      return `arn:${p}:rds:${rg}:${a}:cluster:${name}`;
    case 'AWS::EC2::Instance':
      return `arn:${p}:ec2:${rg}:${a}:instance/${name}`;
    case 'AWS::EC2::Volume':
      return `arn:${p}:ec2:${rg}:${a}:volume/${name}`;
    case 'AWS::EFS::FileSystem':
      return `arn:${p}:elasticfilesystem:${rg}:${a}:file-system/${name}`;
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
      const kind = str(r.properties.Type) === 'network' ? 'net' : str(r.properties.Type) === 'gateway' ? 'gwy' : 'app';
      return `arn:${p}:elasticloadbalancing:${rg}:${a}:loadbalancer/${kind}/${name}/${r.logicalId}`;
    }
    case 'AWS::WAFv2::WebACL':
      return `arn:${p}:wafv2:${rg}:${a}:${str(r.properties.Scope) === 'CLOUDFRONT' ? 'global' : 'regional'}/webacl/${name}/${r.logicalId}`;
    case 'AWS::IAM::User':
      return `arn:${p}:iam::${a}:user/${name}`;
    case 'AWS::IAM::Role':
      return `arn:${p}:iam::${a}:role/${name}`;
    case 'AWS::IAM::ManagedPolicy':
      return `arn:${p}:iam::${a}:policy/${name}`;
    case 'AWS::KMS::Key':
      return `arn:${p}:kms:${rg}:${a}:key/${name}`;
    case 'AWS::CloudTrail::Trail':
      return `arn:${p}:cloudtrail:${rg}:${a}:trail/${name}`;
    case 'AWS::SNS::Topic':
      return `arn:${p}:sns:${rg}:${a}:${name}`;
    case 'AWS::Lambda::Function':
      return `arn:${p}:lambda:${rg}:${a}:function:${name}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${p}:logs:${rg}:${a}:log-group:${name}:*`;
    default:
      return `arn:${p}:${r.type.split('::')[1]?.toLowerCase() ?? 'cfn'}:${rg}:${a}:${r.logicalId}`;
  }
}

/** `Ref` / `GetAtt` value of a template resource, or undefined when the attribute has no symbolic form. */
export function refValue(logicalId: string, attribute: string | undefined, env: Env): string | undefined {
  const r = env.byId.get(logicalId);
  if (!r) return undefined;
  if (attribute === undefined) return physicalId(r, env);
  if (/Arn$/.test(attribute) || attribute === 'Arn') return arnOf(r, env);
  if (/(Id|Name)$/.test(attribute)) return physicalId(r, env);
  return undefined;
}

function pseudo(name: string, env: Env): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return env.region;
    case 'AWS::AccountId':
      return env.account;
    case 'AWS::Partition':
      return env.partition;
    case 'AWS::URLSuffix':
      return env.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    default:
      return undefined;
  }
}

/** Symbolic string for an Unknown built only from same-template references; undefined otherwise. */
export function symbolize(u: Unknown, env: Env, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  return exprValue(u.expr, env, depth + 1);
}

function exprValue(e: unknown, env: Env, depth: number): string | undefined {
  if (typeof e === 'string') return e;
  if (typeof e === 'number' || typeof e === 'boolean') return String(e);
  if (isUnknown(e)) return symbolize(e, env, depth);
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return undefined;
  const o = e as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 1) return undefined;
  const k = keys[0]!;
  const v = o[k];
  if (k === 'Ref' && typeof v === 'string') return nameValue(v, undefined, env);
  if (k === 'Fn::GetAtt') {
    const [id, att] = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/\.(.*)/s) : [];
    return typeof id === 'string' && typeof att === 'string' ? refValue(id, att, env) : undefined;
  }
  if (k === 'Fn::Join' && Array.isArray(v) && typeof v[0] === 'string' && Array.isArray(v[1])) {
    const parts = v[1].map((x) => exprValue(x, env, depth));
    return parts.every((x) => x !== undefined) ? parts.join(v[0]) : undefined;
  }
  if (k === 'Fn::Sub') {
    const [tmpl, vars] = Array.isArray(v) ? v : [v, {}];
    if (typeof tmpl !== 'string') return undefined;
    let ok = true;
    const out = tmpl.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
      const own = vars && typeof vars === 'object' ? (vars as Record<string, unknown>)[name] : undefined;
      const val =
        own !== undefined
          ? exprValue(own, env, depth)
          : name.includes('.') && !name.startsWith('AWS::')
            ? refValue(name.split('.')[0]!, name.split('.').slice(1).join('.'), env)
            : nameValue(name, undefined, env);
      if (val === undefined) ok = false;
      return val ?? '';
    });
    return ok ? out.replace(/\$\{!/g, '${') : undefined;
  }
  return undefined;
}

function nameValue(name: string, att: string | undefined, env: Env): string | undefined {
  if (name.startsWith('AWS::')) return pseudo(name, env);
  if (env.byId.has(name)) return refValue(name, att, env);
  const p = env.parameters[name];
  if (typeof p === 'string' || typeof p === 'number') return String(p);
  if (Array.isArray(p) && p.every((x) => typeof x === 'string')) return p.join(',');
  return undefined;
}

/** Deep copy with same-template references made symbolic. */
export function resolveRefs(v: unknown, env: Env, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > 40) return v;
  if (isUnknown(v)) return symbolize(v, env) ?? v;
  if (Array.isArray(v)) return v.map((x) => resolveRefs(x, env, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = resolveRefs(x, env, depth + 1);
  return out;
}
