import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileReport, IngestOptions } from './pipeline.js';
import { type IngestStats, mergeStats } from './stats.js';
import type { ParseIssue } from './types.js';

/** What workers compute per file: statistics only, or the records as NDJSON text. */
export type ParallelJob = 'stats' | 'ndjson';

export type ToWorker = { kind: 'file'; path: string; opts: IngestOptions; job: ParallelJob } | { kind: 'ack' };
export type ToMain =
  | { kind: 'ndjson'; text: string }
  | { kind: 'error'; issue: ParseIssue }
  | { kind: 'done'; report: FileReport; stats: IngestStats };

export interface ParallelHandlers {
  ndjson?(text: string): Promise<void> | void;
  error?(issue: ParseIssue): void;
  fileDone?(report: FileReport): void;
}

function workerUrl(): URL {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new URL('./worker.js', self);
  // Running from TypeScript sources (tsx, vitest): bootstrap the worker through tsx's ESM loader.
  const require = createRequire(self);
  const tsxApi = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./worker.ts', self).href;
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * Parse local files on `threads` worker threads, one file per worker at a time, largest first (better packing).
 * Returns merged statistics; NDJSON batches and errors arrive through the handlers as they are produced.
 */
export async function ingestFilesParallel(
  files: { path: string; size: number }[],
  opts: IngestOptions,
  job: ParallelJob,
  threads: number,
  h: ParallelHandlers,
  into: IngestStats,
): Promise<void> {
  const queue = [...files].sort((a, b) => b.size - a.size);
  const url = workerUrl();
  const count = Math.max(1, Math.min(threads, queue.length));
  await Promise.all(
    Array.from({ length: count }, async () => {
      const worker = new Worker(url);
      try {
        for (let next = queue.shift(); next; next = queue.shift()) {
          await runOne(worker, next.path, opts, job, h, into);
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
}

function runOne(
  worker: Worker,
  path: string,
  opts: IngestOptions,
  job: ParallelJob,
  h: ParallelHandlers,
  into: IngestStats,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // Batches are written in order; the ack goes back once the consumer has taken each one.
    let chain: Promise<void> = Promise.resolve();
    const onMessage = (msg: ToMain) => {
      if (msg.kind === 'ndjson') {
        chain = chain.then(async () => {
          await h.ndjson?.(msg.text);
          worker.postMessage({ kind: 'ack' } satisfies ToWorker);
        });
      } else if (msg.kind === 'error') {
        h.error?.(msg.issue);
      } else {
        chain.then(() => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          mergeStats(into, msg.stats);
          h.fileDone?.(msg.report);
          resolve();
        }, reject);
      }
    };
    const onError = (err: Error) => {
      worker.off('message', onMessage);
      reject(err);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.postMessage({ kind: 'file', path, opts, job } satisfies ToWorker);
  });
}
