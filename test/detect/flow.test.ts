import { describe, expect, it } from 'vitest';
import { ThreatIntel } from '../../src/detect/intel.js';
import { type FlowSpec, flows, MIN, only, run, T0, types } from './helpers.js';

const ME = '10.0.0.20';
const H = 3_600_000;

function range<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

describe('Recon:EC2/Portscan and Impact:EC2/PortSweep (outbound)', () => {
  const scan = (ports: number) =>
    flows(
      range(ports, (i) => ({
        src: ME,
        dst: '203.0.113.9',
        sport: 50000 + i,
        dport: 1 + i,
        at: T0 + i * 1000,
        action: 'REJECT' as const,
        packets: 1,
        bytes: 44,
        flags: 2,
      })),
    );
  it('fires at exactly minPorts (25) distinct ports, not at 24', () => {
    const f = only(run(scan(25)), 'Recon:EC2/Portscan');
    expect(f.severity).toBe(5);
    expect(f.service.resourceRole).toBe('ACTOR');
    expect(f.resource.resourceType).toBe('Instance');
    expect(f.explanation.thresholds).toEqual({ minPorts: 25, windowMinutes: 5 });
    expect(types(run(scan(24)))).toEqual([]);
  });
  it('ignores the replies of a server to many clients (local port is the service port)', () => {
    const replies = flows(
      range(40, (i) => ({ src: ME, dst: '203.0.113.9', sport: 443, dport: 40000 + i, at: T0 + i * 1000 })),
    );
    expect(types(run(replies))).toEqual([]);
  });
  it('ports spread beyond the window do not add up', () => {
    const slow = flows(
      range(30, (i) => ({
        src: ME,
        dst: '203.0.113.9',
        sport: 50000 + i,
        dport: 1 + i,
        at: T0 + i * 20_000,
        packets: 1,
      })),
    );
    expect(types(run(slow))).toEqual([]);
  });
  it('PortSweep: one port on 25 public hosts (High); private hosts do not count', () => {
    const sweep = (n: number, prefix = '198.51.100.', packets = 1) =>
      flows(
        range(n, (i) => ({
          src: ME,
          dst: `${prefix}${i + 1}`,
          sport: 50000 + i,
          dport: 6379,
          at: T0 + i * 1000,
          packets,
        })),
      );
    expect(only(run(sweep(25)), 'Impact:EC2/PortSweep').severity).toBe(8);
    expect(types(run(sweep(24)))).toEqual([]);
    expect(types(run(sweep(30, '10.9.0.')))).toEqual([]);
    // Connections that exchange data are clients, not probes.
    expect(types(run(sweep(30, '198.51.100.', 12)))).toEqual([]);
  });
});

describe('Recon:EC2/PortProbeUnprotectedPort (inbound)', () => {
  const probe = (ports: number[], open: number[], src = '198.51.100.77') =>
    flows(
      ports.map((p, i) => ({
        src,
        dst: ME,
        sport: 61000,
        dport: p,
        at: T0 + i * 500,
        packets: 1,
        bytes: 44,
        flags: 2,
        action: open.includes(p) ? ('ACCEPT' as const) : ('REJECT' as const),
      })),
    );
  it('an open port found by a scanner of ≥ 10 ports; Elasticsearch ports are High', () => {
    const ports = range(12, (i) => 8000 + i).concat([443, 9200]);
    const res = run(probe(ports, [443, 9200]));
    expect(
      res.findings.map((f) => [
        f.type,
        f.severity,
        (f.service.action.portProbeAction as { portProbeDetails: { localPortDetails: { port: number } }[] })
          .portProbeDetails[0]!.localPortDetails.port,
      ]),
    ).toEqual([
      ['Recon:EC2/PortProbeUnprotectedPort', 2, 443],
      ['Recon:EC2/PortProbeUnprotectedPort', 8, 9200],
    ]);
  });
  it('threshold boundary: 9 distinct ports is not a scan; a listed scanner needs no count', () => {
    expect(types(run(probe(range(8, (i) => 8000 + i).concat([443]), [443])))).toEqual([]);
    expect(types(run(probe(range(9, (i) => 8000 + i).concat([443]), [443])))).toEqual([
      'Recon:EC2/PortProbeUnprotectedPort',
    ]);
    const intel = new ThreatIntel();
    intel.add('198.51.100.77', 'scanners', 'scanner');
    expect(types(run(probe([443], [443]), { intel }))).toEqual(['Recon:EC2/PortProbeUnprotectedPort']);
  });
  it('EMR ports give the EMR variant', () => {
    expect(types(run(probe(range(10, (i) => 7000 + i).concat([8088]), [8088])))).toEqual([
      'Recon:EC2/PortProbeEMRUnprotectedPort',
    ]);
  });
  it('a scan where every port is closed is not a finding', () => {
    expect(
      types(
        run(
          probe(
            range(30, (i) => 8000 + i),
            [],
          ),
        ),
      ),
    ).toEqual([]);
  });
});

describe('brute force (SSH, RDP, WinRM)', () => {
  const tries = (n: number, dport: number, opts: Partial<FlowSpec> = {}) =>
    flows(
      range(n, (i) => ({
        src: '203.0.113.45',
        dst: ME,
        sport: 40000 + i,
        dport,
        at: T0 + i * 5000,
        packets: 8,
        ...opts,
      })),
    );
  it('20 short connections to 22 within 10 minutes: SSHBruteForce, Low, instance is the target', () => {
    const f = only(run(tries(20, 22)), 'UnauthorizedAccess:EC2/SSHBruteForce');
    expect(f.severity).toBe(2);
    expect(f.service.resourceRole).toBe('TARGET');
    expect(types(run(tries(19, 22)))).toEqual([]);
  });
  it('RDP and WinRM', () => {
    expect(types(run(tries(20, 3389)))).toEqual(['UnauthorizedAccess:EC2/RDPBruteForce']);
    expect(types(run(tries(20, 5986)))).toEqual(['Impact:EC2/WinRMBruteForce']);
  });
  it('long sessions are not guesses; reply records are not counted twice', () => {
    expect(types(run(tries(30, 22, { packets: 500 })))).toEqual([]);
    const replies = flows(
      range(19, (i) => ({ src: ME, dst: '203.0.113.45', sport: 22, dport: 40000 + i, at: T0 + i * 5000 })),
    );
    expect(types(run([...tries(19, 22), ...replies]))).toEqual([]);
  });
  it('our instance brute-forcing someone else is the ACTOR and High', () => {
    const out = flows(
      range(20, (i) => ({ src: ME, dst: '198.51.100.5', sport: 40000 + i, dport: 22, at: T0 + i * 5000, packets: 8 })),
    );
    const f = only(run(out), 'UnauthorizedAccess:EC2/SSHBruteForce');
    expect([f.severity, f.service.resourceRole]).toEqual([8, 'ACTOR']);
  });
});

describe('threat-list traffic', () => {
  const intel = new ThreatIntel();
  intel.add('192.0.2.150', 'pools', 'mining', 'MoneroPool');
  intel.add('192.0.2.10', 'tor', 'tor');
  intel.add('192.0.2.20', 'c2', 'c2', 'Cobalt');
  intel.add('192.0.2.30', 'sinkholes', 'blackhole');
  intel.add('192.0.2.40', 'drops', 'droppoint');
  intel.add('192.0.2.50', 'mine', 'custom');
  const out = (dst: string, dport = 443, action: 'ACCEPT' | 'REJECT' = 'ACCEPT') =>
    flows([{ src: ME, dst, sport: 51000, dport, at: T0, action }]);
  it('maps list categories to finding types', () => {
    expect(types(run(out('192.0.2.150'), { intel }))).toEqual(['CryptoCurrency:EC2/BitcoinTool.B']);
    expect(types(run(out('192.0.2.10', 9001), { intel }))).toEqual(['UnauthorizedAccess:EC2/TorClient']);
    expect(types(run(out('192.0.2.20'), { intel }))).toEqual(['Backdoor:EC2/C&CActivity.B']);
    expect(types(run(out('192.0.2.30'), { intel }))).toEqual(['Trojan:EC2/BlackholeTraffic']);
    expect(types(run(out('192.0.2.40'), { intel }))).toEqual(['Trojan:EC2/DropPoint']);
    expect(types(run(out('192.0.2.50'), { intel }))).toEqual(['UnauthorizedAccess:EC2/MaliciousIPCaller.Custom']);
    const relay = flows([{ src: '192.0.2.10', dst: ME, sport: 51000, dport: 9001, at: T0 }]);
    expect(types(run(relay, { intel }))).toEqual(['UnauthorizedAccess:EC2/TorRelay']);
  });
  it('rejected traffic and unlisted hosts are not findings; Stratum ports alone are enough for mining', () => {
    expect(types(run(out('192.0.2.150', 443, 'REJECT'), { intel }))).toEqual([]);
    expect(types(run(out('192.0.2.151'), { intel }))).toEqual([]);
    const f = only(run(out('192.0.2.99', 3333), { intel }), 'CryptoCurrency:EC2/BitcoinTool.B');
    expect(f.explanation.reason).toContain('Stratum');
    expect(
      types(run(out('192.0.2.99', 3333), { intel, params: { 'ec2-threat-list-traffic': { stratumPorts: [] } } })),
    ).toEqual([]);
  });
  it('NAT gateway ENIs (no instance-id) are not instances', () => {
    const nat = flows([{ src: '10.0.0.9', dst: '192.0.2.150', sport: 51000, dport: 443, at: T0, instance: '-' }]);
    expect(types(run(nat, { intel }))).toEqual([]);
  });
  it('evidence names the list', () => {
    const f = run(out('192.0.2.20'), { intel }).findings[0]!;
    expect(f.service.evidence?.threatIntelligenceDetails).toEqual([{ threatListName: 'c2', threatNames: ['Cobalt'] }]);
  });
});

describe('behaviour baselines', () => {
  const params = { learningPeriodHours: 24 };
  const all = {
    'ec2-network-port-unusual': params,
    'ec2-unusual-dns-resolver': params,
    'ec2-traffic-volume-unusual': { ...params, minHistoryWindows: 2, minBytes: 1000 },
  };
  const history = flows([{ src: ME, dst: '203.0.113.1', sport: 50000, dport: 443, at: T0 }]);
  it('NetworkPortUnusual: a first remote port after the learning period; not for a known port, not while learning', () => {
    const later = (dport: number, at = T0 + 25 * H) =>
      flows([{ src: ME, dst: '203.0.113.2', sport: 50001, dport, at }]);
    expect(types(run([...history, ...later(6667)], { params: all }))).toEqual(['Behavior:EC2/NetworkPortUnusual']);
    expect(types(run([...history, ...later(443)], { params: all }))).toEqual([]);
    expect(types(run([...history, ...later(6667, T0 + 24 * H - 1000)], { params: all }))).toEqual([]);
    expect(types(run([...history, ...later(6667, T0 + 24 * H)], { params: all }))).toEqual([
      'Behavior:EC2/NetworkPortUnusual',
    ]);
  });
  it('Spambot: first SMTP from the instance', () => {
    const smtp = flows([{ src: ME, dst: '203.0.113.25', sport: 50002, dport: 25, at: T0 + 30 * H }]);
    expect(types(run([...history, ...smtp], { params: all }))).toEqual(['Backdoor:EC2/Spambot']);
  });
  it('UnusualDNSResolver, DoT and DoH (bundled DoH resolver list)', () => {
    const later = (dst: string, dport: number, proto = 6) =>
      flows([{ src: ME, dst, sport: 50003, dport, proto, at: T0 + 30 * H }]);
    expect(types(run([...history, ...later('203.0.113.53', 53, 17)], { params: all }))).toContain(
      'DefenseEvasion:EC2/UnusualDNSResolver',
    );
    expect(types(run([...history, ...later('203.0.113.53', 853)], { params: all }))).toContain(
      'DefenseEvasion:EC2/UnusualDoTActivity',
    );
    expect(types(run([...history, ...later('1.1.1.1', 443)], { params: all }))).toEqual([
      'DefenseEvasion:EC2/UnusualDoHActivity',
    ]);
    expect(types(run([...history, ...later('203.0.113.1', 443)], { params: all }))).toEqual([]);
  });
  it('TrafficVolumeUnusual: a window far above the largest earlier one', () => {
    const win = (i: number, bytes: number) => ({
      src: ME,
      dst: '203.0.113.1',
      sport: 50000,
      dport: 443,
      at: T0 + 25 * H + i * 11 * MIN,
      bytes,
    });
    const quiet = flows([win(0, 500), win(1, 800), win(2, 700)]);
    const spike = (bytes: number) => flows([win(3, bytes)]);
    // history: two completed windows, max 800 → limit max(10 × 800, 1000) = 8000
    expect(types(run([...history, ...quiet, ...spike(8001)], { params: all }))).toEqual([
      'Behavior:EC2/TrafficVolumeUnusual',
    ]);
    expect(types(run([...history, ...quiet, ...spike(8000)], { params: all }))).toEqual([]);
  });
});

describe('denial of service', () => {
  it('outbound floods by protocol and port (instance is the actor)', () => {
    const flood = (proto: number, dport: number, packets: number) =>
      flows([{ src: ME, dst: '198.51.100.80', sport: 40000, dport, proto, packets, bytes: packets * 60, at: T0 }]);
    const p = { 'ec2-denial-of-service': { minPackets: 1000, minPacketsUnusualProtocol: 100 } };
    expect(types(run(flood(6, 80, 1000), { params: p }))).toEqual(['Backdoor:EC2/DenialOfService.Tcp']);
    expect(types(run(flood(6, 80, 999), { params: p }))).toEqual([]);
    expect(types(run(flood(17, 53, 1000), { params: p }))).toEqual(['Backdoor:EC2/DenialOfService.Dns']);
    expect(types(run(flood(17, 443, 1000), { params: p }))).toEqual(['Backdoor:EC2/DenialOfService.UdpOnTcpPorts']);
    expect(types(run(flood(17, 9999, 1000), { params: p }))).toEqual(['Backdoor:EC2/DenialOfService.Udp']);
    expect(types(run(flood(47, 0, 100), { params: p }))).toEqual(['Backdoor:EC2/DenialOfService.UnusualProtocol']);
  });
  it('SYN flood: SYN-only records from many sources, composition test', () => {
    const p = { 'ddos-flow': { minSources: 10, minSynRecords: 20 } };
    const syns = (n: number) =>
      range(n, (i) => ({
        src: `198.51.100.${i + 1}`,
        dst: ME,
        sport: 40000 + i,
        dport: 443,
        packets: 1,
        bytes: 40,
        flags: 2,
        at: T0 + i * 100,
      }));
    const f = only(run(flows(syns(20)), { params: p }), 'DDoS:EC2/SYN_FLOOD');
    expect(f.service.resourceRole).toBe('TARGET');
    expect(types(run(flows(syns(19)), { params: p }))).toEqual([]);
    // Same SYNs drowned in completed connections: the SYN share is below 80 %.
    const normal = range(10, (i) => ({
      src: `203.0.113.${i + 1}`,
      dst: ME,
      sport: 30000 + i,
      dport: 443,
      packets: 20,
      bytes: 4000,
      flags: 27,
      at: T0 + i * 100,
    }));
    expect(types(run(flows([...normal, ...syns(25)]), { params: p }))).toEqual([]);
  });
  it('ACK flood and plain UDP traffic floods', () => {
    const p = { 'ddos-flow': { minSources: 10, minSynRecords: 20, minBytes: 100_000 } };
    const acks = (n: number) =>
      range(n, (i) => ({
        src: `198.51.100.${i + 1}`,
        dst: ME,
        sport: 40000 + i,
        dport: 443,
        packets: 1,
        bytes: 40,
        flags: 16,
        at: T0 + i * 100,
      }));
    expect(types(run(flows(acks(20)), { params: p }))).toEqual(['DDoS:EC2/ACK_FLOOD']);
    expect(types(run(flows(acks(19)), { params: p }))).toEqual([]);
    const udp = (n: number, bytes: number) =>
      flows(
        range(n, (i) => ({
          src: `198.51.100.${i + 1}`,
          dst: ME,
          sport: 40000 + i,
          dport: 5060,
          proto: 17,
          packets: 100,
          bytes,
          at: T0 + i * 100,
        })),
      );
    const f = only(run(udp(10, 10_000), { params: p }), 'DDoS:EC2/UDP_TRAFFIC');
    expect(f.explanation.reason).toBe('100000 bytes of UDP (≥ 100000) from 10 sources (≥ 10)');
    expect(types(run(udp(10, 9_999), { params: p }))).toEqual([]);
    expect(types(run(udp(9, 20_000), { params: p }))).toEqual([]);
  });

  it('UDP reflection named by the reflector port; fragments', () => {
    const p = { 'ddos-flow': { minSources: 5, minBytes: 100_000, minBytesPerPacket: 400 } };
    const refl = (sport: number, n: number, bpp = 1000) =>
      flows(
        range(n, (i) => ({
          src: `198.51.100.${i + 1}`,
          dst: ME,
          sport,
          dport: 30000 + i,
          proto: 17,
          packets: 25,
          bytes: 25 * bpp,
          at: T0 + i * 100,
        })),
      );
    expect(types(run(refl(123, 5), { params: p }))).toEqual(['DDoS:EC2/NTP_REFLECTION']);
    expect(types(run(refl(11211, 5), { params: p }))).toEqual(['DDoS:EC2/MEMCACHED_REFLECTION']);
    expect(types(run(refl(389, 5), { params: p }))).toEqual(['DDoS:EC2/GENERIC_UDP_REFLECTION']);
    expect(types(run(refl(123, 4), { params: p }))).toEqual([]); // 4 sources
    expect(types(run(refl(123, 5, 100), { params: p }))).toEqual([]); // small packets: not amplified
    const frags = flows(
      range(5, (i) => ({
        src: `198.51.100.${i + 1}`,
        dst: ME,
        sport: 0,
        dport: 0,
        proto: 17,
        packets: 20,
        bytes: 30_000,
        at: T0 + i * 100,
      })),
    );
    expect(types(run(frags, { params: p }))).toEqual(['DDoS:EC2/UDP_FRAGMENT']);
  });
});
