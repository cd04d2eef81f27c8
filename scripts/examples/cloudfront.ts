import { BASE_TIME, cloudfrontHour, END_TIME, HOUR, SECOND, w3cDate, w3cTime } from './clock.js';
import type { Ctx } from './context.js';
import { clientPool, encodeQueryValue, ephemeralPort, SQLI_GROUP, sqlTokens, type WafMatch } from './http.js';
import { rngFor } from './prng.js';
import { SCENARIO_IDS, TIMES } from './scenarios.js';
import { ATTACKERS, BOTS, BROWSERS, type Client, DISTRIBUTION, IPV6_CLIENTS, SQLMAP_UA } from './world.js';
import type { Tagged } from './writer.js';

/**
 * CloudFront standard logs (logs.md §7) for www.example.com (static site, S3 origin, global web ACL
 * www-edge-acl). The request model is shared with the WAF module.
 */

export interface CdnRequest {
  ms: number;
  client: Client;
  port: number;
  edge: string;
  method: string;
  uri: string;
  /** Query as the client sent it (URL-encoded), '' for none. */
  query: string;
  status: number;
  result: 'Hit' | 'Miss' | 'RefreshHit' | 'Error';
  bytes: number;
  csBytes: number;
  timeTaken: number;
  ttfb: number;
  ua: string;
  referer?: string;
  protocolVersion: 'HTTP/1.1' | 'HTTP/2.0' | 'HTTP/3.0';
  tls: { protocol: string; cipher: string };
  contentType: string;
  requestId: string;
  blockedBy?: WafMatch;
  scenarios?: string[];
}

const EDGES: Record<string, string[]> = {
  GB: ['LHR61-P1', 'LHR50-C1', 'MAN51-C1'],
  SE: ['ARN56-P1', 'ARN53-C1'],
  US: ['IAD89-C2', 'JFK50-P3', 'SFO53-P4'],
  CN: ['HKG62-C1', 'HKG54-C1'],
  BT: ['DEL51-P1', 'CCU50-C1'],
  FR: ['CDG52-P2', 'CDG55-C1'],
  DE: ['FRA56-P5', 'FRA60-P2'],
  NL: ['AMS58-P2', 'AMS1-C1'],
};

const ASSETS: readonly { uri: string; type: string; size: [number, number] }[] = [
  { uri: '/assets/app.3f9c2a71.js', type: 'application/javascript', size: [182_000, 182_000] },
  { uri: '/assets/vendor.8d1e4b02.js', type: 'application/javascript', size: [241_500, 241_500] },
  { uri: '/assets/app.c47a9e13.css', type: 'text/css', size: [38_200, 38_200] },
  { uri: '/images/hero-autumn-2026.webp', type: 'image/webp', size: [96_400, 96_400] },
  { uri: '/images/logo.svg', type: 'image/svg+xml', size: [4_120, 4_120] },
  { uri: '/fonts/inter-var.woff2', type: 'font/woff2', size: [48_900, 48_900] },
];
const PAGES = ['/', '/about/', '/stores/', '/blog/layering-for-autumn-hikes/', '/blog/caring-for-merino/', '/careers/'];
const PRODUCT_IMAGES = [
  'trail-runner-gtx',
  'merino-crew-sock',
  'packable-rain-shell',
  'insulated-bottle-750',
  'day-pack-22l',
];

const TLS = [
  { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' },
  { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
  { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' },
];

function edgeFor(r: ReturnType<typeof rngFor>, c: Client): string {
  return r.pick(EDGES[c.country] ?? EDGES.US);
}

export function cdnTraffic(): CdnRequest[] {
  const r = rngFor('cdn');
  const clients = [...clientPool(r, 160), ...IPV6_CLIENTS];
  const out: CdnRequest[] = [];
  const push = (c: Omit<CdnRequest, 'requestId'>) => out.push({ ...c, requestId: `${r.base64url(54)}==` });
  for (let t = BASE_TIME + r.int(0, 5000); t < END_TIME; t += Math.round(r.exp(28) * SECOND) + 500) {
    const client = r.pick(clients);
    const bot = r.chance(0.06);
    const ua = bot ? r.pick(BOTS) : r.pick(BROWSERS);
    const edge = edgeFor(r, client);
    const port = ephemeralPort(r);
    const tls = r.pick(TLS);
    const pv = r.weighted([
      ['HTTP/2.0', 7],
      ['HTTP/3.0', 2],
      ['HTTP/1.1', 1],
    ] as const);
    const page = r.pick(PAGES);
    let ms = t;
    const pageMiss = r.chance(0.25);
    const pageBytes = r.int(11_000, 19_000);
    push({
      ms,
      client,
      port,
      edge,
      method: 'GET',
      uri: page,
      query: r.chance(0.1) ? `utm_source=newsletter&utm_campaign=autumn-${r.int(1, 3)}` : '',
      status: 200,
      result: pageMiss ? 'Miss' : r.chance(0.1) ? 'RefreshHit' : 'Hit',
      bytes: pageBytes + 600,
      csBytes: r.int(380, 620),
      timeTaken: pageMiss ? 0.03 + r.exp(0.05) : 0.001 + r.exp(0.003),
      ttfb: 0,
      ua,
      protocolVersion: pv,
      tls,
      contentType: 'text/html',
    });
    if (bot) {
      if (r.chance(0.3))
        push({
          ms: ms + 400,
          client,
          port,
          edge,
          method: 'GET',
          uri: '/robots.txt',
          query: '',
          status: 200,
          result: 'Hit',
          bytes: 410,
          csBytes: 310,
          timeTaken: 0.001,
          ttfb: 0,
          ua,
          protocolVersion: 'HTTP/1.1',
          tls,
          contentType: 'text/plain',
        });
      continue;
    }
    // The browser then fetches the page's assets (mostly cached; a revisit gets 304s).
    const revisit = r.chance(0.2);
    const assets = [...ASSETS.slice(0, r.int(3, ASSETS.length))];
    if (page === '/')
      assets.push(
        ...PRODUCT_IMAGES.map((p) => ({
          uri: `/images/products/${p}.webp`,
          type: 'image/webp',
          size: [18_000, 64_000] as [number, number],
        })),
      );
    for (const a of assets) {
      ms += r.int(15, 180);
      const miss = r.chance(0.04);
      const size = r.int(a.size[0], a.size[1]);
      push({
        ms,
        client,
        port,
        edge,
        method: 'GET',
        uri: a.uri,
        query: '',
        status: revisit ? 304 : 200,
        result: miss ? 'Miss' : 'Hit',
        bytes: revisit ? r.int(280, 340) : size + r.int(450, 700),
        csBytes: r.int(320, 560),
        timeTaken: miss ? 0.02 + r.exp(0.04) : 0.001 + r.exp(0.004),
        ttfb: 0,
        ua,
        referer: `https://${DISTRIBUTION.host}${page}`,
        protocolVersion: pv,
        tls,
        contentType: a.type,
      });
    }
    if (r.chance(0.05))
      push({
        ms: ms + 50,
        client,
        port,
        edge,
        method: 'GET',
        uri: '/favicon.ico',
        query: '',
        status: 404,
        result: 'Error',
        bytes: 640,
        csBytes: 300,
        timeTaken: 0.021,
        ttfb: 0,
        ua,
        protocolVersion: pv,
        tls,
        contentType: 'text/html',
      });
  }
  sqlInjectionProbes(r, out);
  for (const x of out) x.ttfb = Math.min(x.timeTaken, Math.round(x.timeTaken * (0.6 + r.next() * 0.35) * 1000) / 1000);
  return out.sort((a, b) => a.ms - b.ms);
}

const CDN_PAYLOADS = [
  "1' OR '1'='1",
  '1 UNION ALL SELECT NULL,NULL,NULL-- -',
  "1' AND 3161=3161 AND 'oJqB'='oJqB",
  '1 AND (SELECT 2158 FROM (SELECT(SLEEP(5)))kZqv)',
  "1'; WAITFOR DELAY '0:0:5'--",
  '-4523 OR 1=1#',
  '1 AND 1=2 UNION SELECT table_name,NULL FROM information_schema.tables-- -',
  "1' AND EXTRACTVALUE(5342,CONCAT(0x5c,0x7176786a71))-- -",
];

function sqlInjectionProbes(r: ReturnType<typeof rngFor>, out: CdnRequest[]): void {
  const client: Client = { ip: ATTACKERS.sqlInjection, country: 'NL', asn: 64511 };
  const plan: { uri: string; param: string; payload?: string }[] = [
    { uri: '/', param: 's' },
    ...CDN_PAYLOADS.map((p) => ({ uri: '/', param: 's', payload: p.replace(/^1/, 'boots') })),
    { uri: '/index.php', param: 'id' },
    ...CDN_PAYLOADS.map((p) => ({ uri: '/index.php', param: 'id', payload: p })),
    ...CDN_PAYLOADS.slice(0, 6).map((p) => ({ uri: '/search', param: 'q', payload: p.replace(/^1/, 'jacket') })),
  ];
  const span = TIMES.sqliCdn.end - TIMES.sqliCdn.start;
  plan.forEach((p, i) => {
    const ms = TIMES.sqliCdn.start + Math.round((i * span) / plan.length) + r.int(0, 900);
    const value = p.payload ?? (p.param === 'id' ? '1' : 'boots');
    const blocked = p.payload !== undefined;
    out.push({
      ms,
      client,
      port: ephemeralPort(r),
      edge: 'AMS58-P2',
      method: 'GET',
      uri: p.uri,
      query: `${p.param}=${encodeQueryValue(value)}`,
      status: blocked ? 403 : p.uri === '/' ? 200 : 404,
      result: blocked ? 'Error' : p.uri === '/' ? 'Hit' : 'Error',
      bytes: blocked ? 1_033 : p.uri === '/' ? 15_200 : 640,
      csBytes: r.int(180, 420),
      timeTaken: blocked ? 0.001 : 0.018,
      ttfb: 0,
      ua: SQLMAP_UA,
      protocolVersion: 'HTTP/1.1',
      tls: TLS[2],
      contentType: 'text/html',
      requestId: `${r.base64url(54)}==`,
      blockedBy: blocked
        ? {
            group: SQLI_GROUP,
            ruleId: 'SQLi_QUERYARGUMENTS',
            label: 'awswaf:managed:aws:sql-database:SQLi_QueryArguments',
            location: 'ALL_QUERY_ARGS',
            matchedData: sqlTokens(p.payload!),
          }
        : undefined,
      scenarios: [SCENARIO_IDS.sqli],
    });
  });
}

/** CloudFront's W3C escaping: bytes 0–32, 127+ and `< > " # % { } | \ ^ ~ [ ] \` '` become %XX. */
export function cfEncode(v: string): string {
  let s = '';
  for (const byte of Buffer.from(v, 'utf8')) {
    const ch = String.fromCharCode(byte);
    s +=
      byte <= 32 || byte >= 127 || '<>"#%{}|\\^~[]`\''.includes(ch)
        ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
        : ch;
  }
  return s;
}

export const CLOUDFRONT_FIELDS =
  'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';

function cfLine(x: CdnRequest): string {
  const d = (v: string | undefined) => (v === undefined || v === '' ? '-' : v);
  return [
    w3cDate(x.ms),
    w3cTime(x.ms),
    x.edge,
    String(x.bytes),
    x.client.ip,
    x.method,
    DISTRIBUTION.domain,
    x.uri,
    String(x.status),
    d(x.referer ? cfEncode(x.referer) : undefined),
    cfEncode(x.ua),
    d(x.query),
    '-',
    x.result,
    x.requestId,
    DISTRIBUTION.host,
    'https',
    String(x.csBytes),
    x.timeTaken.toFixed(3),
    '-',
    x.tls.protocol,
    x.tls.cipher,
    x.result,
    x.protocolVersion,
    '-',
    '-',
    String(x.port),
    x.ttfb.toFixed(3),
    x.result,
    x.contentType,
    x.status === 304 ? '-' : String(Math.max(0, x.bytes - 520)),
    '-',
    '-',
  ].join('\t');
}

/** Several files per hour, records not in time order inside a file (as CloudFront delivers them). */
export function generateCloudFront(ctx: Ctx, requests: readonly CdnRequest[]): void {
  const r = rngFor('cdn:files');
  for (let h = BASE_TIME; h < END_TIME; h += HOUR) {
    const inHour = requests.filter((x) => x.ms >= h && x.ms < h + HOUR);
    // Split points: the edge servers flush independently, so files overlap in time; emulate with a random split.
    const parts: CdnRequest[][] = [[], [], []];
    for (const x of inHour) parts[r.int(0, 2)].push(x);
    parts.forEach((list, i) => {
      if (list.length === 0) return;
      const shuffled = r.shuffle([...list]);
      const rows: Tagged<string>[] = shuffled.map((x) => ({ value: cfLine(x), scenarios: x.scenarios }));
      const name = `${DISTRIBUTION.id}.${cloudfrontHour(h)}.${rngFor(`cdn:name:${h}:${i}`).hex(8)}.gz`;
      ctx.writer.lines(
        `cloudfront/${name}`,
        'cloudfront',
        ['#Version: 1.0', `#Fields: ${CLOUDFRONT_FIELDS}`],
        rows,
        true,
      );
    });
  }
  const probes = requests.filter((x) => x.scenarios?.includes(SCENARIO_IDS.sqli));
  ctx.scenarios.fact(SCENARIO_IDS.sqli, 'cloudfrontRequests', probes.length);
  ctx.scenarios.fact(SCENARIO_IDS.sqli, 'cloudfrontBlockedByWaf', probes.filter((x) => x.blockedBy).length);
}
