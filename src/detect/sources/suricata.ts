/**
 * Suricata / Network Firewall rules as a detector: each record becomes the observations Vigil can derive from it
 * (flows, DNS queries, HTTP requests, TLS SNI), the firewall decides on each, and every alert becomes a finding.
 * Finding type `Suricata:<Flow|DNS|HTTP|TLS>/sid-<sid>`; severity from the rule's Suricata priority.
 */
import { basename } from 'node:path';
import type { LogType } from '../../ingest/types.js';
import type { AlertHit, Decision } from '../../netfw/evaluate.js';
import { decide } from '../../netfw/evaluate.js';
import { alertPriority, type Classification, type EveOptions, eveAlert } from '../../netfw/eve.js';
import { type Observation, observationsOf } from '../../netfw/observe.js';
import type { FirewallSetup } from '../../netfw/setup.js';
import type { Detector, DetectorContext, DetectorInstance } from '../types.js';
import { recordContext } from './context.js';

/** Log types observationsOf derives observations from. */
export const SURICATA_LOG_TYPES: LogType[] = ['vpcflow', 'route53resolver', 'alb', 'cloudfront', 'waf'];

/** Suricata priority 1 (highest) … 4 to GuardDuty's numeric bands: 1 → High 8, 2 → Medium 5, 3 → Low 2, 4+ → 1. */
export function prioritySeverity(priority: number): number {
  if (priority <= 1) return 8;
  if (priority === 2) return 5;
  if (priority === 3) return 2;
  return 1;
}

const KIND_LABEL: Record<Observation['kind'], string> = { flow: 'Flow', dns: 'DNS', http: 'HTTP', tls: 'TLS' };

export function describeObservation(o: Observation): string {
  const ep = (ip?: string, port?: number) => `${ip ?? '?'}${port !== undefined ? `:${port}` : ''}`;
  const flow = `${ep(o.src, o.srcPort)} -> ${ep(o.dst, o.dstPort)}`;
  switch (o.kind) {
    case 'dns':
      return `DNS query ${o.query} from ${ep(o.src)}`;
    case 'tls':
      return `TLS SNI ${o.sni} ${flow}`;
    case 'http':
      return `HTTP ${o.method ?? '?'} ${o.host ?? ''}${o.uri ?? ''} from ${ep(o.src)}`;
    default:
      return `flow proto ${o.proto ?? '?'} ${flow}${o.tcpFlags !== undefined ? ` tcp-flags ${o.tcpFlags}` : ''}`;
  }
}

export interface SuricataSourceOptions {
  firewall: FirewallSetup;
  classes: ReadonlyMap<string, Classification>;
  /** Called with every alert as an NFW-wrapped EVE event (for `--format eve`). */
  onEve?(event: Record<string, unknown>): void;
  eve?: EveOptions;
}

export interface SuricataStats {
  observations: number;
  alerts: number;
  verdicts: Record<Decision['verdict'], number>;
}

/** The detector plus counters the CLI reports. */
export function suricataDetector(o: SuricataSourceOptions): { detector: Detector; stats: SuricataStats } {
  const stats: SuricataStats = { observations: 0, alerts: 0, verdicts: { pass: 0, drop: 0, reject: 0, alert: 0 } };
  const policy = o.firewall.policy;
  const detector: Detector = {
    meta: {
      id: 'suricata',
      title: 'Suricata / Network Firewall rules (--suricata, --nfw-policy)',
      dataSources: SURICATA_LOG_TYPES,
      kind: 'stateless',
      trigger: 'a rule alerts on a flow, DNS query, HTTP request or TLS SNI derived from the record',
      params: {},
      findings: [],
    },
    create(ctx: DetectorContext): DetectorInstance {
      return {
        onRecord(r) {
          const obs = observationsOf(r);
          for (const ob of obs) {
            stats.observations++;
            const d = decide(policy, ob);
            stats.verdicts[d.verdict]++;
            if (d.alerts.length === 0) continue;
            const rc = recordContext(r, ctx.geo, ctx.net);
            for (const hit of d.alerts) {
              stats.alerts++;
              if (o.onEve) o.onEve(eveAlert(ob, hit, d, o.classes, o.eve));
              emitAlert(ctx, o.classes, ob, hit, d, rc);
            }
          }
        },
      };
    },
  };
  return { detector, stats };
}

function emitAlert(
  ctx: DetectorContext,
  classes: ReadonlyMap<string, Classification>,
  ob: Observation,
  hit: AlertHit,
  d: Decision,
  rc: ReturnType<typeof recordContext>,
): void {
  const priority = alertPriority(hit, classes);
  const category = hit.classtype ? classes.get(hit.classtype)?.description : undefined;
  const { origin, logType, time, ...observation } = ob;
  const what = describeObservation(ob);
  ctx.emit({
    type: `Suricata:${KIND_LABEL[ob.kind]}/sid-${hit.sid}`,
    severity: prioritySeverity(priority),
    // The group is part of the identity (NFW-generated domain-list rules reuse sids 1, 2, 3 in every group); a rules
    // file counts by its name so that moving it keeps finding ids stable.
    key: `${basename(hit.group)}|${hit.sid}|${rc.entity}`,
    time,
    title: hit.msg || `Suricata sid ${hit.sid}`,
    description: `Suricata rule sid ${hit.sid} (${hit.group}) alerted on ${what}: ${hit.msg}.`,
    resource: rc.resource,
    action: rc.action,
    resourceRole: rc.resourceRole,
    additionalInfo: {
      suricata: {
        sid: hit.sid,
        rev: hit.rev,
        ...(hit.classtype ? { classtype: hit.classtype } : {}),
        priority,
        ...(hit.attack ? { attack: hit.attack } : {}),
      },
    },
    reason:
      `rule sid ${hit.sid} rev ${hit.rev} "${hit.msg}" (${hit.action}, ${hit.group}) matched ${what}; ` +
      `policy verdict ${d.verdict} (${d.decidedBy}); priority ${priority}` +
      `${hit.priority !== undefined ? ' (priority keyword)' : hit.classtype ? ` (classtype ${hit.classtype})` : ' (default)'}`,
    evidence: {
      suricata: {
        sid: hit.sid,
        rev: hit.rev,
        msg: hit.msg,
        action: hit.action,
        group: hit.group,
        ...(hit.classtype ? { classtype: hit.classtype } : {}),
        ...(category ? { category } : {}),
        priority,
      },
      verdict: d.verdict,
      decidedBy: d.decidedBy,
      observation: { logType, ...observation },
      ...(d.unknown.length > 0 ? { notInLog: d.unknown } : {}),
    },
    origins: [origin],
  });
}
