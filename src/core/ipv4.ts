/** Allocation-free IPv4 helpers for hot paths (flow logs carry millions of addresses). */

/** Dotted quad to unsigned 32-bit integer, or -1 when `s` is not a plain IPv4 address (1–3 digits per octet). */
export function ipv4ToInt(s: string): number {
  return ipv4At(s, 0, s.length);
}

/**
 * `ipv4ToInt` of `s.slice(from, to)` without the slice: flow log readers convert addresses straight from the line.
 */
export function ipv4At(s: string, from: number, to: number): number {
  const n = to - from;
  if (n < 7 || n > 15) return -1;
  let i = from;
  let value = 0;
  // Octet by octet (one to three digits, then a dot): fewer tests per character than a per-character state machine.
  for (let part = 0; part < 4; part++) {
    let d = s.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    let octet = d;
    i++;
    if (i < to) {
      d = s.charCodeAt(i) - 48;
      if (d >= 0 && d <= 9) {
        octet = octet * 10 + d;
        i++;
        if (i < to) {
          d = s.charCodeAt(i) - 48;
          if (d >= 0 && d <= 9) {
            octet = octet * 10 + d;
            i++;
          }
        }
      }
    }
    if (octet > 255) return -1;
    value = value * 256 + octet;
    if (part < 3) {
      if (i >= to || s.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === to ? value : -1;
}

export function intToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Network mask of a prefix length as an unsigned integer. */
export function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/**
 * Private / non-internet IPv4 ranges: 0/8, 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16, 172.16/12, 192.168/16,
 * 224/4 and above (multicast, reserved).
 */
export function isPrivateV4(n: number): boolean {
  const a = n >>> 24;
  if (a === 10 || a === 127 || a === 0 || a >= 224) return true;
  const b = (n >>> 16) & 255;
  if (a === 172) return b >= 16 && b <= 31;
  if (a === 192) return b === 168;
  if (a === 169) return b === 254;
  if (a === 100) return b >= 64 && b <= 127;
  return false;
}

/** True when the text is an IPv4 or IPv6 address outside private/link-local/loopback ranges. */
export function isPublicIp(ip: string): boolean {
  const n = ipv4ToInt(ip);
  if (n >= 0) return !isPrivateV4(n);
  if (!ip.includes(':')) return false;
  const lower = ip.toLowerCase();
  // fc00::/7 unique local, fe80::/10 link local, ::1, ::ffff:private.
  if (lower === '::1' || lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe8')) return false;
  if (lower.startsWith('::ffff:')) return isPublicIp(lower.slice(7));
  return true;
}
