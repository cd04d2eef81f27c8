/**
 * Event-time helpers. Detection runs on the time written in the log, never on wall-clock time, so every
 * parser converts its native timestamp to epoch milliseconds with these functions.
 */

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/**
 * ISO-8601 / RFC 3339 to epoch ms. Timestamps without a zone designator are UTC (NLB TLS logs write them so).
 * Returns NaN when the text is not a timestamp.
 */
export function parseIsoTime(text: string): number {
  // Date.parse treats a zone-less date-time as local time; AWS means UTC.
  const n = text.length;
  if (n >= 19 && text.charCodeAt(10) === 84 /* T */) {
    const last = text.charCodeAt(n - 1);
    const hasZone = last === 90 /* Z */ || last === 122 /* z */ || /[+-]\d\d:?\d\d$/.test(text);
    return Date.parse(hasZone ? text : `${text}Z`);
  }
  return Date.parse(text);
}

let lastClf = '';
let lastClfMs = Number.NaN;

/** `06/Feb/2019:00:00:38 +0000` (Apache/S3 access log time, without brackets) to epoch ms. */
export function parseClfTime(text: string): number {
  // Consecutive records of a log file often share their second: the last answer is reused for the same text.
  if (text === lastClf) return lastClfMs;
  lastClfMs = parseClf(text);
  lastClf = text;
  return lastClfMs;
}

function parseClf(text: string): number {
  const m = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return Number.NaN;
  const month = MONTHS[m[2]!];
  if (month === undefined) return Number.NaN;
  const utc = Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!);
  const offsetMin = (+m[8]! * 60 + +m[9]!) * (m[7] === '-' ? -1 : 1);
  return utc - offsetMin * 60_000;
}

/** Unix seconds (number or numeric string) to epoch ms. */
export function fromUnixSeconds(value: number | string): number {
  const ms = (typeof value === 'number' ? value : Number(value)) * 1000;
  // Finite input can still overflow to ±Infinity once scaled to milliseconds.
  return Number.isFinite(ms) ? ms : Number.NaN;
}

/** Epoch ms to ISO string, or undefined for NaN. */
export function toIso(ms: number): string | undefined {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * Parse a user-supplied time bound for --since/--until: ISO date or date-time, epoch seconds, or a
 * relative duration back from `now` such as `15m`, `36h`, `7d`, `2w`.
 */
export function parseTimeBound(text: string, now = Date.now()): number {
  const rel = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (rel) {
    const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[rel[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return now - Number(rel[1]) * unit;
  }
  if (/^\d{9,10}$/.test(text)) return Number(text) * 1000;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  return parseIsoTime(text);
}
