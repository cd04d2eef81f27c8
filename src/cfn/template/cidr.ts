/**
 * Fn::Cidr: `count` consecutive subnets of `cidrBits` host bits carved from the start of `ipBlock`
 * (`!Cidr ["192.168.0.0/24", 6, 5]` → six /27s). BigInt arithmetic so IPv4 and IPv6 share one path.
 */
import ipaddr from 'ipaddr.js';

/** CloudFormation accepts 1–256 subnets per call. */
const MAX_COUNT = 256;

export function cidrSubnets(ipBlock: string, count: number, cidrBits: number): string[] | { error: string } {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(ipBlock);
  } catch {
    return { error: `"${ipBlock}" is not a CIDR block` };
  }
  const [addr, prefix] = parsed;
  const width = addr.kind() === 'ipv4' ? 32 : 128;
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) return { error: `count ${count} is not 1–256` };
  if (!Number.isInteger(cidrBits) || cidrBits < 0 || cidrBits > width) {
    return { error: `cidrBits ${cidrBits} is not 0–${width}` };
  }
  const newPrefix = width - cidrBits;
  if (newPrefix < prefix) return { error: `cidrBits ${cidrBits} leaves a /${newPrefix}, larger than ${ipBlock}` };
  if (BigInt(count) > 1n << BigInt(newPrefix - prefix)) {
    return {
      error: `${ipBlock} holds only ${1n << BigInt(newPrefix - prefix)} subnets of /${newPrefix}, ${count} asked`,
    };
  }
  let base = 0n;
  for (const b of addr.toByteArray()) base = (base << 8n) | BigInt(b);
  const hostBits = BigInt(width - prefix);
  base = (base >> hostBits) << hostBits; // network address of the block
  const step = 1n << BigInt(cidrBits);
  const bytes = width / 8;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let v = base + BigInt(i) * step;
    const arr = new Array<number>(bytes);
    for (let j = bytes - 1; j >= 0; j--) {
      arr[j] = Number(v & 0xffn);
      v >>= 8n;
    }
    out.push(`${ipaddr.fromByteArray(arr).toString()}/${newPrefix}`);
  }
  return out;
}
