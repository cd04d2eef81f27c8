import { mulberry32 } from '../../core/random.js';
import { compilePattern } from './compile.js';
import { PatternIndex } from './compiled.js';
import { allLeaves, subPatternMatches } from './reference.js';
import type { Pattern } from './types.js';

/**
 * Throughput of the compiled index against the reference matcher looping over every rule, for growing rule
 * counts and several rule kinds, on citylots2-like GeoJSON events (the data set of event-ruler's benchmark).
 * Not a test: a measurement to run by hand or from `npm run bench`.
 */

export type RuleKind =
  | 'exact'
  | 'prefix'
  | 'suffix'
  | 'equals-ignore-case'
  | 'numeric'
  | 'wildcard'
  | 'anything-but'
  | 'mixed';

export const RULE_KINDS: readonly RuleKind[] = [
  'exact',
  'prefix',
  'suffix',
  'equals-ignore-case',
  'numeric',
  'wildcard',
  'anything-but',
  'mixed',
];

export interface MeasureOptions {
  /** Number of distinct events generated (default 10,000). */
  events?: number;
  /** Time budget per measurement in ms (default 1,000). */
  budgetMs?: number;
  kinds?: readonly RuleKind[];
  seed?: number;
}

export interface ThroughputRow {
  kind: RuleKind;
  rules: number;
  /**
   * Compiled index on events parsed long before (matching alone): a stress figure — 10,000 objects scattered over
   * the heap, each read cold from memory, which Vigil never does (it matches the object it has just parsed).
   */
  compiledEventsPerSec: number;
  /** The same per CPU second of this process (wall time includes waits for a shared core). */
  compiledCpuEventsPerSec: number;
  /**
   * In the pipeline, as Vigil runs the parsed-object path (PutEvents parses `Detail`, `logs cat --where` matches
   * the record its parser just built): `JSON.parse` of the event text, then `match` on the fresh object.
   */
  pipelineEventsPerSec: number;
  pipelineCpuEventsPerSec: number;
  /** CPU µs per event of `JSON.parse` alone on the same texts, timed beside the pipeline. */
  parseOnlyCpuUs: number;
  /** The matching share of the pipeline: its CPU µs per event minus `parseOnlyCpuUs` (a difference: noisy). */
  pipelineMatchCpuUs: number;
  /** Compiled index on the events' JSON text through the field-selective scanner (`matchJson`). */
  scanEventsPerSec: number;
  scanCpuEventsPerSec: number;
  referenceEventsPerSec: number;
  /** Mean number of matching rules per event. */
  matchesPerEvent: number;
  /**
   * CPU µs per event split into a fixed part (no output) and a cost per matched rule, by a least-squares fit over
   * slices of events sorted by match count (estimates), for the compiled index on parsed events and the scanner.
   */
  compiledFixedUs: number;
  compiledUsPerMatch: number;
  scanFixedUs: number;
  scanUsPerMatch: number;
  /** Compiled index and reference selected the same rules on a sample of events. */
  agree: boolean;
}

export interface ThroughputReport {
  node: string;
  events: number;
  budgetMs: number;
  rows: ThroughputRow[];
}

const rng = mulberry32;

const STREETS = [
  'MISSION',
  'VALENCIA',
  'MARKET',
  'HOWARD',
  'FOLSOM',
  'HARRISON',
  'BRYANT',
  'BRANNAN',
  'TOWNSEND',
  'KING',
  'GEARY',
  "O'FARRELL",
  'ELLIS',
  'EDDY',
  'TURK',
  'GOLDEN GATE',
  'MCALLISTER',
  'FULTON',
  'GROVE',
  'HAYES',
  'FELL',
  'OAK',
  'PAGE',
  'HAIGHT',
  'WALLER',
  'DUBOCE',
  'CHURCH',
  'SANCHEZ',
  'NOE',
  'CASTRO',
  'DIAMOND',
  'DOUGLASS',
  'HOFFMAN',
  'GRAND VIEW',
  'PORTOLA',
  'CLIPPER',
  'ALVARADO',
  'ELIZABETH',
  'JERSEY',
  'NOE VALLEY',
  'BROADWAY',
  'PACIFIC',
  'JACKSON',
  'WASHINGTON',
  'CLAY',
  'SACRAMENTO',
  'CALIFORNIA',
  'PINE',
  'BUSH',
  'SUTTER',
];
const ST_TYPES = ['ST', 'AVE', 'BLVD', 'WAY', 'TER', 'PL', null];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A citylots2-like GeoJSON feature. */
export function makeEvent(r: () => number): Record<string, unknown> {
  const block = 1 + Math.floor(r() * 7000);
  const lot = 1 + Math.floor(r() * 120);
  const points: number[][] = [];
  const x0 = -122.52 + r() * 0.16;
  const y0 = 37.7 + r() * 0.12;
  const n = 4 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) points.push([x0 + r() * 0.001, y0 + r() * 0.001, 0]);
  points.push(points[0]);
  const from = Math.floor(r() * 4000);
  return {
    type: 'Feature',
    properties: {
      MAPBLKLOT: `${pad(block, 4)}${pad(lot, 3)}`,
      BLKLOT: `${pad(block, 4)}${pad(lot, 3)}`,
      BLOCK_NUM: pad(block, 4),
      LOT_NUM: pad(lot, 3),
      FROM_ST: String(from),
      TO_ST: String(from + Math.floor(r() * 40)),
      STREET: STREETS[Math.floor(r() * STREETS.length)],
      ST_TYPE: ST_TYPES[Math.floor(r() * ST_TYPES.length)],
      ODD_EVEN: r() < 0.5 ? 'O' : 'E',
    },
    geometry: { type: 'Polygon', coordinates: [points] },
  };
}

export function makeRule(kind: RuleKind, i: number, r: () => number): object {
  const street = STREETS[i % STREETS.length];
  const block = pad(1 + Math.floor(r() * 7000), 4);
  switch (kind) {
    case 'exact':
      return { properties: { MAPBLKLOT: [`${block}${pad(1 + Math.floor(r() * 120), 3)}`] } };
    case 'prefix':
      return { properties: { MAPBLKLOT: [{ prefix: block }] } };
    case 'suffix':
      return { properties: { BLKLOT: [{ suffix: `${pad(1 + Math.floor(r() * 120), 3)}` }], BLOCK_NUM: [block] } };
    case 'equals-ignore-case':
      return { properties: { STREET: [{ 'equals-ignore-case': street.toLowerCase() }], BLOCK_NUM: [block] } };
    case 'numeric': {
      const x = -122.52 + r() * 0.16;
      return { geometry: { coordinates: [{ numeric: ['>', x, '<', x + 0.0005] }] } };
    }
    case 'wildcard':
      return {
        properties: {
          MAPBLKLOT: [{ wildcard: `${block}*` }],
          STREET: [{ wildcard: `${street[0]}*${street.slice(-1)}` }],
        },
      };
    case 'anything-but':
      return {
        properties: { BLOCK_NUM: [block], STREET: [{ 'anything-but': [street, STREETS[(i + 1) % STREETS.length]] }] },
      };
    case 'mixed':
      return makeRule(RULE_KINDS[i % (RULE_KINDS.length - 1)], i, r);
  }
}

interface Timing {
  perSec: number;
  cpuPerSec: number;
  matches: number;
  /** Least-squares fit of CPU µs per event against matched rules per event, over slices (see `fitCost`). */
  fixedUs: number;
  usPerMatch: number;
}

interface Run {
  /** Match one event (by index); returns the number of matching rules. */
  run: (i: number) => number;
  /** The order events are fed in (sorted by match count, so that slices differ in output size). */
  order: readonly number[];
}

/**
 * Run several matchers over the same events in alternating slices until the budget is spent, so that load from
 * other processes hits them alike; wall and CPU time are summed per matcher, and each slice's CPU time and match
 * count are kept for `fitCost`. Runs r and r + 1 for r in `flipPairs` swap places every other round: a slice runs
 * measurably faster or slower depending on what the slice before it left in the caches (e.g. `JSON.parse` right after
 * the scanner), so two runs whose times are subtracted must each follow the same predecessors equally often.
 */
function timeAlternating(budgetMs: number, runs: readonly Run[], flipPairs: readonly number[] = []): Timing[] {
  // Warm up so the JIT has compiled the hot paths.
  for (const { run, order } of runs) for (let i = 0; i < Math.min(200, order.length); i++) run(order[i]);
  const SLICE = 200;
  const acc = runs.map(() => ({ ms: 0, cpuMs: 0, done: 0, matches: 0, next: 0, slices: [] as [number, number][] }));
  const sequence = runs.map((_, r) => r);
  const flipped = sequence.slice();
  for (const r of flipPairs) [flipped[r], flipped[r + 1]] = [flipped[r + 1], flipped[r]];
  const start = performance.now();
  for (let round = 0; performance.now() - start < budgetMs * runs.length; round++) {
    for (const r of round % 2 === 0 ? sequence : flipped) {
      const { run, order } = runs[r];
      const a = acc[r];
      let m = 0;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let k = 0; k < SLICE; k++) m += run(order[a.next++ % order.length]);
      a.ms += performance.now() - t0;
      const c = process.cpuUsage(c0);
      const cpuMs = (c.user + c.system) / 1000;
      a.cpuMs += cpuMs;
      a.done += SLICE;
      a.matches += m;
      a.slices.push([m / SLICE, (cpuMs * 1000) / SLICE]);
    }
  }
  return acc.map((a) => ({
    perSec: Math.round(a.done / (Math.max(a.ms, 0.001) / 1000)),
    cpuPerSec: Math.round(a.done / (Math.max(a.cpuMs, 0.001) / 1000)),
    matches: a.matches / a.done,
    ...fitCost(a.slices),
  }));
}

/**
 * Split time per event into a fixed part and a part per matched rule: least squares of CPU µs per event against
 * matches per event over the timed slices (events are fed sorted by their match count, so slices range from the
 * fewest to the most matches). When every slice has the same count (e.g. nothing matches) the fixed part is the
 * mean. A fit over a narrow range of counts is rough; it is reported as an estimate.
 */
function fitCost(slices: readonly [number, number][]): { fixedUs: number; usPerMatch: number } {
  const n = slices.length;
  if (n === 0) return { fixedUs: 0, usPerMatch: 0 };
  let sx = 0;
  let sy = 0;
  for (const [x, y] of slices) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of slices) {
    sxx += (x - mx) * (x - mx);
    sxy += (x - mx) * (y - my);
  }
  const slope = sxx > 1e-9 ? sxy / sxx : 0;
  return { fixedUs: round3(Math.max(0, my - slope * mx)), usPerMatch: round3(slope) };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * Events per second for each rule count and rule kind, compiled index vs reference loop. Per kind, the indexes
 * of every rule count are built first and then timed in one alternating loop, so the ratios between rule counts
 * come from the same stretch of machine load.
 */
export async function measurePatternThroughput(
  ruleCounts: number[],
  options: MeasureOptions = {},
): Promise<ThroughputReport> {
  const budgetMs = options.budgetMs ?? 1000;
  const r = rng(options.seed ?? 42);
  const events = Array.from({ length: options.events ?? 10_000 }, () => makeEvent(r));
  const texts = events.map((e) => JSON.stringify(e));
  const rows: ThroughputRow[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  for (const kind of options.kinds ?? RULE_KINDS) {
    const sets = ruleCounts.map((count) => {
      const patterns: Pattern[] = [];
      const index = new PatternIndex<number>();
      for (let i = 0; i < count; i++) {
        const p = compilePattern(makeRule(kind, i, r));
        patterns.push(p);
        index.add(i, p);
      }
      const reference = (e: unknown): number[] => {
        const leaves = allLeaves(e);
        const out: number[] = [];
        for (let i = 0; i < patterns.length; i++) {
          if (patterns[i].subPatterns.some((sp) => subPatternMatches(sp, leaves))) out.push(i);
        }
        return out;
      };
      const scan = (i: number): number[] => {
        const res = index.matchJson(texts[i]);
        if (!res.ok) throw new Error(res.error);
        return res.ids;
      };
      let agree = true;
      for (let i = 0; i < Math.min(50, events.length); i++) {
        const expected = JSON.stringify(reference(events[i]));
        if (JSON.stringify(index.match(events[i])) !== expected || JSON.stringify(scan(i)) !== expected) agree = false;
      }
      const counts = events.map((e) => index.match(e).length);
      const order = events.map((_, i) => i).sort((a, b) => counts[a] - counts[b] || a - b);
      return { count, index, reference, scan, agree, order };
    });
    // Index construction leaves garbage behind; collect it before timing when the runtime allows (--expose-gc).
    gc?.();
    const runs: Run[] = [];
    for (const set of sets) {
      runs.push({ run: (i) => set.index.match(events[i]).length, order: set.order });
      runs.push({ run: (i) => set.scan(i).length, order: set.order });
    }
    const timings = timeAlternating(budgetMs, runs);
    // The pipeline in a second alternation, so that the figures above keep their method: every extra run in a round
    // evicts more of each index from the caches between its slices. JSON.parse alone runs beside each pipeline
    // (their order flipping every round), so that the matching share is a difference of times taken under the
    // same load and cache state.
    const pipelineRuns: Run[] = [];
    const flipPairs: number[] = [];
    for (const set of sets) {
      flipPairs.push(pipelineRuns.length);
      pipelineRuns.push({ run: (i) => set.index.match(JSON.parse(texts[i])).length, order: set.order });
      pipelineRuns.push({ run: (i) => (JSON.parse(texts[i]) === null ? 1 : 0), order: set.order });
    }
    const pipelineTimings = timeAlternating(budgetMs, pipelineRuns, flipPairs);
    for (const [k, set] of sets.entries()) {
      const compiled = timings[2 * k];
      const scanned = timings[2 * k + 1];
      const pipeline = pipelineTimings[2 * k];
      const parseOnlyCpuUs = 1e6 / pipelineTimings[2 * k + 1].cpuPerSec;
      const [ref] = timeAlternating(budgetMs, [{ run: (i) => set.reference(events[i]).length, order: set.order }]);
      rows.push({
        kind,
        rules: set.count,
        compiledEventsPerSec: compiled.perSec,
        compiledCpuEventsPerSec: compiled.cpuPerSec,
        pipelineEventsPerSec: pipeline.perSec,
        pipelineCpuEventsPerSec: pipeline.cpuPerSec,
        parseOnlyCpuUs: round3(parseOnlyCpuUs),
        pipelineMatchCpuUs: round3(1e6 / pipeline.cpuPerSec - parseOnlyCpuUs),
        scanEventsPerSec: scanned.perSec,
        scanCpuEventsPerSec: scanned.cpuPerSec,
        referenceEventsPerSec: ref.perSec,
        matchesPerEvent: Number(compiled.matches.toFixed(3)),
        compiledFixedUs: compiled.fixedUs,
        compiledUsPerMatch: compiled.usPerMatch,
        scanFixedUs: scanned.fixedUs,
        scanUsPerMatch: scanned.usPerMatch,
        agree: set.agree,
      });
    }
    // Let other work (and the event loop) breathe between measurements.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { node: process.version, events: events.length, budgetMs, rows };
}

/** `npx tsx src/bus/pattern/measure.ts [counts…]` prints a table. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const counts = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const report = await measurePatternThroughput(counts.length > 0 ? counts : [1, 100, 1000, 10_000]);
  console.log(JSON.stringify(report, null, 2));
}
