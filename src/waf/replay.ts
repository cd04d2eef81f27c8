import { splitHostPort } from '../core/ip.js';
import type { LogRecord } from '../ingest/types.js';
import { makeRequest, type WafRequest } from './request.js';

/** What a log record says AWS decided, for comparing a candidate ACL against production (WAF logs only). */
export interface LoggedDecision {
  action: string;
  terminatingRuleId: string;
}

export type Replayed = { req: WafRequest; logged?: LoggedDecision } | { error: string } | { skip: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v !== '-' ? v : undefined);

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Rebuild the inspectable part of a request from a log record (waf.md §9 "offline replay limits"): WAF logs give
 * URI, args, method, logged headers, IP, country and JA3/JA4; ALB logs method, URL and User-Agent; CloudFront logs
 * method, path, query, Host, User-Agent, Referer and Cookie. Bodies are never logged.
 */
export function requestFromRecord(r: LogRecord): Replayed {
  const f = r.fields;
  const time = Number.isFinite(r.time) ? r.time : Date.now();
  if (r.type === 'waf') {
    const h = f.httpRequest as Record<string, unknown> | undefined;
    if (!h || typeof h !== 'object') return { error: 'WAF record without httpRequest' };
    const headers: [string, string][] = [];
    if (Array.isArray(h.headers)) {
      for (const x of h.headers as { name?: unknown; value?: unknown }[]) {
        if (x && typeof x.name === 'string' && typeof x.value === 'string') headers.push([x.name, x.value]);
      }
    }
    const args = str(h.args);
    const init: Parameters<typeof makeRequest>[0] = {
      url: `${str(h.uri) ?? '/'}${args !== undefined ? `?${args}` : ''}`,
      method: str(h.httpMethod) ?? 'GET',
      headers,
      clientIp: str(h.clientIp) ?? '0.0.0.0',
      time,
    };
    const country = str(h.country);
    if (country) init.country = country;
    const ja3 = str(f.ja3Fingerprint);
    if (ja3) init.ja3 = ja3;
    const ja4 = str(f.ja4Fingerprint);
    if (ja4) init.ja4 = ja4;
    const rid = str(h.requestId);
    if (rid) init.requestId = rid;
    const hv = str(h.httpVersion);
    if (hv) init.httpVersion = hv;
    const asn = Number(f.clientAsn);
    if (f.clientAsn !== undefined && Number.isFinite(asn)) init.asn = asn;
    return {
      req: makeRequest(init),
      logged: { action: String(f.action ?? ''), terminatingRuleId: String(f.terminatingRuleId ?? '') },
    };
  }
  if (r.type === 'alb' || r.type === 'elb') {
    const request = str(f.request);
    if (!request) return { error: 'ALB record without a request field' };
    // the URL may itself contain spaces (ALB logs it as received): method first, protocol last
    const m = /^(\S+) (.+?)(?: (HTTP\/[\d.]+|-))?$/.exec(request);
    if (!m) return { error: `unparseable ALB request ${JSON.stringify(request.slice(0, 80))}` };
    let url = m[2]!;
    let host: string | undefined;
    const abs = /^[a-z]+:\/\/([^/]*)(.*)$/i.exec(url);
    if (abs) {
      host = splitHostPort(abs[1]!).host;
      url = abs[2] || '/';
    }
    const headers: [string, string][] = [];
    if (host) headers.push(['host', host]);
    const ua = str(f.user_agent);
    if (ua) headers.push(['user-agent', ua]);
    const client = str(f['client:port']);
    const init: Parameters<typeof makeRequest>[0] = {
      url,
      method: m[1]!,
      headers,
      clientIp: client ? splitHostPort(client).host : (r.sourceIp ?? '0.0.0.0'),
      time,
    };
    if (m[3] && m[3] !== '-') init.httpVersion = m[3];
    const trace = str(f.trace_id);
    if (trace) init.requestId = trace;
    return { req: makeRequest(init) };
  }
  if (r.type === 'cloudfront') {
    const stem = str(f['cs-uri-stem']) ?? '/';
    const query = str(f['cs-uri-query']);
    const headers: [string, string][] = [];
    // CloudFront percent-encodes these header fields in its logs
    for (const [col, name] of [
      ['cs(Host)', 'host'],
      ['cs(User-Agent)', 'user-agent'],
      ['cs(Referer)', 'referer'],
      ['cs(Cookie)', 'cookie'],
    ] as const) {
      const v = str(f[col]);
      if (v) headers.push([name, safeDecode(v)]);
    }
    const init: Parameters<typeof makeRequest>[0] = {
      url: `${stem}${query ? `?${query}` : ''}`,
      method: str(f['cs-method']) ?? 'GET',
      headers,
      clientIp: str(f['c-ip']) ?? r.sourceIp ?? '0.0.0.0',
      time,
    };
    const rid = str(f['x-edge-request-id']);
    if (rid) init.requestId = rid;
    const pv = str(f['cs-protocol-version']);
    if (pv) init.httpVersion = pv;
    return { req: makeRequest(init) };
  }
  return { skip: `log type ${r.type} carries no HTTP request to replay` };
}

/**
 * A JSONL request line for `vigil waf test`: `{"method","url"|"uri"+"args","headers":{…}|[[n,v]…],"body",
 * "clientIp","country","time"}`.
 */
export function requestFromJson(v: unknown): Replayed {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { error: 'expected a JSON object' };
  const o = v as Record<string, unknown>;
  const url = str(o.url) ?? (str(o.uri) !== undefined ? `${o.uri}${str(o.args) ? `?${o.args}` : ''}` : undefined);
  if (!url) return { error: 'request needs "url" (or "uri")' };
  const headers: [string, string][] = [];
  if (Array.isArray(o.headers)) {
    for (const h of o.headers) {
      if (Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'string') headers.push([h[0], h[1]]);
      else if (h && typeof h === 'object' && typeof h.name === 'string' && typeof h.value === 'string')
        headers.push([h.name, h.value]);
    }
  } else if (o.headers && typeof o.headers === 'object') {
    for (const [n, val] of Object.entries(o.headers)) if (typeof val === 'string') headers.push([n, val]);
  }
  const init: Parameters<typeof makeRequest>[0] = {
    url,
    method: str(o.method) ?? 'GET',
    headers,
    clientIp: str(o.clientIp) ?? '127.0.0.1',
    time: typeof o.time === 'number' ? o.time : Date.now(),
  };
  if (typeof o.body === 'string') init.body = o.body;
  if (typeof o.bodyBase64 === 'string') init.body = Buffer.from(o.bodyBase64, 'base64');
  const country = str(o.country);
  if (country) init.country = country;
  return { req: makeRequest(init) };
}
