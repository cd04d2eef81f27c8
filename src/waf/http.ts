import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Decision, WafEngine } from './evaluate.js';
import { wafLogRecord } from './log.js';
import { makeRequest, type WafRequest } from './request.js';

export interface HttpWafOptions {
  /** When evaluation itself fails (a bug, never request content): true lets the request through. Default false. */
  failOpen?: boolean;
  /** Receives one AWS WAF log record per evaluated request. */
  onLog?: (record: Record<string, unknown>) => void;
  /** Trust this header for the client IP (e.g. `x-forwarded-for` behind a load balancer: first address). */
  clientIpHeader?: string;
  /** Country header set by an upstream CDN (default `cloudfront-viewer-country`). */
  countryHeader?: string;
  httpSourceName?: string;
  /** Headers carrying the client's JA3 / JA4 fingerprint (default CloudFront's `cloudfront-viewer-ja3/ja4-fingerprint`). */
  ja3Header?: string;
  ja4Header?: string;
}

/** Build the WAF's view of a Node request; `body` is what was read (possibly truncated), `bodyLength` the total. */
export function fromIncoming(
  req: IncomingMessage,
  opts: HttpWafOptions,
  body?: Buffer,
  bodyLength?: number,
): WafRequest {
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
  let clientIp = req.socket.remoteAddress ?? '0.0.0.0';
  if (clientIp.startsWith('::ffff:')) clientIp = clientIp.slice(7);
  if (opts.clientIpHeader) {
    const v = req.headers[opts.clientIpHeader.toLowerCase()];
    const first = (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();
    if (first) clientIp = first;
  }
  const init: Parameters<typeof makeRequest>[0] = {
    url: req.url ?? '/',
    method: req.method ?? 'GET',
    headers,
    clientIp,
    httpVersion: `HTTP/${req.httpVersion}`,
  };
  const country = req.headers[(opts.countryHeader ?? 'cloudfront-viewer-country').toLowerCase()];
  if (typeof country === 'string' && /^[A-Z]{2}$/.test(country)) init.country = country;
  const ja3 = req.headers[(opts.ja3Header ?? 'cloudfront-viewer-ja3-fingerprint').toLowerCase()];
  if (typeof ja3 === 'string') init.ja3 = ja3;
  const ja4 = req.headers[(opts.ja4Header ?? 'cloudfront-viewer-ja4-fingerprint').toLowerCase()];
  if (typeof ja4 === 'string') init.ja4 = ja4;
  if (body) init.body = body;
  const wr = makeRequest(init);
  // header values as raw bytes, not re-encoded: Node decoded them as latin1 already
  wr.headers = headers;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  wr.uriPath = q < 0 ? url : url.slice(0, q);
  wr.queryString = q < 0 ? '' : url.slice(q + 1);
  if (bodyLength !== undefined) wr.bodyLength = bodyLength;
  return wr;
}

/** Send the WAF's own response (Block / Captcha / Challenge). */
export function sendDecision(res: ServerResponse, d: Decision): void {
  const r = d.response ?? { status: 403, headers: [] };
  const headers: Record<string, string> = {};
  for (const [n, v] of r.headers) headers[n] = v;
  if (r.contentType) headers['content-type'] = r.contentType;
  else if (!r.body) headers['content-type'] = 'text/plain';
  const body = r.body ?? (d.action === 'BLOCK' ? 'Forbidden\n' : '');
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(r.status, headers);
  res.end(body);
}

/** Build and evaluate the request; any failure (never expected) becomes 'error' so the caller applies failOpen. */
function evaluateSafely(engine: WafEngine, build: () => WafRequest, opts: HttpWafOptions): Decision | 'error' {
  try {
    const wr = build();
    const d = engine.evaluate(wr);
    if (opts.onLog) {
      const lo: { httpSourceName?: string } = {};
      if (opts.httpSourceName) lo.httpSourceName = opts.httpSourceName;
      opts.onLog(wafLogRecord(engine.acl, wr, d, lo));
    }
    return d;
  } catch {
    return 'error';
  }
}

/**
 * Connect/Express-style middleware `(req, res, next)`. Inspects headers, URI and query; the body is inspected
 * when an earlier middleware left the raw bytes on `req.rawBody` or a Buffer/string `req.body` (streams are not
 * consumed here, so downstream handlers still read them). Inserted `x-amzn-waf-*` headers are added to `req.headers`.
 */
export function wafMiddleware(engine: WafEngine, opts: HttpWafOptions = {}) {
  return (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    const anyReq = req as IncomingMessage & { rawBody?: unknown; body?: unknown };
    const raw = anyReq.rawBody ?? anyReq.body;
    const body = Buffer.isBuffer(raw) ? raw : typeof raw === 'string' ? Buffer.from(raw) : undefined;
    const d = evaluateSafely(engine, () => fromIncoming(req, opts, body), opts);
    if (d === 'error') {
      if (opts.failOpen) next();
      else {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('WAF evaluation failed\n');
      }
      return;
    }
    if (d.response && d.action !== 'ALLOW') {
      sendDecision(res, d);
      return;
    }
    for (const [n, v] of d.requestHeadersInserted) req.headers[n.toLowerCase()] = v;
    next();
  };
}

/** Read at most `max` bytes of a request body, keeping the whole body for forwarding up to `keep` bytes. */
function readBody(req: IncomingMessage, keep: number): Promise<{ body: Buffer; length: number; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      length += c.length;
      if (length > keep) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), length, tooLarge }));
    req.on('error', reject);
  });
}

export interface ProxyOptions extends HttpWafOptions {
  upstream: string;
  port: number;
  host?: string;
  /** Largest body buffered for forwarding (bigger requests get 413). Default 10 MB. */
  maxBody?: number;
}

/** A reverse proxy that evaluates every request with the ACL, then forwards allowed ones to `upstream`. */
export function startWafProxy(engine: WafEngine, opts: ProxyOptions): Promise<{ server: Server; port: number }> {
  const up = new URL(opts.upstream);
  const send = up.protocol === 'https:' ? httpsRequest : httpRequest;
  const maxBody = opts.maxBody ?? 10 * 1024 * 1024;
  const server = createServer(async (req, res) => {
    let body: { body: Buffer; length: number; tooLarge: boolean };
    try {
      body = await readBody(req, maxBody);
    } catch {
      res.destroy();
      return;
    }
    if (body.tooLarge) {
      res.writeHead(413, { 'content-type': 'text/plain' });
      res.end('request body too large for the WAF proxy\n');
      return;
    }
    const inspect = body.body.subarray(0, engine.acl.bodyLimit);
    const d = evaluateSafely(engine, () => fromIncoming(req, opts, inspect, body.length), opts);
    if (d === 'error' && !opts.failOpen) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('WAF evaluation failed\n');
      return;
    }
    if (d !== 'error' && d.response && d.action !== 'ALLOW') {
      sendDecision(res, d);
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = v;
    headers.host = up.host;
    if (d !== 'error') for (const [n, v] of d.requestHeadersInserted) headers[n.toLowerCase()] = v;
    const prior = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = `${prior ? `${prior}, ` : ''}${req.socket.remoteAddress ?? ''}`;
    const out = send(
      {
        protocol: up.protocol,
        hostname: up.hostname,
        port: up.port,
        method: req.method,
        path: `${up.pathname.replace(/\/$/, '')}${req.url}`,
        headers,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream unavailable\n');
    });
    out.end(body.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}

/** The parts of Fastify's request/reply this plugin uses (Fastify itself is not a dependency of Vigil). */
interface FastifyLikeRequest {
  raw: IncomingMessage;
  body?: unknown;
  rawBody?: unknown;
}
interface FastifyLikeReply {
  code(status: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(payload?: unknown): unknown;
}
interface FastifyLike {
  addHook(
    name: 'onRequest' | 'preHandler',
    hook: (req: FastifyLikeRequest, reply: FastifyLikeReply, done: (err?: Error) => void) => void,
  ): unknown;
}

/**
 * Fastify plugin: `fastify.register(wafFastify(engine, opts))`. Evaluates in `onRequest` (headers, URI, query) or,
 * with `inspectBody`, in `preHandler` after Fastify parsed the body — inspecting `request.rawBody` (e.g. from
 * fastify-raw-body) or a string/Buffer body. Blocked requests get the WAF's response; evaluation failures follow
 * `failOpen` (default closed: 503). Inserted `x-amzn-waf-*` headers go into `request.raw.headers`.
 */
export function wafFastify(engine: WafEngine, opts: HttpWafOptions & { inspectBody?: boolean } = {}) {
  const plugin = (fastify: FastifyLike, _o: unknown, done: () => void) => {
    fastify.addHook(opts.inspectBody ? 'preHandler' : 'onRequest', (req, reply, next) => {
      const raw = req.rawBody ?? (opts.inspectBody ? req.body : undefined);
      const body = Buffer.isBuffer(raw) ? raw : typeof raw === 'string' ? Buffer.from(raw) : undefined;
      const d = evaluateSafely(engine, () => fromIncoming(req.raw, opts, body), opts);
      if (d === 'error') {
        if (opts.failOpen) next();
        else reply.code(503).header('content-type', 'text/plain').send('WAF evaluation failed\n');
        return;
      }
      if (d.response && d.action !== 'ALLOW') {
        const r = d.response;
        reply.code(r.status);
        for (const [n, v] of r.headers) reply.header(n, v);
        if (r.contentType) reply.header('content-type', r.contentType);
        else if (!r.body) reply.header('content-type', 'text/plain');
        reply.send(r.body ?? (d.action === 'BLOCK' ? 'Forbidden\n' : ''));
        return;
      }
      for (const [n, v] of d.requestHeadersInserted) req.raw.headers[n.toLowerCase()] = v;
      next();
    });
    done();
  };
  // Fastify's plugin encapsulation: hooks must apply to the parent scope (what fastify-plugin's skip-override does).
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
