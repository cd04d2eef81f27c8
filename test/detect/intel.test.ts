import { describe, expect, it } from 'vitest';
import { ipv4ToInt, isPublicIp } from '../../src/core/ipv4.js';
import { geoFromMmdb, openGeo } from '../../src/detect/geo.js';
import {
  bundledIntel,
  categoryFromFeed,
  loadIntelText,
  parseIntelSpec,
  splitCsv,
  ThreatIntel,
} from '../../src/detect/intel.js';
import { parseAwsIpRanges } from '../../src/detect/ip-ranges.js';
import { NetContext } from '../../src/detect/net.js';
import { loadIntel } from '../../src/detect/run.js';

describe('threat intel lists', () => {
  it('plain text: IPs, CIDRs, domains, comments; bad lines reported with line numbers', () => {
    const intel = new ThreatIntel();
    const issues = loadIntelText(
      intel,
      '# my list\n192.0.2.1\n198.51.100.0/24  # office scanner\n2001:db8::/32\nevil.example\nnot an ip!\n300.1.1.1\n',
      'mine',
      'mine.txt',
    );
    expect(issues).toEqual([
      { file: 'mine.txt', line: 6, reason: 'not an IP address, CIDR or domain: "not"' },
      { file: 'mine.txt', line: 7, reason: 'not an IP address, CIDR or domain: "300.1.1.1"' },
    ]);
    expect(intel.lookupIp('192.0.2.1')?.[0]).toMatchObject({ list: 'mine', category: 'custom', entry: '192.0.2.1' });
    expect(intel.lookupIp('198.51.100.255')?.[0]?.entry).toBe('198.51.100.0/24');
    expect(intel.lookupIp('198.51.101.0')).toBeUndefined();
    expect(intel.lookupIp('2001:db8:0:0::5')?.[0]?.entry).toBe('2001:db8::/32');
    expect(intel.lookupDomain('a.b.EVIL.example.')?.[0]?.entry).toBe('evil.example');
    expect(intel.lookupDomain('example')).toBeUndefined();
    expect(intel.size).toBe(4);
  });

  it('OTX CSV: indicator type column, non-network indicators skipped, description classifies', () => {
    const intel = new ThreatIntel();
    const csv =
      'Indicator type,Indicator,Description\nIPv4,203.0.113.5,Cobalt Strike C2\ndomain,bad.example,Phishing kit\nFileHash-SHA256,abc123,malware\nURL,http://x.example/a,url\n';
    expect(loadIntelText(intel, csv, 'otx', 'otx.csv')).toEqual([]);
    expect(intel.lookupIp('203.0.113.5')?.[0]).toMatchObject({ category: 'c2', threatName: 'Cobalt Strike C2' });
    expect(intel.lookupDomain('bad.example')?.[0]?.category).toBe('phishing');
  });

  it('Proofpoint ET reputation CSV (ip,category,score) and a forced category', () => {
    const intel = new ThreatIntel();
    loadIntelText(
      intel,
      'ip,category,score\n192.0.2.9,TorNode,100\n192.0.2.10,CnC,127\n192.0.2.11,Scanner,50\n',
      'et',
      'et.csv',
    );
    expect(intel.lookupIp('192.0.2.9')?.[0]?.category).toBe('tor');
    expect(intel.lookupIp('192.0.2.10')?.[0]?.category).toBe('c2');
    expect(intel.lookupIp('192.0.2.11')?.[0]?.category).toBe('scanner');
    const forced = new ThreatIntel();
    loadIntelText(forced, 'ip,category\n192.0.2.9,Whatever\n', 'x', 'x.csv', 'tor');
    expect(forced.lookupIp('192.0.2.9')?.[0]?.category).toBe('tor');
  });

  it('an unreadable --intel file is a usage error naming it', () => {
    expect(() => loadIntel(['tor:/nonexistent/exits.txt'])).toThrow(/--intel \/nonexistent\/exits.txt: cannot read/);
  });

  it('helpers: CSV quoting, category mapping, --intel spec', () => {
    expect(splitCsv('a,"b,c","d""e"')).toEqual(['a', 'b,c', 'd"e']);
    expect(categoryFromFeed('Dynamic DNS')).toBe('abused');
    expect(categoryFromFeed('')).toBeUndefined();
    expect(parseIntelSpec('tor:/x/exits.txt')).toEqual({ category: 'tor', path: '/x/exits.txt' });
    expect(parseIntelSpec('C:/lists/x.txt')).toEqual({ path: 'C:/lists/x.txt' });
  });

  it('bundled defaults: mining pools, DoH resolvers, abused dynamic-DNS domains; no Tor list', () => {
    const b = bundledIntel();
    expect(b.lookupDomain('pool.supportxmr.com')?.[0]?.category).toBe('mining');
    expect(b.lookupIp('1.1.1.1')?.[0]?.category).toBe('doh');
    expect(b.lookupDomain('x.duckdns.org')?.[0]?.category).toBe('abused');
    expect([...b.lists.values()].some((l) => l.category === 'tor')).toBe(false);
  });
});

describe('network helpers', () => {
  it('IPv4 parsing and public/private', () => {
    expect(ipv4ToInt('10.0.0.1')).toBe(167772161);
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '', 'a.b.c.d']) expect(ipv4ToInt(bad)).toBe(-1);
    expect(isPublicIp('10.1.2.3')).toBe(false);
    expect(isPublicIp('100.64.0.1')).toBe(false);
    expect(isPublicIp('172.32.0.1')).toBe(true);
    expect(isPublicIp('fd00::1')).toBe(false);
    expect(isPublicIp('2001:db8::1')).toBe(true);
  });
  it('local CIDRs override the private-range default', () => {
    expect(new NetContext().isLocal('10.0.0.5')).toBe(true);
    const n = new NetContext(['172.31.0.0/16']);
    expect(n.isLocal('172.31.5.5')).toBe(true);
    expect(n.isLocal('10.0.0.5')).toBe(false);
  });
  it('ip-ranges.json: most specific prefix, IPv6, clear errors', () => {
    const r = parseAwsIpRanges(
      JSON.stringify({
        syncToken: '1700000000',
        prefixes: [
          { ip_prefix: '3.0.0.0/8', region: 'GLOBAL', service: 'AMAZON' },
          { ip_prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'S3' },
        ],
        ipv6_prefixes: [{ ipv6_prefix: '2600:1f00::/24', region: 'GLOBAL', service: 'AMAZON' }],
      }),
      'ip-ranges.json',
    );
    expect(r.find('3.5.141.1')).toEqual({ prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'S3' });
    expect(r.find('3.9.9.9')?.service).toBe('AMAZON');
    expect(r.find('2600:1f00::1')?.region).toBe('GLOBAL');
    expect(r.find('81.2.69.142')).toBeUndefined();
    expect(() => parseAwsIpRanges('{', 'x.json')).toThrow(/--aws-ip-ranges x.json: not JSON/);
    expect(() => parseAwsIpRanges('{"a":1}', 'x.json')).toThrow(/expected AWS ip-ranges.json/);
  });
  it('GeoIP: bundled country database and MaxMind/ip-location-db record shapes', () => {
    const g = openGeo();
    expect(g.sources[0]).toContain('bundled');
    expect(g.lookup('81.2.69.142')).toMatchObject({ countryCode: 'GB', countryName: 'United Kingdom' });
    expect(g.lookup('10.0.0.1')).toBeUndefined();
    expect(
      geoFromMmdb({
        country: { iso_code: 'DE' },
        city: { names: { en: 'Berlin' } },
        location: { latitude: 52.5, longitude: 13.4 },
      }),
    ).toEqual({
      countryCode: 'DE',
      countryName: 'Germany',
      cityName: 'Berlin',
      lat: 52.5,
      lon: 13.4,
    });
    expect(geoFromMmdb({ autonomous_system_number: 16509, autonomous_system_organization: 'AMAZON-02' })).toEqual({
      asn: '16509',
      asnOrg: 'AMAZON-02',
    });
    expect(() => openGeo(['/nonexistent.mmdb'], false)).toThrow(
      /--geoip \/nonexistent.mmdb: not a readable MaxMind DB file/,
    );
  });
});
