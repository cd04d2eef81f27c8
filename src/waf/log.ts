import type { Decision, MatchDetail, RuleHit } from './evaluate.js';
import type { WebAcl } from './model.js';
import type { WafRequest } from './request.js';
import { fromBytes } from './transforms.js';

/** Options for log records: where the request came from and which fields to redact (waf.md §9). */
export interface LogOptions {
  httpSourceName?: string;
  httpSourceId?: string;
  /** `RedactedFields`: only UriPath, QueryString, SingleHeader (name) and Method are allowed by AWS. */
  redact?: { uriPath?: boolean; queryString?: boolean; method?: boolean; headers?: string[] };
}

function details(ds: MatchDetail[]): Record<string, unknown>[] {
  return ds
    .filter((d) => d.conditionType !== 'RATE_BASED' && d.conditionType !== 'NOT' && d.conditionType !== 'LABEL_MATCH')
    .map((d) => {
      const o: Record<string, unknown> = { conditionType: d.conditionType };
      if (d.sensitivityLevel) o.sensitivityLevel = d.sensitivityLevel;
      if (d.location) o.location = d.location;
      o.matchedData = d.matchedData ?? null;
      if (d.fieldName !== undefined) o.matchedFieldName = d.fieldName;
      return o;
    });
}

function hit(h: RuleHit): Record<string, unknown> {
  const o: Record<string, unknown> = { ruleId: h.ruleId, action: h.action };
  if (h.overriddenAction) o.overriddenAction = h.overriddenAction;
  o.ruleMatchDetails = details(h.details);
  return o;
}

/** One AWS WAF full-format log record for an evaluated request. */
export function wafLogRecord(
  acl: WebAcl,
  req: WafRequest,
  d: Decision,
  opts: LogOptions = {},
): Record<string, unknown> {
  const red = opts.redact ?? {};
  const redHeaders = new Set((red.headers ?? []).map((h) => h.toLowerCase()));
  const rec: Record<string, unknown> = {
    timestamp: req.time,
    formatVersion: 1,
    webaclId: acl.arn,
    terminatingRuleId: d.terminatingRuleId,
    terminatingRuleType: d.terminatingRuleType,
    action: d.action,
    terminatingRuleMatchDetails: details(d.terminatingRuleMatchDetails),
    httpSourceName: opts.httpSourceName ?? '-',
    httpSourceId: opts.httpSourceId ?? '-',
    ruleGroupList: d.ruleGroupList.map((g) => ({
      ruleGroupId: g.ruleGroupId,
      terminatingRule: g.terminatingRule ? hit(g.terminatingRule) : null,
      nonTerminatingMatchingRules: g.nonTerminatingMatchingRules.map(hit),
      excludedRules: g.excludedRules,
    })),
    rateBasedRuleList: d.rateBasedRuleList,
    nonTerminatingMatchingRules: d.nonTerminatingMatchingRules.map(hit),
    requestHeadersInserted:
      d.requestHeadersInserted.length === 0 ? null : d.requestHeadersInserted.map(([name, value]) => ({ name, value })),
    responseCodeSent: d.response && (d.action !== 'BLOCK' || d.response.status !== 403) ? d.response.status : null,
    httpRequest: {
      clientIp: req.clientIp,
      country: req.country ?? '-',
      headers: req.headers.map(([name, value]) => ({
        name,
        value: redHeaders.has(name.toLowerCase()) ? 'REDACTED' : fromBytes(value),
      })),
      uri: red.uriPath ? 'REDACTED' : fromBytes(req.uriPath),
      args: red.queryString ? 'REDACTED' : fromBytes(req.queryString),
      httpVersion: req.httpVersion ?? 'HTTP/1.1',
      httpMethod: red.method ? 'REDACTED' : req.method,
      requestId: req.requestId ?? '-',
    },
  };
  if (d.labels.length > 0) rec.labels = d.labels.map((name) => ({ name }));
  if (d.captchaResponse) rec.captchaResponse = d.captchaResponse;
  if (d.challengeResponse) rec.challengeResponse = d.challengeResponse;
  if (d.oversizeFields.length > 0) rec.oversizeFields = d.oversizeFields;
  if (req.ja3) rec.ja3Fingerprint = req.ja3;
  if (req.ja4) rec.ja4Fingerprint = req.ja4;
  if (req.asn !== undefined) rec.clientAsn = String(req.asn);
  return rec;
}
