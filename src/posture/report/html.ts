/**
 * A self-contained HTML report: one file, CSS inline, no script, no external reference of any kind (a CSP meta tag
 * forbids loading anything), so it opens offline and in air-gapped reviews. Every value that came from input is
 * escaped. Resource rows are capped (failures first) with the counts kept exact; JSON Lines carries the rest.
 */
import type { Evaluation } from '../engine.js';
import { findRule } from '../rules/index.js';
import type { PackScore, RuleRow, Tally } from './score.js';

export interface HtmlReportInput {
  title: string;
  generatedAt: string;
  version: string;
  /** What was audited (file names, or "live collection"). */
  sources: string[];
  /** Sorted as they should appear (failures first). */
  evaluations: readonly Evaluation[];
  overall: Tally;
  packs: PackScore[];
  rules: RuleRow[];
  /** Most resource rows embedded (default 5000). */
  maxRows?: number;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const pct = (s: number | null) => (s === null ? 'n/a' : `${s.toFixed(1)}%`);

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1400px;padding:1rem 2rem;color:#1d2330}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d5d9e0}
.meta{color:#5b6475}.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.card{border:1px solid #d5d9e0;border-radius:6px;padding:.5rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d5d9e0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
.NON_COMPLIANT{color:#b42318;font-weight:600}.COMPLIANT{color:#067647}.INSUFFICIENT_DATA{color:#b54708}.NOT_APPLICABLE{color:#5b6475}
.CRITICAL,.HIGH{font-weight:600}td.id{font-family:ui-monospace,monospace;word-break:break-all}
details{margin:.25rem 0 1rem}summary{cursor:pointer}.muted{color:#5b6475;font-style:italic}
`;

function cell(v: string | number, cls?: string): string {
  const c = cls ? ` class="${escapeHtml(cls)}"` : typeof v === 'number' ? ' class="num"' : '';
  return `<td${c}>${escapeHtml(String(v))}</td>`;
}

function row(cells: string[]): string {
  return `<tr>${cells.join('')}</tr>`;
}

function head(cols: string[]): string {
  return `<thead><tr>${cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>`;
}

function card(label: string, value: string, id: string): string {
  return `<div class="card"><span>${escapeHtml(label)}</span><b id="${id}">${escapeHtml(value)}</b></div>`;
}

function packSection(p: PackScore): string {
  const controls = p.controls
    .map((c) => row([cell(c.id), cell(c.title), cell(c.status, c.status), cell(c.nonCompliant), cell(c.note ?? '')]))
    .join('');
  return (
    `<details><summary>${escapeHtml(p.pack)} controls (${p.controls.length})</summary>` +
    `<table>${head(['control', 'title', 'status', 'failing resources', 'note'])}<tbody>${controls}</tbody></table></details>`
  );
}

export function renderHtmlReport(r: HtmlReportInput): string {
  const maxRows = r.maxRows ?? 5000;
  const suppressed = r.evaluations.filter((e) => e.suppressed).length;
  const baseline = r.evaluations.filter((e) => e.baseline).length;
  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // Nothing may be fetched: the report must work offline and must not leak that it was opened.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(r.title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${escapeHtml(r.title)}</h1>`,
    `<p class="meta">Generated ${escapeHtml(r.generatedAt)} by Vigil ${escapeHtml(r.version)} from ${escapeHtml(r.sources.join(', ') || 'no input')}.</p>`,
    '<div class="cards">',
    card('Overall score', pct(r.overall.score), 'overall-score'),
    card('Evaluations', String(r.evaluations.length), 'total'),
    card('Compliant', String(r.overall.compliant), 'compliant'),
    card('Non-compliant', String(r.overall.nonCompliant), 'non-compliant'),
    card('Insufficient data', String(r.overall.insufficientData), 'insufficient-data'),
    card('Not applicable', String(r.overall.notApplicable), 'not-applicable'),
    card('Suppressed', String(suppressed), 'suppressed'),
    card('In baseline', String(baseline), 'baseline'),
    '</div>',
    '<p class="meta">Score = compliant / (compliant + non-compliant) evaluations; not-applicable and insufficient-data results do not count.</p>',
  );
  out.push('<h2>Packs</h2>');
  if (r.packs.length === 0) out.push('<p class="muted">No pack was evaluated.</p>');
  else {
    out.push(
      `<table id="packs">${head(['pack', 'title', 'score', 'compliant', 'non-compliant', 'insufficient data', 'not applicable', 'rules evaluated'])}<tbody>`,
    );
    for (const p of r.packs)
      out.push(
        `<tr data-pack="${escapeHtml(p.pack)}">${cell(p.pack)}${cell(p.title)}<td class="num score">${escapeHtml(pct(p.score))}</td>` +
          `${cell(p.compliant)}${cell(p.nonCompliant)}${cell(p.insufficientData)}${cell(p.notApplicable)}${cell(`${p.rulesEvaluated} / ${p.rules}`)}</tr>`,
      );
    out.push('</tbody></table>');
    for (const p of r.packs) out.push(packSection(p));
  }
  out.push(
    '<h2>Rules</h2>',
    `<table id="rules">${head(['rule', 'identifier', 'severity', 'status', 'score', 'compliant', 'non-compliant', 'insufficient data', 'not applicable', 'title'])}<tbody>`,
  );
  for (const x of r.rules) {
    const meta = findRule(x.identifier)?.meta;
    out.push(
      row([
        cell(x.configRuleName),
        cell(x.identifier, 'id'),
        cell(x.severity, x.severity),
        cell(x.status, x.status),
        `<td class="num">${escapeHtml(pct(x.score))}</td>`,
        cell(x.compliant),
        cell(x.nonCompliant),
        cell(x.insufficientData),
        cell(x.notApplicable),
        cell(meta?.title ?? ''),
      ]),
    );
  }
  out.push('</tbody></table>', '<h2>Resources</h2>');
  const shown = r.evaluations.slice(0, maxRows);
  if (shown.length < r.evaluations.length)
    out.push(
      `<p class="muted">Showing the first ${shown.length} of ${r.evaluations.length} evaluations (failures first); use --format jsonl for all of them.</p>`,
    );
  out.push(
    `<table id="resources">${head(['compliance', 'severity', 'rule', 'resource type', 'resource id', 'account', 'region', 'annotation', 'note'])}<tbody>`,
  );
  for (const e of shown) {
    const note = e.suppressed
      ? `suppressed: ${e.suppressed.reason}${e.suppressed.expires ? ` (until ${e.suppressed.expires})` : ''}`
      : e.baseline
        ? 'in baseline'
        : '';
    out.push(
      row([
        cell(e.complianceType, e.complianceType),
        cell(e.severity, e.severity),
        cell(e.configRuleName),
        cell(e.resourceType),
        cell(
          e.resourceName && e.resourceName !== e.resourceId ? `${e.resourceId} (${e.resourceName})` : e.resourceId,
          'id',
        ),
        cell(e.awsAccountId),
        cell(e.awsRegion),
        cell(e.annotation),
        cell(note),
      ]),
    );
  }
  out.push('</tbody></table></body></html>', '');
  return out.join('\n');
}
