/**
 * AWS Network Firewall compatibility of Suricata rules (netfw.md §5, §8): what NFW rejects, per rule and keyword,
 * with the reason. NFW is Suricata 7 compatible but refuses some keywords, actions and protocols.
 */
import type { RuleIssue, SuricataRule } from './types.js';
import { varsIn } from './vars.js';

export type RuleOrder = 'DEFAULT_ACTION_ORDER' | 'STRICT_ORDER';

export const NFW_ACTIONS = new Set(['pass', 'drop', 'reject', 'alert']);

/** Keyword → why NFW rejects it. Prefix entries (ending in `.`) cover a keyword family. */
const UNSUPPORTED: ReadonlyArray<[string, string]> = [
  ['dataset', 'datasets are not supported by Network Firewall'],
  ['datarep', 'dataset reputation (datarep) is not supported by Network Firewall'],
  ['geoip', 'GeoIP matching (geoip) is not supported by Network Firewall'],
  ['iprep', 'IP reputation (iprep) is not supported by Network Firewall'],
  ['lua', 'Lua scripts are not supported by Network Firewall'],
  ['luajit', 'Lua scripts are not supported by Network Firewall'],
  ['threshold', 'thresholding (threshold) is not supported by Network Firewall'],
  ['detection_filter', 'thresholding (detection_filter) is not supported by Network Firewall'],
  ['enip_command', 'ENIP/CIP keywords are not supported by Network Firewall'],
  ['cip_service', 'ENIP/CIP keywords are not supported by Network Firewall'],
  ['filename', 'file keywords are not supported by Network Firewall'],
  ['fileext', 'file keywords are not supported by Network Firewall'],
  ['filemagic', 'file keywords are not supported by Network Firewall'],
  ['file.name', 'file keywords are not supported by Network Firewall'],
  ['file.magic', 'file keywords are not supported by Network Firewall'],
  ['filemd5', 'file keywords are not supported by Network Firewall'],
  ['filesha1', 'file keywords are not supported by Network Firewall'],
  ['filesha256', 'file keywords are not supported by Network Firewall'],
  ['filesize', 'file keywords are not supported by Network Firewall'],
  ['filestore', 'file extraction (filestore) is not supported by Network Firewall'],
  ['ftpdata_command', 'FTP-data detection is not supported by Network Firewall'],
  ['hostbits', 'hostbits track hosts; host/IP tracking is not supported by Network Firewall'],
  ['ike.', 'IKEv2 detection keywords are not supported by Network Firewall'],
  ['http2.', 'HTTP/2 detection keywords (HTTP/2 overloading) are not supported by Network Firewall'],
  ['quic.', 'QUIC/HTTP3 detection keywords are not supported by Network Firewall'],
];

const EXACT = new Map(UNSUPPORTED.filter(([k]) => !k.endsWith('.')));
const PREFIXES = UNSUPPORTED.filter(([k]) => k.endsWith('.'));

function unsupportedReason(name: string): string | undefined {
  const why = EXACT.get(name);
  if (why !== undefined || !name.includes('.')) return why;
  for (const [k, w] of PREFIXES) if (name.startsWith(k)) return w;
  return undefined;
}

export interface NfwLintOptions {
  ruleOrder?: RuleOrder;
  /** Address/port variables the rule group (or policy) defines; undefined = do not check definitions. */
  definedVars?: ReadonlySet<string>;
}

/** NFW always provides HOME_NET (the VPC CIDR) and EXTERNAL_NET (its negation) when the group does not. */
export const NFW_BUILTIN_VARS: ReadonlySet<string> = new Set(['HOME_NET', 'EXTERNAL_NET']);

/** NFW problems of one parsed rule; every issue names the keyword (or header field) and the reason. */
export function lintRuleForNfw(rule: SuricataRule, opts: NfwLintOptions = {}): RuleIssue[] {
  const out: RuleIssue[] = [];
  const add = (column: number, reason: string, keyword?: string) =>
    out.push({
      file: rule.file,
      line: rule.line,
      column,
      severity: 'error',
      reason,
      sid: rule.sid,
      ...(keyword ? { keyword } : {}),
    });
  const headerCol = 1;
  if (!NFW_ACTIONS.has(rule.action))
    add(headerCol, `action "${rule.action}" is not supported by Network Firewall (pass, drop, reject or alert only)`);
  const proto = rule.proto.toLowerCase();
  if (proto === 'sctp') add(headerCol, 'SCTP is not supported by Network Firewall');
  if (proto === 'ftp-data') add(headerCol, 'FTP-data detection is not supported by Network Firewall');
  if (proto === 'enip') add(headerCol, 'ENIP/CIP detection is not supported by Network Firewall');
  for (const o of rule.options) {
    const why = unsupportedReason(o.name);
    if (why) add(o.column, why, o.name);
    else if (o.name === 'xbits' && /track\s+ip_(src|dst|pair)/.test(o.value ?? ''))
      add(
        o.column,
        'xbits with host/IP tracking (track ip_src|ip_dst|ip_pair) is not supported by Network Firewall',
        'xbits',
      );
    else if (o.name === 'tag' && /^\s*host\b/.test(o.value ?? ''))
      add(o.column, 'tag:host is not supported by Network Firewall', 'tag');
    else if (o.name === 'priority' && opts.ruleOrder === 'STRICT_ORDER')
      add(
        o.column,
        'the priority keyword is not allowed in STRICT_ORDER rule groups (rules run in file order)',
        'priority',
      );
  }
  if (opts.definedVars) {
    const used = new Set<string>();
    for (const n of [rule.src, rule.dst, rule.srcPorts, rule.dstPorts]) varsIn(n, used);
    for (const v of used)
      if (!opts.definedVars.has(v) && !NFW_BUILTIN_VARS.has(v))
        add(1, `variable $${v} is not defined in the rule group's RuleVariables (or policy variables)`);
  }
  return out;
}

/** Lint a whole rule set: per-rule problems plus duplicate sids (NFW rejects a group with repeated sids). */
export function lintRulesForNfw(rules: readonly SuricataRule[], opts: NfwLintOptions = {}): RuleIssue[] {
  const out: RuleIssue[] = [];
  const firstSid = new Map<number, SuricataRule>();
  for (const r of rules) {
    out.push(...lintRuleForNfw(r, opts));
    const prev = firstSid.get(r.sid);
    if (prev)
      out.push({
        file: r.file,
        line: r.line,
        column: 1,
        severity: 'error',
        reason: `duplicate sid ${r.sid} (first at line ${prev.line})`,
        sid: r.sid,
        keyword: 'sid',
      });
    else firstSid.set(r.sid, r);
  }
  return out;
}

/** Maximum length of a `RulesString` (netfw.md §5). */
export const MAX_RULES_STRING = 2_000_000;
