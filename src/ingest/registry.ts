import { UsageError } from '../core/errors.js';
import { cloudfrontFormat } from './cloudfront/format.js';
import { cloudtrailFormat } from './cloudtrail/format.js';
import { albConnectionFormat, albFormat, elbFormat, nlbFormat } from './elb/format.js';
import { guarddutyFormat } from './guardduty/format.js';
import { networkFirewallFormat } from './networkfirewall/format.js';
import { route53ResolverFormat } from './route53resolver/format.js';
import { s3AccessFormat } from './s3access/format.js';
import { isLogType, LOG_TYPES, type LogFormat, type LogType, type SniffInput } from './types.js';
import { vpcFlowFormat } from './vpcflow/format.js';
import { wafFormat } from './waf/format.js';

/**
 * Every format Vigil reads. Formats that share one per-line parser (the ELB family) appear once per record type so
 * `--type` can name any of them.
 */
export const FORMATS: readonly LogFormat[] = [
  cloudtrailFormat,
  vpcFlowFormat,
  albFormat,
  albConnectionFormat,
  nlbFormat,
  elbFormat,
  route53ResolverFormat,
  s3AccessFormat,
  wafFormat,
  cloudfrontFormat,
  networkFirewallFormat,
  guarddutyFormat,
];

/** Path hints from the AWS S3 delivery layouts (logs.md): a small bonus on top of a positive content score. */
const PATH_HINTS: [RegExp, LogType][] = [
  [/\/CloudTrail\/|_CloudTrail_/, 'cloudtrail'],
  [/vpcflowlogs/, 'vpcflow'],
  [/vpcdnsquerylogs/, 'route53resolver'],
  [/elasticloadbalancing/, 'alb'],
  [/WAFLogs|aws-waf-logs-/, 'waf'],
  [/network-firewall/, 'networkfirewall'],
  [/(^|\/)E[A-Z0-9]{8,}\.\d{4}-\d{2}-\d{2}-\d{2}\./, 'cloudfront'],
  [/GuardDuty|guardduty/, 'guardduty'],
];

export function formatFor(type: LogType): LogFormat {
  const f = FORMATS.find((x) => x.type === type);
  if (!f) throw new UsageError(`no parser for log type "${type}"`);
  return f;
}

/** Validate a `--type` value. */
export function parseLogType(value: string): LogType {
  if (!isLogType(value)) throw new UsageError(`unknown log type "${value}" (expected one of: ${LOG_TYPES.join(', ')})`);
  return value;
}

export interface SniffResult {
  format: LogFormat;
  score: number;
}

/** Pick the format for a file: content first, the S3 key layout only as a tie-breaker. */
export function sniffFormat(input: SniffInput): SniffResult | undefined {
  let best: SniffResult | undefined;
  for (const format of FORMATS) {
    let score = format.sniff(input);
    if (score <= 0) continue;
    for (const [re, type] of PATH_HINTS) if (type === format.type && re.test(input.path)) score += 0.05;
    if (!best || score > best.score) best = { format, score };
  }
  return best && best.score >= 0.5 ? best : undefined;
}
