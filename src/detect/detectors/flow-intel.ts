/**
 * Flow-log traffic with listed addresses: mining pools (or Stratum ports), Tor, command-and-control servers,
 * sinkholes, drop points and the user's own threat lists.
 */
import type { IntelHit } from '../intel.js';
import type { Detector } from '../types.js';
import { flowEvidence, flowResource, intelDetails, networkAction, remoteIntel } from './util.js';

const TOR_RELAY_PORTS = new Set([9001, 9030, 9050, 9051]);

export const flowThreatIntel: Detector = {
  meta: {
    id: 'ec2-threat-list-traffic',
    title: 'Traffic with mining pools, Tor, C&C servers and listed addresses',
    dataSources: ['vpcflow'],
    kind: 'stateless',
    trigger:
      'An accepted flow whose remote address is on a threat list: mining → BitcoinTool.B (also outbound traffic to a Stratum port when stratumPorts is set), tor outbound → TorClient, tor inbound to a relay port (9001/9030) → TorRelay, c2 → C&CActivity.B, blackhole → BlackholeTraffic, droppoint → DropPoint, custom/feed → MaliciousIPCaller.Custom.',
    params: {
      stratumPorts: {
        default: [3333, 3334, 4444, 5555, 7777, 14433, 14444, 45700],
        description: 'outbound ports treated as mining (Stratum) traffic; [] to rely on lists only',
      },
      minBytes: { default: 0, description: 'ignore flows smaller than this many bytes' },
    },
    needs: ['intel'],
    findings: [
      {
        type: 'CryptoCurrency:EC2/BitcoinTool.B',
        severity: 8,
        mitre: { tactic: 'Impact', technique: 'T1496', name: 'Resource Hijacking' },
      },
      {
        type: 'UnauthorizedAccess:EC2/TorClient',
        severity: 8,
        mitre: { tactic: 'Command and Control', technique: 'T1090.003', name: 'Proxy: Multi-hop Proxy' },
      },
      {
        type: 'UnauthorizedAccess:EC2/TorRelay',
        severity: 8,
        mitre: { tactic: 'Command and Control', technique: 'T1090.003', name: 'Proxy: Multi-hop Proxy' },
      },
      {
        type: 'Backdoor:EC2/C&CActivity.B',
        severity: 8,
        mitre: { tactic: 'Command and Control', technique: 'T1071', name: 'Application Layer Protocol' },
      },
      {
        type: 'Trojan:EC2/BlackholeTraffic',
        severity: 5,
        mitre: { tactic: 'Command and Control', technique: 'T1071', name: 'Application Layer Protocol' },
      },
      {
        type: 'Trojan:EC2/DropPoint',
        severity: 5,
        mitre: { tactic: 'Exfiltration', technique: 'T1041', name: 'Exfiltration Over C2 Channel' },
      },
      {
        type: 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom',
        severity: 5,
        mitre: { tactic: 'Command and Control', technique: 'T1071', name: 'Application Layer Protocol' },
      },
    ],
  },
  flowDirections: ['INBOUND', 'OUTBOUND'],
  create(ctx) {
    const stratum = new Set(ctx.params.stratumPorts as number[]);
    const minBytes = ctx.params.minBytes as number;
    return {
      onFlow(v) {
        if (v.nonInstance || !v.accepted || v.bytes < minBytes) return;
        if (v.direction !== 'INBOUND' && v.direction !== 'OUTBOUND') return;
        const hits = remoteIntel(v, ctx.intel);
        let type: string | undefined;
        let severity = 8;
        let hit: IntelHit | undefined;
        let why = '';
        const localIsClient = v.localPort > v.remotePort;
        if (hits) {
          for (const h of hits) {
            if (h.category === 'doh' || h.category === 'scanner') continue;
            hit = h;
            break;
          }
        }
        if (hit) {
          why = `remote ${v.remoteIp} matches ${hit.entry} in "${hit.list}" (category ${hit.category})`;
          switch (hit.category) {
            case 'mining':
              type = 'CryptoCurrency:EC2/BitcoinTool.B';
              break;
            case 'tor':
              if (v.direction === 'INBOUND' && TOR_RELAY_PORTS.has(v.localPort))
                type = 'UnauthorizedAccess:EC2/TorRelay';
              else if (localIsClient) type = 'UnauthorizedAccess:EC2/TorClient';
              break;
            case 'c2':
              type = 'Backdoor:EC2/C&CActivity.B';
              break;
            case 'blackhole':
              type = 'Trojan:EC2/BlackholeTraffic';
              severity = 5;
              break;
            case 'droppoint':
              type = 'Trojan:EC2/DropPoint';
              severity = 5;
              break;
            default:
              type = 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom';
              severity = 5;
          }
        } else if (localIsClient && stratum.has(v.remotePort) && v.proto === 6) {
          type = 'CryptoCurrency:EC2/BitcoinTool.B';
          why = `outbound TCP to remote port ${v.remotePort}, a Stratum mining port (stratumPorts)`;
        }
        if (!type) return;
        const actor = type !== 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom' || localIsClient;
        ctx.emit({
          type,
          severity,
          key: `${v.entity}|${v.remoteIp}`,
          time: v.time,
          title: `${v.entity} is communicating with ${v.remoteIp}${hit ? ` (${hit.threatName})` : ''}`,
          description: `${v.entity} (${v.localIp}) exchanged ${v.bytes} bytes with ${v.remoteIp}:${v.remotePort}; ${why}.`,
          resource: flowResource(v),
          action: networkAction(v, ctx.geo),
          resourceRole: actor ? 'ACTOR' : 'TARGET',
          ...(hits && hit ? { threatIntelligenceDetails: intelDetails(hits.filter((h) => h.category !== 'doh')) } : {}),
          reason: why,
          evidence: flowEvidence(v),
          origins: [v.origin],
        });
      },
    };
  },
};
