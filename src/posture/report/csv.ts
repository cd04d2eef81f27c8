/**
 * CSV projection of posture evaluations (RFC 4180: CRLF records, fields quoted when they hold the delimiter, a
 * quote, CR or LF, quotes doubled). The delimiter is an option because Prowler users expect `;`.
 */
import type { Evaluation } from '../engine.js';

export const CSV_COLUMNS = [
  'configRuleName',
  'identifier',
  'complianceType',
  'severity',
  'resourceType',
  'resourceId',
  'resourceName',
  'arn',
  'awsAccountId',
  'awsRegion',
  'annotation',
  'suppressed',
  'baseline',
  'orderingTimestamp',
] as const;

/** One field, quoted only when RFC 4180 requires it. */
export function csvField(value: string, delimiter = ','): string {
  if (value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r'))
    return `"${value.replaceAll('"', '""')}"`;
  return value;
}

function cells(e: Evaluation): string[] {
  return [
    e.configRuleName,
    e.identifier,
    e.complianceType,
    e.severity,
    e.resourceType,
    e.resourceId,
    e.resourceName ?? '',
    e.arn ?? '',
    e.awsAccountId,
    e.awsRegion,
    e.annotation,
    e.suppressed ? `suppressed: ${e.suppressed.reason}` : '',
    e.baseline ? 'true' : '',
    e.orderingTimestamp,
  ];
}

export function csvHeader(delimiter = ','): string {
  return `${CSV_COLUMNS.map((c) => csvField(c, delimiter)).join(delimiter)}\r\n`;
}

export function csvRow(e: Evaluation, delimiter = ','): string {
  return `${cells(e)
    .map((c) => csvField(c, delimiter))
    .join(delimiter)}\r\n`;
}

export function toCsv(evals: readonly Evaluation[], delimiter = ','): string {
  let out = csvHeader(delimiter);
  for (const e of evals) out += csvRow(e, delimiter);
  return out;
}
