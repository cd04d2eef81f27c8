import ipaddr from 'ipaddr.js';

/**
 * IP handling with event-ruler's rules: a value is treated as an address only when it looks like one
 * (`d.d.d.d`, or hex digits and colons with at least one colon) and then parses; an IPv4-mapped IPv6 address is
 * the IPv4 address (Java's InetAddress does this). Leading zeros in IPv4 parts are rejected, as current JDKs do.
 */

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length > 3 || (p.length > 1 && p.charCodeAt(0) === 48)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseV6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => IPV6_GROUP.test(g))) return undefined;
  if (halves.length === 1 ? groups.length !== 8 : groups.length > 7) return undefined;
  if (!ipaddr.IPv6.isValid(text)) return undefined;
  const addr = ipaddr.IPv6.parse(text);
  if (addr.isIPv4MappedAddress()) return Uint8Array.from(addr.toIPv4Address().toByteArray());
  return Uint8Array.from(addr.toByteArray());
}

/** Address bytes (4 or 16) of a string that is an IP address literal, else undefined. */
export function ipBytes(text: string): Uint8Array | undefined {
  if (IPV4_SHAPE.test(text)) return parseV4(text);
  if (IPV6_SHAPE.test(text)) return parseV6(text);
  return undefined;
}

/** An address range: the first `bits` bits of `network` (4 or 16 bytes). */
export interface IpRange {
  readonly network: Uint8Array;
  readonly bits: number;
}

/** True when `addr` lies in `range` (same family, same leading bits). */
export function inRange(addr: Uint8Array, range: IpRange): boolean {
  const net = range.network;
  if (addr.length !== net.length) return false;
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[i] & mask) !== (net[i] & mask)) return false;
  }
  return true;
}

/** Hex key of the first `bits` bits of an address (used to index CIDR networks). */
export function networkKey(addr: Uint8Array, bits: number): string {
  let out = addr.length === 4 ? '4:' : '6:';
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    out += (addr[i] & mask).toString(16).padStart(2, '0');
  }
  return out;
}

/** Java's `String.split("/")`: trailing empty strings are removed. */
function javaSplitSlash(text: string): string[] {
  const parts = text.split('/');
  if (parts.length === 1) return parts;
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** event-ruler's ipToBytes: the address or AWS's error text. */
function addressOrError(text: string): Uint8Array | string {
  if (!looksLikeIp(text)) return `Nonstandard IP address: ${text}`;
  return ipBytes(text) ?? `Invalid IP address: ${text}`;
}

/** Parse a `cidr` operand; returns the range or AWS's error text. */
export function parseCidr(text: string): IpRange | string {
  const slashed = javaSplitSlash(text);
  if (slashed.length !== 2) return "Malformed CIDR, one '/' required";
  if (!/^[+-]?[0-9]+$/.test(slashed[1])) return 'Malformed CIDR, mask bits must be an integer';
  const bits = Number(slashed[1]);
  if (bits > 2147483647 || bits < -2147483648) return 'Malformed CIDR, mask bits must be an integer';
  if (bits < 0) return 'Malformed CIDR, mask bits must not be negative';
  const addr = addressOrError(slashed[0]);
  if (typeof addr === 'string') return addr;
  if (addr.length === 4 && bits > 31) return 'IPv4 mask bits must be < 32';
  if (addr.length === 16 && bits > 127) return 'IPv6 mask bits must be < 128';
  return { network: addr, bits };
}

/** Canonical text of an address for explanations. */
export function formatIp(addr: Uint8Array): string {
  return addr.length === 4 ? Array.from(addr).join('.') : ipaddr.fromByteArray(Array.from(addr)).toString();
}
