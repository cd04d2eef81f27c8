/**
 * Sigma rules and correlations as a detector: every match (and every correlation that fires) becomes a signal in
 * the GuardDuty model, so Sigma findings aggregate, persist, suppress, export and route like built-in ones.
 *
 * - type: `Sigma:<product>.<service>/<Rule>` (logsource as written, `category` when there is no service; `<Rule>`
 *   is the rule's `name`, else its title in CamelCase); correlations: `Sigma:correlation/<Rule>`.
 * - severity: Sigma level on GuardDuty's numeric scale (informational 1, low 2, medium 5, high 8, critical 9;
 *   no level: 5), the spec's label mapping (sigma.md §9) turned into numbers inside each band.
 * - key: rule + the record's resource and actor (as the built-in detectors key them); correlations: rule + group.
 */
import type { LogRecord, LogType, RecordOrigin } from '../../ingest/types.js';
import { explainSelections } from '../../sigma/report.js';
import type { SigmaSetup } from '../../sigma/setup.js';
import { SigmaStream } from '../../sigma/stream.js';
import type {
  Level,
  LogSource,
  RuleRef,
  SigmaCorrelationMatch,
  SigmaEvent,
  SigmaMatch,
  SigmaRule,
} from '../../sigma/types.js';
import type { Detector, DetectorContext, DetectorInstance } from '../types.js';
import { type RecordContext, recordContext, recordEntity } from './context.js';

export const LEVEL_SEVERITY: Record<Level, number> = { informational: 1, low: 2, medium: 5, high: 8, critical: 9 };

export function levelSeverity(level: Level | undefined): number {
  return level === undefined ? 5 : LEVEL_SEVERITY[level];
}

/** `AWS CloudTrail Important Change` → `AWSCloudTrailImportantChange`. */
export function camelTitle(title: string): string {
  return (
    title
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join('') || 'Rule'
  );
}

export function logsourceLabel(ls: LogSource | undefined): string {
  if (!ls) return 'unknown';
  const parts = [ls.product, ls.service ?? ls.category].filter((x): x is string => typeof x === 'string' && x !== '');
  return parts.length > 0 ? parts.join('.') : 'unknown';
}

export function sigmaFindingType(rule: RuleRef, ls: LogSource | undefined, correlation: boolean): string {
  const name = rule.name ?? camelTitle(rule.title);
  return `Sigma:${correlation ? 'correlation' : logsourceLabel(ls)}/${name}`;
}

function ruleKey(r: RuleRef): string {
  return r.id ?? r.name ?? `${r.file}|${r.title}`;
}

export interface SigmaStats {
  matches: number;
  correlations: number;
}

interface RuleInfo {
  rule: SigmaRule;
  types: LogType[];
  /** Per-rule parts of every finding, built once (matches can be frequent; findings only read them). */
  type: string;
  evidence: Record<string, unknown>;
  additionalInfo: Record<string, unknown>;
  label: string;
}

function ruleInfo(s: SigmaSetup): Map<RuleRef, RuleInfo> {
  const out = new Map<RuleRef, RuleInfo>();
  for (const c of s.engine.coverage) {
    const ref = s.engine.refFor(c.rule);
    const partial = { rule: c.rule, types: c.types };
    out.set(ref, {
      ...partial,
      type: sigmaFindingType(ref, c.rule.logsource, false),
      evidence: ruleEvidence(ref, partial),
      additionalInfo: additionalInfoOf(ref),
      label: ruleLabel(ref),
    });
  }
  return out;
}

function additionalInfoOf(r: RuleRef): Record<string, unknown> {
  return { sigma: { ...(r.id ? { ruleId: r.id } : {}), level: r.level ?? null, tags: r.tags } };
}

function ruleEvidence(r: RuleRef, info: { rule: SigmaRule } | undefined): Record<string, unknown> {
  return {
    ...(r.id ? { id: r.id } : {}),
    ...(r.name ? { name: r.name } : {}),
    title: r.title,
    ...(r.level ? { level: r.level } : {}),
    ...(r.status ? { status: r.status } : {}),
    tags: r.tags,
    file: r.file,
    ...(info ? { logsource: info.rule.logsource } : {}),
  };
}

function ruleLabel(r: RuleRef): string {
  return `Sigma rule "${r.title}"${r.id ? ` (${r.id})` : ''}`;
}

function baseMatches(c: SigmaCorrelationMatch, out: SigmaMatch[] = []): SigmaMatch[] {
  for (const e of c.events) {
    if (e.kind === 'match') out.push(e);
    else baseMatches(e, out);
  }
  return out;
}

function at(o: RecordOrigin): string {
  return `${o.file}:${o.line}${o.index !== undefined ? `#${o.index}` : ''}`;
}

export function sigmaDetector(setup: SigmaSetup): { detector: Detector; stats: SigmaStats } {
  const stats: SigmaStats = { matches: 0, correlations: 0 };
  const infos = ruleInfo(setup);
  const types = setup.engine.types();
  const detector: Detector = {
    meta: {
      id: 'sigma',
      title: 'Sigma rules and correlations (--sigma)',
      dataSources: types,
      kind: 'stateless',
      trigger: 'a Sigma rule matches a record, or a Sigma correlation meets its condition',
      params: {},
      findings: [],
    },
    create(ctx: DetectorContext): DetectorInstance {
      const stream = new SigmaStream(setup.engine, setup.collection);
      // Finding identities already emitted in this run: a repeat only adds to the finding's count, first/last seen
      // and records, so it skips building the resource, action and explanation (frequent rules match many records).
      const seen = new Set<string>();
      const emitAll = (events: SigmaEvent[], r: LogRecord | undefined) => {
        for (const e of events) {
          if (e.kind === 'match') {
            stats.matches++;
            const entity = r ? recordEntity(r, ctx.net) : '';
            const key = `${ruleKey(e.rule)}|${entity}`;
            // Account and region are part of the finding id (taken from the record by the engine).
            const identity = r ? `${key}|${accountRegionOf(r)}` : undefined;
            if (identity !== undefined && seen.has(identity)) {
              emitRepeat(ctx, e, infos.get(e.rule), key);
              continue;
            }
            if (identity !== undefined) seen.add(identity);
            emitMatch(ctx, e, infos.get(e.rule), r ? recordContext(r, ctx.geo, ctx.net) : undefined);
          } else {
            stats.correlations++;
            emitCorrelation(ctx, e, infos);
          }
        }
      };
      return {
        onRecord(r) {
          const events = stream.push(r);
          if (events.length > 0) emitAll(events, r);
        },
        finish() {
          emitAll(stream.flush(), undefined);
        },
      };
    },
  };
  return { detector, stats };
}

function accountRegionOf(r: LogRecord): string {
  const f = r.fields;
  return `${f.recipientAccountId}|${f['account-id']}|${f.account_id}|${f.awsRegion}|${f.region}`;
}

const NO_RESOURCE = { resourceType: 'Other' };
const NO_ACTION = { actionType: 'AWS_API_CALL' as const };
const NO_EVIDENCE = {};

/** A repeat occurrence of a finding emitted earlier in the run: only what aggregation reads. */
function emitRepeat(ctx: DetectorContext, m: SigmaMatch, info: RuleInfo | undefined, key: string): void {
  ctx.emit({
    type: info?.type ?? sigmaFindingType(m.rule, undefined, false),
    severity: levelSeverity(m.rule.level),
    key,
    time: m.time,
    title: '',
    description: '',
    resource: NO_RESOURCE,
    action: NO_ACTION,
    resourceRole: 'TARGET',
    reason: '',
    evidence: NO_EVIDENCE,
    origins: [m.origin],
  });
}

function emitMatch(ctx: DetectorContext, m: SigmaMatch, info: RuleInfo | undefined, rc: RecordContext | undefined) {
  const r = m.rule;
  const why = explainSelections(m.selections);
  const c = rc ?? {
    resource: { resourceType: 'Other' },
    action: { actionType: 'AWS_API_CALL' as const },
    resourceRole: 'TARGET' as const,
    entity: '',
  };
  const label = info?.label ?? ruleLabel(r);
  ctx.emit({
    type: info?.type ?? sigmaFindingType(r, undefined, false),
    severity: levelSeverity(r.level),
    key: `${ruleKey(r)}|${c.entity}`,
    time: m.time,
    title: r.title,
    description: info?.rule.meta.description ?? `${label} matched.`,
    resource: c.resource,
    action: c.action,
    resourceRole: c.resourceRole,
    additionalInfo: info?.additionalInfo ?? additionalInfoOf(r),
    reason: `${label} matched ${at(m.origin)} (condition: ${m.condition.join(' | ')}): ${why}`,
    evidence: { sigma: info?.evidence ?? ruleEvidence(r, undefined), condition: m.condition, selections: m.selections },
    origins: [m.origin],
  });
}

function emitCorrelation(ctx: DetectorContext, c: SigmaCorrelationMatch, infos: Map<RuleRef, RuleInfo>) {
  const r = c.rule;
  const base = baseMatches(c);
  const first = base[0];
  // The resource of the first contributing record (its log type known when its rule runs on one type only).
  let rc: RecordContext | undefined;
  const info = first ? infos.get(first.rule) : undefined;
  if (first && info && info.types.length === 1) {
    const pseudo: LogRecord = { type: info.types[0]!, fields: first.fields, time: first.time, origin: first.origin };
    rc = recordContext(pseudo, ctx.geo, ctx.net);
  }
  const group = Object.entries(c.group)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  ctx.emit({
    type: sigmaFindingType(r, undefined, true),
    severity: levelSeverity(r.level),
    key: `${ruleKey(r)}|${JSON.stringify(c.group)}`,
    time: c.start,
    lastTime: c.end,
    title: r.title,
    description: `Sigma ${c.type} correlation "${r.title}" fired for ${group || 'all events'}.`,
    resource: rc?.resource ?? { resourceType: 'Other' },
    action: rc?.action ?? { actionType: 'AWS_API_CALL' },
    resourceRole: rc?.resourceRole ?? 'TARGET',
    additionalInfo: additionalInfoOf(r),
    reason:
      `${ruleLabel(r)} (${c.type}) fired: ${c.value} ${c.condition}` +
      `${c.fieldValue !== undefined ? ` for ${JSON.stringify(c.fieldValue)}` : ''} over ${c.eventCount} events` +
      `${group ? ` grouped by ${group}` : ''}`,
    evidence: {
      sigma: ruleEvidence(r, undefined),
      correlation: {
        type: c.type,
        group: c.group,
        value: c.value,
        condition: c.condition,
        ...(c.fieldValue !== undefined ? { fieldValue: c.fieldValue } : {}),
        window: { start: new Date(c.start).toISOString(), end: new Date(c.end).toISOString() },
        eventCount: c.eventCount,
      },
      events: base.slice(0, 10).map((m) => ({
        rule: m.rule.id ?? m.rule.title,
        origin: at(m.origin),
        selections: explainSelections(m.selections),
      })),
    },
    origins: base.map((m) => m.origin),
  });
}
