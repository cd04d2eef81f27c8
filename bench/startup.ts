/**
 * CLI start-up: the built `vigil` (dist/cli/bin.js) against a bare `node -e 0` in the same run. Every round runs each
 * case once, in turn, so background load hits them alike; the report gives per-case medians of wall time, process CPU
 * time (user + system, much less distorted by load than wall time) and peak RSS, and each median's ratio to the
 * baseline's. CPU and RSS come from /usr/bin/time when present (else only wall time is reported).
 * Environment: BENCH_STARTUP_RUNS (rounds, default 15). Standalone: `node --import tsx bench/startup.ts` after a build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = resolve(ROOT, 'dist/cli/bin.js');
const TIME = '/usr/bin/time';
const MARK = '@@vigil-startup';
/** One bundled CloudFront log file (24 KB gzipped): a realistic "cat one small file" start-up. */
const SMALL_LOG = 'examples/cloudfront/E3KXV7W9R2TB5N.2026-11-01-00.6224811d.gz';

interface Case {
  name: string;
  args: string[];
  /** The commands the target applies to (the others are reported for information). */
  target?: boolean;
}

/** One sample: wall ms, and CPU ms / peak RSS MB when /usr/bin/time is available. */
interface Sample {
  wallMs: number;
  cpuMs?: number;
  rssMB?: number;
}

function runOnce(args: string[], useTime: boolean): Sample {
  const argv = useTime ? ['-f', `${MARK} %U %S %M`, process.execPath, ...args] : args;
  const t0 = performance.now();
  const r = spawnSync(useTime ? TIME : process.execPath, argv, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}`);
  if (!useTime) return { wallMs };
  const line = r.stderr
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(MARK));
  const [, user, sys, rssKb] = line?.split(' ') ?? [];
  return { wallMs, cpuMs: (Number(user) + Number(sys)) * 1000, rssMB: Number(rssKb) / 1024 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchStartup(opts: { runs?: number } = {}) {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
  const runs = opts.runs ?? Number(process.env.BENCH_STARTUP_RUNS ?? 15);
  const useTime = existsSync(TIME);
  const cases: Case[] = [
    { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
    { name: 'vigil --version', args: [BIN, '--version'], target: true },
    { name: 'vigil --help', args: [BIN, '--help'], target: true },
    { name: 'vigil logs --help', args: [BIN, 'logs', '--help'], target: true },
    { name: 'vigil logs cat <one small CloudFront file>', args: [BIN, 'logs', 'cat', SMALL_LOG] },
    { name: 'vigil detect examples/AWSLogs', args: [BIN, 'detect', 'examples/AWSLogs', '--quiet'] },
  ];
  const samples = cases.map(() => [] as Sample[]);
  for (const c of cases) runOnce(c.args, useTime); // warm the file-system cache
  for (let i = 0; i < runs; i++) for (const [j, c] of cases.entries()) samples[j]!.push(runOnce(c.args, useTime));
  const stat = (s: Sample[]) => ({
    wallMs: round(median(s.map((x) => x.wallMs))),
    ...(useTime ? { cpuMs: round(median(s.map((x) => x.cpuMs!))), rssMB: round(median(s.map((x) => x.rssMB!))) } : {}),
  });
  const base = stat(samples[0]!);
  const results = cases.map((c, j) => {
    const s = stat(samples[j]!);
    return {
      command: c.name,
      ...s,
      wallRatio: round(s.wallMs / base.wallMs, 2),
      ...(s.cpuMs !== undefined && base.cpuMs ? { cpuRatio: round(s.cpuMs / base.cpuMs, 2) } : {}),
    };
  });
  const targets = results.filter((_, j) => cases[j]!.target);
  const worst = Math.max(...targets.map((r) => r.cpuRatio ?? r.wallRatio));
  return {
    target: '--version / --help within 3x of node -e 0 (median CPU time, or wall time without /usr/bin/time)',
    met: worst <= 3,
    worstRatio: worst,
    runs,
    results,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await benchStartup(), null, 2)}\n`);
}
