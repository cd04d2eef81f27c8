import { BASE_TIME, END_TIME, MINUTE, SECOND } from './clock.js';
import type { Rng } from './prng.js';
import { rngFor } from './prng.js';
import { SCENARIO_IDS, TIMES } from './scenarios.js';
import {
  ALB,
  ALB_NODES,
  ATTACKERS,
  BOTS,
  BROWSERS,
  CLIENT_RANGES,
  type Client,
  type Eni,
  type Host,
  IPV6_CLIENTS,
  MONITOR_IPS,
  MONITOR_UA,
  PARTNER_IPS,
  SQLMAP_UA,
} from './world.js';

/**
 * The shop's HTTP traffic as one model, rendered by several logs: ALB access and connection logs, the WAF log of
 * the regional web ACL and the client ↔ load balancer records of the VPC flow log. Times are epoch microseconds.
 */

export interface TlsInfo {
  protocol: 'TLSv1.2' | 'TLSv1.3';
  cipher: string;
  /** TLS handshake latency in seconds. */
  handshake: number;
  ja3: string;
  ja4: string;
}

export interface ClientCert {
  subject: string;
  validity: string;
  serial: string;
  status: string;
}

export interface Connection {
  client: Client;
  clientPort: number;
  node: Eni;
  listenerPort: 80 | 443 | 8443;
  startUs: number;
  endUs: number;
  tls?: TlsInfo;
  cert?: ClientCert;
  connTraceId: string;
  requests: HttpRequest[];
  scenarios?: string[];
}

export interface WafMatch {
  /** Rule group (managed) that terminated the request. */
  group: string;
  ruleId: string;
  label: string;
  location: string;
  matchedData: string[];
}

export interface HttpRequest {
  conn: Connection;
  /** request_creation_time. */
  createdUs: number;
  /** Response generated (the ALB `time` field). */
  doneUs: number;
  type: 'http' | 'https' | 'h2' | 'wss';
  method: string;
  host: string;
  path: string;
  /** Raw (URL-encoded) query string without `?`, or '' for none. */
  query: string;
  httpVersion: 'HTTP/1.1' | 'HTTP/2.0';
  userAgent: string;
  referer?: string;
  status: number;
  target?: Host;
  targetStatus?: number;
  requestTime: number;
  targetTime: number;
  responseTime: number;
  received: number;
  sent: number;
  /** X-Amzn-Trace-Id root: `1-<8 hex seconds>-<24 hex>` (also WAF's requestId for ALB). */
  traceId: string;
  rulePriority: string;
  actions: string;
  redirectUrl?: string;
  blockedBy?: WafMatch;
  /** Counted (not blocking) managed rules that matched, e.g. sqlmap's user agent. */
  counted?: WafMatch[];
  scenarios?: string[];
}

const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const TLS12_CIPHERS = ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384'];

/** A stable JA3/JA4 pair per user agent (same client software → same TLS fingerprint). */
function fingerprints(ua: string, v13: boolean): { ja3: string; ja4: string } {
  const r = rngFor(`fingerprint:${ua}:${v13}`);
  return { ja3: r.hex(32), ja4: `t${v13 ? 13 : 12}d${r.int(10, 19)}${r.int(10, 19)}h2_${r.hex(12)}_${r.hex(12)}` };
}

function tls(r: Rng, ua: string, modern = 0.85): TlsInfo {
  const v13 = r.chance(modern);
  return {
    protocol: v13 ? 'TLSv1.3' : 'TLSv1.2',
    cipher: v13
      ? r.weighted([
          [TLS13_CIPHERS[0], 8],
          [TLS13_CIPHERS[1], 2],
          [TLS13_CIPHERS[2], 1],
        ])
      : r.pick(TLS12_CIPHERS),
    handshake: 0.002 + r.exp(0.006),
    ...fingerprints(ua, v13),
  };
}

/** Deterministic benign client pool. */
export function clientPool(r: Rng, n: number): Client[] {
  const seen = new Set<string>();
  const out: Client[] = [];
  while (out.length < n) {
    const range = r.weighted(CLIENT_RANGES.map((c) => [c, c.to - c.from + 1] as const));
    const ip = `${range.prefix}${r.int(range.from, range.to)}`;
    if (
      seen.has(ip) ||
      (MONITOR_IPS as readonly string[]).includes(ip) ||
      (PARTNER_IPS as readonly string[]).includes(ip)
    )
      continue;
    seen.add(ip);
    out.push({ ip, country: range.country, asn: range.asn });
  }
  return out;
}

export function traceId(r: Rng, us: number): string {
  return `1-${Math.floor(us / 1e6).toString(16)}-${r.hex(24)}`;
}

export function ephemeralPort(r: Rng): number {
  return r.chance(0.6) ? r.int(32768, 60999) : r.int(49152, 65535);
}

interface PageSpec {
  method: string;
  path: string;
  query?: string;
  status: number;
  sent: [number, number];
  received?: [number, number];
  /** Mean target processing time in seconds. */
  think: number;
}

const PRODUCTS = [
  'trail-runner-gtx',
  'merino-crew-sock',
  'packable-rain-shell',
  'insulated-bottle-750',
  'day-pack-22l',
];
const CATEGORIES = ['footwear', 'outerwear', 'accessories', 'bags'];
const SEARCHES = ['rain+jacket', 'trail+shoes', 'wool+socks', 'water+bottle', 'backpack'];

function browsePage(r: Rng): PageSpec {
  return r.weighted<PageSpec>([
    [{ method: 'GET', path: '/', status: 200, sent: [14000, 16000], think: 0.02 }, 6],
    [{ method: 'GET', path: `/products/${r.pick(PRODUCTS)}`, status: 200, sent: [9000, 22000], think: 0.03 }, 8],
    [
      {
        method: 'GET',
        path: '/api/products',
        query: `category=${r.pick(CATEGORIES)}&page=${r.int(1, 4)}`,
        status: 200,
        sent: [3000, 9000],
        think: 0.04,
      },
      10,
    ],
    [{ method: 'GET', path: `/api/products/${r.int(1001, 1480)}`, status: 200, sent: [1200, 2600], think: 0.02 }, 10],
    [
      {
        method: 'GET',
        path: '/api/search',
        query: `q=${r.pick(SEARCHES)}`,
        status: 200,
        sent: [2000, 7000],
        think: 0.06,
      },
      5,
    ],
    [{ method: 'GET', path: '/api/cart', status: 200, sent: [400, 1400], think: 0.01 }, 6],
    [{ method: 'POST', path: '/api/cart/items', status: 201, sent: [500, 900], received: [900, 1300], think: 0.03 }, 4],
    [{ method: 'POST', path: '/api/auth/login', status: r.chance(0.15) ? 401 : 200, sent: [300, 800], think: 0.12 }, 2],
    [{ method: 'GET', path: '/api/account/orders', status: 200, sent: [900, 4000], think: 0.05 }, 2],
    [{ method: 'POST', path: '/api/checkout', status: 201, sent: [700, 1200], received: [1500, 2500], think: 0.35 }, 1],
    [{ method: 'GET', path: `/api/products/${r.int(1481, 1600)}`, status: 404, sent: [200, 260], think: 0.01 }, 1],
  ]);
}

interface Builder {
  r: Rng;
  conns: Connection[];
}

function openConn(
  b: Builder,
  client: Client,
  startUs: number,
  port: 80 | 443 | 8443,
  ua: string,
  scenarios?: string[],
): Connection {
  const { r } = b;
  const c: Connection = {
    client,
    clientPort: ephemeralPort(r),
    node: r.pick(ALB_NODES),
    listenerPort: port,
    // Connection times are microsecond-precise in ALB logs; callers pass whole milliseconds.
    startUs: startUs + r.int(0, 999),
    endUs: startUs,
    tls: port === 80 ? undefined : tls(r, ua, port === 8443 ? 0 : 0.85),
    connTraceId: `TID_${r.hex(32)}`,
    requests: [],
    scenarios,
  };
  c.endUs = c.startUs;
  b.conns.push(c);
  return c;
}

function addRequest(
  b: Builder,
  c: Connection,
  atUs: number,
  spec: PageSpec,
  ua: string,
  extra: Partial<HttpRequest> = {},
) {
  const { r } = b;
  const port = c.listenerPort;
  const h2 = port === 443 && !ua.startsWith('sqlmap') && !ua.includes('UptimeRobot') && r.chance(0.7);
  const host = port === 8443 ? ALB.partnerHost : ALB.host;
  const target = r.pick(ALB.targets);
  const reqT = 0.001 + Math.round(r.next() * 2) / 1000;
  const tgtT = Math.round((0.002 + r.exp(spec.think)) * 1000) / 1000;
  const respT = 0;
  const req: HttpRequest = {
    conn: c,
    createdUs: atUs,
    doneUs: atUs + Math.round((reqT + tgtT + respT) * 1e6) + r.int(0, 999),
    type: port === 80 ? 'http' : h2 ? 'h2' : 'https',
    method: spec.method,
    host,
    path: spec.path,
    query: spec.query ?? '',
    httpVersion: h2 ? 'HTTP/2.0' : 'HTTP/1.1',
    userAgent: ua,
    status: spec.status,
    target,
    targetStatus: spec.status,
    requestTime: reqT,
    targetTime: tgtT,
    responseTime: respT,
    received: r.int(...(spec.received ?? [280, 720])),
    sent: r.int(...spec.sent),
    traceId: traceId(r, atUs),
    rulePriority: port === 8443 ? '10' : spec.path.startsWith('/api/') ? '1' : '0',
    actions: 'waf,forward',
    ...extra,
  };
  // Rare backend failures: the target resets the connection (502, no target status) or times out (504).
  if (req.target && !extra.status && r.chance(0.004)) {
    req.status = r.chance(0.5) ? 502 : 504;
    req.targetStatus = undefined;
    req.targetTime = -1;
    req.responseTime = -1;
    req.sent = r.int(150, 300);
  }
  c.requests.push(req);
  c.endUs = Math.max(c.endUs, req.doneUs);
  return req;
}

function browserSession(b: Builder, client: Client, startUs: number) {
  const { r } = b;
  const ua = r.weighted([
    ...BROWSERS.map((u, i) => [u, i < 2 ? 5 : 2] as const),
    ...BOTS.map((u) => [u, 0.6] as const),
  ]);
  // Some visitors type the bare name: the port-80 listener redirects them.
  if (r.chance(0.08)) {
    const c80 = openConn(b, client, startUs, 80, ua);
    addRequest(b, c80, startUs, { method: 'GET', path: '/', status: 301, sent: [180, 190], think: 0 }, ua, {
      target: undefined,
      targetStatus: undefined,
      targetTime: -1,
      responseTime: -1,
      rulePriority: '0',
      actions: 'waf,redirect',
      redirectUrl: `https://${ALB.host}:443/`,
    });
    startUs = c80.endUs + r.int(20_000, 90_000);
  }
  const c = openConn(b, client, startUs + r.int(1000, 5000), 443, ua);
  let t = c.startUs + Math.round((c.tls?.handshake ?? 0) * 1e6);
  const n = r.int(2, 10);
  for (let i = 0; i < n && t < END_TIME * 1000; i++) {
    const req = addRequest(b, c, t, browsePage(r), ua, i > 0 ? { referer: `https://${ALB.host}/` } : {});
    t = req.doneUs + Math.round(r.exp(6) * 1e6);
    // Long pauses close the keep-alive connection; the next request opens a new one.
    if (t - req.doneUs > 20e6 && i + 1 < n) {
      const next = openConn(b, client, t, 443, ua);
      next.tls = c.tls;
      return browserSessionContinue(b, next, ua, n - i - 1);
    }
  }
}

function browserSessionContinue(b: Builder, c: Connection, ua: string, n: number) {
  const { r } = b;
  let t = c.startUs + Math.round((c.tls?.handshake ?? 0) * 1e6);
  for (let i = 0; i < n && t < END_TIME * 1000; i++) {
    const req = addRequest(b, c, t, browsePage(r), ua, { referer: `https://${ALB.host}/` });
    t = req.doneUs + Math.round(r.exp(4) * 1e6);
  }
}

/** Occasional WebSocket notification channel (ALB type `wss`, logged when the connection closes). */
function websocket(b: Builder, client: Client, startUs: number) {
  const { r } = b;
  const ua = r.pick(BROWSERS);
  const c = openConn(b, client, startUs, 443, ua);
  const duration = r.int(30, 240) * 1e6;
  const req = addRequest(
    b,
    c,
    startUs + 5000,
    { method: 'GET', path: '/ws/notifications', status: 101, sent: [0, 0], think: 0 },
    ua,
  );
  req.type = 'wss';
  req.httpVersion = 'HTTP/1.1';
  req.doneUs = startUs + duration;
  req.targetTime = duration / 1e6;
  req.sent = r.int(2000, 12000);
  req.received = r.int(600, 3000);
  c.endUs = req.doneUs;
}

const SQLI_PAYLOADS = [
  "1'",
  '1"',
  '1) AND 3161=3161 AND (8114=8114',
  '1 AND 3161=3161',
  "1' AND 3161=3161 AND 'oJqB'='oJqB",
  '1 ORDER BY 1-- -',
  '1 ORDER BY 10-- -',
  '1 UNION ALL SELECT NULL-- -',
  '1 UNION ALL SELECT NULL,NULL-- -',
  '1 UNION ALL SELECT NULL,NULL,NULL-- -',
  "1' UNION ALL SELECT NULL,CONCAT(0x7176786a71,0x4a6f4c,0x716b706271),NULL-- -",
  '1 AND (SELECT 2158 FROM (SELECT(SLEEP(5)))kZqv)',
  "1'; WAITFOR DELAY '0:0:5'--",
  '1 AND EXTRACTVALUE(5342,CONCAT(0x5c,0x7176786a71,(SELECT (ELT(5342=5342,1))),0x716b706271))',
  '-4523 OR 1=1#',
  "1' OR '1'='1",
  '1;SELECT PG_SLEEP(5)--',
  "1' AND (SELECT 4781 FROM(SELECT COUNT(*),CONCAT(0x7176786a71,(SELECT (ELT(4781=4781,1))),0x716b706271,FLOOR(RAND(0)*2))x FROM INFORMATION_SCHEMA.PLUGINS GROUP BY x)a)-- -",
  '1 AND 1=2 UNION SELECT table_name,NULL FROM information_schema.tables-- -',
  "1' AND SUBSTRING(@@version,1,1)='8",
];

/** Percent-encode a payload the way sqlmap sends it in a query string. */
export function encodeQueryValue(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Rough SQL token list like the one WAF logs as `matchedData` (first tokens of the payload). */
export function sqlTokens(payload: string): string[] {
  const tokens = payload.match(/[A-Za-z_@][A-Za-z0-9_@]*|\d+|'|"|[=();#,*-]+/g) ?? [];
  return tokens.slice(0, 5);
}

/** Payloads the managed SQLi rule misses (they reach the app, which answers 500/400). */
function slipsThrough(p: string): boolean {
  return p === '1"' || p === '1 ORDER BY 1-- -' || p === "1' AND SUBSTRING(@@version,1,1)='8";
}

export const SQLI_GROUP = 'AWS#AWSManagedRulesSQLiRuleSet';
export const COMMON_GROUP = 'AWS#AWSManagedRulesCommonRuleSet';

function sqlInjection(b: Builder) {
  const { r } = b;
  const client: Client = { ip: ATTACKERS.sqlInjection, country: 'NL', asn: 64511 };
  const scen = [SCENARIO_IDS.sqli];
  const end = TIMES.sqliAlb.end * 1000;
  const payloads = [...SQLI_PAYLOADS];
  let c = openConn(b, client, TIMES.sqliAlb.start * 1000, 443, SQLMAP_UA, scen);
  const badBot: WafMatch = {
    group: COMMON_GROUP,
    ruleId: 'UserAgent_BadBots_HEADER',
    label: 'awswaf:managed:aws:core-rule-set:BadBots_Header',
    location: 'HEADER',
    matchedData: [],
  };
  // Baseline requests first (sqlmap checks stability), then each payload on `id` and on `q`.
  const plan: { path: string; param: string; payload?: string }[] = [
    { path: '/api/products', param: 'id' },
    { path: '/api/products', param: 'id' },
    ...payloads.map((p) => ({ path: '/api/products', param: 'id', payload: p })),
    { path: '/api/search', param: 'q' },
    ...payloads.slice(0, 14).map((p) => ({ path: '/api/search', param: 'q', payload: p.replace(/^1/, 'shoes') })),
    ...payloads
      .slice(4, 16)
      .map((p) => ({ path: '/api/products', param: 'category', payload: p.replace(/^1/, 'bags') })),
  ];
  const step = (end - TIMES.sqliAlb.start * 1000) / plan.length;
  plan.forEach((p, i) => {
    const created = Math.round(TIMES.sqliAlb.start * 1000 + i * step + r.int(0, Math.round(step / 3)));
    if (i % 12 === 11) c = openConn(b, client, created - 3000, 443, SQLMAP_UA, scen);
    const value = p.payload ?? (p.param === 'q' ? 'shoes' : '1');
    const query = `${p.param}=${encodeQueryValue(value)}`;
    const blocked = p.payload !== undefined && !slipsThrough(p.payload);
    if (blocked) {
      addRequest(
        b,
        c,
        created,
        { method: 'GET', path: p.path, query, status: 403, sent: [180, 200], think: 0 },
        SQLMAP_UA,
        {
          target: undefined,
          targetStatus: undefined,
          targetTime: -1,
          responseTime: -1,
          rulePriority: '0',
          actions: 'waf',
          blockedBy: {
            group: SQLI_GROUP,
            ruleId: 'SQLi_QUERYARGUMENTS',
            label: 'awswaf:managed:aws:sql-database:SQLi_QueryArguments',
            location: 'ALL_QUERY_ARGS',
            matchedData: sqlTokens(p.payload!),
          },
          counted: [badBot],
          scenarios: scen,
        },
      );
    } else {
      const status = p.payload ? r.pick([500, 400]) : p.param === 'id' ? 200 : 200;
      addRequest(
        b,
        c,
        created,
        { method: 'GET', path: p.path, query, status, sent: status === 200 ? [1200, 2600] : [220, 420], think: 0.03 },
        SQLMAP_UA,
        { counted: [badBot], scenarios: scen },
      );
    }
  });
}

/** The logistics partner polls the mTLS partner API (listener 8443, verify mode). */
function partner(b: Builder) {
  const { r } = b;
  const serials = ['4F3A9C2B7D1E5A60', '4F3A9C2B7D1E5A61'];
  PARTNER_IPS.forEach((ip, k) => {
    const client: Client = { ip, country: 'SE', asn: 29518 };
    for (let t = BASE_TIME + k * 27 * SECOND + 11 * SECOND; t < END_TIME - MINUTE; t += r.int(95, 150) * SECOND) {
      const ua = 'partner-logistics-sync/4.2.1 (+https://partner-logistics.example/integrations)';
      const c = openConn(b, client, t * 1000, 8443, ua);
      c.cert = {
        subject: `CN=orders-sync-${k + 1}.partner-logistics.example,O=Partner Logistics AB,C=SE`,
        validity: 'NotBefore=2026-03-01T00:00:00Z;NotAfter=2027-03-01T23:59:59Z',
        serial: serials[k],
        status: 'Success',
      };
      let at = c.startUs + 40_000;
      const since = new Date(t - 5 * MINUTE).toISOString().slice(0, 19);
      const req = addRequest(
        b,
        c,
        at,
        {
          method: 'GET',
          path: '/v1/orders',
          query: `since=${encodeQueryValue(`${since}Z`)}&status=paid`,
          status: 200,
          sent: [800, 9000],
          think: 0.08,
        },
        ua,
      );
      at = req.doneUs + 150_000;
      if (r.chance(0.4))
        addRequest(
          b,
          c,
          at,
          { method: 'POST', path: '/v1/shipments', status: 202, sent: [300, 500], received: [1200, 2400], think: 0.06 },
          ua,
        );
    }
  });
  // One unknown client presents a certificate the trust store does not know: the handshake fails, no request.
  const rogue = openConn(
    b,
    { ip: '175.16.199.37', country: 'CN', asn: 4837 },
    (BASE_TIME + 52 * MINUTE + 7 * SECOND) * 1000,
    8443,
    'curl/8.5.0',
  );
  rogue.node = ALB_NODES[0];
  rogue.cert = {
    subject: 'CN=client,O=Internet Widgits Pty Ltd,ST=Some-State,C=AU',
    validity: 'NotBefore=2026-10-30T08:12:44Z;NotAfter=2027-10-30T08:12:44Z',
    serial: '1A2B3C4D5E6F7081',
    status: 'Failed:ClientCertUntrusted',
  };
  rogue.endUs = rogue.startUs + 12_000;
}

function monitor(b: Builder) {
  const { r } = b;
  MONITOR_IPS.forEach((ip, k) => {
    for (let t = BASE_TIME + (k * 150 + 20) * SECOND; t < END_TIME; t += 5 * MINUTE) {
      const client: Client = { ip, country: 'US', asn: 209 };
      const c = openConn(b, client, (t + r.int(0, 900)) * 1000, 443, MONITOR_UA);
      addRequest(
        b,
        c,
        c.startUs + 30_000,
        { method: 'HEAD', path: '/healthz', status: 200, sent: [140, 160], think: 0.002 },
        MONITOR_UA,
      );
    }
  });
}

export interface ShopTraffic {
  connections: Connection[];
  requests: HttpRequest[];
}

export function shopTraffic(): ShopTraffic {
  const r = rngFor('http:shop');
  const b: Builder = { r, conns: [] };
  const clients = [...clientPool(r, 140), ...IPV6_CLIENTS];
  for (let t = BASE_TIME; t < END_TIME - 2 * MINUTE; ) {
    const client = r.pick(clients);
    if (r.chance(0.03)) websocket(b, client, t * 1000);
    else browserSession(b, client, t * 1000 + r.int(0, 999));
    t += Math.round(r.exp(32) * SECOND) + SECOND;
  }
  monitor(b);
  partner(b);
  sqlInjection(b);
  const connections = b.conns.sort((a, c) => a.startUs - c.startUs);
  const requests = connections.flatMap((c) => c.requests).sort((a, c) => a.doneUs - c.doneUs);
  return { connections, requests };
}
