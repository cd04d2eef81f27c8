import { type Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseTimeBound } from '../../core/time.js';
import {
  failsOn,
  loadParamsFile,
  parseParamFlag,
  runDetection,
  validateParams,
  visibleFindings,
} from '../../detect/run.js';
import { parseSeverityLabel, type SeverityLabel } from '../../detect/types.js';
import { toAsff, toEventBridge, toJsonDocument, toJsonLines, toOcsf } from '../../report/findings.js';
import { formatFindingsTable } from '../../report/table.js';
import { addIngestOptions, ingestOptionsFrom, resolveFromCli } from '../options.js';
import { ErrorPrinter } from '../report-errors.js';
import { writeOut } from '../stdout.js';
import { VERSION } from '../version.js';

const FORMATS = ['table', 'json', 'jsonl', 'eventbridge', 'ocsf', 'asff'] as const;
type Format = (typeof FORMATS)[number];

const collect = (v: string, prev: string[] = []) => [...prev, v];

function severityArg(flag: string) {
  return (v: string): SeverityLabel => {
    const s = parseSeverityLabel(v);
    if (!s) throw new UsageError(`${flag} must be low, medium, high or critical, got "${v}"`);
    return s;
  };
}

function durationMs(flag: string, text: string): number {
  // Reuse the relative-time grammar of --since (15m, 36h, 7d): now − (now − d) = d.
  const now = 1_000_000_000_000_000;
  const t = parseTimeBound(text, now);
  if (Number.isNaN(t) || !/^\d+[smhd]$/.test(text))
    throw new UsageError(`${flag} expects a duration such as 30m, 1h or 2d, got "${text}"`);
  return now - t;
}

export function registerDetect(program: Command): void {
  addIngestOptions(
    program
      .command('detect')
      .description(
        'GuardDuty-style threat detection on AWS logs (CloudTrail, VPC flow, Route 53 Resolver, S3 access, ALB, CloudFront)',
      )
      .argument('<inputs...>', 'files, directories, .gz, - for stdin, or s3://bucket/prefix')
      .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
      .option(
        '--intel <file>',
        'threat list ([tor:|c2:|mining:|custom:…]path; plain text, OTX or Proofpoint/FireEye CSV); repeatable',
        collect,
      )
      .option('--no-bundled-intel', 'do not load the bundled mining-pool, DoH and dynamic-DNS lists')
      .option(
        '--geoip <file>',
        'MaxMind-format database (GeoLite2-City, ASN …) added to the bundled country data; repeatable',
        collect,
      )
      .option('--aws-ip-ranges <file>', "AWS's ip-ranges.json (enables InstanceCredentialExfiltration.OutsideAWS)")
      .option(
        '--state <file>',
        'SQLite state file: baselines, aggregated findings and open windows persist across runs',
      )
      .option(
        '--suppress <file>',
        'suppression (auto-archive) rules in GuardDuty filter shape, JSON or YAML; repeatable',
        collect,
      )
      .option('--show-archived', 'also show findings archived by suppression rules')
      .addOption(
        new Option('--fail-on <severity>', 'exit 1 when an unarchived finding is at or above this severity').argParser(
          severityArg('--fail-on'),
        ),
      )
      .addOption(
        new Option('--min-severity <severity>', 'only report findings at or above this severity').argParser(
          severityArg('--min-severity'),
        ),
      )
      .option('--param <detector.name=value>', 'override a detector parameter; repeatable', collect)
      .option('--params <file>', 'YAML/JSON map of detector id → parameters')
      .option('--detectors <ids>', 'comma-separated detector ids to run (default: all)')
      .option('--disable <ids>', 'comma-separated detector ids to skip')
      .option('--local-cidr <cidr>', 'VPC range that is "ours" (default: private ranges); repeatable', collect)
      .option('--account-id <id>', 'account for findings whose records carry none', '000000000000')
      .option('--lateness <duration>', 'how late (event time) a record may arrive and still join its window', '1h')
      .addOption(
        new Option('--max-keys <n>', 'windowed state entries per detector table before LRU eviction').argParser((v) =>
          Number(v),
        ),
      )
      .option('--source <source>', 'EventBridge source for --format eventbridge', 'aws.guardduty')
      .option('--explain', 'table: print why each finding fired and its records'),
  ).action(async (inputs: string[], o: Record<string, unknown>) => {
    const format = o.format as Format;
    // --format here has more values than the generic output.format config key: keep it out of the config layer.
    const resolved = resolveFromCli({ ...o, format: undefined });
    const ingest = ingestOptionsFrom(resolved, o.where);
    const quiet = resolved.config.output.quiet;
    const printer = new ErrorPrinter(format === 'table' ? 20 : 100);
    let params: Record<string, Record<string, unknown>> = {};
    if (typeof o.params === 'string') params = loadParamsFile(o.params);
    for (const flag of (o.param as string[] | undefined) ?? []) {
      const [id, name, value] = parseParamFlag(flag);
      params[id] = { ...(params[id] ?? {}), [name]: value };
    }
    const ids = (v: unknown) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined;
    const enabled = ids(o.detectors);
    const disabled = ids(o.disable);
    for (const id of [...(enabled ?? []), ...(disabled ?? [])]) validateParams({ [id]: {} }, '--detectors/--disable');
    if (typeof o.accountId === 'string' && !/^\d{12}$/.test(o.accountId))
      throw new UsageError(`--account-id must be 12 digits, got "${o.accountId}"`);
    const maxKeys = o.maxKeys as number | undefined;
    if (maxKeys !== undefined && (!Number.isInteger(maxKeys) || maxKeys < 1))
      throw new UsageError('--max-keys must be a positive integer');

    const run = await runDetection(inputs, {
      intel: o.intel as string[] | undefined,
      noBundledIntel: o.bundledIntel === false,
      geoip: o.geoip as string[] | undefined,
      awsIpRanges: o.awsIpRanges as string | undefined,
      state: o.state as string | undefined,
      suppress: o.suppress as string[] | undefined,
      params: validateParams(params, o.params ? `--params ${o.params}` : '--param'),
      enabled,
      disabled,
      localCidrs: o.localCidr as string[] | undefined,
      accountId: o.accountId as string,
      region: resolved.config.aws.region,
      allowedLatenessMs: durationMs('--lateness', String(o.lateness)),
      maxKeys,
      ingest,
      onParseError: printer.issue,
      onIntelIssue: (i) => printer.issue({ file: i.file, line: i.line, reason: `intel: ${i.reason}` }),
    });
    printer.finish();
    const minSeverity = o.minSeverity as SeverityLabel | undefined;
    const shown = visibleFindings(run.result.findings, minSeverity, o.showArchived === true);
    const gated = visibleFindings(run.result.findings, minSeverity, false);
    switch (format) {
      case 'table':
        await writeOut(formatFindingsTable(shown, { explain: o.explain === true }));
        break;
      case 'json':
        await writeOut(
          toJsonDocument(shown, { stats: { ingest: run.ingest.stats.records, detect: run.result.stats } }),
        );
        break;
      case 'jsonl':
        await writeOut(toJsonLines(shown));
        break;
      case 'eventbridge':
        await writeOut(shown.map((f) => `${JSON.stringify(toEventBridge(f, String(o.source)))}\n`).join(''));
        break;
      case 'ocsf':
        await writeOut(shown.map((f) => `${JSON.stringify(toOcsf(f, VERSION))}\n`).join(''));
        break;
      case 'asff':
        await writeOut(`${JSON.stringify({ Findings: shown.map(toAsff) }, null, 2)}\n`);
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
      for (const e of st.detectorErrors.slice(0, 10))
        process.stderr.write(`vigil: detector ${e.detector} failed on ${e.file}:${e.line}: ${e.reason}\n`);
    }
    if (resolved.config.logs.strict && run.ingest.stats.errors > 0) process.exitCode = 2;
    else if (failsOn(gated, o.failOn as SeverityLabel | undefined)) process.exitCode = 1;
  });
}
