/**
 * Sigma over a stream of records: detection matches, correlation state on event time, and the `generate`
 * rule (base rules of a correlation only report their own matches when a correlation using them says so).
 */

import type { LogRecord } from '../ingest/types.js';
import { referenceIndex } from './collection.js';
import { CorrelationState, eventFields } from './correlation.js';
import type { CompiledRule, SigmaEngine } from './engine.js';
import { FieldPath, resolveField } from './fields.js';
import type { CorrelationRule, RuleRef, SigmaCorrelationMatch, SigmaEvent, SigmaMatch, SigmaRule } from './types.js';

type Fields = Record<string, unknown>;

interface Pending {
  values: Record<string, unknown>;
  rules: number[];
  match: SigmaMatch;
  compiled: CompiledRule;
}

interface Consumer {
  state: CorrelationState;
  /** Position of the referenced document in the correlation's `rules`. */
  index: number;
  /** Per group-by name, the field to read in this input's events (alias applied). */
  groupFields: string[];
}

export interface StreamStats {
  records: number;
  matches: number;
  correlations: number;
  /** Matches that could not take part in correlations because their record had no event time. */
  untimed: number;
}

export class SigmaStream {
  private readonly consumers = new Map<RuleRef | CorrelationRule, Consumer[]>();
  private readonly states: CorrelationState[] = [];
  private readonly stateOf = new Map<CorrelationRule, CorrelationState>();
  private readonly byRef = new Map<RuleRef, CorrelationRule>();
  private readonly suppressed = new Set<RuleRef | CorrelationRule>();
  private readonly paths = new Map<string, FieldPath>();
  private watermark = Number.NEGATIVE_INFINITY;
  readonly stats: StreamStats = { records: 0, matches: 0, correlations: 0, untimed: 0 };

  constructor(
    private readonly engine: SigmaEngine,
    collection: { rules: SigmaRule[]; correlations: CorrelationRule[] },
  ) {
    const index = referenceIndex(collection);
    const ordered = topological(collection.correlations, index);
    for (const c of ordered) {
      const state = new CorrelationState(c);
      this.states.push(state);
      this.stateOf.set(c, state);
      this.byRef.set(state.ref, c);
    }
    const generating = new Set<RuleRef | CorrelationRule>();
    for (const c of ordered) {
      const state = this.stateOf.get(c)!;
      c.rules.forEach((ref, i) => {
        const target = index.get(ref)?.[0];
        if (!target) return; // validateCollection reported it
        const key = target.kind === 'rule' ? engine.refFor(target) : target;
        const groupFields = c.groupBy.map((g) => {
          const alias = c.aliases[g];
          if (!alias) return g;
          return (
            alias[ref] ?? (target.meta.id ? alias[target.meta.id] : undefined) ?? alias[target.meta.name ?? ''] ?? g
          );
        });
        const list = this.consumers.get(key);
        const consumer: Consumer = { state, index: i, groupFields };
        if (list) list.push(consumer);
        else this.consumers.set(key, [consumer]);
        if (c.generate) generating.add(key);
        else this.suppressed.add(key);
      });
    }
    for (const g of generating) this.suppressed.delete(g);
  }

  private path(name: string): FieldPath {
    let p = this.paths.get(name);
    if (!p) {
      p = new FieldPath(name);
      this.paths.set(name, p);
    }
    return p;
  }

  /** Evaluate one record: its detection matches (unless suppressed) and any correlations they complete. */
  push(record: LogRecord): SigmaEvent[] {
    this.stats.records++;
    const out: SigmaEvent[] = [];
    const timed = Number.isFinite(record.time);
    if (timed && record.time > this.watermark) this.watermark = record.time;
    const hits = this.engine.matchDetailed(record.type, record.fields, record.origin, record.time);
    if (hits.length > 0) {
      const batch = new Map<CorrelationState, Map<string, Pending>>();
      for (const { compiled: c, match: m } of hits) {
        this.stats.matches++;
        if (!this.suppressed.has(c.ref)) out.push(m);
        const consumers = this.consumers.get(c.ref);
        if (!consumers) continue;
        if (!timed) {
          this.stats.untimed++;
          continue;
        }
        for (const consumer of consumers) {
          // One record counts once per correlation group, even when it matched several referenced rules.
          const values = this.groupValues(consumer, record.fields, c.mapField);
          if (!values) continue;
          const key = JSON.stringify(Object.values(values));
          let byGroup = batch.get(consumer.state);
          if (!byGroup) {
            byGroup = new Map();
            batch.set(consumer.state, byGroup);
          }
          const entry = byGroup.get(key);
          if (entry) entry.rules.push(consumer.index);
          else byGroup.set(key, { values, rules: [consumer.index], match: m, compiled: c });
        }
      }
      for (const [state, byGroup] of batch) {
        for (const { values, rules, match, compiled } of byGroup.values()) {
          const fired = state.add(
            record.time,
            values,
            rules,
            (p) => this.read(record.fields, p, compiled.mapField),
            match,
          );
          this.emit(fired, out);
        }
      }
    }
    if (timed) {
      for (const s of this.states) {
        if (s.closeMode) this.emit(s.advance(this.watermark), out);
        else s.sweep(this.watermark);
      }
    }
    return out;
  }

  /** Groups held per correlation (title → count), to watch state size. */
  groupCounts(): Record<string, number> {
    return Object.fromEntries(this.states.map((s) => [s.rule.meta.title, s.groupCount]));
  }

  /** End of input: close every open window. */
  flush(): SigmaEvent[] {
    const out: SigmaEvent[] = [];
    for (const s of this.states) this.emit(s.flush(), out);
    return out;
  }

  private read(fields: Fields, path: FieldPath, mapField?: (f: string) => string | string[]): unknown {
    if (!mapField) return resolveField(fields, path);
    const mapped = mapField(path.name);
    for (const name of Array.isArray(mapped) ? mapped : [mapped]) {
      const v = resolveField(fields, this.path(name));
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private groupValues(
    consumer: Consumer,
    fields: Fields,
    mapField?: (f: string) => string | string[],
  ): Record<string, unknown> | undefined {
    const values: Record<string, unknown> = {};
    const groupBy = consumer.state.rule.groupBy;
    for (let i = 0; i < groupBy.length; i++) {
      const v = this.read(fields, this.path(consumer.groupFields[i]!), mapField);
      if (v === undefined || v === null) return undefined;
      values[groupBy[i]!] = v;
    }
    return values;
  }

  /** Output correlation matches and feed them to correlations that chain on them. */
  private emit(fired: SigmaCorrelationMatch[], out: SigmaEvent[]): void {
    for (const m of fired) {
      this.stats.correlations++;
      const corr = this.correlationOf(m);
      if (!corr || !this.suppressed.has(corr)) out.push(m);
      const consumers = corr ? this.consumers.get(corr) : undefined;
      if (!consumers) continue;
      for (const consumer of consumers) {
        const values = this.groupValues(consumer, eventFields(m));
        if (!values) continue;
        const next = consumer.state.add(m.time, values, [consumer.index], (p) => resolveField(eventFields(m), p), m);
        this.emit(next, out);
      }
    }
  }

  private correlationOf(m: SigmaCorrelationMatch): CorrelationRule | undefined {
    return this.byRef.get(m.rule);
  }
}

/** Correlations ordered so that every correlation comes after the correlations it uses. */
function topological(
  correlations: CorrelationRule[],
  index: Map<string, (SigmaRule | CorrelationRule)[]>,
): CorrelationRule[] {
  const out: CorrelationRule[] = [];
  const done = new Set<CorrelationRule>();
  const visit = (c: CorrelationRule, depth: number) => {
    if (done.has(c) || depth > correlations.length) return;
    for (const ref of c.rules) {
      for (const d of index.get(ref) ?? []) if (d.kind === 'correlation') visit(d, depth + 1);
    }
    if (!done.has(c)) {
      done.add(c);
      out.push(c);
    }
  };
  for (const c of correlations) visit(c, 0);
  return out;
}
