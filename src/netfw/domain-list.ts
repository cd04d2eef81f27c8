/**
 * Domain lists (`RulesSourceList`) compiled to the Suricata rules Network Firewall generates (netfw.md §3), so
 * evaluation order is the same as in AWS.
 */

export type TargetType = 'TLS_SNI' | 'HTTP_HOST';
export type GeneratedRulesType = 'ALLOWLIST' | 'DENYLIST' | 'REJECTLIST' | 'ALERTLIST';

export interface RulesSourceList {
  Targets: string[];
  TargetTypes: TargetType[];
  GeneratedRulesType: GeneratedRulesType;
}

const ACTION: Record<GeneratedRulesType, string> = {
  ALLOWLIST: 'pass',
  DENYLIST: 'drop',
  REJECTLIST: 'reject',
  ALERTLIST: 'alert',
};

const LISTED: Record<GeneratedRulesType, string> = {
  ALLOWLIST: 'allowlisted',
  DENYLIST: 'denylisted',
  REJECTLIST: 'rejectlisted',
  ALERTLIST: 'alertlisted',
};

/** A domain-list target: a host name, optionally with a leading dot meaning "and every subdomain". */
const TARGET = /^\.?(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/i;

export function invalidTarget(t: string): string | undefined {
  if (t.length === 0) return 'empty domain';
  if (t.length > 254) return 'domain longer than 253 characters';
  if (!TARGET.test(t)) return `"${t}" is not a domain name (letters, digits, "-" labels, optional leading ".")`;
  return undefined;
}

/**
 * The generated rules, one Suricata line per target and, for allow lists, one catch-all `drop` per target type.
 * sids are sequential from `firstSid` in generation order (AWS's exact numbering is unconfirmed, §3).
 */
export function compileDomainList(list: RulesSourceList, firstSid = 1, strictOrder = false): string[] {
  const out: string[] = [];
  let sid = firstSid;
  const action = ACTION[list.GeneratedRulesType];
  const allow = list.GeneratedRulesType === 'ALLOWLIST';
  // priority orders pass before drop under action order; STRICT_ORDER forbids the keyword (§5).
  const prio = allow && !strictOrder ? ' priority:1;' : '';
  for (const type of list.TargetTypes) {
    const tls = type === 'TLS_SNI';
    const kind = tls ? 'TLS' : 'HTTP';
    const proto = tls ? 'tls' : 'http';
    const msg = `matching ${kind} ${LISTED[list.GeneratedRulesType]} FQDNs`;
    for (const raw of list.Targets) {
      const t = raw.replace(/[";\\|]/g, '');
      const head = tls ? 'ssl_state:client_hello; tls.sni;' : 'http.host;';
      // http.host is already lower-cased by Suricata, so AWS emits no nocase for HTTP_HOST.
      const nocase = tls ? ' nocase;' : '';
      const match = t.startsWith('.')
        ? `${head} dotprefix; content:"${t}";${nocase} endswith;`
        : `${head} content:"${t}"; startswith;${nocase} endswith;`;
      out.push(
        `${action} ${proto} $HOME_NET any -> $EXTERNAL_NET any (${match} msg:"${msg}";${prio} flow:to_server, established; sid:${sid++}; rev:1;)`,
      );
    }
    if (allow) {
      // The TLS catch-all is documented exactly; the HTTP one's option order is unconfirmed (§3).
      const cond = tls ? 'ssl_state:client_hello;' : 'http.header_names; content:"|0d 0a|"; startswith;';
      const first = tls
        ? `msg:"not matching any TLS allowlisted FQDNs";${prio} ${cond}`
        : `${cond} msg:"not matching any HTTP allowlisted FQDNs";${prio}`;
      out.push(
        `drop ${proto} $HOME_NET any -> $EXTERNAL_NET any (${first} flow:to_server, established; sid:${sid++}; rev:1;)`,
      );
    }
  }
  return out;
}
