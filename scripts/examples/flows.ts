import { DEFAULT_V2_FIELDS } from '../../src/ingest/vpcflow/layout.js';
import { BASE_TIME, END_TIME, keyStamp, MINUTE, SECOND, unixSeconds, WINDOW, windowStart } from './clock.js';
import { awsLogsDir, type Ctx, groupBy } from './context.js';
import { ephemeralPort } from './http.js';
import { type Rng, rngFor } from './prng.js';
import { SCENARIO_IDS, TIMES } from './scenarios.js';
import {
  ALB,
  ATTACKERS,
  type Eni,
  HOSTS,
  IDLE_BATCH_ENI,
  IDLE_ENI,
  MINING_POOL_PORT,
  NAT_BATCH,
  OFFICE_IPS,
  PROD,
  RDS_ENI,
  REGION,
} from './world.js';
import type { Tagged } from './writer.js';

/**
 * VPC Flow Logs (logs.md §2): the app VPC with the default (v2) format and the batch VPC with a custom v5 format
 * whose field order differs from the default, both delivered to S3 with their header line.
 */

export const FLOW_LOG_APP = 'fl-0d2a4c6e8f0a1b3c5';
export const FLOW_LOG_BATCH = 'fl-07e9b1d3f5a7c9e1b';

/** The default v2 format, as the parser defines it (the same list AWS documents). */
export const V2_FIELDS = DEFAULT_V2_FIELDS;

/** The batch VPC's custom format: every v2–v5 field (29), resource IDs first, as an operator might choose. */
export const V5_CUSTOM_FIELDS = [
  'version',
  'account-id',
  'vpc-id',
  'subnet-id',
  'instance-id',
  'interface-id',
  'type',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'tcp-flags',
  'log-status',
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
] as const;

const TCP = 6;
const UDP = 17;
const ICMP = 1;

export interface Flow {
  eni: Eni;
  src: string;
  dst: string;
  srcport?: number;
  dstport?: number;
  protocol?: number;
  packets?: number;
  bytes?: number;
  /** Epoch seconds. */
  start: number;
  end: number;
  action?: 'ACCEPT' | 'REJECT';
  status: 'OK' | 'NODATA' | 'SKIPDATA';
  tcpFlags?: number;
  direction?: 'ingress' | 'egress';
  pktSrc?: string;
  pktDst?: string;
  srcService?: string;
  dstService?: string;
  trafficPath?: number;
  scenarios?: readonly string[];
}

interface Endpoint {
  ip: string;
  eni?: Eni;
  service?: string;
}

interface Exchange {
  a: Endpoint;
  b: Endpoint;
  aPort: number;
  bPort: number;
  protocol: number;
  /** Epoch ms. */
  start: number;
  end: number;
  ab: [packets: number, bytes: number, flags: number];
  ba?: [packets: number, bytes: number, flags: number];
  /** Egress path of the initiator (v5 `traffic-path`). */
  path?: number;
  action?: 'ACCEPT' | 'REJECT';
  scenarios?: readonly string[];
}

/**
 * A flow between two endpoints as every logged ENI sees it: the initiator's ENI logs a→b egress and b→a ingress,
 * the responder's ENI a→b ingress and b→a egress. Rejected inbound traffic has no answer.
 */
function exchange(x: Exchange, out: Flow[]): void {
  const start = unixSeconds(x.start);
  const end = Math.max(start, unixSeconds(x.end));
  const action = x.action ?? 'ACCEPT';
  const rec = (
    eni: Eni,
    from: Endpoint,
    to: Endpoint,
    fromPort: number,
    toPort: number,
    v: [number, number, number],
    dir: 'ingress' | 'egress',
    path?: number,
  ) =>
    out.push({
      eni,
      src: from.ip,
      dst: to.ip,
      srcport: x.protocol === ICMP ? 0 : fromPort,
      dstport: x.protocol === ICMP ? 0 : toPort,
      protocol: x.protocol,
      packets: v[0],
      bytes: v[1],
      start,
      end,
      action,
      status: 'OK',
      tcpFlags: x.protocol === TCP ? v[2] : 0,
      direction: dir,
      srcService: from.service,
      dstService: to.service,
      trafficPath: dir === 'egress' ? path : undefined,
      scenarios: x.scenarios,
    });
  if (x.a.eni) {
    rec(x.a.eni, x.a, x.b, x.aPort, x.bPort, x.ab, 'egress', x.path);
    if (x.ba) rec(x.a.eni, x.b, x.a, x.bPort, x.aPort, x.ba, 'ingress');
  }
  if (x.b.eni) {
    rec(x.b.eni, x.a, x.b, x.aPort, x.bPort, x.ab, 'ingress');
    if (x.ba) rec(x.b.eni, x.b, x.a, x.bPort, x.aPort, x.ba, 'egress', x.b.eni.vpc === x.a.eni?.vpc ? 1 : 2);
  }
}

const host = (e: Eni): Endpoint => ({ ip: e.ip, eni: e });
const ext = (ip: string, service?: string): Endpoint => ({ ip, service });

/** Packets for a byte count (≈ 1 KB average segment plus handshake). */
function pk(r: Rng, bytes: number): number {
  return Math.max(3, Math.round(bytes / r.int(900, 1400)) + 3);
}

function appFlows(ctx: Ctx): Flow[] {
  const r = rngFor('flows:app');
  const out: Flow[] = [];

  // Internet clients ↔ ALB nodes (one record pair per client connection).
  for (const c of ctx.shop.connections) {
    const v6 = c.client.ip.includes(':');
    const up = c.requests.reduce((s, q) => s + q.received, 0) + 620;
    const down = c.requests.reduce((s, q) => s + q.sent, 0) + (c.tls ? 4300 : 300);
    exchange(
      {
        a: ext(c.client.ip),
        b: { ip: v6 ? c.node.ipv6! : c.node.ip, eni: c.node },
        aPort: c.clientPort,
        bPort: c.listenerPort,
        protocol: TCP,
        start: Math.floor(c.startUs / 1000),
        end: Math.floor(c.endUs / 1000) + 1000,
        ab: [pk(r, up), up, 27],
        ba: [pk(r, down), down, 27],
        scenarios: c.scenarios,
      },
      out,
    );
  }

  // ALB nodes → targets on 8080: keep-alive connections, one record set per active minute and node/target pair.
  const perMinute = groupBy(
    ctx.shop.requests.filter((q) => q.target),
    (q) => `${Math.floor(q.createdUs / 60e6)}|${q.conn.node.ip}|${q.target!.eni.ip}`,
  );
  const backendPorts = new Map<string, number>();
  for (const [key, reqs] of perMinute) {
    const [minute, ,] = key.split('|');
    const node = reqs[0].conn.node;
    const target = reqs[0].target!;
    const pair = `${node.ip}|${target.eni.ip}|${Math.floor(Number(minute) / 15)}`;
    if (!backendPorts.has(pair)) backendPorts.set(pair, ephemeralPort(r));
    const up = reqs.reduce((s, q) => s + q.received + 180, 0);
    const down = reqs.reduce((s, q) => s + q.sent, 0);
    const t0 = Number(minute) * MINUTE;
    exchange(
      {
        a: host(node),
        b: host(target.eni),
        aPort: backendPorts.get(pair)!,
        bPort: ALB.targetPort,
        protocol: TCP,
        start: t0 + r.int(0, 20) * SECOND,
        end: t0 + r.int(40, 59) * SECOND,
        ab: [pk(r, up), up, 24],
        ba: [pk(r, down), down, 24],
        path: 1,
      },
      out,
    );
  }

  // Web servers ↔ the RDS primary (connection pool), and their calls out to payment/e-mail/error-tracking SaaS.
  const saas = ['54.187.216.72', '54.241.31.99', '167.89.118.52', '34.120.195.249', '52.217.161.10'];
  for (const web of [HOSTS.web1, HOSTS.web2]) {
    const poolPort = ephemeralPort(r);
    for (let t = BASE_TIME; t < END_TIME; t += MINUTE) {
      const q = r.int(4_000, 60_000);
      exchange(
        {
          a: host(web.eni),
          b: host(RDS_ENI),
          aPort: poolPort,
          bPort: 5432,
          protocol: TCP,
          start: t + r.int(0, 5) * SECOND,
          end: t + r.int(50, 59) * SECOND,
          ab: [pk(r, q), q, 24],
          ba: [pk(r, q * 3), q * 3 + r.int(0, 9999), 24],
          path: 1,
        },
        out,
      );
      if (r.chance(0.35)) {
        const s = r.int(1_800, 9_000);
        exchange(
          {
            a: host(web.eni),
            b: ext(r.pick(saas)),
            aPort: ephemeralPort(r),
            bPort: 443,
            protocol: TCP,
            start: t + r.int(0, 50) * SECOND,
            end: t + r.int(50, 59) * SECOND,
            ab: [pk(r, s), s, 27],
            ba: [pk(r, s * 2), s * 2, 27],
            path: 2,
          },
          out,
        );
      }
    }
  }

  // An administrator's SSH session to the bastion from the office, before the security group change.
  const adminStart = BASE_TIME + 12 * MINUTE + 4 * SECOND;
  const adminPort = ephemeralPort(r);
  for (let t = adminStart; t < adminStart + 21 * MINUTE; t += MINUTE) {
    const up = r.int(2_000, 14_000);
    exchange(
      {
        a: ext(OFFICE_IPS[0]),
        b: host(HOSTS.bastion.eni),
        aPort: adminPort,
        bPort: 22,
        protocol: TCP,
        start: t,
        end: t + 59 * SECOND,
        ab: [pk(r, up), up, t === adminStart ? 26 : 24],
        ba: [pk(r, up * 4), up * 4, t === adminStart ? 26 : 24],
      },
      out,
    );
  }

  // Jenkins: fetches from GitHub and npm, apt over plain HTTP, DNS to a public resolver from build containers,
  // its web UI used from the office and GitHub webhooks.
  const jenkins = HOSTS.jenkins.eni;
  for (let t = BASE_TIME + 3 * MINUTE; t < END_TIME; t += r.int(4, 9) * MINUTE) {
    const fetch = r.int(40_000, 900_000);
    const dest = r.pick([
      ['140.82.112.3', 443],
      ['140.82.112.4', 443],
      ['104.16.27.35', 443],
      ['104.16.30.34', 443],
      ['151.101.2.132', 80],
    ] as const);
    exchange(
      {
        a: host(jenkins),
        b: ext(dest[0]),
        aPort: ephemeralPort(r),
        bPort: dest[1],
        protocol: TCP,
        start: t,
        end: t + r.int(2, 40) * SECOND,
        ab: [pk(r, fetch / 20), Math.round(fetch / 20), 27],
        ba: [pk(r, fetch), fetch, 27],
        path: 2,
      },
      out,
    );
    exchange(
      {
        a: host(jenkins),
        b: ext('1.1.1.1'),
        aPort: ephemeralPort(r),
        bPort: 53,
        protocol: UDP,
        start: t + 1000,
        end: t + 1400,
        ab: [2, 142, 0],
        ba: [2, 318, 0],
        path: 2,
      },
      out,
    );
    if (r.chance(0.4))
      exchange(
        {
          a: ext(`140.82.115.${r.int(1, 254)}`),
          b: host(jenkins),
          aPort: ephemeralPort(r),
          bPort: 443,
          protocol: TCP,
          start: t + 30 * SECOND,
          end: t + 31 * SECOND,
          ab: [8, 6_100, 27],
          ba: [7, 5_400, 27],
        },
        out,
      );
    if (r.chance(0.3))
      exchange(
        {
          a: ext(OFFICE_IPS[1]),
          b: host(jenkins),
          aPort: ephemeralPort(r),
          bPort: 443,
          protocol: TCP,
          start: t + 45 * SECOND,
          end: t + 58 * SECOND,
          ab: [30, 9_800, 27],
          ba: [44, 61_000, 27],
        },
        out,
      );
  }

  // Internet background noise: scanners touching one or two ports of the public hosts (all rejected).
  const noisePorts = [23, 445, 3389, 5900, 8080, 6379, 1433, 2375];
  for (let i = 0; i < 40; i++) {
    const src = `${r.pick(['175.16.199.', '67.43.156.'])}${r.int(2, 250)}`;
    const tgt = r.pick([HOSTS.bastion.eni, jenkins]);
    const t = BASE_TIME + r.int(0, 119 * 60) * SECOND;
    for (const port of r.chance(0.3) ? [r.pick(noisePorts), r.pick(noisePorts)] : [r.pick(noisePorts)])
      exchange(
        {
          a: ext(src),
          b: host(tgt),
          aPort: ephemeralPort(r),
          bPort: port,
          protocol: TCP,
          start: t,
          end: t + r.int(0, 3) * SECOND,
          ab: [r.int(1, 2), r.int(1, 2) * 40 + 4, 2],
          action: 'REJECT',
        },
        out,
      );
  }
  for (let i = 0; i < 6; i++) {
    const t = BASE_TIME + r.int(0, 119 * 60) * SECOND;
    exchange(
      {
        a: ext(`67.43.156.${r.int(2, 250)}`),
        b: host(HOSTS.bastion.eni),
        aPort: 0,
        bPort: 0,
        protocol: ICMP,
        start: t,
        end: t + 2 * SECOND,
        ab: [r.int(1, 4), 84, 0],
        action: 'REJECT',
      },
      out,
    );
  }

  // An idle ENI: one NODATA record per ten-minute aggregation interval; one SKIPDATA interval on web-2.
  for (let t = BASE_TIME; t < END_TIME; t += 10 * MINUTE)
    out.push({
      eni: IDLE_ENI,
      src: '-',
      dst: '-',
      start: unixSeconds(t),
      end: unixSeconds(t + 10 * MINUTE) - 1,
      status: 'NODATA',
    });
  out.push({
    eni: HOSTS.web2.eni,
    src: '-',
    dst: '-',
    start: unixSeconds(BASE_TIME + 47 * MINUTE),
    end: unixSeconds(BASE_TIME + 48 * MINUTE) - 1,
    status: 'SKIPDATA',
  });

  portScan(ctx, r, out);
  sshBruteForce(ctx, r, out);
  return out;
}

function portScan(ctx: Ctx, r: Rng, out: Flow[]): void {
  const target = HOSTS.jenkins.eni;
  const top = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1723, 3306, 3389, 5900, 8080];
  const ports = new Set<number>(top);
  while (ports.size < 180) ports.add(r.int(1, 10_000));
  const list = r.shuffle([...ports]);
  const srcPort = 61_374;
  const scen = [SCENARIO_IDS.portScan];
  const span = TIMES.portScan.end - TIMES.portScan.start;
  let accepted = 0;
  list.forEach((port, i) => {
    const t = TIMES.portScan.start + Math.round((i * span) / list.length);
    const open = port === 443;
    if (open) accepted++;
    exchange(
      {
        a: ext(ATTACKERS.portScanner),
        b: host(target),
        aPort: srcPort,
        bPort: port,
        protocol: TCP,
        start: t,
        end: t,
        ab: open ? [2, 84, 6] : [1, 44, 2],
        ba: open ? [1, 44, 18] : undefined,
        action: open ? 'ACCEPT' : 'REJECT',
        scenarios: scen,
      },
      out,
    );
  });
  ctx.scenarios.fact(SCENARIO_IDS.portScan, 'distinctPorts', list.length);
  ctx.scenarios.fact(SCENARIO_IDS.portScan, 'rejectedPorts', list.length - accepted);
  ctx.scenarios.fact(SCENARIO_IDS.portScan, 'acceptedPorts', [443]);
  ctx.scenarios.fact(SCENARIO_IDS.portScan, 'sourcePort', srcPort);
}

function sshBruteForce(ctx: Ctx, r: Rng, out: Flow[]): void {
  const target = HOSTS.bastion.eni;
  const scen = [SCENARIO_IDS.sshBruteForce];
  let n = 0;
  for (let t = TIMES.sshBrute.start; t < TIMES.sshBrute.end; t += r.int(3_500, 8_000)) {
    const up = r.int(2_100, 3_900);
    const down = r.int(2_600, 4_400);
    exchange(
      {
        a: ext(ATTACKERS.sshBruteForce),
        b: host(target),
        aPort: ephemeralPort(r),
        bPort: 22,
        protocol: TCP,
        start: t,
        end: t + r.int(2_000, 6_000),
        ab: [r.int(12, 20), up, 27],
        ba: [r.int(10, 18), down, 27],
        scenarios: scen,
      },
      out,
    );
    n++;
  }
  ctx.scenarios.fact(SCENARIO_IDS.sshBruteForce, 'connections', n);
  ctx.scenarios.fact(SCENARIO_IDS.sshBruteForce, 'dstport', 22);
}

function batchFlows(ctx: Ctx): Flow[] {
  const r = rngFor('flows:batch');
  const out: Flow[] = [];
  const workers = [HOSTS.batch1, HOSTS.batch2, HOSTS.batch3];
  const s3 = ['52.216.8.187', '52.217.97.2', '3.5.28.142', '52.216.213.33'];
  const sqs = ['52.46.134.71', '52.46.144.214'];
  const nat = NAT_BATCH;
  /** Internet-bound traffic goes through the NAT gateway: its ENI logs both legs, with pkt-* addresses. */
  const viaNat = (
    w: Eni,
    dst: string,
    dport: number,
    t: number,
    dur: number,
    ab: [number, number, number],
    ba: [number, number, number],
    svc: string | undefined,
    scenarios?: readonly string[],
  ) => {
    const sport = ephemeralPort(r);
    exchange(
      {
        a: host(w),
        b: ext(dst, svc),
        aPort: sport,
        bPort: dport,
        protocol: TCP,
        start: t,
        end: t + dur,
        ab,
        ba,
        path: 1,
        scenarios,
      },
      out,
    );
    ctx.egress.push({
      src: w.ip,
      srcPort: sport,
      dst,
      dstPort: dport,
      start: t,
      end: t + dur,
      up: [ab[0], ab[1]],
      down: [ba[0], ba[1]],
      scenarios,
    });
    const natPort = ephemeralPort(r);
    const start = unixSeconds(t);
    const end = unixSeconds(t + dur);
    const base = { eni: nat, protocol: TCP, start, end, action: 'ACCEPT' as const, status: 'OK' as const, scenarios };
    out.push(
      {
        ...base,
        src: w.ip,
        dst: nat.ip,
        srcport: sport,
        dstport: dport,
        packets: ab[0],
        bytes: ab[1],
        tcpFlags: ab[2],
        direction: 'ingress',
        pktSrc: w.ip,
        pktDst: dst,
        dstService: svc,
      },
      {
        ...base,
        src: nat.ip,
        dst,
        srcport: natPort,
        dstport: dport,
        packets: ab[0],
        bytes: ab[1],
        tcpFlags: ab[2],
        direction: 'egress',
        dstService: svc,
        trafficPath: 2,
      },
      {
        ...base,
        src: dst,
        dst: nat.ip,
        srcport: dport,
        dstport: natPort,
        packets: ba[0],
        bytes: ba[1],
        tcpFlags: ba[2],
        direction: 'ingress',
        srcService: svc,
      },
      {
        ...base,
        src: nat.ip,
        dst: w.ip,
        srcport: dport,
        dstport: sport,
        packets: ba[0],
        bytes: ba[1],
        tcpFlags: ba[2],
        direction: 'egress',
        pktSrc: dst,
        pktDst: w.ip,
        srcService: svc,
        trafficPath: 1,
      },
    );
  };

  for (let t = BASE_TIME; t < END_TIME; t += MINUTE) {
    for (const w of workers) {
      // Job input from S3 through the gateway endpoint: large downloads.
      if (r.chance(0.45)) {
        const down = r.int(2_000_000, 40_000_000);
        exchange(
          {
            a: host(w.eni),
            b: ext(r.pick(s3), 'S3'),
            aPort: ephemeralPort(r),
            bPort: 443,
            protocol: TCP,
            start: t + r.int(0, 20) * SECOND,
            end: t + r.int(30, 59) * SECOND,
            ab: [pk(r, down / 40), Math.round(down / 40), 27],
            ba: [Math.round(down / 8_900), down, 27],
            path: 2,
          },
          out,
        );
      }
      // Queue polling through the NAT gateway.
      if (r.chance(0.25))
        viaNat(
          w.eni,
          r.pick(sqs),
          443,
          t + r.int(0, 40) * SECOND,
          r.int(1, 20) * SECOND,
          [r.int(8, 20), r.int(2_000, 6_000), 27],
          [r.int(8, 18), r.int(2_500, 9_000), 27],
          'AMAZON',
        );
    }
    // batch-worker-1 is dual-stack and installs packages from PyPI over IPv6 now and then.
    if (r.chance(0.06)) {
      const size = r.int(200_000, 3_000_000);
      exchange(
        {
          a: { ip: HOSTS.batch1.eni.ipv6!, eni: HOSTS.batch1.eni },
          b: ext('2a04:4e42:200::223'),
          aPort: ephemeralPort(r),
          bPort: 443,
          protocol: TCP,
          start: t + r.int(0, 20) * SECOND,
          end: t + r.int(25, 59) * SECOND,
          ab: [pk(r, size / 30), Math.round(size / 30), 27],
          ba: [pk(r, size), size, 27],
          path: 2,
        },
        out,
      );
    }
  }
  for (let t = BASE_TIME; t < END_TIME; t += 10 * MINUTE)
    out.push({
      eni: IDLE_BATCH_ENI,
      src: '-',
      dst: '-',
      start: unixSeconds(t),
      end: unixSeconds(t + 10 * MINUTE) - 1,
      status: 'NODATA',
    });

  // Scenario 4: the Stratum connection to the mining pool, one record set per minute until the end of the data.
  const scen = [SCENARIO_IDS.mining];
  const miner = HOSTS.batch3.eni;
  const minerPort = 47_112;
  const natPort = 22_461;
  let records = 0;
  let bytesOut = 0;
  const before = out.length;
  for (let t = TIMES.mining.start + 8 * SECOND; t < END_TIME; t = Math.floor(t / MINUTE + 1) * MINUTE) {
    const first = t === TIMES.mining.start + 8 * SECOND;
    const endT = Math.min(Math.floor(t / MINUTE + 1) * MINUTE - SECOND, END_TIME - SECOND);
    const up = r.int(3_000, 6_000);
    const down = r.int(4_000, 9_000);
    const flags = first ? 26 : 24;
    const ab: [number, number, number] = [r.int(30, 50), up, flags];
    const ba: [number, number, number] = [r.int(25, 40), down, flags];
    bytesOut += up;
    exchange(
      {
        a: host(miner),
        b: ext(ATTACKERS.miningPool),
        aPort: minerPort,
        bPort: MINING_POOL_PORT,
        protocol: TCP,
        start: t,
        end: endT,
        ab,
        ba,
        path: 1,
        scenarios: scen,
      },
      out,
    );
    const s = unixSeconds(t);
    const e = unixSeconds(endT);
    const base = {
      eni: nat,
      protocol: TCP,
      start: s,
      end: e,
      action: 'ACCEPT' as const,
      status: 'OK' as const,
      scenarios: scen,
    };
    out.push(
      {
        ...base,
        src: miner.ip,
        dst: nat.ip,
        srcport: minerPort,
        dstport: MINING_POOL_PORT,
        packets: ab[0],
        bytes: ab[1],
        tcpFlags: flags,
        direction: 'ingress',
        pktSrc: miner.ip,
        pktDst: ATTACKERS.miningPool,
      },
      {
        ...base,
        src: nat.ip,
        dst: ATTACKERS.miningPool,
        srcport: natPort,
        dstport: MINING_POOL_PORT,
        packets: ab[0],
        bytes: ab[1],
        tcpFlags: flags,
        direction: 'egress',
        trafficPath: 2,
      },
      {
        ...base,
        src: ATTACKERS.miningPool,
        dst: nat.ip,
        srcport: MINING_POOL_PORT,
        dstport: natPort,
        packets: ba[0],
        bytes: ba[1],
        tcpFlags: flags,
        direction: 'ingress',
      },
      {
        ...base,
        src: nat.ip,
        dst: miner.ip,
        srcport: MINING_POOL_PORT,
        dstport: minerPort,
        packets: ba[0],
        bytes: ba[1],
        tcpFlags: flags,
        direction: 'egress',
        pktSrc: ATTACKERS.miningPool,
        pktDst: miner.ip,
        trafficPath: 1,
      },
    );
  }
  records = out.length - before;
  ctx.egress.push({
    src: miner.ip,
    srcPort: minerPort,
    dst: ATTACKERS.miningPool,
    dstPort: MINING_POOL_PORT,
    start: TIMES.mining.start + 8 * SECOND,
    end: END_TIME,
    up: [0, bytesOut],
    down: [0, 0],
    open: true,
    scenarios: scen,
  });
  ctx.scenarios.fact(SCENARIO_IDS.mining, 'poolIp', ATTACKERS.miningPool);
  ctx.scenarios.fact(SCENARIO_IDS.mining, 'poolPort', MINING_POOL_PORT);
  ctx.scenarios.fact(SCENARIO_IDS.mining, 'flowRecords', records);
  ctx.scenarios.fact(SCENARIO_IDS.mining, 'bytesToPool', bytesOut);
  return out;
}

const dash = (v: string | number | undefined) => (v === undefined || v === '' ? '-' : String(v));

function v2Line(f: Flow): string {
  return [
    2,
    PROD,
    f.eni.id,
    f.src,
    f.dst,
    dash(f.srcport),
    dash(f.dstport),
    dash(f.protocol),
    dash(f.packets),
    dash(f.bytes),
    f.start,
    f.end,
    dash(f.action),
    f.status,
  ].join(' ');
}

function v5Line(f: Flow): string {
  const ok = f.status === 'OK';
  const v: Record<(typeof V5_CUSTOM_FIELDS)[number], string | number | undefined> = {
    version: 5,
    'account-id': PROD,
    'vpc-id': f.eni.vpc.id,
    'subnet-id': f.eni.subnet.id,
    'instance-id': f.eni.instance,
    'interface-id': f.eni.id,
    type: ok ? (f.src.includes(':') ? 'IPv6' : 'IPv4') : undefined,
    srcaddr: f.src,
    dstaddr: f.dst,
    srcport: f.srcport,
    dstport: f.dstport,
    'pkt-srcaddr': ok ? (f.pktSrc ?? f.src) : undefined,
    'pkt-dstaddr': ok ? (f.pktDst ?? f.dst) : undefined,
    protocol: f.protocol,
    packets: f.packets,
    bytes: f.bytes,
    start: f.start,
    end: f.end,
    action: f.action,
    'tcp-flags': f.tcpFlags,
    'log-status': f.status,
    region: REGION,
    'az-id': f.eni.subnet.azId,
    'sublocation-type': undefined,
    'sublocation-id': undefined,
    'pkt-src-aws-service': f.srcService,
    'pkt-dst-aws-service': f.dstService,
    'flow-direction': f.direction,
    'traffic-path': f.trafficPath,
  };
  return V5_CUSTOM_FIELDS.map((k) => dash(v[k])).join(' ');
}

function writeFlowLog(
  ctx: Ctx,
  flowLogId: string,
  flows: Flow[],
  header: readonly string[],
  render: (f: Flow) => string,
) {
  // A file holds the records whose end time falls in its five-minute window (the key stamp is the window start).
  const sorted = flows
    .filter((f) => f.end * 1000 < END_TIME)
    .sort((a, b) => a.start - b.start || a.end - b.end || (a.eni.id < b.eni.id ? -1 : a.eni.id > b.eni.id ? 1 : 0));
  for (const [w, list] of groupBy(sorted, (f) => windowStart(f.end * 1000, WINDOW))) {
    const hash = rngFor(`flow:${flowLogId}:${w}`).hex(8);
    const name = `${PROD}_vpcflowlogs_${REGION}_${flowLogId}_${keyStamp(w)}_${hash}.log.gz`;
    const rows: Tagged<string>[] = list.map((f) => ({ value: render(f), scenarios: f.scenarios }));
    ctx.writer.lines(
      `${awsLogsDir(PROD, 'vpcflowlogs', REGION, w)}/${name}`,
      'vpcflow',
      [header.join(' ')],
      rows,
      true,
    );
  }
}

export function generateFlows(ctx: Ctx): void {
  writeFlowLog(ctx, FLOW_LOG_APP, appFlows(ctx), V2_FIELDS, v2Line);
  writeFlowLog(ctx, FLOW_LOG_BATCH, batchFlows(ctx), V5_CUSTOM_FIELDS, v5Line);
}
