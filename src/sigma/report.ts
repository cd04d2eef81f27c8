/**
 * Text and JSON forms of Sigma issues and events for the CLI (and any other reporter).
 */

import { toIso } from '../core/time.js';
import type { Level, MatchedSelection, SigmaCorrelationMatch, SigmaEvent, SigmaIssue, SigmaMatch } from './types.js';

/** `file:line: error: rule <id>: path: reason` */
export function formatSigmaIssue(i: SigmaIssue): string {
  const where = i.line !== undefined ? `${i.file}:${i.line}` : i.file;
  const rule = i.rule !== undefined ? ` rule ${i.rule}:` : '';
  const path = i.path !== undefined ? ` ${i.path}:` : '';
  return `${where}: ${i.severity}:${rule}${path} ${i.reason}`;
}

/** One line per selection: `selection: eventName=StopLogging, eventSource=cloudtrail.amazonaws.com`. */
export function explainSelections(selections: MatchedSelection[]): string {
  return selections
    .map(
      (s) =>
        `${s.identifier}: ${s.values
          .map((v) => {
            const field = v.field ?? '(keyword)';
            const mods = v.modifiers.length ? `|${v.modifiers.join('|')}` : '';
            return `${field}${mods}=${JSON.stringify(v.actual)}`;
          })
          .join(', ')}`,
    )
    .join('; ');
}

function origin(m: SigmaMatch): string {
  const o = m.origin;
  return `${o.file}:${o.line}${o.index !== undefined ? `#${o.index}` : ''}`;
}

/** A JSON-ready event: the explanation without the whole record (which can be large). */
export function eventToJson(e: SigmaEvent): Record<string, unknown> {
  if (e.kind === 'match') {
    return {
      kind: 'match',
      time: toIso(e.time) ?? null,
      rule: e.rule,
      origin: e.origin,
      condition: e.condition,
      selections: e.selections,
    };
  }
  return correlationToJson(e);
}

function correlationToJson(c: SigmaCorrelationMatch): Record<string, unknown> {
  return {
    kind: 'correlation',
    time: toIso(c.time) ?? null,
    rule: c.rule,
    type: c.type,
    group: c.group,
    value: c.value,
    condition: c.condition,
    ...(c.fieldValue !== undefined ? { fieldValue: c.fieldValue } : {}),
    window: { start: toIso(c.start) ?? null, end: toIso(c.end) ?? null },
    eventCount: c.eventCount,
    events: c.events.map((e) =>
      e.kind === 'match'
        ? { rule: e.rule.id ?? e.rule.title, origin: e.origin }
        : { correlation: e.rule.title, group: e.group },
    ),
  };
}

/** Table row: time, level, rule, where, why. */
export function eventRow(e: SigmaEvent): string[] {
  const time = toIso(e.time) ?? '-';
  const level = e.rule.level ?? '-';
  if (e.kind === 'match') return [time, level, e.rule.title, origin(e), explainSelections(e.selections)];
  const group = Object.entries(e.group)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  const why = `${e.type} ${e.value} (${e.condition})${e.fieldValue !== undefined ? ` for ${JSON.stringify(e.fieldValue)}` : ''}; ${group}`;
  return [time, level, e.rule.title, `${e.eventCount} events`, why];
}

export type SeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** Finding severity label of a rule level (spec §9); undefined when the rule has no level. */
export function severityOf(level: Level | undefined): SeverityLabel | undefined {
  return level === undefined ? undefined : (level.toUpperCase() as SeverityLabel);
}
