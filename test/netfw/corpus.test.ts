import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/netfw/parse.js';
import type { SuricataRule } from '../../src/netfw/types.js';
import { CORPORA } from '../helpers/corpus.js';

const DIR = join(CORPORA, 'netfw/et-open');
const have = existsSync(DIR);
if (!have) console.warn(`netfw corpus missing at ${DIR}: ET Open corpus test skipped`);

describe.skipIf(!have)('ET Open corpus (netfw/et-open)', () => {
  const files = have ? readdirSync(DIR).filter((f) => f.endsWith('.rules')) : [];
  const active: SuricataRule[] = [];
  const disabled: SuricataRule[] = [];
  const issues: string[] = [];
  for (const f of files) {
    const p = parseRules(readFileSync(join(DIR, f), 'utf8'), f);
    active.push(...p.rules);
    disabled.push(...p.disabled);
    for (const i of p.issues) issues.push(`${i.file}:${i.line}:${i.column} ${i.reason}`);
  }

  it('every active and commented-out rule parses (corpus README: 24,827 active, 10,023 commented out)', () => {
    expect(files).toHaveLength(51);
    expect(issues).toEqual([]);
    expect(active).toHaveLength(24827);
    expect(disabled).toHaveLength(10023);
    expect(active.every((r) => r.enabled && r.sid > 0)).toBe(true);
    expect(disabled.every((r) => !r.enabled)).toBe(true);
  });

  it('keyword and buffer statistics match the spec (netfw.md §9)', () => {
    const kw = new Map<string, number>();
    const buf = new Map<string, number>();
    const proto = new Map<string, number>();
    for (const r of active) {
      proto.set(r.proto, (proto.get(r.proto) ?? 0) + 1);
      for (const o of r.options) kw.set(o.name, (kw.get(o.name) ?? 0) + 1);
      for (const b of r.buffers) buf.set(b, (buf.get(b) ?? 0) + 1);
    }
    // Protocol counts are exact in the spec.
    expect(Object.fromEntries(['http', 'dns', 'tcp', 'tls', 'udp', 'ip'].map((p) => [p, proto.get(p)]))).toEqual({
      http: 14544,
      dns: 3976,
      tcp: 2974,
      tls: 2547,
      udp: 299,
      ip: 231,
    });
    expect(kw.get('content')).toBe(60143);
    expect(kw.get('nocase')).toBe(30145);
    expect(kw.get('flow')).toBe(19135);
    expect(kw.get('pcre')).toBe(4511);
    expect(kw.get('threshold')).toBe(1984);
    expect(kw.get('http.uri')).toBe(7742);
    expect(kw.get('dns.query')).toBe(3823);
    expect(kw.get('tls.sni')).toBe(1668);
  });

  it('a known rule parses to its fields (emerging-coinminer.rules:71)', () => {
    const r = active.find((x) => x.sid === 2025535);
    expect(r).toMatchObject({
      file: 'emerging-coinminer.rules',
      line: 71,
      action: 'alert',
      proto: 'tls',
      sourceAddr: '$HOME_NET',
      destAddr: '$EXTERNAL_NET',
      rev: 3,
      classtype: 'trojan-activity',
      msg: 'ET COINMINER Observed Coin-Hive In Browser Mining Domain (coin-hive .com in TLS SNI)',
      flow: { established: true, toServer: true },
    });
    expect(r?.matches).toEqual([
      {
        kind: 'content',
        buffer: 'tls.sni',
        negated: false,
        bytes: 'coin-hive.com',
        nocase: false,
        startswith: false,
        endswith: true,
        fastPattern: false,
        transforms: [],
      },
    ]);
    expect(r?.metadata).toHaveLength(9);
    expect(r?.metadata[8]).toBe('updated_at 2020_09_16');
  });
});
