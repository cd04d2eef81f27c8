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

export const detectConfigSchema = z
  .object({
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
      .regex(/^\d{12}$/)
      .optional()
      .describe('Account for findings whose records carry none.'),
    lateness: z
      .string()
      .regex(/^\d+[smhd]$/)
      .default('1h')
      .describe('How late a record may arrive and join its window.'),
    maxKeys: z.number().int().min(1).default(200_000).describe('Entries per detector state table before eviction.'),
    failOn: z.enum(['low', 'medium', 'high', 'critical']).optional().describe('Exit 1 at or above this severity.'),
    minSeverity: z.enum(['low', 'medium', 'high', 'critical']).optional().describe('Report only at or above.'),
    detectors: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .default({})
      .superRefine(checkDetectors)
      .describe('Parameters per detector id (docs/detectors.md).'),
  })
  .strict();

export type DetectConfig = z.infer<typeof detectConfigSchema>;
