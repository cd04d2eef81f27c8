/**
 * Period, in hours, of an AWS Backup schedule expression (`cron(m h dom mon dow yr)` in UTC, or `rate(n unit)`):
 * the longest gap between two runs. Undefined when the expression is not understood.
 */
const DOW: Record<string, number> = { SUN: 1, MON: 2, TUE: 3, WED: 4, THU: 5, FRI: 6, SAT: 7 };

function values(field: string, lo: number, hi: number, names: Record<string, number> = {}): number[] | undefined {
  if (field === '*' || field === '?') return undefined;
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^([A-Z0-9]+|\*)(?:-([A-Z0-9]+))?(?:\/(\d+))?$/i.exec(part.trim());
    if (!m) return [];
    const n = (s: string) => names[s.toUpperCase()] ?? Number(s);
    const start = m[1] === '*' ? lo : n(m[1]!);
    const end = m[2] ? n(m[2]) : m[3] || m[1] === '*' ? hi : start;
    const step = m[3] ? Number(m[3]) : 1;
    if (![start, end, step].every(Number.isFinite) || step <= 0) return [];
    for (let v = start; v <= end; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** Largest cyclic gap between sorted points on a circle of `period`. */
function maxGap(points: number[], period: number): number {
  if (points.length === 0) return Number.NaN;
  let gap = points[0]! + period - points[points.length - 1]!;
  for (let i = 1; i < points.length; i++) gap = Math.max(gap, points[i]! - points[i - 1]!);
  return gap;
}

export function scheduleHours(expr: string): number | undefined {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/i.exec(expr.trim());
  if (rate) {
    const n = Number(rate[1]);
    const u = rate[2]!.toLowerCase();
    return u.startsWith('minute') ? n / 60 : u.startsWith('hour') ? n : n * 24;
  }
  const m = /^cron\((.+)\)$/i.exec(expr.trim());
  if (!m) return undefined;
  const f = m[1]!.trim().split(/\s+/);
  if (f.length !== 6) return undefined;
  const [, hoursF, domF, , dowF] = f as [string, string, string, string, string, string];
  const hours = values(hoursF, 0, 23);
  const dom = values(domF, 1, 31);
  const dow = values(dowF, 1, 7, DOW);
  if ((hours && hours.length === 0) || (dom && dom.length === 0) || (dow && dow.length === 0)) return undefined;
  if (dom) return maxGap(dom, 31) * 24; // monthly-style: worst-case month
  if (dow) return maxGap(dow, 7) * 24;
  return hours ? maxGap(hours, 24) : 1;
}
