/**
 * `vigil detect` action: config resolution, detection run, output formats, routing and exit codes (registered in
 * detect.ts).
 */
import type { Command } from 'commander';
import { type ResolvedConfig, resolveConfig } from '../../config/load.js';
import { UsageError } from '../../core/errors.js';
import { parseTimeBound } from '../../core/time.js';
import type { DetectConfig } from '../../detect/config.js';
import { formatRouteSummary, readRouteConfig, routeFindings } from '../../detect/route.js';
import {
  failsOn,
  loadParamsFile,
  parseParamFlag,
  runDetection,
  validateParams,
  visibleFindings,
} from '../../detect/run.js';
import { parseSeverityLabel } from '../../detect/types.js';
import { formatIssue as formatRuleIssue } from '../../netfw/lint-files.js';
import { toAsff, toEventBridge, toJsonDocument, toJsonLines, toOcsf } from '../../report/findings.js';
import { formatFindingsTable } from '../../report/table.js';
import { formatSigmaIssue } from '../../sigma/report.js';
import { prepareBusTargets } from '../bus-targets.js';
import { ErrorPrinter } from '../report-errors.js';
import { cliOverrides, ingestOptionsFrom } from '../resolve-options.js';
import { writeOut } from '../stdout.js';
import { VERSION } from '../version.js';

type Format = DetectConfig['format'];

/** Commander option → `detect.*` config key (CLI layer of the precedence chain; only flags actually given). */
const DETECT_KEYS: Record<string, keyof DetectConfig> = {
  format: 'format',
  explain: 'explain',
  showArchived: 'showArchived',
  source: 'source',
  intel: 'intel',
  bundledIntel: 'bundledIntel',
  geoip: 'geoip',
  awsIpRanges: 'awsIpRanges',
  state: 'state',
  suppress: 'suppress',
  localCidr: 'localCidrs',
  accountId: 'accountId',
  lateness: 'lateness',
  maxKeys: 'maxKeys',
  failOn: 'failOn',
  minSeverity: 'minSeverity',
  detectors: 'enabled',
  disable: 'disabled',
  builtin: 'builtin',
  params: 'params',
  sigma: 'sigma',
  sigmaPlaceholders: 'sigmaPlaceholders',
  sigmaPipeline: 'sigmaPipeline',
  suricata: 'suricata',
  nfwPolicy: 'nfwPolicy',
  nfwRuleGroup: 'nfwRuleGroups',
  homeNet: 'homeNet',
  classification: 'classification',
  route: 'route',
  eventBusName: 'eventBusName',
  routeTimeout: 'routeTimeout',
};

const idList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The effective config for a detect invocation: flags given on the command line override env, file, defaults. */
export function resolveDetectConfig(o: Record<string, unknown>, cmd: Command): ResolvedConfig {
  const cli: Record<string, unknown> = cliOverrides({ ...o, format: undefined });
  for (const [opt, key] of Object.entries(DETECT_KEYS)) {
    if (cmd.getOptionValueSource(opt) !== 'cli') continue;
    let v = o[opt];
    if ((opt === 'detectors' || opt === 'disable' || opt === 'homeNet') && typeof v === 'string') v = idList(v);
    if (opt === 'maxKeys' && typeof v === 'string') v = Number(v);
    cli[`detect.${key}`] = v;
  }
  if (o.onlySigma === true) cli['detect.builtin'] = false;
  return resolveConfig({ configFile: o.config as string | undefined, cli });
}

function durationMs(flag: string, text: string): number {
  // Reuse the relative-time grammar of --since (15m, 36h, 7d): now − (now − d) = d.
  const now = 1_000_000_000_000_000;
  const t = parseTimeBound(text, now);
  if (Number.isNaN(t) || !/^\d+[smhd]$/.test(text))
    throw new UsageError(`${flag} expects a duration such as 30m, 1h or 2d, got "${text}"`);
  return now - t;
}

export const detectAction = async (inputs: string[], o: Record<string, unknown>, cmd: Command) => {
  const resolved = resolveDetectConfig(o, cmd);
  const dc = resolved.config.detect;
  const format = dc.format as Format;
  const ingest = ingestOptionsFrom(resolved, o.where);
  const quiet = resolved.config.output.quiet;
  if (o.onlySigma === true && !(dc.sigma && dc.sigma.length > 0))
    throw new UsageError('--only-sigma needs --sigma <rules> (or detect.sigma in the config)');
  const hasSuricata = Boolean(dc.suricata?.length || dc.nfwPolicy || dc.nfwRuleGroups?.length);
  if (format === 'eve' && !hasSuricata)
    throw new UsageError('--format eve writes Suricata alerts: give --suricata, --nfw-policy or --nfw-rule-group');
  if (dc.nfwPolicy && !dc.nfwRuleGroups?.length && !dc.suricata?.length)
    throw new UsageError('--nfw-policy needs the rule groups it references (--nfw-rule-group FILE...)');
  const printer = new ErrorPrinter(format === 'table' ? 20 : 100);
  let params: Record<string, Record<string, unknown>> = { ...dc.detectors };
  if (dc.params) {
    for (const [id, v] of Object.entries(loadParamsFile(dc.params))) params[id] = { ...(params[id] ?? {}), ...v };
  }
  for (const flag of (o.param as string[] | undefined) ?? []) {
    const [id, name, value] = parseParamFlag(flag);
    params = { ...params, [id]: { ...(params[id] ?? {}), [name]: value } };
  }
  for (const id of [...(dc.enabled ?? []), ...(dc.disabled ?? [])])
    validateParams({ [id]: {} }, '--detectors/--disable');
  const routeText = dc.route ? readRouteConfig(dc.route) : undefined;
  const eve: string[] = [];
  let ruleErrors = 0;

  const run = await runDetection(inputs, {
    intel: dc.intel,
    noBundledIntel: dc.bundledIntel === false,
    geoip: dc.geoip,
    awsIpRanges: dc.awsIpRanges,
    state: dc.state,
    suppress: dc.suppress,
    params: validateParams(params, dc.params ? `--params ${dc.params}` : '--param'),
    enabled: dc.enabled,
    disabled: dc.disabled,
    builtin: dc.builtin,
    localCidrs: dc.localCidrs,
    accountId: dc.accountId,
    region: resolved.config.aws.region,
    allowedLatenessMs: durationMs('--lateness', dc.lateness),
    maxKeys: dc.maxKeys,
    sigma: dc.sigma,
    sigmaPlaceholders: dc.sigmaPlaceholders,
    sigmaPipeline: dc.sigmaPipeline,
    suricata: dc.suricata,
    nfwPolicy: dc.nfwPolicy,
    nfwRuleGroups: dc.nfwRuleGroups,
    homeNet: dc.homeNet,
    classification: dc.classification,
    ...(format === 'eve' ? { onEve: (e: Record<string, unknown>) => void eve.push(JSON.stringify(e)) } : {}),
    ingest,
    onParseError: printer.issue,
    onIntelIssue: (i) => printer.issue({ file: i.file, line: i.line, reason: `intel: ${i.reason}` }),
    onSigmaIssue: (i) => {
      if (i.severity === 'error') ruleErrors++;
      process.stderr.write(`vigil: sigma: ${formatSigmaIssue(i)}\n`);
    },
    onRuleIssue: (i) => {
      if (!('severity' in i) || i.severity === 'error') ruleErrors++;
      process.stderr.write(
        `vigil: suricata: ${'severity' in i ? formatRuleIssue(i) : `${i.file}:${i.line}: ${i.reason}`}\n`,
      );
    },
  });
  printer.finish();
  const minSeverity = dc.minSeverity ? parseSeverityLabel(dc.minSeverity) : undefined;
  const failOn = dc.failOn ? parseSeverityLabel(dc.failOn) : undefined;
  const shown = visibleFindings(run.result.findings, minSeverity, dc.showArchived);
  const gated = visibleFindings(run.result.findings, minSeverity, false);
  switch (format) {
    case 'table':
      await writeOut(formatFindingsTable(shown, { explain: dc.explain }));
      break;
    case 'json':
      await writeOut(
        toJsonDocument(shown, {
          stats: { ingest: run.ingest.stats.records, detect: run.result.stats, sources: run.sources },
        }),
      );
      break;
    case 'jsonl':
      await writeOut(toJsonLines(shown));
      break;
    case 'eventbridge':
      await writeOut(shown.map((f) => `${JSON.stringify(toEventBridge(f, dc.source))}\n`).join(''));
      break;
    case 'ocsf':
      await writeOut(shown.map((f) => `${JSON.stringify(toOcsf(f, VERSION))}\n`).join(''));
      break;
    case 'asff':
      await writeOut(`${JSON.stringify({ Findings: shown.map(toAsff) }, null, 2)}\n`);
      break;
    case 'eve':
      await writeOut(eve.map((l) => `${l}\n`).join(''));
      break;
  }
  const st = run.result.stats;
  if (!quiet) {
    const ev = st.evictions;
    process.stderr.write(
      `vigil detect: ${st.records} records, ${run.ingest.stats.errors} rejected, ${st.detectors} detectors, ` +
        `${run.result.findings.length} findings (${st.newFindings} new, ${st.updatedFindings} updated, ${st.archived} archived)` +
        `${st.lateRecords ? `, ${st.lateRecords} late records` : ''}${ev.lru ? `, ${ev.lru} state entries evicted (memory bound)` : ''}\n`,
    );
    const sg = run.sources.sigma;
    if (sg)
      process.stderr.write(
        `vigil detect: sigma: ${sg.rules} rules, ${sg.correlations} correlations loaded (${sg.errors} errors); ` +
          `${sg.stats.matches} matches, ${sg.stats.correlations} correlations fired\n`,
      );
    const su = run.sources.suricata;
    if (su)
      process.stderr.write(
        `vigil detect: suricata: ${su.evaluableRules} rules evaluated, ${su.notEvaluable} not evaluable on logs` +
          `${su.classification ? ` (classification ${su.classification})` : ''}; ${su.stats.observations} observations, ` +
          `${su.stats.alerts} alerts; verdicts ${Object.entries(su.stats.verdicts)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}\n`,
      );
    for (const e of st.detectorErrors.slice(0, 10))
      process.stderr.write(`vigil: detector ${e.detector} failed on ${e.file}:${e.line}: ${e.reason}\n`);
  }
  let routeFailed = false;
  if (routeText !== undefined && dc.route) {
    // Routing publishes what detection found (unarchived, at or above --min-severity), as GuardDuty would.
    await prepareBusTargets();
    const r = await routeFindings(
      gated,
      { text: routeText, file: dc.route },
      {
        busName: dc.eventBusName,
        source: dc.source,
        budgetMs: durationMs('--route-timeout', dc.routeTimeout),
        ...(resolved.config.aws.region ? { region: resolved.config.aws.region } : {}),
        account: dc.accountId,
      },
    );
    for (const i of r.issues) process.stderr.write(`vigil: --route ${i}\n`);
    for (const f of r.failures.slice(0, 20)) process.stderr.write(`vigil: --route ${f}\n`);
    process.stderr.write(`${formatRouteSummary(r)}\n`);
    // A bus config item that did not load is a configuration error; failed deliveries are reported above.
    routeFailed = r.issues.length > 0;
  }
  if (ruleErrors > 0 || routeFailed || (resolved.config.logs.strict && run.ingest.stats.errors > 0))
    process.exitCode = 2;
  else if (failsOn(gated, failOn)) process.exitCode = 1;
};
