import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { ingestAll } from '../../ingest/run.js';
import { statsToJson } from '../../ingest/stats.js';
import { addIngestOptions, ingestOptionsFrom, resolveFromCli } from '../options.js';
import { ErrorPrinter, progressEnabled } from '../report-errors.js';
import { writeOut } from '../stdout.js';
import { formatStatsTable } from '../tables.js';

export function registerLogs(program: Command): void {
  const logs = program.command('logs').description('read AWS logs in their native formats');

  addIngestOptions(
    logs
      .command('cat')
      .description('write every record as one JSON line (native fields + a _vigil object with the normalised helpers)')
      .argument('<inputs...>', 'files, directories, .gz, - for stdin, or s3://bucket/prefix'),
  ).action(async (inputs: string[], o: Record<string, unknown>) => {
    const resolved = resolveFromCli(o);
    const opts = ingestOptionsFrom(resolved, o.where);
    const printer = new ErrorPrinter();
    // Deterministic order by default; parallel only when --workers is given explicitly.
    const workers = o.workers === undefined ? 1 : resolved.config.logs.workers;
    const { stats } = await ingestAll(
      inputs,
      opts,
      { ndjson: writeOut, error: printer.issue, fileDone: progress(resolved.config.output.quiet) },
      { job: 'ndjson', workers },
    );
    clearProgress(resolved.config.output.quiet);
    printer.finish();
    if (stats.errors > 0 && !resolved.config.output.quiet) {
      process.stderr.write(`vigil: ${stats.kept} records written, ${stats.errors} rejected\n`);
    }
    if (resolved.config.logs.strict && stats.errors > 0) process.exitCode = 2;
  });

  addIngestOptions(
    logs
      .command('stats')
      .description('count records per log type, rejected input and the event-time range')
      .argument('<inputs...>', 'files, directories, .gz, - for stdin, or s3://bucket/prefix')
      .option('-f, --format <format>', 'table or json'),
  ).action(async (inputs: string[], o: Record<string, unknown>) => {
    const resolved = resolveFromCli(o);
    const format = resolved.config.output.format;
    if (format !== 'table' && format !== 'json')
      throw new UsageError(`--format must be table or json, got "${format}"`);
    const opts = ingestOptionsFrom(resolved, o.where);
    const printer = new ErrorPrinter(format === 'json' ? 0 : 20);
    const { stats, errorSamples } = await ingestAll(
      inputs,
      opts,
      { error: printer.issue, fileDone: progress(resolved.config.output.quiet) },
      { job: 'stats', workers: resolved.config.logs.workers },
    );
    clearProgress(resolved.config.output.quiet);
    if (format === 'json') {
      await writeOut(`${JSON.stringify(statsToJson(stats, errorSamples), null, 2)}\n`);
    } else {
      printer.finish();
      await writeOut(formatStatsTable(stats));
    }
    if (resolved.config.logs.strict && stats.errors > 0) process.exitCode = 2;
  });
}

let files = 0;
let records = 0;
function progress(quiet: boolean) {
  if (!progressEnabled(quiet)) return undefined;
  return (r: { records: number }) => {
    files++;
    records += r.records;
    process.stderr.write(`\r${files} files, ${records} records…`);
  };
}
function clearProgress(quiet: boolean): void {
  if (progressEnabled(quiet) && files > 0) process.stderr.write('\r\x1b[K');
}
