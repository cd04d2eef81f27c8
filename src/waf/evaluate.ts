import { createHmac, timingSafeEqual } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { extract, type FieldValue } from './fields.js';
import type {
  Action,
  ForwardedIp,
  GroupRef,
  ParsedCidr,
  RateSpec,
  Rule,
  Statement,
  TextInspection,
  WebAcl,
} from './model.js';
import { headerValue, parseCookies, parseQuery, type WafRequest } from './request.js';
import { detectSqli } from './sqli.js';
import { applyTransforms, fromBytes } from './transforms.js';
import { detectXss } from './xss.js';

/** Why a statement matched: the explanation carried by every decision (and the log's ruleMatchDetails). */
export interface MatchDetail {
  /** JSON path of the statement that matched. */
  statement: string;
  conditionType: string;
  location?: string;
  /** Header / argument / cookie / JSON pointer name. */
  fieldName?: string;
  matchedData?: string[];
  /** Value after text transformations, as inspected (clipped to 200 chars). */
  transformedValue?: string;
  sensitivityLevel?: 'LOW' | 'HIGH';
}

export type LogAction = 'ALLOW' | 'BLOCK' | 'COUNT' | 'CAPTCHA' | 'CHALLENGE' | 'EXCLUDED_AS_COUNT';

export interface RuleHit {
  ruleId: string;
  action: LogAction;
  overriddenAction?: LogAction;
  details: MatchDetail[];
}

export interface GroupTrace {
  ruleGroupId: string;
  terminatingRule: RuleHit | null;
  nonTerminatingMatchingRules: RuleHit[];
  excludedRules: { exclusionType: 'EXCLUDED_AS_COUNT'; ruleId: string }[] | null;
}

export interface RateTrace {
  rateBasedRuleId: string;
  rateBasedRuleName: string;
  limitKey: string;
  maxRateAllowed: number;
  evaluationWindowSec: number;
  limitValue: string;
}

export interface TokenCheck {
  responseCode: number;
  solveTimestamp: number;
  failureReason?: 'TOKEN_MISSING' | 'TOKEN_EXPIRED' | 'TOKEN_INVALID';
}

export interface Decision {
  action: 'ALLOW' | 'BLOCK' | 'CAPTCHA' | 'CHALLENGE';
  terminatingRuleId: string;
  terminatingRuleType: 'REGULAR' | 'RATE_BASED' | 'GROUP' | 'MANAGED_RULE_GROUP';
  terminatingRuleMatchDetails: MatchDetail[];
  /** For a group: the rule inside the group that terminated. */
  terminatingGroupRule?: string;
  nonTerminatingMatchingRules: RuleHit[];
  ruleGroupList: GroupTrace[];
  rateBasedRuleList: RateTrace[];
  labels: string[];
  /** Headers to add upstream (`x-amzn-waf-` prefixed), from every matching Allow/Count/Captcha/Challenge rule. */
  requestHeadersInserted: [string, string][];
  /** Response to send instead of forwarding (Block / Captcha / Challenge). */
  response?: { status: number; headers: [string, string][]; contentType?: string; body?: string };
  captchaResponse?: TokenCheck;
  challengeResponse?: TokenCheck;
  oversizeFields: string[];
}

export interface EngineOptions {
  /** Country (and optional subdivision) of an IP; the request's own `country` is used for the client IP otherwise. */
  geo?: (ip: string) => { country: string; region?: string } | undefined;
  asn?: (ip: string) => number | undefined;
  /** Secret that signs Vigil-issued `aws-waf-token` cookies (see tokens.ts); without it no token is valid. */
  tokenSecret?: string;
}

/** Sliding-window counters per rate-based rule instance and aggregation key (10 s buckets, waf.md §8). */
export class RateTracker {
  private readonly buckets = new Map<string, Map<string, { start: number; counts: number[] }>>();

  /** Count one request at `time` and return the number of requests in the window ending at `time`. */
  hit(rule: string, key: string, time: number, windowSec: number): number {
    let perRule = this.buckets.get(rule);
    if (!perRule) {
      perRule = new Map();
      this.buckets.set(rule, perRule);
    }
    const slots = windowSec / 10;
    const slot = Math.floor(time / 10_000);
    let e = perRule.get(key);
    if (!e) {
      e = { start: slot, counts: new Array(slots).fill(0) };
      perRule.set(key, e);
    }
    // advance the ring: clear slots that fell out of the window
    if (slot - e.start >= slots) {
      e.counts.fill(0);
      e.start = slot;
    } else if (slot > e.start) {
      for (let s = e.start + 1; s <= slot; s++) e.counts[s % slots] = 0;
      e.start = slot;
    }
    if (slot >= e.start - slots + 1) e.counts[((slot % slots) + slots) % slots]!++;
    let sum = 0;
    for (const c of e.counts) sum += c;
    return sum;
  }

  /** Keys per rule (for tests and reporting). */
  size(rule: string): number {
    return this.buckets.get(rule)?.size ?? 0;
  }
}

interface EvalCtx {
  req: WafRequest;
  acl: WebAcl;
  labels: string[];
  labelSet: Set<string>;
  oversize: Set<string>;
  opts: EngineOptions;
  /** Extracted + transformed values per (field, transformations) for this request: many rules share them. */
  memo?: Map<string, { ex: ReturnType<typeof extract>; tvs: (string | undefined)[] }>;
}

const inspectionKeys = new WeakMap<object, string>();
/** A key equal for statements that inspect the same field with the same transformations (specs are plain data). */
function inspectionKey(s: TextInspection): string {
  let k = inspectionKeys.get(s);
  if (k === undefined) {
    k = JSON.stringify([s.field, s.tx, s.preParse]);
    inspectionKeys.set(s, k);
  }
  return k;
}

/** Outcome of a statement: matched or not, with details; `skip` when a forwarded-IP header is missing (§5 note). */
type Outcome = { match: boolean; details: MatchDetail[]; skip?: boolean };
const NO: Outcome = { match: false, details: [] };

function clip(s: string): string {
  const t = fromBytes(s);
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

function addLabel(ctx: EvalCtx, l: string): void {
  if (!ctx.labelSet.has(l)) {
    ctx.labelSet.add(l);
    ctx.labels.push(l);
  }
}

function conditionOf(s: Statement): string {
  switch (s.type) {
    case 'ByteMatch':
      return 'BYTE_MATCH';
    case 'SqliMatch':
      return 'SQL_INJECTION';
    case 'XssMatch':
      return 'XSS';
    case 'SizeConstraint':
      return 'SIZE_CONSTRAINT';
    case 'RegexMatch':
      return s.fromSet ? 'REGEX_PATTERN_SET' : 'REGEX';
    case 'GeoMatch':
      return 'GEO_MATCH';
    case 'AsnMatch':
      return 'ASN_MATCH';
    case 'IPSetReference':
      return 'IP_SET';
    case 'LabelMatch':
      return 'LABEL_MATCH';
    default:
      return s.type.toUpperCase();
  }
}

function textMatch(s: Statement & TextInspection, v: string): string[] | undefined {
  switch (s.type) {
    case 'ByteMatch': {
      const q = s.search;
      let ok = false;
      switch (s.positional) {
        case 'EXACTLY':
          ok = v === q;
          break;
        case 'STARTS_WITH':
          ok = v.startsWith(q);
          break;
        case 'ENDS_WITH':
          ok = v.endsWith(q);
          break;
        case 'CONTAINS':
          ok = v.includes(q);
          break;
        case 'CONTAINS_WORD': {
          for (let i = v.indexOf(q); i >= 0; i = v.indexOf(q, i + 1)) {
            const before = i === 0 ? '' : v[i - 1]!;
            const after = v[i + q.length] ?? '';
            if (!/[A-Za-z0-9_]/.test(before) && !/[A-Za-z0-9_]/.test(after)) {
              ok = true;
              break;
            }
          }
        }
      }
      return ok ? [fromBytes(q)] : undefined;
    }
    case 'SqliMatch': {
      const r = detectSqli(v, s.high);
      return r.match ? r.matchedData!.map(fromBytes) : undefined;
    }
    case 'XssMatch': {
      const r = detectXss(v);
      return r.match ? r.matchedData!.map(fromBytes) : undefined;
    }
    case 'SizeConstraint': {
      const n = v.length;
      const ok =
        s.op === 'EQ'
          ? n === s.size
          : s.op === 'NE'
            ? n !== s.size
            : s.op === 'LE'
              ? n <= s.size
              : s.op === 'LT'
                ? n < s.size
                : s.op === 'GE'
                  ? n >= s.size
                  : n > s.size;
      return ok ? [String(n)] : undefined;
    }
    case 'RegexMatch': {
      for (const re of s.regexes) {
        const m = re.exec(v);
        if (m) return [fromBytes(m[0])];
      }
      return undefined;
    }
  }
  return undefined;
}

/** The explanation of a text match (built only on a match; top-level so the hot path allocates no closure). */
function detail(
  s: Statement & TextInspection,
  fv: FieldValue | undefined,
  data: string[] | undefined,
  tv?: string,
): MatchDetail {
  const d: MatchDetail = { statement: s.path ?? s.type, conditionType: conditionOf(s) };
  if (fv) {
    d.location = fv.location;
    if (fv.name !== undefined) d.fieldName = fromBytes(fv.name);
  }
  if (data) d.matchedData = data;
  if (tv !== undefined) d.transformedValue = clip(tv);
  if (s.type === 'SqliMatch') d.sensitivityLevel = s.high ? 'HIGH' : 'LOW';
  return d;
}

function inspectText(ctx: EvalCtx, s: Statement & TextInspection): Outcome {
  const key = inspectionKey(s);
  ctx.memo ??= new Map();
  let m = ctx.memo.get(key);
  if (!m) {
    m = { ex: extract(ctx.req, s.field, ctx.acl.bodyLimit, s.preParse), tvs: [] };
    ctx.memo.set(key, m);
  }
  const ex = m.ex;
  if (ex.oversize) {
    ctx.oversize.add(ex.oversize);
    const handling = 'oversize' in s.field ? s.field.oversize : 'CONTINUE';
    if (handling === 'MATCH') return { match: true, details: [detail(s, undefined, ['<oversize>'])] };
    if (handling === 'NO_MATCH') return NO;
  }
  if (ex.fallback) {
    const fb =
      'fallback' in s.field ? s.field.fallback : 'invalidFallback' in s.field ? s.field.invalidFallback : 'NO_MATCH';
    if (fb === 'MATCH') return { match: true, details: [detail(s, undefined, ['<fallback>'])] };
    if (ex.values.length === 0) return NO;
  }
  for (let i = 0; i < ex.values.length; i++) {
    const fv = ex.values[i]!;
    let tv = m.tvs[i];
    if (tv === undefined) {
      tv = s.tx.length === 0 ? fv.value : applyTransforms(s.tx, fv.value);
      m.tvs[i] = tv;
    }
    const data = textMatch(s, tv);
    if (data) return { match: true, details: [detail(s, fv, data, tv)] };
  }
  // SizeConstraint on an absent single header/argument inspects an empty value (size 0)
  if (ex.values.length === 0 && s.type === 'SizeConstraint' && !ex.fallback) {
    const data = textMatch(s, '');
    if (data) return { match: true, details: [detail(s, undefined, data, '')] };
  }
  return NO;
}

/** IPs to inspect for a forwarded-IP config; undefined when the header is missing (rule not applied). */
function forwardedIps(req: WafRequest, f: ForwardedIp): string[] | undefined {
  const h = headerValue(req, f.header);
  if (h === undefined) return undefined;
  const all = h
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (f.position === 'FIRST') return all.slice(0, 1);
  if (f.position === 'LAST') return all.slice(-1);
  return all.slice(-10);
}

function cidrHas(c: ParsedCidr, bytes: number[], v6: boolean): boolean {
  if (c.v6 !== v6) return false;
  let bits = c.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (c.bytes[i]! & mask)) return false;
  }
  return true;
}

function ipBytes(ip: string): { bytes: number[]; v6: boolean } | undefined {
  if (!ipaddr.isValid(ip)) return undefined;
  let a = ipaddr.parse(ip);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  return { bytes: a.toByteArray(), v6: a.kind() === 'ipv6' };
}

function labelMatches(label: string, scope: 'LABEL' | 'NAMESPACE', key: string): boolean {
  if (scope === 'LABEL') return label === key || label.endsWith(`:${key}`);
  for (let i = label.indexOf(':'); i >= 0; i = label.indexOf(':', i + 1)) {
    const ns = label.slice(0, i + 1);
    if (ns === key || ns.endsWith(`:${key}`)) return true;
  }
  return false;
}

function evalStatement(ctx: EvalCtx, s: Statement): Outcome {
  const path = s.path ?? s.type;
  switch (s.type) {
    case 'ByteMatch':
    case 'SqliMatch':
    case 'XssMatch':
    case 'SizeConstraint':
    case 'RegexMatch':
      return inspectText(ctx, s);
    case 'IPSetReference': {
      let ips: string[];
      let forwarded = false;
      if (s.forwarded) {
        const f = forwardedIps(ctx.req, s.forwarded);
        if (f === undefined) return { match: false, details: [], skip: true };
        ips = f;
        forwarded = true;
      } else ips = [ctx.req.clientIp];
      let anyValid = false;
      for (const ip of ips) {
        const b = ipBytes(ip);
        if (!b) continue;
        anyValid = true;
        for (const c of s.cidrs) {
          if (cidrHas(c, b.bytes, b.v6)) {
            return {
              match: true,
              details: [
                {
                  statement: path,
                  conditionType: 'IP_SET',
                  location: forwarded ? 'FORWARDED_IP' : 'CLIENT_IP',
                  matchedData: [ip, c.text],
                },
              ],
            };
          }
        }
      }
      if (forwarded && !anyValid && s.forwarded!.fallback === 'MATCH') {
        return {
          match: true,
          details: [
            {
              statement: path,
              conditionType: 'IP_SET',
              location: 'FORWARDED_IP',
              matchedData: ['<invalid IP: fallback MATCH>'],
            },
          ],
        };
      }
      return NO;
    }
    case 'GeoMatch':
    case 'AsnMatch': {
      let ip = ctx.req.clientIp;
      const prefix = s.forwarded ? 'forwardedip' : 'clientip';
      if (s.forwarded) {
        const f = forwardedIps(ctx.req, s.forwarded);
        if (f === undefined) return { match: false, details: [], skip: true };
        const first = f[0];
        if (first === undefined || !ipaddr.isValid(first)) {
          return s.forwarded.fallback === 'MATCH'
            ? {
                match: true,
                details: [
                  {
                    statement: path,
                    conditionType: conditionOf(s),
                    location: 'FORWARDED_IP',
                    matchedData: ['<invalid IP: fallback MATCH>'],
                  },
                ],
              }
            : NO;
        }
        ip = first;
      }
      if (s.type === 'AsnMatch') {
        const asn = s.forwarded ? ctx.opts.asn?.(ip) : (ctx.req.asn ?? ctx.opts.asn?.(ip));
        if (asn !== undefined && s.asns.has(asn)) {
          return {
            match: true,
            details: [{ statement: path, conditionType: 'ASN_MATCH', matchedData: [String(asn)] }],
          };
        }
        return NO;
      }
      const g = s.forwarded
        ? ctx.opts.geo?.(ip)
        : ctx.req.country !== undefined
          ? { country: ctx.req.country }
          : ctx.opts.geo?.(ip);
      if (!g) return NO;
      // GeoMatch labels every request it inspects, matched or not (waf.md §4)
      addLabel(ctx, `awswaf:${prefix}:geo:country:${g.country}`);
      if (g.region) addLabel(ctx, `awswaf:${prefix}:geo:region:${g.country}-${g.region}`);
      if (s.countries.has(g.country)) {
        return {
          match: true,
          details: [
            {
              statement: path,
              conditionType: 'GEO_MATCH',
              location: s.forwarded ? 'FORWARDED_IP' : 'CLIENT_IP',
              matchedData: [g.country],
            },
          ],
        };
      }
      return NO;
    }
    case 'LabelMatch': {
      for (const l of ctx.labels) {
        if (labelMatches(l, s.scope, s.key)) {
          return { match: true, details: [{ statement: path, conditionType: 'LABEL_MATCH', matchedData: [l] }] };
        }
      }
      return NO;
    }
    case 'And': {
      const details: MatchDetail[] = [];
      for (const c of s.statements) {
        const o = evalStatement(ctx, c);
        if (o.skip) return o;
        if (!o.match) return NO;
        details.push(...o.details);
      }
      return { match: true, details };
    }
    case 'Or': {
      let skipped = false;
      for (const c of s.statements) {
        const o = evalStatement(ctx, c);
        if (o.match) return o;
        if (o.skip) skipped = true;
      }
      return skipped ? { match: false, details: [], skip: true } : NO;
    }
    case 'Not': {
      const o = evalStatement(ctx, s.statement);
      if (o.skip) return o;
      return o.match ? NO : { match: true, details: [{ statement: path, conditionType: 'NOT', matchedData: [] }] };
    }
  }
}

const LOG_ACTION: Record<Action['type'], LogAction> = {
  Allow: 'ALLOW',
  Block: 'BLOCK',
  Count: 'COUNT',
  Captcha: 'CAPTCHA',
  Challenge: 'CHALLENGE',
};

/** Vigil's `aws-waf-token`: `<solveEpochMs>.<base64url HMAC-SHA256(secret, solveEpochMs)>` (tokens are Vigil's own). */
export function issueToken(secret: string, solveMs: number): string {
  const mac = createHmac('sha256', secret).update(String(solveMs)).digest('base64url');
  return `${solveMs}.${mac}`;
}

function checkToken(ctx: EvalCtx, immunitySec: number, code: number): TokenCheck {
  const cookie = parseCookies(ctx.req).find(([n]) => n === 'aws-waf-token');
  if (!cookie) return { responseCode: code, solveTimestamp: 0, failureReason: 'TOKEN_MISSING' };
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(cookie[1]);
  if (!m || ctx.opts.tokenSecret === undefined)
    return { responseCode: code, solveTimestamp: 0, failureReason: 'TOKEN_INVALID' };
  const solve = Number(m[1]);
  const expect = Buffer.from(issueToken(ctx.opts.tokenSecret, solve).split('.')[1]!);
  const got = Buffer.from(m[2]!);
  if (expect.length !== got.length || !timingSafeEqual(expect, got)) {
    return { responseCode: code, solveTimestamp: solve, failureReason: 'TOKEN_INVALID' };
  }
  if (ctx.req.time - solve > immunitySec * 1000)
    return { responseCode: code, solveTimestamp: solve, failureReason: 'TOKEN_EXPIRED' };
  return { responseCode: 0, solveTimestamp: solve };
}

function rateKey(ctx: EvalCtx, r: RateSpec): { key: string; limitKey: string } | undefined {
  switch (r.aggregate) {
    case 'IP':
      return { key: ctx.req.clientIp, limitKey: 'IP' };
    case 'CONSTANT':
      return { key: '', limitKey: 'CONSTANT' };
    case 'FORWARDED_IP': {
      const f = forwardedIps(ctx.req, { ...r.forwarded!, position: 'FIRST' });
      if (f === undefined) return undefined;
      const ip = f[0];
      return { key: ip !== undefined && ipaddr.isValid(ip) ? ip : 'INVALID', limitKey: 'FORWARDED_IP' };
    }
    case 'CUSTOM_KEYS': {
      const parts: string[] = [];
      for (const k of r.keys) {
        let v: string | undefined;
        switch (k.kind) {
          case 'Header':
            v = headerValue(ctx.req, k.name);
            break;
          case 'Cookie':
            v = parseCookies(ctx.req).find(([n]) => n === k.name)?.[1];
            break;
          case 'QueryArgument':
            v = parseQuery(ctx.req.queryString).find(([n]) => n.toLowerCase() === k.name)?.[1];
            break;
          case 'QueryString':
            v = ctx.req.queryString === '' ? undefined : ctx.req.queryString;
            break;
          case 'UriPath':
            v = ctx.req.uriPath;
            break;
          case 'HTTPMethod':
            v = ctx.req.method;
            break;
          case 'IP':
            v = ctx.req.clientIp;
            break;
          case 'ForwardedIP': {
            const f = forwardedIps(ctx.req, { ...r.forwarded!, position: 'FIRST' });
            v = f?.[0] !== undefined && ipaddr.isValid(f[0]) ? f[0] : undefined;
            break;
          }
          case 'JA3Fingerprint':
            v = ctx.req.ja3;
            break;
          case 'JA4Fingerprint':
            v = ctx.req.ja4;
            break;
          case 'ASN': {
            const a = ctx.req.asn ?? ctx.opts.asn?.(ctx.req.clientIp);
            v = a === undefined ? undefined : String(a);
            break;
          }
          case 'LabelNamespace': {
            const hits = ctx.labels.filter((l) => l.startsWith(k.namespace) || l.includes(`:${k.namespace}`));
            v = hits.length === 0 ? undefined : hits.sort().join(',');
            break;
          }
        }
        // A request missing any key component is not counted (waf.md §8)
        if (v === undefined) return undefined;
        if ('tx' in k && k.tx.length > 0) v = applyTransforms(k.tx, v);
        parts.push(v);
      }
      return { key: parts.join('\u0000'), limitKey: 'CUSTOMKEYS' };
    }
  }
}

/** A WebACL evaluator with its rate-based state. Never throws for request content. */
export class WafEngine {
  readonly rates = new RateTracker();
  constructor(
    readonly acl: WebAcl,
    readonly opts: EngineOptions = {},
  ) {}

  evaluate(req: WafRequest): Decision {
    const ctx: EvalCtx = { req, acl: this.acl, labels: [], labelSet: new Set(), oversize: new Set(), opts: this.opts };
    const d: Decision = {
      action: 'ALLOW',
      terminatingRuleId: 'Default_Action',
      terminatingRuleType: 'REGULAR',
      terminatingRuleMatchDetails: [],
      nonTerminatingMatchingRules: [],
      ruleGroupList: [],
      rateBasedRuleList: [],
      labels: ctx.labels,
      requestHeadersInserted: [],
      oversizeFields: [],
    };
    let done = false;
    for (const rule of this.acl.rules) {
      if (rule.group) {
        done = this.evalGroup(ctx, rule, rule.group, d);
      } else {
        const o = this.ruleMatches(ctx, rule, rule.name, d);
        if (o?.match && rule.action) done = this.apply(ctx, rule, rule.action, rule.name, o.details, d, undefined);
      }
      if (done) break;
    }
    if (!done) {
      const a = this.acl.defaultAction;
      d.requestHeadersInserted.push(...a.insertHeaders);
      if (a.type === 'Block') this.block(a, d);
      else d.action = 'ALLOW';
    }
    d.oversizeFields = [...ctx.oversize];
    return d;
  }

  /** Statement or rate evaluation for a (non-group) rule; `instance` names the rate counter instance. */
  private ruleMatches(ctx: EvalCtx, rule: Rule, instance: string, d: Decision): Outcome | undefined {
    if (rule.rate) {
      const r = rule.rate;
      let details: MatchDetail[] = [];
      if (r.scopeDown) {
        const o = evalStatement(ctx, r.scopeDown);
        if (!o.match) return NO;
        details = o.details;
      }
      const k = rateKey(ctx, r);
      if (!k) return NO;
      const count = this.rates.hit(instance, k.key, ctx.req.time, r.windowSec);
      if (count <= r.limit) return NO;
      d.rateBasedRuleList.push({
        rateBasedRuleId: instance,
        rateBasedRuleName: rule.name,
        limitKey: k.limitKey,
        maxRateAllowed: r.limit,
        evaluationWindowSec: r.windowSec,
        limitValue: k.limitKey === 'CONSTANT' ? '' : fromBytes(k.key.replace(/\u0000/g, ',')),
      });
      return {
        match: true,
        details: [
          ...details,
          {
            statement: `${rule.path}.Statement.RateBasedStatement`,
            conditionType: 'RATE_BASED',
            matchedData: [
              `${count} requests in ${r.windowSec}s > limit ${r.limit}`,
              `key ${fromBytes(k.key.replace(/\u0000/g, ','))}`,
            ],
          },
        ],
      };
    }
    return rule.statement ? evalStatement(ctx, rule.statement) : undefined;
  }

  /**
   * Apply a matching rule's action. Returns true when evaluation terminates. `group` set: the rule is inside a
   * rule group (its hit goes to the group trace).
   */
  private apply(
    ctx: EvalCtx,
    rule: Rule,
    action: Action,
    ruleId: string,
    details: MatchDetail[],
    d: Decision,
    group: { trace: GroupTrace; aclRule: Rule; overridden?: LogAction } | undefined,
  ): boolean {
    for (const l of rule.labels) addLabel(ctx, l);
    const hit: RuleHit = { ruleId, action: LOG_ACTION[action.type], details };
    if (group?.overridden) {
      hit.overriddenAction = hit.action;
      hit.action = group.overridden;
    }
    const effective = group?.overridden ? 'Count' : action.type;
    const addNonTerminating = () => {
      if (group) group.trace.nonTerminatingMatchingRules.push(hit);
      else d.nonTerminatingMatchingRules.push(hit);
      d.requestHeadersInserted.push(...action.insertHeaders);
    };
    if (effective === 'Count') {
      addNonTerminating();
      return false;
    }
    if (effective === 'Captcha' || effective === 'Challenge') {
      const captcha = effective === 'Captcha';
      const t = checkToken(ctx, captcha ? rule.captchaImmunitySec : rule.challengeImmunitySec, captcha ? 405 : 202);
      if (captcha) d.captchaResponse = t;
      else d.challengeResponse = t;
      if (t.failureReason === undefined) {
        addNonTerminating();
        return false;
      }
    }
    // terminating
    if (group) {
      group.trace.terminatingRule = hit;
      d.terminatingRuleId = group.aclRule.name;
      d.terminatingRuleType = group.aclRule.kind;
      d.terminatingGroupRule = ruleId;
    } else {
      d.terminatingRuleId = ruleId;
      d.terminatingRuleType = rule.kind;
    }
    d.terminatingRuleMatchDetails = details;
    if (effective === 'Allow') {
      d.action = 'ALLOW';
      d.requestHeadersInserted.push(...action.insertHeaders);
    } else if (effective === 'Block') this.block(action, d);
    else if (effective === 'Captcha') {
      d.action = 'CAPTCHA';
      d.response = { status: 405, headers: [], contentType: 'text/html', body: interstitial('CAPTCHA') };
    } else {
      d.action = 'CHALLENGE';
      d.response = { status: 202, headers: [], contentType: 'text/html', body: interstitial('Challenge') };
    }
    return true;
  }

  private block(a: Action, d: Decision): void {
    d.action = 'BLOCK';
    const r = a.response;
    if (!r) {
      d.response = { status: 403, headers: [] };
      return;
    }
    d.response = { status: r.code, headers: r.headers };
    const body = r.bodyKey === undefined ? undefined : this.acl.customBodies.get(r.bodyKey);
    if (body) {
      d.response.body = body.content;
      d.response.contentType =
        body.contentType === 'APPLICATION_JSON'
          ? 'application/json'
          : body.contentType === 'TEXT_HTML'
            ? 'text/html'
            : 'text/plain';
    }
  }

  private evalGroup(ctx: EvalCtx, aclRule: Rule, g: GroupRef, d: Decision): boolean {
    if (g.scopeDown && !evalStatement(ctx, g.scopeDown).match) return false;
    const trace: GroupTrace = {
      ruleGroupId: g.id,
      terminatingRule: null,
      nonTerminatingMatchingRules: [],
      excludedRules: null,
    };
    let done = false;
    for (const r of g.rules) {
      const o = this.ruleMatches(ctx, r, `${aclRule.name}/${r.name}`, d);
      if (!o?.match || !r.action) continue;
      const excluded = g.excluded.has(r.name);
      const action = g.overrides.get(r.name) ?? r.action;
      let overridden: LogAction | undefined;
      if (excluded) {
        overridden = 'EXCLUDED_AS_COUNT';
        trace.excludedRules = [...(trace.excludedRules ?? []), { exclusionType: 'EXCLUDED_AS_COUNT', ruleId: r.name }];
      } else if (aclRule.override === 'Count' && action.type !== 'Count') overridden = 'COUNT';
      if (this.apply(ctx, r, action, r.name, o.details, d, { trace, aclRule, overridden })) {
        done = true;
        break;
      }
    }
    if (trace.terminatingRule || trace.nonTerminatingMatchingRules.length > 0 || trace.excludedRules)
      d.ruleGroupList.push(trace);
    return done;
  }
}

function interstitial(kind: string): string {
  return `<!doctype html><title>${kind} required</title><p>This request needs a ${kind.toLowerCase()} token (aws-waf-token).</p>`;
}
