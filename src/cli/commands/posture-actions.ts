/** `vigil audit`, `vigil posture scan | rules | collect` and `vigil collect` actions (registered in posture.ts). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { collect, SERVICES } from '../../posture/collect/index.js';
import { type Evaluation, evaluate, type RuleSelection, unusedTypes } from '../../posture/engine.js';
import { ComplianceStateStore, complianceChangeEvent, complianceChanges, publishToBus } from '../../posture/events.js';
import { InventoryBuilder } from '../../posture/inputs.js';
import type { Inventory } from '../../posture/model.js';
import { parseConformancePack } from '../../posture/packs/conformance.js';
import { PACKS, type PackPlan, planPack, rollUp } from '../../posture/packs/index.js';
import { toCsv } from '../../posture/report/csv.js';
import { renderHtmlReport } from '../../posture/report/html.js';
import { toAsff, toOcsf } from '../../posture/report/index.js';
import { packScore, ruleRows, tally } from '../../posture/report/score.js';
import { ALL_RULES } from '../../posture/rules/index.js';
import { failing, parseSeverity, selectRules, sortEvaluations, summarize } from '../../posture/scan.js';
import { createBaseline } from '../../posture/suppress.js';
import { prepareBusTargets } from '../bus-targets.js';
import { writeOutput } from '../output.js';
import { ErrorPrinter, progressEnabled } from '../report-errors.js';
import { writeOut } from '../stdout.js';
import { applyBaselineFile, applySuppressionsFile } from '../suppress-options.js';
import { renderTable } from '../tables.js';
import { VERSION } from '../version.js';

interface LiveOptions {
  region?: string[];
  endpointUrl?: string;
  profile?: string;
  services?: string;
  timeout?: string;
  quiet?: boolean;
}

async function runCollect(o: LiveOptions) {
  const regions = o.region?.length
    ? o.region
    : [process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'];
  const timeoutMs = Number(o.timeout ?? 15000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(`--timeout must be a positive integer, got "${o.timeout}"`);
  const services = o.services
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of services ?? [])
    if (!(SERVICES as readonly string[]).includes(s))
      throw new UsageError(`unknown service "${s}" (known: ${SERVICES.join(', ')})`);
  const show = progressEnabled(Boolean(o.quiet));
  const res = await collect({
    regions,
    endpoint: o.endpointUrl,
    profile: o.profile,
    services,
    timeoutMs,
    onProgress: show
      ? (p) => process.stderr.write(`collected ${p.service} ${p.region}: ${p.items} items\n`)
      : undefined,
  });
  for (const e of res.snapshot.errors)
    process.stderr.write(`vigil: collect ${e.service} ${e.region} ${e.operation}: ${e.reason}\n`);
  return res;
}

const FORMATS = ['table', 'json', 'jsonl', 'ocsf', 'asff', 'csv', 'html'] as const;

interface AuditOptions extends LiveOptions {
  snapshot?: string[];
  collect?: boolean;
  rules?: string;
  pack?: string;
  suppressions?: string;
  baseline?: string;
  createBaseline?: string;
  param?: string[];
  format: string;
  delimiter: string;
  output?: string;
  status?: string;
  failOn?: string;
  now?: string;
  state?: string;
  publish?: boolean;
  busConfig?: string;
  eventBusName?: string;
  /** posture scan's original JSON: `{summary, packs?, evaluations[]}` with full evaluations (kept stable). */
  jsonDocument?: boolean;
}

function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(e as Error).message}`);
  }
}

/** A conformance-pack file as a plan: one control per ConfigRuleName, so it scores like a built-in pack. */
function conformancePlan(file: string, selections: RuleSelection[]): PackPlan {
  const controls = selections.map((s) => ({
    id: s.configRuleName ?? s.rule.meta.name,
    title: s.rule.meta.title,
    automated: true,
    rules: [],
  }));
  const rulesOf = new Map(controls.map((c) => [c.id, [c.id]]));
  const controlsOf = new Map(controls.map((c) => [c.id, [c.id]]));
  return { pack: { id: basename(file), title: file, controls }, selections, rulesOf, controlsOf, errors: [] };
}

function chooseRules(o: AuditOptions): { selections: RuleSelection[]; plans: PackPlan[]; chosen: boolean } {
  if (o.pack) {
    if (o.rules || o.param) throw new UsageError('--pack cannot be combined with --rules or --param');
    if (PACKS[o.pack]) {
      const plan = planPack(PACKS[o.pack]!);
      return { selections: plan.selections, plans: [plan], chosen: true };
    }
    if (existsSync(o.pack)) {
      const r = parseConformancePack(readText('--pack', o.pack), o.pack);
      for (const issue of r.issues) process.stderr.write(`vigil: ${issue}\n`);
      return { selections: r.selections, plans: [conformancePlan(o.pack, r.selections)], chosen: true };
    }
    throw new UsageError(
      `--pack: no built-in pack or file named "${o.pack}" (built-in: ${Object.keys(PACKS).join(', ')})`,
    );
  }
  const selections = selectRules(
    o.rules
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    o.param,
  );
  // Without --pack, every built-in pack is scored from the evaluations of its rules that ran.
  return { selections, plans: Object.values(PACKS).map(planPack), chosen: false };
}

async function loadInputs(o: AuditOptions): Promise<Inventory> {
  if (o.collect) {
    const res = await runCollect(o);
    const b = new InventoryBuilder(() => {});
    b.addDocument(JSON.parse(JSON.stringify(res.snapshot)), '<live>');
    return b.build();
  }
  const printer = new ErrorPrinter();
  const b = new InventoryBuilder(printer.issue);
  for (const f of o.snapshot ?? []) b.addFile(f);
  printer.finish();
  return b.build();
}

/** The list `--format json` prints: the evaluation fields of issue 6 §3 (plus the suppression/baseline flags). */
function jsonEvaluation(e: Evaluation): Record<string, unknown> {
  return {
    configRuleName: e.configRuleName,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    complianceType: e.complianceType,
    annotation: e.annotation,
    severity: e.severity,
    ...(e.suppressed ? { suppressed: e.suppressed } : {}),
    ...(e.baseline ? { baseline: true } : {}),
  };
}

const fmtScore = (s: number | null) => (s === null ? 'n/a' : `${s}%`);

export async function audit(o: AuditOptions): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(o.format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${o.format}"`);
  if (Boolean(o.collect) === (o.snapshot?.length ?? 0) > 0)
    throw new UsageError('give snapshot files or --collect (exactly one of them)');
  if (o.delimiter.length !== 1 || /["\r\n]/.test(o.delimiter))
    throw new UsageError(`--delimiter must be one character other than a quote or newline, got "${o.delimiter}"`);
  if (o.publish && !o.busConfig)
    throw new UsageError('--publish needs --bus-config FILE (the bus rules and targets to route the events through)');
  const publishing = Boolean(o.busConfig);
  const busText = o.busConfig ? readText('--bus-config', o.busConfig) : undefined;
  const threshold = o.failOn ? parseSeverity(o.failOn) : undefined;
  const now = o.now ? Date.parse(o.now) : undefined;
  if (o.now && Number.isNaN(now)) throw new UsageError(`--now is not a valid time: "${o.now}"`);
  const statuses = o.status?.split(',').map((s) => s.trim().toUpperCase());
  const { selections, plans, chosen } = chooseRules(o);
  const invokedAt = new Date().toISOString();
  const inv = await loadInputs(o);
  const result = evaluate(inv, selections, { now });
  if (result.errors.length > 0) throw new UsageError(result.errors.join('; '));
  const skipped = unusedTypes(inv, result.typesUsed);
  if (skipped.size > 0)
    process.stderr.write(
      `vigil: not evaluated (no selected rule covers these resource types): ${[...skipped]
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([t, n]) => `${t} ×${n}`)
        .join(', ')}\n`,
    );
  const clock = now ?? (inv.capturedAt ? Date.parse(inv.capturedAt) : Date.now());
  if (o.suppressions)
    applySuppressionsFile(result.evaluations, readText('--suppressions', o.suppressions), o.suppressions, clock);
  if (o.baseline) applyBaselineFile(result.evaluations, () => readText('--baseline', o.baseline!), o.baseline);
  if (o.createBaseline)
    writeFileSync(o.createBaseline, `${JSON.stringify(createBaseline(result.evaluations), null, 2)}\n`);
  const all = sortEvaluations(result.evaluations);
  const busConfigFailed = o.state || publishing ? await reportChanges(o, all, invokedAt, busText) : false;
  const shown = statuses ? all.filter((e) => statuses.includes(e.complianceType)) : all;
  const summary = summarize(all, selections.length);
  const packs = plans.map((p) => packScore(p, all)).filter((p) => chosen || p.rulesEvaluated > 0);
  const toFile = o.output !== undefined && o.output !== '-';
  const chunks: string[] = [];
  const emit = async (text: string) => {
    if (toFile) chunks.push(text);
    else await writeOut(text);
  };
  if (o.format === 'json' && o.jsonDocument)
    await emit(
      `${JSON.stringify({ summary, ...(chosen ? { packs: [rollUp(plans[0]!, all)] } : {}), evaluations: shown }, null, 2)}\n`,
    );
  else if (o.format === 'json') await emit(`${JSON.stringify(shown.map(jsonEvaluation), null, 2)}\n`);
  else if (o.format === 'jsonl') for (const e of shown) await emit(`${JSON.stringify(e)}\n`);
  else if (o.format === 'ocsf') for (const e of shown) await emit(`${JSON.stringify(toOcsf(e, VERSION))}\n`);
  else if (o.format === 'asff') await emit(`${JSON.stringify(shown.map(toAsff), null, 2)}\n`);
  else if (o.format === 'csv') await emit(toCsv(shown, o.delimiter));
  else if (o.format === 'html')
    await emit(
      renderHtmlReport({
        title: 'Vigil posture report',
        generatedAt: new Date().toISOString(),
        version: VERSION,
        sources: o.collect ? ['live collection'] : (o.snapshot ?? []),
        evaluations: shown,
        overall: tally(all),
        packs,
        rules: ruleRows(all),
      }),
    );
  else {
    await emit(
      renderTable(
        ['compliance', 'severity', 'rule', 'resource type', 'resource', 'annotation'],
        shown.map((e) => [
          `${e.complianceType}${e.suppressed ? ' (suppressed)' : e.baseline ? ' (baseline)' : ''}`,
          e.severity,
          e.configRuleName,
          e.resourceType,
          e.resourceName ?? e.resourceId,
          e.annotation,
        ]),
      ),
    );
    const c = summary.byCompliance;
    await emit(
      `\n${summary.rules} rules, ${summary.resources} resources, ${summary.evaluations} evaluations: ` +
        `${c.NON_COMPLIANT} NON_COMPLIANT, ${c.COMPLIANT} COMPLIANT, ${c.INSUFFICIENT_DATA} INSUFFICIENT_DATA, ${c.NOT_APPLICABLE} NOT_APPLICABLE; ` +
        `score ${fmtScore(tally(all).score)}\n`,
    );
    for (const p of packs) {
      const ctl = chosen ? rollUp(plans[0]!, all) : undefined;
      await emit(
        `\n${p.pack}: score ${fmtScore(p.score)} (${p.compliant} compliant, ${p.nonCompliant} non-compliant evaluations; ` +
          `${p.rulesEvaluated} of ${p.rules} rules evaluated)${ctl ? `; controls passing ${fmtScore(ctl.score)}` : ''}\n`,
      );
      if (chosen)
        await emit(
          renderTable(
            ['control', 'status', 'failing', 'title'],
            p.controls.map((x) => [x.id, x.status, x.nonCompliant, x.note ? `${x.title} (${x.note})` : x.title]),
          ),
        );
    }
  }
  if (toFile) await writeOutput(chunks.join(''), o.output);
  if (o.format !== 'table' || toFile) {
    const c = summary.byCompliance;
    process.stderr.write(
      `vigil: ${summary.rules} rules, ${summary.resources} resources, ${summary.evaluations} evaluations: ` +
        `${c.NON_COMPLIANT} NON_COMPLIANT, ${c.COMPLIANT} COMPLIANT, ${c.INSUFFICIENT_DATA} INSUFFICIENT_DATA, ${c.NOT_APPLICABLE} NOT_APPLICABLE\n`,
    );
  }
  if (threshold && failing(all, threshold).length > 0) process.exitCode = 1;
  if (busConfigFailed) process.exitCode = 2;
}

/** Compare with --state, publish the changes when a bus is configured, then record this run as the new state. */
async function reportChanges(
  o: AuditOptions,
  all: Evaluation[],
  invokedAt: string,
  busText?: string,
): Promise<boolean> {
  let busConfigFailed = false;
  const store = o.state ? new ComplianceStateStore(o.state) : undefined;
  try {
    const times = { invokedAt, recordedAt: new Date().toISOString() };
    const changes = complianceChanges((k) => store?.get(k), all, times);
    let line = `vigil: ${changes.length} compliance changes${store ? ` since the previous run in ${o.state}` : ''}`;
    if (busText !== undefined) {
      const events = changes.map((c) => complianceChangeEvent(c));
      await prepareBusTargets();
      const r = await publishToBus({ text: busText, file: o.busConfig! }, events, { busName: o.eventBusName });
      for (const i of r.issues) process.stderr.write(`vigil: ${i}\n`);
      for (const f of r.failures.slice(0, 20)) process.stderr.write(`vigil: delivery failed: ${f}\n`);
      line += `; published ${r.events} events: ${r.routed} deliveries, ${r.delivered} delivered, ${r.deadLettered} dead-lettered, ${r.dropped} dropped, ${r.pending} pending`;
      // As vigil detect --route: a bus config item that did not load is a configuration error (exit 2 at the end).
      if (r.issues.length > 0) busConfigFailed = true;
    }
    process.stderr.write(`${line}\n`);
    store?.record(all, times);
  } finally {
    store?.close();
  }
  return busConfigFailed;
}

/**
 * `vigil demo`'s posture section: audit the bundled AWS Config snapshot with every rule and print the failures, the
 * counts and the pack scores (the same evaluation path as vigil audit).
 */
export async function writePostureDemo(snapshotFile: string): Promise<void> {
  const printer = new ErrorPrinter();
  const b = new InventoryBuilder(printer.issue);
  b.addFile(snapshotFile);
  printer.finish();
  const inv = b.build();
  const selections = selectRules(undefined);
  const all = sortEvaluations(evaluate(inv, selections).evaluations);
  const failures = all.filter((e) => e.complianceType === 'NON_COMPLIANT');
  const t = tally(all);
  await writeOut(
    `\nPosture: ${selections.length} AWS Config rules on the example Config snapshot (${inv.items.length} resources); ` +
      `\`vigil audit --snapshot ${snapshotFile} -f html -o report.html\` writes the full report:\n\n`,
  );
  await writeOut(
    renderTable(
      ['severity', 'rule', 'resource type', 'resource', 'annotation'],
      failures.map((e) => [e.severity, e.configRuleName, e.resourceType, e.resourceName ?? e.resourceId, e.annotation]),
    ),
  );
  await writeOut(
    `\n${t.nonCompliant} NON_COMPLIANT, ${t.compliant} COMPLIANT, ${t.insufficientData} INSUFFICIENT_DATA, ` +
      `${t.notApplicable} NOT_APPLICABLE; score ${fmtScore(t.score)}\n`,
  );
  for (const plan of Object.values(PACKS).map(planPack)) {
    const p = packScore(plan, all);
    if (p.rulesEvaluated > 0)
      await writeOut(
        `${p.pack}: score ${fmtScore(p.score)} over the ${p.rulesEvaluated} of its ${p.rules} rules that ran\n`,
      );
  }
}

export const scanAction = async (inputs: string[], o: AuditOptions & { live?: boolean }) =>
  audit({ ...o, snapshot: inputs, collect: o.live, jsonDocument: true });

export const rulesAction = async (o: { format: string }) => {
  if (o.format === 'json')
    await writeOut(
      `${JSON.stringify(
        ALL_RULES.map((r) => r.meta),
        null,
        2,
      )}\n`,
    );
  else if (o.format === 'table')
    await writeOut(
      renderTable(
        ['rule', 'identifier', 'severity', 'resource types'],
        ALL_RULES.map((r) => [r.meta.name, r.meta.identifier, r.meta.severity, r.meta.resourceTypes.join(' ')]),
      ),
    );
  else throw new UsageError(`--format must be table or json, got "${o.format}"`);
};

export async function collectSnapshot(o: LiveOptions & { output?: string }): Promise<void> {
  const res = await runCollect(o);
  const text = `${JSON.stringify(res.snapshot, null, 2)}\n`;
  await writeOutput(text, o.output || undefined);
  process.stderr.write(
    `vigil: collected ${res.snapshot.configurationItems.length} configuration items with ${res.totalCalls} API calls` +
      `${res.snapshot.errors.length ? `; ${res.snapshot.errors.length} partial failures` : ''}\n`,
  );
}
