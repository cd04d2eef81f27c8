/**
 * The fixed time frame of the example data and the timestamp spellings the AWS formats use. All times are UTC.
 * Nothing reads the wall clock: the data always covers 2026-11-01 00:00–02:00Z.
 */

export const BASE_TIME = Date.UTC(2026, 10, 1, 0, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
/** Length of the generated period. */
export const SPAN = 2 * HOUR;
export const END_TIME = BASE_TIME + SPAN;
/** AWS writes most log files per five-minute window. */
export const WINDOW = 5 * MINUTE;

/** `BASE_TIME + h:m:s` — scenario times read as offsets from midnight. */
export function at(h: number, m: number, s = 0, ms = 0): number {
  return BASE_TIME + h * HOUR + m * MINUTE + s * SECOND + ms;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function p2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function parts(ms: number) {
  const d = new Date(ms);
  return {
    y: String(d.getUTCFullYear()),
    mo: p2(d.getUTCMonth() + 1),
    monthName: MONTHS[d.getUTCMonth()],
    d: p2(d.getUTCDate()),
    h: p2(d.getUTCHours()),
    mi: p2(d.getUTCMinutes()),
    s: p2(d.getUTCSeconds()),
    ms: d.getUTCMilliseconds(),
  };
}

/** `2026-11-01T00:05:12Z` (CloudTrail `eventTime`, Route 53 `query_timestamp`). */
export function isoSeconds(ms: number): string {
  const p = parts(ms);
  return `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}:${p.s}Z`;
}

/** `2026-11-01T00:05:12` — NLB TLS logs write no zone designator. */
export function isoSecondsNoZone(ms: number): string {
  return isoSeconds(ms).slice(0, -1);
}

/** `2026-11-01T00:05:12.123456Z` from epoch microseconds (ELB logs). */
export function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const frac = String(us % 1_000_000).padStart(6, '0');
  return `${isoSeconds(ms).slice(0, -1)}.${frac}Z`;
}

/** `2026-11-01T00:05:12.123456+0000` (Suricata EVE timestamps in Network Firewall logs). */
export function eveTime(us: number): string {
  return `${isoMicros(us).slice(0, -1)}+0000`;
}

/** `01/Nov/2026:00:05:12 +0000` (S3 server access log time, without the brackets). */
export function clfTime(ms: number): string {
  const p = parts(ms);
  return `${p.d}/${p.monthName}/${p.y}:${p.h}:${p.mi}:${p.s} +0000`;
}

/** `20261101T0005Z` — the stamp in CloudTrail, VPC flow, ELB, WAF and NFW object keys. */
export function keyStamp(ms: number): string {
  const p = parts(ms);
  return `${p.y}${p.mo}${p.d}T${p.h}${p.mi}Z`;
}

/** `2026/11/01` — the date folders of the AWSLogs layout. */
export function datePath(ms: number): string {
  const p = parts(ms);
  return `${p.y}/${p.mo}/${p.d}`;
}

/** `2026/11/01/00` and `…/00/05` for the hourly / minute folders of NFW and WAF keys. */
export function hourPath(ms: number): string {
  return `${datePath(ms)}/${parts(ms).h}`;
}

export function minutePath(ms: number): string {
  return `${hourPath(ms)}/${parts(ms).mi}`;
}

/** `2026-11-01-00-05-12` — the S3 server access log object key time. */
export function s3KeyTime(ms: number): string {
  const p = parts(ms);
  return `${p.y}-${p.mo}-${p.d}-${p.h}-${p.mi}-${p.s}`;
}

/** `2026-11-01-00` — the UTC hour in CloudFront log file names. */
export function cloudfrontHour(ms: number): string {
  const p = parts(ms);
  return `${p.y}-${p.mo}-${p.d}-${p.h}`;
}

/** `2026-11-01` and `00:05:12` — CloudFront's separate date and time columns. */
export function w3cDate(ms: number): string {
  const p = parts(ms);
  return `${p.y}-${p.mo}-${p.d}`;
}

export function w3cTime(ms: number): string {
  const p = parts(ms);
  return `${p.h}:${p.mi}:${p.s}`;
}

/** Epoch seconds (VPC flow `start`/`end`, NFW `event_timestamp`). */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Start of the five-minute window holding `ms`. */
export function windowStart(ms: number, size = WINDOW): number {
  return ms - ((ms - BASE_TIME) % size);
}
