/**
 * Offline GeoIP / ASN. Out of the box: the bundled country database of `@ip-location-db/geo-whois-asn-country-mmdb`
 * (CC0, IPv4 + IPv6, country only). Users may add MaxMind-format databases (`--geoip FILE.mmdb`, e.g. GeoLite2-City
 * for coordinates, GeoLite2-ASN or ip-location-db ASN files for the network owner); later files win per field.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Reader } from 'mmdb-lib';
import { VigilError } from '../core/errors.js';
import { ipv4ToInt } from '../core/ipv4.js';

export interface GeoInfo {
  countryCode?: string;
  countryName?: string;
  cityName?: string;
  lat?: number;
  lon?: number;
  asn?: string;
  asnOrg?: string;
}

export interface GeoLookup {
  lookup(ip: string): GeoInfo | undefined;
  /** Names of the databases in use (for explanations). */
  readonly sources: string[];
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function countryName(code: string): string | undefined {
  try {
    return regionNames.of(code);
  } catch {
    return undefined;
  }
}

type MmdbRecord = Record<string, unknown>;

/** Read the fields Vigil uses from the record shapes of MaxMind (GeoIP2/GeoLite2) and ip-location-db databases. */
export function geoFromMmdb(rec: MmdbRecord): GeoInfo {
  const g: GeoInfo = {};
  const country = (rec.country as { iso_code?: string } | undefined)?.iso_code ?? (rec.country_code as string);
  if (typeof country === 'string' && country !== '') {
    g.countryCode = country;
    g.countryName = countryName(country);
  }
  const city = (rec.city as { names?: { en?: string } } | string | undefined) ?? undefined;
  if (typeof city === 'string') g.cityName = city;
  else if (city?.names?.en) g.cityName = city.names.en;
  const loc = rec.location as { latitude?: number; longitude?: number } | undefined;
  const lat = loc?.latitude ?? (rec.latitude as number | undefined);
  const lon = loc?.longitude ?? (rec.longitude as number | undefined);
  if (typeof lat === 'number' && typeof lon === 'number') {
    g.lat = lat;
    g.lon = lon;
  }
  const asn = rec.autonomous_system_number ?? rec.asn;
  if (asn !== undefined) g.asn = String(asn).replace(/^AS/i, '');
  const org = rec.autonomous_system_organization ?? rec.as_organization ?? rec.organization;
  if (typeof org === 'string') g.asnOrg = org;
  return g;
}

/** Cached answer meaning "no database knows this address" (undefined means "not cached"). */
const NONE = null;

/** Entries per cache before it is dropped (memory stays bounded whatever the number of addresses). */
const CACHE_MAX = 100_000;

class MmdbGeo implements GeoLookup {
  /**
   * IPv4 answers by /24 (address >>> 8), for addresses whose answer holds for the whole /24: every database's
   * matching network is /24 or shorter (`getWithPrefixLength`). Most of the address space is allocated in blocks of
   * /24 or larger, so one tree walk serves every caller of a /24 (NAT pools, client subnets, private ranges).
   */
  private readonly v4 = new Map<number, GeoInfo | null>();
  /** Answers by address text: IPv6, and IPv4 addresses in networks longer than /24. */
  private readonly cache = new Map<string, GeoInfo | null>();
  constructor(
    private readonly readers: Reader<MmdbRecord>[],
    readonly sources: string[],
  ) {}

  lookup(ip: string): GeoInfo | undefined {
    const n = ipv4ToInt(ip);
    if (n >= 0) {
      const byNet = this.v4.get(n >>> 8);
      if (byNet !== undefined) return byNet ?? undefined;
    }
    const hit = this.cache.get(ip);
    if (hit !== undefined) return hit ?? undefined;
    let out: GeoInfo | undefined;
    // The longest matching network over all databases: the answer is the same for every address inside it.
    let prefix = 0;
    for (const r of this.readers) {
      let rec: MmdbRecord | null = null;
      try {
        const [data, len] = r.getWithPrefixLength(ip);
        rec = data;
        if (len > prefix) prefix = len;
      } catch {
        rec = null; // not an address this database can answer (e.g. IPv6 in an IPv4-only file)
        prefix = 128; // cache by address only
      }
      if (rec) out = { ...out, ...geoFromMmdb(rec) };
    }
    if (n >= 0 && prefix <= 24) {
      if (this.v4.size >= CACHE_MAX) this.v4.clear();
      this.v4.set(n >>> 8, out ?? NONE);
    } else {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(ip, out ?? NONE);
    }
    return out;
  }
}

export const NO_GEO: GeoLookup = { lookup: () => undefined, sources: [] };

const require = createRequire(import.meta.url);

/** Path of the bundled country database, or undefined when the package is not installed. */
export function bundledGeoPath(): string | undefined {
  try {
    return require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb');
  } catch {
    return undefined;
  }
}

/** Databases already read, by path, with the size and modification time they had (several megabytes each). */
const opened = new Map<string, { size: number; mtimeMs: number; reader: Reader<MmdbRecord> }>();

/** A reader of the file at `p`: the one already made when the file is unchanged, else read now (throws if unreadable). */
function readerFor(p: string): Reader<MmdbRecord> {
  let st: { size: number; mtimeMs: number } | undefined;
  try {
    st = statSync(p);
  } catch {
    st = undefined; // reading below reports the problem
  }
  const known = st === undefined ? undefined : opened.get(p);
  if (known !== undefined && known.size === st!.size && known.mtimeMs === st!.mtimeMs) return known.reader;
  const reader = new Reader<MmdbRecord>(readFileSync(p));
  if (st !== undefined) opened.set(p, { size: st.size, mtimeMs: st.mtimeMs, reader });
  return reader;
}

/** Open the bundled database (unless `bundled` is false) plus user files. Unreadable files are a usage error. */
export function openGeo(files: string[] = [], bundled = true): GeoLookup {
  const readers: Reader<MmdbRecord>[] = [];
  const sources: string[] = [];
  const paths = [...(bundled && bundledGeoPath() ? [bundledGeoPath()!] : []), ...files];
  for (const p of paths) {
    try {
      readers.push(readerFor(p));
      sources.push(p.includes('geo-whois-asn-country') ? 'ip-location-db geo-whois-asn-country (bundled)' : p);
    } catch (err) {
      throw new VigilError(`--geoip ${p}: not a readable MaxMind DB file: ${(err as Error).message}`);
    }
  }
  return readers.length > 0 ? new MmdbGeo(readers, sources) : NO_GEO;
}

/** Great-circle distance in km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
