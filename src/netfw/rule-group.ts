/**
 * Network Firewall rule groups in API / CloudFormation JSON (netfw.md §1–§5, §7): validation with explained
 * diagnostics, capacity, and compilation of every stateful source to Suricata rules checked by the NFW linter.
 */
import { parseAddrAtom } from './address.js';
import { compileDomainList, invalidTarget, type RulesSourceList } from './domain-list.js';
import { lintRulesForNfw, MAX_RULES_STRING, type RuleOrder } from './nfw-lint.js';
import { type ParsedRules, parseRules } from './parse.js';
import type { RuleIssue } from './types.js';
import type { RuleVars } from './vars.js';

export const STANDARD_STATELESS_ACTIONS = new Set(['aws:pass', 'aws:drop', 'aws:forward_to_sfe']);
export const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'] as const;
const STATEFUL_PROTOCOLS = new Set(
  'IP TCP UDP ICMP HTTP HTTP2 TLS DNS FTP SSH SMTP IMAP SMB DCERPC DHCP KRB5 NTP IKEV2 MSN TFTP QUIC'.split(' '),
);
export const MAX_STATELESS_CAPACITY = 30_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface PortRange {
  from: number;
  to: number;
}

export interface StatelessRule {
  priority: number;
  sources: string[];
  destinations: string[];
  sourcePorts: PortRange[];
  destinationPorts: PortRange[];
  protocols: number[];
  /** Bit masks over FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128. */
  tcpFlags: { flags: number; masks: number }[];
  actions: string[];
  capacity: number;
  path: string;
}

export interface RuleGroup {
  file: string;
  name?: string;
  kind: 'STATELESS' | 'STATEFUL' | 'STATEFUL_DOMAIN' | 'INVALID';
  ruleOrder: RuleOrder;
  declaredCapacity?: number;
  capacity: number;
  stateless: StatelessRule[];
  customActions: string[];
  /** Suricata text of a stateful group (rule strings as given; 5-tuple and domain lists compiled as AWS does). */
  suricata?: string;
  parsed?: ParsedRules;
  vars: RuleVars;
  /** Names defined by IP set references (prefix lists …): Vigil cannot resolve their contents offline. */
  referenceSets: string[];
  issues: RuleIssue[];
}

export const TCP_FLAG_BITS: Readonly<Record<string, number>> = Object.fromEntries(TCP_FLAGS.map((f, i) => [f, 1 << i]));

/** Accepts `describe-rule-group` output, a bare `RuleGroup`, or a CloudFormation resource / its Properties. */
function unwrap(doc: unknown): { body: Obj | undefined; name?: string; type?: string; capacity?: number } {
  if (!isObj(doc)) return { body: undefined };
  const props = isObj(doc.Properties) ? doc.Properties : doc;
  const meta = isObj(doc.RuleGroupResponse) ? doc.RuleGroupResponse : props;
  const body = isObj(props.RuleGroup) ? props.RuleGroup : isObj(props.RulesSource) ? props : undefined;
  const name = (meta.RuleGroupName ?? props.RuleGroupName) as string | undefined;
  const type = (meta.Type ?? props.Type) as string | undefined;
  const capacity = (meta.Capacity ?? props.Capacity) as number | undefined;
  return {
    body,
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof capacity === 'number' ? { capacity } : {}),
  };
}

/** Load, validate and lint one rule group document. Never throws; problems are in `issues`. */
export function loadRuleGroup(doc: unknown, file: string): RuleGroup {
  const issues: RuleIssue[] = [];
  const err = (path: string, reason: string, severity: 'error' | 'warning' = 'error') =>
    issues.push({ file, line: 0, column: 0, severity, reason, path });
  const { body, name, type, capacity } = unwrap(doc);
  const vars: RuleVars = { address: {}, port: {} };
  const g: RuleGroup = {
    file,
    kind: 'INVALID',
    ruleOrder: 'DEFAULT_ACTION_ORDER',
    capacity: 0,
    stateless: [],
    customActions: [],
    vars,
    referenceSets: [],
    issues,
    ...(name ? { name } : {}),
    ...(capacity !== undefined ? { declaredCapacity: capacity } : {}),
  };
  if (!body) {
    err('', 'not a Network Firewall rule group (expected RuleGroup.RulesSource, or RulesSource)');
    return g;
  }
  const order = isObj(body.StatefulRuleOptions) ? body.StatefulRuleOptions.RuleOrder : undefined;
  if (order !== undefined) {
    if (order === 'STRICT_ORDER' || order === 'DEFAULT_ACTION_ORDER') g.ruleOrder = order;
    else err('StatefulRuleOptions.RuleOrder', `RuleOrder must be DEFAULT_ACTION_ORDER or STRICT_ORDER, got "${order}"`);
  }
  loadVariables(body, g, err);
  const src = body.RulesSource;
  if (!isObj(src)) {
    err('RulesSource', 'RulesSource is missing');
    return g;
  }
  const kinds = ['RulesString', 'RulesSourceList', 'StatefulRules', 'StatelessRulesAndCustomActions'].filter(
    (k) => src[k] !== undefined,
  );
  if (kinds.length !== 1) {
    err(
      'RulesSource',
      `RulesSource must have exactly one of RulesString, RulesSourceList, StatefulRules, StatelessRulesAndCustomActions (found ${kinds.length === 0 ? 'none' : kinds.join(', ')})`,
    );
    return g;
  }
  const kind = kinds[0] as string;
  if (kind === 'StatelessRulesAndCustomActions') {
    g.kind = 'STATELESS';
    loadStateless(src[kind], g, err);
    if (g.capacity > MAX_STATELESS_CAPACITY)
      err('RulesSource', `stateless capacity ${g.capacity} exceeds the maximum ${MAX_STATELESS_CAPACITY}`);
  } else {
    g.kind = kind === 'RulesSourceList' ? 'STATEFUL_DOMAIN' : 'STATEFUL';
    const text = statefulText(kind, src[kind], g, err);
    if (text !== undefined) {
      g.suricata = text;
      const label = kind === 'RulesString' ? `${file}#RulesString` : `${file}#${kind}`;
      g.parsed = parseRules(text, label);
      issues.push(...g.parsed.issues);
      const defined = new Set([...Object.keys(vars.address), ...Object.keys(vars.port), ...g.referenceSets]);
      issues.push(...lintRulesForNfw(g.parsed.rules, { ruleOrder: g.ruleOrder, definedVars: defined }));
      g.capacity = g.parsed.rules.length;
    }
  }
  if (type !== undefined) {
    const expect = g.kind === 'STATELESS' ? 'STATELESS' : 'STATEFUL';
    if (type !== expect) err('Type', `Type is ${type} but RulesSource holds ${g.kind.toLowerCase()} rules (${expect})`);
  }
  if (g.declaredCapacity !== undefined && g.capacity > g.declaredCapacity)
    err('Capacity', `rules need capacity ${g.capacity}, more than the group's declared Capacity ${g.declaredCapacity}`);
  return g;
}

type Err = (path: string, reason: string, severity?: 'error' | 'warning') => void;

function loadVariables(body: Obj, g: RuleGroup, err: Err): void {
  const rv = isObj(body.RuleVariables) ? body.RuleVariables : {};
  for (const [kind, target] of [
    ['IPSets', g.vars.address],
    ['PortSets', g.vars.port],
  ] as const) {
    const sets = isObj(rv[kind]) ? (rv[kind] as Obj) : {};
    for (const [n, v] of Object.entries(sets)) {
      const def = isObj(v) ? arr(v.Definition) : [];
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(n)) err(`RuleVariables.${kind}.${n}`, `invalid variable name "${n}"`);
      if (def.length === 0 || def.some((d) => typeof d !== 'string')) {
        err(`RuleVariables.${kind}.${n}.Definition`, 'Definition must be a non-empty list of strings');
        continue;
      }
      target[n] = `[${(def as string[]).join(',')}]`;
    }
  }
  const refs =
    isObj(body.ReferenceSets) && isObj(body.ReferenceSets.IPSetReferences) ? body.ReferenceSets.IPSetReferences : {};
  g.referenceSets = Object.keys(refs);
}

function portRanges(v: unknown, path: string, err: Err): PortRange[] {
  const out: PortRange[] = [];
  arr(v).forEach((p, i) => {
    const from = isObj(p) ? p.FromPort : undefined;
    const to = isObj(p) ? p.ToPort : undefined;
    if (
      !Number.isInteger(from) ||
      !Number.isInteger(to) ||
      (from as number) < 0 ||
      (to as number) > 65535 ||
      (from as number) > (to as number)
    )
      err(`${path}[${i}]`, `port range must have integer FromPort ≤ ToPort within 0–65535, got ${JSON.stringify(p)}`);
    else out.push({ from: from as number, to: to as number });
  });
  return out;
}

function cidrs(v: unknown, path: string, err: Err): string[] {
  const out: string[] = [];
  arr(v).forEach((a, i) => {
    const d = isObj(a) ? a.AddressDefinition : undefined;
    if (typeof d !== 'string' || !d.includes('/') || typeof parseAddrAtom(d) === 'string')
      err(`${path}[${i}].AddressDefinition`, `AddressDefinition must be a CIDR block, got ${JSON.stringify(d)}`);
    else out.push(d);
  });
  return out;
}

function loadStateless(v: unknown, g: RuleGroup, err: Err): void {
  const base = 'RulesSource.StatelessRulesAndCustomActions';
  if (!isObj(v)) {
    err(base, 'must be an object');
    return;
  }
  for (const [i, ca] of arr(v.CustomActions).entries()) {
    const n = isObj(ca) ? ca.ActionName : undefined;
    if (typeof n !== 'string' || !/^[a-zA-Z0-9]+$/.test(n))
      err(`${base}.CustomActions[${i}].ActionName`, 'ActionName must be alphanumeric');
    else g.customActions.push(n);
  }
  const seen = new Map<number, number>();
  arr(v.StatelessRules).forEach((r, i) => {
    const path = `${base}.StatelessRules[${i}]`;
    if (!isObj(r) || !isObj(r.RuleDefinition)) {
      err(path, 'rule needs Priority and RuleDefinition');
      return;
    }
    const priority = r.Priority;
    if (!Number.isInteger(priority) || (priority as number) < 1 || (priority as number) > 65535) {
      err(`${path}.Priority`, `Priority must be an integer 1–65535, got ${JSON.stringify(priority)}`);
      return;
    }
    const dup = seen.get(priority as number);
    if (dup !== undefined)
      err(`${path}.Priority`, `Priority ${priority} is also used by StatelessRules[${dup}]; priorities must be unique`);
    seen.set(priority as number, i);
    const def = r.RuleDefinition;
    const actions = arr(def.Actions).filter((a): a is string => typeof a === 'string');
    const standard = actions.filter((a) => STANDARD_STATELESS_ACTIONS.has(a));
    if (standard.length !== 1)
      err(
        `${path}.RuleDefinition.Actions`,
        `exactly one of aws:pass, aws:drop, aws:forward_to_sfe is required, found ${standard.length === 0 ? 'none' : standard.join(', ')}`,
      );
    for (const a of actions)
      if (!STANDARD_STATELESS_ACTIONS.has(a) && !g.customActions.includes(a))
        err(`${path}.RuleDefinition.Actions`, `custom action "${a}" is not defined in CustomActions`, 'warning');
    const m = isObj(def.MatchAttributes) ? def.MatchAttributes : {};
    const mp = `${path}.RuleDefinition.MatchAttributes`;
    const protocols = arr(m.Protocols).filter(
      (p): p is number => Number.isInteger(p) && (p as number) >= 0 && (p as number) <= 255,
    );
    if (protocols.length !== arr(m.Protocols).length)
      err(`${mp}.Protocols`, 'Protocols must be IANA protocol numbers 0–255');
    const rule: StatelessRule = {
      priority: priority as number,
      sources: cidrs(m.Sources, `${mp}.Sources`, err),
      destinations: cidrs(m.Destinations, `${mp}.Destinations`, err),
      sourcePorts: portRanges(m.SourcePorts, `${mp}.SourcePorts`, err),
      destinationPorts: portRanges(m.DestinationPorts, `${mp}.DestinationPorts`, err),
      protocols,
      tcpFlags: [],
      actions,
      capacity: 1,
      path,
    };
    arr(m.TCPFlags).forEach((tf, j) => {
      let flags = 0;
      let masks = 0;
      for (const [key, set] of [
        ['Flags', 'flags'],
        ['Masks', 'masks'],
      ] as const)
        for (const f of arr(isObj(tf) ? tf[key] : undefined)) {
          const bit = TCP_FLAG_BITS[f as string];
          if (bit === undefined)
            err(`${mp}.TCPFlags[${j}].${key}`, `unknown TCP flag ${JSON.stringify(f)} (${TCP_FLAGS.join(', ')})`);
          else if (set === 'flags') flags |= bit;
          else masks |= bit;
        }
      if (masks !== 0 && (flags & ~masks) !== 0)
        err(`${mp}.TCPFlags[${j}]`, 'a flag listed in Flags but not in Masks is never considered', 'warning');
      rule.tcpFlags.push({ flags, masks: masks === 0 ? 0xff : masks });
    });
    if (rule.tcpFlags.length > 0 && protocols.length > 0 && !protocols.includes(6))
      err(`${mp}.TCPFlags`, 'TCP flags apply only to protocol 6 (TCP), which this rule does not match');
    if (
      (rule.sourcePorts.length > 0 || rule.destinationPorts.length > 0) &&
      protocols.length > 0 &&
      !protocols.some((p) => p === 6 || p === 17)
    )
      err(`${mp}`, 'ports apply only to protocols 6 (TCP) and 17 (UDP), which this rule does not match');
    // Capacity: product of each match setting's count, unset = 1 (§7).
    for (const n of [
      rule.sources,
      rule.destinations,
      rule.sourcePorts,
      rule.destinationPorts,
      rule.protocols,
      rule.tcpFlags,
    ])
      rule.capacity *= Math.max(1, n.length);
    g.capacity += rule.capacity;
    g.stateless.push(rule);
  });
  g.stateless.sort((a, b) => a.priority - b.priority);
}

function statefulText(kind: string, v: unknown, g: RuleGroup, err: Err): string | undefined {
  const path = `RulesSource.${kind}`;
  if (kind === 'RulesString') {
    if (typeof v !== 'string') {
      err(path, 'RulesString must be a string');
      return;
    }
    if (v.length > MAX_RULES_STRING)
      err(path, `RulesString has ${v.length} characters, more than the ${MAX_RULES_STRING} allowed`);
    return v;
  }
  if (kind === 'RulesSourceList') {
    if (!isObj(v)) {
      err(path, 'must be an object');
      return;
    }
    const targets = arr(v.Targets);
    const types = arr(v.TargetTypes);
    const gen = v.GeneratedRulesType;
    let ok = true;
    targets.forEach((t, i) => {
      const why = typeof t === 'string' ? invalidTarget(t) : 'target must be a string';
      if (why) {
        ok = false;
        err(`${path}.Targets[${i}]`, why);
      }
    });
    if (types.length === 0 || types.some((t) => t !== 'TLS_SNI' && t !== 'HTTP_HOST')) {
      ok = false;
      err(`${path}.TargetTypes`, 'TargetTypes must be a non-empty list of TLS_SNI and/or HTTP_HOST');
    }
    if (!['ALLOWLIST', 'DENYLIST', 'REJECTLIST', 'ALERTLIST'].includes(gen as string)) {
      ok = false;
      err(
        `${path}.GeneratedRulesType`,
        `GeneratedRulesType must be ALLOWLIST, DENYLIST, REJECTLIST or ALERTLIST, got ${JSON.stringify(gen)}`,
      );
    }
    if (!ok) return undefined;
    return compileDomainList(v as unknown as RulesSourceList, 1, g.ruleOrder === 'STRICT_ORDER').join('\n');
  }
  // StatefulRules: one Suricata line per entry (§4).
  const lines: string[] = [];
  arr(v).forEach((r, i) => {
    const p = `${path}[${i}]`;
    const h = isObj(r) && isObj(r.Header) ? r.Header : undefined;
    const action = isObj(r) ? r.Action : undefined;
    if (!h) {
      err(p, 'rule needs Action, Header and RuleOptions');
      return;
    }
    if (!['PASS', 'DROP', 'ALERT', 'REJECT'].includes(action as string)) {
      err(`${p}.Action`, `Action must be PASS, DROP, ALERT or REJECT, got ${JSON.stringify(action)}`);
      return;
    }
    if (!STATEFUL_PROTOCOLS.has(h.Protocol as string)) {
      err(`${p}.Header.Protocol`, `unsupported Protocol ${JSON.stringify(h.Protocol)}`);
      return;
    }
    if (h.Direction !== 'FORWARD' && h.Direction !== 'ANY') {
      err(`${p}.Header.Direction`, `Direction must be FORWARD or ANY, got ${JSON.stringify(h.Direction)}`);
      return;
    }
    if (action === 'REJECT' && h.Protocol !== 'TCP')
      err(`${p}.Action`, 'REJECT sends a TCP reset and applies to TCP rules only');
    const opts = arr(isObj(r) ? r.RuleOptions : undefined);
    const text = opts
      .map((o) => {
        const k = isObj(o) ? String(o.Keyword) : '';
        const s = isObj(o) ? arr(o.Settings).map(String) : [];
        return s.length > 0 ? `${k}:${s.join(',')};` : `${k};`;
      })
      .join(' ');
    if (!opts.some((o) => isObj(o) && o.Keyword === 'sid')) err(`${p}.RuleOptions`, 'a sid RuleOption is required');
    const dir = h.Direction === 'FORWARD' ? '->' : '<>';
    lines.push(
      `${(action as string).toLowerCase()} ${(h.Protocol as string).toLowerCase()} ${h.Source} ${h.SourcePort} ${dir} ${h.Destination} ${h.DestinationPort} (${text})`,
    );
  });
  return lines.join('\n');
}
