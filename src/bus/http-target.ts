import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpParameters, TargetSpec } from './registry.js';
import type { InvokeContext, InvokeResult, TargetInvoker } from './targets.js';

/**
 * HTTP targets with EventBridge API-destination semantics: fixed headers, connection auth (Basic, API key, OAuth
 * client credentials with token refresh on 401/407), extra header/query parameters, a 5 s timeout, retries only
 * on 429 and 5xx honouring Retry-After (a negative value stops retrying), and a per-destination rate limit
 * (excess calls wait).
 */

export interface ConnectionAuth {
  AuthorizationType: 'BASIC' | 'API_KEY' | 'OAUTH_CLIENT_CREDENTIALS';
  AuthParameters: {
    BasicAuthParameters?: { Username: string; Password: string };
    ApiKeyAuthParameters?: { ApiKeyName: string; ApiKeyValue: string };
    OAuthParameters?: {
      AuthorizationEndpoint: string;
      HttpMethod?: 'GET' | 'POST' | 'PUT';
      ClientParameters: { ClientID: string; ClientSecret: string };
      OAuthHttpParameters?: {
        HeaderParameters?: { Key: string; Value: string }[];
        QueryStringParameters?: { Key: string; Value: string }[];
        BodyParameters?: { Key: string; Value: string }[];
      };
    };
    InvocationHttpParameters?: {
      HeaderParameters?: { Key: string; Value: string }[];
      QueryStringParameters?: { Key: string; Value: string }[];
      BodyParameters?: { Key: string; Value: string }[];
    };
  };
}

export interface HttpTargetOptions {
  method?: string;
  connection?: ConnectionAuth;
  httpParameters?: HttpParameters;
  /** InvocationRateLimitPerSecond (default 300). */
  ratePerSecond?: number;
  timeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const FIXED_HEADERS: Record<string, string> = {
  'User-Agent': 'Amazon/EventBridge/ApiDestinations',
  'Content-Type': 'application/json; charset=utf-8',
  Range: 'bytes=0-1048575',
  'Accept-Encoding': 'gzip,deflate',
  Connection: 'close',
};

/** The parts of an HTTP response the target needs (the body is discarded, as EventBridge does). */
interface HttpAnswer {
  status: number;
  header(name: string): string | null;
  json(): Promise<unknown>;
}

/** One HTTP request with exact headers (node:http, so Connection and Accept-Encoding stay as set). */
function send(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const headers = { ...init.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) };
    const req = fn(u, { method: init.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        // Keep at most 1 MiB (the Range EventBridge asks for).
        if (size < 1_048_576) chunks.push(d);
        size += d.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          header: (name) => {
            const v = res.headers[name.toLowerCase()];
            return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
          },
          json: async () => JSON.parse(text),
        });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => {
      const e = new Error(`no response within ${timeoutMs} ms`);
      e.name = 'TimeoutError';
      req.destroy(e);
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}

/** Retry-After in ms: seconds or an HTTP date; negative = stop; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^-?[0-9]+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : date - now;
}

/** Fill `*` placeholders of an API destination URL with PathParameterValues, in order. */
export function fillPath(url: string, values: readonly string[] | undefined): string {
  if (!values || values.length === 0) return url;
  let i = 0;
  return url.replace(/\*/g, (star) => (i < values.length ? encodeURIComponent(values[i++]) : star));
}

/** A token bucket: `rate` calls per second, waiting when empty. */
class RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.tokens = rate;
    this.last = now();
  }

  async take(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) / 1000) * this.rate);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }
}

export class HttpTarget implements TargetInvoker {
  private readonly now: () => number;
  private readonly limiter: RateLimiter;
  private token: { value: string; expiresAt: number } | undefined;

  constructor(
    readonly url: string,
    readonly options: HttpTargetOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    this.limiter = new RateLimiter(options.ratePerSecond ?? 300, this.now, sleep);
  }

  private async call(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string },
  ): Promise<HttpAnswer | InvokeResult> {
    const timeoutMs = this.options.timeoutMs ?? 5000;
    try {
      return await send(url, init, timeoutMs);
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError') {
        return { ok: false, retriable: true, code: 'TIMEOUT', message: `${url}: no response within ${timeoutMs} ms` };
      }
      return { ok: false, retriable: true, code: 'HTTP_CONNECTION_ERROR', message: `${url}: ${e.message}` };
    }
  }

  private async oauthToken(force: boolean): Promise<string | InvokeResult> {
    const oauth = this.options.connection?.AuthParameters.OAuthParameters;
    if (!oauth) return { ok: false, retriable: false, code: 'NO_PERMISSIONS', message: 'OAuth parameters missing' };
    if (!force && this.token && this.token.expiresAt > this.now()) return this.token.value;
    const method = oauth.HttpMethod ?? 'POST';
    const params = new URLSearchParams({ grant_type: 'client_credentials' });
    for (const p of oauth.OAuthHttpParameters?.BodyParameters ?? []) params.set(p.Key, p.Value);
    const url = new URL(oauth.AuthorizationEndpoint);
    for (const p of oauth.OAuthHttpParameters?.QueryStringParameters ?? []) url.searchParams.set(p.Key, p.Value);
    const headers: Record<string, string> = {
      Authorization: `Basic ${Buffer.from(`${oauth.ClientParameters.ClientID}:${oauth.ClientParameters.ClientSecret}`).toString('base64')}`,
    };
    for (const p of oauth.OAuthHttpParameters?.HeaderParameters ?? []) headers[p.Key] = p.Value;
    let init: { method: string; headers: Record<string, string>; body?: string } = { method, headers };
    if (method === 'GET') for (const [k, v] of params) url.searchParams.set(k, v);
    else {
      init = {
        method,
        body: params.toString(),
        headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      };
    }
    const res = await this.call(url.toString(), init);
    if (!isAnswer(res)) return res;
    if (res.status < 200 || res.status >= 300) {
      return {
        ok: false,
        retriable: res.status === 429 || res.status >= 500,
        code: 'NO_PERMISSIONS',
        message: `OAuth token endpoint answered HTTP ${res.status}`,
      };
    }
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!body.access_token) {
      return {
        ok: false,
        retriable: false,
        code: 'NO_PERMISSIONS',
        message: 'OAuth token endpoint returned no access_token',
      };
    }
    const ttl = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 3_600_000;
    this.token = { value: body.access_token, expiresAt: this.now() + Math.max(0, ttl - 30_000) };
    return body.access_token;
  }

  private async request(body: string, forceToken: boolean): Promise<HttpAnswer | InvokeResult> {
    const headers: Record<string, string> = { ...FIXED_HEADERS };
    const url = new URL(fillPath(this.url, this.options.httpParameters?.PathParameterValues));
    for (const [k, v] of Object.entries(this.options.httpParameters?.QueryStringParameters ?? {}))
      url.searchParams.set(k, v);
    for (const [k, v] of Object.entries(this.options.httpParameters?.HeaderParameters ?? {})) headers[k] = v;
    const auth = this.options.connection;
    if (auth) {
      const inv = auth.AuthParameters.InvocationHttpParameters;
      for (const p of inv?.HeaderParameters ?? []) headers[p.Key] = p.Value;
      for (const p of inv?.QueryStringParameters ?? []) url.searchParams.set(p.Key, p.Value);
      if (auth.AuthorizationType === 'BASIC' && auth.AuthParameters.BasicAuthParameters) {
        const b = auth.AuthParameters.BasicAuthParameters;
        headers.Authorization = `Basic ${Buffer.from(`${b.Username}:${b.Password}`).toString('base64')}`;
      } else if (auth.AuthorizationType === 'API_KEY' && auth.AuthParameters.ApiKeyAuthParameters) {
        const k = auth.AuthParameters.ApiKeyAuthParameters;
        headers[k.ApiKeyName] = k.ApiKeyValue;
      } else if (auth.AuthorizationType === 'OAUTH_CLIENT_CREDENTIALS') {
        const token = await this.oauthToken(forceToken);
        if (typeof token !== 'string') return token;
        headers.Authorization = `Bearer ${token}`;
      }
    }
    const method = (this.options.method ?? 'POST').toUpperCase();
    if (method === 'CONNECT' || method === 'TRACE') {
      return { ok: false, retriable: false, code: 'SDK_CLIENT_ERROR', message: `HTTP method ${method} is not allowed` };
    }
    await this.limiter.take();
    return this.call(url.toString(), { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body }) });
  }

  async invoke(body: string, _ctx?: InvokeContext): Promise<InvokeResult> {
    let res = await this.request(body, false);
    if (
      isAnswer(res) &&
      (res.status === 401 || res.status === 407) &&
      this.options.connection?.AuthorizationType === 'OAUTH_CLIENT_CREDENTIALS'
    ) {
      res = await this.request(body, true);
    }
    if (!isAnswer(res)) return res;
    if (res.status >= 200 && res.status < 300) return { ok: true };
    const retriable = res.status === 429 || res.status >= 500;
    const result: InvokeResult = {
      ok: false,
      retriable,
      code:
        res.status === 429
          ? 'THROTTLING'
          : res.status === 404
            ? 'NO_RESOURCE'
            : res.status === 401 || res.status === 403
              ? 'NO_PERMISSIONS'
              : 'HTTP_ERROR',
      message: `${this.url}: HTTP ${res.status}`,
    };
    if (retriable) {
      const after = parseRetryAfter(res.header('retry-after'), this.now());
      if (after !== undefined && after < 0) return { ...result, stopRetrying: true };
      if (after !== undefined) return { ...result, retryAfterMs: after };
    }
    return result;
  }
}

function isAnswer(x: HttpAnswer | InvokeResult): x is HttpAnswer {
  return 'status' in x;
}

/** A short Block Kit message for a Slack incoming webhook. */
export function slackMessage(body: string, ruleName: string): Record<string, unknown> {
  let event: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) event = parsed as Record<string, unknown>;
  } catch {
    event = undefined;
  }
  if (!event || typeof event['detail-type'] !== 'string') {
    const text = body.length > 2900 ? `${body.slice(0, 2900)}…` : body;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const detail = (event.detail ?? {}) as Record<string, unknown>;
  const title = String(detail.title ?? detail.Title ?? event['detail-type']);
  const severity = detail.severity ?? (detail.Severity as Record<string, unknown> | undefined)?.Label;
  const facts = [
    `*Source:* ${String(event.source)}`,
    `*Type:* ${String(event['detail-type'])}`,
    ...(severity !== undefined ? [`*Severity:* ${String(severity)}`] : []),
    `*Account/Region:* ${String(event.account)} / ${String(event.region)}`,
    `*Rule:* ${ruleName}`,
  ];
  const resources = Array.isArray(event.resources) ? (event.resources as unknown[]).slice(0, 5).map(String) : [];
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
    { type: 'section', fields: facts.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (resources.length > 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: resources.map((r) => `\`${r}\``).join(' ') }] });
  }
  return { text: `${title} (${String(event.source)})`, blocks };
}

/** Slack incoming webhook: the HTTP semantics above with a Block Kit body. */
export class SlackTarget implements TargetInvoker {
  private readonly http: HttpTarget;
  constructor(url: string, options: HttpTargetOptions = {}) {
    this.http = new HttpTarget(url, options);
  }
  invoke(body: string, ctx: InvokeContext): Promise<InvokeResult> {
    return this.http.invoke(JSON.stringify(slackMessage(body, ctx.ruleName)));
  }
}

/** Build the HTTP invoker of a target spec (Vigil fields: HttpMethod, Connection, InvocationRateLimitPerSecond). */
export function httpTargetFor(spec: TargetSpec, url: string, base: HttpTargetOptions = {}): HttpTarget {
  return new HttpTarget(url, {
    ...base,
    ...(typeof spec.HttpMethod === 'string' ? { method: spec.HttpMethod } : {}),
    ...(spec.Connection ? { connection: spec.Connection as ConnectionAuth } : {}),
    ...(spec.HttpParameters ? { httpParameters: spec.HttpParameters } : {}),
    ...(typeof spec.InvocationRateLimitPerSecond === 'number'
      ? { ratePerSecond: spec.InvocationRateLimitPerSecond }
      : {}),
  });
}
