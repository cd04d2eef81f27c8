/**
 * `npm run bench`: prints one JSON object. Every figure is paired with a baseline measured in the same run on the
 * same bytes (plain JSON.parse, plain split), so ratios stay meaningful on noisy or slower machines.
 * Environment: BENCH_STREAM_MB (default 2048; 0 skips the large streaming run), BENCH_ONLY (comma list of sections).
 */
import { cpus } from 'node:os';
import { benchIngest } from './ingest.js';

const only = process.env.BENCH_ONLY?.split(',');
const want = (name: string) => !only || only.includes(name);
const result: Record<string, unknown> = {
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model },
  startedAt: new Date().toISOString(),
};
if (want('ingest')) result.ingest = await benchIngest({ streamMB: Number(process.env.BENCH_STREAM_MB ?? 2048) });
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
