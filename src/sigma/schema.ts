/**
 * Metadata validation for rules, correlations and meta filters, written from the official JSON schemas of Sigma
 * 2.1 (sigma-detection-rule-schema, sigma-correlation-rules-schema, sigma-filters-schema). The detection and
 * correlation bodies are checked in more depth by detection.ts and correlation parsing; this covers the attributes.
 */

import { z } from 'zod';
import { CORRELATION_TYPES, LEVELS, STATUSES } from './types.js';

const DATE = /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$/;
const TAG = /^[a-z0-9_-]+\.[a-z0-9._-]+$/;
export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const unique = <T extends z.ZodType>(item: T) =>
  z.array(item).refine((a) => new Set(a.map((x) => JSON.stringify(x))).size === a.length, {
    message: 'items must be unique',
  });

const date = z.string().regex(DATE, 'must be a date written YYYY-MM-DD');

const logsource = z.looseObject({
  category: z.string().optional(),
  product: z.string().optional(),
  service: z.string().optional(),
  definition: z.string().optional(),
});

// pySigma and the schema's `format: uuid` both require identifiers to be UUIDs.
const uuid = z.string().regex(UUID, 'must be a UUID (e.g. 0e95725d-7320-415d-80f7-004da920fc11)');

const common = {
  title: z.string().max(256),
  id: uuid.optional(),
  name: z.string().max(256).optional(),
  taxonomy: z.string().max(256).optional(),
  status: z.enum(STATUSES).optional(),
  description: z.string().max(65535).optional(),
  license: z.string().optional(),
  author: z.string().optional(),
  references: unique(z.string()).optional(),
  date: date.optional(),
  modified: date.optional(),
};

export const ruleSchema = z.looseObject({
  ...common,
  related: z
    .array(
      z.looseObject({
        id: uuid,
        type: z.enum(['derived', 'obsolete', 'merged', 'renamed', 'similar']),
      }),
    )
    .optional(),
  logsource,
  detection: z.record(z.string(), z.unknown()),
  fields: unique(z.string()).optional(),
  falsepositives: unique(z.string().min(2)).optional(),
  level: z.enum(LEVELS).optional(),
  tags: unique(z.string().regex(TAG, 'must be lowercase namespace.value, e.g. attack.t1562.008')).optional(),
  scope: z.array(z.string().min(2)).optional(),
});

// Integer thresholds except for value_avg (checked by the loader, which knows the type).
const threshold = z.number();

export const correlationSchema = z.looseObject({
  ...common,
  level: z.enum(LEVELS).optional(),
  falsepositives: z.union([z.string().min(2), z.array(z.string().min(2))]).optional(),
  generate: z.boolean().optional(),
  correlation: z.looseObject({
    type: z.enum(CORRELATION_TYPES),
    rules: unique(z.string().min(2)).refine((a) => a.length > 0, { message: 'must list at least one rule' }),
    aliases: z.record(z.string(), z.record(z.string(), z.string())).optional(),
    'group-by': unique(z.string()).optional(),
    timespan: z.string().max(10),
    condition: z
      .strictObject({
        gt: threshold.optional(),
        gte: threshold.optional(),
        lt: threshold.optional(),
        lte: threshold.optional(),
        eq: threshold.optional(),
        neq: threshold.optional(),
        field: z.union([z.string().max(256), z.array(z.string().max(256)).min(1)]).optional(),
      })
      .optional(),
  }),
});

export const filterSchema = z.looseObject({
  ...common,
  logsource,
  filter: z.looseObject({
    rules: unique(z.string()).refine((a) => a.length > 0, { message: 'must list at least one rule' }),
    condition: z.union([z.string(), z.array(z.string())]),
  }),
});

export type ZodIssueLike = { path: PropertyKey[]; message: string };
