import { randomUUID } from 'node:crypto';
import { validation } from './errors.js';
import type { EventBusRegistry } from './registry.js';

/**
 * PutEvents request validation and the event envelope, with AWS's (recorded) errors: a whole-request
 * ValidationException for more than 10 entries or an oversized request, and per-entry InvalidArgument /
 * MalformedDetail results that leave the other entries unaffected.
 */

export interface PutEventsEntry {
  Time?: Date | string | number;
  Source?: string;
  Resources?: string[];
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  TraceHeader?: string;
}

/** An event on the bus (the EventBridge envelope). */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  [extra: string]: unknown;
}

export type EntryResult =
  | { ok: true; event: BusEvent; busName: string | undefined }
  | { ok: false; ErrorCode: string; ErrorMessage: string };

export interface PutEventsOptions {
  /** Total request size limit in bytes: 1 MiB since 2026-01-29 (256 KiB before). */
  maxRequestBytes?: number;
  /** Reject sources starting with `aws.` as AWS does for callers (Vigil's own publishers bypass PutEvents). */
  rejectAwsSources?: boolean;
  now?: () => Date;
  newId?: () => string;
}

export const MAX_ENTRIES = 10;
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

/** AWS's size of an entry: UTF-8 bytes of Source, DetailType, Detail and Resources, plus 14 when Time is set. */
export function entrySize(e: PutEventsEntry): number {
  let size = 0;
  if (e.Source) size += Buffer.byteLength(e.Source);
  if (e.DetailType) size += Buffer.byteLength(e.DetailType);
  if (e.Detail) size += Buffer.byteLength(e.Detail);
  for (const r of e.Resources ?? []) size += Buffer.byteLength(r);
  if (e.Time !== undefined) size += 14;
  return size;
}

/** Java's toString of a request entry, as echoed in AWS's "more than 10 entries" message. */
function javaEntry(e: PutEventsEntry): string {
  const v = (x: unknown) => (x === undefined ? 'null' : Array.isArray(x) ? `[${x.join(', ')}]` : String(x));
  return `PutEventsRequestEntry(time=${v(e.Time)}, source=${v(e.Source)}, resources=${v(e.Resources)}, detailType=${v(e.DetailType)}, detail=${v(e.Detail)}, eventBusName=${v(e.EventBusName)}, traceHeader=${v(e.TraceHeader)}, kmsKeyIdentifier=null, internalMetadata=null)`;
}

/** ISO-8601 UTC to the second, as in EventBridge envelopes. */
export function envelopeTime(t: Date): string {
  return `${t.toISOString().slice(0, 19)}Z`;
}

function entryTime(time: PutEventsEntry['Time'], now: Date): Date | undefined {
  if (time === undefined) return now;
  const d = time instanceof Date ? time : typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function required(name: string): EntryResult {
  return {
    ok: false,
    ErrorCode: 'InvalidArgument',
    ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
  };
}

/**
 * Validate a PutEvents request and build the events. Throws BusApiError for request-level errors (entry count,
 * size, unknown bus); returns one result per entry, in request order.
 */
export function preparePutEvents(
  registry: EventBusRegistry,
  entries: PutEventsEntry[],
  options: PutEventsOptions = {},
): EntryResult[] {
  if (entries.length > MAX_ENTRIES) {
    throw validation(
      `1 validation error detected: Value '[${entries.map(javaEntry).join(', ')}]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
    );
  }
  if (entries.length === 0) {
    throw validation(
      "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  const total = entries.reduce((sum, e) => sum + entrySize(e), 0);
  if (total > (options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES)) {
    throw validation('Total size of the entries in the request is over the limit.');
  }
  for (const e of entries) registry.bus(e.EventBusName);

  const now = (options.now ?? (() => new Date()))();
  const newId = options.newId ?? randomUUID;
  return entries.map((e): EntryResult => {
    if (!e.Source) return required('Source');
    if (!e.DetailType) return required('DetailType');
    if (e.Detail === undefined || e.Detail === null) return required('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(e.Detail);
    } catch {
      detail = undefined;
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ok: false, ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (options.rejectAwsSources && e.Source.startsWith('aws.')) {
      return {
        ok: false,
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: 'Not authorized for the source.',
      };
    }
    const time = entryTime(e.Time, now);
    if (!time) return { ok: false, ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Time is not valid.' };
    const event: BusEvent = {
      version: '0',
      id: newId(),
      'detail-type': e.DetailType,
      source: e.Source,
      account: registry.account,
      time: envelopeTime(time),
      region: registry.region,
      resources: e.Resources ?? [],
      detail: detail as Record<string, unknown>,
    };
    return { ok: true, event, busName: e.EventBusName };
  });
}
