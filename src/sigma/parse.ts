/**
 * Load Sigma YAML (one or several documents per file) into validated rules, correlations and meta filters.
 *
 * Never throws for bad input: every problem becomes a SigmaIssue naming the file, line, rule and path. A
 * document with an error is left out; the other documents of the file still load.
 */

import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import { compileDetection, type DetectionProblem, pathText, type YamlPath } from './detection.js';
import { correlationSchema, filterSchema, ruleSchema } from './schema.js';
import type {
  CorrelationRule,
  LogSource,
  RuleMeta,
  SigmaCollection,
  SigmaFilter,
  SigmaIssue,
  SigmaRule,
  ThresholdOp,
} from './types.js';

export interface LoadOptions {
  /** Values for `%placeholder%` names used with the `expand` modifier. */
  placeholders?: Record<string, string[]>;
}

export function emptyCollection(): SigmaCollection {
  return { rules: [], correlations: [], filters: [], issues: [] };
}

/** Parse one file's text. */
export function parseSigmaText(text: string, file: string, opts: LoadOptions = {}): SigmaCollection {
  const out = emptyCollection();
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true }) as Document.Parsed[];
  } catch (e) {
    out.issues.push({ severity: 'error', file, reason: `YAML: ${(e as Error).message}` });
    return out;
  }
  if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  for (const doc of docs) {
    const line = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]).line : 1;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        out.issues.push({
          severity: 'error',
          file,
          line: e.linePos?.[0]?.line ?? line,
          reason: `YAML: ${e.message.split('\n')[0]!.replace(/:$/, '')}`,
        });
      }
      continue;
    }
    if (doc.contents === null) continue; // an empty document (e.g. a trailing `---`)
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      out.issues.push({ severity: 'error', file, line, reason: `YAML: ${(e as Error).message}` });
      continue;
    }
    if (value === null || value === undefined) continue; // an empty document (e.g. after a trailing `---`)
    const ctx = new DocContext(doc, lineCounter, file, line, out.issues);
    try {
      loadDocument(value, ctx, opts, out);
    } catch (e) {
      // A bug in the loader must not lose the other documents: report it like any other problem.
      ctx.report('error', [], `internal error while loading: ${(e as Error)?.message ?? String(e)}`);
    }
  }
  return out;
}

/** Issue reporting for one document: resolves paths to lines and tags the rule. */
class DocContext {
  rule: string | undefined;
  constructor(
    readonly doc: Document.Parsed,
    readonly lines: LineCounter,
    readonly file: string,
    readonly line: number,
    readonly issues: SigmaIssue[],
  ) {}

  lineOf(path: YamlPath): number {
    let node: unknown = this.doc.contents;
    let best = this.line;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const key = pair.key as Node;
        if (key.range) best = this.lines.linePos(key.range[0]).line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        const n = node as Node | undefined;
        if (n?.range) best = this.lines.linePos(n.range[0]).line;
      } else break;
    }
    return best;
  }

  report(severity: 'error' | 'warning', path: YamlPath, reason: string): void {
    const issue: SigmaIssue = { severity, file: this.file, line: this.lineOf(path), reason };
    if (this.rule !== undefined) issue.rule = this.rule;
    if (path.length > 0) issue.path = pathText(path);
    this.issues.push(issue);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function loadDocument(value: unknown, ctx: DocContext, opts: LoadOptions, out: SigmaCollection): void {
  if (!isObject(value)) {
    ctx.report('error', [], 'a Sigma document must be a YAML map');
    return;
  }
  ctx.rule = ruleLabel(value);
  if ('action' in value) {
    ctx.report(
      'error',
      ['action'],
      `'action: ${String(value.action)}' collections (Sigma 1.x) are not supported; write each rule as a complete document`,
    );
    return;
  }
  if ('correlation' in value) {
    const c = loadCorrelation(value, ctx);
    if (c) out.correlations.push(c);
  } else if ('filter' in value) {
    const f = loadFilter(value, ctx, opts);
    if (f) out.filters.push(f);
  } else if ('detection' in value) {
    const r = loadRule(value, ctx, opts);
    if (r) out.rules.push(r);
  } else {
    ctx.report('error', [], "not a Sigma rule, correlation or filter (no 'detection', 'correlation' or 'filter')");
  }
}

function ruleLabel(v: Record<string, unknown>): string | undefined {
  for (const k of ['id', 'name', 'title']) if (typeof v[k] === 'string') return v[k] as string;
  return undefined;
}

/** Report schema issues; true when the document passed. */
function checkSchema(
  schema: {
    safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: unknown,
  ctx: DocContext,
): boolean {
  const r = schema.safeParse(value);
  if (r.success) return true;
  for (const issue of r.error!.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const last = path[path.length - 1];
    const missing = issue.message.includes('received undefined');
    ctx.report(
      'error',
      path,
      missing ? `missing required attribute '${String(last)}'` : `${pathText(path) || 'document'}: ${issue.message}`,
    );
  }
  return false;
}

function meta(v: Record<string, unknown>, ctx: DocContext): RuleMeta {
  const m: RuleMeta = {
    title: v.title as string,
    tags: (v.tags as string[] | undefined) ?? [],
    references: (v.references as string[] | undefined) ?? [],
    falsepositives:
      typeof v.falsepositives === 'string' ? [v.falsepositives] : ((v.falsepositives as string[] | undefined) ?? []),
    fields: (v.fields as string[] | undefined) ?? [],
    file: ctx.file,
    line: ctx.line,
  };
  for (const k of ['id', 'name', 'status', 'level', 'description', 'author', 'date', 'modified'] as const) {
    if (typeof v[k] === 'string') (m as unknown as Record<string, unknown>)[k] = v[k];
  }
  return m;
}

function logsourceOf(v: Record<string, unknown>): LogSource {
  const ls = (v.logsource ?? {}) as Record<string, unknown>;
  const out: LogSource = {};
  for (const k of ['category', 'product', 'service', 'definition'] as const) {
    if (typeof ls[k] === 'string') out[k] = ls[k] as string;
  }
  return out;
}

function reportProblems(problems: DetectionProblem[], ctx: DocContext): boolean {
  for (const p of problems) ctx.report(p.severity, p.path, p.reason);
  return !problems.some((p) => p.severity === 'error');
}

function loadRule(v: Record<string, unknown>, ctx: DocContext, opts: LoadOptions): SigmaRule | undefined {
  if (!checkSchema(ruleSchema, v, ctx)) return undefined;
  const raw = v.detection as Record<string, unknown>;
  const { detection, problems } = compileDetection(raw, {
    placeholders: opts.placeholders ?? {},
    base: ['detection'],
  });
  if (!reportProblems(problems, ctx) || !detection) return undefined;
  const ls = logsourceOf(v);
  if (!ls.category && !ls.product && !ls.service) {
    ctx.report('warning', ['logsource'], 'logsource has no category, product or service');
  }
  return { kind: 'rule', meta: meta(v, ctx), logsource: ls, rawDetection: raw, detection, filters: [] };
}

function loadFilter(v: Record<string, unknown>, ctx: DocContext, opts: LoadOptions): SigmaFilter | undefined {
  if (!checkSchema(filterSchema, v, ctx)) return undefined;
  const raw = v.filter as Record<string, unknown>;
  const { detection, problems } = compileDetection(raw, {
    placeholders: opts.placeholders ?? {},
    base: ['filter'],
    reserved: ['rules'],
  });
  if (!reportProblems(problems, ctx) || !detection) return undefined;
  return {
    kind: 'filter',
    meta: meta(v, ctx),
    logsource: logsourceOf(v),
    rules: raw.rules as string[],
    rawDetection: raw,
    detection,
  };
}

const TIMESPAN = /^(\d+)([smhd])$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const OPS: ThresholdOp[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

export function parseTimespan(text: string): number | undefined {
  const m = TIMESPAN.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms > 0 ? ms : undefined;
}

function loadCorrelation(v: Record<string, unknown>, ctx: DocContext): CorrelationRule | undefined {
  if (!checkSchema(correlationSchema, v, ctx)) return undefined;
  const c = v.correlation as Record<string, unknown>;
  const type = c.type as CorrelationRule['type'];
  let ok = true;
  const fail = (path: YamlPath, reason: string) => {
    ok = false;
    ctx.report('error', ['correlation', ...path], reason);
  };
  const timespan = c.timespan as string;
  const timespanMs = parseTimespan(timespan);
  if (timespanMs === undefined) {
    fail(['timespan'], `timespan '${timespan}' must be a positive number followed by s, m, h or d (e.g. 90m)`);
  }
  const groupBy = (c['group-by'] as string[] | undefined) ?? [];
  if (c['group-by'] === undefined) fail([], "missing required attribute 'group-by'");
  const cond = (c.condition ?? undefined) as Record<string, unknown> | undefined;
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  const valueType = type.startsWith('value_');
  const condition: CorrelationRule['condition'] = [];
  let field: string[] | undefined;
  if (!cond) {
    if (!temporal) fail([], `missing required attribute 'condition' (mandatory for ${type})`);
  } else {
    for (const op of OPS) {
      const n = cond[op];
      if (n === undefined) continue;
      if (typeof n !== 'number') continue; // the schema already reported it
      if (type !== 'value_avg' && !Number.isInteger(n)) fail(['condition', op], `threshold must be an integer`);
      condition.push({ op, value: n });
    }
    if (condition.length === 0) fail(['condition'], 'condition needs one of gt, gte, lt, lte, eq, neq');
    if (condition.length > 2) fail(['condition'], 'condition allows at most two comparisons (a range)');
    if (cond.field !== undefined) field = Array.isArray(cond.field) ? (cond.field as string[]) : [cond.field as string];
    if (valueType && !field) fail(['condition'], `condition.field is required for ${type}`);
    if (!valueType && field) fail(['condition', 'field'], `condition.field has no meaning for ${type}`);
    if (field && field.length > 1 && type !== 'value_count') {
      fail(['condition', 'field'], `${type} aggregates one field; only value_count accepts several`);
    }
  }
  const rules = c.rules as string[];
  if (temporal && rules.length < 2) ctx.report('warning', ['correlation', 'rules'], `${type} with a single rule`);
  if (!ok) return undefined;
  return {
    kind: 'correlation',
    meta: meta(v, ctx),
    type,
    rules,
    groupBy,
    timespan,
    timespanMs: timespanMs!,
    condition,
    ...(field ? { field } : {}),
    aliases: (c.aliases as CorrelationRule['aliases'] | undefined) ?? {},
    generate: v.generate === true,
  };
}

/** Merge collections (e.g. one per file). */
export function mergeCollections(parts: SigmaCollection[]): SigmaCollection {
  const out = emptyCollection();
  for (const p of parts) {
    out.rules.push(...p.rules);
    out.correlations.push(...p.correlations);
    out.filters.push(...p.filters);
    out.issues.push(...p.issues);
  }
  return out;
}
