import { BASE_TIME, HOUR, isoMicros, isoSecondsNoZone, keyStamp, SECOND, WINDOW, windowStart } from './clock.js';
import { awsLogsDir, type Ctx, groupBy } from './context.js';
import { clientPool, ephemeralPort, type HttpRequest } from './http.js';
import { rngFor } from './prng.js';
import { SCENARIO_IDS, TIMES } from './scenarios.js';
import { ALB, ALB_NODES, CLB, CLB_NODE, HOSTS, NLB, NLB_NODE, PROD, REGION } from './world.js';
import type { Tagged } from './writer.js';

/**
 * Elastic Load Balancing logs (logs.md §3): ALB access logs with all 30 fields, one ALB connection log file,
 * one NLB TLS log file and one Classic Load Balancer file.
 */

const q = (v: string | undefined) => `"${v ?? '-'}"`;
const secs = (v: number) => (v < 0 ? '-1' : v.toFixed(3));

function albHostPort(ip: string, port: number): string {
  return `${ip}:${port}`;
}

/** One ALB access log line (30 space-separated fields). */
export function albLine(r: HttpRequest): string {
  const c = r.conn;
  const scheme = c.listenerPort === 80 ? 'http' : 'https';
  const url = `${scheme}://${r.host}:${c.listenerPort}${r.path}${r.query ? `?${r.query}` : ''}`;
  const target = r.target ? albHostPort(r.target.eni.ip, ALB.targetPort) : undefined;
  const tg = r.target ? (c.listenerPort === 8443 ? ALB.partnerTargetGroup : ALB.targetGroup) : '-';
  const cert = c.tls ? (c.listenerPort === 8443 ? ALB.partnerCert : ALB.cert) : undefined;
  return [
    r.type,
    isoMicros(r.doneUs),
    ALB.elb,
    albHostPort(c.client.ip, c.clientPort),
    target ?? '-',
    secs(r.requestTime),
    secs(r.targetTime),
    secs(r.responseTime),
    String(r.status),
    r.targetStatus !== undefined ? String(r.targetStatus) : '-',
    String(r.received),
    String(r.sent),
    q(`${r.method} ${url} ${r.httpVersion}`),
    q(r.userAgent),
    c.tls?.cipher ?? '-',
    c.tls?.protocol ?? '-',
    tg,
    q(`Root=${r.traceId}`),
    q(c.tls ? r.host : undefined),
    q(cert),
    r.rulePriority,
    isoMicros(r.createdUs),
    q(r.actions),
    q(r.redirectUrl),
    q(undefined),
    q(target),
    q(r.targetStatus !== undefined ? String(r.targetStatus) : undefined),
    q(undefined),
    q(undefined),
    c.connTraceId,
  ].join(' ');
}

function randomSuffix(label: string): string {
  return rngFor(`suffix:${label}`).alnum(8).toLowerCase();
}

function albAccessLogs(ctx: Ctx): void {
  const byNode = groupBy(ctx.shop.requests, (r) => r.conn.node.ip);
  for (const [nodeIp, reqs] of byNode) {
    for (const [w, list] of groupBy(reqs, (r) => windowStart(Math.floor(r.doneUs / 1000)))) {
      const end = w + WINDOW;
      const name = `${PROD}_elasticloadbalancing_${REGION}_app.${ALB.name}.${ALB.id}_${keyStamp(end)}_${nodeIp}_${randomSuffix(`alb:${nodeIp}:${w}`)}.log.gz`;
      const rows: Tagged<string>[] = list.map((r) => ({ value: albLine(r), scenarios: r.scenarios }));
      ctx.writer.lines(`${awsLogsDir(PROD, 'elasticloadbalancing', REGION, end)}/${name}`, 'alb', [], rows, true);
    }
  }
  const sqli = ctx.shop.requests.filter((r) => r.scenarios?.includes(SCENARIO_IDS.sqli));
  ctx.scenarios.fact(SCENARIO_IDS.sqli, 'albRequests', sqli.length);
  ctx.scenarios.fact(SCENARIO_IDS.sqli, 'albBlockedByWaf', sqli.filter((r) => r.blockedBy).length);
}

/** The connection log of node 0 for the window of the SQL injection scan (with the mTLS partner listener). */
function albConnectionLog(ctx: Ctx): void {
  const node = ALB_NODES[0];
  const from = windowStart(TIMES.sqliAlb.start);
  const to = from + WINDOW;
  const conns = ctx.shop.connections.filter(
    (c) => c.node === node && c.startUs >= from * 1000 && c.startUs < to * 1000,
  );
  const rows: Tagged<string>[] = conns.map((c) => {
    const tls = c.tls;
    const line = [
      isoMicros(c.startUs),
      c.client.ip,
      String(c.clientPort),
      String(c.listenerPort),
      tls?.protocol ?? '-',
      tls?.cipher ?? '-',
      tls ? tls.handshake.toFixed(3) : '-',
      q(c.cert?.subject),
      c.cert?.validity ?? '-',
      c.cert?.serial ?? '-',
      c.cert?.status ?? '-',
      c.connTraceId,
    ].join(' ');
    return { value: line, scenarios: c.scenarios };
  });
  const name = `conn_log_${PROD}_elasticloadbalancing_${REGION}_app.${ALB.name}.${ALB.id}_${keyStamp(to)}_${node.ip}_${randomSuffix('conn')}.log.gz`;
  ctx.writer.lines(`${awsLogsDir(PROD, 'elasticloadbalancing', REGION, to)}/${name}`, 'albconnection', [], rows, true);
}

/** One NLB TLS listener file (MQTT over TLS from a device fleet), five minutes of connections closing. */
function nlbTlsLog(ctx: Ctx): void {
  const r = rngFor('nlb');
  const from = BASE_TIME + HOUR;
  const to = from + WINDOW;
  const devices = clientPool(r, 90);
  const rows: { t: number; line: string }[] = [];
  for (const d of devices) {
    const end = from + r.int(0, WINDOW - SECOND);
    const connMs = r.chance(0.7) ? r.int(60_000, 7_200_000) : r.int(800, 30_000);
    const created = end - connMs;
    const v13 = r.chance(0.6);
    rows.push({
      t: end,
      line: [
        'tls',
        '2.0',
        isoSecondsNoZone(end),
        NLB.elb,
        NLB.listener,
        `${d.ip}:${ephemeralPort(r)}`,
        `${NLB_NODE.ip}:${NLB.port}`,
        String(connMs),
        String(r.int(3, 40)),
        String(r.int(2_000, 400_000)),
        String(r.int(1_500, 90_000)),
        '-',
        NLB.cert,
        '-',
        v13 ? 'TLS_AES_128_GCM_SHA256' : 'ECDHE-RSA-AES128-GCM-SHA256',
        v13 ? 'tlsv13' : 'tlsv12',
        v13 ? 'x25519' : '-',
        NLB.host,
        '-',
        '-',
        '-',
        isoSecondsNoZone(created),
      ].join(' '),
    });
  }
  // An internet scanner opens the TLS port and leaves without a handshake.
  for (let i = 0; i < 3; i++) {
    const end = from + r.int(0, WINDOW - SECOND);
    rows.push({
      t: end,
      line: `tls 2.0 ${isoSecondsNoZone(end)} ${NLB.elb} ${NLB.listener} 67.43.156.${r.int(2, 250)}:${ephemeralPort(r)} ${NLB_NODE.ip}:${NLB.port} ${r.int(1, 30)} - 0 0 - - - - - - - - - - ${isoSecondsNoZone(end)}`,
    });
  }
  rows.sort((a, b) => a.t - b.t);
  const name = `${PROD}_elasticloadbalancing_${REGION}_net.${NLB.name}.${NLB.id}_${keyStamp(to)}_${randomSuffix('nlb')}.log.gz`;
  ctx.writer.lines(
    `${awsLogsDir(PROD, 'elasticloadbalancing', REGION, to)}/${name}`,
    'nlb',
    [],
    rows.map((x) => ({ value: x.line })),
    true,
  );
}

const LEGACY_PATHS = ['/v1/catalog', '/v1/catalog/categories', '/v1/stores', '/v1/promotions', '/v1/app-config'];
const LEGACY_UAS = [
  'AnyCompanyShop/2.3.1 CFNetwork/1240.0.4 Darwin/20.6.0',
  'okhttp/3.12.13',
  'AnyCompanyShop/2.2.9 (Android 11; SM-G991B)',
];

/** Classic Load Balancer: one hourly `.log` file (plain text) with HTTP, HTTPS and TCP listener entries. */
function classicLog(ctx: Ctx): void {
  const r = rngFor('clb');
  const from = BASE_TIME;
  const to = from + HOUR;
  const clients = clientPool(r, 40);
  const backend = HOSTS.legacy.eni.ip;
  const rows: { t: number; line: string }[] = [];
  const t6 = () => (0.00003 + r.next() * 0.00004).toFixed(6);
  for (let t = from + r.int(0, 20_000); t < to; t += r.int(4, 40) * SECOND) {
    const c = r.pick(clients);
    const us = t * 1000 + r.int(0, 999_999);
    const listener = r.weighted([
      ['http', 5],
      ['https', 4],
      ['tcp', 1],
    ] as const);
    if (listener === 'tcp') {
      rows.push({
        t,
        line: `${isoMicros(us)} ${CLB.name} ${c.ip}:${ephemeralPort(r)} ${backend}:8443 ${t6()} ${t6()} ${t6()} - - ${r.int(600, 2400)} ${r.int(1500, 9000)} "- - - " "-" - -`,
      });
      continue;
    }
    const path = r.pick(LEGACY_PATHS);
    const notModified = r.chance(0.2);
    const status = notModified ? 304 : r.chance(0.01) ? 503 : 200;
    const backendTime = status === 503 ? '-1' : (0.004 + r.exp(0.03)).toFixed(6);
    const url = listener === 'http' ? `http://${CLB.dns}:80${path}` : `https://api-legacy.example.com:443${path}`;
    rows.push({
      t,
      line: [
        isoMicros(us),
        CLB.name,
        `${c.ip}:${ephemeralPort(r)}`,
        status === 503 ? '-' : `${backend}:80`,
        t6(),
        backendTime,
        status === 503 ? '-1' : t6(),
        String(status),
        status === 503 ? '-' : String(status),
        '0',
        String(status === 200 ? r.int(800, 24_000) : 0),
        `"GET ${url} HTTP/1.1"`,
        `"${r.pick(LEGACY_UAS)}"`,
        listener === 'https' ? 'ECDHE-RSA-AES128-GCM-SHA256' : '-',
        listener === 'https' ? 'TLSv1.2' : '-',
      ].join(' '),
    });
  }
  rows.sort((a, b) => a.t - b.t);
  const name = `${PROD}_elasticloadbalancing_${REGION}_${CLB.name}_${keyStamp(to)}_${CLB_NODE.ip}_${randomSuffix('clb')}.log`;
  ctx.writer.lines(
    `${awsLogsDir(PROD, 'elasticloadbalancing', REGION, to)}/${name}`,
    'elb',
    [],
    rows.map((x) => ({ value: x.line })),
    false,
  );
}

export function generateElb(ctx: Ctx): void {
  albAccessLogs(ctx);
  albConnectionLog(ctx);
  nlbTlsLog(ctx);
  classicLog(ctx);
}
