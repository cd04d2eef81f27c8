import { keyStamp, minutePath, windowStart } from './clock.js';
import type { CdnRequest } from './cloudfront.js';
import { type Ctx, groupBy } from './context.js';
import { COMMON_GROUP, type HttpRequest, SQLI_GROUP, type WafMatch } from './http.js';
import { rngFor } from './prng.js';
import { ALB, DISTRIBUTION, PROD, REGION, WEB_ACLS } from './world.js';
import type { Tagged } from './writer.js';

/**
 * AWS WAF log records (logs.md §6, waf.md §9), built from a request of the ALB or CloudFront traffic models.
 * Key order follows what WAF writes.
 */

export interface WafRequest {
  timestampMs: number;
  aclArn: string;
  /** Rule groups of the ACL in priority order (`AWS#AWSManagedRules…`), with the ACL rule name of each. */
  groups: readonly { id: string; rule: string }[];
  sourceName: 'ALB' | 'CF';
  sourceId: string;
  clientIp: string;
  country: string;
  headers: [string, string][];
  uri: string;
  args: string;
  httpVersion: string;
  method: string;
  requestId: string;
  blockedBy?: WafMatch;
  counted?: WafMatch[];
  ja3?: string;
  ja4?: string;
}

export function wafRecord(q: WafRequest): Record<string, unknown> {
  const blocked = q.blockedBy;
  const terminatingGroup = blocked ? q.groups.find((g) => g.id === blocked.group) : undefined;
  // Groups after the terminating one are not evaluated, so they are not listed.
  const evaluated = terminatingGroup ? q.groups.slice(0, q.groups.indexOf(terminatingGroup) + 1) : q.groups;
  const labels = [...(q.counted ?? []), ...(blocked ? [blocked] : [])].map((m) => ({ name: m.label }));
  const record: Record<string, unknown> = {
    timestamp: q.timestampMs,
    formatVersion: 1,
    webaclId: q.aclArn,
    terminatingRuleId: terminatingGroup ? terminatingGroup.rule : 'Default_Action',
    terminatingRuleType: terminatingGroup ? 'MANAGED_RULE_GROUP' : 'REGULAR',
    action: blocked ? 'BLOCK' : 'ALLOW',
    terminatingRuleMatchDetails: blocked
      ? [
          {
            conditionType: 'SQL_INJECTION',
            sensitivityLevel: 'LOW',
            location: blocked.location,
            matchedData: blocked.matchedData,
          },
        ]
      : [],
    httpSourceName: q.sourceName,
    httpSourceId: q.sourceId,
    ruleGroupList: evaluated.map((g) => ({
      ruleGroupId: g.id,
      terminatingRule:
        blocked && blocked.group === g.id ? { ruleId: blocked.ruleId, action: 'BLOCK', ruleMatchDetails: null } : null,
      nonTerminatingMatchingRules: (q.counted ?? [])
        .filter((m) => m.group === g.id)
        .map((m) => ({ ruleId: m.ruleId, action: 'COUNT', overriddenAction: 'BLOCK', ruleMatchDetails: [] })),
      excludedRules: null,
      customerConfig: null,
    })),
    rateBasedRuleList: [],
    nonTerminatingMatchingRules: [],
    requestHeadersInserted: null,
    responseCodeSent: null,
    httpRequest: {
      clientIp: q.clientIp,
      country: q.country,
      headers: q.headers.map(([name, value]) => ({ name, value })),
      uri: q.uri,
      args: q.args,
      httpVersion: q.httpVersion,
      httpMethod: q.method,
      requestId: q.requestId,
    },
  };
  if (labels.length > 0) record.labels = labels;
  if (q.ja3) record.ja3Fingerprint = q.ja3;
  if (q.ja4) record.ja4Fingerprint = q.ja4;
  return record;
}

/** Request headers as the client sent them (HTTP/2 names are lower case). */
export function requestHeaders(
  host: string,
  ua: string,
  h2: boolean,
  opts: { referer?: string; sqlmap?: boolean; accept?: string } = {},
): [string, string][] {
  const n = (name: string) => (h2 ? name.toLowerCase() : name);
  if (opts.sqlmap)
    return [
      [n('Host'), host],
      [n('User-Agent'), ua],
      [n('Accept'), '*/*'],
      [n('Accept-Encoding'), 'gzip,deflate'],
      [n('Cache-Control'), 'no-cache'],
      [n('Connection'), 'close'],
    ];
  const headers: [string, string][] = [
    [n('Host'), host],
    [n('User-Agent'), ua],
    [n('Accept'), opts.accept ?? 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
    [n('Accept-Encoding'), 'gzip, deflate, br'],
    [n('Accept-Language'), 'en-GB,en;q=0.9'],
  ];
  if (opts.referer) headers.push([n('Referer'), opts.referer]);
  return headers;
}

// ── Files ─────────────────────────────────────────────────────────────────────────────────────────────────────

const SHOP_GROUPS = [
  { id: 'AWS#AWSManagedRulesAmazonIpReputationList', rule: 'AWS-AWSManagedRulesAmazonIpReputationList' },
  { id: COMMON_GROUP, rule: 'AWS-AWSManagedRulesCommonRuleSet' },
  { id: 'AWS#AWSManagedRulesKnownBadInputsRuleSet', rule: 'AWS-AWSManagedRulesKnownBadInputsRuleSet' },
  { id: SQLI_GROUP, rule: 'AWS-AWSManagedRulesSQLiRuleSet' },
];
const WWW_GROUPS = [
  { id: 'AWS#AWSManagedRulesAmazonIpReputationList', rule: 'AWS-AWSManagedRulesAmazonIpReputationList' },
  { id: COMMON_GROUP, rule: 'AWS-AWSManagedRulesCommonRuleSet' },
  { id: SQLI_GROUP, rule: 'AWS-AWSManagedRulesSQLiRuleSet' },
];

function shopWaf(r: HttpRequest): Tagged<Record<string, unknown>> {
  const h2 = r.httpVersion === 'HTTP/2.0';
  const c = r.conn;
  return {
    value: wafRecord({
      timestampMs: Math.floor(r.createdUs / 1000),
      aclArn: WEB_ACLS.shop.arn,
      groups: SHOP_GROUPS,
      sourceName: 'ALB',
      sourceId: `${PROD}-${ALB.elb}`,
      clientIp: c.client.ip,
      country: c.client.country,
      headers: requestHeaders(r.host, r.userAgent, h2, {
        referer: r.referer,
        sqlmap: r.userAgent.startsWith('sqlmap'),
        accept: r.path.startsWith('/api/') || r.path.startsWith('/v1/') ? 'application/json' : undefined,
      }),
      uri: r.path,
      args: r.query,
      httpVersion: r.httpVersion,
      method: r.method,
      requestId: r.traceId,
      blockedBy: r.blockedBy,
      counted: r.counted,
      ja3: c.tls?.ja3,
      ja4: c.tls?.ja4,
    }),
    scenarios: r.scenarios,
  };
}

function wwwWaf(x: CdnRequest): Tagged<Record<string, unknown>> {
  const sqlmap = x.ua.startsWith('sqlmap');
  return {
    value: wafRecord({
      timestampMs: x.ms - Math.max(1, Math.round(x.timeTaken * 1000)),
      aclArn: WEB_ACLS.www.arn,
      groups: WWW_GROUPS,
      sourceName: 'CF',
      sourceId: DISTRIBUTION.id,
      clientIp: x.client.ip,
      country: x.client.country,
      headers: requestHeaders(DISTRIBUTION.host, x.ua, x.protocolVersion !== 'HTTP/1.1', {
        referer: x.referer,
        sqlmap,
      }),
      uri: x.uri,
      args: x.query,
      httpVersion: x.protocolVersion,
      method: x.method,
      requestId: x.requestId,
      blockedBy: x.blockedBy,
      counted: sqlmap
        ? [
            {
              group: COMMON_GROUP,
              ruleId: 'UserAgent_BadBots_HEADER',
              label: 'awswaf:managed:aws:core-rule-set:BadBots_Header',
              location: 'HEADER',
              matchedData: [],
            },
          ]
        : undefined,
    }),
    scenarios: x.scenarios,
  };
}

function writeAcl(ctx: Ctx, region: string, acl: string, rows: Tagged<Record<string, unknown>>[]): void {
  const sorted = [...rows].sort((a, b) => (a.value.timestamp as number) - (b.value.timestamp as number));
  for (const [w, list] of groupBy(sorted, (x) => windowStart(x.value.timestamp as number))) {
    const hash = rngFor(`waf:${acl}:${w}`).hex(8);
    const path = `AWSLogs/${PROD}/WAFLogs/${region}/${acl}/${minutePath(w)}/${PROD}_waflogs_${region}_${acl}_${keyStamp(w)}_${hash}.log.gz`;
    ctx.writer.jsonLines(path, 'waf', list, true);
  }
}

export function generateWaf(ctx: Ctx, cdn: readonly CdnRequest[]): void {
  writeAcl(ctx, REGION, WEB_ACLS.shop.name, ctx.shop.requests.map(shopWaf));
  writeAcl(ctx, 'cloudfront', WEB_ACLS.www.name, cdn.map(wwwWaf));
}
