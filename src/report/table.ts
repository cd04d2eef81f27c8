/** Human table of findings, ending with counts by severity and by type. */
import { renderTable } from '../cli/tables.js';
import { type Finding, severityLabel } from '../detect/types.js';
import { resourceIdentity, summarize } from './findings.js';

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function formatFindingsTable(findings: Finding[], opts: { explain?: boolean } = {}): string {
  if (findings.length === 0) return 'No findings.\n';
  const rows = findings.map((f) => [
    `${severityLabel(f.severity)} ${f.severity}`,
    f.type,
    cut(resourceIdentity(f).uid, 40),
    f.service.count,
    f.service.eventFirstSeen.replace('.000Z', 'Z'),
    cut(f.service.archived ? `[archived] ${f.title}` : f.title, 90),
  ]);
  let out = renderTable(['severity', 'type', 'resource', 'count', 'first seen', 'title'], rows, [
    false,
    false,
    false,
    true,
  ]);
  if (opts.explain) {
    out += '\n';
    for (const f of findings) {
      const rec = f.explanation.records.map((o) => `${o.file}:${o.line}`);
      out += `${f.type} ${f.id}\n  why: ${f.explanation.reason}\n  records: ${rec.slice(0, 5).join(', ')}${f.explanation.recordCount > 5 ? ` (+${f.explanation.recordCount - 5} more)` : ''}\n`;
    }
  }
  const s = summarize(findings);
  out += `\nFindings by severity:\n${renderTable(
    ['severity', 'findings'],
    (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const).map((l) => [l, s.bySeverity[l]]),
    [false, true],
  )}`;
  out += `\nFindings by type:\n${renderTable(
    ['type', 'findings'],
    Object.entries(s.byType).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    [false, true],
  )}`;
  out += `\n${s.total} findings${s.archived ? ` (${s.archived} archived)` : ''}\n`;
  return out;
}
