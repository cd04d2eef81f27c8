/**
 * Layer-7 DDoS from ALB and CloudFront access logs (netfw.md §11.2): per-client request floods (WAF-style rate
 * windows) and CloudFront cache busting (misses with ever-new query strings on one path).
 */
import { splitHostPort } from '../../core/ip.js';
import type { LogRecord, RecordOrigin } from '../../ingest/types.js';
import { remoteIpDetails } from '../finding.js';
import { registerReviver } from '../keyed.js';
import type { Detector } from '../types.js';
import { str } from './util.js';
import { addOrigin, sample, Win, windowAt } from './window.js';

const FLOOD_MITRE = {
  tactic: 'Impact',
  technique: 'T1499.002',
  name: 'Endpoint Denial of Service: Service Exhaustion Flood',
};

interface HttpView {
  ip: string;
  target: string;
  path: string;
  query: string;
  ua: string;
  status: number | undefined;
}

/** `GET https://host:443/path?q HTTP/1.1` → path and query. */
function splitRequest(req: string): { path: string; query: string } {
  const sp1 = req.indexOf(' ');
  const sp2 = req.lastIndexOf(' ');
  let url = sp1 >= 0 && sp2 > sp1 ? req.slice(sp1 + 1, sp2) : req;
  const scheme = url.indexOf('://');
  if (scheme >= 0) {
    const slash = url.indexOf('/', scheme + 3);
    url = slash >= 0 ? url.slice(slash) : '/';
  }
  const q = url.indexOf('?');
  return q >= 0 ? { path: url.slice(0, q), query: url.slice(q + 1) } : { path: url, query: '' };
}

let memoRecord: LogRecord | undefined;
let memoView: HttpView | undefined;

/** The HTTP view of an ALB / CloudFront record (memoised: both detectors read the record being processed). */
export function httpView(r: LogRecord): HttpView | undefined {
  if (memoRecord !== r) {
    memoView = buildView(r);
    memoRecord = r;
  }
  return memoView;
}

function buildView(r: LogRecord): HttpView | undefined {
  const f = r.fields;
  if (r.type === 'alb') {
    const ip = r.sourceIp ?? (typeof f['client:port'] === 'string' ? splitHostPort(f['client:port']).host : undefined);
    if (!ip) return undefined;
    const { path, query } = splitRequest(str(f.request) ?? '');
    return {
      ip,
      target: str(f.elb) ?? 'alb',
      path,
      query,
      ua: str(f.user_agent) ?? '',
      status: f.elb_status_code as number | undefined,
    };
  }
  const ip = r.sourceIp ?? str(f['c-ip']);
  if (!ip) return undefined;
  return {
    ip,
    target: str(f['x-host-header']) ?? str(f['cs(Host)']) ?? 'cloudfront',
    path: str(f['cs-uri-stem']) ?? '/',
    query: str(f['cs-uri-query']) ?? '',
    ua: str(f['cs(User-Agent)']) ?? '',
    status: f['sc-status'] as number | undefined,
  };
}

function lbResource(r: LogRecord, target: string): Record<string, unknown> {
  return r.type === 'alb'
    ? { resourceType: 'LoadBalancer', loadBalancerDetails: { name: target } }
    : { resourceType: 'CloudFrontDistribution', cloudFrontDetails: { domainName: target } };
}

/**
 * One client's requests to one target in the current window. Most clients send a few requests: the first path and
 * origin are plain fields, the path set and origin list are allocated from the second request on.
 */
class RequestWin {
  start: number;
  last: number;
  n = 0;
  /** 5xx answers. */
  errors = 0;
  fired = 0;
  path0 = '';
  paths: Set<string> | undefined;
  o0: RecordOrigin | undefined;
  o: RecordOrigin[] | undefined;

  constructor(t: number) {
    this.start = t;
    this.last = t;
  }

  reset(t: number): void {
    this.start = t;
    this.last = t;
    this.n = this.errors = this.fired = 0;
    this.path0 = '';
    this.paths = undefined;
    this.o0 = undefined;
    this.o = undefined;
  }

  add(path: string, origin: RecordOrigin): void {
    if (this.n === 0) {
      this.path0 = path;
      this.o0 = origin;
    } else {
      if (path !== this.path0 && (this.paths === undefined || this.paths.size < 50)) {
        this.paths ??= new Set([this.path0]);
        this.paths.add(path);
      }
      if (this.o === undefined) this.o = [];
      if (this.o.length < 19) this.o.push(origin);
    }
    this.n++;
  }

  samplePaths(max: number): string[] {
    return this.paths ? (sample(this.paths, max) as string[]) : [this.path0];
  }

  origins(): RecordOrigin[] {
    return this.o0 === undefined ? [] : [this.o0, ...(this.o ?? [])];
  }

  toJSON(): Record<string, unknown> {
    return { $kind: 'reqwin', ...(this as unknown as Record<string, unknown>) };
  }
}
registerReviver('reqwin', (v) => {
  const { $kind: _k, ...rest } = v;
  return Object.assign(new RequestWin(v.start as number), rest);
});
const newRequestWin = (t: number) => new RequestWin(t);

/** Windows persisted before RequestWin existed were generic `Win`s: same counts, paths in `d`, origins in `o`. */
function upgradeRequestWin(v: unknown): RequestWin | undefined {
  if (v instanceof RequestWin) return v;
  if (!(v instanceof Win)) return undefined;
  const w = new RequestWin(v.start);
  const old = v.toJSON() as { n: number; packets: number; fired: number; d?: Set<string>; o?: RecordOrigin[] };
  const paths = [...(old.d ?? [])];
  const origins = old.o ?? [];
  w.n = old.n;
  w.errors = old.packets;
  w.fired = old.fired;
  w.path0 = paths[0] ?? '';
  if (paths.length > 1) w.paths = new Set(paths);
  w.o0 = origins[0];
  if (origins.length > 1) w.o = origins.slice(1, 20);
  return w;
}

export const httpRequestFlood: Detector = {
  meta: {
    id: 'http-request-flood',
    title: 'HTTP request flood from one client (ALB, CloudFront)',
    dataSources: ['alb', 'cloudfront'],
    kind: 'windowed',
    trigger:
      'One client address sends at least maxRequests requests to one load balancer or distribution within windowSeconds (as a WAF rate-based rule).',
    params: {
      windowSeconds: { default: 300, description: 'rate window (WAF uses 60, 120, 300 or 600 s)' },
      maxRequests: { default: 2000, description: 'requests per client per window' },
    },
    findings: [
      { type: 'DDoS:ELB/REQUEST_FLOOD', severity: 8, mitre: FLOOD_MITRE, trigger: 'ALB access logs' },
      { type: 'DDoS:CloudFront/REQUEST_FLOOD', severity: 8, mitre: FLOOD_MITRE, trigger: 'CloudFront standard logs' },
    ],
  },
  create(ctx) {
    const state = ctx.windows.create<RequestWin>('requests');
    state.setUpgrade(upgradeRequestWin);
    const windowMs = (ctx.params.windowSeconds as number) * 1000;
    const max = ctx.params.maxRequests as number;
    return {
      onRecord(r) {
        if (Number.isNaN(r.time)) return;
        const h = httpView(r);
        if (!h) return;
        const key = `${r.type}|${h.target}|${h.ip}`;
        const t = r.time;
        const w = state.upsert(key, t, newRequestWin);
        if (t - w.start >= windowMs) w.reset(t);
        else if (t < w.start) w.start = t; // out-of-order record inside the window
        if (t > w.last) w.last = t;
        w.add(h.path, r.origin);
        if (h.status !== undefined && h.status >= 500) w.errors++;
        if (w.fired === 0 && w.n >= max) {
          w.fired = 1;
          const type = r.type === 'alb' ? 'DDoS:ELB/REQUEST_FLOOD' : 'DDoS:CloudFront/REQUEST_FLOOD';
          ctx.emit({
            type,
            severity: 8,
            key,
            time: w.start,
            lastTime: w.last,
            title: `HTTP request flood from ${h.ip} against ${h.target}`,
            description: `${h.ip} sent ${w.n} requests to ${h.target} within ${ctx.params.windowSeconds} s.`,
            resource: lbResource(r, h.target),
            action: {
              actionType: 'NETWORK_CONNECTION',
              networkConnectionAction: {
                connectionDirection: 'INBOUND',
                protocol: 'TCP',
                blocked: false,
                remoteIpDetails: remoteIpDetails(h.ip, ctx.geo),
              },
            },
            resourceRole: 'TARGET',
            reason: `${w.n} requests ≥ maxRequests ${max} within ${ctx.params.windowSeconds} s from one client`,
            evidence: {
              client: h.ip,
              target: h.target,
              requests: w.n,
              serverErrors: w.errors,
              paths: w.samplePaths(10),
              userAgent: h.ua,
            },
            thresholds: { maxRequests: max, windowSeconds: ctx.params.windowSeconds! },
            additionalInfo: { vectorType: 'REQUEST_FLOOD' },
            origins: w.origins(),
          });
        }
      },
    };
  },
};

export const cacheBusting: Detector = {
  meta: {
    id: 'cloudfront-cache-busting',
    title: 'CloudFront cache busting',
    dataSources: ['cloudfront'],
    kind: 'windowed',
    trigger:
      'On one distribution and path within windowMinutes: at least minMisses cache misses (x-edge-result-type Miss) whose cs-uri-query values are at least distinctQueryRatio distinct — random query strings defeating the cache.',
    params: {
      windowMinutes: { default: 5, description: 'event-time window' },
      minMisses: { default: 300, description: 'misses on one path within the window' },
      distinctQueryRatio: { default: 0.9, description: 'distinct query strings ÷ misses' },
    },
    findings: [{ type: 'DDoS:CloudFront/REQUEST_FLOOD.CacheBusting', severity: 8, mitre: FLOOD_MITRE }],
  },
  create(ctx) {
    const state = ctx.windows.create<Win>('misses');
    const windowMs = (ctx.params.windowMinutes as number) * 60_000;
    const min = ctx.params.minMisses as number;
    const ratio = ctx.params.distinctQueryRatio as number;
    return {
      onRecord(r) {
        if (Number.isNaN(r.time) || r.fields['x-edge-result-type'] !== 'Miss') return;
        const h = httpView(r);
        if (!h || h.query === '') return;
        const key = `${h.target}|${h.path}`;
        const w = windowAt(state, key, r.time, windowMs);
        w.n++;
        w.distinct.add(h.query);
        w.extra.add(h.ip);
        addOrigin(w, r.origin);
        if (w.fired === 0 && w.n >= min && w.distinct.size / w.n >= ratio) {
          w.fired = 1;
          ctx.emit({
            type: 'DDoS:CloudFront/REQUEST_FLOOD.CacheBusting',
            severity: 8,
            key,
            time: w.start,
            lastTime: w.last,
            title: `Cache busting on ${h.target}${h.path}`,
            description: `${w.n} cache misses on ${h.path} with ${w.distinct.size} distinct query strings from ${w.extra.size} clients within ${ctx.params.windowMinutes} minutes.`,
            resource: lbResource(r, h.target),
            action: {
              actionType: 'NETWORK_CONNECTION',
              networkConnectionAction: {
                connectionDirection: 'INBOUND',
                protocol: 'TCP',
                blocked: false,
                remoteIpDetails: remoteIpDetails(h.ip, ctx.geo),
              },
            },
            resourceRole: 'TARGET',
            reason: `${w.n} misses ≥ ${min} and ${w.distinct.size}/${w.n} distinct queries ≥ ${ratio}`,
            evidence: {
              path: h.path,
              misses: w.n,
              distinctQueries: w.distinct.size,
              clients: w.extra.size,
              sampleQueries: sample(w.distinct, 5),
            },
            thresholds: { minMisses: min, distinctQueryRatio: ratio, windowMinutes: ctx.params.windowMinutes! },
            additionalInfo: { vectorType: 'REQUEST_FLOOD' },
            origins: [...w.origins],
          });
        }
      },
    };
  },
};
