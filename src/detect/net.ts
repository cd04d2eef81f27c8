/**
 * Which addresses are "ours". Flow logs are captured on our ENIs, so one side of every record is local; GuardDuty
 * knows the ENI's addresses, Vigil infers them: configured VPC CIDRs when given, else private (RFC 1918, CGNAT)
 * addresses. The `flow-direction` field (v5) overrides both when present.
 */
import { ipv4ToInt, isPrivateV4, maskOf } from '../core/ipv4.js';

export class NetContext {
  private readonly nets: { net: number; mask: number }[] = [];

  constructor(localCidrs: string[] = []) {
    for (const c of localCidrs) {
      const [base, bits] = c.split('/');
      const n = ipv4ToInt(base ?? '');
      const b = bits === undefined ? 32 : Number(bits);
      if (n >= 0 && Number.isInteger(b) && b >= 0 && b <= 32)
        this.nets.push({ net: (n & maskOf(b)) >>> 0, mask: maskOf(b) });
    }
  }

  /** True when the address is inside the configured VPC ranges (or private, when none are configured). */
  isLocal(ip: string): boolean {
    const n = ipv4ToInt(ip);
    if (n < 0) {
      const l = ip.toLowerCase();
      return l.startsWith('fd') || l.startsWith('fc') || l.startsWith('fe8');
    }
    return this.isLocalV4(n);
  }

  /** `isLocal` for an address already converted with `ipv4ToInt` (flow records convert each address once). */
  isLocalV4(n: number): boolean {
    const nets = this.nets;
    if (nets.length === 0) return isPrivateV4(n);
    for (let i = 0; i < nets.length; i++) if ((n & nets[i]!.mask) >>> 0 === nets[i]!.net) return true;
    return false;
  }
}
