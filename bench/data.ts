import { rng } from './util.js';

const EVENTS = [
  ['ec2.amazonaws.com', 'DescribeInstances', true],
  ['s3.amazonaws.com', 'GetObject', true],
  ['s3.amazonaws.com', 'PutObject', false],
  ['iam.amazonaws.com', 'ListRoles', true],
  ['sts.amazonaws.com', 'AssumeRole', false],
  ['kms.amazonaws.com', 'Decrypt', true],
  ['cloudtrail.amazonaws.com', 'LookupEvents', true],
  ['lambda.amazonaws.com', 'Invoke', false],
] as const;

/** A realistic CloudTrail record (~1.2–1.5 KB as JSON) with varied values. */
export function cloudTrailRecord(i: number, next: () => number): Record<string, unknown> {
  const [eventSource, eventName, readOnly] = EVENTS[Math.floor(next() * EVENTS.length)]!;
  const t = new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const role = `app-role-${Math.floor(next() * 20)}`;
  return {
    eventVersion: '1.11',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLEID${Math.floor(next() * 1000)}:session-${i % 97}`,
      arn: `arn:aws:sts::111122223333:assumed-role/${role}/session-${i % 97}`,
      accountId: '111122223333',
      accessKeyId: `ASIA${Math.floor(next() * 1e12)
        .toString(36)
        .toUpperCase()
        .padEnd(16, 'X')}`,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEID',
          arn: `arn:aws:iam::111122223333:role/${role}`,
          accountId: '111122223333',
          userName: role,
        },
        attributes: { creationDate: t, mfaAuthenticated: 'false' },
      },
    },
    eventTime: t,
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: `10.0.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}`,
    userAgent:
      'aws-sdk-java/2.20.160 Linux/5.10.199 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9 vendor/Amazon.com_Inc.',
    requestParameters: {
      bucketName: `bucket-${i % 13}`,
      key: `data/${i}/object-${Math.floor(next() * 1e6)}.parquet`,
      maxResults: 100,
    },
    responseElements: readOnly ? null : { requestId: `${i.toString(16)}-resp` },
    requestID: `${Math.floor(next() * 1e16).toString(16)}`,
    eventID: `${Math.floor(next() * 1e8).toString(16)}-1f2e-4c3d-9a8b-${i.toString(16).padStart(12, '0')}`,
    readOnly,
    resources: [{ accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::bucket-${i % 13}` }],
    eventType: 'AwsApiCall',
    managementEvent: eventSource !== 's3.amazonaws.com',
    recipientAccountId: '111122223333',
    eventCategory: eventSource === 's3.amazonaws.com' ? 'Data' : 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${eventSource}`,
    },
  };
}

export function cloudTrailNdjson(count: number, seed = 1): string {
  const next = rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify(cloudTrailRecord(i, next)));
  return `${lines.join('\n')}\n`;
}

/** CloudTrail S3 delivery files: `{"Records":[…]}` documents of `perFile` records, one per line. */
export function cloudTrailRecordsFiles(count: number, perFile: number, seed = 2): string[] {
  const next = rng(seed);
  const files: string[] = [];
  for (let start = 0; start < count; start += perFile) {
    const records = [];
    for (let i = start; i < Math.min(count, start + perFile); i++) records.push(cloudTrailRecord(i, next));
    files.push(JSON.stringify({ Records: records }));
  }
  return files;
}

/** VPC flow log v2 default-format lines (no header, as CloudWatch Logs delivers them). */
export function vpcFlowLines(count: number, seed = 3): string {
  const next = rng(seed);
  const out: string[] = [];
  const start = 1793491200;
  for (let i = 0; i < count; i++) {
    const ok = next() > 0.1;
    out.push(
      `2 111122223333 eni-0a1b2c3d4e5f${(i % 97).toString(16).padStart(5, '0')} 10.0.${i % 256}.${(i * 7) % 256} ` +
        `${Math.floor(next() * 223) + 1}.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}.${Math.floor(next() * 255)} ` +
        `${Math.floor(next() * 64511) + 1024} ${[443, 80, 22, 53, 3306][i % 5]} ${i % 7 === 0 ? 17 : 6} ` +
        `${Math.floor(next() * 100) + 1} ${Math.floor(next() * 90000) + 40} ${start + i} ${start + i + 60} ${ok ? 'ACCEPT' : 'REJECT'} OK`,
    );
  }
  return `${out.join('\n')}\n`;
}

const pick = <T>(next: () => number, xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
const publicIp = (next: () => number) =>
  `${Math.floor(next() * 200) + 11}.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}.${Math.floor(next() * 254) + 1}`;
const START = Date.UTC(2026, 10, 1);
const DOMAINS = [
  'sqs.us-east-1.amazonaws.com',
  'www.example.com',
  'api.github.com',
  'registry.npmjs.org',
  'cdn.example.net',
];

/** Route 53 Resolver query log JSON lines (as delivered to S3), 50 instances, mostly ordinary names. */
export function resolverLines(count: number, seed = 4): string {
  const next = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = next() < 0.9 ? pick(next, DOMAINS) : `x${Math.floor(next() * 1e6).toString(36)}.example.org`;
    out.push(
      JSON.stringify({
        version: '1.100000',
        account_id: '111122223333',
        region: 'us-east-1',
        vpc_id: 'vpc-0e7d9c1b3a5f2e4d6',
        query_timestamp: new Date(START + i * 100).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        query_name: `${name}.`,
        query_type: next() < 0.7 ? 'A' : 'AAAA',
        query_class: 'IN',
        rcode: next() < 0.95 ? 'NOERROR' : 'NXDOMAIN',
        answers: [{ Rdata: publicIp(next), Type: 'A', Class: 'IN' }],
        srcaddr: `10.1.${i % 8}.${(i % 50) + 10}`,
        srcport: String(1024 + Math.floor(next() * 60000)),
        transport: 'UDP',
        srcids: { instance: `i-0${(i % 50).toString(16).padStart(16, '0')}` },
      }),
    );
  }
  return `${out.join('\n')}\n`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const clf = (t: number) => {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

/** S3 server access log lines (current 26-field layout plus the source region). */
export function s3AccessLines(count: number, seed = 5): string {
  const next = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const get = next() < 0.8;
    const key = `data/${Math.floor(next() * 5000)}/part-${i % 100}.json`;
    out.push(
      `7a4c3f1e9b2d8e6a0c5f4b3a2d1e9f8c7b6a5d4e3f2c1b0a9e8d7c6b5a4f3e2d anycompany-app-assets [${clf(START + i * 50)}] ` +
        `${next() < 0.7 ? `10.0.${i % 16}.${(i % 200) + 1}` : publicIp(next)} ` +
        `arn:aws:sts::111122223333:assumed-role/app-role/i-0c3f9a2b7d1e4a5f${i % 10} ${Math.floor(next() * 1e15)
          .toString(16)
          .toUpperCase()} ` +
        `REST.${get ? 'GET' : 'PUT'}.OBJECT ${key} "${get ? 'GET' : 'PUT'} /${key} HTTP/1.1" 200 - ${get ? Math.floor(next() * 90000) : '-'} ` +
        `${Math.floor(next() * 90000)} ${Math.floor(next() * 50) + 1} ${Math.floor(next() * 20)} "-" ` +
        `"aws-sdk-java/2.28.29 Linux/6.1.112 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS" - ` +
        `WasfN+O90GBToEXS9a3hyyTs0Z+Xkg/DXxeHTn+eqzmcmFARAXx9ZD6c7DVr/E7UDE2lzgdfmo9U= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader ` +
        'anycompany-app-assets.s3.us-east-1.amazonaws.com TLSv1.3 - - us-east-1',
    );
  }
  return `${out.join('\n')}\n`;
}

const PATHS = ['/', '/api/search?q=trail+shoes', '/api/cart', '/images/logo.svg', '/login'];

/** Application Load Balancer access log lines (HTTP/2, forwarded to one of four targets). */
export function albLines(count: number, seed = 6): string {
  const next = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = new Date(START + i * 20).toISOString().replace('Z', '000Z');
    const target = `10.0.${10 + (i % 4)}.34:8080`;
    out.push(
      `h2 ${t} app/shop-prod/4f9a3c2e1b0d8a76 ${publicIp(next)}:${1024 + Math.floor(next() * 60000)} ${target} ` +
        `0.003 0.0${Math.floor(next() * 90) + 10} 0.000 200 200 ${Math.floor(next() * 900) + 100} ${Math.floor(next() * 9000) + 500} ` +
        `"GET https://shop.example.com:443${pick(next, PATHS)} HTTP/2.0" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0.0.0" ` +
        'TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/shop-web/6d0ecf831eec9f09 ' +
        `"Root=1-6ae68b93-${Math.floor(next() * 1e15)
          .toString(16)
          .padStart(24, '0')}" "shop.example.com" ` +
        '"arn:aws:acm:us-east-1:111122223333:certificate/3f2c9a1e-7b4d-4c8e-9a6f-1d2e3c4b5a69" 1 ' +
        `${t} "waf,forward" "-" "-" "${target}" "200" "-" "-" TID_${Math.floor(next() * 1e15).toString(16)}`,
    );
  }
  return `${out.join('\n')}\n`;
}

const CF_FIELDS =
  'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';

/** CloudFront standard log (header lines, then tab-separated records). */
export function cloudFrontLog(count: number, seed = 7): string {
  const next = rng(seed);
  const out = ['#Version: 1.0', `#Fields: ${CF_FIELDS}`];
  for (let i = 0; i < count; i++) {
    const iso = new Date(START + i * 20).toISOString();
    const hit = next() < 0.8 ? 'Hit' : 'Miss';
    out.push(
      [
        iso.slice(0, 10),
        iso.slice(11, 19),
        'DEL51-P1',
        Math.floor(next() * 20000) + 300,
        publicIp(next),
        'GET',
        'd2m3x8k1qz9yvb.cloudfront.net',
        pick(next, ['/', '/images/logo.svg', '/blog/', '/shop/item']),
        200,
        '-',
        'Mozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:132.0)%20Gecko/20100101%20Firefox/132.0',
        next() < 0.2 ? `v=${Math.floor(next() * 100)}` : '-',
        '-',
        hit,
        `${Math.floor(next() * 1e15).toString(36)}Ka2K220mgEmYcYx1iXUX5z7x==`,
        'www.example.com',
        'https',
        Math.floor(next() * 400) + 100,
        '0.012',
        '-',
        'TLSv1.3',
        'TLS_AES_128_GCM_SHA256',
        hit,
        'HTTP/2.0',
        '-',
        '-',
        1024 + Math.floor(next() * 60000),
        '0.010',
        hit,
        'text/html',
        Math.floor(next() * 20000),
        '-',
        '-',
      ].join('\t'),
    );
  }
  return `${out.join('\n')}\n`;
}
