/**
 * Worker-thread side of parallel ingestion: parses whole local files and sends back either statistics only
 * (`stats`: nothing per record crosses the thread boundary) or NDJSON text in ~1 MiB batches (`ndjson`), with a
 * small credit window so a slow consumer bounds memory.
 */
import { createReadStream } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { ParallelJob, ToMain, ToWorker } from './parallel.js';
import { ingestUnit } from './pipeline.js';
import { recordToJsonLine } from './serialize.js';
import { READ_CHUNK } from './sources.js';
import { addFile, addRecord, emptyStats } from './stats.js';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

const BATCH = 1 << 20;
const WINDOW = 4;
let inFlight = 0;
let waiter: (() => void) | undefined;

function send(msg: ToMain): void {
  port!.postMessage(msg);
}

port.on('message', (msg: ToWorker) => {
  if (msg.kind === 'ack') {
    inFlight--;
    if (waiter && inFlight < WINDOW) {
      const w = waiter;
      waiter = undefined;
      w();
    }
    return;
  }
  void runFile(msg.path, msg.opts, msg.job);
});

async function runFile(path: string, opts: import('./pipeline.js').IngestOptions, job: ParallelJob): Promise<void> {
  const stats = emptyStats();
  let batch = '';
  const flush = () => {
    if (batch.length === 0) return;
    inFlight++;
    send({ kind: 'ndjson', text: batch });
    batch = '';
  };
  const report = await ingestUnit(
    { name: path, localPath: path, open: async () => createReadStream(path, { highWaterMark: READ_CHUNK }) },
    opts,
    {
      record(r) {
        addRecord(stats, r);
        if (job === 'ndjson') {
          batch += `${recordToJsonLine(r)}\n`;
          if (batch.length >= BATCH) flush();
        }
      },
      error(issue) {
        send({ kind: 'error', issue });
      },
      drain() {
        if (inFlight < WINDOW) return undefined;
        return new Promise<void>((resolve) => {
          waiter = resolve;
        });
      },
    },
  );
  flush();
  addFile(stats, report);
  send({ kind: 'done', report, stats });
}
