/**
 * Address and port variables (HOME_NET, EXTERNAL_NET, HTTP_PORTS …) and resolution of parsed expressions into
 * interval sets, so a rule's header can be tested against a flow's 5-tuple without re-walking the tree.
 */
import { parseAddress, parseIpv4, parseIpv6, parsePorts } from './address.js';
import type { AddrNode, PortNode } from './types.js';

/** Suricata's default `vars` (suricata.yaml), used when a configuration does not override them. */
export const DEFAULT_ADDRESS_VARS: Readonly<Record<string, string>> = {
  HOME_NET: '[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]',
  EXTERNAL_NET: '!$HOME_NET',
  HTTP_SERVERS: '$HOME_NET',
  SMTP_SERVERS: '$HOME_NET',
  SQL_SERVERS: '$HOME_NET',
  DNS_SERVERS: '$HOME_NET',
  TELNET_SERVERS: '$HOME_NET',
  AIM_SERVERS: '$EXTERNAL_NET',
  DC_SERVERS: '$HOME_NET',
  DNP3_SERVER: '$HOME_NET',
  DNP3_CLIENT: '$HOME_NET',
  MODBUS_CLIENT: '$HOME_NET',
  MODBUS_SERVER: '$HOME_NET',
  ENIP_CLIENT: '$HOME_NET',
  ENIP_SERVER: '$HOME_NET',
};

export const DEFAULT_PORT_VARS: Readonly<Record<string, string>> = {
  HTTP_PORTS: '80',
  SHELLCODE_PORTS: '!80',
  ORACLE_PORTS: '1521',
  SSH_PORTS: '22',
  DNP3_PORTS: '20000',
  MODBUS_PORTS: '502',
  FILE_DATA_PORTS: '[$HTTP_PORTS,110,143]',
  FTP_PORTS: '21',
  GENEVE_PORTS: '6081',
  VXLAN_PORTS: '4789',
  TEREDO_PORTS: '3544',
};

export interface RuleVars {
  address: Record<string, string>;
  port: Record<string, string>;
}

export function defaultVars(overrides?: Partial<RuleVars>): RuleVars {
  return {
    address: { ...DEFAULT_ADDRESS_VARS, ...overrides?.address },
    port: { ...DEFAULT_PORT_VARS, ...overrides?.port },
  };
}

/** Sorted, disjoint, inclusive ranges. */
export type Ranges<T extends number | bigint> = [T, T][];

export interface AddrSet {
  v4: Ranges<number>;
  v6: Ranges<bigint>;
}

const V4_MAX = 0xffffffff;
const V6_MAX = (1n << 128n) - 1n;

function normalize<T extends number | bigint>(r: Ranges<T>, one: T): Ranges<T> {
  const s = [...r].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Ranges<T> = [];
  for (const [lo, hi] of s) {
    const prev = out[out.length - 1];
    if (prev && lo <= (((prev[1] as number) + (one as number)) as T)) {
      if (hi > prev[1]) prev[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

function complement<T extends number | bigint>(r: Ranges<T>, zero: T, max: T, one: T): Ranges<T> {
  const out: Ranges<T> = [];
  let next = zero;
  const add = (a: T, b: T) => ((a as number) + (b as number)) as T;
  const sub = (a: T, b: T) => ((a as number) - (b as number)) as T;
  for (const [lo, hi] of r) {
    if (lo > next) out.push([next, sub(lo, one)]);
    if (hi >= max) return out;
    next = add(hi, one);
  }
  out.push([next, max]);
  return out;
}

function intersect<T extends number | bigint>(a: Ranges<T>, b: Ranges<T>): Ranges<T> {
  const out: Ranges<T> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i] as [T, T];
    const [blo, bhi] = b[j] as [T, T];
    // Math.min/max do not accept bigint.
    // biome-ignore lint/complexity/useMathMinMax: T may be bigint
    const lo = alo > blo ? alo : blo;
    // biome-ignore lint/complexity/useMathMinMax: T may be bigint
    const hi = ahi < bhi ? ahi : bhi;
    if (lo <= hi) out.push([lo, hi]);
    if (ahi < bhi) i++;
    else j++;
  }
  return out;
}

export type Resolved<T> = { ok: true; set: T } | { ok: false; reason: string };

/** Resolve an address tree: groups are unions of their positive items minus their negated items. */
export function resolveAddress(node: AddrNode, vars: RuleVars, seen: string[] = []): Resolved<AddrSet> {
  switch (node.kind) {
    case 'any':
      return { ok: true, set: { v4: [[0, V4_MAX]], v6: [[0n, V6_MAX]] } };
    case 'v4':
      return { ok: true, set: { v4: [[node.lo, node.hi]], v6: [] } };
    case 'v6':
      return { ok: true, set: { v4: [], v6: [[node.lo, node.hi]] } };
    case 'var': {
      if (seen.includes(node.name)) return { ok: false, reason: `variable $${node.name} refers to itself` };
      const def = vars.address[node.name];
      if (def === undefined) return { ok: false, reason: `address variable $${node.name} is not defined` };
      const p = parseAddress(def);
      if (!p.ok) return { ok: false, reason: `address variable $${node.name}: ${p.reason}` };
      return resolveAddress(p.node, vars, [...seen, node.name]);
    }
    case 'not': {
      const r = resolveAddress(node.item, vars, seen);
      if (!r.ok) return r;
      return {
        ok: true,
        set: { v4: complement(r.set.v4, 0, V4_MAX, 1), v6: complement(r.set.v6, 0n, V6_MAX, 1n) },
      };
    }
    case 'group': {
      const pos: AddrSet = { v4: [], v6: [] };
      const neg: AddrSet = { v4: [], v6: [] };
      let anyPositive = false;
      for (const it of node.items) {
        const target = it.kind === 'not' ? neg : pos;
        if (it.kind !== 'not') anyPositive = true;
        const r = resolveAddress(it.kind === 'not' ? it.item : it, vars, seen);
        if (!r.ok) return r;
        target.v4.push(...r.set.v4);
        target.v6.push(...r.set.v6);
      }
      const base: AddrSet = anyPositive
        ? { v4: normalize(pos.v4, 1), v6: normalize(pos.v6, 1n) }
        : { v4: [[0, V4_MAX]], v6: [[0n, V6_MAX]] };
      const n4 = complement(normalize(neg.v4, 1), 0, V4_MAX, 1);
      const n6 = complement(normalize(neg.v6, 1n), 0n, V6_MAX, 1n);
      return { ok: true, set: { v4: intersect(base.v4, n4), v6: intersect(base.v6, n6) } };
    }
  }
}

export function resolvePorts(node: PortNode, vars: RuleVars, seen: string[] = []): Resolved<Ranges<number>> {
  switch (node.kind) {
    case 'any':
      return { ok: true, set: [[0, 65535]] };
    case 'range':
      return { ok: true, set: [[node.lo, node.hi]] };
    case 'var': {
      if (seen.includes(node.name)) return { ok: false, reason: `variable $${node.name} refers to itself` };
      const def = vars.port[node.name];
      if (def === undefined) return { ok: false, reason: `port variable $${node.name} is not defined` };
      const p = parsePorts(def);
      if (!p.ok) return { ok: false, reason: `port variable $${node.name}: ${p.reason}` };
      return resolvePorts(p.node, vars, [...seen, node.name]);
    }
    case 'not': {
      const r = resolvePorts(node.item, vars, seen);
      return r.ok ? { ok: true, set: complement(r.set, 0, 65535, 1) } : r;
    }
    case 'group': {
      const pos: Ranges<number> = [];
      const neg: Ranges<number> = [];
      let anyPositive = false;
      for (const it of node.items) {
        if (it.kind !== 'not') anyPositive = true;
        const r = resolvePorts(it.kind === 'not' ? it.item : it, vars, seen);
        if (!r.ok) return r;
        (it.kind === 'not' ? neg : pos).push(...r.set);
      }
      const base = anyPositive ? normalize(pos, 1) : ([[0, 65535]] as Ranges<number>);
      return { ok: true, set: intersect(base, complement(normalize(neg, 1), 0, 65535, 1)) };
    }
  }
}

function inRanges<T extends number | bigint>(r: Ranges<T>, x: T): boolean {
  let lo = 0;
  let hi = r.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = r[mid] as [T, T];
    if (x < a) hi = mid - 1;
    else if (x > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Is the textual IP in the set? Invalid IPs are in no set. */
export function addrSetHas(set: AddrSet, ip: string): boolean {
  const n = ipNumber(ip);
  if (typeof n === 'number') return inRanges(set.v4, n);
  return n !== null && inRanges(set.v6, n);
}

/**
 * Observations repeat the same few addresses and each is tested against many rule headers: parse each text once.
 * Bounded (cleared when full) so a long run over many distinct addresses does not grow without limit.
 */
const IP_CACHE = new Map<string, number | bigint | null>();
const IP_CACHE_MAX = 1 << 16;

export function ipNumber(ip: string): number | bigint | null {
  let n = IP_CACHE.get(ip);
  if (n === undefined) {
    n = parseIpv4(ip) ?? parseIpv6(ip) ?? null;
    if (IP_CACHE.size >= IP_CACHE_MAX) IP_CACHE.clear();
    IP_CACHE.set(ip, n);
  }
  return n;
}

export function portSetHas(set: Ranges<number>, port: number): boolean {
  return inRanges(set, port);
}

/** Variables a rule header refers to, for "must be defined" checks. */
export function varsIn(node: AddrNode | PortNode, out: Set<string> = new Set()): Set<string> {
  if (node.kind === 'var') out.add(node.name);
  else if (node.kind === 'not') varsIn(node.item, out);
  else if (node.kind === 'group') for (const i of node.items) varsIn(i, out);
  return out;
}
