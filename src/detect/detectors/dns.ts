/**
 * Route 53 Resolver query log detectors: listed domains (mining, C&C, phishing, drive-by, sinkhole, drop points,
 * abused dynamic DNS, custom lists), data exfiltration through long high-entropy labels, DGA bursts of NXDOMAIN,
 * and DNS rebinding to the instance metadata address.
 */
import { entropy } from '../../core/entropy.js';
import type { LogRecord } from '../../ingest/types.js';
import { instanceResource } from '../finding.js';
import type { IntelHit } from '../intel.js';
import type { Detector, DetectorContext, FindingAction } from '../types.js';
import { intelDetails, obj, str } from './util.js';
import { addOrigin, sample, type Win, windowAt } from './window.js';

interface DnsView {
  name: string;
  entity: string;
  instance: string | undefined;
  srcaddr: string;
  rcode: string;
}

export function dnsView(r: LogRecord): DnsView | undefined {
  const f = r.fields;
  const q = str(f.query_name);
  if (!q) return undefined;
  const name = (q.endsWith('.') ? q.slice(0, -1) : q).toLowerCase();
  const instance = str(obj(f.srcids)?.instance);
  const srcaddr = str(f.srcaddr) ?? '';
  return { name, entity: instance ?? srcaddr, instance, srcaddr, rcode: str(f.rcode) ?? '' };
}

function dnsResource(r: LogRecord, d: DnsView): Record<string, unknown> {
  return instanceResource(d.instance, undefined, d.srcaddr || undefined, str(r.fields.vpc_id));
}

function dnsAction(r: LogRecord, d: DnsView): FindingAction {
  return {
    actionType: 'DNS_REQUEST',
    dnsRequestAction: { domain: d.name, protocol: str(r.fields.transport) ?? 'UDP', blocked: false },
  };
}

function dnsEvidence(r: LogRecord, more: Record<string, unknown> = {}): Record<string, unknown> {
  const f = r.fields;
  return {
    query_name: f.query_name,
    query_type: f.query_type,
    rcode: f.rcode,
    srcaddr: f.srcaddr,
    'srcids.instance': obj(f.srcids)?.instance,
    ...more,
  };
}

const DOMAIN_TYPES: Partial<Record<IntelHit['category'], { type: string; severity: number }>> = {
  mining: { type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', severity: 8 },
  c2: { type: 'Backdoor:EC2/C&CActivity.B!DNS', severity: 8 },
  phishing: { type: 'Trojan:EC2/PhishingDomainRequest!DNS', severity: 8 },
  driveby: { type: 'Trojan:EC2/DriveBySourceTraffic!DNS', severity: 8 },
  blackhole: { type: 'Trojan:EC2/BlackholeTraffic!DNS', severity: 5 },
  droppoint: { type: 'Trojan:EC2/DropPoint!DNS', severity: 5 },
  malicious: { type: 'Impact:EC2/MaliciousDomainRequest.Reputation', severity: 8 },
  abused: { type: 'Impact:EC2/AbusedDomainRequest.Reputation', severity: 5 },
  custom: { type: 'Impact:EC2/MaliciousDomainRequest.Custom', severity: 5 },
};

const DNS_MITRE = { tactic: 'Command and Control', technique: 'T1071.004', name: 'Application Layer Protocol: DNS' };

export const dnsThreatIntel: Detector = {
  meta: {
    id: 'dns-threat-list-domain',
    title: 'Query for a listed domain',
    dataSources: ['route53resolver'],
    kind: 'stateless',
    trigger:
      'query_name (or a parent domain) is on a domain list; the list category picks the type: mining, c2, phishing, driveby, blackhole, droppoint, malicious feed (Reputation), abused dynamic-DNS (Reputation), custom. An answer address on a blackhole list gives BlackholeTraffic!DNS.',
    params: {},
    needs: ['intel'],
    findings: [
      {
        type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
        severity: 8,
        mitre: { tactic: 'Impact', technique: 'T1496', name: 'Resource Hijacking' },
      },
      { type: 'Backdoor:EC2/C&CActivity.B!DNS', severity: 8, mitre: DNS_MITRE },
      {
        type: 'Trojan:EC2/PhishingDomainRequest!DNS',
        severity: 8,
        mitre: { tactic: 'Initial Access', technique: 'T1566', name: 'Phishing' },
      },
      {
        type: 'Trojan:EC2/DriveBySourceTraffic!DNS',
        severity: 8,
        mitre: { tactic: 'Initial Access', technique: 'T1189', name: 'Drive-by Compromise' },
      },
      { type: 'Trojan:EC2/BlackholeTraffic!DNS', severity: 5, mitre: DNS_MITRE },
      {
        type: 'Trojan:EC2/DropPoint!DNS',
        severity: 5,
        mitre: { tactic: 'Exfiltration', technique: 'T1041', name: 'Exfiltration Over C2 Channel' },
      },
      { type: 'Impact:EC2/MaliciousDomainRequest.Reputation', severity: 8, mitre: DNS_MITRE },
      { type: 'Impact:EC2/AbusedDomainRequest.Reputation', severity: 5, mitre: DNS_MITRE },
      {
        type: 'Impact:EC2/MaliciousDomainRequest.Custom',
        severity: 5,
        severityNote: 'Vigil default (AWS does not state it in the spec)',
        mitre: DNS_MITRE,
      },
    ],
  },
  create(ctx) {
    return {
      onRecord(r) {
        const d = dnsView(r);
        if (!d) return;
        let hits = ctx.intel.lookupDomain(d.name);
        let via = 'query_name';
        if (!hits) {
          // Sinkholed domains answer with a sinkhole address.
          const answers = r.fields.answers;
          if (Array.isArray(answers)) {
            for (const a of answers) {
              const ip = str(obj(a)?.Rdata);
              const h = ip ? ctx.intel.lookupIp(ip)?.filter((x) => x.category === 'blackhole') : undefined;
              if (h && h.length > 0) {
                hits = h;
                via = `answer ${ip}`;
                break;
              }
            }
          }
        }
        if (!hits) return;
        const hit = hits.find((h) => DOMAIN_TYPES[h.category]);
        if (!hit) return;
        const t = DOMAIN_TYPES[hit.category]!;
        emitDns(
          ctx,
          r,
          d,
          t.type,
          t.severity,
          `${d.entity}|${hit.entry}`,
          `${d.entity} is querying ${d.name}`,
          `${via} ${via === 'query_name' ? d.name : ''} matches ${hit.entry} in "${hit.list}" (category ${hit.category})`.replace(
            '  ',
            ' ',
          ),
          dnsEvidence(r, { listEntry: hit.entry }),
          intelDetails(hits),
        );
      },
    };
  },
};

function emitDns(
  ctx: DetectorContext,
  r: LogRecord,
  d: DnsView,
  type: string,
  severity: number,
  key: string,
  title: string,
  reason: string,
  evidence: Record<string, unknown>,
  ti?: ReturnType<typeof intelDetails>,
  extra: Partial<import('../types.js').Signal> = {},
): void {
  ctx.emit({
    type,
    severity,
    key,
    time: r.time,
    title,
    description: `${title} (${reason}).`,
    resource: dnsResource(r, d),
    action: dnsAction(r, d),
    resourceRole: 'ACTOR',
    ...(ti ? { threatIntelligenceDetails: ti } : {}),
    reason,
    evidence,
    origins: [r.origin],
    ...extra,
  });
}

export { entropy };

const TWO_LEVEL_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'com.au',
  'net.au',
  'org.au',
  'co.jp',
  'co.nz',
  'com.br',
  'com.cn',
  'co.in',
  'co.za',
  'com.mx',
  'com.tr',
  'co.kr',
]);

/** Registered domain (eTLD+1) with a small built-in list of two-level public suffixes. */
export function registeredDomain(name: string): string {
  const labels = name.split('.');
  if (labels.length <= 2) return name;
  const last2 = labels.slice(-2).join('.');
  const n = TWO_LEVEL_SUFFIXES.has(last2) ? 3 : 2;
  return labels.slice(-n).join('.');
}

export const dnsExfiltration: Detector = {
  meta: {
    id: 'dns-data-exfiltration',
    title: 'Data exfiltration through DNS queries',
    dataSources: ['route53resolver'],
    kind: 'windowed',
    trigger:
      'One instance sends at least minQueries queries under one registered domain within windowMinutes whose subdomain part is at least minSubdomainLength characters with entropy ≥ minEntropy bits/char, with at least minQueries distinct subdomains.',
    params: {
      windowMinutes: { default: 10, description: 'event-time window' },
      minQueries: { default: 20, description: 'encoded-looking queries under one domain' },
      minSubdomainLength: { default: 30, description: 'characters left of the registered domain (dots excluded)' },
      minEntropy: {
        default: 3.3,
        description: 'Shannon entropy of the subdomain, bits per character (random hex ≈ 3.5–3.8)',
      },
    },
    findings: [
      {
        type: 'Trojan:EC2/DNSDataExfiltration',
        severity: 8,
        mitre: {
          tactic: 'Exfiltration',
          technique: 'T1048.003',
          name: 'Exfiltration Over Unencrypted Non-C2 Protocol',
        },
      },
    ],
  },
  create(ctx) {
    const state = ctx.windows.create<Win>('domains');
    const windowMs = (ctx.params.windowMinutes as number) * 60_000;
    const minQ = ctx.params.minQueries as number;
    const minLen = ctx.params.minSubdomainLength as number;
    const minH = ctx.params.minEntropy as number;
    return {
      onRecord(r) {
        const d = dnsView(r);
        if (!d || Number.isNaN(r.time) || d.name.length < minLen) return;
        const reg = registeredDomain(d.name);
        if (reg.endsWith('amazonaws.com') || d.name.endsWith('.in-addr.arpa') || d.name.endsWith('.ip6.arpa')) return;
        const sub = d.name.slice(0, d.name.length - reg.length - 1).replaceAll('.', '');
        if (sub.length < minLen || entropy(sub) < minH) return;
        const key = `${d.entity}|${reg}`;
        const w = windowAt(state, key, r.time, windowMs);
        w.n++;
        if (w.distinct.size <= minQ) w.distinct.add(sub);
        addOrigin(w, r.origin);
        if (w.fired === 0 && w.n >= minQ && w.distinct.size >= minQ) {
          w.fired = 1;
          emitDns(
            ctx,
            r,
            d,
            'Trojan:EC2/DNSDataExfiltration',
            8,
            key,
            `${d.entity} is exfiltrating data through DNS queries to ${reg}`,
            `${w.n} queries under ${reg} with ≥ ${minLen}-character subdomains of entropy ≥ ${minH} within ${ctx.params.windowMinutes} min (≥ ${minQ})`,
            dnsEvidence(r, { domain: reg, queries: w.n, sampleSubdomains: sample(w.distinct, 5) }),
            undefined,
            {
              time: w.start,
              lastTime: w.last,
              origins: [...w.origins],
              thresholds: {
                minQueries: minQ,
                minSubdomainLength: minLen,
                minEntropy: minH,
                windowMinutes: ctx.params.windowMinutes!,
              },
            },
          );
        }
      },
    };
  },
};

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

/** Why a second-level label looks machine-generated, or undefined. */
export function dgaLike(label: string, minLength: number, minEntropy: number): string | undefined {
  if (label.length < minLength) return undefined;
  const h = entropy(label);
  if (h < minEntropy) return undefined;
  let digits = 0;
  let vowels = 0;
  let run = 0;
  let maxRun = 0;
  for (const c of label) {
    if (c >= '0' && c <= '9') {
      digits++;
      run = 0;
    } else if (VOWELS.has(c)) {
      vowels++;
      run = 0;
    } else if (c !== '-') {
      run++;
      if (run > maxRun) maxRun = run;
    }
  }
  const letters = label.length - digits;
  if (digits / label.length >= 0.2 && letters > 0) return `entropy ${h.toFixed(2)}, ${digits} digits`;
  if (maxRun >= 5) return `entropy ${h.toFixed(2)}, ${maxRun} consonants in a row`;
  if (letters > 0 && vowels / letters < 0.2) return `entropy ${h.toFixed(2)}, ${vowels} vowels in ${letters} letters`;
  return undefined;
}

export const dgaDomains: Detector = {
  meta: {
    id: 'dns-dga',
    title: 'Algorithmically generated domains (DGA)',
    dataSources: ['route53resolver'],
    kind: 'windowed',
    trigger:
      'One instance gets NXDOMAIN for at least minDomains distinct machine-looking registered domains within windowMinutes: second-level label of at least minLength characters with entropy ≥ minEntropy and many digits, a long consonant run or few vowels.',
    params: {
      windowMinutes: { default: 10, description: 'event-time window' },
      minDomains: { default: 10, description: 'distinct DGA-like NXDOMAIN domains' },
      minLength: { default: 10, description: 'length of the second-level label' },
      minEntropy: { default: 3.0, description: 'entropy of the label, bits per character' },
    },
    findings: [
      {
        type: 'Trojan:EC2/DGADomainRequest.C!DNS',
        severity: 8,
        mitre: {
          tactic: 'Command and Control',
          technique: 'T1568.002',
          name: 'Dynamic Resolution: Domain Generation Algorithms',
        },
      },
    ],
  },
  create(ctx) {
    const state = ctx.windows.create<Win>('nx');
    const windowMs = (ctx.params.windowMinutes as number) * 60_000;
    const minD = ctx.params.minDomains as number;
    const minLen = ctx.params.minLength as number;
    const minH = ctx.params.minEntropy as number;
    return {
      onRecord(r) {
        const d = dnsView(r);
        if (d?.rcode !== 'NXDOMAIN' || Number.isNaN(r.time)) return;
        const reg = registeredDomain(d.name);
        const label = reg.split('.')[0] ?? '';
        const why = dgaLike(label, minLen, minH);
        if (!why) return;
        const key = d.entity;
        const w = windowAt(state, key, r.time, windowMs);
        w.distinct.add(reg);
        addOrigin(w, r.origin);
        if (w.fired === 0 && w.distinct.size >= minD) {
          w.fired = 1;
          emitDns(
            ctx,
            r,
            d,
            'Trojan:EC2/DGADomainRequest.C!DNS',
            8,
            key,
            `${d.entity} is querying algorithmically generated domains`,
            `${w.distinct.size} distinct DGA-like NXDOMAIN domains ≥ ${minD} within ${ctx.params.windowMinutes} min (e.g. ${reg}: ${why})`,
            dnsEvidence(r, { domains: sample(w.distinct, 10) }),
            undefined,
            {
              time: w.start,
              lastTime: w.last,
              origins: [...w.origins],
              thresholds: {
                minDomains: minD,
                minLength: minLen,
                minEntropy: minH,
                windowMinutes: ctx.params.windowMinutes!,
              },
            },
          );
        }
      },
    };
  },
};

export const metadataDnsRebind: Detector = {
  meta: {
    id: 'dns-metadata-rebind',
    title: 'DNS rebinding to the instance metadata service',
    dataSources: ['route53resolver'],
    kind: 'stateless',
    trigger:
      'A query for a name outside amazonaws.com / internal zones is answered with 169.254.169.254 (the EC2 metadata address).',
    params: {},
    findings: [
      {
        type: 'UnauthorizedAccess:EC2/MetadataDNSRebind',
        severity: 8,
        mitre: {
          tactic: 'Credential Access',
          technique: 'T1552.005',
          name: 'Unsecured Credentials: Cloud Instance Metadata API',
        },
      },
    ],
  },
  create(ctx) {
    return {
      onRecord(r) {
        const answers = r.fields.answers;
        if (!Array.isArray(answers)) return;
        let hit = false;
        for (const a of answers) if (str(obj(a)?.Rdata) === '169.254.169.254') hit = true;
        if (!hit) return;
        const d = dnsView(r);
        if (!d || d.name.endsWith('.amazonaws.com') || d.name.endsWith('.internal') || d.name === 'instance-data')
          return;
        emitDns(
          ctx,
          r,
          d,
          'UnauthorizedAccess:EC2/MetadataDNSRebind',
          8,
          `${d.entity}|${d.name}`,
          `${d.entity} resolved ${d.name} to the instance metadata address`,
          `answer Rdata 169.254.169.254 for ${d.name}, which is not an AWS name`,
          dnsEvidence(r, { answers }),
        );
      },
    };
  },
};
