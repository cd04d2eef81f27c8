import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader } from 'mmdb-lib';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/random.js';
import { bundledGeoPath, geoFromMmdb, openGeo } from './geo.js';

const path = bundledGeoPath();

/** The answer without any cache: one tree walk in the bundled database. */
function direct(reader: Reader<Record<string, unknown>>, ip: string) {
  const rec = reader.get(ip);
  return rec ? geoFromMmdb(rec) : undefined;
}

describe.skipIf(!path)('GeoIP lookup cache', () => {
  it('answers exactly as an uncached lookup, whichever address of a network is asked first', () => {
    const reader = new Reader<Record<string, unknown>>(readFileSync(path!));
    const geo = openGeo();
    const next = mulberry32(7);
    const octet = () => Math.floor(next() * 256);
    const ips: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const a = octet();
      const b = octet();
      const c = octet();
      // Several addresses of one /24 (and of its neighbours), asked in an order that mixes networks.
      for (const d of [octet(), octet(), 0, 255]) ips.push(`${a}.${b}.${c}.${d}`);
      ips.push(`${a}.${b}.${(c + 1) & 255}.${octet()}`);
    }
    ips.push(
      '10.0.0.1',
      '10.0.0.2',
      '192.168.1.1',
      '8.8.8.8',
      '8.8.4.4',
      '2001:4860:4860::8888',
      '::1',
      '001.002.003.004',
    );
    let known = 0;
    for (const ip of [...ips, ...ips.reverse()]) {
      const want = direct(reader, ip);
      if (want) known++;
      expect(geo.lookup(ip), ip).toEqual(want);
    }
    expect(known).toBeGreaterThan(ips.length); // most public addresses have a country
  });

  it('reads a database file again when it changed since it was last opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-geo-'));
    try {
      const file = join(dir, 'copy.mmdb');
      copyFileSync(path!, file);
      expect(openGeo([file], false).lookup('8.8.8.8')?.countryCode).toBe('US');
      expect(openGeo([file], false).lookup('81.2.69.142')?.countryCode).toBe('GB'); // unchanged: the same reader
      writeFileSync(file, 'not a database any more');
      expect(() => openGeo([file], false)).toThrow(/--geoip .*copy\.mmdb: not a readable MaxMind DB file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
