/**
 * Times in the shapes CloudTrail and `aws cloudtrail validate-logs` use. All values are epoch milliseconds (UTC).
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parse an ISO-8601 time as the validator's chain walk does: the wall-clock fields are taken as UTC and a zone
 * offset, if any, is ignored (the AWS CLI replaces the zone with UTC rather than converting). Returns NaN when the
 * text is not an ISO date or date-time.
 */
export function parseWallClockUtc(text: unknown): number {
  if (typeof text !== 'string') return Number.NaN;
  const m = ISO.exec(text.trim());
  if (!m) return Number.NaN;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms);
  // Date.UTC rolls 2024-02-31 over to March; a calendar-invalid date is not a date.
  const d = new Date(t);
  if (d.getUTCMonth() !== +m[2]! - 1 || d.getUTCDate() !== +m[3]!) return Number.NaN;
  return t;
}

/**
 * Parse a user-supplied --start-time/--end-time. Only UTC is accepted (`Z`, `+00:00` or no zone): the AWS CLI
 * silently ignores other offsets, so rather than guess we refuse them. Returns NaN or a message on failure.
 */
export function parseUserUtc(text: string): number | string {
  const m = ISO.exec(text.trim());
  if (!m) return `"${text}" is not an ISO-8601 UTC time (e.g. 2024-01-08T05:21:42Z)`;
  const zone = m[8];
  if (zone && !/^(?:[Zz]|[+-]00(?::?00)?)$/.test(zone)) {
    return `"${text}" has zone offset ${zone}; give the time in UTC (…Z)`;
  }
  const t = parseWallClockUtc(text);
  return Number.isNaN(t) ? `"${text}" is not a valid date` : t;
}

/** An instant from ListPublicKeys JSON: epoch seconds (wire format) or an ISO string with any offset (CLI output). */
export function parseInstant(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : Number.NaN;
  if (typeof value !== 'string') return Number.NaN;
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value) * 1000;
  const m = ISO.exec(value.trim());
  if (!m) return Number.NaN;
  const wall = parseWallClockUtc(value.replace(/(Z|z|[+-]\d{2}(?::?\d{2})?)$/, ''));
  const zone = m[8];
  if (!zone || zone === 'Z' || zone === 'z') return wall;
  const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const offset = (+z[2]! * 60 + +(z[3] ?? 0)) * 60_000 * (z[1] === '-' ? -1 : 1);
  return wall - offset;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2015-08-17T14:01:31Z`: the CLI's display format and CloudTrail's digest time format (no fraction). */
export function formatDisplay(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}Z`;
}

/** `20150817T140131Z`: the time in digest file names. */
export function formatKeyDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(
    d.getUTCMinutes(),
  )}${pad(d.getUTCSeconds())}Z`;
}

/** `2015/08/17`: the date folder of a digest or log file. */
export function formatDayPath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

/** Parse `20150817T140131Z` (as cut from a digest key); NaN if it is not one. */
export function parseKeyDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

export const HOUR_MS = 3_600_000;
