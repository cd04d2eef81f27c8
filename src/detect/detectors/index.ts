/** Every built-in detector, in catalogue order. */
import type { Detector } from '../types.js';
import { anomalousBehavior } from './anomalous.js';
import {
  consoleLoginImpossibleTravel,
  iamMaliciousCaller,
  instanceCredentialExfiltration,
  pentestUserAgent,
  s3MaliciousCaller,
} from './cloudtrail-callers.js';
import {
  blockPublicAccessDisabled,
  bucketPublicGrant,
  cloudTrailLoggingDisabled,
  flowLogsDeleted,
  passwordPolicyChange,
  rootCredentialUsage,
  serverAccessLoggingDisabled,
  unsecuredCredentials,
} from './cloudtrail-rules.js';
import { dgaDomains, dnsExfiltration, dnsThreatIntel, metadataDnsRebind } from './dns.js';
import { dnsEvasion, networkPortUnusual, trafficVolumeUnusual } from './flow-behavior.js';
import { bruteForce } from './flow-bruteforce.js';
import { inboundDdos, outboundDos } from './flow-dos.js';
import { flowThreatIntel } from './flow-intel.js';
import { portProbe, portscan } from './flow-recon.js';
import { cacheBusting, httpRequestFlood } from './http-flood.js';

export const ALL_DETECTORS: Detector[] = [
  cloudTrailLoggingDisabled,
  passwordPolicyChange,
  serverAccessLoggingDisabled,
  flowLogsDeleted,
  rootCredentialUsage,
  blockPublicAccessDisabled,
  bucketPublicGrant,
  unsecuredCredentials,
  pentestUserAgent,
  iamMaliciousCaller,
  instanceCredentialExfiltration,
  consoleLoginImpossibleTravel,
  anomalousBehavior,
  s3MaliciousCaller,
  portscan,
  portProbe,
  bruteForce,
  outboundDos,
  flowThreatIntel,
  networkPortUnusual,
  trafficVolumeUnusual,
  dnsEvasion,
  inboundDdos,
  dnsThreatIntel,
  dnsExfiltration,
  dgaDomains,
  metadataDnsRebind,
  httpRequestFlood,
  cacheBusting,
];

/** Every finding type the detectors can emit (deduplicated, sorted). */
export function allFindingTypes(): string[] {
  return [...new Set(ALL_DETECTORS.flatMap((d) => d.meta.findings.map((f) => f.type)))].sort();
}
