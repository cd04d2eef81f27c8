/**
 * Exporters for GuardDuty-shaped findings: JSON document, JSON Lines (one finding per line, as GuardDuty's S3
 * export), EventBridge events ("GuardDuty Finding" envelope), OCSF 1.x Detection Finding (class 2004) and AWS
 * Security Finding Format (ASFF). All projections are pure functions of the finding.
 */
import { createHash } from 'node:crypto';
import { ALL_DETECTORS } from '../detect/detectors/index.js';
import { type Finding, type FindingTypeMeta, type SeverityLabel, severityLabel } from '../detect/types.js';
import type { RuleAttack } from '../netfw/attack.js';

export const OCSF_VERSION = '1.3.0';

const typeMeta = new Map<string, FindingTypeMeta & { detector: string; dataSources: string[] }>();
for (const d of ALL_DETECTORS)
  for (const f of d.meta.findings)
    if (!typeMeta.has(f.type)) typeMeta.set(f.type, { ...f, detector: d.meta.id, dataSources: d.meta.dataSources });

export function findingTypeMeta(type: string) {
  return typeMeta.get(type);
}

/** One ATT&CK reference of a finding: the tactic (name), and the technique when known. */
export interface AttackRef {
  tactic: string;
  technique?: string;
  name?: string;
}

/** ATT&CK enterprise tactic slugs (Sigma's `attack.<tactic>` tags, Suricata's `mitre_tactic_name`) to tactic names. */
const SIGMA_TACTICS: Record<string, string> = {
  reconnaissance: 'Reconnaissance',
  resource_development: 'Resource Development',
  initial_access: 'Initial Access',
  execution: 'Execution',
  persistence: 'Persistence',
  privilege_escalation: 'Privilege Escalation',
  defense_evasion: 'Defense Evasion',
  // ATT&CK v18 split Defense Evasion into these two; current Sigma rules use them.
  stealth: 'Stealth',
  defense_impairment: 'Defense Impairment',
  credential_access: 'Credential Access',
  discovery: 'Discovery',
  lateral_movement: 'Lateral Movement',
  collection: 'Collection',
  command_and_control: 'Command and Control',
  exfiltration: 'Exfiltration',
  impact: 'Impact',
};

/**
 * ATT&CK of a finding: the detector catalogue for built-in types; for Suricata findings the rule's `mitre_*`
 * metadata (`service.additionalInfo.suricata.attack`); for Sigma findings (types not in the catalogue)
 * the rule's `attack.*` tags carried in `service.additionalInfo.sigma.tags` — each tactic tag pairs with the
 * rule's first technique tag (`attack.t1059.001` → T1059.001); a technique without a tactic tag gets tactic Unknown.
 */
export function attackRefs(f: Finding): AttackRef[] {
  const meta = typeMeta.get(f.type);
  if (meta) return [{ tactic: meta.mitre.tactic, technique: meta.mitre.technique, name: meta.mitre.name }];
  const suricata = (f.service.additionalInfo?.suricata as { attack?: RuleAttack } | undefined)?.attack;
  if (suricata && (suricata.tactic || suricata.techniqueId)) {
    const slug = suricata.tactic?.toLowerCase().replaceAll(' ', '_');
    const tactic = (slug && SIGMA_TACTICS[slug]) ?? suricata.tactic ?? 'Unknown';
    return [
      {
        tactic,
        ...(suricata.techniqueId ? { technique: suricata.techniqueId } : {}),
        ...(suricata.technique ? { name: suricata.technique } : {}),
      },
    ];
  }
  const sigma = f.service.additionalInfo?.sigma as { tags?: unknown } | undefined;
  const tags = Array.isArray(sigma?.tags) ? sigma.tags.filter((t): t is string => typeof t === 'string') : [];
  const tactics: string[] = [];
  let technique: string | undefined;
  for (const raw of tags) {
    const t = raw.toLowerCase();
    if (!t.startsWith('attack.')) continue;
    const v = t.slice(7);
    if (/^t\d{4}(\.\d{3})?$/.test(v)) technique ??= v.toUpperCase();
    else {
      const name = SIGMA_TACTICS[v.replaceAll('-', '_')];
      if (name && !tactics.includes(name)) tactics.push(name);
    }
  }
  if (tactics.length === 0) return technique ? [{ tactic: 'Unknown', technique }] : [];
  return tactics.map((tactic) => (technique ? { tactic, technique } : { tactic }));
}

export interface Summary {
  total: number;
  archived: number;
  bySeverity: Record<SeverityLabel, number>;
  byType: Record<string, number>;
}

export function summarize(findings: Finding[]): Summary {
  const bySeverity: Record<SeverityLabel, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
  const byType: Record<string, number> = {};
  let archived = 0;
  for (const f of findings) {
    bySeverity[severityLabel(f.severity)]++;
    byType[f.type] = (byType[f.type] ?? 0) + 1;
    if (f.service.archived) archived++;
  }
  return { total: findings.length, archived, bySeverity, byType };
}

export function toJsonLines(findings: Finding[]): string {
  let out = '';
  for (const f of findings) out += `${JSON.stringify(f)}\n`;
  return out;
}

export function toJsonDocument(findings: Finding[], extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ summary: summarize(findings), ...extra, findings }, null, 2)}\n`;
}

/** RFC 4122-shaped id derived from the finding id and its update time (same finding state → same event id). */
function eventId(f: Finding): string {
  const h = createHash('sha256').update(`${f.id}|${f.updatedAt}|${f.service.count}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The EventBridge event GuardDuty publishes for a finding (guardduty.md §5); `source` may be changed. */
export function toEventBridge(f: Finding, source = 'aws.guardduty'): Record<string, unknown> {
  return {
    version: '0',
    id: eventId(f),
    'detail-type': 'GuardDuty Finding',
    source,
    account: f.accountId,
    time: f.updatedAt.replace(/\.\d{3}Z$/, 'Z'),
    region: f.region,
    resources: [],
    detail: f,
  };
}

const OCSF_SEVERITY: Record<SeverityLabel, [number, string]> = {
  LOW: [2, 'Low'],
  MEDIUM: [3, 'Medium'],
  HIGH: [4, 'High'],
  CRITICAL: [5, 'Critical'],
};

/** Identifier and type of the affected resource. */
export function resourceIdentity(f: Finding): { type: string; uid: string; asff: string } {
  const r = f.resource as Record<string, unknown>;
  switch (r.resourceType) {
    case 'Instance': {
      const id = (r.instanceDetails as { instanceId?: string })?.instanceId ?? 'unknown';
      return { type: 'Instance', uid: id, asff: 'AwsEc2Instance' };
    }
    case 'S3Bucket': {
      const b = (r.s3BucketDetails as { arn?: string; name?: string }[] | undefined)?.[0];
      return { type: 'S3Bucket', uid: b?.arn ?? b?.name ?? 'unknown', asff: 'AwsS3Bucket' };
    }
    case 'AccessKey': {
      const k = r.accessKeyDetails as { accessKeyId?: string; userName?: string; principalId?: string } | undefined;
      return {
        type: 'AccessKey',
        uid: k?.accessKeyId || k?.principalId || k?.userName || 'unknown',
        asff: 'AwsIamAccessKey',
      };
    }
    case 'LoadBalancer':
      return {
        type: 'LoadBalancer',
        uid: (r.loadBalancerDetails as { name?: string })?.name ?? 'unknown',
        asff: 'AwsElbv2LoadBalancer',
      };
    case 'CloudFrontDistribution':
      return {
        type: 'CloudFrontDistribution',
        uid: (r.cloudFrontDetails as { domainName?: string })?.domainName ?? 'unknown',
        asff: 'AwsCloudFrontDistribution',
      };
    default:
      return { type: String(r.resourceType ?? 'Other'), uid: 'unknown', asff: 'Other' };
  }
}

/** OCSF Detection Finding (class 2004): canonical external JSON (outputs-and-cli.md §4). */
export function toOcsf(f: Finding, productVersion = '0.0.0'): Record<string, unknown> {
  const label = severityLabel(f.severity);
  const [severityId, severityName] = OCSF_SEVERITY[label];
  const activity = f.service.count > 1 ? 2 : 1;
  const meta = typeMeta.get(f.type);
  const attacks = attackRefs(f);
  const res = resourceIdentity(f);
  return {
    activity_id: activity,
    activity_name: activity === 1 ? 'Create' : 'Update',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    type_uid: 200400 + activity,
    time: Date.parse(f.updatedAt),
    severity_id: severityId,
    severity: severityName,
    status_id: f.service.archived ? 3 : 1,
    status: f.service.archived ? 'Suppressed' : 'New',
    message: f.title,
    count: f.service.count,
    is_alert: !f.service.archived,
    metadata: {
      version: OCSF_VERSION,
      uid: f.id,
      product: { name: 'Vigil', vendor_name: 'Vigil', version: productVersion, feature: { name: 'detect' } },
      log_name: 'GuardDuty-style findings',
      original_time: f.createdAt,
      tenant_uid: f.accountId,
    },
    finding_info: {
      uid: f.id,
      title: f.title,
      desc: f.description,
      types: [f.type],
      analytic: { uid: f.explanation.detector, name: f.explanation.detector, type_id: 1, type: 'Rule' },
      ...(attacks.length > 0
        ? {
            attacks: attacks.map((a) => ({
              tactic: { name: a.tactic },
              ...(a.technique ? { technique: { uid: a.technique, ...(a.name ? { name: a.name } : {}) } } : {}),
            })),
          }
        : {}),
      ...(meta ? { data_sources: meta.dataSources } : {}),
      first_seen_time: Date.parse(f.service.eventFirstSeen),
      last_seen_time: Date.parse(f.service.eventLastSeen),
      created_time: Date.parse(f.createdAt),
      modified_time: Date.parse(f.updatedAt),
    },
    resources: [
      {
        type: res.type,
        uid: res.uid,
        region: f.region,
        cloud_partition: f.partition,
        owner: { account: { uid: f.accountId } },
      },
    ],
    cloud: { provider: 'AWS', region: f.region, account: { uid: f.accountId, type: 'AWS Account' } },
    evidences: [{ data: f.explanation.evidence }],
    unmapped: {
      guardduty: {
        arn: f.arn,
        severity: f.severity,
        resourceRole: f.service.resourceRole,
        action: f.service.action,
        resource: f.resource,
      },
      explanation: f.explanation,
    },
  };
}

function pascal(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pascal);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k[0]!.toUpperCase() + k.slice(1)] = pascal(x);
    return out;
  }
  return v;
}

/** ASFF (BatchImportFindings shape), as GuardDuty's own Security Hub integration projects findings. */
export function toAsff(f: Finding): Record<string, unknown> {
  const label = severityLabel(f.severity);
  const attacks = attackRefs(f);
  const res = resourceIdentity(f);
  const tactics = attacks.length > 0 ? [...new Set(attacks.map((a) => a.tactic))] : ['Unknown'];
  const technique = attacks.find((a) => a.technique)?.technique;
  const { actionType, ...blocks } = f.service.action;
  return {
    SchemaVersion: '2018-10-08',
    Id: f.arn,
    ProductArn: `arn:${f.partition}:securityhub:${f.region}:${f.accountId}:product/${f.accountId}/default`,
    GeneratorId: `vigil-detect/${f.explanation.detector}`,
    AwsAccountId: f.accountId,
    Types: tactics.map((tactic) => `TTPs/${tactic}/${f.type.replaceAll('/', '-')}`),
    FirstObservedAt: f.service.eventFirstSeen,
    LastObservedAt: f.service.eventLastSeen,
    CreatedAt: f.createdAt,
    UpdatedAt: f.updatedAt,
    Severity: { Label: label, Normalized: Math.round(f.severity * 10), Original: String(f.severity) },
    Title: f.title,
    Description: f.description.slice(0, 1024),
    Resources: [{ Type: res.asff, Id: res.uid, Partition: f.partition, Region: f.region }],
    Action: { ActionType: actionType, ...(pascal(blocks) as Record<string, unknown>) },
    RecordState: f.service.archived ? 'ARCHIVED' : 'ACTIVE',
    Workflow: { Status: f.service.archived ? 'SUPPRESSED' : 'NEW' },
    ProductFields: {
      'aws/guardduty/service/count': String(f.service.count),
      'aws/guardduty/service/resourceRole': f.service.resourceRole,
      'vigil/detector': f.explanation.detector,
      'vigil/reason': f.explanation.reason.slice(0, 1000),
      ...(technique ? { 'vigil/mitre': technique } : {}),
    },
  };
}
