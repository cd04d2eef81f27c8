/**
 * VPC flow reconnaissance: outbound port scans and sweeps by our instances, and inbound probes of our open ports.
 * Only the request direction of a flow is counted (a record whose destination is the scanned side), so the replies
 * recorded on the same ENI do not double the counts.
 */
import { localIpDetails, portDetails, remoteIpDetails } from '../finding.js';
import type { Detector } from '../types.js';
import { flowTables } from './entity.js';
import { addTo, countOf, keep, pairOf, valuesOf } from './pair.js';
import { flowEvidence, flowResource, networkAction, remoteIntel } from './util.js';
import { addOrigin, sample, type Win, windowAt } from './window.js';

export const portscan: Detector = {
  meta: {
    id: 'ec2-portscan',
    title: 'Outbound port scan / port sweep from an instance',
    dataSources: ['vpcflow'],
    kind: 'windowed',
    trigger:
      'Portscan: one local instance sends short requests (at most maxPacketsPerProbe packets) to at least minPorts distinct ports of one remote host within windowMinutes. PortSweep: one instance sends such requests to one port on at least minHosts distinct public addresses within windowMinutes.',
    params: {
      windowMinutes: { default: 5, description: 'event-time window' },
      minPorts: { default: 25, description: 'distinct destination ports on one remote host (Portscan)' },
      minHosts: { default: 25, description: 'distinct public destination addresses on one port (PortSweep)' },
      maxPacketsPerProbe: {
        default: 3,
        description: 'only short flows count as probes (a connection that exchanges data is not a scan)',
      },
    },
    findings: [
      {
        type: 'Recon:EC2/Portscan',
        severity: 5,
        mitre: { tactic: 'Discovery', technique: 'T1046', name: 'Network Service Discovery' },
      },
      {
        type: 'Impact:EC2/PortSweep',
        severity: 8,
        mitre: { tactic: 'Discovery', technique: 'T1046', name: 'Network Service Discovery' },
      },
    ],
  },
  flowDirections: ['OUTBOUND'],
  create(ctx) {
    const sweeps = ctx.windows.create<Win>('sweep');
    const tables = flowTables(ctx);
    const windowMs = (ctx.params.windowMinutes as number) * 60_000;
    const minPorts = ctx.params.minPorts as number;
    const minHosts = ctx.params.minHosts as number;
    const maxPk = ctx.params.maxPacketsPerProbe as number;
    return {
      onFlow(v) {
        if (v.nonInstance || v.direction !== 'OUTBOUND' || (v.proto !== 6 && v.proto !== 17)) return;
        // Requests only: the local side is the client (ephemeral port above the service port), not a reply.
        if (v.localPort <= v.remotePort || v.packets > maxPk) return;
        if (Number.isNaN(v.time)) return;
        const p = pairOf(tables, v);
        const t = v.time;
        if (t - p.sStart >= windowMs) {
          p.sStart = t;
          p.sFired = 0;
          p.sPorts = -1;
          p.sO = undefined;
        } else if (t < p.sStart) p.sStart = t;
        const before = countOf(p.sPorts);
        p.sPorts = addTo(p.sPorts, v.dstPort);
        const ports = countOf(p.sPorts);
        if (ports > before) p.sO = keep(p.sO, v.origin);
        if (p.sFired === 0 && ports >= minPorts) {
          p.sFired = 1;
          ctx.emit({
            type: 'Recon:EC2/Portscan',
            severity: 5,
            key: `${v.entity}|${v.remoteIp}`,
            time: p.sStart,
            lastTime: t,
            title: `${v.entity} is performing outbound port scans against ${v.remoteIp}`,
            description: `${v.entity} (${v.localIp}) sent requests to ${ports} distinct ports of ${v.remoteIp} within ${ctx.params.windowMinutes} minutes.`,
            resource: flowResource(v),
            action: networkAction(v, ctx.geo),
            resourceRole: 'ACTOR',
            reason: `${ports} distinct destination ports ≥ minPorts ${minPorts} within ${ctx.params.windowMinutes} min`,
            evidence: flowEvidence(v, { distinctPorts: ports, ports: valuesOf(p.sPorts).slice(0, 25) }),
            thresholds: { minPorts, windowMinutes: ctx.params.windowMinutes! },
            origins: [...(p.sO ?? [])],
          });
        }
        if (!v.remotePublic) return;
        const s = windowAt(sweeps, `${v.entity}|${v.proto}|${v.dstPort}`, v.time, windowMs);
        s.distinct.add(v.remoteIp);
        addOrigin(s, v.origin);
        if (s.fired === 0 && s.distinct.size >= minHosts) {
          s.fired++;
          ctx.emit({
            type: 'Impact:EC2/PortSweep',
            severity: 8,
            key: `${v.entity}|${v.proto}|${v.dstPort}`,
            time: s.start,
            lastTime: s.last,
            title: `${v.entity} is probing port ${v.dstPort} on many hosts`,
            description: `${v.entity} (${v.localIp}) sent requests to port ${v.dstPort} of ${s.distinct.size} distinct public addresses within ${ctx.params.windowMinutes} minutes.`,
            resource: flowResource(v),
            action: networkAction(v, ctx.geo),
            resourceRole: 'ACTOR',
            reason: `${s.distinct.size} distinct public destinations on port ${v.dstPort} ≥ minHosts ${minHosts} within ${ctx.params.windowMinutes} min`,
            evidence: flowEvidence(v, { distinctHosts: s.distinct.size, hosts: sample(s.distinct) }),
            thresholds: { minHosts, windowMinutes: ctx.params.windowMinutes! },
            origins: [...s.origins],
          });
        }
      },
    };
  },
};

const EMR_PORTS = new Set([8088, 8042, 19888, 50070, 50075, 8890, 8998]);

export const portProbe: Detector = {
  meta: {
    id: 'ec2-port-probe',
    title: 'Unprotected port of an instance probed',
    dataSources: ['vpcflow'],
    kind: 'windowed',
    trigger:
      'An accepted inbound request to a local port from a remote address that is probing: it is on a scanner/threat list, or it sent requests to at least minPorts distinct local ports of the instance within windowMinutes (a scan that found the port open).',
    params: {
      windowMinutes: { default: 10, description: 'event-time window' },
      minPorts: { default: 10, description: 'distinct local ports one remote must touch to count as a scanner' },
      highPorts: { default: [9200, 9300], description: 'ports whose probing is High (Elasticsearch)' },
    },
    needs: ['intel'],
    findings: [
      {
        type: 'Recon:EC2/PortProbeUnprotectedPort',
        severity: 2,
        severityNote: 'High (8) when the probed port is 9200 or 9300 (Elasticsearch)',
        mitre: { tactic: 'Discovery', technique: 'T1046', name: 'Network Service Discovery' },
      },
      {
        type: 'Recon:EC2/PortProbeEMRUnprotectedPort',
        severity: 8,
        trigger: 'As above on an EMR port (8088 YARN, 8042, 19888, 50070, 50075, 8890, 8998).',
        mitre: { tactic: 'Discovery', technique: 'T1046', name: 'Network Service Discovery' },
      },
    ],
  },
  flowDirections: ['INBOUND'],
  create(ctx) {
    const windowMs = (ctx.params.windowMinutes as number) * 60_000;
    const minPorts = ctx.params.minPorts as number;
    const high = new Set(ctx.params.highPorts as number[]);
    const tables = flowTables(ctx);
    return {
      onFlow(v) {
        if (v.nonInstance || v.direction !== 'INBOUND' || (v.proto !== 6 && v.proto !== 17)) return;
        if (Number.isNaN(v.time)) return;
        const p = pairOf(tables, v);
        const t = v.time;
        if (t - p.pStart >= windowMs) {
          p.pStart = t;
          p.pFired = 0;
          p.pPorts = -1;
          p.pOpen = undefined;
          p.pO = undefined;
        } else if (t < p.pStart) p.pStart = t;
        p.pPorts = addTo(p.pPorts, v.localPort);
        if (v.accepted) {
          if (p.pOpen === undefined) p.pOpen = new Set();
          p.pOpen.add(v.localPort);
          p.pO = keep(p.pO, v.origin, 40); // accepted probes are the evidence that matters: keep room for them
        } else p.pO = keep(p.pO, v.origin);
        const probed = countOf(p.pPorts);
        const listed = remoteIntel(v, ctx.intel)?.find(
          (h) => h.category === 'scanner' || h.category === 'malicious' || h.category === 'custom',
        );
        const scanning = probed >= minPorts;
        if ((!scanning && !listed) || p.pOpen === undefined) return;
        // Report each open port once per window.
        const reported = p.pFired;
        const open = [...p.pOpen];
        if (open.length <= reported) return;
        p.pFired = open.length;
        for (const port of open.slice(reported)) {
          const emr = EMR_PORTS.has(port as number);
          const severity = emr || high.has(port as number) ? 8 : 2;
          ctx.emit({
            type: emr ? 'Recon:EC2/PortProbeEMRUnprotectedPort' : 'Recon:EC2/PortProbeUnprotectedPort',
            severity,
            key: `${v.entity}|${port}`,
            time: p.pStart,
            lastTime: t,
            title: `Unprotected port on ${v.entity} is being probed`,
            description: `Port ${port} of ${v.entity} (${v.localIp}) is open to ${v.remoteIp}, which is ${listed ? `listed in ${listed.list}` : `scanning (${probed} distinct ports)`}.`,
            resource: flowResource(v),
            action: {
              actionType: 'PORT_PROBE',
              portProbeAction: {
                blocked: false,
                portProbeDetails: [
                  {
                    localPortDetails: portDetails(port as number),
                    localIpDetails: localIpDetails(v.localIp),
                    remoteIpDetails: remoteIpDetails(v.remoteIp, ctx.geo),
                  },
                ],
              },
            },
            resourceRole: 'TARGET',
            ...(listed
              ? { threatIntelligenceDetails: [{ threatListName: listed.list, threatNames: [listed.threatName] }] }
              : {}),
            reason: listed
              ? `accepted inbound to port ${port} from ${v.remoteIp}, listed in "${listed.list}" (${listed.entry})`
              : `accepted inbound to port ${port} from ${v.remoteIp}, which touched ${probed} distinct local ports ≥ minPorts ${minPorts} within ${ctx.params.windowMinutes} min`,
            evidence: flowEvidence(v, {
              probedPorts: valuesOf(p.pPorts).slice(0, 25),
              openPorts: [...p.pOpen].sort((a, b) => a - b),
              port,
            }),
            thresholds: { minPorts, windowMinutes: ctx.params.windowMinutes! },
            origins: [...(p.pO ?? [])],
          });
        }
      },
    };
  },
};
