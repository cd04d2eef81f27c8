import { toBytes } from './transforms.js';

/**
 * One HTTP request as the WAF sees it. Text fields are byte strings (latin1, one char per byte) so matching is
 * byte-exact. Headers keep their order and case as received (HeaderOrder inspects the order).
 */
export interface WafRequest {
  /** Epoch milliseconds (rate-based rules and log records use it). */
  time: number;
  clientIp: string;
  method: string;
  /** Path only, still percent-encoded as received. */
  uriPath: string;
  /** Everything after `?`, without the `?` ('' when absent). */
  queryString: string;
  fragment?: string;
  headers: [name: string, value: string][];
  /** Body bytes as a byte string; undefined when unknown (offline replay). */
  body?: string;
  /** Total body length when the body was truncated before inspection (oversize detection). */
  bodyLength?: number;
  httpVersion?: string;
  /** ISO country of the client IP when known (CloudFront-Viewer-Country, WAF logs, a geo lookup). */
  country?: string;
  asn?: number;
  ja3?: string;
  ja4?: string;
  requestId?: string;
}

/** Build a request from a URL (`/path?query#frag`) and UTF-8 header/body text. */
export function makeRequest(init: {
  url: string;
  method?: string;
  headers?: [string, string][] | Record<string, string>;
  body?: string | Buffer;
  clientIp?: string;
  time?: number;
  country?: string;
  asn?: number;
  ja3?: string;
  ja4?: string;
  requestId?: string;
  httpVersion?: string;
}): WafRequest {
  let url = init.url;
  let fragment: string | undefined;
  const hash = url.indexOf('#');
  if (hash >= 0) {
    fragment = toBytes(url.slice(hash + 1));
    url = url.slice(0, hash);
  }
  const q = url.indexOf('?');
  const headers = Array.isArray(init.headers)
    ? init.headers.map(([n, v]) => [n, toBytes(v)] as [string, string])
    : Object.entries(init.headers ?? {}).map(([n, v]) => [n, toBytes(v)] as [string, string]);
  const body =
    init.body === undefined
      ? undefined
      : Buffer.isBuffer(init.body)
        ? init.body.toString('latin1')
        : toBytes(init.body);
  const req: WafRequest = {
    time: init.time ?? Date.now(),
    clientIp: init.clientIp ?? '127.0.0.1',
    method: init.method ?? 'GET',
    uriPath: toBytes(q < 0 ? url : url.slice(0, q)),
    queryString: q < 0 ? '' : toBytes(url.slice(q + 1)),
    headers,
  };
  if (fragment !== undefined) req.fragment = fragment;
  if (body !== undefined) req.body = body;
  for (const k of ['country', 'asn', 'ja3', 'ja4', 'requestId', 'httpVersion'] as const) {
    if (init[k] !== undefined) (req as unknown as Record<string, unknown>)[k] = init[k];
  }
  return req;
}

/** First value of a header, case-insensitive name. */
export function headerValue(req: WafRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of req.headers) if (n.toLowerCase() === lower) return v;
  return undefined;
}

/** Query arguments in order; names and values raw (not decoded): AWS decodes only via transformations. */
export function parseQuery(query: string): [string, string][] {
  const out: [string, string][] = [];
  if (query === '') return out;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.push(eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]);
  }
  return out;
}

/** Cookies from every Cookie header, in order. */
export function parseCookies(req: WafRequest): [string, string][] {
  const out: [string, string][] = [];
  for (const [n, v] of req.headers) {
    if (n.toLowerCase() !== 'cookie') continue;
    for (const part of v.split(';')) {
      const t = part.trim();
      if (t === '') continue;
      const eq = t.indexOf('=');
      out.push(eq < 0 ? [t, ''] : [t.slice(0, eq), t.slice(eq + 1)]);
    }
  }
  return out;
}
