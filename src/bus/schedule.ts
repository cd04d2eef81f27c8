/**
 * EventBridge schedule expressions: `rate(<n> minute|minutes|hour|hours|day|days)` (singular only for 1) and
 * 6-field `cron(minutes hours day-of-month month day-of-week year)` in UTC, where one of day-of-month and
 * day-of-week must be `?`. Parsed into a form that can compute the next fire time.
 */

export type Schedule =
  | { kind: 'rate'; everyMs: number; text: string }
  | { kind: 'cron'; fields: CronFields; text: string };

/** Allowed values per cron field (sets), plus the day-of-month/day-of-week special forms. */
export interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  months: Set<number>;
  years: Set<number> | 'any';
  dayOfMonth: DaySpec;
  dayOfWeek: DaySpec;
}

type DaySpec =
  | { kind: 'any' }
  | { kind: 'set'; values: Set<number> }
  | { kind: 'last' }
  | { kind: 'weekday'; day: number }
  | { kind: 'last-weekday-of-month'; weekday: number }
  | { kind: 'nth'; weekday: number; nth: number };

const RATE = /^rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Parse a schedule expression; undefined when AWS would answer `Parameter ScheduleExpression is not valid.` */
export function parseSchedule(text: string): Schedule | undefined {
  const rate = RATE.exec(text);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2];
    if ((n === 1) !== !unit.endsWith('s')) return undefined;
    return { kind: 'rate', everyMs: n * UNIT_MS[unit.replace(/s$/, '')], text };
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (!cron) return undefined;
  const parts = cron[1].split(' ');
  if (parts.length !== 6 || parts.some((p) => p === '')) return undefined;
  const [min, hour, dom, month, dow, year] = parts;
  const minutes = numericField(min, 0, 59, []);
  const hours = numericField(hour, 0, 23, []);
  const months = numericField(month, 1, 12, MONTHS);
  const years = year === '*' ? 'any' : numericField(year, 1970, 2199, []);
  const dayOfMonth = dayOfMonthField(dom);
  const dayOfWeek = dayOfWeekField(dow);
  if (!minutes || !hours || !months || !years || !dayOfMonth || !dayOfWeek) return undefined;
  // Exactly one of the two day fields must be '?'.
  if ((dom === '?') === (dow === '?')) return undefined;
  return { kind: 'cron', text, fields: { minutes, hours, months, years, dayOfMonth, dayOfWeek } };
}

function value(
  token: string,
  min: number,
  max: number,
  names: readonly string[],
  nameBase: number,
): number | undefined {
  const named = names.indexOf(token.toUpperCase());
  if (named >= 0) return named + nameBase;
  if (!/^[0-9]+$/.test(token)) return undefined;
  const v = Number(token);
  return v >= min && v <= max ? v : undefined;
}

/** `*`, `a`, `a-b`, `a/step`, `*\/step`, `a-b/step`, comma lists. */
function numericField(
  text: string,
  min: number,
  max: number,
  names: readonly string[],
  nameBase = 1,
): Set<number> | undefined {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) return undefined;
    const step = stepText === undefined ? 1 : /^[1-9][0-9]*$/.test(stepText) ? Number(stepText) : undefined;
    if (step === undefined) return undefined;
    let lo: number | undefined;
    let hi: number | undefined;
    if (range === '*') {
      lo = min;
      hi = max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = value(a, min, max, names, nameBase);
      hi = value(b, min, max, names, nameBase);
      if (lo === undefined || hi === undefined || lo > hi) return undefined;
    } else {
      lo = value(range, min, max, names, nameBase);
      if (lo === undefined) return undefined;
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function dayOfMonthField(text: string): DaySpec | undefined {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'last' };
  const w = /^([0-9]{1,2})W$/.exec(text);
  if (w) {
    const day = Number(w[1]);
    return day >= 1 && day <= 31 ? { kind: 'weekday', day } : undefined;
  }
  const values = numericField(text, 1, 31, []);
  return values ? { kind: 'set', values } : undefined;
}

function dayOfWeekField(text: string): DaySpec | undefined {
  if (text === '?') return { kind: 'any' };
  const last = /^([1-7]|[A-Za-z]{3})L$/.exec(text);
  if (last) {
    const weekday = value(last[1], 1, 7, DAYS, 1);
    return weekday === undefined ? undefined : { kind: 'last-weekday-of-month', weekday };
  }
  const nth = /^([1-7]|[A-Za-z]{3})#([1-5])$/.exec(text);
  if (nth) {
    const weekday = value(nth[1], 1, 7, DAYS, 1);
    return weekday === undefined ? undefined : { kind: 'nth', weekday, nth: Number(nth[2]) };
  }
  const values = numericField(text, 1, 7, DAYS, 1);
  return values ? { kind: 'set', values } : undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dayMatches(spec: DaySpec, year: number, month: number, day: number, byWeekday: boolean): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1; // 1 = Sunday
  const last = daysInMonth(year, month);
  switch (spec.kind) {
    case 'any':
      return true;
    case 'set':
      return spec.values.has(byWeekday ? weekday : day);
    case 'last':
      return day === last;
    case 'weekday': {
      // Nearest weekday (Mon–Fri) to the given day, within the month.
      let target = Math.min(spec.day, last);
      const wd = new Date(Date.UTC(year, month - 1, target)).getUTCDay();
      if (wd === 6) target = target === 1 ? 3 : target - 1;
      else if (wd === 0) target = target === last ? target - 2 : target + 1;
      return day === target;
    }
    case 'last-weekday-of-month':
      return weekday === spec.weekday && day + 7 > last;
    case 'nth':
      return weekday === spec.weekday && Math.ceil(day / 7) === spec.nth;
  }
}

/** The first fire time strictly after `after` (ms since epoch, UTC), or undefined if the schedule never fires again. */
export function nextFireTime(schedule: Schedule, after: number, anchor = 0): number | undefined {
  if (schedule.kind === 'rate') {
    const n = Math.floor((after - anchor) / schedule.everyMs) + 1;
    return anchor + n * schedule.everyMs;
  }
  const f = schedule.fields;
  const start = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  for (let year = start.getUTCFullYear(); year <= 2199; year++) {
    if (f.years !== 'any' && !f.years.has(year)) continue;
    for (let month = 1; month <= 12; month++) {
      if (!f.months.has(month)) continue;
      if (Date.UTC(year, month, 1) <= start.getTime()) continue;
      for (let day = 1; day <= daysInMonth(year, month); day++) {
        if (Date.UTC(year, month - 1, day + 1) <= start.getTime()) continue;
        if (!dayMatches(f.dayOfMonth, year, month, day, false) || !dayMatches(f.dayOfWeek, year, month, day, true)) {
          continue;
        }
        for (const hour of [...f.hours].sort((a, b) => a - b)) {
          for (const minute of [...f.minutes].sort((a, b) => a - b)) {
            const t = Date.UTC(year, month - 1, day, hour, minute);
            if (t >= start.getTime()) return t;
          }
        }
      }
    }
  }
  return undefined;
}
