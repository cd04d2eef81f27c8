import { toIso } from '../core/time.js';
import type { FileReport } from './pipeline.js';
import type { LogRecord, LogType, ParseIssue } from './types.js';

/** Aggregate counts over an ingestion run; mergeable, so worker threads can each keep one. */
export interface IngestStats {
  files: number;
  /** Files rejected whole (unreadable, binary, unrecognised, empty). */
  filesRejected: number;
  bytes: number;
  /** Records parsed. */
  records: number;
  /** Records kept after --since/--until. */
  kept: number;
  /** Lines, records or files rejected. */
  errors: number;
  types: Partial<Record<LogType, number>>;
  /** Event-time range of kept records, epoch ms (NaN when none). */
  minTime: number;
  maxTime: number;
}

export function emptyStats(): IngestStats {
  return {
    files: 0,
    filesRejected: 0,
    bytes: 0,
    records: 0,
    kept: 0,
    errors: 0,
    types: {},
    minTime: Number.NaN,
    maxTime: Number.NaN,
  };
}

/** Count a kept record (per-type count and time range). */
export function addRecord(stats: IngestStats, r: LogRecord): void {
  addTimed(stats, r.type, r.time);
}

/** `addRecord` from a record's type and event time (flow rows have no LogRecord). */
export function addTimed(stats: IngestStats, type: LogType, t: number): void {
  stats.types[type] = (stats.types[type] ?? 0) + 1;
  if (!Number.isNaN(t)) {
    if (!(t >= stats.minTime)) stats.minTime = t;
    if (!(t <= stats.maxTime)) stats.maxTime = t;
  }
}

export function addFile(stats: IngestStats, report: FileReport): void {
  stats.files++;
  if (report.type === undefined) stats.filesRejected++;
  stats.bytes += report.bytes;
  stats.records += report.records;
  stats.kept += report.kept;
  stats.errors += report.errors;
}

export function mergeStats(into: IngestStats, from: IngestStats): void {
  into.files += from.files;
  into.filesRejected += from.filesRejected;
  into.bytes += from.bytes;
  into.records += from.records;
  into.kept += from.kept;
  into.errors += from.errors;
  for (const [k, v] of Object.entries(from.types) as [LogType, number][]) into.types[k] = (into.types[k] ?? 0) + v;
  if (!(from.minTime >= into.minTime)) into.minTime = from.minTime;
  if (!(from.maxTime <= into.maxTime)) into.maxTime = from.maxTime;
}

/** The JSON shape of `vigil logs stats --format json` (a CLI contract: records, errors, types, timeRange). */
export function statsToJson(stats: IngestStats, errorSamples: ParseIssue[] = []) {
  return {
    records: stats.records,
    kept: stats.kept,
    errors: stats.errors,
    files: stats.files,
    filesRejected: stats.filesRejected,
    bytes: stats.bytes,
    types: stats.types,
    timeRange: Number.isNaN(stats.minTime) ? null : { start: toIso(stats.minTime), end: toIso(stats.maxTime) },
    errorSamples,
  };
}
