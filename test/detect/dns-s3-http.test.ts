import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dgaLike, entropy, registeredDomain } from '../../src/detect/detectors/dns.js';
import { ThreatIntel } from '../../src/detect/intel.js';
import { SqliteStateStore } from '../../src/detect/state.js';
import { ct, dns, MIN, only, parse, run, T0, types } from './helpers.js';

function range<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

describe('DNS: listed domains', () => {
  it('bundled mining-pool list: BitcoinTool.B!DNS for the domain and its subdomains', () => {
    const f = only(
      run(dns([{ name: 'xmr.pool.minergate.com', at: T0, rcode: 'NXDOMAIN' }])),
      'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    );
    expect(f.severity).toBe(8);
    expect(f.service.action).toEqual({
      actionType: 'DNS_REQUEST',
      dnsRequestAction: { domain: 'xmr.pool.minergate.com', protocol: 'UDP', blocked: false },
    });
    expect((f.resource.instanceDetails as { instanceId: string }).instanceId).toBe('i-0123456789abcdef0');
    expect(types(run(dns([{ name: 'minergate.com.example.org', at: T0 }])))).toEqual([]);
    expect(types(run(dns([{ name: 'notminergate.com', at: T0 }])))).toEqual([]);
  });
  it('list categories → types; a sinkhole answer → BlackholeTraffic!DNS', () => {
    const intel = new ThreatIntel();
    intel.add('evil-c2.example', 'c2', 'c2');
    intel.add('login-examp1e.com', 'phish', 'phishing');
    intel.add('exploit.example.net', 'ek', 'driveby');
    intel.add('drop.example.org', 'drops', 'droppoint');
    intel.add('bad.example.info', 'feed', 'malicious');
    intel.add('mine.example.biz', 'mine', 'custom');
    intel.add('192.0.2.254', 'sinkholes', 'blackhole');
    const q = (name: string, answers?: string[]) => dns([{ name, at: T0, answers }]);
    expect(types(run(q('beacon.evil-c2.example'), { intel }))).toEqual(['Backdoor:EC2/C&CActivity.B!DNS']);
    expect(types(run(q('login-examp1e.com'), { intel }))).toEqual(['Trojan:EC2/PhishingDomainRequest!DNS']);
    expect(types(run(q('exploit.example.net'), { intel }))).toEqual(['Trojan:EC2/DriveBySourceTraffic!DNS']);
    expect(types(run(q('drop.example.org'), { intel }))).toEqual(['Trojan:EC2/DropPoint!DNS']);
    expect(types(run(q('bad.example.info'), { intel }))).toEqual(['Impact:EC2/MaliciousDomainRequest.Reputation']);
    expect(types(run(q('mine.example.biz'), { intel }))).toEqual(['Impact:EC2/MaliciousDomainRequest.Custom']);
    expect(types(run(q('gone.example.com', ['192.0.2.254']), { intel }))).toEqual(['Trojan:EC2/BlackholeTraffic!DNS']);
    expect(types(run(q('x.duckdns.org'), { intel: undefined }))).toEqual(['Impact:EC2/AbusedDomainRequest.Reputation']);
  });
});

describe('DNS: exfiltration, DGA, rebinding', () => {
  const chunk = (i: number) => createHash('sha1').update(`row ${i}`).digest('hex');
  it('DNSDataExfiltration: 20 long high-entropy subdomains under one domain; 19 are not enough', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
    const q = (n: number) =>
      dns(range(n, (i) => ({ name: `${chunk(i)}.${i}.t.exfil-example.com`, at: T0 + i * 1000 })));
    const f = only(run(q(20)), 'Trojan:EC2/DNSDataExfiltration');
    expect(f.explanation.evidence.domain).toBe('exfil-example.com');
    expect(types(run(q(19)))).toEqual([]);
    const normal = dns(range(30, (i) => ({ name: `img${i}.cdn.example.com`, at: T0 + i * 1000 })));
    expect(types(run(normal))).toEqual([]);
  });
  it('DGA: 10 distinct machine-looking NXDOMAIN names within the window', () => {
    expect(registeredDomain('a.b.example.co.uk')).toBe('example.co.uk');
    expect(dgaLike('xkqzvbrtplw', 10, 3)).toMatch(/consonants/);
    expect(dgaLike('wikipedia', 10, 3)).toBeUndefined();
    const names = [
      'xkqzvbrtplw',
      'q8f3k2j9d1x',
      'zzpqrtkwvmn',
      'h7g6f5d4s3a',
      'bcdfghjklmn',
      'p0o9i8u7y6t',
      'mnbvcxzlkjh',
      'qwrtypsdfgh',
      'k2j3h4g5f6d',
      'vbnmqwrtzxc',
    ];
    const q = (list: string[], rcode = 'NXDOMAIN') =>
      dns(list.map((n, i) => ({ name: `${n}.com`, at: T0 + i * 1000, rcode })));
    expect(types(run(q(names)))).toEqual(['Trojan:EC2/DGADomainRequest.C!DNS']);
    expect(types(run(q(names.slice(0, 9))))).toEqual([]);
    expect(types(run(q(names, 'NOERROR')))).toEqual([]);
  });
  it('MetadataDNSRebind: a foreign name answered with 169.254.169.254', () => {
    expect(types(run(dns([{ name: 'rebind.attacker.example', at: T0, answers: ['169.254.169.254'] }])))).toEqual([
      'UnauthorizedAccess:EC2/MetadataDNSRebind',
    ]);
    expect(types(run(dns([{ name: 'instance-data.ec2.internal', at: T0, answers: ['169.254.169.254'] }])))).toEqual([]);
    expect(types(run(dns([{ name: 'rebind.attacker.example', at: T0, answers: ['192.0.2.1'] }])))).toEqual([]);
  });
});

function s3Line(o: { ip: string; op: string; ua?: string; at?: number; reqId?: string; bucket?: string }): string {
  const d = new Date(o.at ?? T0);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  const time = `[${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000]`;
  return `7a4c3f1e9b2d8e6a0c5f4b3a2d1e9f8c7b6a5d4e3f2c1b0a9e8d7c6b5a4f3e2d ${o.bucket ?? 'exports'} ${time} ${o.ip} arn:aws:iam::111122223333:user/analyst ${o.reqId ?? 'DA9B3146D7AD3C19'} ${o.op} data/file.csv "GET /data/file.csv HTTP/1.1" 200 - 7931 7931 14 28 "-" "${o.ua ?? 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0'}" - WasfN+O90GBToEXS9a3hyyTs0Z+Xkg= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader exports.s3.us-east-1.amazonaws.com TLSv1.2 - -`;
}

describe('S3 server access logs and data events', () => {
  const intel = new ThreatIntel();
  intel.add('192.0.2.66', 'tor', 'tor');
  intel.add('198.51.100.4', 'feed', 'malicious');
  intel.add('203.0.113.0/24', 'mine', 'custom');
  const s3 = (o: Parameters<typeof s3Line>[0]) => parse('s3access', `${s3Line(o)}\n`);
  it('operation classes from access logs', () => {
    expect(types(run(s3({ ip: '192.0.2.66', op: 'REST.GET.BUCKET' }), { intel }))).toEqual([
      'Discovery:S3/TorIPCaller',
    ]);
    expect(types(run(s3({ ip: '192.0.2.66', op: 'REST.GET.OBJECT' }), { intel }))).toEqual([
      'UnauthorizedAccess:S3/TorIPCaller',
    ]);
    expect(types(run(s3({ ip: '198.51.100.4', op: 'REST.GET.OBJECT' }), { intel }))).toEqual([
      'Exfiltration:S3/MaliciousIPCaller',
    ]);
    expect(types(run(s3({ ip: '198.51.100.4', op: 'REST.PUT.OBJECT' }), { intel }))).toEqual([
      'Impact:S3/MaliciousIPCaller',
    ]);
    expect(types(run(s3({ ip: '198.51.100.4', op: 'REST.GET.ACL' }), { intel }))).toEqual([
      'Discovery:S3/MaliciousIPCaller',
    ]);
    expect(types(run(s3({ ip: '203.0.113.8', op: 'REST.HEAD.OBJECT' }), { intel }))).toEqual([
      'Discovery:S3/MaliciousIPCaller.Custom',
    ]);
    expect(types(run(s3({ ip: '203.0.113.8', op: 'REST.GET.OBJECT' }), { intel }))).toEqual([
      'UnauthorizedAccess:S3/MaliciousIPCaller.Custom',
    ]);
    expect(types(run(s3({ ip: '10.0.10.21', op: 'REST.GET.OBJECT' }), { intel }))).toEqual([]);
  });
  it('a request in both the data events and the access log counts once (same request id)', () => {
    const event = ct({
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      sourceIPAddress: '192.0.2.66',
      requestID: 'REQ1',
      requestParameters: { bucketName: 'exports', key: 'data/file.csv' },
    });
    const res = run([event, ...s3({ ip: '192.0.2.66', op: 'REST.GET.OBJECT', reqId: 'REQ1' })], { intel });
    expect(res.findings.map((f) => [f.type, f.service.count])).toEqual([['UnauthorizedAccess:S3/TorIPCaller', 1]]);
  });
  it('PenTest:S3 from the access-log user agent', () => {
    expect(
      types(run(s3({ ip: '10.0.0.1', op: 'REST.GET.OBJECT', ua: 'aws-cli/1.18 Python/3.8 Linux/5.10.0-kali7-amd64' }))),
    ).toEqual(['PenTest:S3/KaliLinux']);
  });
});

function albLine(ip: string, at: number, path = '/api/search?q=x'): string {
  const t = new Date(at).toISOString().replace('Z', '000Z').replace('.000000Z', '.000000Z');
  return `h2 ${t} app/shop-prod/4f9a3c2e1b0d8a76 ${ip}:52444 10.0.11.34:8080 0.003 0.080 0.000 200 200 717 4893 "GET https://shop.example.com:443${path} HTTP/2.0" "curl/8.0" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/shop-web/6d0ecf831eec9f09 "Root=1-6ae68b93-584eb6e601d3b9482a6ffab2" "shop.example.com" "-" 1 ${t} "forward" "-" "-" "10.0.11.34:8080" "200" "-" "-" TID_6e163134b94e796f3fcb7ef944ec60dc`;
}

const CF_HEADER =
  '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken\n';
function cfLine(ip: string, at: number, query: string, result = 'Miss', stem = '/index.html'): string {
  const iso = new Date(at).toISOString();
  return [
    iso.slice(0, 10),
    iso.slice(11, 19),
    'IAD89-C2',
    1000,
    ip,
    'GET',
    'd2m3x8k1qz9yvb.cloudfront.net',
    stem,
    200,
    '-',
    'curl/8.0',
    query || '-',
    '-',
    result,
    'req',
    'www.example.com',
    'https',
    300,
    0.1,
  ].join('\t');
}

describe('HTTP floods and cache busting', () => {
  const p = { 'http-request-flood': { maxRequests: 50, windowSeconds: 60 } };
  it('ALB: one client over maxRequests within the window', () => {
    const reqs = (n: number, spacing = 500) =>
      parse('alb', `${range(n, (i) => albLine('198.51.100.9', T0 + i * spacing)).join('\n')}\n`);
    const f = only(run(reqs(50), { params: p }), 'DDoS:ELB/REQUEST_FLOOD');
    expect(f.resource).toEqual({
      resourceType: 'LoadBalancer',
      loadBalancerDetails: { name: 'app/shop-prod/4f9a3c2e1b0d8a76' },
    });
    expect(types(run(reqs(49), { params: p }))).toEqual([]);
    expect(types(run(reqs(50, 2000), { params: p }))).toEqual([]); // spread over 100 s
  });
  it('a request window persisted by an earlier version (generic window shape) is upgraded and continues', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-upgrade-'));
    try {
      const path = join(dir, 'state.db');
      const reqs = parse('alb', `${range(50, (i) => albLine('198.51.100.9', T0 + i * 500)).join('\n')}\n`);
      // The first 49 requests as the previous version wrote them: {$kind: 'win', n, packets (5xx), d (paths), o}.
      const old = new SqliteStateStore(path);
      const win = { $kind: 'win', start: T0, last: T0 + 48 * 500, n: 49, packets: 0, bytes: 0, fired: 0 };
      const row = { $obj: { ...win, d: { $set: ['/api/search'] }, o: [reqs[0]!.origin] } };
      const key = 'alb|app/shop-prod/4f9a3c2e1b0d8a76|198.51.100.9';
      old.setMeta('windows', JSON.stringify({ 'http-request-flood.requests': [[key, row, T0 + 48 * 500]] }));
      old.setMeta('maxTimes', JSON.stringify({ alb: T0 + 48 * 500 }));
      old.close();
      const res = run(reqs.slice(49), { params: p, store: new SqliteStateStore(path) });
      const f = only(res, 'DDoS:ELB/REQUEST_FLOOD');
      expect(f.explanation.evidence).toMatchObject({ requests: 50, serverErrors: 0 });
      expect(f.explanation.records.map((r) => r.line)).toEqual([1, 50]);
      expect(res.stats.detectorErrors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('CloudFront: per-client flood and cache busting by random query strings', () => {
    const flood = parse(
      'cloudfront',
      CF_HEADER + range(50, (i) => cfLine('198.51.100.9', T0 + i * 500, '', 'Hit')).join('\n'),
    );
    expect(types(run(flood, { params: p }))).toEqual(['DDoS:CloudFront/REQUEST_FLOOD']);
    const cb = { 'cloudfront-cache-busting': { minMisses: 40 } };
    const bust = (n: number, distinct: boolean) =>
      parse(
        'cloudfront',
        CF_HEADER +
          range(n, (i) => cfLine(`203.0.113.${(i % 200) + 1}`, T0 + i * 1000, `v=${distinct ? i * 7919 : 1}`)).join(
            '\n',
          ),
      );
    const f = only(run(bust(40, true), { params: cb }), 'DDoS:CloudFront/REQUEST_FLOOD.CacheBusting');
    expect(f.explanation.evidence.distinctQueries).toBe(40);
    expect(types(run(bust(39, true), { params: cb }))).toEqual([]);
    expect(types(run(bust(60, false), { params: cb }))).toEqual([]);
    void MIN;
  });
});
