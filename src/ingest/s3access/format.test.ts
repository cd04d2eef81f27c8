import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELASTIC, ecsGet, readExpected } from '../../../test/helpers/corpus.js';
import { parseTextWith } from '../file-parse.js';
import type { SniffInput } from '../types.js';
import { S3_ACCESS_FIELDS, s3AccessFormat } from './format.js';

const LOG = join(ELASTIC, 's3access/test-s3-server-access.log');

/** Our field (AWS Athena column name) → Elastic's `aws.s3access.*` name. */
const ECS_NAMES: Record<string, string> = {
  bucketowner: 'bucket_owner',
  bucket_name: 'bucket',
  remoteip: 'remote_ip',
  requester: 'requester',
  requestid: 'request_id',
  operation: 'operation',
  key: 'key',
  request_uri: 'request_uri',
  httpstatus: 'http_status',
  errorcode: 'error_code',
  bytessent: 'bytes_sent',
  objectsize: 'object_size',
  totaltime: 'total_time',
  turnaroundtime: 'turn_around_time',
  useragent: 'user_agent',
  versionid: 'version_id',
  hostid: 'host_id',
  sigv: 'signature_version',
  ciphersuite: 'cipher_suite',
  authtype: 'authentication_type',
  endpoint: 'host_header',
  tlsversion: 'tls_version',
  accesspointarn: 'point_arn',
  aclrequired: 'aclrequired',
};

// AWS's documented example (S3 User Guide, "Amazon S3 server access log format"): the newest, 27-field generation.
const DOC_27 =
  '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1';
// The original generation: ends after Version Id (18 fields).
const GEN_18 =
  '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be mybucket [06/Feb/2014:00:01:57 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be DD6CC733AEXAMPLE REST.PUT.OBJECT s3-dg.pdf "PUT /mybucket/s3-dg.pdf HTTP/1.1" 200 - - 4406583 41754 28 "-" "S3Console/0.4" -';
// Fields 19–24 (Host Id … TLS version), before access points existed.
const GEN_24 =
  '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be mybucket [12/Mar/2020:09:14:02 +0000] 2001:db8::17 arn:aws:iam::123456789012:user/alice 9A1C2B3D4E5F6071 REST.GET.OBJECT photos/2020/cat%20picture.jpg "GET /mybucket/photos/2020/cat%20picture.jpg?versionId=abc HTTP/1.1" 404 NoSuchKey 243 - 12 - "https://example.com/gallery" "aws-cli/2.0.10 Python/3.7.3" - aGVsbG8gd29ybGQgdGhpcyBpcyBhIGhvc3QgaWQ= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader mybucket.s3.eu-west-1.amazonaws.com TLSv1.2';

function lineOf(text: string): SniffInput {
  return { firstLine: text.split('\n')[0]!, head: text, path: '' };
}

describe('S3 server access logs — Elastic fixture', () => {
  const text = readFileSync(LOG, 'utf8');
  const { records, errors } = parseTextWith(s3AccessFormat, text, { file: LOG });
  const expected = readExpected(LOG);

  it('parses every line with zero errors', () => {
    expect(errors).toEqual([]);
    expect(records).toHaveLength(expected.filter((d) => d !== null).length);
    expect(records).toHaveLength(10);
  });

  it('matches the expected native values field for field', () => {
    records.forEach((r, i) => {
      const doc = expected[i]!;
      expect(r.raw).toBe(ecsGet(doc, 'event.original'));
      expect(r.origin).toEqual({ file: LOG, line: i + 1 });
      for (const [ours, ecs] of Object.entries(ECS_NAMES)) {
        const want = ecsGet(doc, `aws.s3access.${ecs}`);
        // Deliberate difference: Elastic keeps a quoted "-" Request-URI as the string "-"; `-` means absent (§0).
        if (ours === 'request_uri' && want === '-') {
          expect(r.fields.request_uri).toBeUndefined();
          continue;
        }
        expect(r.fields[ours], `line ${i + 1} ${ours}`).toEqual(want);
      }
      expect(new Date(r.time).toISOString()).toBe(ecsGet(doc, '@timestamp'));
      expect(r.sourceIp).toBe(ecsGet(doc, 'client.ip'));
      expect(r.actor).toBe(ecsGet(doc, 'client.user.id'));
    });
  });

  it('keeps the generation-specific trailing fields', () => {
    // Line 7: 25 fields (access point ARN `-`); line 8: 26 fields with an access point and aclRequired Yes.
    expect(records[6]!.fields.accesspointarn).toBeUndefined();
    expect(records[7]!.fields.accesspointarn).toBe('arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP');
    expect(records[7]!.fields.aclrequired).toBe('Yes');
    // Line 9: HTTP status `-` is absent, not 0.
    expect(records[8]!.fields.httpstatus).toBeUndefined();
    expect(records.every((r) => r.fields._extra === undefined)).toBe(true);
  });
});

describe('S3 server access logs — generations and variants', () => {
  it('parses the 27-field generation with source region', () => {
    const { records, errors } = parseTextWith(s3AccessFormat, DOC_27);
    expect(errors).toEqual([]);
    const r = records[0]!;
    expect(Object.keys(r.fields).sort()).toEqual(
      S3_ACCESS_FIELDS.filter(
        (f) => !['key', 'errorcode', 'objectsize', 'turnaroundtime', 'referrer', 'versionid'].includes(f),
      ).sort(),
    );
    expect(r.fields).toMatchObject({
      bucketowner: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      bucket_name: 'amzn-s3-demo-bucket1',
      requestdatetime: '06/Feb/2019:00:00:38 +0000',
      remoteip: '192.0.2.3',
      operation: 'REST.GET.VERSIONING',
      request_uri: 'GET /amzn-s3-demo-bucket1?versioning HTTP/1.1',
      httpstatus: 200,
      bytessent: 113,
      totaltime: 7,
      useragent: 'S3Console/0.4',
      sigv: 'SigV4',
      authtype: 'AuthHeader',
      endpoint: 'amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com',
      tlsversion: 'TLSV1.2', // kept as written; compare case-insensitively downstream
      accesspointarn: 'arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP',
      aclrequired: 'Yes',
      sourceregion: 'us-east-1',
    });
    expect(r.time).toBe(Date.UTC(2019, 1, 6, 0, 0, 38));
    expect(r.sourceIp).toBe('192.0.2.3');
    expect(r.actor).toBe('79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be');
  });

  it('accepts the original 18-field generation', () => {
    const { records, errors } = parseTextWith(s3AccessFormat, GEN_18);
    expect(errors).toEqual([]);
    const f = records[0]!.fields;
    expect(f).toMatchObject({ key: 's3-dg.pdf', httpstatus: 200, objectsize: 4406583, totaltime: 41754 });
    expect(f.turnaroundtime).toBe(28);
    expect(f.bytessent).toBeUndefined(); // `-` = zero bytes / absent
    expect(f.hostid).toBeUndefined();
    expect(Object.keys(f)).not.toContain('versionid');
  });

  it('parses the 24-field generation with an IPv6 client, an error code and a referrer', () => {
    const { records, errors } = parseTextWith(s3AccessFormat, GEN_24);
    expect(errors).toEqual([]);
    const r = records[0]!;
    expect(r.sourceIp).toBe('2001:db8::17');
    expect(r.actor).toBe('arn:aws:iam::123456789012:user/alice');
    expect(r.fields).toMatchObject({
      key: 'photos/2020/cat%20picture.jpg', // URL-encoded, kept raw
      httpstatus: 404,
      errorcode: 'NoSuchKey',
      referrer: 'https://example.com/gallery',
      tlsversion: 'TLSv1.2',
    });
    expect(r.fields.accesspointarn).toBeUndefined();
  });

  it('keeps unknown trailing fields in _extra', () => {
    const { records, errors } = parseTextWith(s3AccessFormat, `${DOC_27} future-a -`);
    expect(errors).toEqual([]);
    expect(records[0]!.fields.sourceregion).toBe('us-east-1');
    expect(records[0]!.fields._extra).toEqual(['future-a', '-']);
  });

  it('handles anonymous requesters, escaped quotes and non-UTC offsets', () => {
    const line = GEN_18.replace(
      '192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      '198.51.100.7 -',
    )
      .replace('[06/Feb/2014:00:01:57 +0000]', '[06/Feb/2014:02:01:57 +0200]')
      .replace('"S3Console/0.4"', '"curl/8.0 \\"quoted\\" agent"');
    const { records, errors } = parseTextWith(s3AccessFormat, line);
    expect(errors).toEqual([]);
    const r = records[0]!;
    expect(r.actor).toBeUndefined();
    expect(r.fields.requester).toBeUndefined();
    expect(r.fields.useragent).toBe('curl/8.0 "quoted" agent');
    expect(r.time).toBe(Date.UTC(2014, 1, 6, 0, 1, 57));
    expect(r.raw).toBe(line);
  });

  it('parses the CloudWatch Logs JSON variant, kept as written, line by line beside text lines', () => {
    const json = JSON.stringify({
      schema_version_id: 'V_1_0',
      bucket_arn: 'arn:aws:s3:::amzn-s3-demo-bucket1',
      bucket_name: 'amzn-s3-demo-bucket1',
      request_time: '2025-06-02T14:03:11.123Z',
      bucket_owner_id: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      remote_ip: '203.0.113.9',
      requester: 'arn:aws:sts::123456789012:assumed-role/reader/session',
      request_id: '3E57427F3EXAMPLE',
      operation: 'REST.GET.OBJECT',
      key_name: 'reports/q2.csv',
      request_uri: 'GET /reports/q2.csv HTTP/1.1',
      http_status: 200,
      error_code: null,
    });
    const anonymous = JSON.stringify({
      schema_version_id: 'V_1_0',
      bucket_name: 'amzn-s3-demo-bucket1',
      request_time: '2025-06-02T14:03:12.000Z',
      remote_ip: null,
      requester: null,
    });
    const { records, errors } = parseTextWith(s3AccessFormat, [json, DOC_27, anonymous].join('\n'));
    expect(errors).toEqual([]);
    expect(records).toHaveLength(3);
    const [a, b, c] = records;
    expect(a!.fields).toEqual(JSON.parse(json));
    expect(a!.fields.error_code).toBeNull();
    expect(a!.time).toBe(Date.parse('2025-06-02T14:03:11.123Z'));
    expect(a!.sourceIp).toBe('203.0.113.9');
    expect(a!.actor).toBe('arn:aws:sts::123456789012:assumed-role/reader/session');
    expect(a!.raw).toBeUndefined();
    expect(b!.fields.bucket_name).toBe('amzn-s3-demo-bucket1');
    expect(c!.sourceIp).toBeUndefined();
    expect(c!.actor).toBeUndefined();
    expect(c!.origin.line).toBe(3);
  });
});

describe('S3 server access logs — bad input', () => {
  it('reports each bad line with file, line and a specific reason and keeps the good lines', () => {
    const lines = [
      DOC_27,
      'only a few tokens here',
      `${DOC_27.slice(0, DOC_27.indexOf('"S3Console'))}"S3Console/0.4 - cut off`,
      DOC_27.replace('[06/Feb/2019:00:00:38 +0000]', '[31/Foo/2019:00:00:38 +0000]'),
      // An unquoted Request-URI shifts every column: the status column then holds a path.
      DOC_27.replace(
        '"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1"',
        'GET /amzn-s3-demo-bucket1?versioning HTTP/1.1',
      ),
      '\u0000\u0001\u00ff\ufffd binary \u0002',
      DOC_27.slice(0, 120),
      '{"schema_version_id":"V_1_0","bucket_name":"b"}',
      '{"schema_version_id":',
      '{"schema_version_id":"V_1_0","request_time":"yesterday"}',
      GEN_18,
    ];
    const { records, errors } = parseTextWith(s3AccessFormat, lines.join('\r\n'), { file: 's3.log' });
    expect(records.map((r) => r.origin.line)).toEqual([1, 11]);
    expect(errors.map((e) => [e.file, e.line])).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10].map((l) => ['s3.log', l]));
    const reasons = errors.map((e) => e.reason);
    expect(reasons[0]).toBe('expected at least 18 fields (S3 server access log), got 5');
    expect(reasons[1]).toBe('unterminated quoted or bracketed field');
    expect(reasons[2]).toMatch(/^invalid time '31\/Foo\/2019:00:00:38 \+0000'/);
    expect(reasons[3]).toBe("invalid httpstatus '/amzn-s3-demo-bucket1?versioning' (expected a number or -)");
    expect(reasons[4]).toMatch(/^expected at least 18 fields/);
    expect(reasons[5]).toMatch(/^expected at least 18 fields|^invalid/);
    expect(reasons[6]).toBe('not an S3 server access log JSON record: missing request_time');
    expect(reasons[7]).toMatch(/^invalid JSON: /);
    expect(reasons[8]).toBe("invalid request_time 'yesterday'");
  });

  it('never throws; every line yields exactly one record or one error (property)', () => {
    const base = [DOC_27, GEN_18, GEN_24];
    const mutated = fc
      .tuple(fc.constantFrom(...base), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
      .map(([line, a, b, ins]) => {
        const i = a % line.length;
        const j = Math.min(line.length, i + (b % 12));
        return line.slice(0, i) + ins + line.slice(j);
      });
    const anyLine = fc.oneof(mutated, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));
    fc.assert(
      fc.property(fc.array(anyLine, { minLength: 1, maxLength: 8 }), (raw) => {
        const lines = raw.map((l) => l.replace(/[\r\n]/g, ' ')).filter((l) => l.trim() !== '');
        const { records, errors } = parseTextWith(s3AccessFormat, lines.join('\n'));
        expect(errors.filter((e) => e.reason.startsWith('parser failure'))).toEqual([]);
        const seen = [...records.map((r) => r.origin.line), ...errors.map((e) => e.line)].sort((x, y) => x! - y!);
        expect(seen).toEqual(lines.map((_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });
});

describe('S3 server access logs — sniffing', () => {
  it('is confident on real samples', () => {
    expect(s3AccessFormat.sniff(lineOf(readFileSync(LOG, 'utf8')))).toBeGreaterThanOrEqual(0.9);
    expect(s3AccessFormat.sniff(lineOf(DOC_27))).toBeGreaterThanOrEqual(0.9);
    expect(s3AccessFormat.sniff(lineOf(GEN_24))).toBeGreaterThanOrEqual(0.9);
    const json = '{"schema_version_id":"V_1_0","bucket_name":"b","request_time":"2025-06-02T14:03:11.123Z"}';
    expect(s3AccessFormat.sniff(lineOf(json))).toBeGreaterThanOrEqual(0.9);
  });

  it('returns 0 for every other format in the corpus', () => {
    for (const { path, input } of otherFormatSamples('s3access')) {
      expect(s3AccessFormat.sniff(input), path).toBe(0);
    }
  });
});

/** First line and head of every Elastic fixture not under `skipDir`. */
function otherFormatSamples(skipDir: string): { path: string; input: SniffInput }[] {
  const files = (readdirSync(ELASTIC, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.log') && !f.startsWith(`${skipDir}/`),
  );
  return files.map((f) => {
    const head = readFileSync(join(ELASTIC, f), 'utf8').slice(0, 65536);
    const firstLine = head.split('\n').find((l) => l.trim() !== '') ?? '';
    return { path: f, input: { firstLine, head, path: f } };
  });
}
