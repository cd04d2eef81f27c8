/**
 * Suricata address and port expressions: `any`, `$VAR`, CIDR, `a-b` ranges, `[groups]`, `!negation`, nested groups.
 * Parsing yields a tree; variables are resolved later against a configuration so one parse serves any config.
 */
import ipaddr from 'ipaddr.js';
import type { AddrNode, PortNode } from './types.js';

export type Parsed<T> = { ok: true; node: T } | { ok: false; reason: string; offset: number };

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(text: string): number | undefined {
  const m = V4.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

export function parseIpv6(text: string): bigint | undefined {
  if (!text.includes(':') || !ipaddr.IPv6.isValid(text)) return undefined;
  let n = 0n;
  for (const p of ipaddr.IPv6.parse(text).parts) n = (n << 16n) | BigInt(p);
  return n;
}

function v4Mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** One address atom: `1.2.3.4`, `1.2.3.0/24`, `1.2.3.0/255.255.255.0`, `a-b`, IPv6 forms. */
export function parseAddrAtom(text: string): AddrNode | string {
  const slash = text.indexOf('/');
  const dash = text.indexOf('-');
  if (slash >= 0) {
    const base = text.slice(0, slash);
    const maskText = text.slice(slash + 1);
    const b4 = parseIpv4(base);
    if (b4 !== undefined) {
      let mask: number;
      if (/^\d{1,2}$/.test(maskText) && Number(maskText) <= 32) mask = v4Mask(Number(maskText));
      else {
        const m = parseIpv4(maskText);
        if (m === undefined) return `invalid IPv4 netmask "${maskText}"`;
        mask = m;
      }
      const lo = (b4 & mask) >>> 0;
      return { kind: 'v4', lo, hi: (lo | (~mask >>> 0)) >>> 0, text };
    }
    const b6 = parseIpv6(base);
    if (b6 === undefined) return `invalid address "${base}"`;
    if (!/^\d{1,3}$/.test(maskText) || Number(maskText) > 128) return `invalid IPv6 prefix length "${maskText}"`;
    const host = (1n << BigInt(128 - Number(maskText))) - 1n;
    const lo = b6 & ~host & ((1n << 128n) - 1n);
    return { kind: 'v6', lo, hi: lo | host, text };
  }
  if (dash > 0) {
    const a = text.slice(0, dash);
    const b = text.slice(dash + 1);
    const a4 = parseIpv4(a);
    const b4 = parseIpv4(b);
    if (a4 !== undefined && b4 !== undefined) {
      if (a4 > b4) return `address range "${text}" runs backwards`;
      return { kind: 'v4', lo: a4, hi: b4, text };
    }
    const a6 = parseIpv6(a);
    const b6 = parseIpv6(b);
    if (a6 !== undefined && b6 !== undefined) {
      if (a6 > b6) return `address range "${text}" runs backwards`;
      return { kind: 'v6', lo: a6, hi: b6, text };
    }
    return `invalid address range "${text}"`;
  }
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { kind: 'v4', lo: v4, hi: v4, text };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { kind: 'v6', lo: v6, hi: v6, text };
  return `invalid address "${text}"`;
}

/** One port atom: `80`, `1024:`, `:1023`, `80:90`. */
export function parsePortAtom(text: string): PortNode | string {
  const m = /^(\d*)(:?)(\d*)$/.exec(text);
  if (!m || (m[1] === '' && m[3] === '')) return `invalid port "${text}"`;
  const lo = m[1] === '' ? 0 : Number(m[1]);
  const hi = m[2] === '' ? lo : m[3] === '' ? 65535 : Number(m[3]);
  if (lo > 65535 || hi > 65535) return `port out of range in "${text}"`;
  if (lo > hi) return `port range "${text}" runs backwards`;
  return { kind: 'range', lo, hi };
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Recursive-descent parser shared by addresses and ports; `atom` parses the leaves. Whitespace is allowed around
 * group items (Suricata tolerates `[a, b]`).
 */
function parseExpr<T extends AddrNode | PortNode>(text: string, atom: (t: string) => T | string): Parsed<T> {
  let pos = 0;
  const skip = () => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t')) pos++;
  };
  const fail = (reason: string, at = pos): Parsed<T> => ({ ok: false, reason, offset: at });
  const item = (): Parsed<T> => {
    skip();
    const start = pos;
    if (text[pos] === '!') {
      pos++;
      const inner = item();
      if (!inner.ok) return inner;
      return { ok: true, node: { kind: 'not', item: inner.node } as T };
    }
    if (text[pos] === '[') {
      pos++;
      const items: T[] = [];
      for (;;) {
        const it = item();
        if (!it.ok) return it;
        items.push(it.node);
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          break;
        }
        return fail(pos >= text.length ? `unclosed "[" opened at column ${start + 1}` : `expected "," or "]"`);
      }
      return { ok: true, node: { kind: 'group', items } as unknown as T };
    }
    while (pos < text.length && !',]![ \t'.includes(text[pos] as string)) pos++;
    const tok = text.slice(start, pos);
    if (tok === '') return fail(pos >= text.length ? 'unexpected end' : `unexpected "${text[pos]}"`);
    if (tok === 'any') return { ok: true, node: { kind: 'any' } as T };
    if (tok[0] === '$') {
      const name = tok.slice(1);
      if (!VAR_NAME.test(name)) return fail(`invalid variable name "${tok}"`, start);
      return { ok: true, node: { kind: 'var', name } as T };
    }
    const a = atom(tok);
    if (typeof a === 'string') return fail(a, start);
    return { ok: true, node: a };
  };
  const r = item();
  if (!r.ok) return r;
  skip();
  if (pos < text.length) return fail(`unexpected "${text.slice(pos)}"`);
  return r;
}

/** Header fields repeat across thousands of rules ($HOME_NET, any); parsed trees are immutable, so share them. */
const ADDR_CACHE = new Map<string, Parsed<AddrNode>>();
const PORT_CACHE = new Map<string, Parsed<PortNode>>();
const CACHE_MAX = 50_000;

export function parseAddress(text: string): Parsed<AddrNode> {
  let r = ADDR_CACHE.get(text);
  if (!r) {
    r = parseExpr<AddrNode>(text, parseAddrAtom);
    if (ADDR_CACHE.size < CACHE_MAX) ADDR_CACHE.set(text, r);
  }
  return r;
}

export function parsePorts(text: string): Parsed<PortNode> {
  let r = PORT_CACHE.get(text);
  if (!r) {
    r = parseExpr<PortNode>(text, parsePortAtom);
    if (PORT_CACHE.size < CACHE_MAX) PORT_CACHE.set(text, r);
  }
  return r;
}
