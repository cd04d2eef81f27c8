import { END_TIME, eveTime, hourPath, keyStamp, MINUTE, SECOND, unixSeconds, WINDOW, windowStart } from './clock.js';
import { type Ctx, type EgressConnection, groupBy } from './context.js';
import { ephemeralPort } from './http.js';
import { type Rng, rngFor } from './prng.js';
import { SCENARIO_IDS, TIMES } from './scenarios.js';
import { ATTACKERS, HOSTS, MINING_POOL_PORT, NETWORK_FIREWALL, PROD, REGION } from './world.js';
import type { Tagged } from './writer.js';

/**
 * AWS Network Firewall logs (logs.md §8): the "egress-inspection" firewall between the batch workers and their NAT
 * gateway. Flow log: one Suricata `netflow` event per direction of each finished connection. Alert log: the
 * domain allow-list blocking an unexpected TLS destination, and the Stratum rules firing on the miner.
 */

interface Eve {
  us: number;
  event: Record<string, unknown>;
  scenarios?: readonly string[];
}

function wrap(e: Eve): Record<string, unknown> {
  return {
    firewall_name: NETWORK_FIREWALL.name,
    availability_zone: NETWORK_FIREWALL.az,
    event_timestamp: String(unixSeconds(Math.floor(e.us / 1000)) + 1),
    event: e.event,
  };
}

function flowId(r: Rng): number {
  // Suricata flow IDs are 51-bit-ish integers; stay below 2^53 so JSON keeps them exact.
  return r.int(1e14, 2 ** 50);
}

function netflow(r: Rng, c: EgressConnection, id: number): Eve[] {
  const endUs = c.end * 1000 + r.int(0, 999_999);
  const startUs = c.start * 1000 + r.int(0, 999_999);
  const age = Math.max(0, Math.round((c.end - c.start) / 1000));
  const leg = (src: string, sport: number, dst: string, dport: number, v: [number, number], ttl: number): Eve => ({
    us: endUs,
    scenarios: c.scenarios,
    event: {
      timestamp: eveTime(endUs),
      flow_id: id,
      event_type: 'netflow',
      src_ip: src,
      src_port: sport,
      dest_ip: dst,
      dest_port: dport,
      proto: 'TCP',
      app_proto: 'tls',
      netflow: {
        pkts: v[0],
        bytes: v[1],
        start: eveTime(startUs),
        end: eveTime(endUs),
        age,
        min_ttl: ttl,
        max_ttl: ttl,
      },
      tcp: { tcp_flags: '1b', syn: true, fin: true, psh: true, ack: true },
    },
  });
  return [leg(c.src, c.srcPort, c.dst, c.dstPort, c.up, 64), leg(c.dst, c.dstPort, c.src, c.srcPort, c.down, 241)];
}

function alerts(ctx: Ctx, r: Rng): Eve[] {
  const out: Eve[] = [];
  // A Python dependency phones home; the firewall's TLS SNI allow-list drops it (AWS-generated domain-list rule).
  for (let i = 0; i < 8; i++) {
    const src = [HOSTS.batch1, HOSTS.batch2][i % 2].eni.ip;
    const us = (TIMES.mining.start - 70 * MINUTE + i * 7 * MINUTE + r.int(0, 50) * SECOND) * 1000 + r.int(0, 999);
    out.push({
      us,
      event: {
        timestamp: eveTime(us),
        flow_id: flowId(r),
        event_type: 'alert',
        src_ip: src,
        src_port: ephemeralPort(r),
        dest_ip: '104.18.32.47',
        dest_port: 443,
        proto: 'TCP',
        app_proto: 'tls',
        alert: {
          action: 'blocked',
          signature_id: 2,
          rev: 1,
          signature: 'not matching any TLS allowlisted FQDNs',
          category: '',
          severity: 3,
        },
        tls: { sni: 'telemetry.example-analytics.io', version: 'UNDETERMINED' },
      },
    });
  }
  // Scenario 4: the Stratum login right after the connection opens, then a share submission alert per minute.
  const scen = [SCENARIO_IDS.mining];
  const miner = HOSTS.batch3.eni.ip;
  const fid = flowId(r);
  const stratum = (us: number, sid: number, signature: string) =>
    out.push({
      us,
      scenarios: scen,
      event: {
        timestamp: eveTime(us),
        flow_id: fid,
        event_type: 'alert',
        src_ip: miner,
        src_port: 47_112,
        dest_ip: ATTACKERS.miningPool,
        dest_port: MINING_POOL_PORT,
        proto: 'TCP',
        app_proto: 'unknown',
        alert: {
          action: 'allowed',
          signature_id: sid,
          rev: 2,
          signature,
          category: 'Crypto Currency Mining Activity Detected',
          severity: 1,
        },
      },
    });
  const login = (TIMES.mining.start + 9 * SECOND) * 1000 + 402_118;
  stratum(login, 1_000_101, 'COINMINER Stratum JSON-RPC login (XMR miner to pool)');
  let submits = 0;
  for (let ms = TIMES.mining.start + 75 * SECOND; ms < TIMES.mining.end; ms += r.int(55, 75) * SECOND) {
    stratum(ms * 1000 + r.int(0, 999_999), 1_000_102, 'COINMINER Stratum mining share submission');
    submits++;
  }
  ctx.scenarios.fact(SCENARIO_IDS.mining, 'firewallAlerts', 1 + submits);
  return out;
}

function write(ctx: Ctx, kind: 'alert' | 'flow', events: Eve[]): void {
  const sorted = events.sort((a, b) => a.us - b.us);
  for (const [w, list] of groupBy(sorted, (e) => windowStart(Math.floor(e.us / 1000), WINDOW))) {
    const rows: Tagged<object>[] = list.map((e) => ({ value: wrap(e), scenarios: e.scenarios }));
    const fw = NETWORK_FIREWALL.name;
    const name = `${PROD}_network-firewall_${kind}_${REGION}_${fw}_${keyStamp(w)}_${rngFor(`nfw:${kind}:${w}`).hex(8)}.log.gz`;
    ctx.writer.jsonLines(
      `AWSLogs/${PROD}/network-firewall/${kind}/${REGION}/${fw}/${hourPath(w)}/${name}`,
      'networkfirewall',
      rows,
      true,
    );
  }
}

export function generateNetworkFirewall(ctx: Ctx): void {
  const r = rngFor('nfw');
  const flows = ctx.egress.filter((c) => !c.open && c.end < END_TIME).flatMap((c) => netflow(r, c, flowId(r)));
  write(ctx, 'flow', flows);
  write(ctx, 'alert', alerts(ctx, r));
}
