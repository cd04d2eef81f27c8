import { evaluateConditions, knownOperator, type RequestKeys } from './conditions.js';
import { type Principal, principalNamed } from './principal.js';

/**
 * A small IAM policy evaluator for key policies and identity policies: Principal/NotPrincipal, Action/NotAction,
 * Resource/NotResource with wildcards, and Condition blocks (conditions.ts). It reports every statement that
 * applied, with the reason, so the caller can explain its decision. Policy variables (`${aws:username}`) are not
 * substituted.
 */

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDoc {
  Version?: string;
  Id?: string;
  Statement: Statement[];
}

/** A statement that applied to the request, and why. */
export interface StatementHit {
  policy: string;
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** How the principal matched (resource policies): the caller itself, its account root, or anyone. */
  via?: 'principal' | 'account' | 'anyone';
  details: string[];
}

export interface PolicyRequest {
  principal: Principal;
  action: string;
  resource: string;
  keys: RequestKeys;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function wildcardMatch(pattern: string, text: string, ignoreCase: boolean): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?'))
    return ignoreCase ? pattern.toLowerCase() === text.toLowerCase() : pattern === text;
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = PATTERNS.get(cacheKey);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    if (PATTERNS.size > 10_000) PATTERNS.clear();
    PATTERNS.set(cacheKey, re);
  }
  return re.test(text);
}

/** Compiled wildcard patterns: policies are evaluated on every request, their patterns rarely change. */
const PATTERNS = new Map<string, RegExp>();

/** Parse and check a policy document; `error` is the MalformedPolicyDocumentException message. */
export function parsePolicy(text: string, opts: { resourcePolicy: boolean }): { doc?: PolicyDoc; error?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: 'This policy contains invalid Json' };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { error: 'This policy contains invalid Json' };
  const statements = (raw as { Statement?: unknown }).Statement;
  if (statements === undefined) return { error: 'Policy is missing required element - Statement' };
  const list_ = Array.isArray(statements) ? statements : [statements];
  if (list_.length === 0) return { error: 'Policy is missing required element - Statement' };
  for (const [i, s] of list_.entries()) {
    const where = `Statement ${i}${s && typeof s === 'object' && 'Sid' in s ? ` (${String(s.Sid)})` : ''}`;
    if (!s || typeof s !== 'object' || Array.isArray(s)) return { error: `${where} is not an object` };
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny')
      return { error: `${where}: Effect must be Allow or Deny, got ${JSON.stringify(st.Effect)}` };
    if (opts.resourcePolicy && st.Principal === undefined && st.NotPrincipal === undefined)
      return { error: 'Policy contains a statement with no principal.' };
    for (const p of [st.Principal, st.NotPrincipal]) {
      if (p === undefined || p === '*') continue;
      if (!p || typeof p !== 'object' || Array.isArray(p))
        return { error: 'Policy contains a statement with one or more invalid principals.' };
      for (const [kind, values] of Object.entries(p)) {
        if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(kind))
          return { error: 'Policy contains a statement with one or more invalid principals.' };
        if (kind === 'AWS' && !list(values).every(validAwsPrincipal))
          return { error: 'Policy contains a statement with one or more invalid principals.' };
      }
    }
    if (st.Action === undefined && st.NotAction === undefined) return { error: `${where} has no Action or NotAction` };
    if (st.Resource === undefined && st.NotResource === undefined)
      return { error: `${where} has no Resource or NotResource` };
    if (st.Condition !== undefined) {
      if (!st.Condition || typeof st.Condition !== 'object') return { error: `${where}: Condition must be an object` };
      for (const op of Object.keys(st.Condition)) {
        if (!knownOperator(op)) return { error: `${where}: unknown condition operator ${op}` };
      }
    }
  }
  return { doc: { ...(raw as object), Statement: list_ } as PolicyDoc };
}

function validAwsPrincipal(v: string): boolean {
  return v === '*' || /^\d{12}$/.test(v) || /^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+$/.test(v);
}

/** How (if at all) a Principal element names the caller. */
function principalMatch(element: unknown, p: Principal): StatementHit['via'] | undefined {
  if (element === '*') return 'anyone';
  if (!element || typeof element !== 'object') return undefined;
  let best: StatementHit['via'];
  for (const v of list((element as Record<string, unknown>).AWS)) {
    if (v === '*') return 'anyone';
    const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(v);
    const account = /^\d{12}$/.test(v) ? v : root?.[1];
    if (account !== undefined) {
      // The account root names the caller itself when the caller is that root user.
      if (p.type === 'Root' && p.account === account) return 'principal';
      if (p.account === account) best = 'account';
    } else if (principalNamed(p, v)) {
      return 'principal';
    }
  }
  return best;
}

/** Statements of one policy that apply to the request (matching principal, action, resource and conditions). */
export function matchStatements(
  doc: PolicyDoc,
  policyName: string,
  req: PolicyRequest,
  resourcePolicy: boolean,
): StatementHit[] {
  const hits: StatementHit[] = [];
  doc.Statement.forEach((s, index) => {
    let via: StatementHit['via'];
    if (resourcePolicy) {
      if (s.Principal !== undefined) {
        via = principalMatch(s.Principal, req.principal);
        if (!via) return;
      } else if (s.NotPrincipal !== undefined) {
        if (principalMatch(s.NotPrincipal, req.principal)) return;
        via = 'anyone';
      } else return;
    }
    const actionOk =
      s.Action !== undefined
        ? list(s.Action).some((a) => wildcardMatch(a, req.action, true))
        : !list(s.NotAction).some((a) => wildcardMatch(a, req.action, true));
    if (!actionOk) return;
    const resourceOk =
      s.Resource !== undefined
        ? list(s.Resource).some((r) => wildcardMatch(r, req.resource, false))
        : !list(s.NotResource).some((r) => wildcardMatch(r, req.resource, false));
    if (!resourceOk) return;
    const cond = s.Condition ? evaluateConditions(s.Condition, req.keys) : { ok: true, details: [] };
    if (!cond.ok) return;
    hits.push({ policy: policyName, index, sid: s.Sid, effect: s.Effect, via, details: cond.details });
  });
  return hits;
}

export function describeHit(h: StatementHit): string {
  const name = `${h.policy} statement ${h.index}${h.sid ? ` (${h.sid})` : ''}`;
  const via = h.via ? ` [principal: ${h.via}]` : '';
  const cond = h.details.length ? `; ${h.details.join('; ')}` : '';
  return `${h.effect} by ${name}${via}${cond}`;
}
