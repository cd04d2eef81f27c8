import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { collect, SERVICES } from '../../posture/collect/index.js';
import { evaluate, type RuleSelection } from '../../posture/engine.js';
import { InventoryBuilder } from '../../posture/inputs.js';
import type { Inventory } from '../../posture/model.js';
import { parseConformancePack } from '../../posture/packs/conformance.js';
import { PACKS, type PackPlan, type PackResult, planPack, rollUp } from '../../posture/packs/index.js';
import { toAsff, toOcsf } from '../../posture/report/index.js';
import { ALL_RULES } from '../../posture/rules/index.js';
import { failing, parseSeverity, selectRules, sortEvaluations, summarize } from '../../posture/scan.js';
import {
  applyBaseline,
  applySuppressions,
  type Baseline,
  createBaseline,
  parseSuppressions,
} from '../../posture/suppress.js';
import { ErrorPrinter, progressEnabled } from '../report-errors.js';
import { writeOut } from '../stdout.js';
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

function addLiveOptions(cmd: Command): Command {
  return cmd
    .option('--region <regions...>', 'regions to collect (default: AWS_REGION or us-east-1)')
    .option('--endpoint-url <url>', 'send every API call here (moto_server, LocalStack)')
    .option('--profile <name>', 'named profile from the shared AWS config')
    .option('--services <list>', `comma-separated subset of ${SERVICES.join(',')}`)
    .option('--timeout <ms>', 'per-call timeout in milliseconds', '15000')
    .option('-q, --quiet', 'no progress on stderr');
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

export function registerPosture(program: Command): void {
  const posture = program
    .command('posture')
    .description(
      'Config-style posture rules over AWS Config snapshots, history files, notifications or live collection',
    );

  addLiveOptions(
    posture
      .command('scan')
      .description('evaluate rules; exit 1 when a NON_COMPLIANT evaluation is at or above --fail-on')
      .argument(
        '[inputs...]',
        'Config snapshot/history files, change notifications (JSON or JSON Lines), Vigil snapshots',
      )
      .option('--live', 'collect through the AWS SDK instead of reading files')
      .option('--rules <list>', 'comma-separated rule names or identifiers (default: all)')
      .option(
        '--pack <pack>',
        `built-in pack (${Object.keys(PACKS).join(', ')}) or an AWS conformance-pack template file`,
      )
      .option('--param <specs...>', 'rule parameter override, rule:name=value (repeatable)')
      .option(
        '-f, --format <format>',
        'table, json, jsonl, ocsf (Compliance Finding 2003, JSON Lines) or asff (JSON array)',
        'table',
      )
      .option('--status <list>', 'only show these compliance types (comma-separated), e.g. NON_COMPLIANT')
      .option('--fail-on <severity>', 'exit 1 on NON_COMPLIANT at or above INFORMATIONAL|LOW|MEDIUM|HIGH|CRITICAL')
      .option(
        '--suppressions <file>',
        'YAML/JSON suppressions (rule, resource glob, tag, account, region, reason, expires)',
      )
      .option('--baseline <file>', 'fingerprints of known failures: they are flagged and do not gate')
      .option('--create-baseline <file>', 'write the current NON_COMPLIANT fingerprints to this file')
      .option('--now <time>', 'evaluation clock (ISO 8601); default: snapshot capture time'),
  ).action(
    async (
      inputs: string[],
      o: LiveOptions & {
        live?: boolean;
        rules?: string;
        pack?: string;
        suppressions?: string;
        baseline?: string;
        createBaseline?: string;
        param?: string[];
        format: string;
        status?: string;
        failOn?: string;
        now?: string;
      },
    ) => {
      if (!['table', 'json', 'jsonl', 'ocsf', 'asff'].includes(o.format))
        throw new UsageError(`--format must be table, json, jsonl, ocsf or asff, got "${o.format}"`);
      if (Boolean(o.live) === inputs.length > 0)
        throw new UsageError('give snapshot files or --live (exactly one of them)');
      const threshold = o.failOn ? parseSeverity(o.failOn) : undefined;
      const now = o.now ? Date.parse(o.now) : undefined;
      if (o.now && Number.isNaN(now)) throw new UsageError(`--now is not a valid time: "${o.now}"`);
      const statuses = o.status?.split(',').map((s) => s.trim().toUpperCase());
      let selections: RuleSelection[];
      let plan: PackPlan | undefined;
      if (o.pack) {
        if (o.rules || o.param) throw new UsageError('--pack cannot be combined with --rules or --param');
        if (PACKS[o.pack]) {
          plan = planPack(PACKS[o.pack]!);
          selections = plan.selections;
        } else if (existsSync(o.pack)) {
          const r = parseConformancePack(readFileSync(o.pack, 'utf8'), o.pack);
          for (const issue of r.issues) process.stderr.write(`vigil: ${issue}\n`);
          selections = r.selections;
        } else
          throw new UsageError(
            `--pack: no built-in pack or file named "${o.pack}" (built-in: ${Object.keys(PACKS).join(', ')})`,
          );
      } else
        selections = selectRules(
          o.rules
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          o.param,
        );
      let inv: Inventory;
      if (o.live) {
        const res = await runCollect(o);
        const b = new InventoryBuilder(() => {});
        b.addDocument(JSON.parse(JSON.stringify(res.snapshot)), '<live>');
        inv = b.build();
      } else {
        const printer = new ErrorPrinter();
        const b = new InventoryBuilder(printer.issue);
        for (const f of inputs) b.addFile(f);
        printer.finish();
        inv = b.build();
      }
      const result = evaluate(inv, selections, { now });
      if (result.errors.length > 0) throw new UsageError(result.errors.join('; '));
      const clock = now ?? (inv.capturedAt ? Date.parse(inv.capturedAt) : Date.now());
      if (o.suppressions) {
        let text: string;
        try {
          text = readFileSync(o.suppressions, 'utf8');
        } catch (e) {
          throw new UsageError(`--suppressions: cannot read ${o.suppressions}: ${(e as Error).message}`);
        }
        const p = parseSuppressions(text, o.suppressions);
        if (p.issues.length > 0) throw new UsageError(p.issues.join('; '));
        const { expired } = applySuppressions(result.evaluations, p.suppressions, clock);
        for (const x of expired)
          process.stderr.write(
            `vigil: suppression for ${x.rule} expired on ${x.expires} and no longer applies (${x.reason})\n`,
          );
      }
      if (o.baseline) {
        let b: Baseline;
        try {
          b = JSON.parse(readFileSync(o.baseline, 'utf8')) as Baseline;
          if (!Array.isArray(b.fingerprints)) throw new Error('no "fingerprints" list');
        } catch (e) {
          throw new UsageError(`--baseline ${o.baseline}: ${(e as Error).message}`);
        }
        applyBaseline(result.evaluations, b);
      }
      if (o.createBaseline)
        writeFileSync(o.createBaseline, `${JSON.stringify(createBaseline(result.evaluations), null, 2)}\n`);
      const all = sortEvaluations(result.evaluations);
      const shown = statuses ? all.filter((e) => statuses.includes(e.complianceType)) : all;
      const summary = summarize(all, selections.length);
      const packs: PackResult[] = plan ? [rollUp(plan, all)] : [];
      if (o.format === 'json')
        await writeOut(`${JSON.stringify({ summary, ...(plan ? { packs } : {}), evaluations: shown }, null, 2)}\n`);
      else if (o.format === 'jsonl') for (const e of shown) await writeOut(`${JSON.stringify(e)}\n`);
      else if (o.format === 'ocsf') for (const e of shown) await writeOut(`${JSON.stringify(toOcsf(e, VERSION))}\n`);
      else if (o.format === 'asff') await writeOut(`${JSON.stringify(shown.map(toAsff), null, 2)}\n`);
      else {
        await writeOut(
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
        await writeOut(
          `\n${summary.rules} rules, ${summary.resources} resources, ${summary.evaluations} evaluations: ` +
            `${c.NON_COMPLIANT} NON_COMPLIANT, ${c.COMPLIANT} COMPLIANT, ${c.INSUFFICIENT_DATA} INSUFFICIENT_DATA, ${c.NOT_APPLICABLE} NOT_APPLICABLE\n`,
        );
        for (const p of packs) {
          await writeOut(`\n${p.pack}: score ${p.score === null ? 'n/a' : `${p.score}%`}\n`);
          await writeOut(
            renderTable(
              ['control', 'status', 'failing', 'title'],
              p.controls.map((x) => [x.id, x.status, x.nonCompliant, x.note ? `${x.title} (${x.note})` : x.title]),
            ),
          );
        }
      }
      if (threshold && failing(all, threshold).length > 0) process.exitCode = 1;
    },
  );

  posture
    .command('rules')
    .description('list the rule catalogue')
    .option('-f, --format <format>', 'table or json', 'table')
    .action(async (o: { format: string }) => {
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
    });

  const collectAction = async (o: LiveOptions & { output?: string }) => {
    const res = await runCollect(o);
    const text = `${JSON.stringify(res.snapshot, null, 2)}\n`;
    if (!o.output || o.output === '-') await writeOut(text);
    else writeFileSync(o.output, text);
    process.stderr.write(
      `vigil: collected ${res.snapshot.configurationItems.length} configuration items with ${res.totalCalls} API calls` +
        `${res.snapshot.errors.length ? `; ${res.snapshot.errors.length} partial failures` : ''}\n`,
    );
  };
  addLiveOptions(
    posture
      .command('collect')
      .description('collect live configuration into a Vigil snapshot')
      .option('-o, --output <file>', 'write here (- = stdout)', '-'),
  ).action(collectAction);
  addLiveOptions(
    program
      .command('collect')
      .description('collect live configuration into a Vigil snapshot (same as posture collect)')
      .option('-o, --output <file>', 'write here (- = stdout)', '-'),
  ).action(collectAction);
}
