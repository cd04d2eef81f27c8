/**
 * Library entry points for detection over inputs (files, directories, S3, stdin): load intel, GeoIP, AWS ranges,
 * suppressions and parameters, stream every record through the engine, and return the findings. Used by
 * `vigil detect` and `vigil demo`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError, VigilError } from '../core/errors.js';
import type { IngestOptions } from '../ingest/pipeline.js';
import { ingestAll, type RunResult } from '../ingest/run.js';
import type { ParseIssue } from '../ingest/types.js';
import { formatFindingsTable } from '../report/table.js';
import { ALL_DETECTORS } from './detectors/index.js';
import { DetectionEngine, type DetectResult, type EngineOptions } from './engine.js';
import { openGeo } from './geo.js';
import { bundledIntel, type IntelIssue, loadIntelText, parseIntelSpec, ThreatIntel } from './intel.js';
import { loadAwsIpRanges } from './ip-ranges.js';
import { openStateStore } from './state.js';
import { loadSuppressionFile, type SuppressionRule } from './suppress.js';
import { type Finding, type ParamValue, SEVERITY_FLOOR, type SeverityLabel } from './types.js';

export interface DetectRunOptions {
  /** `[category:]path` threat lists (plain text, OTX CSV, Proofpoint/FireEye CSV). */
  intel?: string[];
  /** Skip the bundled mining-pool / DoH / dynamic-DNS lists. */
  noBundledIntel?: boolean;
  /** MaxMind-format databases (City, ASN …) added to the bundled country database. */
  geoip?: string[];
  noBundledGeoip?: boolean;
  /** AWS ip-ranges.json (for InstanceCredentialExfiltration.OutsideAWS). */
  awsIpRanges?: string;
  /** SQLite state file (baselines, aggregated findings, open windows). */
  state?: string;
  /** Suppression (auto-archive) filter files. */
  suppress?: string[];
  params?: Record<string, Record<string, ParamValue>>;
  enabled?: string[];
  disabled?: string[];
  localCidrs?: string[];
  accountId?: string;
  region?: string;
  allowedLatenessMs?: number;
  maxKeys?: number;
  ingest?: IngestOptions;
  onParseError?(issue: ParseIssue): void;
  onIntelIssue?(issue: IntelIssue): void;
}

export interface DetectRun {
  result: DetectResult;
  ingest: RunResult;
  intelIssues: IntelIssue[];
  intelLists: number;
}

export function loadIntel(specs: string[], bundled = true): { intel: ThreatIntel; issues: IntelIssue[] } {
  const intel = bundled ? bundledIntel() : new ThreatIntel();
  const issues: IntelIssue[] = [];
  for (const spec of specs) {
    const { category, path } = parseIntelSpec(spec);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new VigilError(`--intel ${path}: cannot read: ${(err as Error).message}`);
    }
    issues.push(...loadIntelText(intel, text, basename(path), path, category));
  }
  return { intel, issues };
}

/** Check parameter overrides against detector metadata: known detector, known parameter, same type as the default. */
export function validateParams(
  params: Record<string, Record<string, unknown>>,
  where: string,
): Record<string, Record<string, ParamValue>> {
  const out: Record<string, Record<string, ParamValue>> = {};
  for (const [id, values] of Object.entries(params ?? {})) {
    const d = ALL_DETECTORS.find((x) => x.meta.id === id);
    if (!d) throw new UsageError(`${where}: unknown detector "${id}" (see docs/detectors.md)`);
    if (!values || typeof values !== 'object')
      throw new UsageError(`${where}: ${id} must map parameter names to values`);
    out[id] = {};
    for (const [name, value] of Object.entries(values)) {
      const spec = d.meta.params[name];
      if (!spec)
        throw new UsageError(
          `${where}: detector ${id} has no parameter "${name}" (has: ${Object.keys(d.meta.params).join(', ') || 'none'})`,
        );
      const want = Array.isArray(spec.default) ? 'array' : typeof spec.default;
      const got = Array.isArray(value) ? 'array' : typeof value;
      if (want !== got) throw new UsageError(`${where}: ${id}.${name} must be a ${want}, got ${JSON.stringify(value)}`);
      out[id][name] = value as ParamValue;
    }
  }
  return out;
}

/** `detector.param=value` (value as YAML: numbers, booleans, [lists]). */
export function parseParamFlag(flag: string): [string, string, unknown] {
  const eq = flag.indexOf('=');
  const dot = flag.indexOf('.');
  if (eq < 0 || dot < 0 || dot > eq) throw new UsageError(`--param "${flag}": expected detector.parameter=value`);
  return [flag.slice(0, dot), flag.slice(dot + 1, eq), parseYaml(flag.slice(eq + 1))];
}

export function loadParamsFile(file: string): Record<string, Record<string, unknown>> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--params ${file}: ${(err as Error).message}`);
  }
  const root = (doc as { detectors?: unknown })?.detectors ?? doc;
  if (!root || typeof root !== 'object') throw new UsageError(`--params ${file}: expected a map of detector ids`);
  return root as Record<string, Record<string, unknown>>;
}

export async function runDetection(inputs: string[], o: DetectRunOptions = {}): Promise<DetectRun> {
  const { intel, issues } = loadIntel(o.intel ?? [], !o.noBundledIntel);
  for (const i of issues) o.onIntelIssue?.(i);
  const suppressions: SuppressionRule[] = (o.suppress ?? [])
    .flatMap(loadSuppressionFile)
    .sort((a, b) => a.rank - b.rank);
  const engineOpts: EngineOptions = {
    intel,
    geo: openGeo(o.geoip ?? [], !o.noBundledGeoip),
    awsRanges: o.awsIpRanges ? loadAwsIpRanges(o.awsIpRanges) : undefined,
    suppressions,
    params: o.params,
    enabled: o.enabled,
    disabled: o.disabled,
    localCidrs: o.localCidrs,
    accountId: o.accountId,
    region: o.region,
    allowedLatenessMs: o.allowedLatenessMs,
    maxKeys: o.maxKeys,
  };
  const store = openStateStore(o.state);
  let result: DetectResult;
  let ingest: RunResult;
  try {
    const engine = new DetectionEngine({ ...engineOpts, store });
    ingest = await ingestAll(
      inputs,
      o.ingest ?? {},
      { record: (r) => engine.process(r), error: o.onParseError },
      { job: 'records' },
    );
    result = engine.finish();
  } finally {
    store.close();
  }
  return { result, ingest, intelIssues: issues, intelLists: intel.lists.size };
}

/** Findings shown after `--min-severity` and archive filtering. */
export function visibleFindings(findings: Finding[], minSeverity?: SeverityLabel, showArchived = false): Finding[] {
  const floor = minSeverity ? SEVERITY_FLOOR[minSeverity] : 0;
  return findings.filter((f) => f.severity >= floor && (showArchived || !f.service.archived));
}

/** True when any unarchived finding is at or above the `--fail-on` band. */
export function failsOn(findings: Finding[], failOn?: SeverityLabel): boolean {
  if (!failOn) return false;
  const floor = SEVERITY_FLOOR[failOn];
  return findings.some((f) => !f.service.archived && f.severity >= floor);
}

/** One-call summary for `vigil demo`: run detection on inputs and return the table text with the findings. */
export async function detectSummary(
  inputs: string[],
  opts: DetectRunOptions = {},
): Promise<{ text: string; findings: Finding[]; result: DetectResult }> {
  const run = await runDetection(inputs, opts);
  const findings = visibleFindings(run.result.findings);
  return { text: formatFindingsTable(findings), findings, result: run.result };
}
