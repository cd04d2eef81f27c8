import { toIso } from '../core/time.js';
import type { IngestStats } from '../ingest/stats.js';

/** Plain fixed-width table: one header row, aligned columns. */
export function renderTable(headers: string[], rows: (string | number)[][], rightAlign: boolean[] = []): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n')}\n`;
}

export function formatStatsTable(stats: IngestStats): string {
  const types = Object.entries(stats.types).sort((a, b) => b[1] - a[1]);
  const table = renderTable(
    ['log type', 'records'],
    types.map(([t, n]) => [t, n]),
    [false, true],
  );
  const range = Number.isNaN(stats.minTime) ? 'none' : `${toIso(stats.minTime)} .. ${toIso(stats.maxTime)}`;
  const filtered = stats.kept !== stats.records ? ` (${stats.kept} kept by --since/--until)` : '';
  return [
    table,
    `files:      ${stats.files}${stats.filesRejected ? ` (${stats.filesRejected} rejected)` : ''}`,
    `records:    ${stats.records}${filtered}`,
    `rejected:   ${stats.errors}`,
    `bytes:      ${stats.bytes}`,
    `event time: ${range}`,
    '',
  ].join('\n');
}
