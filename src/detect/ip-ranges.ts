/**
 * AWS's published address ranges (`ip-ranges.json`, supplied by the user: Vigil has no network access) to tell
 * whether a caller address belongs to AWS (InstanceCredentialExfiltration.OutsideAWS).
 */
import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { VigilError } from '../core/errors.js';
import { ipv4ToInt, maskOf } from '../core/ipv4.js';

export interface AwsRange {
  prefix: string;
  region: string;
  service: string;
}

export class AwsIpRanges {
  private readonly v4 = new Map<number, Map<number, AwsRange>>();
  private v4Lengths: number[] = [];
  private readonly v6: { net: ipaddr.IPv6; bits: number; r: AwsRange }[] = [];
  syncToken?: string;
  count = 0;

  add(prefix: string, region: string, service: string): boolean {
    const [base, bitsText] = prefix.split('/');
    const bits = Number(bitsText);
    const r = { prefix, region, service };
    const n = ipv4ToInt(base ?? '');
    if (n >= 0 && Number.isInteger(bits) && bits >= 0 && bits <= 32) {
      let m = this.v4.get(bits);
      if (!m) {
        m = new Map();
        this.v4.set(bits, m);
        this.v4Lengths = [...this.v4.keys()].sort((a, b) => b - a);
      }
      const net = (n & maskOf(bits)) >>> 0;
      // Keep the most specific service name: "AMAZON" covers everything, "EC2" is more telling.
      const prev = m.get(net);
      if (!prev || prev.service === 'AMAZON') m.set(net, r);
      this.count++;
      return true;
    }
    if (base && ipaddr.IPv6.isValid(base) && Number.isInteger(bits)) {
      this.v6.push({ net: ipaddr.IPv6.parse(base), bits, r });
      this.count++;
      return true;
    }
    return false;
  }

  /** The most specific AWS range containing `ip`, if any. */
  find(ip: string): AwsRange | undefined {
    const n = ipv4ToInt(ip);
    if (n >= 0) {
      for (const bits of this.v4Lengths) {
        const hit = this.v4.get(bits)!.get((n & maskOf(bits)) >>> 0);
        if (hit) return hit;
      }
      return undefined;
    }
    if (!ipaddr.IPv6.isValid(ip)) return undefined;
    const a = ipaddr.IPv6.parse(ip);
    let best: { bits: number; r: AwsRange } | undefined;
    for (const c of this.v6) if (a.match(c.net, c.bits) && (!best || c.bits > best.bits)) best = c;
    return best?.r;
  }
}

/** Parse the `ip-ranges.json` document (`prefixes[].ip_prefix`, `ipv6_prefixes[].ipv6_prefix`). */
export function parseAwsIpRanges(text: string, file: string): AwsIpRanges {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VigilError(`--aws-ip-ranges ${file}: not JSON: ${(err as Error).message}`);
  }
  const d = doc as { syncToken?: string; prefixes?: unknown; ipv6_prefixes?: unknown };
  if (!d || typeof d !== 'object' || !Array.isArray(d.prefixes)) {
    throw new VigilError(`--aws-ip-ranges ${file}: expected AWS ip-ranges.json with a "prefixes" array`);
  }
  const ranges = new AwsIpRanges();
  ranges.syncToken = d.syncToken;
  for (const p of d.prefixes as { ip_prefix?: string; region?: string; service?: string }[]) {
    if (typeof p?.ip_prefix === 'string') ranges.add(p.ip_prefix, p.region ?? '', p.service ?? '');
  }
  for (const p of (Array.isArray(d.ipv6_prefixes) ? d.ipv6_prefixes : []) as {
    ipv6_prefix?: string;
    region?: string;
    service?: string;
  }[]) {
    if (typeof p?.ipv6_prefix === 'string') ranges.add(p.ipv6_prefix, p.region ?? '', p.service ?? '');
  }
  return ranges;
}

export function loadAwsIpRanges(file: string): AwsIpRanges {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError(`--aws-ip-ranges ${file}: cannot read: ${(err as Error).message}`);
  }
  return parseAwsIpRanges(text, file);
}
