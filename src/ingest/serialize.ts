import type { LogRecord } from './types.js';

/**
 * One record as a JSON line for `vigil logs cat`: the native fields at top level (so jq filters and EventBridge
 * patterns written for AWS data apply unchanged) plus a `_vigil` object with the normalised helpers.
 * Built by string splicing to avoid copying the fields object.
 */
export function recordToJsonLine(r: LogRecord): string {
  const meta: Record<string, unknown> = {
    type: r.type,
    time: Number.isFinite(r.time) ? new Date(r.time).toISOString() : null,
  };
  if (r.sourceIp !== undefined) meta.sourceIp = r.sourceIp;
  if (r.actor !== undefined) meta.actor = r.actor;
  meta.file = r.origin.file;
  meta.line = r.origin.line;
  if (r.origin.index !== undefined) meta.index = r.origin.index;
  const body = JSON.stringify(r.fields);
  const metaJson = JSON.stringify(meta);
  return body.length <= 2 ? `{"_vigil":${metaJson}}` : `{"_vigil":${metaJson},${body.slice(1)}`;
}
