/**
 * Projections of posture evaluations: OCSF 1.x Compliance Finding (class 2003, Vigil's canonical external JSON for
 * posture) and ASFF with deterministic ids (re-imports update instead of duplicating). Pure functions.
 */
import { createHash } from 'node:crypto';
import type { Evaluation } from '../engine.js';
import type { Severity } from '../rule.js';
import { findRule } from '../rules/index.js';

export const OCSF_VERSION = '1.3.0';

const OCSF_SEVERITY: Record<Severity, [number, string]> = {
  INFORMATIONAL: [1, 'Informational'],
  LOW: [2, 'Low'],
  MEDIUM: [3, 'Medium'],
  HIGH: [4, 'High'],
  CRITICAL: [5, 'Critical'],
};

/** OCSF compliance.status_id: 1 Pass, 3 Fail, 0 Unknown (insufficient data), 99 Other (not applicable). */
const OCSF_STATUS: Record<Evaluation['complianceType'], [number, string]> = {
  COMPLIANT: [1, 'Pass'],
  NON_COMPLIANT: [3, 'Fail'],
  INSUFFICIENT_DATA: [0, 'Unknown'],
  NOT_APPLICABLE: [99, 'Other'],
};

function resourceHash(e: Evaluation): string {
  return createHash('sha256')
    .update(`${e.awsAccountId}|${e.awsRegion}|${e.resourceType}|${e.resourceId}`)
    .digest('hex')
    .slice(0, 16);
}

/** Stable finding id: rule + resource + account + region (the baseline fingerprint too). */
export function fingerprint(e: Evaluation): string {
  return `vigil-${e.identifier.toLowerCase()}-${e.awsAccountId}-${e.awsRegion}-${resourceHash(e)}`;
}

export function toOcsf(e: Evaluation, version = '0.0.0'): Record<string, unknown> {
  const meta = findRule(e.identifier)?.meta;
  const [severityId, severity] = OCSF_SEVERITY[e.severity];
  const [statusId, status] = OCSF_STATUS[e.complianceType];
  const time = Date.parse(e.orderingTimestamp);
  return {
    activity_id: 1,
    activity_name: 'Create',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2003,
    class_name: 'Compliance Finding',
    type_uid: 200301,
    type_name: 'Compliance Finding: Create',
    time,
    severity_id: severityId,
    severity,
    status_id: 1,
    status: 'New',
    message: e.annotation,
    metadata: { product: { name: 'Vigil', vendor_name: 'Vigil', version }, version: OCSF_VERSION, log_name: 'posture' },
    finding_info: {
      uid: fingerprint(e),
      title: meta?.title ?? e.configRuleName,
      desc: meta?.description,
      types: ['Config Rule'],
      analytic: { uid: e.identifier, name: e.configRuleName, type_id: 1, type: 'Rule' },
      first_seen_time: time,
      last_seen_time: time,
    },
    compliance: {
      control: e.identifier,
      standards: meta?.frameworks.map((f) => f.split(':')[0]!).filter((v, i, a) => a.indexOf(v) === i) ?? [],
      requirements: meta?.frameworks ?? [],
      status_id: statusId,
      status: e.complianceType === 'NOT_APPLICABLE' ? 'NOT_APPLICABLE' : status,
      status_detail: e.annotation,
    },
    resources: [
      { uid: e.arn ?? e.resourceId, name: e.resourceName ?? e.resourceId, type: e.resourceType, region: e.awsRegion },
    ],
    cloud: { provider: 'AWS', region: e.awsRegion, account: { uid: e.awsAccountId } },
    remediation: meta ? { desc: meta.remediation, references: meta.runbook ? [meta.runbook] : [] } : undefined,
    unmapped: { evidence: e.evidence, complianceType: e.complianceType },
  };
}

const ASFF_SERVICE: Record<string, string> = {
  EC2: 'Ec2',
  IAM: 'Iam',
  RDS: 'Rds',
  KMS: 'Kms',
  DynamoDB: 'DynamoDb',
  ElasticLoadBalancingV2: 'Elbv2',
  ElasticLoadBalancing: 'Elb',
};

/** ASFF resource type: AWS::EC2::SecurityGroup → AwsEc2SecurityGroup, AWS::RDS::DBInstance → AwsRdsDbInstance. */
export function asffResourceType(t: string): string {
  if (t === 'AWS::::Account') return 'AwsAccount';
  const [, service = '', resource = ''] = t.split('::');
  // Acronym runs become capitalised words (DBInstance → DbInstance, VPC → Vpc), as ASFF spells them.
  const res = resource.replace(/([A-Z])([A-Z]+)(?=[A-Z][a-z]|$)/g, (_m, a: string, b: string) => a + b.toLowerCase());
  return `Aws${ASFF_SERVICE[service] ?? service}${res}`;
}

const ASFF_STATUS: Record<Evaluation['complianceType'], string> = {
  COMPLIANT: 'PASSED',
  NON_COMPLIANT: 'FAILED',
  INSUFFICIENT_DATA: 'NOT_AVAILABLE',
  NOT_APPLICABLE: 'NOT_AVAILABLE',
};

export function toAsff(e: Evaluation): Record<string, unknown> {
  const meta = findRule(e.identifier)?.meta;
  // Security Hub needs a real region; global resources (IAM, account) are reported in us-east-1.
  const region = e.awsRegion === 'global' ? 'us-east-1' : e.awsRegion;
  return {
    SchemaVersion: '2018-10-08',
    Id: fingerprint(e),
    ProductArn: `arn:aws:securityhub:${region}:${e.awsAccountId}:product/${e.awsAccountId}/default`,
    GeneratorId: e.identifier,
    AwsAccountId: e.awsAccountId,
    Types: ['Software and Configuration Checks/AWS Config Analysis'],
    CreatedAt: e.orderingTimestamp,
    UpdatedAt: e.orderingTimestamp,
    Severity: { Label: e.severity },
    Title: (meta?.title ?? e.configRuleName).slice(0, 256),
    Description: e.annotation.slice(0, 1024),
    Remediation: meta ? { Recommendation: { Text: meta.remediation.slice(0, 512) } } : undefined,
    ProductFields: { 'vigil/ConfigRuleName': e.configRuleName, 'vigil/ComplianceType': e.complianceType },
    Resources: [{ Type: asffResourceType(e.resourceType), Id: e.arn ?? e.resourceId, Region: region }],
    Compliance: { Status: ASFF_STATUS[e.complianceType], RelatedRequirements: meta?.frameworks ?? [] },
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
  };
}
