import ipaddr from 'ipaddr.js';

/** True when `text` is a syntactically valid IPv4 or IPv6 address. */
export function isIp(text: string): boolean {
  return ipaddr.isValid(text);
}

/** True for RFC 1918 / unique-local / loopback / link-local and other non-public ranges. */
export function isPrivateIp(text: string): boolean {
  if (!ipaddr.isValid(text)) return false;
  const range = ipaddr.parse(text).range();
  return range !== 'unicast';
}

/** CIDR membership for IPv4 and IPv6 (an IPv4-mapped IPv6 address matches IPv4 ranges). */
export function ipInCidr(ip: string, cidr: string): boolean {
  try {
    let addr = ipaddr.parse(ip);
    const [net, bits] = ipaddr.parseCIDR(cidr);
    if (addr.kind() === 'ipv6' && net.kind() === 'ipv4' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
      addr = (addr as ipaddr.IPv6).toIPv4Address();
    }
    if (addr.kind() !== net.kind()) return false;
    return addr.match(net, bits);
  } catch {
    return false;
  }
}

/**
 * Split `host:port` where the host may be an IPv6 address (which contains colons): the port follows the
 * last colon; `[v6]:port` brackets are removed.
 */
export function splitHostPort(text: string): { host: string; port: number | undefined } {
  const i = text.lastIndexOf(':');
  if (i <= 0) return { host: text, port: undefined };
  let host = text.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(text.slice(i + 1));
  return { host, port: Number.isInteger(port) ? port : undefined };
}
