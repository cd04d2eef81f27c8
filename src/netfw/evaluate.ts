/**
 * Evaluation of Network Firewall policies and Suricata rules on log observations (issue 13 §3). Stateless groups
 * apply to flows (first match by priority); stateful rules apply to the observation kind their buffers and
 * protocol need. Rules that need what no log carries are reported as not evaluable, with the reason.
 */

import { parseAddrAtom } from './address.js';
import { type RuleAttack, ruleAttack } from './attack.js';
import { type BufferMatcher, compileBuffer } from './match.js';
import type { RuleOrder } from './nfw-lint.js';
import type { Observation } from './observe.js';
import type { StatelessRule } from './rule-group.js';
import type { AddrNode, PortNode, SuricataRule } from './types.js';
import {
  type AddrSet,
  addrSetHas,
  portSetHas,
  type Ranges,
  type Resolved,
  type RuleVars,
  resolveAddress,
  resolvePorts,
} from './vars.js';

type Kind = Observation['kind'];

const BUFFER_FIELD: Readonly<Record<string, [Kind, string]>> = {
  'dns.query': ['dns', 'query'],
  'tls.sni': ['tls', 'sni'],
  'http.uri': ['http', 'uri'],
  'http.uri.raw': ['http', 'uri'],
  'http.method': ['http', 'method'],
  'http.host': ['http', 'host'],
  'http.host.raw': ['http', 'host'],
  'http.user_agent': ['http', 'userAgent'],
};

const APP_PROTO_KIND: Readonly<Record<string, Kind>> = { dns: 'dns', tls: 'tls', http: 'http', http1: 'http' };
const L4: Readonly<Record<string, number[] | undefined>> = {
  tcp: [6],
  udp: [17],
  icmp: [1, 58],
  ip: undefined,
  any: undefined,
};

/** Keywords that cannot be decided from logs. */
const BLOCKING = new Set([
  'dsize',
  'byte_test',
  'byte_jump',
  'byte_extract',
  'byte_math',
  'isdataat',
  'stream_size',
  'flags',
  'itype',
  'icode',
  'ttl',
  'flowint',
  'xbits',
  'hostbits',
  'ja3.hash',
  'ja3s.hash',
  'ja3.string',
  'ja3_hash',
  'app-layer-event',
  'base64_decode',
  'base64_data',
  'asn1',
  'tls.version',
  'ip_proto',
  'icmp_id',
  'icmp_seq',
  'seq',
  'ack',
  'window',
  'id',
  'fragbits',
  'sameip',
  'detection_filter',
]);

export interface CompiledRule {
  rule: SuricataRule;
  group: string;
  order: number;
  kind: Kind;
  src: AddrSet;
  dst: AddrSet;
  srcPorts: Ranges<number>;
  dstPorts: Ranges<number>;
  bidirectional: boolean;
  protos?: number[];
  buffers: [string, string, BufferMatcher][];
  priority: number;
  /** Set when the rule is one exact/dotprefix-suffix content on a name buffer: the domain index holds it. */
  nameKey?: NameKey;
  /** Source, destination and both port sets are everything: the header matches any observation. */
  headerAll?: boolean;
  /** ATT&CK references from the rule's metadata. */
  attack?: RuleAttack;
}

/** Index key of a name rule; `nocase` rules are decided by the lookup alone (with their header). */
export interface NameKey {
  key: string;
  suffix: boolean;
  nocase: boolean;
}

export interface NotEvaluable {
  group: string;
  sid: number;
  file: string;
  line: number;
  reason: string;
}

/** Compile rules for evaluation; `notEvaluable` explains every rule left out. */
export function compileForEval(
  rules: readonly SuricataRule[],
  vars: RuleVars,
  group: string,
): { compiled: CompiledRule[]; notEvaluable: NotEvaluable[] } {
  const compiled: CompiledRule[] = [];
  const notEvaluable: NotEvaluable[] = [];
  rules.forEach((rule, order) => {
    const r = compileOne(rule, vars, group, order);
    if (typeof r === 'string') notEvaluable.push({ group, sid: rule.sid, file: rule.file, line: rule.line, reason: r });
    else compiled.push(r);
  });
  return { compiled, notEvaluable };
}

function compileOne(rule: SuricataRule, vars: RuleVars, group: string, order: number): CompiledRule | string {
  for (const o of rule.options) {
    if (BLOCKING.has(o.name)) return `${o.name} cannot be decided from logs`;
    // threshold type limit only caps repeated alerts (the match is decidable); the counting types are not.
    if (o.name === 'threshold' && !/type\s+limit/.test(o.value ?? '')) return 'threshold counting is not evaluated';
    if (o.name === 'flowbits' && !/^\s*(set|setx|unset|noalert)\b/.test(o.value ?? ''))
      return `flowbits:${o.value} needs flow state from earlier packets`;
    if (o.name === 'ssl_state' && o.value !== 'client_hello') return `ssl_state:${o.value} is not visible in logs`;
    if (o.name.startsWith('tls.cert') || o.name.startsWith('tls_cert'))
      return `${o.name} needs certificates no log carries`;
  }
  if (rule.flow?.toClient) return 'flow:to_client needs responses; logs show requests';
  const kinds = new Set<Kind>();
  // `http.header_names; content:"|0d 0a|"; startswith;` (the HTTP allow-list catch-all) holds for every request.
  const headerNames = rule.matches.filter((m) => m.buffer === 'http.header_names');
  const anyRequest =
    headerNames.length === 1 &&
    headerNames[0]?.kind === 'content' &&
    headerNames[0].bytes === '\r\n' &&
    headerNames[0].startswith &&
    !headerNames[0].negated;
  if (anyRequest) kinds.add('http');
  for (const b of rule.buffers) {
    if (anyRequest && b === 'http.header_names') continue;
    const f = BUFFER_FIELD[b];
    if (!f)
      return b === 'pkt_data' ? 'needs payload bytes no log carries' : `buffer ${b} is not in any log Vigil reads`;
    kinds.add(f[0]);
  }
  if (kinds.size > 1) return `mixes buffers of ${[...kinds].join(' and ')}`;
  const proto = rule.proto.toLowerCase();
  let kind: Kind;
  let protos: number[] | undefined;
  if (kinds.size === 1) {
    kind = [...kinds][0] as Kind;
    const app = APP_PROTO_KIND[proto];
    if (app !== undefined && app !== kind) return `protocol ${proto} with ${kind} buffers`;
    if (app === undefined && !(proto in L4)) return `protocol ${proto} is not visible in logs`;
  } else if (APP_PROTO_KIND[proto]) kind = APP_PROTO_KIND[proto] as Kind;
  else if (proto in L4) {
    kind = 'flow';
    protos = L4[proto];
  } else return `protocol ${proto} is not visible in logs`;
  const cache = headerCache(vars);
  const src = addrOf(cache.addr, rule.sourceAddr, rule.src, vars);
  const dst = addrOf(cache.addr, rule.destAddr, rule.dst, vars);
  const sp = portsOf(cache.ports, rule.sourcePort, rule.srcPorts, vars);
  const dp = portsOf(cache.ports, rule.destPort, rule.dstPorts, vars);
  if (!src.ok) return src.reason;
  if (!dst.ok) return dst.reason;
  if (!sp.ok) return sp.reason;
  if (!dp.ok) return dp.reason;
  const byBuffer = new Map<string, SuricataRule['matches']>();
  for (const m of rule.matches)
    if (!(anyRequest && m.buffer === 'http.header_names')) {
      const list = byBuffer.get(m.buffer);
      if (list) list.push(m);
      else byBuffer.set(m.buffer, [m]);
    }
  const buffers: CompiledRule['buffers'] = [];
  for (const [b, ms] of byBuffer) {
    const c = compileBuffer(ms);
    if (!c.ok) return c.reason;
    buffers.push([b, (BUFFER_FIELD[b] as [Kind, string])[1], c.value]);
  }
  const out: CompiledRule = {
    rule,
    group,
    order,
    kind,
    src: src.set,
    dst: dst.set,
    srcPorts: sp.set,
    dstPorts: dp.set,
    bidirectional: rule.direction === '<>',
    buffers,
    priority: rule.priority ?? 255,
  };
  if (protos) out.protos = protos;
  const attack = ruleAttack(rule.metadata);
  if (attack) out.attack = attack;
  const k = indexKey(out);
  if (k) out.nameKey = k;
  if (isAll(out.src) && isAll(out.dst) && isAllPorts(out.srcPorts) && isAllPorts(out.dstPorts)) out.headerAll = true;
  return out;
}

function isAll(s: AddrSet): boolean {
  const a = s.v4[0];
  const b = s.v6[0];
  return (
    s.v4.length === 1 && s.v6.length === 1 && a?.[0] === 0 && a[1] === 0xffffffff && b?.[0] === 0n && b[1] === V6_MAX
  );
}
const V6_MAX = (1n << 128n) - 1n;
function isAllPorts(r: Ranges<number>): boolean {
  return r.length === 1 && r[0]?.[0] === 0 && r[0][1] === 65535;
}

/** Header texts repeat across thousands of rules ($HOME_NET, any): resolve each once per variable set. */
interface HeaderCache {
  addr: Map<string, Resolved<AddrSet>>;
  ports: Map<string, Resolved<Ranges<number>>>;
}
const HEADER_CACHE = new WeakMap<RuleVars, HeaderCache>();
function headerCache(vars: RuleVars): HeaderCache {
  let m = HEADER_CACHE.get(vars);
  if (!m) {
    m = { addr: new Map(), ports: new Map() };
    HEADER_CACHE.set(vars, m);
  }
  return m;
}
function addrOf(m: HeaderCache['addr'], text: string, node: AddrNode, vars: RuleVars): Resolved<AddrSet> {
  let r = m.get(text);
  if (r === undefined) {
    r = resolveAddress(node, vars);
    m.set(text, r);
  }
  return r;
}
function portsOf(m: HeaderCache['ports'], text: string, node: PortNode, vars: RuleVars): Resolved<Ranges<number>> {
  let r = m.get(text);
  if (r === undefined) {
    r = resolvePorts(node, vars);
    m.set(text, r);
  }
  return r;
}

/** Unknown fields (a log that does not record them) do not exclude a match; the verdict notes say so. */
function headerMatches(c: CompiledRule, o: Observation, reverse: boolean): boolean {
  const src = reverse ? o.dst : o.src;
  const dst = reverse ? o.src : o.dst;
  const sp = reverse ? o.dstPort : o.srcPort;
  const dp = reverse ? o.srcPort : o.dstPort;
  if (src !== undefined && !addrSetHas(c.src, src)) return false;
  if (dst !== undefined && !addrSetHas(c.dst, dst)) return false;
  if (sp !== undefined && !portSetHas(c.srcPorts, sp)) return false;
  if (dp !== undefined && !portSetHas(c.dstPorts, dp)) return false;
  return true;
}

/** Protocol and header (either direction for `<>`) of `c` admit `o`. */
function headerOk(c: CompiledRule, o: Observation): boolean {
  if (c.protos && o.proto !== undefined && !c.protos.includes(o.proto)) return false;
  if (c.headerAll) return true;
  return headerMatches(c, o, false) || (c.bidirectional && headerMatches(c, o, true));
}

export function ruleMatches(c: CompiledRule, o: Observation): boolean {
  if (c.kind !== o.kind) return false;
  if (!headerOk(c, o)) return false;
  for (const [, field, m] of c.buffers) {
    const v = (o as unknown as Record<string, unknown>)[field];
    if (typeof v !== 'string' || !m(v)) return false;
  }
  return true;
}

export type Action = 'pass' | 'drop' | 'reject' | 'alert';

export interface AlertHit {
  sid: number;
  rev: number;
  msg: string;
  classtype?: string;
  priority?: number;
  group: string;
  action: string;
  /** ATT&CK references from the rule's metadata (undefined when it has none). */
  attack: RuleAttack | undefined;
}

export interface Decision {
  verdict: Action;
  /** What decided: `sid 2025535 (group)`, `stateless priority 10 (group)`, or a default action. */
  decidedBy: string;
  sid?: number;
  alerts: AlertHit[];
  /** Header fields the log did not record (not used to exclude rules). */
  unknown: string[];
}

export interface StatefulGroup {
  label: string;
  rules: CompiledRule[];
  dropToAlert?: boolean;
}

export interface StatelessGroup {
  label: string;
  rules: StatelessRule[];
}

export interface EvalPolicy {
  statelessGroups: StatelessGroup[];
  statelessDefault: string[];
  statefulGroups: StatefulGroup[];
  ruleOrder: RuleOrder;
  statefulDefault: string[];
}

const RANK: Record<string, number> = { pass: 0, drop: 1, reject: 2, alert: 3 };

function hit(c: CompiledRule, action: string): AlertHit {
  const r = c.rule;
  // One literal (absent classtype/priority undefined, which JSON output omits): one object shape, no temporaries.
  return {
    sid: r.sid,
    rev: r.rev,
    msg: r.msg,
    classtype: r.classtype || undefined,
    priority: r.priority,
    group: c.group,
    action,
    attack: c.attack,
  };
}

/** A stateless rule with its CIDR lists resolved once to numeric ranges (undefined = any). */
interface CompiledStateless {
  r: StatelessRule;
  src?: AddrSet;
  dst?: AddrSet;
}

/**
 * Stateless groups are first-match by priority. Rules that name a few destination ports are indexed by port, the
 * rest stay in one list; a flow's candidates are the merge of its port's list and the rest, both in priority order,
 * so the first match found is the one a linear scan would find.
 */
interface StatelessIndex {
  byPort: Map<number, number[]>;
  rest: number[];
  rules: CompiledStateless[];
}

const STATELESS_INDEXES = new WeakMap<StatelessGroup, StatelessIndex>();
/** A rule listing more destination ports than this goes to the unindexed list. */
const MAX_INDEXED_PORTS = 64;
const EMPTY_VARS: RuleVars = { address: {}, port: {} };

function cidrSet(cidrs: string[]): AddrSet | undefined {
  if (cidrs.length === 0) return undefined;
  const set: AddrSet = { v4: [], v6: [] };
  for (const c of cidrs) {
    // Stateless AddressDefinitions are validated CIDRs; an unparsable one matches nothing.
    const a = parseAddrAtom(c);
    const r = typeof a === 'string' ? undefined : resolveAddress(a, EMPTY_VARS);
    if (r?.ok) {
      set.v4.push(...r.set.v4);
      set.v6.push(...r.set.v6);
    }
  }
  set.v4.sort((x, y) => x[0] - y[0]);
  set.v6.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return set;
}

function statelessIndex(g: StatelessGroup): StatelessIndex {
  let ix = STATELESS_INDEXES.get(g);
  if (ix) return ix;
  ix = { byPort: new Map(), rest: [], rules: [] };
  g.rules.forEach((r, i) => {
    const src = cidrSet(r.sources);
    const dst = cidrSet(r.destinations);
    (ix as StatelessIndex).rules.push({ r, ...(src ? { src } : {}), ...(dst ? { dst } : {}) });
    const ports = r.destinationPorts.reduce((n, p) => n + p.to - p.from + 1, 0);
    if (r.destinationPorts.length === 0 || ports > MAX_INDEXED_PORTS) {
      (ix as StatelessIndex).rest.push(i);
      return;
    }
    for (const p of r.destinationPorts)
      for (let port = p.from; port <= p.to; port++) {
        const list = (ix as StatelessIndex).byPort.get(port);
        if (list) list.push(i);
        else (ix as StatelessIndex).byPort.set(port, [i]);
      }
  });
  STATELESS_INDEXES.set(g, ix);
  return ix;
}

function inSet(set: AddrSet | undefined, ip: string | undefined): boolean {
  return set === undefined || (ip !== undefined && addrSetHas(set, ip));
}

function statelessMatch(c: CompiledStateless, o: Observation): boolean {
  const r = c.r;
  if (r.protocols.length > 0 && (o.proto === undefined || !r.protocols.includes(o.proto))) return false;
  if (!inSet(c.src, o.src) || !inSet(c.dst, o.dst)) return false;
  const inPorts = (ranges: { from: number; to: number }[], p: number | undefined) =>
    ranges.length === 0 || (p !== undefined && ranges.some((x) => p >= x.from && p <= x.to));
  if (!inPorts(r.sourcePorts, o.srcPort) || !inPorts(r.destinationPorts, o.dstPort)) return false;
  if (r.tcpFlags.length > 0) {
    const f = o.kind === 'flow' ? o.tcpFlags : undefined;
    if (f === undefined || !r.tcpFlags.some((t) => (f & t.masks) === t.flags)) return false;
  }
  return true;
}

/** The first rule of `g` (by priority) that matches `o`. */
export function firstStatelessMatch(g: StatelessGroup, o: Observation): StatelessRule | undefined {
  const ix = statelessIndex(g);
  const ported = o.dstPort === undefined ? undefined : ix.byPort.get(o.dstPort);
  const rest = ix.rest;
  let i = 0;
  let j = 0;
  const n = ported?.length ?? 0;
  while (i < n || j < rest.length) {
    const a = i < n ? (ported as number[])[i] : Number.POSITIVE_INFINITY;
    const b = j < rest.length ? rest[j] : Number.POSITIVE_INFINITY;
    let k: number;
    if ((a as number) < (b as number)) {
      k = a as number;
      i++;
    } else {
      k = b as number;
      j++;
    }
    const c = ix.rules[k] as CompiledStateless;
    if (statelessMatch(c, o)) return c.r;
  }
  return undefined;
}

/** Verdict of the policy for one observation, with the deciding rule and every alert. */
const NONE_UNKNOWN: readonly string[] = Object.freeze([]);

function unknownFields(o: Observation): string[] {
  if (o.src !== undefined && o.srcPort !== undefined && o.dst !== undefined && o.dstPort !== undefined)
    return NONE_UNKNOWN as string[];
  const unknown: string[] = [];
  for (const k of ['src', 'srcPort', 'dst', 'dstPort'] as const) if (o[k] === undefined) unknown.push(k);
  return unknown;
}

export function decide(p: EvalPolicy, o: Observation): Decision {
  const unknown = unknownFields(o);
  if (o.kind === 'flow') {
    for (const g of p.statelessGroups) {
      const r = firstStatelessMatch(g, o);
      if (r) {
        const std = r.actions.find((a) => a === 'aws:pass' || a === 'aws:drop' || a === 'aws:forward_to_sfe');
        if (std === 'aws:pass' || std === 'aws:drop')
          return {
            verdict: std === 'aws:pass' ? 'pass' : 'drop',
            decidedBy: `stateless priority ${r.priority} (${g.label})`,
            alerts: [],
            unknown,
          };
        return stateful(p, o, unknown);
      }
    }
    const d = p.statelessDefault.find((a) => a.startsWith('aws:'));
    if (d === 'aws:pass' || d === 'aws:drop')
      return {
        verdict: d === 'aws:pass' ? 'pass' : 'drop',
        decidedBy: `StatelessDefaultActions ${d}`,
        alerts: [],
        unknown,
      };
  }
  return stateful(p, o, unknown);
}

/**
 * Does `c` (a candidate of group `g` for `o`) match? A rule the domain index found through its name key is decided by
 * that lookup when it ignores case (or the name is lower-case already): only its header is left to check.
 */
function candidateMatches(c: CompiledRule, o: Observation, viaIndex: boolean, nameIsLower: boolean): boolean {
  const k = c.nameKey;
  if (viaIndex && k !== undefined && (k.nocase || nameIsLower)) return headerOk(c, o);
  return ruleMatches(c, o);
}

function stateful(p: EvalPolicy, o: Observation, unknown: string[]): Decision {
  const name = nameOf(o);
  const lower = name?.toLowerCase();
  const nameIsLower = name !== undefined && name === lower;
  let alerts: AlertHit[] | undefined;
  if (p.ruleOrder === 'STRICT_ORDER') {
    for (const g of p.statefulGroups) {
      const list = lookup(g, o, lower);
      const viaIndex = list !== g.rules;
      for (let i = 0; i < list.length; i++) {
        const c = list[i] as CompiledRule;
        if (!candidateMatches(c, o, viaIndex, nameIsLower)) continue;
        let action = c.rule.action;
        if (g.dropToAlert && (action === 'drop' || action === 'reject')) action = 'alert';
        if (action !== 'pass' && !c.rule.noalert) (alerts ??= []).push(hit(c, action));
        if (action !== 'alert')
          return {
            verdict: action as Action,
            decidedBy: `sid ${c.rule.sid} (${g.label})`,
            sid: c.rule.sid,
            alerts: alerts ?? [],
            unknown,
          };
      }
    }
    return strictDefault(p, o, alerts ?? [], unknown);
  }
  // Action order: pass > drop > reject > alert across all groups; within one action the priority keyword, then order.
  let bestC: CompiledRule | undefined;
  let bestAction = '';
  let bestGi = 0;
  for (let gi = 0; gi < p.statefulGroups.length; gi++) {
    const g = p.statefulGroups[gi] as StatefulGroup;
    const list = lookup(g, o, lower);
    const viaIndex = list !== g.rules;
    for (let i = 0; i < list.length; i++) {
      const c = list[i] as CompiledRule;
      if (!candidateMatches(c, o, viaIndex, nameIsLower)) continue;
      let action = c.rule.action;
      if (g.dropToAlert && (action === 'drop' || action === 'reject')) action = 'alert';
      if (
        bestC === undefined ||
        (RANK[action] as number) < (RANK[bestAction] as number) ||
        (action === bestAction && (c.priority < bestC.priority || (c.priority === bestC.priority && gi < bestGi)))
      ) {
        bestC = c;
        bestAction = action;
        bestGi = gi;
      }
      if (action !== 'pass' && !c.rule.noalert) (alerts ??= []).push(hit(c, action));
    }
  }
  if (bestC === undefined)
    return {
      verdict: 'pass',
      decidedBy: 'no stateful rule matched (default action order passes)',
      alerts: [],
      unknown,
    };
  const sid = bestC.rule.sid;
  const decidedBy = `sid ${sid} (${bestC.group})`;
  // A pass match stops inspection of the flow: no alert from other rules is raised.
  if (bestAction === 'pass') return { verdict: 'pass', decidedBy, sid, alerts: [], unknown };
  return { verdict: bestAction as Action, decidedBy, sid, alerts: alerts ?? [], unknown };
}

function strictDefault(p: EvalPolicy, o: Observation, alerts: AlertHit[], unknown: string[]): Decision {
  const drop = p.statefulDefault.find((a) => a.startsWith('aws:drop'));
  const alert = p.statefulDefault.find((a) => a.startsWith('aws:alert'));
  // drop_established lets handshakes through: a flow that only carried a SYN never became established.
  const handshakeOnly = o.kind === 'flow' && o.tcpFlags !== undefined && (o.tcpFlags & 0x12) === 0x02;
  const drops = drop === 'aws:drop_strict' || (drop !== undefined && !handshakeOnly);
  const verdict: Action = drops ? 'drop' : alert ? 'alert' : 'pass';
  return {
    verdict,
    decidedBy:
      drops || alert
        ? `StatefulDefaultActions ${drops ? drop : alert}`
        : 'no rule matched (no stateful default action)',
    alerts,
    unknown,
  };
}

/**
 * Domain index (reversed-label lookups): rules whose only match is one positive content on a name buffer
 * (`tls.sni`, `dns.query`, `http.host`) anchored as an exact name (`startswith … endswith`) or a `dotprefix`
 * suffix are found by looking up the observed name and each of its parent domains, instead of scanning every rule.
 * Candidates are re-checked with `ruleMatches`, so the index only skips rules that cannot match.
 */
interface KindIndex {
  exact: Map<string, CompiledRule[]>;
  suffix: Map<string, CompiledRule[]>;
}

interface GroupIndex {
  /** Per observation kind (tls / dns / http), so a lookup never meets rules of another kind. */
  byKind: Partial<Record<Kind, KindIndex>>;
  rest: CompiledRule[];
}

const NAME_BUFFERS: Readonly<Record<string, string>> = { 'tls.sni': 'sni', 'dns.query': 'query', 'http.host': 'host' };
const INDEXES = new WeakMap<StatefulGroup, GroupIndex>();
/** Below this many rules a scan is as fast as the index. */
const INDEX_MIN_RULES = 32;

function indexKey(c: CompiledRule): NameKey | undefined {
  const ms = c.rule.matches;
  if (ms.length !== 1 || c.buffers.length !== 1) return undefined;
  const m = ms[0];
  if (m?.kind !== 'content' || m.negated || !NAME_BUFFERS[m.buffer] || !m.endswith) return undefined;
  if (m.offset !== undefined || m.depth !== undefined || m.distance !== undefined || m.within !== undefined)
    return undefined;
  // Case-sensitive rules would need the observed case; keep them out of the (lower-case) index.
  if (!m.nocase && m.bytes !== m.bytes.toLowerCase()) return undefined;
  const t = m.transforms;
  if (t.length === 1 && t[0] === 'dotprefix' && m.bytes.startsWith('.') && !m.startswith)
    return { key: m.bytes.slice(1).toLowerCase(), suffix: true, nocase: m.nocase };
  if (t.length === 0 && m.startswith) return { key: m.bytes.toLowerCase(), suffix: false, nocase: m.nocase };
  return undefined;
}

function buildIndex(g: StatefulGroup): GroupIndex {
  const ix: GroupIndex = { byKind: {}, rest: [] };
  for (const c of g.rules) {
    const k = c.nameKey;
    if (!k) {
      ix.rest.push(c);
      continue;
    }
    const kind = (ix.byKind[c.kind] ??= { exact: new Map(), suffix: new Map() });
    const map = k.suffix ? kind.suffix : kind.exact;
    const list = map.get(k.key);
    if (list) list.push(c);
    else map.set(k.key, [c]);
  }
  return ix;
}

function nameOf(o: Observation): string | undefined {
  return o.kind === 'tls' ? o.sni : o.kind === 'dns' ? o.query : o.kind === 'http' ? o.host : undefined;
}

/** Rules of `g` that could match `o`, in rule order (exported for the equivalence test). */
export function candidates(g: StatefulGroup, o: Observation): readonly CompiledRule[] {
  return lookup(g, o, nameOf(o)?.toLowerCase());
}

/**
 * `candidates` with the observed name (the one the index keys on) already lower-cased, computed once per decide(). Returns `g.rules` itself when the group is not indexed
 * (callers then check every rule in full); anything else came from the index.
 */
function lookup(g: StatefulGroup, o: Observation, lower: string | undefined): readonly CompiledRule[] {
  if (g.rules.length < INDEX_MIN_RULES) return g.rules;
  let ix = INDEXES.get(g);
  if (!ix) {
    ix = buildIndex(g);
    INDEXES.set(g, ix);
  }
  const kind = ix.byKind[o.kind];
  if (kind === undefined || lower === undefined) return ix.rest;
  // Usually at most one list matches (the name or one parent domain): return it as is, without copying.
  let one: CompiledRule[] | undefined = kind.exact.get(lower);
  let more: CompiledRule[] | undefined;
  // The name itself and every parent domain: "a.b.c" → "a.b.c", "b.c", "c".
  const suffix = kind.suffix;
  if (suffix.size > 0)
    for (let i = -1; ; ) {
      const list = suffix.get(i < 0 ? lower : lower.slice(i + 1));
      if (list) {
        if (!one) one = list;
        else {
          more ??= one.slice();
          for (const c of list) more.push(c);
        }
      }
      i = lower.indexOf('.', i + 1);
      if (i < 0) break;
    }
  if (!one) return ix.rest;
  if (!more && ix.rest.length === 0) return one;
  const all = more ?? one.slice();
  for (const c of ix.rest) all.push(c);
  return all.sort(byOrder);
}

function byOrder(a: CompiledRule, b: CompiledRule): number {
  return a.order - b.order;
}
