import { isIp } from '../../core/ip.js';
import { parseIsoTime } from '../../core/time.js';

/**
 * Small pure helpers over a CloudTrail record (`LogRecord.fields`, exactly as AWS wrote it) — logs.md §1.2, §1.4.
 * JSON `null`, `""`, `{}` and an absent key all count as "missing" (logs.md §0).
 */

type Fields = Record<string, unknown>;

function obj(v: unknown): Fields | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Fields) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function userIdentity(fields: Fields): Fields | undefined {
  return obj(fields.userIdentity);
}

/**
 * Who acted (logs.md §1.4): `userIdentity.arn`; for assumed roles the issuing role's ARN plus the session name
 * (`arn:aws:iam::123456789012:role/Admin/alice`), so every session of one role shares a prefix. Identities
 * without an ARN fall back to `invokedBy` (AWS services), then `userName`, then `principalId`.
 */
export function cloudtrailActor(fields: Fields): string | undefined {
  const ui = userIdentity(fields);
  if (ui === undefined) return undefined;
  if (ui.type === 'AssumedRole') {
    const issuer = str(obj(obj(ui.sessionContext)?.sessionIssuer)?.arn);
    if (issuer !== undefined) {
      const session = sessionName(ui);
      return session === undefined ? issuer : `${issuer}/${session}`;
    }
  }
  return str(ui.arn) ?? str(ui.invokedBy) ?? str(ui.userName) ?? str(ui.principalId);
}

/**
 * The role session name of an assumed-role identity: the last segment of the `assumed-role/<role>/<session>` ARN,
 * else what follows the colon of `principalId` (`AROA…:<session>`).
 */
export function sessionName(ui: Fields): string | undefined {
  const arn = str(ui.arn);
  if (arn?.includes(':assumed-role/')) {
    // The last '/' by a backward scan (String.prototype.lastIndexOf is a slower runtime call; this runs per record).
    let slash = arn.length - 1;
    while (arn.charCodeAt(slash) !== 47) slash--;
    if (slash < arn.length - 1 && arn.indexOf('/') < slash) return arn.slice(slash + 1);
  }
  const pid = str(ui.principalId);
  if (pid !== undefined) {
    const colon = pid.indexOf(':');
    if (colon >= 0 && colon < pid.length - 1) return pid.slice(colon + 1);
  }
  return undefined;
}

/** `userIdentity.type` is `Root`. */
export function isRoot(fields: Fields): boolean {
  return userIdentity(fields)?.type === 'Root';
}

/** Temporary (STS) credentials: the access key id starts with `ASIA` (long-term keys start with `AKIA`). */
export function isTemporaryCredential(fields: Fields): boolean {
  const key = userIdentity(fields)?.accessKeyId;
  return typeof key === 'string' && key.startsWith('ASIA');
}

/** An EC2 instance-role session: `principalId` ends with `:i-<hex>` (the session is named after the instance). */
export function isInstanceCredential(fields: Fields): boolean {
  const pid = userIdentity(fields)?.principalId;
  if (typeof pid !== 'string') return false;
  const at = pid.lastIndexOf(':i-');
  if (at < 0 || at + 3 >= pid.length) return false;
  for (let i = at + 3; i < pid.length; i++) {
    const c = pid.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** The call failed: `errorCode` is present. */
export function isError(fields: Fields): boolean {
  return str(fields.errorCode) !== undefined;
}

/**
 * `sourceIPAddress` when it is an IPv4/IPv6 address; undefined for the service DNS names (`ec2.amazonaws.com`)
 * and markers (`AWS Internal`) AWS writes for calls made by services.
 */
export function cloudtrailSourceIp(fields: Fields): string | undefined {
  const s = fields.sourceIPAddress;
  if (typeof s !== 'string' || s === '') return undefined;
  const c = s.charCodeAt(0);
  if (c >= 48 && c <= 57 && isIpv4(s)) return s;
  // IPv6 always has a colon; DNS names and markers never do.
  return s.includes(':') && isIp(s) ? s : undefined;
}

function isIpv4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      // Leading zeros are accepted (anonymised corpora write `08.1.250.216`): this only tells addresses from names.
      if (digits === 3) return false;
      value = value * 10 + (c - 48);
      digits++;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/**
 * Compare a record's `eventVersion` with `major.minor` (logs.md §1.1): negative, zero or positive like a sort
 * comparator; NaN when the version is not `major.minor`. Minor parts compare numerically (1.10 > 1.9).
 */
export function compareEventVersion(fields: Fields, major: number, minor: number): number {
  const v = fields.eventVersion;
  if (typeof v !== 'string') return Number.NaN;
  const m = /^(\d+)\.(\d+)$/.exec(v);
  if (!m) return Number.NaN;
  return Number(m[1]) - major || Number(m[2]) - minor;
}

let lastTimeText = '';
let lastTime = Number.NaN;

/**
 * `eventTime` to epoch ms. CloudTrail writes `YYYY-MM-DDTHH:MM:SSZ`; that form is decoded by hand (no Date object)
 * and the last value is cached, since consecutive records often share a second. Also accepted: fractions and
 * offsets (ISO-8601), and CloudTrail Lake's `YYYY-MM-DD HH:MM:SS.fff` (UTC). NaN for anything else.
 */
export function cloudtrailTime(text: string): number {
  if (text === lastTimeText) return lastTime;
  const t = parseEventTime(text);
  lastTimeText = text;
  lastTime = t;
  return t;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The last calendar day decoded (the records of one file are mostly from one day). */
let lastDayKey = -1;
let lastDayMs = 0;

function parseEventTime(s: string): number {
  const n = s.length;
  if (n < 16 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58) return Number.NaN;
  const sep = s.charCodeAt(10);
  if (n === 20 && sep === 84 /* T */ && s.charCodeAt(16) === 58 && s.charCodeAt(19) === 90 /* Z */) {
    const y = digits(s, 0, 4);
    const mo = digits(s, 5, 2);
    const d = digits(s, 8, 2);
    const h = digits(s, 11, 2);
    const mi = digits(s, 14, 2);
    const se = digits(s, 17, 2);
    if (y < 1000 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) {
      return Number.NaN;
    }
    const dayKey = y * 10000 + mo * 100 + d;
    if (dayKey !== lastDayKey) {
      const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 1 : 0;
      if (d > DAYS[mo - 1]! + leap) return Number.NaN;
      lastDayKey = dayKey;
      lastDayMs = Date.UTC(y, mo - 1, d);
    }
    return lastDayMs + ((h * 60 + mi) * 60 + se) * 1000;
  }
  if (sep === 84) return parseIsoTime(s);
  if (sep === 32) return parseIsoTime(`${s.slice(0, 10)}T${s.slice(11)}`); // CloudTrail Lake
  return Number.NaN;
}

/** Decimal digits at [at, at+len) or -1. */
function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
