/**
 * Template-only checks: facts a deployed account no longer shows (a literal password in the template, a parameter
 * without NoEcho, the stack's DeletionPolicy) or that Config rules do not cover (inline IAM policies). Same metadata
 * and Decision shape as the posture rules; ids are stable and never reused.
 */
import { compliant, type Decision, defineRule, nonCompliant, type RuleMeta } from '../../posture/rule.js';
import { isUnknown, type ResolvedResource, type ResolvedTemplate } from '../model.js';
import { isPlaceholder, matchSecrets } from '../secrets/patterns.js';
import type { CfnPath } from './adapter/build.js';

export interface CheckResult {
  decision: Decision;
  /** Property path below Properties ([] = the resource). */
  path: CfnPath;
}

export interface TemplateRule {
  meta: RuleMeta;
  /** Undefined when the resource is out of scope. */
  check(r: ResolvedResource, t: ResolvedTemplate): CheckResult[] | undefined;
}

const meta = (m: Parameters<typeof defineRule>[0]) => defineRule(m, () => compliant('')).meta;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Property names whose value is a credential (not its ARN, id, length or policy). */
const SECRET_PROP =
  /(password|passwd|secretstring|secret|authtoken|token|apikey|privatekey|passphrase|secretaccesskey)$/i;
const NOT_SECRET = /(arn|id|ids|name|length|policy|type|required|enabled|parameters|validity|units|version)$/i;
const DYNAMIC_REF = /\{\{resolve:(secretsmanager|ssm-secure):/;

function walk(
  v: unknown,
  path: CfnPath,
  fn: (v: unknown, path: CfnPath, key: string | undefined) => boolean,
  key?: string,
): void {
  if (fn(v, path, key) === false) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) walk(v[i], [...path, i], fn, key);
  } else if (isObj(v) && !isUnknown(v))
    for (const [k, x] of Object.entries(v)) walk(x, [...path, k], fn, k.startsWith('Fn::') || k === 'Ref' ? key : k);
}

function secretValueProblem(raw: unknown, t: ResolvedTemplate): string | undefined {
  if (typeof raw === 'string') {
    if (DYNAMIC_REF.test(raw)) return undefined;
    if (raw === '' || isPlaceholder(raw)) return undefined;
    return 'a literal value in the template';
  }
  if (isObj(raw)) {
    if (typeof raw.Ref === 'string') {
      const d = t.parameterDeclarations?.[raw.Ref];
      if (!d) return undefined;
      if (!d.noEcho) return `parameter ${raw.Ref} without NoEcho (its value shows in the console and DescribeStacks)`;
      if (d.source === 'default')
        return `NoEcho parameter ${raw.Ref} takes its Default, which is written in the template`;
      return undefined;
    }
    if ('Fn::Sub' in raw || 'Fn::Join' in raw) {
      const text = JSON.stringify(raw);
      if (DYNAMIC_REF.test(text)) return undefined;
      // A Sub/Join of references only (e.g. a generated secret's attribute) is not a literal.
      return /"[^"{}$]{8,}"/.test(text.replace(/"Fn::\w+"|"Ref"/g, ''))
        ? 'a literal assembled with Fn::Sub/Fn::Join'
        : undefined;
    }
  }
  return undefined;
}

export const hardcodedSecret: TemplateRule = {
  meta: meta({
    name: 'cfn-hardcoded-secret',
    identifier: 'VIGIL_CFN_HARDCODED_SECRET',
    resourceTypes: ['*'],
    severity: 'HIGH',
    title: 'Templates do not contain credentials',
    description:
      'Flags AWS access key ids, secret-key-looking values and other known credential formats anywhere in resource properties, and password/secret/token properties given as literals or through parameters without NoEcho instead of a {{resolve:secretsmanager|ssm-secure:…}} dynamic reference.',
    risk: 'A credential in a template is in version control, in the stack template and (without NoEcho) in DescribeStacks output for anyone with read access.',
    remediation:
      'Store the secret in Secrets Manager or SSM SecureString and use a dynamic reference, or a NoEcho parameter without a Default.',
  }),
  check(r, t) {
    const out: CheckResult[] = [];
    const raw = r.rawProperties ?? r.properties;
    walk(raw, [], (v, path, key) => {
      if (typeof v === 'string') {
        for (const m of matchSecrets(v))
          if (!m.allowlisted)
            out.push({
              path,
              decision: nonCompliant(`${m.title} ${m.masked} in ${path.join('.') || 'Properties'}`, {
                path: `Properties.${path.join('.')}`,
                value: m.masked,
              }),
            });
      }
      if (
        key &&
        SECRET_PROP.test(key) &&
        !NOT_SECRET.test(key) &&
        (typeof v === 'string' || isObj(v)) &&
        path[path.length - 1] === key
      ) {
        const why = secretValueProblem(v, t);
        if (why)
          out.push({
            path,
            decision: nonCompliant(`${key} is ${why}`, {
              path: `Properties.${path.join('.')}`,
              value: typeof v === 'string' ? '(literal, masked)' : v,
            }),
          });
        return false;
      }
      return true;
    });
    return out.length > 0 ? out : [{ path: [], decision: compliant('no credential found in the properties') }];
  },
};

/** Data stores whose deletion or replacement loses data; RDS defaults to Snapshot (CloudFormation docs). */
const DATA_STORES = new Set([
  'AWS::S3::Bucket',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::EFS::FileSystem',
  'AWS::EC2::Volume',
  'AWS::KMS::Key',
  'AWS::Elasticsearch::Domain',
  'AWS::OpenSearchService::Domain',
  'AWS::Redshift::Cluster',
  'AWS::DocDB::DBCluster',
  'AWS::Neptune::DBCluster',
  'AWS::Kinesis::Stream',
  'AWS::Backup::BackupVault',
  'AWS::SecretsManager::Secret',
  'AWS::Logs::LogGroup',
]);
const KEEPS = new Set(['Retain', 'Snapshot', 'RetainExceptOnCreate']);

export const deletionPolicy: TemplateRule = {
  meta: meta({
    name: 'cfn-data-store-deletion-policy',
    identifier: 'VIGIL_CFN_DATA_STORE_DELETION_POLICY',
    resourceTypes: [...DATA_STORES],
    severity: 'MEDIUM',
    title: 'Data stores keep their data when the stack deletes or replaces them',
    description:
      'Checks that data stores declare DeletionPolicy and UpdateReplacePolicy Retain or Snapshot (RDS instances outside a cluster and RDS clusters default to Snapshot on deletion).',
    risk: 'Deleting the stack, or an update that replaces the resource, deletes the data with it.',
    remediation:
      'Add DeletionPolicy: Retain (or Snapshot) and UpdateReplacePolicy: Retain (or Snapshot) to the resource.',
  }),
  check(r) {
    if (!DATA_STORES.has(r.type)) return undefined;
    const rdsDefault =
      r.type === 'AWS::RDS::DBCluster' ||
      (r.type === 'AWS::RDS::DBInstance' && r.properties.DBClusterIdentifier === undefined);
    const del = r.deletionPolicy ?? (rdsDefault ? 'Snapshot' : 'Delete');
    const rep = r.updateReplacePolicy ?? 'Delete';
    const ev = [
      { path: 'DeletionPolicy', value: r.deletionPolicy ?? `(default ${del})` },
      { path: 'UpdateReplacePolicy', value: r.updateReplacePolicy ?? '(default Delete)' },
    ];
    const bad = [
      !KEEPS.has(del) ? `DeletionPolicy ${del}` : '',
      !KEEPS.has(rep) ? `UpdateReplacePolicy ${rep}` : '',
    ].filter(Boolean);
    return [
      {
        path: [],
        decision:
          bad.length > 0
            ? nonCompliant(`${r.type} ${r.logicalId}: ${bad.join(' and ')} lose the data`, ...ev)
            : compliant(`DeletionPolicy ${del}, UpdateReplacePolicy ${rep}`, ...ev),
      },
    ];
  },
};

const READ_ONLY = /^[a-z0-9-]+:(get|list|describe|head|batchget|query|scan|search|lookup|view|select|check|validate)/i;

/** Inline IAM policy documents of a resource: [path to document, document]. */
function inlineDocs(r: ResolvedResource): [CfnPath, unknown][] {
  const p = r.properties;
  switch (r.type) {
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      return Array.isArray(p.Policies)
        ? p.Policies.map((x, i) => [['Policies', i, 'PolicyDocument'], isObj(x) ? x.PolicyDocument : undefined])
        : [];
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::RolePolicy':
    case 'AWS::IAM::UserPolicy':
    case 'AWS::IAM::GroupPolicy':
      return [[['PolicyDocument'], p.PolicyDocument]];
    default:
      return [];
  }
}

const strs = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

export const iamWildcard: TemplateRule = {
  meta: meta({
    name: 'cfn-iam-inline-policy-wildcard',
    identifier: 'VIGIL_CFN_IAM_INLINE_POLICY_WILDCARD',
    resourceTypes: [
      'AWS::IAM::Role',
      'AWS::IAM::User',
      'AWS::IAM::Group',
      'AWS::IAM::Policy',
      'AWS::IAM::RolePolicy',
      'AWS::IAM::UserPolicy',
      'AWS::IAM::GroupPolicy',
    ],
    severity: 'HIGH',
    title: 'Inline IAM policies do not allow wildcard actions or write actions on every resource',
    description:
      'Flags Allow statements of inline IAM policies with Action "*" or "service:*", NotAction, or write actions on Resource "*" (the managed-policy rules of AWS Config do not see inline policies).',
    risk: 'Wildcards grant far more than the workload needs; a compromised role can change or delete anything it reaches.',
    remediation: 'List the actions and resource ARNs the workload needs.',
  }),
  check(r) {
    const docs = inlineDocs(r);
    if (docs.length === 0)
      return this.meta.resourceTypes.includes(r.type)
        ? [{ path: [], decision: compliant('no inline policies') }]
        : undefined;
    const out: CheckResult[] = [];
    for (const [path, doc] of docs) {
      if (!isObj(doc)) continue;
      strs(doc.Statement).forEach((s, i) => {
        if (!isObj(s) || s.Effect !== 'Allow') return;
        const at = [...path, 'Statement', i];
        const actions = strs(s.Action).filter((a): a is string => typeof a === 'string');
        const resources = strs(s.Resource);
        const ev = {
          path: `Properties.${at.join('.')}`,
          value: { Action: s.Action ?? null, NotAction: s.NotAction ?? null, Resource: s.Resource ?? null },
        };
        const full = actions.find((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a));
        if (full) out.push({ path: at, decision: nonCompliant(`statement ${i} allows ${full}`, ev) });
        else if (s.NotAction !== undefined)
          out.push({ path: at, decision: nonCompliant(`statement ${i} allows everything except NotAction`, ev) });
        else if (resources.includes('*')) {
          const write = actions.find((a) => !READ_ONLY.test(a));
          if (write)
            out.push({
              path: at,
              decision: nonCompliant(`statement ${i} allows write action ${write} on Resource "*"`, ev),
            });
        }
      });
    }
    return out.length > 0
      ? out
      : [
          {
            path: [],
            decision: compliant(`${docs.length} inline polic${docs.length === 1 ? 'y' : 'ies'} without wildcards`),
          },
        ];
  },
};

export const TEMPLATE_RULES: readonly TemplateRule[] = [hardcodedSecret, deletionPolicy, iamWildcard];
