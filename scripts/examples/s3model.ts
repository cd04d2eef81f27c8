import { BASE_TIME, END_TIME, MINUTE, SECOND } from './clock.js';
import { type Identity, roleSession, userWithKey } from './identity.js';
import { type Rng, rngFor } from './prng.js';
import { SCENARIO_IDS, TIMES } from './scenarios.js';
import { ATTACKERS, BUCKETS, HOSTS, type Host, OFFICE_IPS, REGION, UA, USERS } from './world.js';

/**
 * S3 requests against the two logged buckets, shared by the S3 server access log module and (for the
 * customer-exports bucket, which has CloudTrail data events enabled) by the CloudTrail module: both print the same
 * request ID and host ID for the same request, as AWS does.
 */

export interface S3Request {
  ms: number;
  bucket: string;
  /** Server access log operation, e.g. `REST.GET.OBJECT`. */
  operation: string;
  /** CloudTrail eventName for data events (undefined for requests CloudTrail does not log). */
  eventName?: string;
  key?: string;
  /** Request-URI as sent (`GET /key HTTP/1.1`). */
  uri: string;
  remoteIp: string;
  /** Requester as the access log prints it (ARN, `svc:…`, `AmazonS3`, or `-` for anonymous). */
  requester: string;
  identity?: Identity;
  userAgent: string;
  status: number;
  errorCode?: string;
  bytesSent: number;
  objectSize?: number;
  totalMs: number;
  turnMs?: number;
  requestId: string;
  hostId: string;
  tls: boolean;
  /** ListObjects prefix (CloudTrail requestParameters). */
  prefix?: string;
  scenarios?: string[];
}

const HOST_HEADER = (bucket: string) => `${bucket}.s3.${REGION}.amazonaws.com`;
export const s3Host = HOST_HEADER;

function ids(r: Rng) {
  return { requestId: r.upperHex(16), hostId: `${r.base64(76)}=` };
}

function instanceSession(h: Host, r: Rng): Identity {
  return roleSession(h.role!, h.eni.instance!, r.iamId('ASIA', 16), BASE_TIME - r.int(10, 300) * MINUTE, { ec2: true });
}

export function s3Requests(): S3Request[] {
  const r = rngFor('s3');
  const out: S3Request[] = [];
  const get = (
    ms: number,
    bucket: string,
    key: string,
    who: { ip: string; requester: string; identity?: Identity; ua: string },
    size: number,
    scenarios?: string[],
  ) =>
    out.push({
      ms,
      bucket,
      operation: 'REST.GET.OBJECT',
      eventName: 'GetObject',
      key,
      uri: `GET /${encodeKey(key)} HTTP/1.1`,
      remoteIp: who.ip,
      requester: who.requester,
      identity: who.identity,
      userAgent: who.ua,
      status: 200,
      bytesSent: size,
      objectSize: size,
      totalMs: Math.round(size / 90_000) + r.int(8, 60),
      turnMs: r.int(6, 30),
      ...ids(r),
      tls: true,
      scenarios,
    });

  // customer-exports: last month's export parts exist; the nightly job writes today's at 01:00.
  const october = Array.from(
    { length: 96 },
    (_, i) => `exports/2026/10/31/customers-part-${String(i + 1).padStart(5, '0')}.csv.gz`,
  );
  const older = Array.from(
    { length: 40 },
    (_, i) => `exports/2026/10/30/customers-part-${String(i + 1).padStart(5, '0')}.csv.gz`,
  );
  const sizes = new Map<string, number>();
  for (const k of [...october, ...older]) sizes.set(k, r.int(1_800_000, 6_400_000));

  // The analyst works with yesterday's export from the office (aws-cli, long-term key).
  const analyst = {
    ip: OFFICE_IPS[0],
    requester: USERS.dataAnalyst.arn,
    identity: userWithKey(USERS.dataAnalyst),
    ua: `${UA.cliOffice} md/command#s3.cp`,
  };
  let t = BASE_TIME + 10 * MINUTE + 14 * SECOND;
  out.push(list(r, t, BUCKETS.exports, 'exports/2026/10/31/', analyst));
  for (const k of october.slice(0, 6)) {
    t += r.int(2, 9) * SECOND;
    get(t, BUCKETS.exports, k, analyst, sizes.get(k)!);
  }

  // Nightly export: batch workers write today's parts (PutObject with SSE-KMS).
  const today: string[] = [];
  t = BASE_TIME + 60 * MINUTE + 30 * SECOND;
  for (let i = 0; i < 42; i++) {
    const worker = i % 2 === 0 ? HOSTS.batch1 : HOSTS.batch2;
    const key = `exports/2026/11/01/customers-part-${String(i + 1).padStart(5, '0')}.csv.gz`;
    today.push(key);
    const size = r.int(1_800_000, 6_400_000);
    sizes.set(key, size);
    t += r.int(5, 14) * SECOND;
    const identity = instanceSession(worker, r);
    out.push({
      ms: t,
      bucket: BUCKETS.exports,
      operation: 'REST.PUT.OBJECT',
      eventName: 'PutObject',
      key,
      uri: `PUT /${encodeKey(key)} HTTP/1.1`,
      remoteIp: worker.eni.ip,
      requester: String(identity.arn),
      identity,
      userAgent: UA.batchBoto,
      status: 200,
      bytesSent: 0,
      objectSize: size,
      totalMs: Math.round(size / 60_000) + r.int(20, 90),
      turnMs: r.int(10, 40),
      ...ids(r),
      tls: true,
    });
  }

  // Scenario 6: the stolen analyst key from a Tor exit lists the bucket and downloads in bulk.
  const scen = [SCENARIO_IDS.s3Exfil];
  const thief = {
    ip: ATTACKERS.exfilTor,
    requester: USERS.dataAnalyst.arn,
    identity: userWithKey(USERS.dataAnalyst),
    ua: UA.exfilCli,
  };
  t = TIMES.s3Exfil.start + 40 * SECOND;
  out.push(list(r, t, BUCKETS.exports, 'exports/', thief, scen));
  const loot = [...today, ...october];
  for (const k of loot) {
    t += r.int(1_200, 3_400);
    if (t > TIMES.s3Exfil.end) break;
    get(t, BUCKETS.exports, k, thief, sizes.get(k)!, scen);
  }

  // app-assets: web servers read templates/config through the gateway endpoint; Jenkins uploads build artifacts.
  for (let m = BASE_TIME + 2 * MINUTE; m < END_TIME; m += r.int(3, 7) * MINUTE) {
    const web = r.pick([HOSTS.web1, HOSTS.web2]);
    const id = instanceSession(web, r);
    const key = r.pick([
      'config/shop-web/feature-flags.json',
      'templates/email/order-confirmation.html',
      'templates/email/shipping-update.html',
      'config/shop-web/banners.json',
    ]);
    get(m, BUCKETS.assets, key, { ip: web.eni.ip, requester: String(id.arn), ua: UA.javaSdk }, r.int(2_000, 40_000));
  }
  const jenkins = HOSTS.jenkins;
  for (let m = BASE_TIME + 17 * MINUTE; m < END_TIME; m += r.int(18, 35) * MINUTE) {
    const build = 1432 + Math.floor((m - BASE_TIME) / (20 * MINUTE));
    const key = `builds/shop-web/${build}/shop-web-1.43.${build - 1400}.tar.gz`;
    const size = r.int(38_000_000, 52_000_000);
    const id = instanceSession(jenkins, r);
    out.push({
      ms: m,
      bucket: BUCKETS.assets,
      operation: 'REST.PUT.OBJECT',
      key,
      uri: `PUT /${encodeKey(key)} HTTP/1.1`,
      remoteIp: jenkins.eni.ip,
      requester: String(id.arn),
      userAgent: `${UA.jenkinsCli} md/command#s3.cp`,
      status: 200,
      bytesSent: 0,
      objectSize: size,
      totalMs: r.int(3_000, 9_000),
      turnMs: r.int(40, 120),
      ...ids(r),
      tls: true,
    });
    // The deploy step copies the artifact to the release prefix: a copy logs a GET part and a PUT part.
    const copyMs = m + r.int(20, 60) * SECOND;
    const common = {
      bucket: BUCKETS.assets,
      remoteIp: jenkins.eni.ip,
      requester: String(id.arn),
      userAgent: `${UA.jenkinsCli} md/command#s3.cp`,
      status: 200,
      tls: true,
    };
    const copy = ids(r);
    out.push(
      {
        ...common,
        ms: copyMs,
        operation: 'REST.COPY.OBJECT_GET',
        key,
        uri: `PUT /releases/shop-web/latest.tar.gz HTTP/1.1`,
        bytesSent: 0,
        objectSize: size,
        totalMs: r.int(200, 900),
        ...copy,
      },
      {
        ...common,
        ms: copyMs,
        operation: 'REST.COPY.OBJECT',
        key: 'releases/shop-web/latest.tar.gz',
        uri: `PUT /releases/shop-web/latest.tar.gz HTTP/1.1`,
        bytesSent: 234,
        objectSize: size,
        totalMs: r.int(200, 900),
        turnMs: r.int(100, 400),
        ...copy,
      },
    );
  }
  // Lifecycle expiry of old builds (no remote IP, requester AmazonS3) and one anonymous probe that is denied.
  for (let i = 0; i < 6; i++)
    out.push({
      ms: BASE_TIME + 38 * MINUTE + i * 1_700,
      bucket: BUCKETS.assets,
      operation: 'S3.EXPIRE.OBJECT',
      key: `builds/shop-web/${1290 + i}/shop-web-1.42.${90 + i}.tar.gz`,
      uri: '-',
      remoteIp: '-',
      requester: 'AmazonS3',
      userAgent: '-',
      status: 0,
      bytesSent: 0,
      objectSize: r.int(38_000_000, 52_000_000),
      totalMs: -1,
      ...ids(r),
      tls: false,
    });
  out.push({
    ms: BASE_TIME + 71 * MINUTE + 12 * SECOND,
    bucket: BUCKETS.assets,
    operation: 'REST.GET.BUCKET',
    uri: 'GET / HTTP/1.1',
    remoteIp: '175.16.199.88',
    requester: '-',
    userAgent: 'python-requests/2.32.3',
    status: 403,
    errorCode: 'AccessDenied',
    bytesSent: 243,
    totalMs: 3,
    ...ids(r),
    tls: true,
  });
  return out.sort((a, b) => a.ms - b.ms);
}

function list(
  r: Rng,
  ms: number,
  bucket: string,
  prefix: string,
  who: { ip: string; requester: string; identity?: Identity; ua: string },
  scenarios?: string[],
): S3Request {
  return {
    ms,
    bucket,
    operation: 'REST.GET.BUCKET',
    eventName: 'ListObjects',
    uri: `GET /?list-type=2&prefix=${encodeURIComponent(prefix)}&encoding-type=url HTTP/1.1`,
    remoteIp: who.ip,
    requester: who.requester,
    identity: who.identity,
    userAgent: who.ua,
    status: 200,
    bytesSent: r.int(9_000, 40_000),
    totalMs: r.int(20, 80),
    turnMs: r.int(15, 60),
    ...ids(r),
    tls: true,
    prefix,
    scenarios,
  };
}

/** S3 URL-encodes keys in logs; `/` stays. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
