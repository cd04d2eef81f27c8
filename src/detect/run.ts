/**
 * Library entry points for detection over inputs (files, directories, S3, stdin): load intel, GeoIP, AWS ranges,
 * suppressions and parameters, stream every record through the engine, and return the findings. Used by
 * `vigil detect` and `vigil demo`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError, VigilError } from '../core/errors.js';
import type { IngestOptions } from '../ingest/pipeline.js';
import { ingestAll, type RunResult } from '../ingest/run.js';
import type { ParseIssue } from '../ingest/types.js';
import { type Classification, type ClassificationIssue, parseClassification } from '../netfw/eve.js';
import { type FirewallSetup, loadFirewall } from '../netfw/setup.js';
import type { RuleIssue } from '../netfw/types.js';
import { formatFindingsTable } from '../report/table.js';
import { loadSigmaSetup, type SigmaSetup } from '../sigma/setup.js';
import type { SigmaIssue } from '../sigma/types.js';
import { ALL_DETECTORS } from './detectors/index.js';
import { DetectionEngine, type DetectResult, type EngineOptions } from './engine.js';
import { openGeo } from './geo.js';
import { bundledIntel, type IntelIssue, loadIntelText, parseIntelSpec, ThreatIntel } from './intel.js';
import { loadAwsIpRanges } from './ip-ranges.js';
import { type SigmaStats, sigmaDetector } from './sources/sigma.js';
import { type SuricataStats, suricataDetector } from './sources/suricata.js';
import { openStateStore } from './state.js';
import { loadSuppressionFile, type SuppressionRule } from './suppress.js';
import { type Detector, type Finding, type ParamValue, SEVERITY_FLOOR, type SeverityLabel } from './types.js';

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
  /** Run the built-in detectors (default true; false runs only Sigma / Suricata rules). */
  builtin?: boolean;
  /** Sigma rule files or directories: matches and correlations become findings. */
  sigma?: string[];
  sigmaPlaceholders?: string;
  sigmaPipeline?: string[];
  /** Suricata rules files: alerts on observations derived from the logs become findings. */
  suricata?: string[];
  nfwPolicy?: string;
  nfwRuleGroups?: string[];
  homeNet?: string[];
  /** Suricata classification.config (default: the one beside the first rules file, when present). */
  classification?: string;
  /** Every Suricata alert as an NFW-wrapped EVE JSON event. */
  onEve?(event: Record<string, unknown>): void;
  onParseError?(issue: ParseIssue): void;
  onIntelIssue?(issue: IntelIssue): void;
  onSigmaIssue?(issue: SigmaIssue): void;
  onRuleIssue?(issue: RuleIssue | ClassificationIssue): void;
}

/** What the rule-based sources loaded and produced. */
export interface SourcesReport {
  sigma?: { rules: number; correlations: number; errors: number; stats: SigmaStats };
  suricata?: {
    evaluableRules: number;
    notEvaluable: number;
    errors: number;
    classification?: string;
    stats: SuricataStats;
  };
}

export interface DetectRun {
  result: DetectResult;
  sources: SourcesReport;
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

/** `--suricata` paths with directories expanded to their `*.rules` files (sorted, not recursive). */
export function suricataFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let dir = false;
    try {
      dir = statSync(p).isDirectory();
    } catch {
      // A missing file is reported by the loader with its name.
    }
    if (!dir) out.push(p);
    else for (const f of readdirSync(p).sort()) if (f.endsWith('.rules')) out.push(join(p, f));
  }
  return out;
}

/** The classification.config to use: the one given, else one beside the first rules file. */
function classificationFile(o: DetectRunOptions): string | undefined {
  if (o.classification) return o.classification;
  for (const f of [...(o.suricata ?? []), ...(o.nfwRuleGroups ?? [])]) {
    const c = join(existsSync(f) && statSync(f).isDirectory() ? f : dirname(f), 'classification.config');
    if (existsSync(c)) return c;
  }
  return undefined;
}

function loadClassification(
  file: string | undefined,
  onIssue: DetectRunOptions['onRuleIssue'],
): Map<string, Classification> {
  if (!file) return new Map();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError(`--classification ${file}: cannot read: ${(err as Error).message}`);
  }
  const r = parseClassification(text, file);
  for (const i of r.issues) onIssue?.(i);
  return r.classes;
}

/**
 * Sigma and Suricata sources as extra detectors (loaded and validated once; every problem goes to the callbacks,
 * a source whose rules all failed still runs with nothing).
 */
export function loadRuleSources(o: DetectRunOptions): { detectors: Detector[]; sources: SourcesReport } {
  const detectors: Detector[] = [];
  const sources: SourcesReport = {};
  if (o.sigma && o.sigma.length > 0) {
    const setup: SigmaSetup = loadSigmaSetup({
      rules: o.sigma,
      placeholdersFile: o.sigmaPlaceholders,
      pipelineFiles: o.sigmaPipeline,
    });
    for (const i of setup.issues) o.onSigmaIssue?.(i);
    const { detector, stats } = sigmaDetector(setup);
    detectors.push(detector);
    sources.sigma = {
      rules: setup.collection.rules.length,
      correlations: setup.collection.correlations.length,
      errors: setup.issues.filter((i) => i.severity === 'error').length,
      stats,
    };
  }
  if ((o.suricata && o.suricata.length > 0) || o.nfwPolicy || (o.nfwRuleGroups && o.nfwRuleGroups.length > 0)) {
    const fw: FirewallSetup = loadFirewall({
      ...(o.nfwPolicy ? { policy: o.nfwPolicy } : {}),
      ruleGroups: o.nfwRuleGroups ?? [],
      rules: suricataFiles(o.suricata ?? []),
      ...(o.homeNet ? { homeNet: o.homeNet } : {}),
    });
    for (const i of fw.issues) o.onRuleIssue?.(i);
    const file = classificationFile(o);
    const classes = loadClassification(file, o.onRuleIssue);
    const { detector, stats } = suricataDetector({
      firewall: fw,
      classes,
      ...(o.onEve ? { onEve: o.onEve } : {}),
    });
    detectors.push(detector);
    sources.suricata = {
      evaluableRules: fw.evaluableRules,
      notEvaluable: fw.notEvaluable.length,
      errors: fw.issues.filter((i) => i.severity === 'error').length,
      ...(file ? { classification: file } : {}),
      stats,
    };
  }
  return { detectors, sources };
}

export async function runDetection(inputs: string[], o: DetectRunOptions = {}): Promise<DetectRun> {
  const { intel, issues } = loadIntel(o.intel ?? [], !o.noBundledIntel);
  for (const i of issues) o.onIntelIssue?.(i);
  const suppressions: SuppressionRule[] = (o.suppress ?? [])
    .flatMap(loadSuppressionFile)
    .sort((a, b) => a.rank - b.rank);
  const rules = loadRuleSources(o);
  // Built-in detectors are filtered here so that --detectors/--disable never drop the rule-based sources.
  const builtin =
    o.builtin === false
      ? []
      : ALL_DETECTORS.filter(
          (d) => (o.enabled === undefined || o.enabled.includes(d.meta.id)) && !(o.disabled ?? []).includes(d.meta.id),
        );
  const engineOpts: EngineOptions = {
    detectors: [...builtin, ...rules.detectors],
    intel,
    geo: openGeo(o.geoip ?? [], !o.noBundledGeoip),
    awsRanges: o.awsIpRanges ? loadAwsIpRanges(o.awsIpRanges) : undefined,
    suppressions,
    params: o.params,
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
      { record: (r) => engine.process(r), flow: (row) => engine.processFlow(row), error: o.onParseError },
      { job: 'records' },
    );
    result = engine.finish();
  } finally {
    store.close();
  }
  return { result, sources: rules.sources, ingest, intelIssues: issues, intelLists: intel.lists.size };
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
