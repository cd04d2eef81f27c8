/**
 * The `detect:` section of vigil.yaml, for the config owner to plug into the main schema: the same settings as the
 * `vigil detect` flags, plus detector parameters validated against the detector catalogue.
 */
import { z } from 'zod';
import { ALL_DETECTORS } from './detectors/index.js';

function checkDetectors(value: Record<string, Record<string, unknown>>, ctx: z.RefinementCtx): void {
  for (const [id, params] of Object.entries(value)) {
    const d = ALL_DETECTORS.find((x) => x.meta.id === id);
    if (!d) {
      ctx.addIssue({ code: 'custom', path: [id], message: `unknown detector "${id}" (see docs/detectors.md)` });
      continue;
    }
    for (const [name, v] of Object.entries(params)) {
      const spec = d.meta.params[name];
      if (!spec) {
        ctx.addIssue({ code: 'custom', path: [id, name], message: `detector ${id} has no parameter "${name}"` });
        continue;
      }
      const want = Array.isArray(spec.default) ? 'array' : typeof spec.default;
      const got = Array.isArray(v) ? 'array' : typeof v;
      if (want !== got) ctx.addIssue({ code: 'custom', path: [id, name], message: `must be a ${want}` });
    }
  }
}

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const DURATION = /^\d+[smhd]$/;

/** Output formats of `vigil detect` (`eve`: Suricata EVE JSON alerts of --suricata rules). */
export const DETECT_FORMATS = ['table', 'json', 'jsonl', 'eventbridge', 'ocsf', 'asff', 'eve'] as const;

export const detectConfigSchema = z
  .object({
    format: z.enum(DETECT_FORMATS).default('table').describe('Output format (eve: Suricata EVE JSON alerts).'),
    explain: z.boolean().default(false).describe('Table: print why each finding fired and its records.'),
    showArchived: z.boolean().default(false).describe('Also show findings archived by suppression rules.'),
    source: z
      .string()
      .min(1)
      .default('aws.guardduty')
      .describe('EventBridge source of eventbridge output and --route.'),
    intel: z
      .array(z.string())
      .optional()
      .describe('Threat lists, [category:]path (plain text, OTX or Proofpoint/FireEye CSV).'),
    bundledIntel: z.boolean().default(true).describe('Load the bundled mining-pool, DoH and dynamic-DNS lists.'),
    geoip: z.array(z.string()).optional().describe('MaxMind-format databases added to the bundled country data.'),
    awsIpRanges: z.string().optional().describe("AWS's ip-ranges.json (InstanceCredentialExfiltration.OutsideAWS)."),
    state: z.string().optional().describe('SQLite state file (baselines, findings, open windows).'),
    suppress: z.array(z.string()).optional().describe('Suppression (auto-archive) filter files.'),
    localCidrs: z.array(z.string()).optional().describe('VPC ranges that are "ours" (default: private ranges).'),
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'must be 12 digits')
      .default('000000000000')
      .describe('Account for findings whose records carry none.'),
    lateness: z
      .string()
      .regex(DURATION, 'must be a duration such as 30m, 1h or 2d')
      .default('1h')
      .describe('How late a record may arrive and join its window.'),
    maxKeys: z.number().int().min(1).default(200_000).describe('Entries per detector state table before eviction.'),
    failOn: z.enum(SEVERITIES).optional().describe('Exit 1 at or above this severity.'),
    minSeverity: z.enum(SEVERITIES).optional().describe('Report only at or above.'),
    enabled: z.array(z.string()).optional().describe('Built-in detector ids to run (default: all).'),
    disabled: z.array(z.string()).optional().describe('Built-in detector ids to skip.'),
    builtin: z.boolean().default(true).describe('Run the built-in detectors (false: only Sigma / Suricata rules).'),
    params: z.string().optional().describe('YAML/JSON file of detector id → parameters (merged over detectors).'),
    detectors: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .default({})
      .superRefine(checkDetectors)
      .describe('Parameters per detector id (docs/detectors.md).'),
    sigma: z.array(z.string()).optional().describe('Sigma rule files or directories; matches become findings.'),
    sigmaPlaceholders: z.string().optional().describe('YAML map of placeholder name → values for Sigma expand.'),
    sigmaPipeline: z.array(z.string()).optional().describe('Extra Sigma processing pipelines (YAML).'),
    suricata: z.array(z.string()).optional().describe('Suricata rules files; alerts become findings.'),
    nfwPolicy: z.string().optional().describe('Network Firewall policy JSON/YAML evaluated on the logs.'),
    nfwRuleGroups: z.array(z.string()).optional().describe('Network Firewall rule group JSON/YAML files.'),
    homeNet: z.array(z.string()).optional().describe('HOME_NET CIDRs for Suricata rules (default: RFC 1918).'),
    classification: z
      .string()
      .optional()
      .describe('Suricata classification.config (default: the one beside the first rules file, if any).'),
    route: z.string().optional().describe('Bus config (YAML, bus: section): publish each finding as an event.'),
    eventBusName: z.string().optional().describe('Bus to publish findings on (default: default).'),
    routeTimeout: z
      .string()
      .regex(DURATION, 'must be a duration such as 10s or 2m')
      .default('10s')
      .describe('How long to keep retrying deliveries before reporting them as pending.'),
  })
  .strict();

export type DetectConfig = z.infer<typeof detectConfigSchema>;
