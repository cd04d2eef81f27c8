import { performance } from 'node:perf_hooks';
import { compilePattern } from '../src/bus/pattern/compile.js';
import { PatternIndex } from '../src/bus/pattern/compiled.js';
import { measurePatternThroughput } from '../src/bus/pattern/measure.js';
import { allLeaves, subPatternMatches } from '../src/bus/pattern/reference.js';
import type { Pattern } from '../src/bus/pattern/types.js';
import { rng, round } from './util.js';

/**
 * The bus section of `npm run bench`: event-ruler's citylots2 benchmark on a synthetic data set, plus rule-count
 * scaling.
 *
 * citylots2 (213,068 San Francisco lots as GeoJSON features, ~900 bytes each, in event-ruler's repository) is not in
 * ../shared/corpora, so `generateCityLots` builds a deterministic stand-in with the same shape: `properties`
 * (MAPBLKLOT, BLKLOT, BLOCK_NUM, LOT_NUM, FROM_ST, TO_ST, STREET, ST_TYPE, ODD_EVEN) and a `geometry` whose
 * `coordinates` are rings of `{x, y, z}` objects (citylots2's "structured arrays") with `firstCoordinates`. Value
 * distributions are chosen so that every rule of every group matches something; the match counts therefore differ
 * from event-ruler's (which are for the real file) and are reported, not compared.
 *
 * The 14 rule groups are event-ruler's (Benchmarks.java / jmh MachineState*: five rules each). As in event-ruler,
 * one measurement adds one group's rules to a fresh matcher and runs every event through it, starting from the JSON
 * text (event-ruler times `rulesForJSONEvent(String)`, which parses): events/s = events / elapsed.
 */

export const RULE_GROUPS: Record<string, readonly object[]> = {
  exact: ['1430022', '2607117', '2607218', '3745012', 'VACSTWIL'].map((v) => ({ properties: { MAPBLKLOT: [v] } })),
  wildcard: ['143*', '2*0*1*7', '*218', '3*5*2', 'VA*IL'].map((w) => ({
    properties: { MAPBLKLOT: [{ wildcard: w }] },
  })),
  prefix: ['AC', 'BL', 'DR', 'FU', 'RH'].map((p) => ({ properties: { STREET: [{ prefix: p }] } })),
  'prefix-equals-ignore-case': ['Ac', 'bL', 'dR', 'Fu', 'rH'].map((p) => ({
    properties: { STREET: [{ prefix: { 'equals-ignore-case': p } }] },
  })),
  suffix: ['ON', 'KE', 'MM', 'ING', 'GO'].map((s) => ({ properties: { STREET: [{ suffix: s }] } })),
  'suffix-equals-ignore-case': ['oN', 'Ke', 'mM', 'InG', 'gO'].map((s) => ({
    properties: { STREET: [{ suffix: { 'equals-ignore-case': s } }] },
  })),
  'equals-ignore-case': [
    { properties: { STREET: [{ 'equals-ignore-case': 'jefferson' }] } },
    { properties: { STREET: [{ 'equals-ignore-case': 'bEaCh' }] } },
    { properties: { STREET: [{ 'equals-ignore-case': 'HyDe' }] } },
    { properties: { STREET: [{ 'equals-ignore-case': 'CHESTNUT' }] } },
    { properties: { ST_TYPE: [{ 'equals-ignore-case': 'st' }] } },
  ],
  numeric: [
    { geometry: { type: ['Polygon'], firstCoordinates: { x: [{ numeric: ['=', -122.42916360922355] }] } } },
    { geometry: { type: ['MultiPolygon'], firstCoordinates: { z: [{ numeric: ['=', 0] }] } } },
    { geometry: { firstCoordinates: { x: [{ numeric: ['<', -122.41600944012424] }] } } },
    { geometry: { firstCoordinates: { x: [{ numeric: ['>', -122.41600944012424] }] } } },
    { geometry: { firstCoordinates: { x: [{ numeric: ['>', -122.46471267081272, '<', -122.4063085128395] }] } } },
  ],
  'anything-but': [
    { properties: { STREET: [{ 'anything-but': ['FULTON'] }] } },
    { properties: { STREET: [{ 'anything-but': ['MASON'] }] } },
    { properties: { ST_TYPE: [{ 'anything-but': ['ST'] }] } },
    { geometry: { type: [{ 'anything-but': ['Polygon'] }] } },
    { properties: { FROM_ST: [{ 'anything-but': ['441'] }] } },
  ],
  'anything-but-ignore-case': [
    { properties: { STREET: [{ 'anything-but': { 'equals-ignore-case': ['Fulton'] } }] } },
    { properties: { STREET: [{ 'anything-but': { 'equals-ignore-case': ['Mason'] } }] } },
    { properties: { ST_TYPE: [{ 'anything-but': { 'equals-ignore-case': ['st'] } }] } },
    { geometry: { type: [{ 'anything-but': { 'equals-ignore-case': ['polygon'] } }] } },
    { properties: { FROM_ST: [{ 'anything-but': { 'equals-ignore-case': ['441'] } }] } },
  ],
  'anything-but-prefix': [
    { properties: { STREET: [{ 'anything-but': { prefix: 'FULTO' } }] } },
    { properties: { STREET: [{ 'anything-but': { prefix: 'MASO' } }] } },
    { properties: { ST_TYPE: [{ 'anything-but': { prefix: 'S' } }] } },
    { geometry: { type: [{ 'anything-but': { prefix: 'Poly' } }] } },
    { properties: { FROM_ST: [{ 'anything-but': { prefix: '44' } }] } },
  ],
  'anything-but-suffix': [
    { properties: { STREET: [{ 'anything-but': { suffix: 'ULTON' } }] } },
    { properties: { STREET: [{ 'anything-but': { suffix: 'ASON' } }] } },
    { properties: { ST_TYPE: [{ 'anything-but': { suffix: 'T' } }] } },
    { geometry: { type: [{ 'anything-but': { suffix: 'olygon' } }] } },
    { properties: { FROM_ST: [{ 'anything-but': { suffix: '41' } }] } },
  ],
  'anything-but-wildcard': ['143*', '2*0*1*7', '*218', '3*5*2', 'VA*IL'].map((w) => ({
    properties: { MAPBLKLOT: [{ 'anything-but': { wildcard: w } }] },
  })),
  'complex-arrays': [
    { geometry: { type: ['Polygon'], coordinates: { x: [{ numeric: ['=', -122.42916360922355] }] } } },
    { geometry: { type: ['MultiPolygon'], coordinates: { y: [{ numeric: ['=', 37.729900216217324] }] } } },
    { geometry: { coordinates: { x: [{ numeric: ['<', -122.41600944012424] }] } } },
    { geometry: { coordinates: { x: [{ numeric: ['>', -122.41600944012424] }] } } },
    { geometry: { coordinates: { x: [{ numeric: ['>', -122.46471267081272, '<', -122.4063085128395] }] } } },
  ],
};

/** The targets (events/s with parsing) per group; numeric and anything-but groups have the lower one. */
export function targetFor(group: string): number | undefined {
  if (group === 'exact' || group === 'prefix' || group === 'suffix') return 150_000;
  if (group === 'numeric' || group.startsWith('anything-but')) return 80_000;
  return undefined;
}

/** Street names weighted roughly like a city's; the list covers every prefix/suffix/name the rules use. */
const STREETS: [string, number][] = [
  ['MISSION', 30],
  ['FULTON', 12],
  ['MASON', 8],
  ['JACKSON', 10],
  ['WASHINGTON', 10],
  ['HARRISON', 9],
  ['FOLSOM', 9],
  ['JEFFERSON', 2],
  ['BEACH', 2],
  ['HYDE', 6],
  ['CHESTNUT', 4],
  ['ACADIA', 1],
  ['BLAKE', 2],
  ['BLANKEN', 2],
  ['DRUMM', 1],
  ['FUNSTON', 6],
  ['RHODE ISLAND', 3],
  ['KING', 3],
  ['GOLDEN GATE', 6],
  ['SAN DIEGO', 2],
  ['CHICAGO', 2],
  ['LAKE', 4],
  ['BRYANT', 9],
  ['GEARY', 10],
  ['CALIFORNIA', 10],
  ['VALENCIA', 8],
  ['UNKNOWN', 3],
];
const ST_TYPES: [string | null, number][] = [
  ['ST', 50],
  ['AVE', 25],
  ['BLVD', 4],
  ['WAY', 4],
  ['TER', 3],
  ['PL', 3],
  ['CT', 2],
  [null, 9],
];
/** MAPBLKLOT values that are not block+lot numbers (vacated streets and the like). */
const ODD_LOTS = ['VACSTWIL', 'VACSTMIS', 'VACSTALY'];
const NAMED_LOTS = ['1430022', '2607117', '2607218', '3745012'];

function weighted<T>(items: [T, number][]): (r: number) => T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  return (r) => {
    let x = r * total;
    for (const [v, w] of items) {
      x -= w;
      if (x < 0) return v;
    }
    return items[items.length - 1]![0];
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `n` citylots2-like events as JSON lines, the same for the same seed. */
export function generateCityLots(n: number, seed = 2019): string[] {
  const r = rng(seed);
  const street = weighted(STREETS);
  const stType = weighted(ST_TYPES);
  const lines: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const block = 1 + Math.floor(r() * 7600);
    const lot = 1 + Math.floor(r() * 250);
    // Rare lots carry the exact MAPBLKLOTs event-ruler's exact rules name, or a non-numeric (vacated street) id.
    const special = r();
    const blklot =
      special < 0.001
        ? ODD_LOTS[Math.floor(r() * ODD_LOTS.length)]!
        : special < 0.003
          ? NAMED_LOTS[Math.floor(r() * NAMED_LOTS.length)]!
          : `${pad(block, 4)}${pad(lot, 3)}`;
    const from = r() < 0.01 ? 441 : Math.floor(r() * 3000);
    const multi = r() < 0.0006;
    const ring = (x0: number, y0: number) => {
      const pts: { x: number; y: number; z: number }[] = [];
      const k = 5 + Math.floor(r() * 8);
      for (let j = 0; j < k; j++) pts.push({ x: x0 + r() * 0.0008, y: y0 + r() * 0.0008, z: 0 });
      pts.push(pts[0]!);
      return pts;
    };
    // A few lots sit exactly on the coordinates event-ruler's "=" rules name.
    const onX = r() < 0.002;
    const onY = multi && r() < 0.5;
    const x0 = onX ? -122.42916360922355 : -122.52 + r() * 0.16;
    const y0 = onY ? 37.729900216217324 : 37.7 + r() * 0.12;
    const first = ring(x0, y0);
    if (onX) first[0] = { x: -122.42916360922355, y: first[0]!.y, z: 0 };
    if (onY) first[0] = { x: first[0]!.x, y: 37.729900216217324, z: 0 };
    first[first.length - 1] = first[0]!;
    const coordinates = multi ? [[first], [ring(x0 + 0.001, y0 + 0.001)]] : [first];
    lines[i] = JSON.stringify({
      type: 'Feature',
      properties: {
        MAPBLKLOT: blklot,
        BLKLOT: blklot,
        BLOCK_NUM: pad(block, 4),
        LOT_NUM: pad(lot, 3),
        FROM_ST: String(from),
        TO_ST: String(from + Math.floor(r() * 40)),
        STREET: street(r()),
        ST_TYPE: stType(r()),
        ODD_EVEN: r() < 0.5 ? 'O' : 'E',
      },
      geometry: {
        type: multi ? 'MultiPolygon' : 'Polygon',
        coordinates,
        firstCoordinates: first[0],
      },
    });
  }
  return lines;
}

export interface GroupResult {
  group: string;
  /** Compiled index, JSON text in (JSON.parse + match), as event-ruler measures. */
  compiledEventsPerSec: number;
  /** The same per CPU second of this process (the machine is shared: wall time includes waits for a core). */
  compiledCpuEventsPerSec: number;
  /** Compiled index on already-parsed events (matching alone). */
  compiledMatchOnlyEventsPerSec: number;
  /**
   * Compiled index, JSON text in through the field-selective scanner (`PatternIndex.matchJson`: validates the whole
   * text, builds only the leaves the rules read). This is the path for events held as text.
   */
  scanEventsPerSec: number;
  scanCpuEventsPerSec: number;
  /** Median over chunks of scanner time ÷ JSON.parse-only time (< 1: faster than parsing alone); load-independent. */
  scanTimeVsParse: number;
  /** Reference matcher (JSON.parse, flatten, try each rule), JSON text in. */
  referenceEventsPerSec: number;
  /** JSON.parse alone on the same lines, measured alternately with the runs above (the ceiling for JSON text in). */
  parseOnlyEventsPerSec: number;
  parseOnlyCpuEventsPerSec: number;
  /** Median over chunks of (parse + match time) ÷ (parse-only time): 1.0 = matching is free; load-independent. */
  compiledTimeVsParse: number;
  target?: number;
  /** The scanner path reaches the target in wall time / in CPU time. */
  meetsTarget?: boolean;
  meetsTargetCpu?: boolean;
  /** Events matched by each of the five rules (compiled index). */
  matches: number[];
  /** The reference matcher and the scanner path counted the same matches for every rule. */
  agree: boolean;
}

/** Wall and CPU milliseconds of a run. */
interface Clock {
  ms: number;
  cpuMs: number;
}

function clocked(fn: () => void, into: Clock): number {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  into.ms += ms;
  into.cpuMs += (c.user + c.system) / 1000;
  return ms;
}

const perSec = (n: number, ms: number) => Math.round(n / (ms / 1000));

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** One group: counts and events/s for the compiled index and the reference matcher over every line. */
export function runGroup(group: string, lines: readonly string[], parsedSample: readonly unknown[]): GroupResult {
  const rules = RULE_GROUPS[group]!;
  const patterns: Pattern[] = rules.map((rule) => compilePattern(rule));
  const index = new PatternIndex<number>();
  patterns.forEach((p, i) => {
    index.add(i, p);
  });
  const counts = new Array<number>(rules.length).fill(0);
  const refCounts = new Array<number>(rules.length).fill(0);
  const reference = (line: string) => {
    const leaves = allLeaves(JSON.parse(line));
    for (let i = 0; i < patterns.length; i++) {
      if (patterns[i]!.subPatterns.some((sp) => subPatternMatches(sp, leaves))) refCounts[i]!++;
    }
  };
  const scanCounts = new Array<number>(rules.length).fill(0);
  const scan = (line: string) => {
    const r = index.matchJson(line);
    if (!r.ok) throw new Error(`bench line is not valid JSON: ${r.error}`);
    for (const id of r.ids) scanCounts[id]!++;
  };
  const warm = Math.min(2000, lines.length);
  let sink = 0;
  for (let i = 0; i < warm; i++) {
    sink += index.match(JSON.parse(lines[i]!)).length;
    reference(lines[i]!);
    scan(lines[i]!);
  }
  refCounts.fill(0);
  scanCounts.fill(0);
  // Chunk by chunk, the runs alternate with a JSON.parse-only pass over the same lines, so that load from other
  // processes hits all of them alike; the per-chunk ratios to JSON.parse are the load-independent figures.
  const CHUNK = 10_000;
  const parse: Clock = { ms: 0, cpuMs: 0 };
  const compiled: Clock = { ms: 0, cpuMs: 0 };
  const scanned: Clock = { ms: 0, cpuMs: 0 };
  const referenced: Clock = { ms: 0, cpuMs: 0 };
  const compiledRatios: number[] = [];
  const scanRatios: number[] = [];
  for (let start = 0; start < lines.length; start += CHUNK) {
    const chunk = lines.slice(start, start + CHUNK);
    const p = clocked(() => {
      for (const line of chunk) sink += (JSON.parse(line) as { type?: string }).type ? 1 : 0;
    }, parse);
    const c = clocked(() => {
      for (const line of chunk) for (const id of index.match(JSON.parse(line))) counts[id]!++;
    }, compiled);
    const s = clocked(() => {
      for (const line of chunk) scan(line);
    }, scanned);
    clocked(() => {
      for (const line of chunk) reference(line);
    }, referenced);
    compiledRatios.push(c / p);
    scanRatios.push(s / p);
  }
  for (let i = 0; i < Math.min(2000, parsedSample.length); i++) sink += index.match(parsedSample[i]).length;
  const matchOnlyMs = timed(() => {
    for (const e of parsedSample) sink += index.match(e).length;
  });
  const median = (xs: number[]) => round(xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0, 2);
  const target = targetFor(group);
  const n = lines.length;
  const scanEventsPerSec = perSec(n, scanned.ms);
  const scanCpuEventsPerSec = perSec(n, scanned.cpuMs);
  return {
    group,
    compiledEventsPerSec: perSec(n, compiled.ms),
    compiledCpuEventsPerSec: perSec(n, compiled.cpuMs),
    compiledMatchOnlyEventsPerSec: perSec(parsedSample.length, matchOnlyMs) + (sink < 0 ? 1 : 0),
    scanEventsPerSec,
    scanCpuEventsPerSec,
    scanTimeVsParse: median(scanRatios),
    referenceEventsPerSec: perSec(n, referenced.ms),
    parseOnlyEventsPerSec: perSec(n, parse.ms),
    parseOnlyCpuEventsPerSec: perSec(n, parse.cpuMs),
    compiledTimeVsParse: median(compiledRatios),
    ...(target
      ? { target, meetsTarget: scanEventsPerSec >= target, meetsTargetCpu: scanCpuEventsPerSec >= target }
      : {}),
    matches: counts,
    agree: counts.every((c, i) => c === refCounts[i] && c === scanCounts[i]),
  };
}

export interface BusBenchOptions {
  /** Events in the synthetic data set (default BENCH_BUS_EVENTS or 200,000). */
  events?: number;
  groups?: readonly string[];
  /** Rule counts for the scaling measurement (default [10, 10000]); [] skips it. */
  scalingRuleCounts?: number[];
  scalingBudgetMs?: number;
}

export async function benchBus(opts: BusBenchOptions = {}) {
  const n = opts.events ?? Number(process.env.BENCH_BUS_EVENTS ?? 200_000);
  const lines = generateCityLots(n);
  const bytes = lines.reduce((s, l) => s + l.length, 0);
  const parsedSample = lines.slice(0, Math.min(lines.length, 20_000)).map((l) => JSON.parse(l) as unknown);
  // Baseline on the same bytes: JSON.parse alone bounds every "JSON text in" figure below.
  for (let i = 0; i < Math.min(2000, n); i++) JSON.parse(lines[i]!);
  let keys = 0;
  const parseMs = timed(() => {
    for (const line of lines) keys += (JSON.parse(line) as { type?: string }).type ? 1 : 0;
  });
  const groups: GroupResult[] = [];
  for (const group of opts.groups ?? Object.keys(RULE_GROUPS)) {
    groups.push(runGroup(group, lines, parsedSample));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const counts = opts.scalingRuleCounts ?? [10, 10_000];
  let scaling: Record<string, unknown> | undefined;
  if (counts.length >= 2) {
    // Per-event time with many rules vs few, per rule kind (measure.ts's synthetic rules; target <= 1.5x).
    const report = await measurePatternThroughput(counts, { budgetMs: opts.scalingBudgetMs ?? 1000 });
    const lo = Math.min(...counts);
    const hi = Math.max(...counts);
    type Row = (typeof report.rows)[number];
    const ratio = (pick: (row: Row) => number) => {
      const out: Record<string, number | null> = {};
      for (const row of report.rows) {
        if (row.rules !== lo) continue;
        const high = report.rows.find((x) => x.kind === row.kind && x.rules === hi);
        out[row.kind] = high ? round(pick(row) / pick(high), 2) : null;
      }
      return out;
    };
    // The same for the fixed part of the time per event (the output-independent intercept of measure.ts's fit).
    const fixedRatio = (pick: (row: Row) => number) => {
      const out: Record<string, number | null> = {};
      for (const row of report.rows) {
        if (row.rules !== lo) continue;
        const high = report.rows.find((x) => x.kind === row.kind && x.rules === hi);
        out[row.kind] = high && pick(row) > 0 ? round(pick(high) / pick(row), 2) : null;
      }
      return out;
    };
    scaling = {
      ruleCounts: counts,
      /**
       * The target (<= 1.5) is judged on the time per event from JSON text, as Vigil runs: the scanner path
       * (`matchJson`, event-ruler's rulesForJSONEvent(String)) and the in-pipeline parsed path (JSON.parse, then
       * `match` on the fresh object). The others are reported beside them: the pipeline's matching share alone, and
       * matching objects parsed long before (a cold-memory stress figure).
       */
      judgedOn: ['scanTimePerEventRatio', 'pipelineTimePerEventRatio'],
      /** Time per event at the high rule count ÷ at the low one (events/s low ÷ events/s high); target <= 1.5. */
      scanTimePerEventRatio: ratio((r) => r.scanEventsPerSec),
      scanTimePerEventRatioCpu: ratio((r) => r.scanCpuEventsPerSec),
      pipelineTimePerEventRatio: ratio((r) => r.pipelineEventsPerSec),
      pipelineTimePerEventRatioCpu: ratio((r) => r.pipelineCpuEventsPerSec),
      /** CPU µs of the pipeline's matching share (pipeline − JSON.parse alone) at the high count ÷ at the low one. */
      pipelineMatchRatioCpu: fixedRatio((r) => r.pipelineMatchCpuUs),
      /** Stress figure: matching 10,000 objects parsed long before (each read cold from memory). */
      timePerEventRatio: ratio((r) => r.compiledEventsPerSec),
      timePerEventRatioCpu: ratio((r) => r.compiledCpuEventsPerSec),
      /** CPU time per event excluding output (fit intercept) at the high rule count ÷ at the low one (estimates). */
      fixedCostRatioCpu: fixedRatio((r) => r.compiledFixedUs),
      scanFixedCostRatioCpu: fixedRatio((r) => r.scanFixedUs),
      target: 1.5,
      rows: report.rows,
    };
  }
  return {
    dataset: {
      kind: 'synthetic citylots2-like GeoJSON features (citylots2 itself is not in ../shared/corpora)',
      events: n,
      meanBytes: Math.round(bytes / n),
      seed: 2019,
    },
    jsonParseOnlyEventsPerSec: Math.round(n / (parseMs / 1000)) + (keys < 0 ? 1 : 0),
    groups,
    ...(scaling ? { scaling } : {}),
  };
}

/** `npx tsx bench/bus.ts [events]` prints the bus section alone. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const events = Number(process.argv[2]) || undefined;
  process.stdout.write(`${JSON.stringify(await benchBus({ events }), null, 2)}\n`);
}
