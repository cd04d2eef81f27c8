/**
 * Threat intelligence: IP / CIDR sets and domain lists, as GuardDuty accepts them (plain text one entry per line;
 * AlienVault OTX CSV; FireEye iSIGHT / Proofpoint ET CSV with a header row), plus a small bundled default set.
 *
 * Each list has a category that decides which finding family a hit produces (tor → TorIPCaller / TorClient, mining →
 * BitcoinTool.B, c2 → C&CActivity.B, custom → *.Custom …). A file's category comes from a `category:path` prefix on
 * `--intel`, else from the per-row category column of CSV feeds, else `custom` (a user-uploaded list, as GuardDuty's
 * "threat list").
 */
import ipaddr from 'ipaddr.js';
import { ipv4ToInt, maskOf } from '../core/ipv4.js';
import { IntTable } from './int-table.js';

export const INTEL_CATEGORIES = [
  'custom',
  'malicious',
  'tor',
  'mining',
  'c2',
  'phishing',
  'driveby',
  'blackhole',
  'droppoint',
  'scanner',
  'doh',
  'abused',
] as const;
export type IntelCategory = (typeof INTEL_CATEGORIES)[number];

export function isIntelCategory(s: string): s is IntelCategory {
  return (INTEL_CATEGORIES as readonly string[]).includes(s);
}

export interface IntelHit {
  list: string;
  category: IntelCategory;
  /** Threat name for `threatIntelligenceDetails.threatNames` (the feed's description/category, or the list name). */
  threatName: string;
  /** The list entry that matched (IP, CIDR or domain). */
  entry: string;
}

export interface IntelIssue {
  file: string;
  line?: number;
  reason: string;
}

interface Entry {
  list: string;
  category: IntelCategory;
  threatName: string;
  entry: string;
}

export class ThreatIntel {
  /** Exact IPv6 entries, by canonical text. */
  private readonly exact = new Map<string, Entry[]>();
  /**
   * Exact IPv4 entries: address → index in `exactV4Entries` + 1. Flow records ask about every remote address and
   * nearly all are misses, which this table answers from the number alone, without allocating (a Map keyed by
   * addresses above 2^30 boxes every key it is asked about).
   */
  private readonly exactV4 = new IntTable();
  private readonly exactV4Entries: Entry[][] = [];
  /** prefix length → network → entries (one map per distinct length: lookups cost one probe per length). */
  private readonly v4Nets = new Map<number, Map<number, Entry[]>>();
  private v4Lengths: number[] = [];
  private readonly v6Nets: { net: ipaddr.IPv6; bits: number; e: Entry }[] = [];
  private readonly domains = new Map<string, Entry[]>();
  readonly lists = new Map<string, { category: IntelCategory; ips: number; domains: number; source: string }>();

  get size(): number {
    let n = 0;
    for (const l of this.lists.values()) n += l.ips + l.domains;
    return n;
  }

  /** Add one indicator; returns false (nothing added) when it is neither an IP, a CIDR nor a domain. */
  add(value: string, list: string, category: IntelCategory, threatName = list): boolean {
    const v = value.trim();
    if (v === '') return false;
    const meta = this.lists.get(list) ?? { category, ips: 0, domains: 0, source: list };
    this.lists.set(list, meta);
    const e: Entry = { list, category, threatName, entry: v };
    const slash = v.indexOf('/');
    if (slash >= 0) {
      const bits = Number(v.slice(slash + 1));
      const base = v.slice(0, slash);
      const n4 = ipv4ToInt(base);
      if (n4 >= 0 && Number.isInteger(bits) && bits >= 0 && bits <= 32) {
        if (bits === 32) return this.addExact(base, e, meta);
        let byNet = this.v4Nets.get(bits);
        if (!byNet) {
          byNet = new Map();
          this.v4Nets.set(bits, byNet);
          this.v4Lengths = [...this.v4Nets.keys()].sort((a, b) => b - a);
        }
        // Signed networks (`&` yields int32): small-integer keys, no boxed number per lookup.
        push(byNet, n4 & maskOf(bits), e);
        meta.ips++;
        return true;
      }
      if (ipaddr.IPv6.isValid(base) && Number.isInteger(bits) && bits >= 0 && bits <= 128) {
        this.v6Nets.push({ net: ipaddr.IPv6.parse(base), bits, e });
        meta.ips++;
        return true;
      }
      return false;
    }
    if (ipv4ToInt(v) >= 0) return this.addExact(v, e, meta);
    if (ipaddr.IPv6.isValid(v)) return this.addExact(ipaddr.IPv6.parse(v).toString(), e, meta);
    const d = normalizeDomain(v);
    if (d === undefined) return false;
    push(this.domains, d, e);
    meta.domains++;
    return true;
  }

  private addExact(ip: string, e: Entry, meta: { ips: number }): boolean {
    const n = ipv4ToInt(ip);
    if (n < 0) push(this.exact, ip, e);
    else {
      const at = this.exactV4.get(0, n);
      if (at === undefined) {
        this.exactV4Entries.push([e]);
        this.exactV4.set(0, n, this.exactV4Entries.length);
      } else this.exactV4Entries[at - 1]!.push(e);
    }
    meta.ips++;
    return true;
  }

  /** Every list entry matching an IPv4/IPv6 address (exact or within a CIDR). */
  lookupIp(ip: string): IntelHit[] | undefined {
    const n = ipv4ToInt(ip);
    if (n >= 0) return this.lookupV4(n);
    let hits: IntelHit[] | undefined = this.exact.get(ip);
    if (ip.includes(':') && (this.v6Nets.length > 0 || this.exact.size > 0)) {
      if (!ipaddr.IPv6.isValid(ip)) return hits;
      const addr = ipaddr.IPv6.parse(ip);
      const canonical = addr.toString();
      if (canonical !== ip) hits = this.exact.get(canonical) ?? hits;
      for (const c of this.v6Nets) {
        if (addr.match(c.net, c.bits)) hits = hits ? [...hits, c.e] : [c.e];
      }
    }
    return hits;
  }

  /** `lookupIp` for an IPv4 address already converted to a number: flow detectors have it. */
  lookupV4(n: number): IntelHit[] | undefined {
    const at = this.exactV4.get(0, n);
    let hits: IntelHit[] | undefined = at === undefined ? undefined : this.exactV4Entries[at - 1];
    for (const bits of this.v4Lengths) {
      const found = this.v4Nets.get(bits)!.get(n & maskOf(bits));
      if (found) hits = hits ? [...hits, ...found] : found;
    }
    return hits;
  }

  /** Entries matching a DNS name or any of its parent domains (`a.b.pool.example` matches `pool.example`). */
  lookupDomain(name: string): IntelHit[] | undefined {
    if (this.domains.size === 0) return undefined;
    let d = name.endsWith('.') ? name.slice(0, -1) : name;
    d = d.toLowerCase();
    for (;;) {
      const hit = this.domains.get(d);
      if (hit) return hit;
      const dot = d.indexOf('.');
      if (dot < 0) return undefined;
      d = d.slice(dot + 1);
    }
  }
}

function push<K>(m: Map<K, Entry[]>, k: K, e: Entry): void {
  const list = m.get(k);
  if (list) list.push(e);
  else m.set(k, [e]);
}

const DOMAIN_RE = /^(?=.{1,253}$)(?:(?!-)[a-z0-9_-]{1,63}(?<!-)\.)*(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function normalizeDomain(v: string): string | undefined {
  let d = v.trim().toLowerCase();
  if (d.startsWith('*.')) d = d.slice(2);
  if (d.endsWith('.')) d = d.slice(0, -1);
  // A numeric last label is a malformed address (300.1.1.1), not a domain.
  if (!d.includes('.') || !DOMAIN_RE.test(d) || /^[0-9]+$/.test(d.slice(d.lastIndexOf('.') + 1))) return undefined;
  return d;
}

/** Map a feed's category text (Proofpoint ET categories, OTX / FireEye descriptions) to a Vigil category. */
export function categoryFromFeed(text: string): IntelCategory | undefined {
  const t = text.toLowerCase();
  if (/\btor\b|tornode|tor exit/.test(t)) return 'tor';
  if (/cnc|c2|command and control|botnet|\bbot\b/.test(t)) return 'c2';
  if (/mining|miner|bitcoin|coin|crypto/.test(t)) return 'mining';
  if (/phish/.test(t)) return 'phishing';
  if (/drive.?by|exploit ?kit|compromised/.test(t)) return 'driveby';
  if (/blackhole|sinkhole/.test(t)) return 'blackhole';
  if (/drop/.test(t)) return 'droppoint';
  if (/scan/.test(t)) return 'scanner';
  if (/doh|dns over https/.test(t)) return 'doh';
  if (/dynamic dns|dyndns|free subdomain|abused/.test(t)) return 'abused';
  if (t.trim() !== '') return 'malicious';
  return undefined;
}

/** Split one CSV line (RFC 4180 quotes). */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

const INDICATOR_COLUMNS = [
  'indicator',
  'ip',
  'ip address',
  'ipaddress',
  'ipv4',
  'domain',
  'hostname',
  'networkidentifier',
  'network identifier',
  'ioc',
  'value',
  'observable',
];
const CATEGORY_COLUMNS = [
  'category',
  'threat',
  'threat type',
  'threattype',
  'description',
  'title',
  'malware family',
  'malwarefamily',
];

export type IntelFormat = 'TXT' | 'CSV';

/**
 * Load one intel file's text into `intel`. `name` is the list name; `category` forces a category. Plain text: one
 * IP, CIDR or domain per line; `#` comments and anything after whitespace ignored. CSV (detected by a header with a
 * known indicator column, e.g. OTX `Indicator type,Indicator,Description`, Proofpoint `ip,category,score`,
 * FireEye `networkIdentifier,…`): the indicator column, and the category column to classify rows.
 */
export function loadIntelText(
  intel: ThreatIntel,
  text: string,
  name: string,
  file: string,
  category?: IntelCategory,
): IntelIssue[] {
  const issues: IntelIssue[] = [];
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && (lines[first]!.trim() === '' || lines[first]!.trim().startsWith('#'))) first++;
  const header = lines[first] !== undefined ? splitCsv(lines[first]!.toLowerCase()) : [];
  const indicatorCol = header.length > 1 ? header.findIndex((h) => INDICATOR_COLUMNS.includes(h)) : -1;
  if (indicatorCol >= 0) {
    const catCol = header.findIndex((h) => CATEGORY_COLUMNS.includes(h));
    const typeCol = header.findIndex((h) => h === 'indicator type' || h === 'type');
    for (let i = first + 1; i < lines.length; i++) {
      const raw = lines[i]!.trim();
      if (raw === '' || raw.startsWith('#')) continue;
      const cols = splitCsv(raw);
      const value = cols[indicatorCol] ?? '';
      const type = typeCol >= 0 ? (cols[typeCol] ?? '').toLowerCase() : '';
      if (type !== '' && !/ipv4|ipv6|cidr|domain|hostname|ip/.test(type)) continue; // URLs, hashes: not usable
      const feedCat = catCol >= 0 ? (cols[catCol] ?? '') : '';
      const cat = category ?? categoryFromFeed(feedCat) ?? 'custom';
      if (!intel.add(value, name, cat, feedCat !== '' ? feedCat : name)) {
        issues.push({ file, line: i + 1, reason: `not an IP address, CIDR or domain: "${value.slice(0, 80)}"` });
      }
    }
    return issues;
  }
  for (let i = 0; i < lines.length; i++) {
    let raw = lines[i]!;
    const hash = raw.indexOf('#');
    if (hash >= 0) raw = raw.slice(0, hash);
    raw = raw.trim();
    if (raw === '') continue;
    const value = raw.split(/[\s,;]/)[0]!;
    if (!intel.add(value, name, category ?? 'custom', name)) {
      issues.push({ file, line: i + 1, reason: `not an IP address, CIDR or domain: "${value.slice(0, 80)}"` });
    }
  }
  return issues;
}

/**
 * Bundled defaults (public, well-known facts): cryptocurrency mining-pool domains and public DNS-over-HTTPS
 * resolver addresses. No Tor list is bundled (it changes hourly): add the Tor Project's exit list with
 * `--intel tor:exit-addresses.txt` (see docs/detect.md).
 */
export const DEFAULT_MINING_DOMAINS = [
  'supportxmr.com',
  'minexmr.com',
  'minergate.com',
  'nanopool.org',
  '2miners.com',
  'f2pool.com',
  'antpool.com',
  'viabtc.com',
  'ethermine.org',
  'slushpool.com',
  'braiins.com',
  'hashvault.pro',
  'moneroocean.stream',
  'herominers.com',
  'unmineable.com',
  'nicehash.com',
  'c3pool.com',
  'xmrpool.eu',
  'poolin.com',
  'kryptex.network',
  'miningpoolhub.com',
  'dwarfpool.com',
  'monerohash.com',
  'xmrig.com',
];

export const DEFAULT_DOH_RESOLVERS = [
  '1.1.1.1',
  '1.0.0.1',
  '8.8.8.8',
  '8.8.4.4',
  '9.9.9.9',
  '149.112.112.112',
  '208.67.222.222',
  '208.67.220.220',
  '94.140.14.14',
  '94.140.15.15',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
];

/** Dynamic-DNS and free-subdomain providers abused for malware infrastructure (AbusedDomainRequest.Reputation). */
export const DEFAULT_ABUSED_DOMAINS = [
  'duckdns.org',
  'no-ip.com',
  'no-ip.org',
  'ddns.net',
  'hopto.org',
  'zapto.org',
  'sytes.net',
  'servebeer.com',
  'dynu.net',
  'freedns.afraid.org',
  'ngrok.io',
  'ngrok-free.app',
  'serveo.net',
  'trycloudflare.com',
  'dnslog.cn',
  'interact.sh',
  'oast.fun',
  'burpcollaborator.net',
];

export function bundledIntel(): ThreatIntel {
  const intel = new ThreatIntel();
  for (const d of DEFAULT_ABUSED_DOMAINS) intel.add(d, 'vigil-abused-domains', 'abused', 'DynamicDnsOrTunnel');
  for (const d of DEFAULT_MINING_DOMAINS) intel.add(d, 'vigil-mining-pools', 'mining', 'CryptoMiningPool');
  for (const ip of DEFAULT_DOH_RESOLVERS) intel.add(ip, 'vigil-public-doh-resolvers', 'doh', 'PublicDoHResolver');
  return intel;
}

/** Parse `--intel [category:]path`. */
export function parseIntelSpec(spec: string): { category?: IntelCategory; path: string } {
  const i = spec.indexOf(':');
  if (i > 0) {
    const c = spec.slice(0, i).toLowerCase();
    if (isIntelCategory(c)) return { category: c, path: spec.slice(i + 1) };
  }
  return { path: spec };
}
