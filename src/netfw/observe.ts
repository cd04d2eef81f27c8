/**
 * Observations Vigil can derive from logs (issue 13 §3): flows (VPC Flow), DNS queries (Route 53 Resolver),
 * HTTP requests (ALB, CloudFront, WAF) and TLS SNI (ALB `domain_name`). Fields a log lacks stay undefined.
 */
import type { LogRecord } from '../ingest/types.js';

interface Base {
  time: number;
  src?: string;
  srcPort?: number;
  dst?: string;
  dstPort?: number;
  /** IANA protocol number. */
  proto?: number;
  origin: { file: string; line: number };
  logType: string;
}

export type Observation =
  | (Base & { kind: 'flow'; tcpFlags?: number; bytes?: number; packets?: number })
  | (Base & { kind: 'dns'; query: string; qtype?: string })
  | (Base & { kind: 'http'; host?: string; method?: string; uri?: string; userAgent?: string })
  | (Base & { kind: 'tls'; sni: string });

const n = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v !== '-' ? v : undefined);

function hostPort(v: unknown): { ip?: string; port?: number } {
  const t = s(v);
  if (!t) return {};
  const i = t.lastIndexOf(':');
  if (i < 0 || t.includes('[')) return { ip: t.replace(/^\[|\]$/g, '') };
  const ip = t.slice(0, i);
  const port = n(t.slice(i + 1));
  return { ip, ...(port !== undefined ? { port } : {}) };
}

/** Text as Suricata sees it on the wire: UTF-8 bytes as a latin1 string. */
export function wire(text: string): string {
  return /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

function dec(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/**
 * Observations of one record, each with one fixed property order per kind (absent fields are undefined, which
 * every consumer treats as absent). Objects built by spreading get a hidden class of their own in V8, which made
 * every field read in `decide()` megamorphic (about 25× slower per read).
 */
export function observationsOf(r: LogRecord): Observation[] {
  const out = rawObservations(r);
  for (let i = 0; i < out.length; i++) out[i] = withStableShape(out[i] as Observation);
  return out;
}

/** `o` rebuilt as one object literal per kind (see `observationsOf`). */
export function withStableShape(o: Observation): Observation {
  const { time, origin, logType, src, srcPort, dst, dstPort, proto } = o;
  switch (o.kind) {
    case 'flow':
      return {
        kind: 'flow',
        time,
        origin,
        logType,
        src,
        srcPort,
        dst,
        dstPort,
        proto,
        tcpFlags: o.tcpFlags,
        bytes: o.bytes,
        packets: o.packets,
      };
    case 'dns':
      return { kind: 'dns', time, origin, logType, src, srcPort, dst, dstPort, proto, query: o.query, qtype: o.qtype };
    case 'http':
      return {
        kind: 'http',
        time,
        origin,
        logType,
        src,
        srcPort,
        dst,
        dstPort,
        proto,
        host: o.host,
        method: o.method,
        uri: o.uri,
        userAgent: o.userAgent,
      };
    case 'tls':
      return { kind: 'tls', time, origin, logType, src, srcPort, dst, dstPort, proto, sni: o.sni };
  }
}

function rawObservations(r: LogRecord): Observation[] {
  const f = r.fields;
  const base = { time: r.time, origin: { file: r.origin.file, line: r.origin.line }, logType: r.type };
  switch (r.type) {
    case 'vpcflow': {
      const src = s(f.srcaddr);
      const dst = s(f.dstaddr);
      if (!src || !dst) return [];
      return [
        {
          ...base,
          kind: 'flow',
          src,
          dst,
          ...opt('srcPort', n(f.srcport)),
          ...opt('dstPort', n(f.dstport)),
          ...opt('proto', n(f.protocol)),
          ...opt('tcpFlags', n(f['tcp-flags'])),
          ...opt('bytes', n(f.bytes)),
          ...opt('packets', n(f.packets)),
        },
      ];
    }
    case 'route53resolver': {
      const q = s(f.query_name);
      if (!q) return [];
      return [
        {
          ...base,
          kind: 'dns',
          query: wire(q.replace(/\.$/, '')),
          ...opt('src', s(f.srcaddr)),
          ...opt('srcPort', n(f.srcport)),
          ...opt('qtype', s(f.query_type)),
          proto: 17,
          dstPort: 53,
        },
      ];
    }
    case 'alb': {
      const c = hostPort(f['client:port']);
      const req = s(f.request);
      const out: Observation[] = [];
      const hb = { ...base, ...opt('src', c.ip), ...opt('srcPort', c.port), proto: 6 };
      if (req) {
        // "METHOD URL PROTOCOL"; the URL may hold spaces (ALB logs malformed requests as written) and a
        // malformed request has "-" for the method.
        const sp = req.indexOf(' ');
        const method = sp > 0 ? req.slice(0, sp) : req;
        let url = sp > 0 ? req.slice(sp + 1) : '';
        const proto = / HTTP\/[\d.]+$/.exec(url);
        if (proto) url = url.slice(0, proto.index);
        url = url.trim();
        let host: string | undefined;
        let uri = url;
        let dstPort: number | undefined;
        const u = /^[a-z]+:\/\/([^/:\s]+)(?::(\d+))?(.*)$/is.exec(url);
        if (u) {
          host = u[1]?.toLowerCase();
          dstPort = u[2] ? Number(u[2]) : undefined;
          uri = u[3] || '/';
        }
        const ua = s(f.user_agent);
        out.push({
          ...hb,
          kind: 'http',
          ...opt('method', method !== '-' ? method : undefined),
          uri: wire(uri),
          ...opt('host', host),
          ...opt('dstPort', dstPort),
          ...opt('userAgent', ua && wire(ua)),
        });
      }
      const sni = s(f.domain_name);
      if (sni) out.push({ ...hb, kind: 'tls', sni: wire(sni.toLowerCase()), dstPort: 443 });
      return out;
    }
    case 'cloudfront': {
      const q = s(f['cs-uri-query']);
      const stem = s(f['cs-uri-stem']) ?? '/';
      const ua = dec(s(f['cs(User-Agent)']));
      return [
        {
          ...base,
          kind: 'http',
          ...opt('src', s(f['c-ip'])),
          ...opt('srcPort', n(f['c-port'])),
          proto: 6,
          ...opt('method', s(f['cs-method'])),
          uri: wire(q ? `${stem}?${q}` : stem),
          ...opt('host', s(f['x-host-header'])?.toLowerCase()),
          ...opt('userAgent', ua && wire(ua)),
        },
      ];
    }
    case 'waf': {
      const h = (f.httpRequest ?? {}) as Record<string, unknown>;
      const headers = Array.isArray(h.headers) ? (h.headers as { name?: string; value?: string }[]) : [];
      const header = (name: string) => headers.find((x) => x.name?.toLowerCase() === name)?.value;
      const args = s(h.args);
      const uri = s(h.uri) ?? '/';
      return [
        {
          ...base,
          kind: 'http',
          ...opt('src', s(h.clientIp)),
          proto: 6,
          ...opt('method', s(h.httpMethod)),
          uri: wire(args ? `${uri}?${args}` : uri),
          ...opt('host', (header('host') ?? s(h.host))?.toLowerCase()),
          ...opt('userAgent', header('user-agent') && wire(header('user-agent') as string)),
        },
      ];
    }
    default:
      return [];
  }
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}
