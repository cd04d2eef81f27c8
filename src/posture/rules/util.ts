/** Small shared readers for rule functions: tolerant field access, security-group ingress, IAM policy documents. */
type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field by name, accepting Config's lowerCamel and the SDK's PascalCase spelling. */
export function field(o: unknown, name: string): unknown {
  if (!isObj(o)) return undefined;
  if (name in o) return o[name];
  const pascal = name[0]!.toUpperCase() + name.slice(1);
  if (pascal in o) return o[pascal];
  const camel = name[0]!.toLowerCase() + name.slice(1);
  return o[camel];
}

/** Dotted path with tolerant casing: `a.b.c`. */
export function path(o: unknown, p: string): unknown {
  let cur = o;
  for (const k of p.split('.')) {
    cur = field(cur, k);
    if (cur === undefined) return undefined;
  }
  return cur;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

export function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'TRUE') return true;
  if (v === 'false' || v === 'FALSE') return false;
  return undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export const DAY_MS = 86_400_000;

/** Whole days between an ISO/epoch time and now, or undefined when the time does not parse. */
export function daysSince(t: unknown, now: number): number | undefined {
  const ms = typeof t === 'number' ? (t < 1e12 ? t * 1000 : t) : typeof t === 'string' ? Date.parse(t) : Number.NaN;
  return Number.isNaN(ms) ? undefined : Math.floor((now - ms) / DAY_MS);
}

// ---- security groups -------------------------------------------------------------------------------------------

export interface Ingress {
  /** Index into ipPermissions, for the evidence path. */
  index: number;
  protocol: string;
  from: number;
  to: number;
  cidrs: string[];
}

const PROTO: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' };

/** Ingress permissions of a security-group CI, with IPv4 and IPv6 sources flattened. */
export function ingressOf(configuration: unknown): Ingress[] {
  const out: Ingress[] = [];
  const perms = arr(field(configuration, 'ipPermissions'));
  for (let i = 0; i < perms.length; i++) {
    const p = perms[i];
    const rawProto = String(field(p, 'ipProtocol') ?? '-1').toLowerCase();
    const protocol = PROTO[rawProto] ?? rawProto;
    const all = protocol === '-1';
    const from = all ? 0 : (num(field(p, 'fromPort')) ?? 0);
    const to = all ? 65535 : (num(field(p, 'toPort')) ?? 65535);
    const cidrs = new Set<string>();
    // Config CIs carry both `ipv4Ranges[{cidrIp}]` and `ipRanges` (plain strings); the SDK `IpRanges[{CidrIp}]`.
    for (const r of [...arr(field(p, 'ipv4Ranges')), ...arr(field(p, 'ipRanges'))]) {
      const c = typeof r === 'string' ? r : field(r, 'cidrIp');
      if (typeof c === 'string') cidrs.add(c);
    }
    for (const r of arr(field(p, 'ipv6Ranges'))) {
      const c = typeof r === 'string' ? r : field(r, 'cidrIpv6');
      if (typeof c === 'string') cidrs.add(c);
    }
    out.push({ index: i, protocol, from: Math.max(from, 0), to: to < 0 ? 65535 : to, cidrs: [...cidrs] });
  }
  return out;
}

export const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0']);

export function openCidrs(p: Ingress): string[] {
  return p.cidrs.filter((c) => OPEN_CIDRS.has(c));
}

export function coversPort(p: Ingress, port: number, protocol = 'tcp'): boolean {
  return (p.protocol === '-1' || p.protocol === protocol) && p.from <= port && port <= p.to;
}

export function portText(p: Ingress): string {
  const proto = p.protocol === '-1' ? 'all protocols' : p.protocol;
  return p.from === p.to ? `${proto} port ${p.from}` : `${proto} ports ${p.from}-${p.to}`;
}

// ---- IAM policy documents --------------------------------------------------------------------------------------

export interface Statement {
  index: number;
  sid?: string;
  effect: string;
  actions: string[];
  notActions: string[];
  resources: string[];
  principal: unknown;
  condition: Obj | undefined;
}

/** Parse a policy (object, JSON string or URL-encoded JSON as IAM returns it); undefined when unreadable. */
export function parsePolicy(doc: unknown): Statement[] | undefined {
  let d = doc;
  if (typeof d === 'string') {
    let text = d;
    if (/^%7B/i.test(text.trim())) {
      try {
        text = decodeURIComponent(text);
      } catch {
        return undefined;
      }
    }
    try {
      d = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  if (!isObj(d)) return undefined;
  return arr(field(d, 'Statement')).map((s, index) => ({
    index,
    sid: typeof field(s, 'Sid') === 'string' ? (field(s, 'Sid') as string) : undefined,
    effect: String(field(s, 'Effect') ?? ''),
    actions: arr(field(s, 'Action')).map(String),
    notActions: arr(field(s, 'NotAction')).map(String),
    resources: arr(field(s, 'Resource')).map(String),
    principal: field(s, 'Principal'),
    condition: isObj(field(s, 'Condition')) ? (field(s, 'Condition') as Obj) : undefined,
  }));
}

export function stmtLabel(s: Statement): string {
  return s.sid ? `statement ${s.index} (Sid ${s.sid})` : `statement ${s.index}`;
}

/** Principal "*" or {AWS: "*"} (anyone). */
export function isPublicPrincipal(p: unknown): boolean {
  if (p === '*') return true;
  if (isObj(p)) return arr(p.AWS).some((x) => x === '*');
  return false;
}

// Condition keys that confine a public principal to a known network or organisation.
const RESTRICTING_KEYS = [
  'aws:sourceip',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceowner',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:userid',
];

export function hasRestrictingCondition(c: Obj | undefined): boolean {
  if (!c) return false;
  for (const op of Object.values(c))
    if (isObj(op)) for (const k of Object.keys(op)) if (RESTRICTING_KEYS.includes(k.toLowerCase())) return true;
  return false;
}

/** True when `pattern` (IAM wildcard) matches `action` case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );
  return re.test(action.toLowerCase());
}
