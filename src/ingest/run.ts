import { availableParallelism } from 'node:os';
import { ingestFilesParallel, type ParallelJob } from './parallel.js';
import type { FileReport, IngestOptions } from './pipeline.js';
import { ingestUnit } from './pipeline.js';
import { recordToJsonLine } from './serialize.js';
import { expandInputs, type InputUnit } from './sources.js';
import { addFile, addRecord, addTimed, emptyStats, type IngestStats } from './stats.js';
import type { LogRecord, ParseIssue, Sink } from './types.js';

/** Callbacks of a whole ingestion run (library API used by the CLI commands). */
export interface RunHandlers {
  /** Each kept record, in file order (in-process runs only). */
  record?(r: LogRecord): void;
  /** Each kept VPC flow record as a row read in place, instead of `record` (see `Sink.flow`). */
  flow?: Sink['flow'];
  error?(issue: ParseIssue): void;
  fileDone?(report: FileReport): void;
  drain?(): Promise<void> | undefined;
  /** NDJSON text of kept records (`job: 'ndjson'`), in batches. */
  ndjson?(text: string): Promise<void> | void;
}

export interface RunResult {
  stats: IngestStats;
  /** The first rejected lines/files (for summaries). */
  errorSamples: ParseIssue[];
}

export const MAX_ERROR_SAMPLES = 50;

export interface RunOptions {
  /** Requested worker threads: 0 = automatic, 1 = in-process. */
  workers?: number;
  /** `records`: every kept record goes to `handlers.record` (in-process only); `stats`: counts only;
   * `ndjson`: records serialised as JSON lines to `handlers.ndjson` (parallel-capable). */
  job?: 'records' | ParallelJob;
}

/**
 * Ingest every input with statistics: local files on worker threads when it pays off (or when asked), stdin and
 * S3 objects in-process. Never throws for bad input: rejected lines and files go to `error` and are counted.
 */
export async function ingestAll(
  inputs: string[],
  opts: IngestOptions,
  h: RunHandlers = {},
  run: RunOptions = {},
): Promise<RunResult> {
  const stats = emptyStats();
  const errorSamples: ParseIssue[] = [];
  const job = run.job ?? 'records';
  const onError = (e: ParseIssue) => {
    if (errorSamples.length < MAX_ERROR_SAMPLES) errorSamples.push(e);
    h.error?.(e);
  };
  const onFile = (report: FileReport) => {
    h.fileDone?.(report);
  };

  const units: InputUnit[] = [];
  for await (const unit of expandInputs(inputs, {
    s3: opts.s3,
    onInputError: (name, reason) => {
      onError({ file: name, reason });
      const report: FileReport = { file: name, records: 0, kept: 0, errors: 1, bytes: 0, compressed: false };
      addFile(stats, report);
      onFile(report);
    },
  })) {
    units.push(unit);
  }

  const local = units.filter((u) => u.localPath !== undefined);
  const totalBytes = local.reduce((sum, u) => sum + (u.size ?? 0), 0);
  const threads = job === 'records' ? 0 : chooseWorkers(run.workers ?? 0, local.length, totalBytes);
  let rest = units;
  if (threads > 0) {
    await ingestFilesParallel(
      local.map((u) => ({ path: u.localPath!, size: u.size ?? 0 })),
      opts,
      job as ParallelJob,
      threads,
      { ndjson: h.ndjson, error: onError, fileDone: onFile },
      stats,
    );
    rest = units.filter((u) => u.localPath === undefined);
  }

  let batch = '';
  for (const unit of rest) {
    const report = await ingestUnit(unit, opts, {
      record(r) {
        addRecord(stats, r);
        if (job === 'records') h.record?.(r);
        else if (job === 'ndjson') batch += `${recordToJsonLine(r)}\n`;
      },
      flow:
        job === 'records' && h.flow !== undefined
          ? (row) => {
              addTimed(stats, 'vpcflow', row.time);
              h.flow!(row);
            }
          : undefined,
      error: onError,
      drain() {
        if (batch.length >= 1 << 20) {
          const text = batch;
          batch = '';
          const p = h.ndjson?.(text);
          if (p) return p;
        }
        return h.drain?.();
      },
    });
    if (batch.length > 0) {
      await h.ndjson?.(batch);
      batch = '';
    }
    addFile(stats, report);
    onFile(report);
  }
  return { stats, errorSamples };
}

/** Worker count for `requested` (0 = automatic): parallel only when there are several large-enough local files. */
export function chooseWorkers(requested: number, localFiles: number, totalBytes: number): number {
  if (requested === 1) return 0;
  const cores = availableParallelism();
  if (requested > 1) return Math.min(requested, Math.max(localFiles, 1));
  if (localFiles < 2 || totalBytes < 16 * 1024 * 1024 || cores < 2) return 0;
  return Math.min(cores, localFiles);
}
