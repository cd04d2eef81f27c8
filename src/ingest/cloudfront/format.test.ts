import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELASTIC } from '../../../test/helpers/corpus.js';
import { parseTextWith } from '../file-parse.js';
import type { SniffInput } from '../types.js';
import { CLOUDFRONT_FIELDS, cloudfrontFormat, parseFieldList } from './format.js';

// No Elastic fixture exists for CloudFront: these lines are hand-made from the CloudFront Developer Guide's field
// list ("Standard logging reference", logs.md §7).
const VERSION = '#Version: 1.0';
const FIELDS = `#Fields: ${CLOUDFRONT_FIELDS.join(' ')}`;
const UA = 'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)';
const row = (...cols: (string | number)[]) => cols.join('\t');

/** A cache hit over HTTP/2 with TLS. */
const HIT = row(
  '2024-05-14',
  '09:12:44',
  'FRA56-P7',
  4312,
  '198.51.100.10',
  'GET',
  'd111111abcdef8.cloudfront.net',
  '/assets/app.js',
  200,
  'https://www.example.com/',
  UA,
  'v=3',
  '-',
  'Hit',
  'Xq0dP1Jp4Y2n9hT0qP0JbSLLyO3GQ-7E1mL5gR8c5q7x0KzZbQ3A6w==',
  'www.example.com',
  'https',
  97,
  '0.002',
  '-',
  'TLSv1.3',
  'TLS_AES_128_GCM_SHA256',
  'Hit',
  'HTTP/2.0',
  '-',
  '-',
  51234,
  '0.002',
  'Hit',
  'application/javascript',
  4012,
  '-',
  '-',
);
/** An origin error for an IPv6 viewer behind a proxy, with a cookie and a scanner-like query. */
const ERROR_V6 = row(
  '2024-05-14',
  '09:12:45',
  'IAD89-C1',
  915,
  '2001:db8:85a3::8a2e:370:7334',
  'POST',
  'd111111abcdef8.cloudfront.net',
  '/login',
  502,
  '-',
  'sqlmap/1.7.2%23stable%20(https://sqlmap.org)',
  'user=admin%27%20OR%201=1--',
  'session=abc123',
  'Error',
  'pK2m0lK1gAq1nZ9oYb2sVd3eFg4hIj5kLm6nOp7qRs8tUv9wXy0zAA==',
  'www.example.com',
  'https',
  1480,
  '0.305',
  '203.0.113.5',
  'TLSv1.2',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'Error',
  'HTTP/1.1',
  '-',
  '-',
  60111,
  '0.305',
  'OriginConnectError',
  'text/html',
  507,
  '-',
  '-',
);
/** Viewer closed the connection before the response: status 000, range request fields set. */
const CLOSED = row(
  '2024-05-14',
  '09:12:46',
  'NRT57-P2',
  0,
  '192.0.2.44',
  'GET',
  'd111111abcdef8.cloudfront.net',
  '/video/intro.mp4',
  '000',
  '-',
  'VLC/3.0.18%20LibVLC/3.0.18',
  '-',
  '-',
  'Error',
  'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6aa==',
  'media.example.com',
  'https',
  210,
  '1.020',
  '-',
  'TLSv1.2',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'Error',
  'HTTP/1.1',
  '-',
  '-',
  49811,
  '0.010',
  'ClientCommError',
  'video/mp4',
  '-',
  1048576,
  2097151,
);

function parse(lines: string[], options = {}) {
  return parseTextWith(cloudfrontFormat, lines.join('\n'), { file: 'E2EXAMPLE.2024-05-14-09.abcd1234', options });
}

describe('CloudFront standard logs — header-driven parsing', () => {
  it('maps columns from #Fields with CloudFront names, types numbers and drops `-`', () => {
    const { records, errors } = parse([VERSION, FIELDS, HIT, ERROR_V6, CLOSED]);
    expect(errors).toEqual([]);
    expect(records.map((r) => r.origin.line)).toEqual([3, 4, 5]);
    const [hit, err, closed] = records;
    expect(hit!.fields).toEqual({
      date: '2024-05-14',
      time: '09:12:44',
      'x-edge-location': 'FRA56-P7',
      'sc-bytes': 4312,
      'c-ip': '198.51.100.10',
      'cs-method': 'GET',
      'cs(Host)': 'd111111abcdef8.cloudfront.net',
      'cs-uri-stem': '/assets/app.js',
      'sc-status': 200,
      'cs(Referer)': 'https://www.example.com/',
      'cs(User-Agent)': UA, // URL-encoded, kept raw
      'cs-uri-query': 'v=3',
      'x-edge-result-type': 'Hit',
      'x-edge-request-id': 'Xq0dP1Jp4Y2n9hT0qP0JbSLLyO3GQ-7E1mL5gR8c5q7x0KzZbQ3A6w==',
      'x-host-header': 'www.example.com',
      'cs-protocol': 'https',
      'cs-bytes': 97,
      'time-taken': 0.002,
      'ssl-protocol': 'TLSv1.3',
      'ssl-cipher': 'TLS_AES_128_GCM_SHA256',
      'x-edge-response-result-type': 'Hit',
      'cs-protocol-version': 'HTTP/2.0',
      'c-port': 51234,
      'time-to-first-byte': 0.002,
      'x-edge-detailed-result-type': 'Hit',
      'sc-content-type': 'application/javascript',
      'sc-content-len': 4012,
    });
    expect(hit!.time).toBe(Date.UTC(2024, 4, 14, 9, 12, 44));
    expect(hit!.sourceIp).toBe('198.51.100.10');
    expect(hit!.actor).toBeUndefined();
    expect(hit!.raw).toBe(HIT);
    expect(err!.sourceIp).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(err!.fields).toMatchObject({
      'cs-uri-query': 'user=admin%27%20OR%201=1--',
      'cs(Cookie)': 'session=abc123',
      'x-forwarded-for': '203.0.113.5',
      'x-edge-detailed-result-type': 'OriginConnectError',
      'sc-status': 502,
    });
    expect(closed!.fields).toMatchObject({ 'sc-status': 0, 'sc-bytes': 0, 'sc-range-start': 1048576 });
    expect(closed!.fields['sc-content-len']).toBeUndefined();
  });

  it('follows an older, shorter #Fields list and a #Fields directive that reappears', () => {
    const old = CLOUDFRONT_FIELDS.slice(0, 19);
    const oldLine = HIT.split('\t').slice(0, 19).join('\t');
    const { records, errors } = parse([
      VERSION,
      `#Fields: ${old.join(' ')}`,
      oldLine,
      // A second file concatenated onto the first: new directives, new layout.
      VERSION,
      FIELDS,
      ERROR_V6,
    ]);
    expect(errors).toEqual([]);
    expect(Object.keys(records[0]!.fields)).toEqual(old.filter((f) => f !== 'cs(Cookie)'));
    expect(records[0]!.fields['time-taken']).toBe(0.002);
    expect(records[1]!.fields['c-port']).toBe(60111);
  });

  it('keeps surplus columns in _extra', () => {
    const { records, errors } = parse([FIELDS, `${HIT}\tfuture-1\t-`]);
    expect(errors).toEqual([]);
    expect(records[0]!.fields._extra).toEqual(['future-1', '-']);
    expect(records[0]!.fields['sc-range-end']).toBeUndefined();
  });
});

describe('CloudFront standard logs — files without a header', () => {
  it('uses the 33 standard fields, and accepts older shorter lines', () => {
    const short = HIT.split('\t').slice(0, 26).join('\t');
    const { records, errors } = parse([HIT, short]);
    expect(errors).toEqual([]);
    expect(records[0]!.fields['sc-content-len']).toBe(4012);
    expect(records[1]!.fields['cs-protocol-version']).toBe('HTTP/2.0');
    expect(records[1]!.fields['c-port']).toBeUndefined();
  });

  it('uses FormatOptions.cloudfrontFields when configured (space, comma or #Fields form)', () => {
    const fields = 'timestamp, c-ip, sc-status, cs-method, cs-uri-stem, x-edge-location';
    expect(parseFieldList(fields)).toEqual(parseFieldList(`#Fields: ${fields.replace(/,/g, '')}`));
    const line = row('1715677964.123', '198.51.100.10', 403, 'GET', '/admin', 'FRA56-P7');
    const { records, errors } = parse([line], { cloudfrontFields: fields });
    expect(errors).toEqual([]);
    expect(records[0]!.fields).toEqual({
      timestamp: 1715677964.123,
      'c-ip': '198.51.100.10',
      'sc-status': 403,
      'cs-method': 'GET',
      'cs-uri-stem': '/admin',
      'x-edge-location': 'FRA56-P7',
    });
    expect(records[0]!.time).toBe(1715677964123);
    // A configured list is a declaration: a shorter line is an error.
    const bad = parse([row('1715677964', '198.51.100.10')], { cloudfrontFields: fields });
    expect(bad.errors[0]!.reason).toBe('expected 6 tab-separated fields per the #Fields header, got 2');
  });

  it('records without any time column get time NaN, not an error', () => {
    const { records, errors } = parse([row('198.51.100.10', 200)], { cloudfrontFields: 'c-ip sc-status' });
    expect(errors).toEqual([]);
    expect(records[0]!.time).toBeNaN();
  });
});

describe('CloudFront standard logs — bad input', () => {
  it('reports each bad line with file, line and reason and keeps the good lines', () => {
    const cols = HIT.split('\t');
    const withCol = (i: number, v: string) => cols.map((c, j) => (j === i ? v : c)).join('\t');
    const lines = [
      VERSION,
      FIELDS,
      HIT,
      cols.slice(0, 20).join('\t'),
      withCol(0, '2024-13-45'),
      withCol(1, '9:12'),
      withCol(3, 'lots'),
      '\u0000\u0001\u00ff binary',
      '#Fields:',
      ERROR_V6,
    ];
    const { records, errors } = parse(lines);
    expect(records.map((r) => r.origin.line)).toEqual([3, 10]);
    expect(errors.map((e) => [e.file, e.line, e.reason])).toEqual([
      ['E2EXAMPLE.2024-05-14-09.abcd1234', 4, 'expected 33 tab-separated fields per the #Fields header, got 20'],
      ['E2EXAMPLE.2024-05-14-09.abcd1234', 5, "invalid date/time '2024-13-45 09:12:44'"],
      ['E2EXAMPLE.2024-05-14-09.abcd1234', 6, "invalid date/time '2024-05-14 9:12'"],
      ['E2EXAMPLE.2024-05-14-09.abcd1234', 7, "invalid sc-bytes 'lots' (expected a number or -)"],
      ['E2EXAMPLE.2024-05-14-09.abcd1234', 8, 'expected 33 tab-separated fields per the #Fields header, got 1'],
      ['E2EXAMPLE.2024-05-14-09.abcd1234', 9, 'empty #Fields: directive'],
    ]);
  });

  it('without a header, too-short lines are errors', () => {
    const { errors } = parse(['garbage line', HIT]);
    expect(errors).toEqual([
      {
        file: 'E2EXAMPLE.2024-05-14-09.abcd1234',
        line: 1,
        reason: 'expected at least 12 tab-separated fields (CloudFront standard log), got 1',
      },
    ]);
  });

  it('never throws; every data line yields exactly one record or one error (property)', () => {
    const base = [HIT, ERROR_V6, CLOSED];
    const mutated = fc
      .tuple(fc.constantFrom(...base), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
      .map(([line, a, b, ins]) => {
        const i = a % line.length;
        return line.slice(0, i) + ins + line.slice(Math.min(line.length, i + (b % 12)));
      });
    const anyLine = fc.oneof(mutated, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(fc.boolean(), fc.array(anyLine, { minLength: 1, maxLength: 8 }), (header, raw) => {
        // Data lines only (a mutated line starting with `#` would be a directive).
        const data = raw.map((l) => l.replace(/[\r\n]/g, ' ').replace(/^#/, 'x')).filter((l) => l.trim() !== '');
        const lines = header ? [VERSION, FIELDS, ...data] : data;
        const { records, errors } = parse(lines);
        expect(errors.filter((e) => e.reason.startsWith('parser failure'))).toEqual([]);
        const seen = [...records.map((r) => r.origin.line), ...errors.map((e) => e.line)].sort((x, y) => x! - y!);
        const offset = header ? 3 : 1;
        expect(seen).toEqual(data.map((_, i) => i + offset));
      }),
      { numRuns: 300 },
    );
  });
});

describe('CloudFront standard logs — sniffing', () => {
  const sniff = (head: string) =>
    cloudfrontFormat.sniff({ firstLine: head.split('\n').find((l) => l.trim() !== '') ?? '', head, path: '' });

  it('is confident on W3C files and on header-less lines', () => {
    expect(sniff([VERSION, FIELDS, HIT].join('\n'))).toBeGreaterThanOrEqual(0.95);
    expect(sniff([FIELDS, HIT].join('\n'))).toBeGreaterThanOrEqual(0.95);
    expect(sniff([HIT, ERROR_V6].join('\n'))).toBeGreaterThanOrEqual(0.8);
  });

  it('is low for other W3C logs and 0 for every other format in the corpus', () => {
    // IIS also writes #Version/#Fields; without CloudFront's field names it is not ours.
    expect(sniff('#Software: Microsoft IIS\n#Version: 1.0\n#Fields: date time s-ip cs-method cs-uri-stem')).toBe(0.3);
    for (const { path, input } of otherFormatSamples()) expect(cloudfrontFormat.sniff(input), path).toBe(0);
  });
});

function otherFormatSamples(): { path: string; input: SniffInput }[] {
  const files = (readdirSync(ELASTIC, { recursive: true }) as string[]).filter((f) => f.endsWith('.log'));
  return files.map((f) => {
    const head = readFileSync(join(ELASTIC, f), 'utf8').slice(0, 65536);
    const firstLine = head.split('\n').find((l) => l.trim() !== '') ?? '';
    return { path: f, input: { firstLine, head, path: f } };
  });
}
