import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../src/core/random.js';

/**
 * A full, synchronous garbage collection before a timed run. Not the bare `gc()`: that is V8's most aggressive,
 * memory-reducing collection, which also throws away optimised code, so the next run re-compiles every hot function
 * (a VPC flow detection run measured 45 recompilations, +20 % wall and +45 % CPU time) — a cost a long-running
 * process never pays, and one that falls on code-heavy candidates, not on builtin baselines.
 */
export function collectGarbage(): void {
  (globalThis as { gc?: (options?: { type: 'major'; execution: 'sync' }) => void }).gc?.({
    type: 'major',
    execution: 'sync',
  });
}

/** Time `fn` a few times after a warm-up and keep the best run (least disturbed by other load). */
export function best(fn: () => number, runs = 5): { ms: number; result: number } {
  fn();
  let ms = Number.POSITIVE_INFINITY;
  let result = 0;
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    result = fn();
    const dt = performance.now() - t0;
    if (dt < ms) ms = dt;
  }
  return { ms, result };
}

/**
 * Run baseline and candidate alternately (so background load hits both alike) and report the best time of each plus
 * the median of the per-round ratios baseline/candidate (> 1 = candidate faster).
 */
export function compare(baseline: () => number, candidate: () => number, rounds = 7) {
  baseline();
  candidate();
  const b: number[] = [];
  const c: number[] = [];
  let result = 0;
  for (let i = 0; i < rounds; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    let t0 = performance.now();
    baseline();
    b.push(performance.now() - t0);
    (globalThis as { gc?: () => void }).gc?.();
    t0 = performance.now();
    result = candidate();
    c.push(performance.now() - t0);
  }
  const ratios = b.map((x, i) => x / c[i]!).sort((x, y) => x - y);
  return {
    baseline: { ms: Math.min(...b) },
    candidate: { ms: Math.min(...c) },
    result,
    ratio: ratios[Math.floor(ratios.length / 2)]!,
  };
}

export async function bestAsync(fn: () => Promise<number>, runs = 3): Promise<{ ms: number; result: number }> {
  await fn();
  let ms = Number.POSITIVE_INFINITY;
  let result = 0;
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    result = await fn();
    const dt = performance.now() - t0;
    if (dt < ms) ms = dt;
  }
  return { ms, result };
}

/** Deterministic PRNG for synthetic inputs. */
export const rng = mulberry32;

export const round = (n: number, digits = 3) => Number(n.toFixed(digits));
