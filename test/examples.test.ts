import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Generated, generateExamples, type ScenariosFile } from '../scripts/examples/index.js';
import { parseClfTime, parseIsoTime } from '../src/core/time.js';
import { parseTextWith } from '../src/ingest/file-parse.js';
import { FORMATS, sniffFormat } from '../src/ingest/registry.js';
import { tokenizeQuoted } from '../src/ingest/tokenize.js';
import type { LogFormat, LogType } from '../src/ingest/types.js';

/**
 * The committed example data (examples/) must be exactly what the generator produces, every planted scenario must
 * point at records that exist, and every file must be in its native AWS shape: checked structurally here (field
 * counts, headers, quoting, times) and by Vigil's own parsers.
 */

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'examples');
const BASE = Date.parse('2026-11-01T00:00:00Z');
const END = Date.parse('2026-11-01T02:00:00Z');

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(relative(EXAMPLES, p).split(sep).join('/'));
  }
  return out.sort();
}

const committed = (rel: string) => readFileSync(join(EXAMPLES, ...rel.split('/')));
const isGzip = (b: Buffer) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
/** Decompressed text of a committed example file. */
const text = (rel: string) => {
  const b = committed(rel);
  return (isGzip(b) ? gunzipSync(b) : b).toString('utf8');
};
const lines = (rel: string) => text(rel).split('\n').slice(0, -1);

const manifest = JSON.parse(readFileSync(join(EXAMPLES, 'scenarios.json'), 'utf8')) as ScenariosFile;
const logFiles = manifest.files.filter((f) => f.type !== 'bad');
const ofType = (t: LogType) => logFiles.filter((f) => f.type === t);

let generated: Generated;
beforeAll(() => {
  generated = generateExamples();
});

describe('examples/ is up to date with the generator', () => {
  it('has exactly the generated files, with identical content', () => {
    const onDisk = walk(EXAMPLES);
    expect(onDisk).toEqual([...generated.files.keys()].sort());
    for (const rel of onDisk) {
      const want = generated.files.get(rel)!;
      const have = committed(rel);
      const source = manifest.badFiles.find((b) => b.file === rel)?.truncatedFrom;
      if (source) {
        // A deliberately cut gzip: its bytes are a prefix of the (committed) file it was cut from.
        const whole = committed(source);
        expect(have.equals(whole.subarray(0, have.length)), rel).toBe(true);
      } else if (isGzip(want)) {
        // The deflate stream may differ between zlib builds; the content may not (see scripts/examples/writer.ts).
        expect(gunzipSync(have).equals(gunzipSync(want)), `${rel} is stale: run npm run examples`).toBe(true);
      } else {
        expect(have.equals(want), `${rel} is stale: run npm run examples`).toBe(true);
      }
    }
  });

  it('is byte-for-byte deterministic, gzip included (two generations are identical)', () => {
    const again = generateExamples();
    expect([...again.files.keys()]).toEqual([...generated.files.keys()]);
    for (const [rel, bytes] of again.files) expect(bytes.equals(generated.files.get(rel)!), rel).toBe(true);
  });

  it('stays small and covers every log type Vigil ingests from S3', () => {
    const total = [...generated.files.values()].reduce((n, b) => n + b.length, 0);
    expect(total).toBeLessThan(3 * 1024 * 1024);
    const types = new Set(logFiles.map((f) => f.type));
    for (const t of [
      'cloudtrail',
      'vpcflow',
      'route53resolver',
      's3access',
      'alb',
      'albconnection',
      'nlb',
      'elb',
      'waf',
      'cloudfront',
      'networkfirewall',
    ] as const)
      expect(types.has(t), t).toBe(true);
    for (const f of logFiles) expect(f.records, f.path).toBeGreaterThan(0);
  });
});

/** The record an evidence reference points at, as text. */
function evidenceTexts(ref: ScenariosFile['scenarios'][number]['evidence'][number]): string[] {
  if (ref.records) {
    const doc = JSON.parse(text(ref.file)) as { Records: Record<string, unknown>[] };
    return ref.records.map((i, k) => {
      const rec = doc.Records[i];
      expect(rec, `${ref.file} record ${i}`).toBeDefined();
      expect(rec.eventID).toBe(ref.eventIDs![k]);
      return JSON.stringify(rec);
    });
  }
  const all = lines(ref.file);
  return ref.lines!.map((n) => {
    expect(n, ref.file).toBeGreaterThanOrEqual(1);
    expect(n, ref.file).toBeLessThanOrEqual(all.length);
    return all[n - 1];
  });
}

describe('scenarios.json (ground truth)', () => {
  it('lists the nine planted scenarios with metadata', () => {
    expect(manifest.scenarios.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const s of manifest.scenarios) {
      expect(s.title.length, s.id).toBeGreaterThan(10);
      expect(s.attack.length, s.id).toBeGreaterThan(0);
      expect(Date.parse(s.start)).toBeGreaterThanOrEqual(BASE);
      expect(Date.parse(s.end)).toBeLessThanOrEqual(END);
      expect(s.evidence.length, s.id).toBeGreaterThan(0);
      // Attackers use documentation addresses only.
      for (const ip of s.sourceIps)
        if (s.id !== 'security-group-open-ssh' && s.id !== 'crypto-mining')
          expect(ip, s.id).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
    }
  });

  it('every evidence reference points at an existing record that carries a scenario indicator', () => {
    for (const s of manifest.scenarios) {
      for (const ref of s.evidence) {
        expect(
          manifest.files.some((f) => f.path === ref.file && f.type === ref.type),
          ref.file,
        ).toBe(true);
        for (const t of evidenceTexts(ref))
          expect(
            s.indicators.some((i) => t.includes(i)),
            `${s.id}: ${ref.file} record without indicator`,
          ).toBe(true);
      }
    }
  });

  it('scenario records sit inside the scenario time window', () => {
    for (const s of manifest.scenarios) {
      const from = Date.parse(s.start) - 60_000;
      const to = Date.parse(s.end) + 60_000;
      for (const ref of s.evidence.filter((e) => e.type === 'cloudtrail' && e.records)) {
        const doc = JSON.parse(text(ref.file)) as { Records: { eventTime: string }[] };
        for (const i of ref.records!) {
          const t = Date.parse(doc.Records[i].eventTime);
          expect(t >= from && t <= to, `${s.id} ${ref.file}#${i}`).toBe(true);
        }
      }
    }
  });

  it('measured facts match the files (port scan, brute force, exfiltration, mining)', () => {
    const facts = (id: string) => manifest.scenarios.find((s) => s.id === id)!.facts;
    const flowLines = (id: string) =>
      manifest.scenarios
        .find((s) => s.id === id)!
        .evidence.filter((e) => e.type === 'vpcflow')
        .flatMap((e) => e.lines!.map((n) => lines(e.file)[n - 1].split(' ')));
    // Port scan: inbound records from the scanner (v2 layout: srcaddr 3, dstport 6, action 12).
    const scan = flowLines('port-scan').filter((f) => f[3] === '198.51.100.77');
    expect(new Set(scan.map((f) => f[6])).size).toBe(facts('port-scan').distinctPorts);
    expect(scan.filter((f) => f[12] === 'REJECT').length).toBe(facts('port-scan').rejectedPorts);
    // SSH brute force: distinct attacker source ports to port 22.
    const brute = flowLines('ssh-brute-force').filter((f) => f[3] === '203.0.113.45' && f[6] === '22');
    expect(new Set(brute.map((f) => f[5])).size).toBe(facts('ssh-brute-force').connections);
    // S3 exfiltration: GetObject data events from the Tor address.
    const exfil = manifest.scenarios.find((s) => s.id === 's3-exfiltration')!;
    const gets = exfil.evidence
      .filter((e) => e.type === 'cloudtrail')
      .flatMap((e) => evidenceTexts(e).map((t) => JSON.parse(t) as { eventName: string }))
      .filter((r) => r.eventName === 'GetObject');
    expect(gets.length).toBe(facts('s3-exfiltration').getObjectCount);
    const accessGets = exfil.evidence
      .filter((e) => e.type === 's3access')
      .flatMap(evidenceTexts)
      .filter((l) => l.includes(' REST.GET.OBJECT '));
    expect(accessGets.length).toBe(facts('s3-exfiltration').getObjectCount);
    // Mining: DNS queries for the pools.
    const dns = manifest.scenarios
      .find((s) => s.id === 'crypto-mining')!
      .evidence.filter((e) => e.type === 'route53resolver')
      .flatMap(evidenceTexts);
    expect(dns.length).toBe(facts('crypto-mining').dnsQueries);
    expect(dns.some((l) => l.includes('"query_name":"pool.supportxmr.com."'))).toBe(true);
    expect(dns.some((l) => l.includes('"query_name":"xmr.pool.minergate.com."'))).toBe(true);
  });

  it('the S3 GetObject data events and the access log lines share request IDs', () => {
    const exfil = manifest.scenarios.find((s) => s.id === 's3-exfiltration')!;
    const ct = exfil.evidence
      .filter((e) => e.type === 'cloudtrail')
      .flatMap((e) => evidenceTexts(e).map((t) => JSON.parse(t) as { eventName: string; requestID: string }))
      .filter((r) => r.eventName === 'GetObject')
      .map((r) => r.requestID)
      .sort();
    const access = exfil.evidence
      .filter((e) => e.type === 's3access')
      .flatMap(evidenceTexts)
      .filter((l) => l.includes(' REST.GET.OBJECT '))
      .map((l) => tokenizeQuoted(l)![5])
      .sort();
    expect(access).toEqual(ct);
  });
});

// ── Native shape, checked without Vigil's parsers ─────────────────────────────────────────────────────────────

/** Every event time lies in the generated period. */
function inWindow(ms: number, where: string): void {
  expect(Number.isFinite(ms), where).toBe(true);
  expect(ms >= BASE && ms < END, `${where}: ${new Date(ms).toISOString()}`).toBe(true);
}

describe('every file has its native AWS shape (structural checks)', () => {
  it('CloudTrail: {"Records":[…]} delivery files, NDJSON and EventBridge envelopes', () => {
    for (const f of ofType('cloudtrail')) {
      const t = text(f.path);
      let recs: Record<string, unknown>[];
      if (f.path.endsWith('.json.gz')) {
        expect(f.path).toMatch(
          /^AWSLogs\/\d{12}\/CloudTrail\/[a-z0-9-]+\/\d{4}\/\d{2}\/\d{2}\/\d{12}_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/,
        );
        recs = (JSON.parse(t) as { Records: Record<string, unknown>[] }).Records;
      } else {
        recs = t
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .map((v) => {
            if (v['detail-type'] === undefined) return v;
            expect(v.version).toBe('0');
            expect(String(v['detail-type'])).toMatch(/via CloudTrail$/);
            expect(v.source).toBe(`aws.${String((v.detail as Record<string, unknown>).eventSource).split('.')[0]}`);
            return v.detail as Record<string, unknown>;
          });
      }
      expect(recs.length, f.path).toBe(f.records);
      for (const r of recs) {
        expect(r.eventVersion, f.path).toMatch(/^1\.\d+$/);
        expect(String(r.eventTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        inWindow(Date.parse(String(r.eventTime)), f.path);
        for (const k of [
          'eventSource',
          'eventName',
          'awsRegion',
          'sourceIPAddress',
          'userAgent',
          'eventID',
          'eventType',
        ])
          expect(typeof r[k], `${f.path} ${k}`).toBe('string');
        expect(typeof r.userIdentity).toBe('object');
        expect(r.recipientAccountId).toMatch(/^\d{12}$/);
        const key = (r.userIdentity as { accessKeyId?: string }).accessKeyId;
        if (key) expect(key).toMatch(/^(AKIA|ASIA)[A-Z2-7]{16}$/);
      }
    }
  });

  it('VPC Flow Logs: header line, every record with exactly the header field count, typed values', () => {
    const headers = new Set<string>();
    for (const f of ofType('vpcflow')) {
      const [header, ...rows] = lines(f.path);
      headers.add(header);
      const names = header.split(' ');
      expect(names[0]).toBe('version');
      expect(rows.length).toBe(f.records);
      const iStart = names.indexOf('start');
      const iStatus = names.indexOf('log-status');
      for (const row of rows) {
        const v = row.split(' ');
        expect(v.length, `${f.path}: ${row}`).toBe(names.length);
        expect(['OK', 'NODATA', 'SKIPDATA']).toContain(v[iStatus]);
        inWindow(Number(v[iStart]) * 1000, f.path);
        for (const [i, n] of names.entries())
          if (['srcport', 'dstport', 'protocol', 'packets', 'bytes', 'tcp-flags', 'traffic-path'].includes(n))
            expect(v[i], `${n} in ${row}`).toMatch(/^(-|\d+)$/);
      }
    }
    // The default v2 format and one custom v5 order.
    expect(headers.size).toBe(2);
    expect(headers).toContain(
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    );
    const custom = [...headers].find((h) => !h.startsWith('version account-id interface-id'))!;
    expect(custom.split(' ')).toHaveLength(29);
    expect(custom).toContain('flow-direction');
  });

  it('ALB access (30 fields), ALB connection (12), NLB TLS (22) and Classic ELB (15) lines', () => {
    const expectCount = (t: LogType, n: number, check: (v: string[], line: string) => void) => {
      for (const f of ofType(t)) {
        const rows = lines(f.path);
        expect(rows.length).toBe(f.records);
        for (const line of rows) {
          const v = tokenizeQuoted(line)!;
          expect(v, line).toBeDefined();
          expect(v.length, `${f.path}: ${line}`).toBe(n);
          check(v, line);
        }
      }
    };
    expectCount('alb', 30, (v, line) => {
      expect(['http', 'https', 'h2', 'wss']).toContain(v[0]);
      inWindow(parseIsoTime(v[1]), line);
      expect(v[2]).toBe('app/shop-prod/4f9a3c2e1b0d8a76');
      expect(v[12]).toMatch(/^(GET|POST|HEAD|DELETE) https?:\/\/[a-z.-]+:\d+\/\S* HTTP\/(1\.1|2\.0)$/);
      expect(v[29]).toMatch(/^TID_[0-9a-f]{32}$/);
      expect(line).toMatch(/ "[^"]*" "[^"]*" \S+ \S+ \S+ "Root=1-[0-9a-f]{8}-[0-9a-f]{24}" /);
    });
    expectCount('albconnection', 12, (v, line) => {
      inWindow(parseIsoTime(v[0]), line);
      expect(v[11]).toMatch(/^TID_/);
    });
    expectCount('nlb', 22, (v, line) => {
      expect(v.slice(0, 2)).toEqual(['tls', '2.0']);
      expect(v[2]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      inWindow(parseIsoTime(v[2]), line);
    });
    expectCount('elb', 15, (v, line) => {
      inWindow(parseIsoTime(v[0]), line);
      expect(v[1]).toBe('legacy-api');
    });
    // Connection trace IDs join the connection log to access log lines of the same load balancer.
    const accessTids = new Set(ofType('alb').flatMap((f) => lines(f.path).map((l) => l.slice(l.lastIndexOf(' ') + 1))));
    const conn = ofType('albconnection').flatMap((f) => lines(f.path));
    const joined = conn.filter((l) => accessTids.has(l.slice(l.lastIndexOf(' ') + 1)));
    expect(joined.length).toBeGreaterThan(conn.length / 2);
  });

  it('S3 server access logs: 27 fields, bracketed time, quoted fields, simple key format', () => {
    for (const f of ofType('s3access')) {
      expect(f.gzip).toBe(false);
      expect(f.path).toMatch(/^s3-access-logs\/[a-z-]+\/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}$/);
      const rows = lines(f.path);
      expect(rows.length).toBe(f.records);
      for (const line of rows) {
        const v = tokenizeQuoted(line)!;
        expect(v.length, line).toBe(27);
        expect(v[0]).toMatch(/^[0-9a-f]{64}$/);
        expect(line).toMatch(/^\S+ \S+ \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] /);
        inWindow(parseClfTime(v[2]), line);
      }
    }
  });

  it('CloudFront: #Version and #Fields headers, 33 tab-separated fields, W3C escaping', () => {
    for (const f of ofType('cloudfront')) {
      expect(f.path).toMatch(/^cloudfront\/E[A-Z0-9]+\.\d{4}-\d\d-\d\d-\d\d\.[0-9a-f]{8}\.gz$/);
      const [version, fields, ...rows] = lines(f.path);
      expect(version).toBe('#Version: 1.0');
      const names = fields.replace('#Fields: ', '').split(' ');
      expect(names).toHaveLength(33);
      expect(rows.length).toBe(f.records);
      for (const row of rows) {
        const v = row.split('\t');
        expect(v.length, row).toBe(33);
        expect(v[names.indexOf('cs(User-Agent)')]).not.toMatch(/[ "]/);
        inWindow(Date.parse(`${v[0]}T${v[1]}Z`), row);
      }
    }
  });

  it('JSON-lines logs: Route 53 Resolver, WAF, Network Firewall', () => {
    const check = (t: LogType, test: (o: Record<string, unknown>) => number) => {
      for (const f of ofType(t)) {
        const rows = lines(f.path);
        expect(rows.length).toBe(f.records);
        for (const row of rows) inWindow(test(JSON.parse(row) as Record<string, unknown>), f.path);
      }
    };
    check('route53resolver', (o) => {
      expect(o.version).toBe('1.100000');
      expect(String(o.query_name)).toMatch(/\.$/);
      expect(typeof o.srcport).toBe('string');
      return Date.parse(String(o.query_timestamp));
    });
    check('waf', (o) => {
      expect(o.formatVersion).toBe(1);
      expect(String(o.webaclId)).toMatch(/^arn:aws:wafv2:/);
      expect(['ALLOW', 'BLOCK']).toContain(o.action);
      expect(typeof (o.httpRequest as Record<string, unknown>).clientIp).toBe('string');
      return o.timestamp as number;
    });
    check('networkfirewall', (o) => {
      expect(o.firewall_name).toBe('egress-inspection');
      expect(String(o.event_timestamp)).toMatch(/^\d{10}$/);
      const e = o.event as Record<string, unknown>;
      expect(['alert', 'netflow']).toContain(e.event_type);
      return parseIsoTime(String(e.timestamp));
    });
    for (const f of ofType('waf'))
      expect(f.path).toMatch(
        /^AWSLogs\/\d{12}\/WAFLogs\/(us-east-1|cloudfront)\/[a-z-]+\/\d{4}\/\d\d\/\d\d\/\d\d\/\d\d\/\d{12}_waflogs_/,
      );
  });

  it('S3 keys follow the AWSLogs delivery layout', () => {
    for (const f of logFiles.filter((x) => x.path.startsWith('AWSLogs/'))) {
      expect(f.path).toMatch(
        /^AWSLogs\/111122223333\/(CloudTrail|vpcflowlogs|vpcdnsquerylogs|elasticloadbalancing|WAFLogs|network-firewall)\//,
      );
      if (f.type === 'vpcflow')
        expect(f.path).toMatch(/\/\d{12}_vpcflowlogs_us-east-1_fl-[0-9a-f]{17}_\d{8}T\d{4}Z_[0-9a-f]{8}\.log\.gz$/);
      if (f.type === 'alb')
        expect(f.path).toMatch(/_app\.shop-prod\.[0-9a-f]{16}_\d{8}T\d{4}Z_10\.0\.\d+\.\d+_[a-z0-9]{8}\.log\.gz$/);
      if (f.type === 'albconnection') expect(f.path).toMatch(/\/conn_log_\d{12}_elasticloadbalancing_/);
      if (f.type === 'elb') expect(f.path).toMatch(/_legacy-api_\d{8}T\d{4}Z_[\d.]+_[a-z0-9]{8}\.log$/);
      if (f.type === 'networkfirewall')
        expect(f.path).toMatch(
          /\/network-firewall\/(alert|flow)\/us-east-1\/egress-inspection\/\d{4}\/\d\d\/\d\d\/\d\d\//,
        );
    }
  });

  it('the malformed files are malformed as documented', () => {
    const bad = (name: string) => manifest.badFiles.find((b) => b.file === `bad/${name}`)!;
    expect(() => gunzipSync(committed('bad/truncated-cloudtrail.json.gz'))).toThrow();
    expect(isGzip(committed('bad/garbage.bin'))).toBe(false);
    const flow = lines('bad/vpcflow-with-invalid-lines.log');
    const n = flow[0].split(' ').length;
    const wrong = flow.flatMap((l, i) => (i > 0 && (l.split(' ').length !== n || /yesterday/.test(l)) ? [i + 1] : []));
    expect(wrong).toEqual(bad('vpcflow-with-invalid-lines.log').expect.errorLines);
    const nd = lines('bad/cloudtrail-with-invalid-lines.ndjson');
    const broken = nd.flatMap((l, i) => {
      try {
        JSON.parse(l);
        return [];
      } catch {
        return [i + 1];
      }
    });
    expect(broken).toEqual(bad('cloudtrail-with-invalid-lines.ndjson').expect.errorLines);
  });
});

// ── Vigil's parsers ───────────────────────────────────────────────────────────────────────────────────────────

/** Every LogFormat exported by src/ingest/<folder>/format.ts, including ones not registered yet. */
async function loadFormats(): Promise<Map<LogType, LogFormat>> {
  const found = new Map<LogType, LogFormat>();
  for (const f of FORMATS) found.set(f.type, f);
  const dir = join(ROOT, 'src/ingest');
  for (const folder of readdirSync(dir)) {
    const file = join(dir, folder, 'format.ts');
    try {
      if (!statSync(file).isFile()) continue;
    } catch {
      continue;
    }
    try {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      for (const v of Object.values(mod)) {
        const f = v as LogFormat;
        if (
          f &&
          typeof f === 'object' &&
          typeof f.open === 'function' &&
          typeof f.sniff === 'function' &&
          !found.has(f.type)
        )
          found.set(f.type, f);
      }
    } catch (err) {
      console.warn(`examples test: cannot load ${file}: ${(err as Error).message}`);
    }
  }
  return found;
}

const formats = await loadFormats();
const parsedTypes = [...new Set(logFiles.map((f) => f.type as LogType))];

describe("Vigil's parsers read every example file with zero errors", () => {
  for (const type of parsedTypes) {
    const format = formats.get(type);
    if (!format) {
      console.warn(`\n*** examples test: no parser for "${type}" yet — skipping its parse check ***\n`);
      it.skip(`${type}: no parser yet`, () => {});
      continue;
    }
    it(`${type}: every file parses completely`, () => {
      for (const f of ofType(type)) {
        const { records, errors } = parseTextWith(format, text(f.path), { file: f.path });
        expect(errors, f.path).toEqual([]);
        expect(records.length, f.path).toBe(f.records);
        for (const r of records) {
          expect(r.type).toBe(type);
          inWindow(r.time, `${f.path}:${r.origin.line}`);
        }
      }
    });
  }

  const registered = new Set(FORMATS.map((f) => f.type));
  it('content sniffing picks the right format for every file of a registered type', () => {
    for (const f of logFiles.filter((x) => registered.has(x.type as LogType))) {
      const head = text(f.path).slice(0, 65_536);
      const firstLine = head.split('\n').find((l) => l.trim() !== '') ?? '';
      expect(sniffFormat({ firstLine, head, path: f.path })?.format.type, f.path).toBe(f.type);
    }
  });

  it('the malformed files are reported line by line where the format allows it', () => {
    for (const b of manifest.badFiles.filter((x) => x.expect.type && x.expect.errorLines)) {
      const format = formats.get(b.expect.type as LogType);
      if (!format) {
        console.warn(`examples test: no ${b.expect.type} parser yet — skipping ${b.file}`);
        continue;
      }
      const { records, errors } = parseTextWith(format, text(b.file), { file: b.file });
      expect(records.length, b.file).toBe(b.expect.records);
      expect(
        errors.map((e) => e.line),
        b.file,
      ).toEqual(b.expect.errorLines);
      for (const e of errors) expect(e.reason.length, b.file).toBeGreaterThan(5);
    }
  });
});

describe('the ingestion pipeline over the example logs (what `vigil demo` runs)', () => {
  it('counts every record of every registered type and rejects only the malformed inputs', async () => {
    const { ingestAll } = await import('../src/ingest/run.js');
    const registered = new Set(FORMATS.map((f) => f.type));
    // The log folders (scenarios.json and README.md are documentation, not logs).
    const inputs = ['AWSLogs', 'cloudfront', 's3-access-logs', 'exports', 'bad'].map((d) => join(EXAMPLES, d));
    const rejected = new Set<string>();
    const { stats } = await ingestAll(
      inputs,
      {},
      { error: (e) => rejected.add(relative(EXAMPLES, e.file).split(sep).join('/')) },
      { job: 'stats', workers: 1 },
    );
    for (const type of parsedTypes) {
      if (!registered.has(type)) {
        console.warn(
          `examples test: "${type}" is not registered in src/ingest/registry.ts — its files count as rejected`,
        );
        continue;
      }
      const bad = manifest.badFiles.filter((b) => b.expect.type === type).reduce((n, b) => n + b.expect.records, 0);
      const want = ofType(type).reduce((n, f) => n + f.records, 0) + bad;
      expect(stats.types[type] ?? 0, type).toBe(want);
    }
    const allowed = (file: string) =>
      file.startsWith('bad/') || logFiles.some((f) => f.path === file && !registered.has(f.type as LogType));
    expect([...rejected].filter((f) => !allowed(f))).toEqual([]);
    for (const b of manifest.badFiles.filter((x) => x.expect.wholeFileError))
      expect(rejected.has(b.file), b.file).toBe(true);
  });
});
