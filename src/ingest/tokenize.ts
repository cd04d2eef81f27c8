/**
 * Tokeniser shared by the space-separated AWS text formats (ELB, S3 server access, VPC flow). Fields are separated
 * by single spaces; `"…"` fields may contain spaces (with `\"` escapes, as ELB and S3 write them) and `[…]` fields
 * (S3's bracketed time) are one token. Quotes and brackets are removed from the token.
 * Returns undefined when a quote or bracket is not closed.
 */
export function tokenizeQuoted(line: string): string[] | undefined {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32) {
      i++;
      continue;
    }
    if (c === 34 /* " */) {
      let j = i + 1;
      let hasEscape = false;
      for (;;) {
        const k = line.indexOf('"', j);
        if (k < 0) return undefined;
        if (line.charCodeAt(k - 1) === 92 && !evenBackslashes(line, k)) {
          hasEscape = true;
          j = k + 1;
          continue;
        }
        const raw = line.slice(i + 1, k);
        out.push(hasEscape ? raw.replace(/\\(["\\])/g, '$1') : raw);
        i = k + 1;
        break;
      }
      continue;
    }
    if (c === 91 /* [ */) {
      const k = line.indexOf(']', i + 1);
      if (k < 0) return undefined;
      out.push(line.slice(i + 1, k));
      i = k + 1;
      continue;
    }
    let k = line.indexOf(' ', i);
    if (k < 0) k = n;
    out.push(line.slice(i, k));
    i = k;
  }
  return out;
}

/** True when the quote at `k` is preceded by an even number of backslashes (i.e. it is not escaped). */
function evenBackslashes(line: string, k: number): boolean {
  let b = k - 1;
  while (b >= 0 && line.charCodeAt(b) === 92) b--;
  return (k - 1 - b) % 2 === 0;
}

/** `-` (and empty) mean absent in AWS text logs. */
export function dashToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '-' || value === '' ? undefined : value;
}

/** Integer-or-float field: number, or undefined for `-`/empty; the original text when not numeric. */
export function numberField(value: string | undefined): number | string | undefined {
  if (value === undefined || value === '-' || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}
