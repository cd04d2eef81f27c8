/**
 * Suricata EVE JSON alerts for the decisions Vigil makes on log observations, wrapped as AWS Network Firewall writes
 * its alert logs (netfw.md §10: `{firewall_name, availability_zone, event_timestamp, event:{…}}`), so tools that read
 * NFW alert logs read Vigil's. Severity and category come from Suricata's classification.config
 * (`config classification: shortname,description,priority`); a rule's own `priority` keyword wins.
 */
import { createHash } from 'node:crypto';
import type { AlertHit, Decision } from './evaluate.js';
import type { Observation } from './observe.js';

export interface Classification {
  description: string;
  priority: number;
}

export interface ClassificationIssue {
  file: string;
  line: number;
  reason: string;
}

/** Parse classification.config; malformed lines are reported, never thrown. */
export function parseClassification(
  text: string,
  file: string,
): { classes: Map<string, Classification>; issues: ClassificationIssue[] } {
  const classes = new Map<string, Classification>();
  const issues: ClassificationIssue[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^config\s+classification\s*:\s*([^,]+),([^,]*),\s*(\d+)\s*$/.exec(line);
    if (!m) {
      issues.push({ file, line: i + 1, reason: 'expected "config classification: shortname,description,priority"' });
      continue;
    }
    classes.set(m[1]!.trim(), { description: m[2]!.trim(), priority: Number(m[3]) });
  }
  return { classes, issues };
}

/** Suricata's rule priority: the `priority` keyword, else the classtype's, else 3 (Suricata's default). */
export function alertPriority(hit: AlertHit, classes: ReadonlyMap<string, Classification>): number {
  if (hit.priority !== undefined) return hit.priority;
  const c = hit.classtype ? classes.get(hit.classtype) : undefined;
  return c?.priority ?? 3;
}

const PROTO: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'IPv6-ICMP', 47: 'GRE', 50: 'ESP' };

/** `2026-11-01T00:05:00.000000+0000`, Suricata's timestamp form. */
export function eveTimestamp(ms: number): string {
  const iso = new Date(Number.isFinite(ms) ? ms : 0).toISOString();
  return `${iso.slice(0, 23)}000+0000`;
}

/**
 * A flow id stable for the same observation (Suricata's is a per-run hash of the flow; Vigil hashes the 5-tuple and
 * the record it came from so re-runs give the same id). 52 bits keep it a safe JSON integer.
 */
export function flowId(o: Observation): number {
  const h = createHash('sha256')
    .update(`${o.src}|${o.srcPort}|${o.dst}|${o.dstPort}|${o.proto}|${o.origin.file}|${o.origin.line}`)
    .digest();
  return h.readUIntBE(0, 6) * 16 + (h[6]! >> 4);
}

export interface EveOptions {
  firewallName?: string;
  availabilityZone?: string;
}

/** One NFW-wrapped EVE alert for an alert hit of a decision. */
export function eveAlert(
  o: Observation,
  hit: AlertHit,
  d: Decision,
  classes: ReadonlyMap<string, Classification>,
  opts: EveOptions = {},
): Record<string, unknown> {
  const blocked =
    (hit.action === 'drop' || hit.action === 'reject') && (d.verdict === 'drop' || d.verdict === 'reject');
  const event: Record<string, unknown> = {
    timestamp: eveTimestamp(o.time),
    flow_id: flowId(o),
    event_type: 'alert',
    ...(o.src !== undefined ? { src_ip: o.src } : {}),
    ...(o.srcPort !== undefined ? { src_port: o.srcPort } : {}),
    ...(o.dst !== undefined ? { dest_ip: o.dst } : {}),
    ...(o.dstPort !== undefined ? { dest_port: o.dstPort } : {}),
    ...(o.proto !== undefined ? { proto: PROTO[o.proto] ?? String(o.proto) } : {}),
    ...(o.kind !== 'flow' ? { app_proto: o.kind } : {}),
    alert: {
      action: blocked ? 'blocked' : 'allowed',
      gid: 1,
      signature_id: hit.sid,
      rev: hit.rev,
      signature: hit.msg,
      category: (hit.classtype ? classes.get(hit.classtype)?.description : undefined) ?? '',
      severity: alertPriority(hit, classes),
    },
  };
  switch (o.kind) {
    case 'dns':
      event.dns = { query: [{ type: 'query', rrname: o.query, ...(o.qtype ? { rrtype: o.qtype } : {}) }] };
      break;
    case 'http':
      event.http = {
        ...(o.host !== undefined ? { hostname: o.host } : {}),
        ...(o.uri !== undefined ? { url: o.uri } : {}),
        ...(o.userAgent !== undefined ? { http_user_agent: o.userAgent } : {}),
        ...(o.method !== undefined ? { http_method: o.method } : {}),
      };
      break;
    case 'tls':
      event.tls = { sni: o.sni };
      break;
    case 'flow':
      event.flow = {
        ...(o.packets !== undefined ? { pkts_toserver: o.packets } : {}),
        ...(o.bytes !== undefined ? { bytes_toserver: o.bytes } : {}),
      };
      break;
  }
  // Not part of EVE: where the observation came from and what decided, so every alert stays explainable.
  event.vigil = { log: { type: o.logType, ...o.origin }, verdict: d.verdict, decidedBy: d.decidedBy, group: hit.group };
  return {
    firewall_name: opts.firewallName ?? 'vigil',
    availability_zone: opts.availabilityZone ?? '',
    event_timestamp: String(Math.floor((Number.isFinite(o.time) ? o.time : 0) / 1000)),
    event,
  };
}
