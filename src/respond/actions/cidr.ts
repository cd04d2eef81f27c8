/** Normalise an IP or CIDR from a finding (`198.51.100.7`, `2001:db8::1/64`) to canonical CIDR notation. */
import ipaddr from 'ipaddr.js';

export function toCidr(input: string): { cidr: string; version: 4 | 6 } | undefined {
  try {
    if (input.includes('/')) {
      const [addr, len] = ipaddr.parseCIDR(input);
      const version = addr.kind() === 'ipv4' ? 4 : 6;
      // Network address: AWS rejects host bits set in NACL/WAF CIDRs.
      const net =
        version === 4
          ? ipaddr.IPv4.networkAddressFromCIDR(input).toString()
          : ipaddr.IPv6.networkAddressFromCIDR(input).toNormalizedString();
      return { cidr: `${version === 6 ? ipaddr.parse(net).toString() : net}/${len}`, version };
    }
    const addr = ipaddr.parse(input);
    return addr.kind() === 'ipv4'
      ? { cidr: `${addr.toString()}/32`, version: 4 }
      : { cidr: `${addr.toString()}/128`, version: 6 };
  } catch {
    return undefined;
  }
}

export function sameCidr(a: string | undefined, b: string): boolean {
  if (!a) return false;
  return toCidr(a)?.cidr === toCidr(b)?.cidr;
}
