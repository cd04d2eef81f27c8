/** `vigil logs cat | stats` actions (registered in logs.ts). */
import { UsageError } from '../../core/errors.js';
import { ingestAll } from '../../ingest/run.js';
import { statsToJson } from '../../ingest/stats.js';
import { ErrorPrinter, FileProgress } from '../report-errors.js';
import { ingestOptionsFrom, resolveFromCli } from '../resolve-options.js';
import { writeOut } from '../stdout.js';
import { formatStatsTable } from '../tables.js';

export const catAction = async (inputs: string[], o: Record<string, unknown>) => {
  const resolved = resolveFromCli(o);
  const opts = ingestOptionsFrom(resolved, o.where);
  const printer = new ErrorPrinter();
  const progress = new FileProgress(resolved.config.output.quiet);
  // Deterministic order by default; parallel only when --workers is given explicitly.
  const workers = o.workers === undefined ? 1 : resolved.config.logs.workers;
  const { stats } = await ingestAll(
    inputs,
    opts,
    { ndjson: writeOut, error: printer.issue, fileDone: progress.onFile },
    { job: 'ndjson', workers },
  );
  progress.done();
  printer.finish();
  if (stats.errors > 0 && !resolved.config.output.quiet) {
    process.stderr.write(`vigil: ${stats.kept} records written, ${stats.errors} rejected\n`);
  }
  if (resolved.config.logs.strict && stats.errors > 0) process.exitCode = 2;
};

export const statsAction = async (inputs: string[], o: Record<string, unknown>) => {
  const resolved = resolveFromCli(o);
  const format = resolved.config.output.format;
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, got "${format}"`);
  const opts = ingestOptionsFrom(resolved, o.where);
  const printer = new ErrorPrinter(format === 'json' ? 0 : 20);
  const progress = new FileProgress(resolved.config.output.quiet);
  const { stats, errorSamples } = await ingestAll(
    inputs,
    opts,
    { error: printer.issue, fileDone: progress.onFile },
    { job: 'stats', workers: resolved.config.logs.workers },
  );
  progress.done();
  if (format === 'json') {
    await writeOut(`${JSON.stringify(statsToJson(stats, errorSamples), null, 2)}\n`);
  } else {
    printer.finish();
    await writeOut(formatStatsTable(stats));
  }
  if (resolved.config.logs.strict && stats.errors > 0) process.exitCode = 2;
};
