/**
 * The detection model: detectors turn records into signals; the engine aggregates signals into GuardDuty-shaped
 * findings (one finding per type × resource × actor/remote key, with count / eventFirstSeen / eventLastSeen).
 */
import type { LogRecord, LogType, RecordOrigin } from '../ingest/types.js';

export type SeverityLabel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** GuardDuty's bands (guardduty.md §2): Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10. */
export function severityLabel(severity: number): SeverityLabel {
  if (severity >= 9) return 'CRITICAL';
  if (severity >= 7) return 'HIGH';
  if (severity >= 4) return 'MEDIUM';
  return 'LOW';
}

/** Lowest numeric severity of a band (for `--min-severity` / `--fail-on`). */
export const SEVERITY_FLOOR: Record<SeverityLabel, number> = { LOW: 1, MEDIUM: 4, HIGH: 7, CRITICAL: 9 };

export function parseSeverityLabel(text: string): SeverityLabel | undefined {
  const up = text.toUpperCase();
  return up === 'LOW' || up === 'MEDIUM' || up === 'HIGH' || up === 'CRITICAL' ? up : undefined;
}

export type ParamValue = number | string | boolean | string[] | number[];

export interface ParamSpec {
  default: ParamValue;
  description: string;
}

export interface MitreRef {
  tactic: string;
  technique: string;
  name: string;
}

/** One finding type a detector can emit. */
export interface FindingTypeMeta {
  type: string;
  /** Default severity (GuardDuty's value). */
  severity: number;
  /** When the severity varies (resource role, port …), how. */
  severityNote?: string;
  mitre: MitreRef;
  /** Short trigger of this particular type when it differs from the detector's. */
  trigger?: string;
}

export type Need = 'intel' | 'geoip' | 'baseline' | 'ip-ranges';

export interface DetectorMeta {
  /** Stable kebab-case id (also the key of its parameters in vigil.yaml `detect.detectors.<id>`). */
  id: string;
  title: string;
  dataSources: LogType[];
  kind: 'stateless' | 'windowed' | 'baseline';
  /** What makes it fire (observable predicate). */
  trigger: string;
  params: Record<string, ParamSpec>;
  findings: FindingTypeMeta[];
  needs?: Need[];
}

/** GuardDuty `service.action` (one of its detail blocks). */
export interface FindingAction {
  actionType: 'AWS_API_CALL' | 'NETWORK_CONNECTION' | 'PORT_PROBE' | 'DNS_REQUEST';
  [block: string]: unknown;
}

export interface ThreatIntelDetail {
  threatListName: string;
  threatNames: string[];
}

/** What a detector reports for one occurrence (or a windowed batch of occurrences). */
export interface Signal {
  type: string;
  severity: number;
  /** Identity of the finding besides its type: affected resource and actor/remote endpoint (guardduty.md §6). */
  key: string;
  /** Event time of the occurrence (first record's time for windowed signals). */
  time: number;
  /** Event time of the last record in this occurrence (windowed signals). */
  lastTime?: number;
  /** Number of occurrences this signal stands for (default 1). */
  count?: number;
  title: string;
  description: string;
  resource: Record<string, unknown>;
  action: FindingAction;
  resourceRole: 'ACTOR' | 'TARGET';
  threatIntelligenceDetails?: ThreatIntelDetail[];
  additionalInfo?: Record<string, unknown>;
  accountId?: string;
  region?: string;
  /** Why: the rule in words, the fields and values that decided it, the thresholds crossed. */
  reason: string;
  evidence: Record<string, unknown>;
  thresholds?: Record<string, ParamValue>;
  /** Records that triggered it. */
  origins: RecordOrigin[];
}

export interface Explanation {
  detector: string;
  parameters: Record<string, ParamValue>;
  thresholds?: Record<string, ParamValue>;
  reason: string;
  evidence: Record<string, unknown>;
  /** The first records that triggered the finding (file:line), capped. */
  records: RecordOrigin[];
  /** Total number of records referenced (may exceed `records.length`). */
  recordCount: number;
  /** Suppression rule that archived it. */
  archivedBy?: string;
}

/** A GuardDuty finding (EventBridge `detail` shape, camelCase) plus Vigil's explanation. */
export interface Finding {
  schemaVersion: '2.0';
  accountId: string;
  region: string;
  partition: string;
  id: string;
  arn: string;
  type: string;
  resource: Record<string, unknown>;
  service: {
    serviceName: 'guardduty';
    detectorId: string;
    action: FindingAction;
    resourceRole: 'ACTOR' | 'TARGET';
    additionalInfo: Record<string, unknown>;
    evidence?: { threatIntelligenceDetails: ThreatIntelDetail[] };
    eventFirstSeen: string;
    eventLastSeen: string;
    archived: boolean;
    count: number;
  };
  severity: number;
  createdAt: string;
  updatedAt: string;
  title: string;
  description: string;
  explanation: Explanation;
}

/** What detectors can use besides the record. */
export interface DetectorContext {
  params: Record<string, ParamValue>;
  emit(signal: Signal): void;
  intel: import('./intel.js').ThreatIntel;
  geo: import('./geo.js').GeoLookup;
  awsRanges: import('./ip-ranges.js').AwsIpRanges | undefined;
  baseline: import('./state.js').Baseline;
  windows: import('./keyed.js').KeyedStateFactory;
  /** States shared by the detectors of one log type (e.g. one per-connection-pair aggregate for flow detectors). */
  shared(type: import('../ingest/types.js').LogType): import('./keyed.js').KeyedStateFactory;
  /** Network context: which addresses are "ours" (VPC) for direction and resource role. */
  net: import('./net.js').NetContext;
  /** Event time up to which records are considered complete (max seen time − allowed lateness). */
  watermark(): number;
  defaults: { accountId: string; region: string };
}

/** A detector instance reads records (`onRecord`), or VPC flow records through the engine's flow view (`onFlow`). */
export interface DetectorInstance {
  onRecord?(r: LogRecord): void;
  /**
   * VPC flow records, as the engine's shared view (valid only during the call): flow detectors use this instead of
   * `onRecord`, so rows read in place never become LogRecords. Only records with addresses (`view.ok`) reach it.
   */
  onFlow?(v: import('./detectors/util.js').FlowView): void;
  /** Called at end of input: windows still open may emit. */
  finish?(): void;
}

export interface Detector {
  meta: DetectorMeta;
  create(ctx: DetectorContext): DetectorInstance;
  /**
   * CloudTrail event names this detector looks at, when it looks at nothing else: the engine then only calls it for
   * those events (an index instead of a check in every detector).
   */
  eventNames?: readonly string[];
  /**
   * Directions of the VPC flow records whose `onFlow` can do anything (the first check of the detector): the engine
   * calls it for no others (default: every direction).
   */
  flowDirections?: readonly import('./detectors/util.js').FlowDirection[];
}

/** Parameter with the detector's default, typed. */
export function num(params: Record<string, ParamValue>, name: string): number {
  return params[name] as number;
}
