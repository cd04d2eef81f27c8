import { BASE_TIME, MINUTE, SECOND, unixSeconds } from './clock.js';
import type { Ctx } from './context.js';
import { rngFor } from './prng.js';
import { HOSTS, PROD } from './world.js';

/**
 * Deliberately broken inputs under `bad/`, so `vigil demo` can show error reporting. Each comes with what a
 * correct ingester reports (`expect`), recorded in scenarios.json and checked by the tests when the parsers exist.
 */

export interface BadFile {
  file: string;
  description: string;
  /** For the truncated gzip: the example file whose leading bytes it is. */
  truncatedFrom?: string;
  expect: {
    /** Log type whose parser reads the good parts (undefined: the file must be rejected as a whole). */
    type?: string;
    records: number;
    /** 1-based lines that must be reported, with a reason substring for each when it is format-independent. */
    errorLines?: number[];
    wholeFileError?: boolean;
  };
}

const HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

export function generateBad(ctx: Ctx, sourcePath: string, source: Buffer): BadFile[] {
  const r = rngFor('bad');
  const out: BadFile[] = [];

  // 1. A CloudTrail delivery file cut off in the middle of its gzip stream (interrupted download).
  const cut = source.subarray(0, Math.floor(source.length * 0.6));
  ctx.writer.raw('bad/truncated-cloudtrail.json.gz', 'bad', Buffer.from(cut), 0, true);
  out.push({
    file: 'bad/truncated-cloudtrail.json.gz',
    truncatedFrom: sourcePath,
    description:
      'A CloudTrail delivery file (gzip) cut at 60% of its bytes: the gzip stream ends early and the JSON document is ' +
      'incomplete. Expect an error naming the file (unexpected end of gzip / JSON); records decoded before the cut ' +
      'may or may not be reported depending on the reader.',
    expect: { type: 'cloudtrail', records: 0, wholeFileError: true },
  });

  // 2. A flow log with good records and a few broken lines among them.
  const web = HOSTS.web1.eni;
  const lines = [HEADER];
  const errorLines: number[] = [];
  const t0 = unixSeconds(BASE_TIME + 20 * MINUTE);
  for (let i = 0; i < 24; i++) {
    const s = t0 + i * 10;
    lines.push(
      `2 ${PROD} ${web.id} 10.0.20.50 ${web.ip} 5432 ${r.int(32768, 60999)} 6 ${r.int(10, 40)} ${r.int(4000, 30000)} ${s} ${s + 58} ACCEPT OK`,
    );
    if (i === 4) {
      lines.push(`2 ${PROD} ${web.id} 10.0.20.50 ${web.ip} 5432 41872 6 12 4410 ${s}`);
      errorLines.push(lines.length);
    }
    if (i === 9) {
      lines.push(`2 ${PROD} ${web.id} 10.0.20.50 ${web.ip} 5432 41872 6 12 4410 ${s} ${s + 58} ACCEPT OK extra-field`);
      errorLines.push(lines.length);
    }
    if (i === 14) {
      lines.push(`2 ${PROD} ${web.id} 10.0.20.50 ${web.ip} 5432 41872 6 12 4410 yesterday ${s + 58} ACCEPT OK`);
      errorLines.push(lines.length);
    }
    if (i === 19) {
      // Text, not binary: a whole-file binary check must not hide the good lines around it.
      lines.push('<html><head><title>503 Service Unavailable</title></head><body>Service Unavailable</body></html>');
      errorLines.push(lines.length);
    }
  }
  ctx.writer.raw('bad/vpcflow-with-invalid-lines.log', 'bad', Buffer.from(`${lines.join('\n')}\n`, 'utf8'), 24, false);
  out.push({
    file: 'bad/vpcflow-with-invalid-lines.log',
    description:
      'A default-format VPC flow log (plain text, with header) holding 24 good records and 4 bad lines: too few ' +
      'fields, one field too many, a non-numeric start time and an HTML error page pasted into the file. Expect the 24 ' +
      'records and one error ' +
      `per bad line (lines ${errorLines.join(', ')}).`,
    expect: { type: 'vpcflow', records: 24, errorLines },
  });

  // 3. Binary garbage (not gzip, not text).
  const garbage = Buffer.alloc(4096);
  for (let i = 0; i < garbage.length; i++) garbage[i] = r.int(0, 255);
  garbage[0] = 0x00;
  garbage[1] = 0x9c;
  ctx.writer.raw('bad/garbage.bin', 'bad', garbage, 0, false);
  out.push({
    file: 'bad/garbage.bin',
    description: '4 KiB of random bytes: no log format matches. Expect the whole file rejected with a clear reason.',
    expect: { records: 0, wholeFileError: true },
  });

  // 4. NDJSON CloudTrail with two broken lines between good records.
  const ndjson: string[] = [];
  const bad4: number[] = [];
  for (let i = 0; i < 10; i++) {
    const ms = BASE_TIME + 30 * MINUTE + i * 7 * SECOND;
    ndjson.push(
      JSON.stringify({
        eventVersion: '1.11',
        userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' },
        eventTime: new Date(ms).toISOString().replace('.000Z', 'Z'),
        eventSource: 'kms.amazonaws.com',
        eventName: 'GenerateDataKey',
        awsRegion: 'us-east-1',
        sourceIPAddress: 'cloudtrail.amazonaws.com',
        userAgent: 'cloudtrail.amazonaws.com',
        requestParameters: { keySpec: 'AES_256' },
        responseElements: null,
        requestID: r.uuid(),
        eventID: r.uuid(),
        readOnly: true,
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: PROD,
        eventCategory: 'Management',
      }),
    );
    if (i === 3) {
      ndjson.push('{"eventVersion":"1.11","userIdentity":{"type":"AWSService"');
      bad4.push(ndjson.length);
    }
    if (i === 6) {
      ndjson.push('not json at all');
      bad4.push(ndjson.length);
    }
  }
  ctx.writer.raw(
    'bad/cloudtrail-with-invalid-lines.ndjson',
    'bad',
    Buffer.from(`${ndjson.join('\n')}\n`, 'utf8'),
    10,
    false,
  );
  out.push({
    file: 'bad/cloudtrail-with-invalid-lines.ndjson',
    description: `NDJSON CloudTrail: 10 good records and 2 bad lines (a truncated object, plain text) at lines ${bad4.join(', ')}.`,
    expect: { type: 'cloudtrail', records: 10, errorLines: bad4 },
  });
  return out;
}
