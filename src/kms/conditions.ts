import ipaddr from 'ipaddr.js';

/**
 * IAM condition operators (iam.md §4) over a request context whose keys are lower-cased names and whose values are
 * lists of strings (single-valued keys hold one). Each evaluated operator/key pair returns a sentence that says
 * which values decided it, so authorisation decisions can be explained.
 */

export type RequestKeys = Map<string, string[]>;

export interface ConditionResult {
  ok: boolean;
  /** One sentence per operator/key pair, e.g. `StringEquals kms:EncryptionContext:purpose: "backup" matched`. */
  details: string[];
}

type Test = (request: string, policy: string) => boolean;

function wildcard(pattern: string, ignoreCase = false): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));
const date = (s: string) => (/^\d+(\.\d+)?$/.test(s) ? Number(s) * 1000 : Date.parse(s));

function arnParts(s: string): string[] | undefined {
  const parts = s.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function arnLike(request: string, policy: string): boolean {
  const r = arnParts(request);
  const p = arnParts(policy);
  if (!r || !p) return false;
  return r.every((part, i) => wildcard(p[i]!).test(part));
}

function ipMatch(request: string, policy: string): boolean {
  try {
    const addr = ipaddr.process(request);
    const [range, bits] = policy.includes('/')
      ? ipaddr.parseCIDR(policy)
      : [ipaddr.process(policy), ipaddr.process(policy).kind() === 'ipv4' ? 32 : 128];
    const normalized =
      range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress()
        ? (range as ipaddr.IPv6).toIPv4Address()
        : range;
    return addr.kind() === normalized.kind() && addr.match(normalized, bits);
  } catch {
    return false;
  }
}

/** Positive base operators; the negated ones are their complement. */
const BASE: Record<string, { test: Test; negate?: boolean }> = {
  StringEquals: { test: (r, p) => r === p },
  StringNotEquals: { test: (r, p) => r === p, negate: true },
  StringEqualsIgnoreCase: { test: (r, p) => r.toLowerCase() === p.toLowerCase() },
  StringNotEqualsIgnoreCase: { test: (r, p) => r.toLowerCase() === p.toLowerCase(), negate: true },
  StringLike: { test: (r, p) => wildcard(p).test(r) },
  StringNotLike: { test: (r, p) => wildcard(p).test(r), negate: true },
  NumericEquals: { test: (r, p) => num(r) === num(p) },
  NumericNotEquals: { test: (r, p) => num(r) === num(p), negate: true },
  NumericLessThan: { test: (r, p) => num(r) < num(p) },
  NumericLessThanEquals: { test: (r, p) => num(r) <= num(p) },
  NumericGreaterThan: { test: (r, p) => num(r) > num(p) },
  NumericGreaterThanEquals: { test: (r, p) => num(r) >= num(p) },
  DateEquals: { test: (r, p) => date(r) === date(p) },
  DateNotEquals: { test: (r, p) => date(r) === date(p), negate: true },
  DateLessThan: { test: (r, p) => date(r) < date(p) },
  DateLessThanEquals: { test: (r, p) => date(r) <= date(p) },
  DateGreaterThan: { test: (r, p) => date(r) > date(p) },
  DateGreaterThanEquals: { test: (r, p) => date(r) >= date(p) },
  Bool: { test: (r, p) => r.toLowerCase() === p.toLowerCase() },
  BinaryEquals: { test: (r, p) => r === p },
  IpAddress: { test: ipMatch },
  NotIpAddress: { test: ipMatch, negate: true },
  ArnEquals: { test: arnLike },
  ArnLike: { test: arnLike },
  ArnNotEquals: { test: arnLike, negate: true },
  ArnNotLike: { test: arnLike, negate: true },
};

export function knownOperator(name: string): boolean {
  const { base } = splitOperator(name);
  return base === 'Null' || base in BASE;
}

function splitOperator(name: string): { set?: 'ForAnyValue' | 'ForAllValues'; base: string; ifExists: boolean } {
  let rest = name;
  let set: 'ForAnyValue' | 'ForAllValues' | undefined;
  if (rest.startsWith('ForAnyValue:')) [set, rest] = ['ForAnyValue', rest.slice(12)];
  else if (rest.startsWith('ForAllValues:')) [set, rest] = ['ForAllValues', rest.slice(13)];
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  return { set, base: ifExists ? rest.slice(0, -8) : rest, ifExists };
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map((x) => String(x));
const show = (vs: string[]) => vs.map((v) => JSON.stringify(v)).join(', ');

/** Evaluate a statement's Condition block: operators AND-ed, keys AND-ed, values OR-ed (iam.md §4). */
export function evaluateConditions(block: Record<string, Record<string, unknown>>, keys: RequestKeys): ConditionResult {
  const details: string[] = [];
  for (const [operator, entries] of Object.entries(block)) {
    const { set, base, ifExists } = splitOperator(operator);
    for (const [keyName, policyValue] of Object.entries(entries ?? {})) {
      const policyValues = asList(policyValue);
      const requestValues = keys.get(keyName.toLowerCase());
      const label = `${operator} ${keyName} [${show(policyValues)}]`;
      let ok: boolean;
      let why: string;
      if (base === 'Null') {
        const wantAbsent = policyValues[0]?.toLowerCase() === 'true';
        const absent = requestValues === undefined || requestValues.length === 0;
        ok = wantAbsent === absent;
        why = absent ? 'key absent' : 'key present';
      } else if (requestValues === undefined || requestValues.length === 0) {
        const op = BASE[base];
        ok = ifExists || set === 'ForAllValues' || (set === undefined && op?.negate === true);
        why = `key absent${ifExists ? ' (IfExists)' : ''}`;
      } else {
        const op = BASE[base];
        if (!op) {
          ok = false;
          why = 'unknown operator';
        } else {
          const one = (r: string) => {
            const hit = policyValues.some((p) => op.test(r, p));
            return op.negate ? !hit : hit;
          };
          ok =
            set === 'ForAllValues'
              ? requestValues.every(one)
              : set === 'ForAnyValue'
                ? requestValues.some(one)
                : op.negate
                  ? requestValues.every(one)
                  : requestValues.some(one);
          why = `request value ${show(requestValues)}`;
        }
      }
      details.push(`${label}: ${why} → ${ok ? 'true' : 'false'}`);
      if (!ok) return { ok: false, details };
    }
  }
  return { ok: true, details };
}
