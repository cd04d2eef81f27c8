/**
 * Correlation rules (Sigma 2.1) evaluated on event time over a stream of matches.
 *
 * Windows (Vigil's semantics, documented in docs/sigma.md):
 * - *Growing* conditions — event_count, value_count, value_sum, temporal and temporal_ordered whose condition only
 *   uses gt/gte (or has none) — use a sliding window per group: after each event the aggregate over the events
 *   within `timespan` of the newest one is checked; when it holds the correlation fires once and the group's
 *   window restarts empty (the events that fired are consumed).
 * - All other conditions (lt, lte, eq, neq) and the value_avg / value_percentile types can only be judged when the
 *   window is complete: a window opens at a group's first event and closes when event time (the stream's
 *   watermark: the newest event time seen) passes its start + timespan, or at flush.
 * Events without every group-by field do not take part; non-numeric values are ignored by value_sum/avg/percentile.
 */

import { FieldPath, resolveField } from './fields.js';
import { leafNumber } from './match.js';
import type { CorrelationRule, RuleRef, SigmaCorrelationMatch, SigmaEvent, SigmaMatch, ThresholdOp } from './types.js';

type Fields = Record<string, unknown>;

/** Most contributing events kept in a correlation match (the count is always exact). */
const MAX_EXAMPLES = 10;

interface Entry {
  time: number;
  /** Indices (into correlation.rules) of the referenced rules this event matched. */
  rules: number[];
  /** Aggregated value: distinct-value key for value_count, number for sum/avg, value text for percentile. */
  value: unknown;
  event: SigmaEvent;
}

interface Group {
  key: string;
  values: Record<string, unknown>;
  entries: Entry[];
  /** Window start for close-mode groups. */
  start: number;
  /** Incremented when the window is reset, so stale heap items are ignored. */
  epoch: number;
  sum: number;
  counts: Map<unknown, number>;
}

function compare(op: ThresholdOp, a: number, b: number): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'eq':
      return a === b;
    case 'neq':
      return a !== b;
  }
}

export function conditionText(c: CorrelationRule): string {
  if (c.condition.length === 0) return 'all rules matched';
  const field = c.field ? `${c.field.join(', ')} ` : '';
  return `${field}${c.condition.map((x) => `${x.op} ${x.value}`).join(' and ')}`;
}

/** Min-heap of (end time, group, epoch) for closing windows in event-time order. */
class Heap {
  private items: { end: number; group: Group; epoch: number }[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): { end: number; group: Group; epoch: number } | undefined {
    return this.items[0];
  }
  push(item: { end: number; group: Group; epoch: number }): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.end <= a[i]!.end) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): { end: number; group: Group; epoch: number } | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.end < a[m]!.end) m = l;
        if (r < a.length && a[r]!.end < a[m]!.end) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** State of one correlation rule. */
export class CorrelationState {
  readonly ref: RuleRef;
  readonly closeMode: boolean;
  private readonly groups = new Map<string, Group>();
  private readonly heap = new Heap();
  private readonly valuePaths: FieldPath[] | undefined;

  constructor(readonly rule: CorrelationRule) {
    const m = rule.meta;
    this.ref = { title: m.title, tags: m.tags, file: m.file };
    if (m.id !== undefined) this.ref.id = m.id;
    if (m.name !== undefined) this.ref.name = m.name;
    if (m.level !== undefined) this.ref.level = m.level;
    if (m.status !== undefined) this.ref.status = m.status;
    const growing = ['event_count', 'value_count', 'value_sum', 'temporal', 'temporal_ordered'].includes(rule.type);
    this.closeMode = !growing || rule.condition.some((c) => c.op !== 'gt' && c.op !== 'gte');
    this.valuePaths = rule.field?.map((f) => new FieldPath(f));
  }

  /**
   * Add one event (already resolved to this correlation's group values). `ruleIdx` lists which referenced rules
   * it matched; `readValue` reads the aggregated field from the event. Returns matches fired by it.
   */
  add(
    time: number,
    groupValues: Record<string, unknown>,
    ruleIdx: number[],
    readValue: (path: FieldPath) => unknown,
    event: SigmaEvent,
  ): SigmaCorrelationMatch[] {
    const value = this.aggregateValue(readValue);
    if (value === SKIP) return [];
    const key = JSON.stringify(Object.values(groupValues));
    let g = this.groups.get(key);
    if (!g) {
      g = { key, values: groupValues, entries: [], start: time, epoch: 0, sum: 0, counts: new Map() };
      this.groups.set(key, g);
    }
    if (this.closeMode && g.entries.length === 0) {
      g.start = time;
      this.heap.push({ end: time + this.rule.timespanMs, group: g, epoch: g.epoch });
    }
    this.insert(g, { time, rules: ruleIdx, value, event });
    if (this.closeMode) return [];
    this.evict(g);
    const result = this.evaluate(g);
    if (result === undefined) return [];
    const fired = this.fire(g, result, g.entries);
    this.reset(g);
    return fired;
  }

  private lastSweep = Number.NEGATIVE_INFINITY;

  /**
   * Forget sliding-window groups whose newest event is older than the window (they can no longer fire), so memory
   * follows the active groups. Runs at most once per timespan of event time, so its cost is amortised.
   */
  sweep(watermark: number): void {
    if (this.closeMode || watermark - this.lastSweep < this.rule.timespanMs) return;
    this.lastSweep = watermark;
    for (const [key, g] of this.groups) {
      const newest = g.entries[g.entries.length - 1];
      if (!newest || watermark - newest.time > this.rule.timespanMs) this.groups.delete(key);
    }
  }

  /** Groups currently held (diagnostics and tests). */
  get groupCount(): number {
    return this.groups.size;
  }

  /** Close windows whose end is before the watermark. */
  advance(watermark: number): SigmaCorrelationMatch[] {
    const out: SigmaCorrelationMatch[] = [];
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.end >= watermark) break;
      this.heap.pop();
      if (top.epoch !== top.group.epoch) continue;
      out.push(...this.close(top.group));
    }
    return out;
  }

  /** End of stream: close every open window (growing windows that never fired are dropped). */
  flush(): SigmaCorrelationMatch[] {
    const out: SigmaCorrelationMatch[] = [];
    if (this.closeMode) {
      while (this.heap.size > 0) {
        const top = this.heap.pop()!;
        if (top.epoch !== top.group.epoch) continue;
        out.push(...this.close(top.group));
      }
    }
    this.groups.clear();
    return out;
  }

  private close(g: Group): SigmaCorrelationMatch[] {
    // The window covers [start, start + timespan]; later events of the group already waiting stay for the next one.
    const end = g.start + this.rule.timespanMs;
    const inWindow = g.entries.filter((e) => e.time <= end);
    const rest = g.entries.filter((e) => e.time > end);
    const out: SigmaCorrelationMatch[] = [];
    const fired = this.evaluateClosed(inWindow);
    for (const f of fired) out.push(...this.fire(g, f, inWindow));
    this.reset(g);
    for (const e of rest) {
      if (g.entries.length === 0) {
        g.start = e.time;
        this.heap.push({ end: e.time + this.rule.timespanMs, group: g, epoch: g.epoch });
      }
      this.insert(g, e);
    }
    if (g.entries.length === 0) this.groups.delete(g.key);
    return out;
  }

  private aggregateValue(readValue: (path: FieldPath) => unknown): unknown {
    const t = this.rule.type;
    if (!this.valuePaths) return undefined;
    if (t === 'value_count') {
      const vals = this.valuePaths.map((p) => readValue(p));
      if (vals.some((v) => v === undefined || v === null)) return SKIP;
      return JSON.stringify(vals.length === 1 ? vals[0] : vals);
    }
    const v = readValue(this.valuePaths[0]!);
    if (v === undefined || v === null) return SKIP;
    if (t === 'value_percentile') return typeof v === 'object' ? JSON.stringify(v) : String(v);
    const n = typeof v === 'string' || typeof v === 'number' ? leafNumber(v) : Number.NaN;
    return Number.isFinite(n) ? n : SKIP;
  }

  private insert(g: Group, e: Entry): void {
    // Keep entries in time order (logs are mostly ordered; out-of-order events are inserted in place).
    const a = g.entries;
    let i = a.length;
    while (i > 0 && a[i - 1]!.time > e.time) i--;
    a.splice(i, 0, e);
    this.account(g, e, +1);
  }

  private account(g: Group, e: Entry, sign: 1 | -1): void {
    const t = this.rule.type;
    if (t === 'value_sum' || t === 'value_avg') g.sum += sign * (e.value as number);
    else if (t === 'value_count' || t === 'value_percentile') bump(g.counts, e.value, sign);
    else if (t === 'temporal' || t === 'temporal_ordered') for (const r of e.rules) bump(g.counts, r, sign);
  }

  private evict(g: Group): void {
    const a = g.entries;
    const newest = a[a.length - 1]!.time;
    let drop = 0;
    while (drop < a.length && newest - a[drop]!.time > this.rule.timespanMs) {
      this.account(g, a[drop]!, -1);
      drop++;
    }
    if (drop > 0) a.splice(0, drop);
  }

  private reset(g: Group): void {
    g.entries = [];
    g.sum = 0;
    g.counts.clear();
    g.epoch++;
  }

  private meets(n: number): boolean {
    return this.rule.condition.every((c) => compare(c.op, n, c.value));
  }

  /** Aggregate of a sliding window, when the condition holds. */
  private evaluate(g: Group): { value: number; fieldValue?: unknown } | undefined {
    const r = this.rule;
    const n = g.entries.length;
    let v: number;
    switch (r.type) {
      case 'event_count':
        v = n;
        break;
      case 'value_count':
        v = g.counts.size;
        break;
      case 'value_sum':
        v = g.sum;
        break;
      case 'temporal':
        v = g.counts.size;
        if (r.condition.length === 0) return v === r.rules.length ? { value: v } : undefined;
        break;
      case 'temporal_ordered':
        v = orderedPrefix(g.entries, r.rules.length);
        if (r.condition.length === 0) return v === r.rules.length ? { value: v } : undefined;
        break;
      default:
        return undefined;
    }
    return this.meets(v) ? { value: v } : undefined;
  }

  /** Aggregates of a completed window (one result per rare value for value_percentile). */
  private evaluateClosed(entries: Entry[]): { value: number; fieldValue?: unknown }[] {
    const r = this.rule;
    const n = entries.length;
    if (n === 0) return [];
    // Recompute from the window's entries (cheap at close time, and exact after out-of-order inserts).
    switch (r.type) {
      case 'event_count':
        return this.meets(n) ? [{ value: n }] : [];
      case 'value_count': {
        const v = new Set(entries.map((e) => e.value)).size;
        return this.meets(v) ? [{ value: v }] : [];
      }
      case 'value_sum':
      case 'value_avg': {
        let sum = 0;
        for (const e of entries) sum += e.value as number;
        const v = r.type === 'value_sum' ? sum : sum / n;
        return this.meets(v) ? [{ value: v }] : [];
      }
      case 'temporal': {
        const v = new Set(entries.flatMap((e) => e.rules)).size;
        if (r.condition.length === 0) return v === r.rules.length ? [{ value: v }] : [];
        return this.meets(v) ? [{ value: v }] : [];
      }
      case 'temporal_ordered': {
        const v = orderedPrefix(entries, r.rules.length);
        if (r.condition.length === 0) return v === r.rules.length ? [{ value: v }] : [];
        return this.meets(v) ? [{ value: v }] : [];
      }
      case 'value_percentile': {
        const counts = new Map<unknown, number>();
        for (const e of entries) bump(counts, e.value, 1);
        const out: { value: number; fieldValue?: unknown }[] = [];
        for (const [value, count] of counts) {
          const pct = (100 * count) / n;
          if (this.meets(pct)) out.push({ value: pct, fieldValue: value });
        }
        return out;
      }
    }
  }

  private fire(g: Group, result: { value: number; fieldValue?: unknown }, entries: Entry[]): SigmaCorrelationMatch[] {
    const contributing =
      result.fieldValue === undefined ? entries : entries.filter((e) => e.value === result.fieldValue);
    const first = contributing[0] ?? entries[0]!;
    const last = contributing[contributing.length - 1] ?? entries[entries.length - 1]!;
    const m: SigmaCorrelationMatch = {
      kind: 'correlation',
      rule: this.ref,
      type: this.rule.type,
      group: g.values,
      value: result.value,
      condition: conditionText(this.rule),
      start: first.time,
      end: last.time,
      time: last.time,
      events: contributing.slice(0, MAX_EXAMPLES).map((e) => e.event),
      eventCount: contributing.length,
    };
    if (result.fieldValue !== undefined) m.fieldValue = result.fieldValue;
    return [m];
  }
}

const SKIP = Symbol('skip');

function bump(map: Map<unknown, number>, key: unknown, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

/**
 * Length of the longest prefix of the listed rule order found as a time-ordered subsequence (greedy earliest
 * matching is optimal for subsequence search). An event matching several rules may advance several steps.
 */
function orderedPrefix(entries: Entry[], n: number): number {
  let k = 0;
  for (const e of entries) {
    while (k < n && e.rules.includes(k)) k++;
    if (k === n) break;
  }
  return k;
}

/** Field access on a correlation input: a detection match (record fields) or a nested correlation (group). */
export function eventFields(e: SigmaEvent): Fields {
  return e.kind === 'match' ? e.fields : e.group;
}

export type { SigmaMatch };
export { resolveField };
