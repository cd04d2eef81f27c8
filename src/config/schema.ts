import { z } from 'zod';
import { detectConfigSchema } from '../detect/config.js';
import { LOG_TYPES } from '../ingest/types.js';

/**
 * The `vigil.yaml` schema. Keys mirror the long CLI flag names (camelCase); every key can also be set through the
 * environment as `VIGIL_<SECTION>_<KEY>` in upper snake case (e.g. `logs.vpcFlowFormat` ← `VIGIL_LOGS_VPC_FLOW_FORMAT`).
 * Tunables only: suppressions live in their own files.
 */
export const configSchema = z
  .object({
    logs: z
      .object({
        type: z.enum(LOG_TYPES).optional().describe('Parse every input as this log type instead of sniffing.'),
        since: z
          .string()
          .optional()
          .describe('Keep records at or after this event time (ISO date/time, epoch s, or 15m/36h/7d).'),
        until: z.string().optional().describe('Keep records before this event time.'),
        vpcFlowFormat: z
          .string()
          .optional()
          .describe(
            'VPC flow log format for files without a header line: field names in order, e.g. "version account-id interface-id …" (the dollar-brace form AWS uses is accepted too).',
          ),
        cloudfrontFields: z.string().optional().describe('CloudFront #Fields list for files without a header.'),
        maxLineLength: z
          .number()
          .int()
          .min(1024)
          .default(64 * 1024 * 1024)
          .describe('Longest accepted line or JSON record, in characters; longer ones are reported and skipped.'),
        workers: z
          .number()
          .int()
          .min(0)
          .max(64)
          .default(0)
          .describe(
            'Worker threads for parsing many files in parallel; 0 = automatic (one per core when it pays off).',
          ),
        strict: z.boolean().default(false).describe('Exit 2 when any input was rejected.'),
      })
      .strict()
      .default({ maxLineLength: 64 * 1024 * 1024, workers: 0, strict: false }),
    aws: z
      .object({
        endpointUrl: z.string().optional().describe('Endpoint for S3 sources (as the AWS CLI --endpoint-url).'),
        profile: z.string().optional().describe('AWS shared-config profile.'),
        region: z.string().optional().describe('AWS region.'),
      })
      .strict()
      .default({}),
    output: z
      .object({
        format: z.enum(['table', 'json']).default('table').describe('Default output format for summaries.'),
        quiet: z.boolean().default(false).describe('No progress output; failures only.'),
      })
      .strict()
      .default({ format: 'table', quiet: false }),
    detect: detectConfigSchema
      .prefault({})
      .describe('vigil detect: every flag of the command (camelCase), plus detector parameters (docs/detect.md).'),
    bus: z
      .looseObject({})
      .optional()
      .describe(
        'Event bus rules and targets in the EventBridge API vocabulary (read by vigil bus serve; see docs/bus.md).',
      ),
  })
  .strict();

export type VigilConfig = z.infer<typeof configSchema>;
