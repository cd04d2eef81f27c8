/**
 * The detection engine: routes each record to the detectors of its log type, keeps per-type event-time watermarks
 * (max event time seen − allowed lateness) that expire windowed state, aggregates signals into GuardDuty findings
 * (one per type × key, with count and first/last seen), applies suppression rules and persists state.
 *
 * Records arrive in file order, which is not time order (several files, several ENIs): the watermark only decides
 * when per-entity state may be dropped. A record older than the watermark is still evaluated; it is counted as
 * late and, if its entity's window was already dropped, starts a new one.
 */
import type { LogRecord, LogType, RecordOrigin } from '../ingest/types.js';
import type { FlowRow } from '../ingest/vpcflow/row.js';
import { ALL_DETECTORS } from './detectors/index.js';
import { type FlowDirection, FlowView } from './detectors/util.js';
import { aggregate, detectorIdFor, newFinding } from './finding.js';
import { type GeoLookup, NO_GEO } from './geo.js';
import { bundledIntel, type ThreatIntel } from './intel.js';
import type { AwsIpRanges } from './ip-ranges.js';
import { type EvictionStats, KeyedStateFactory } from './keyed.js';
import { NetContext } from './net.js';
import { MemoryStateStore, type StateStore } from './state.js';
import { archivingRule, type SuppressionRule } from './suppress.js';
import type { Detector, DetectorContext, DetectorInstance, Finding, ParamValue, Signal } from './types.js';

export interface EngineOptions {
  detectors?: Detector[];
  /** Detector ids to run (default: all). */
  enabled?: string[];
  /** Detector ids to skip. */
  disabled?: string[];
  /** Parameter overrides per detector id. */
  params?: Record<string, Record<string, ParamValue>>;
  intel?: ThreatIntel;
  geo?: GeoLookup;
  awsRanges?: AwsIpRanges;
  store?: StateStore;
  suppressions?: SuppressionRule[];
  /** How far behind the newest event time a record may arrive and still find its window (default 1 h). */
  allowedLatenessMs?: number;
  /** Most keys per windowed state before LRU eviction (default 200,000). */
  maxKeys?: number;
  /** Idle time after which an entity's window state is dropped (default 1 h of event time). */
  stateTtlMs?: number;
  accountId?: string;
  region?: string;
  /** VPC CIDRs that are "ours" (default: private ranges). */
  localCidrs?: string[];
}

export interface DetectStats {
  records: number;
  byType: Partial<Record<LogType, number>>;
  /** Records older than their type's watermark when they arrived. */
  lateRecords: number;
  /** Records without an event time (skipped by windowed detectors). */
  untimedRecords: number;
  signals: number;
  newFindings: number;
  updatedFindings: number;
  archived: number;
  evictions: EvictionStats & { states: Record<string, EvictionStats & { size: number }> };
  detectors: number;
  detectorErrors: { detector: string; file: string; line: number; reason: string }[];
}

export interface DetectResult {
  /** Findings created or updated by this run (archived ones included, flagged), sorted by first seen, type, id. */
  findings: Finding[];
  stats: DetectStats;
}

interface Running {
  detector: Detector;
  instance: DetectorInstance;
  params: Record<string, ParamValue>;
  windows: KeyedStateFactory;
}

interface TypeState {
  /** Detectors reading this type (undefined: none; the record is only counted). */
  list: Running[] | undefined;
  /** Records of this type (copied into stats.byType when the run finishes). */
  count: number;
  /** Newest event time seen (the watermark is this minus the allowed lateness). */
  max: number;
  lastExpiry: number;
}

const WINDOWS_META = 'windows';
const FLOW_DIRECTIONS: readonly FlowDirection[] = ['INBOUND', 'OUTBOUND', 'INTERNAL', 'UNKNOWN'];
const WATERMARK_META = 'maxTimes';

export class DetectionEngine {
  private readonly running: Running[] = [];
  private readonly byType = new Map<LogType, Running[]>();
  /** CloudTrail detectors that only look at some event names, by event name. */
  private readonly byEventName = new Map<string, Running[]>();
  private readonly maxTime = new Map<LogType, number>();
  /** Per log type: its detectors, record count, newest event time and last expiry, behind one lookup per record. */
  private readonly types = new Map<LogType, TypeState>();
  /** The state of the previous record's type (inputs are runs of one type: usually no lookup at all). */
  private lastType: LogType | undefined;
  private lastState: TypeState | undefined;
  private readonly lateness: number;
  private readonly store: StateStore;
  private readonly findings = new Map<string, Finding>();
  /**
   * Findings by aggregation key (account|region|type|key): a repeat hit on a known key only folds into the finding,
   * without building a new one or hashing its id (the id is a SHA-256 of the same four parts).
   */
  private readonly byAggKey = new Map<string, Finding>();
  private readonly detectorIds = new Map<string, string>();
  private readonly touched = new Set<string>();
  private readonly created = new Set<string>();
  private readonly suppressions: SuppressionRule[];
  private readonly accountId: string;
  private readonly region: string;
  private readonly sharedStates = new Map<LogType, KeyedStateFactory>();
  private current: Running | undefined;
  private currentType: LogType = 'cloudtrail';
  private currentRecord: LogRecord | undefined;
  /** The flow view of the VPC flow record being processed (instead of `currentRecord`). */
  private currentView: FlowView | undefined;
  private readonly flowView = new FlowView();
  /** VPC flow detectors by the direction of the records they read (`Detector.flowDirections`). */
  private readonly flowLists: Record<FlowDirection, Running[]> = {
    INBOUND: [],
    OUTBOUND: [],
    INTERNAL: [],
    UNKNOWN: [],
  };
  /** What reads flow records without addresses (NODATA / SKIPDATA): record readers only. */
  private readonly flowsWithoutAddresses: Running[] = [];
  private readonly net: NetContext;
  readonly stats: DetectStats;

  constructor(opts: EngineOptions = {}) {
    this.lateness = opts.allowedLatenessMs ?? 3_600_000;
    this.store = opts.store ?? new MemoryStateStore();
    this.suppressions = opts.suppressions ?? [];
    this.accountId = opts.accountId ?? '000000000000';
    this.region = opts.region ?? 'us-east-1';
    const detectors = (opts.detectors ?? ALL_DETECTORS).filter(
      (d) =>
        (opts.enabled === undefined || opts.enabled.includes(d.meta.id)) && !(opts.disabled ?? []).includes(d.meta.id),
    );
    this.stats = {
      records: 0,
      byType: {},
      lateRecords: 0,
      untimedRecords: 0,
      signals: 0,
      newFindings: 0,
      updatedFindings: 0,
      archived: 0,
      evictions: { lru: 0, ttl: 0, peak: 0, states: {} },
      detectors: detectors.length,
      detectorErrors: [],
    };
    for (const f of this.store.loadFindings()) this.findings.set(f.id, f);
    const saved = this.store.getMeta(WATERMARK_META);
    if (saved)
      for (const [t, v] of Object.entries(JSON.parse(saved) as Record<string, number>))
        this.maxTime.set(t as LogType, v);
    const windowsSnap = this.store.getMeta(WINDOWS_META);
    const snap = windowsSnap ? (JSON.parse(windowsSnap) as Record<string, [string, unknown, number][]>) : {};

    const intel = opts.intel ?? bundledIntel();
    const geo = opts.geo ?? NO_GEO;
    const net = new NetContext(opts.localCidrs);
    this.net = net;
    const maxKeys = opts.maxKeys ?? 200_000;
    const ttl = opts.stateTtlMs ?? 3_600_000;
    const shared = (type: LogType): KeyedStateFactory => {
      let f = this.sharedStates.get(type);
      if (!f) {
        f = new KeyedStateFactory(maxKeys, ttl, `shared.${type}`);
        this.sharedStates.set(type, f);
      }
      return f;
    };
    for (const detector of detectors) {
      const params = { ...defaultsOf(detector), ...(opts.params?.[detector.meta.id] ?? {}) };
      const windows = new KeyedStateFactory(maxKeys, ttl, detector.meta.id);
      const ctx: DetectorContext = {
        params,
        emit: (s) => this.onSignal(s),
        intel,
        geo,
        awsRanges: opts.awsRanges,
        baseline: this.store.baseline,
        windows,
        shared,
        net,
        watermark: () => this.watermark(),
        defaults: { accountId: this.accountId, region: this.region },
      };
      const running: Running = { detector, instance: detector.create(ctx), params, windows };
      this.running.push(running);
      for (const t of detector.meta.dataSources) {
        if (t === 'cloudtrail' && detector.eventNames) {
          for (const name of detector.eventNames) {
            let byName = this.byEventName.get(name);
            if (!byName) this.byEventName.set(name, (byName = []));
            byName.push(running);
          }
          // Keep the type present so watermarks and routing see CloudTrail records.
          if (!this.byType.has(t)) this.byType.set(t, []);
          continue;
        }
        let list = this.byType.get(t);
        if (!list) this.byType.set(t, (list = []));
        list.push(running);
      }
    }
    for (const f of this.factories()) f.restore(snap);
    // VPC flow records go only to the detectors that read their direction (record readers, e.g. Sigma, read all).
    for (const run of this.byType.get('vpcflow') ?? []) {
      const readsFlows = run.instance.onFlow !== undefined;
      const directions = (readsFlows && run.detector.flowDirections) || FLOW_DIRECTIONS;
      for (const d of directions) this.flowLists[d].push(run);
      if (!readsFlows) this.flowsWithoutAddresses.push(run);
    }
  }

  private *factories(): Iterable<KeyedStateFactory> {
    for (const run of this.running) yield run.windows;
    yield* this.sharedStates.values();
  }

  process(r: LogRecord): void {
    const ts = this.enter(r.type, r.time);
    if (ts === undefined) return;
    if (r.type === 'vpcflow') {
      this.dispatchFlow(this.flowView.fromRecord(r, this.net));
      return;
    }
    this.currentRecord = r;
    this.currentView = undefined;
    this.dispatch(ts.list!, r);
    if (r.type === 'cloudtrail' && this.byEventName.size > 0) {
      const name = r.fields.eventName;
      const named = typeof name === 'string' ? this.byEventName.get(name) : undefined;
      if (named) this.dispatch(named, r);
    }
    this.current = undefined;
  }

  /** A VPC flow record read in place by the parser (`Sink.flow`): the same detection as `process(row.record())`. */
  processFlow(row: FlowRow): void {
    if (this.enter('vpcflow', row.time) !== undefined) this.dispatchFlow(this.flowView.fromRow(row, this.net));
  }

  /**
   * Count a record of `type` at event time `t` and advance its watermark (expiring idle state); returns the type's
   * state when detectors read it, else undefined.
   */
  private enter(type: LogType, t: number): TypeState | undefined {
    const st = this.stats;
    st.records++;
    let ts = this.lastState;
    if (type !== this.lastType || ts === undefined) {
      ts = this.typeState(type);
      this.lastType = type;
      this.lastState = ts;
    }
    ts.count++;
    if (ts.list === undefined) return undefined;
    this.currentType = type;
    if (Number.isNaN(t)) st.untimedRecords++;
    else if (t > ts.max) {
      ts.max = t;
      const wm = t - this.lateness;
      // Expiry is cheap (it pops from the front of each recency-ordered table) but there is no need to do it
      // for every record: once per 10 s of event-time progress is plenty.
      if (wm - ts.lastExpiry >= 10_000) {
        ts.lastExpiry = wm;
        for (const run of ts.list) run.windows.expireAll(wm);
        this.sharedStates.get(type)?.expireAll(wm);
      }
    } else if (t < ts.max - this.lateness) st.lateRecords++;
    return ts;
  }

  /** The routing, count and watermark state of a log type. */
  private typeState(type: LogType): TypeState {
    let ts = this.types.get(type);
    if (ts === undefined) {
      ts = {
        list: this.byType.get(type),
        count: 0,
        max: this.maxTime.get(type) ?? Number.NEGATIVE_INFINITY,
        lastExpiry: Number.NEGATIVE_INFINITY,
      };
      this.types.set(type, ts);
    }
    return ts;
  }

  /** Watermark of the type being processed (max event time seen − allowed lateness). */
  private watermark(): number {
    const ts = this.types.get(this.currentType);
    const max = ts?.max ?? this.maxTime.get(this.currentType) ?? Number.NEGATIVE_INFINITY;
    return max - this.lateness;
  }

  private dispatch(list: Running[], r: LogRecord): void {
    for (let i = 0; i < list.length; i++) {
      const run = list[i]!;
      this.current = run;
      try {
        run.instance.onRecord?.(r);
      } catch (err) {
        this.detectorError(run, r.origin, err);
      }
    }
  }

  /** Flow detectors read the view; any other detector of the type (e.g. Sigma rules) gets the LogRecord. */
  private dispatchFlow(v: FlowView): void {
    // Compared, not indexed: a keyed load with a changing string key goes through V8's generic (megamorphic) path.
    const d = v.direction;
    const lists = this.flowLists;
    const list = !v.ok
      ? this.flowsWithoutAddresses
      : d === 'OUTBOUND'
        ? lists.OUTBOUND
        : d === 'INBOUND'
          ? lists.INBOUND
          : d === 'INTERNAL'
            ? lists.INTERNAL
            : lists.UNKNOWN;
    this.currentView = v;
    this.currentRecord = undefined;
    for (let i = 0; i < list.length; i++) {
      const run = list[i]!;
      this.current = run;
      try {
        const inst = run.instance;
        if (inst.onFlow !== undefined) inst.onFlow(v);
        else inst.onRecord?.(v.record);
      } catch (err) {
        this.detectorError(run, v.origin, err);
      }
    }
    this.current = undefined;
  }

  /** A detector bug must not stop the run; it is reported with the record that triggered it. */
  private detectorError(run: Running, origin: RecordOrigin, err: unknown): void {
    const st = this.stats;
    if (st.detectorErrors.length < 100)
      st.detectorErrors.push({
        detector: run.detector.meta.id,
        file: origin.file,
        line: origin.line,
        reason: (err as Error)?.message ?? String(err),
      });
  }

  private onSignal(sig: Signal): void {
    const run = this.current;
    if (!run) return;
    this.stats.signals++;
    const account = sig.accountId ?? this.recordAccount() ?? this.accountId;
    const region = sig.region ?? this.recordRegion() ?? this.region;
    // The id hashes exactly these parts (findingIdFor): same key, same finding.
    const aggKey = `${account}|${region}|${sig.type}|${sig.key}`;
    const known = this.byAggKey.get(aggKey);
    if (known !== undefined) {
      aggregate(known, sig);
      this.touched.add(known.id);
      return;
    }
    const fresh = newFinding(
      sig,
      account,
      region,
      run.detector.meta.id,
      run.params,
      this.detectorIdOf(account, region),
    );
    const existing = this.findings.get(fresh.id);
    if (existing) {
      aggregate(existing, sig);
      this.byAggKey.set(aggKey, existing);
    } else {
      this.findings.set(fresh.id, fresh);
      this.byAggKey.set(aggKey, fresh);
      this.created.add(fresh.id);
    }
    this.touched.add(fresh.id);
  }

  /** A native field of the record being processed (undefined at the end of input). */
  private field(name: string): unknown {
    return this.currentView !== undefined ? this.currentView.field(name) : this.currentRecord?.fields[name];
  }

  /** The account the record names (CloudTrail recipient, flow log account-id, Resolver account_id). */
  private recordAccount(): string | undefined {
    const v = this.field('recipientAccountId') ?? this.field('account-id') ?? this.field('account_id');
    return typeof v === 'string' && /^\d{12}$/.test(v) ? v : undefined;
  }

  private recordRegion(): string | undefined {
    const v = this.field('awsRegion') ?? this.field('region');
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  private detectorIdOf(account: string, region: string): string {
    const k = `${account}|${region}`;
    let id = this.detectorIds.get(k);
    if (id === undefined) {
      id = detectorIdFor(account, region);
      this.detectorIds.set(k, id);
    }
    return id;
  }

  /** End of input: let detectors close open windows, apply suppressions, persist, and return this run's findings. */
  finish(): DetectResult {
    for (const run of this.running) {
      if (!run.instance.finish) continue;
      this.current = run;
      this.currentRecord = undefined;
      this.currentView = undefined;
      try {
        run.instance.finish();
      } catch (err) {
        this.stats.detectorErrors.push({ detector: run.detector.meta.id, file: '', line: 0, reason: String(err) });
      }
    }
    this.current = undefined;
    const out: Finding[] = [];
    for (const id of this.touched) {
      const f = this.findings.get(id)!;
      const rule = archivingRule(f, this.suppressions);
      f.service.archived = rule !== undefined;
      if (rule) f.explanation.archivedBy = rule.name;
      else delete f.explanation.archivedBy;
      if (rule) this.stats.archived++;
      this.store.saveFinding(f);
      out.push(f);
    }
    this.stats.newFindings = this.created.size;
    this.stats.updatedFindings = this.touched.size - this.created.size;
    const snap: Record<string, [string, unknown, number][]> = {};
    const ev = this.stats.evictions;
    for (const windows of this.factories()) {
      if (this.store.path !== undefined) Object.assign(snap, windows.snapshot());
      const t = windows.totals();
      ev.lru += t.lru;
      ev.ttl += t.ttl;
      ev.peak += t.peak;
      Object.assign(ev.states, t.states);
    }
    for (const [type, ts] of this.types) {
      if (ts.count > 0) this.stats.byType[type] = ts.count;
      if (ts.list !== undefined && ts.max > Number.NEGATIVE_INFINITY) this.maxTime.set(type, ts.max);
    }
    if (this.store.path !== undefined) {
      this.store.setMeta(WINDOWS_META, JSON.stringify(snap));
      this.store.setMeta(WATERMARK_META, JSON.stringify(Object.fromEntries(this.maxTime)));
    }
    out.sort(compareFindings);
    return { findings: out, stats: this.stats };
  }

  /** Every finding known to the store (including earlier runs). */
  allFindings(): Finding[] {
    return [...this.findings.values()].sort(compareFindings);
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.service.eventFirstSeen !== b.service.eventFirstSeen)
    return a.service.eventFirstSeen < b.service.eventFirstSeen ? -1 : 1;
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function defaultsOf(d: Detector): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, p] of Object.entries(d.meta.params)) out[k] = p.default;
  return out;
}

/** Run detection over an array of records (tests, small inputs). */
export function detectRecords(records: Iterable<LogRecord>, opts: EngineOptions = {}): DetectResult {
  const engine = new DetectionEngine(opts);
  for (const r of records) engine.process(r);
  const res = engine.finish();
  opts.store?.close();
  return res;
}
