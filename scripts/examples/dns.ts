import { BASE_TIME, END_TIME, isoSeconds, keyStamp, MINUTE, SECOND, windowStart } from './clock.js';
import { awsLogsDir, type Ctx, groupBy } from './context.js';
import { ephemeralPort } from './http.js';
import { type Rng, rngFor } from './prng.js';
import { SCENARIO_IDS, TIMES } from './scenarios.js';
import { ATTACKERS, HOSTS, type Host, PROD, REGION, VPC_APP, VPC_BATCH, type Vpc } from './world.js';
import type { Tagged } from './writer.js';

/**
 * Route 53 Resolver query logs (logs.md §5) of both VPCs: one JSON object per line, gzip, per VPC and five-minute
 * window. The answers are consistent with the addresses the flow logs connect to.
 */

interface Answer {
  Rdata: string;
  Type: string;
  Class: 'IN';
}

interface Zone {
  cname?: string;
  a?: string[];
  aaaa?: string[];
  nx?: boolean;
}

const RDS = 'shop-prod-db.cluster-c9akciq32xyz.us-east-1.rds.amazonaws.com.';
const ZONES: Record<string, Zone> = {
  'api.stripe.com.': { a: ['54.187.216.72', '54.241.31.99'] },
  'api.sendgrid.com.': { a: ['167.89.118.52'] },
  'o450123.ingest.sentry.io.': { a: ['34.120.195.249'] },
  'secretsmanager.us-east-1.amazonaws.com.': { a: ['52.94.224.196'] },
  'ssm.us-east-1.amazonaws.com.': { a: ['52.46.141.158'] },
  'ec2messages.us-east-1.amazonaws.com.': { a: ['52.46.155.32'] },
  'ssmmessages.us-east-1.amazonaws.com.': { a: ['52.46.137.12'] },
  [RDS]: { cname: 'shop-prod-db-instance-1.c9akciq32xyz.us-east-1.rds.amazonaws.com.', a: ['10.0.20.50'] },
  'anycompany-app-assets.s3.us-east-1.amazonaws.com.': {
    cname: 's3-r-w.us-east-1.amazonaws.com.',
    a: ['52.217.161.10'],
  },
  'anycompany-batch-input.s3.us-east-1.amazonaws.com.': {
    cname: 's3-r-w.us-east-1.amazonaws.com.',
    a: ['52.216.8.187', '52.217.97.2', '3.5.28.142'],
  },
  'sqs.us-east-1.amazonaws.com.': { a: ['52.46.134.71', '52.46.144.214'] },
  'sts.us-east-1.amazonaws.com.': { a: ['209.54.177.164'] },
  'logs.us-east-1.amazonaws.com.': { a: ['52.46.128.201'] },
  'github.com.': { a: ['140.82.112.3', '140.82.112.4'] },
  'api.github.com.': { a: ['140.82.112.6'] },
  'codeload.github.com.': { a: ['140.82.112.10'] },
  'registry.npmjs.org.': { a: ['104.16.27.35', '104.16.30.34'] },
  'deb.debian.org.': { cname: 'debian.map.fastly.net.', a: ['151.101.2.132'] },
  'hooks.slack.com.': { a: ['34.200.142.36'] },
  'pastebin.com.': { a: ['104.22.68.199', '172.67.34.170'] },
  'pypi.org.': { a: ['151.101.0.223'], aaaa: ['2a04:4e42:200::223'] },
  'files.pythonhosted.org.': { a: ['151.101.1.63'], aaaa: ['2a04:4e42::319'] },
  'xmr.pool.minergate.com.': { nx: true },
  'pool.supportxmr.com.': { a: [ATTACKERS.miningPool] },
  '45.113.0.203.in-addr.arpa.': { nx: true },
  '142.69.2.81.in-addr.arpa.': { nx: true },
  'api.stripe.com.ec2.internal.': { nx: true },
};

/** DNS Firewall rule group that alerts on paste sites (customer-owned domain list). */
const FIREWALL = { group: 'rslvr-frg-2d7f3a9c1e5b4a60', list: 'rslvr-fdl-8b4e1c7a3f9d2e05' };

interface Query {
  ms: number;
  host: Host;
  name: string;
  type: 'A' | 'AAAA' | 'PTR';
  transport?: 'UDP' | 'TCP';
  firewall?: 'ALERT';
  scenarios?: string[];
}

function answer(q: Query): { rcode: string; answers: Answer[] } {
  const z = ZONES[q.name];
  if (!z || z.nx) return { rcode: 'NXDOMAIN', answers: [] };
  const chain: Answer[] = z.cname ? [{ Rdata: z.cname, Type: 'CNAME', Class: 'IN' }] : [];
  const addrs = q.type === 'AAAA' ? (z.aaaa ?? []) : (z.a ?? []);
  return {
    rcode: 'NOERROR',
    answers: [...chain, ...addrs.map((a) => ({ Rdata: a, Type: q.type, Class: 'IN' as const }))],
  };
}

function record(r: Rng, vpc: Vpc, q: Query): Record<string, unknown> {
  const { rcode, answers } = answer(q);
  const rec: Record<string, unknown> = {
    version: '1.100000',
    account_id: PROD,
    region: REGION,
    vpc_id: vpc.id,
    query_timestamp: isoSeconds(q.ms),
    query_name: q.name,
    query_type: q.type,
    query_class: 'IN',
    rcode,
    answers,
    srcaddr: q.host.eni.ip,
    srcport: String(ephemeralPort(r)),
    transport: q.transport ?? 'UDP',
    srcids: { instance: q.host.eni.instance },
  };
  if (q.firewall) {
    rec.firewall_rule_group_id = FIREWALL.group;
    rec.firewall_rule_action = q.firewall;
    rec.firewall_domain_list_id = FIREWALL.list;
  }
  return rec;
}

/** glibc resolves A and AAAA together; AWS endpoints answer AAAA with no records. */
function lookup(out: Query[], r: Rng, host: Host, ms: number, name: string, extra: Partial<Query> = {}) {
  out.push({ ms, host, name, type: 'A', ...extra });
  if (r.chance(0.5)) out.push({ ms: ms + r.int(0, 3), host, name, type: 'AAAA', ...extra });
}

function appQueries(ctx: Ctx): Query[] {
  const r = rngFor('dns:app');
  const out: Query[] = [];
  const ssmHosts = [HOSTS.web1, HOSTS.web2, HOSTS.jenkins, HOSTS.legacy, HOSTS.mqtt];
  for (const h of ssmHosts)
    for (let ms = BASE_TIME + r.int(0, 299) * SECOND; ms < END_TIME; ms += 5 * MINUTE)
      for (const n of [
        'ssm.us-east-1.amazonaws.com.',
        'ec2messages.us-east-1.amazonaws.com.',
        'ssmmessages.us-east-1.amazonaws.com.',
      ])
        lookup(out, r, h, ms + r.int(0, 2_000), n);
  for (const h of [HOSTS.web1, HOSTS.web2]) {
    for (let ms = BASE_TIME + r.int(0, 59) * SECOND; ms < END_TIME; ms += MINUTE) {
      lookup(out, r, h, ms + r.int(0, 50_000), RDS);
      if (r.chance(0.35))
        lookup(
          out,
          r,
          h,
          ms + r.int(0, 59_000),
          r.pick(['api.stripe.com.', 'api.sendgrid.com.', 'o450123.ingest.sentry.io.']),
        );
      if (r.chance(0.02))
        out.push({ ms: ms + r.int(0, 59_000), host: h, name: 'api.stripe.com.ec2.internal.', type: 'A' });
      if (r.chance(0.25)) lookup(out, r, h, ms + r.int(0, 59_000), 'anycompany-app-assets.s3.us-east-1.amazonaws.com.');
      if (r.chance(0.07)) lookup(out, r, h, ms + r.int(0, 59_000), 'secretsmanager.us-east-1.amazonaws.com.');
    }
  }
  for (let ms = BASE_TIME + 3 * MINUTE; ms < END_TIME; ms += r.int(4, 9) * MINUTE) {
    const names = r.pick([
      ['github.com.', 'codeload.github.com.'],
      ['api.github.com.'],
      ['registry.npmjs.org.'],
      ['deb.debian.org.'],
    ]);
    for (const n of names) lookup(out, r, HOSTS.jenkins, ms + r.int(0, 900), n);
    if (r.chance(0.4)) lookup(out, r, HOSTS.jenkins, ms + r.int(60, 240) * SECOND, 'hooks.slack.com.');
  }
  // A build script posts a log excerpt to a paste site: DNS Firewall (ALERT) flags the lookup.
  out.push({
    ms: BASE_TIME + 83 * MINUTE + 17 * SECOND,
    host: HOSTS.jenkins,
    name: 'pastebin.com.',
    type: 'A',
    firewall: 'ALERT',
  });
  // sshd on the bastion resolves the address of the admin logging in, and of every brute-force connection.
  out.push({
    ms: BASE_TIME + 12 * MINUTE + 5 * SECOND,
    host: HOSTS.bastion,
    name: '142.69.2.81.in-addr.arpa.',
    type: 'PTR',
  });
  const brute = ctx.scenarios.get(SCENARIO_IDS.sshBruteForce);
  let ptr = 0;
  for (let ms = TIMES.sshBrute.start + 200; ms < TIMES.sshBrute.end; ms += r.int(3_500, 8_000)) {
    out.push({ ms, host: HOSTS.bastion, name: '45.113.0.203.in-addr.arpa.', type: 'PTR', scenarios: [brute.id] });
    ptr++;
  }
  ctx.scenarios.fact(brute.id, 'reverseLookups', ptr);
  return out;
}

function batchQueries(ctx: Ctx): Query[] {
  const r = rngFor('dns:batch');
  const out: Query[] = [];
  for (const h of [HOSTS.batch1, HOSTS.batch2, HOSTS.batch3]) {
    for (let ms = BASE_TIME + r.int(0, 59) * SECOND; ms < END_TIME; ms += MINUTE) {
      if (r.chance(0.5)) lookup(out, r, h, ms + r.int(0, 59_000), 'anycompany-batch-input.s3.us-east-1.amazonaws.com.');
      if (r.chance(0.3)) lookup(out, r, h, ms + r.int(0, 59_000), 'sqs.us-east-1.amazonaws.com.');
      if (r.chance(0.1))
        lookup(
          out,
          r,
          h,
          ms + r.int(0, 59_000),
          r.pick(['sts.us-east-1.amazonaws.com.', 'logs.us-east-1.amazonaws.com.']),
        );
      if (r.chance(0.04)) {
        out.push({ ms: ms + 100, host: h, name: 'pypi.org.', type: 'AAAA' });
        out.push({ ms: ms + 600, host: h, name: 'files.pythonhosted.org.', type: 'AAAA' });
      }
    }
    for (let ms = BASE_TIME + r.int(0, 299) * SECOND; ms < END_TIME; ms += 5 * MINUTE)
      lookup(out, r, h, ms, 'ssm.us-east-1.amazonaws.com.');
  }
  // Scenario 4: the miner tries a dead pool first, then resolves its configured pool every five minutes.
  const scen = [SCENARIO_IDS.mining];
  const m = HOSTS.batch3;
  const s = TIMES.mining.start;
  const mining: Query[] = [
    { ms: s, host: m, name: 'xmr.pool.minergate.com.', type: 'A', scenarios: scen },
    { ms: s, host: m, name: 'xmr.pool.minergate.com.', type: 'AAAA', scenarios: scen },
    { ms: s + 2 * SECOND, host: m, name: 'xmr.pool.minergate.com.', type: 'A', scenarios: scen },
    { ms: s + 4 * SECOND, host: m, name: 'pool.supportxmr.com.', type: 'A', scenarios: scen },
    { ms: s + 4 * SECOND, host: m, name: 'pool.supportxmr.com.', type: 'AAAA', scenarios: scen },
  ];
  for (let ms = s + 5 * MINUTE + 4 * SECOND; ms < END_TIME; ms += 5 * MINUTE)
    mining.push({ ms, host: m, name: 'pool.supportxmr.com.', type: 'A', scenarios: scen });
  out.push(...mining);
  ctx.scenarios.fact(SCENARIO_IDS.mining, 'dnsQueries', mining.length);
  ctx.scenarios.fact(SCENARIO_IDS.mining, 'domains', ['xmr.pool.minergate.com.', 'pool.supportxmr.com.']);
  return out;
}

function writeVpc(ctx: Ctx, vpc: Vpc, queries: Query[]): void {
  const r = rngFor(`dns:render:${vpc.id}`);
  const sorted = queries.filter((q) => q.ms < END_TIME).sort((a, b) => a.ms - b.ms);
  for (const [w, list] of groupBy(sorted, (q) => windowStart(q.ms))) {
    const rows: Tagged<object>[] = list.map((q) => ({ value: record(r, vpc, q), scenarios: q.scenarios }));
    const name = `${PROD}_vpcdnsquerylogs_${vpc.id}_${keyStamp(w)}_${rngFor(`dns:name:${vpc.id}:${w}`).hex(8)}.log.gz`;
    ctx.writer.jsonLines(`${awsLogsDir(PROD, 'vpcdnsquerylogs', vpc.id, w)}/${name}`, 'route53resolver', rows, true);
  }
}

export function generateDns(ctx: Ctx): void {
  writeVpc(ctx, VPC_APP, appQueries(ctx));
  writeVpc(ctx, VPC_BATCH, batchQueries(ctx));
}
