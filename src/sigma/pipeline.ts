/**
 * Processing pipelines (pySigma's idea, Vigil's format): data that says which log types a rule's `logsource`
 * selects and how rule field names map to native field names.
 *
 * ```yaml
 * name: my-pipeline
 * logsources:
 *   - logsource: { category: dns }          # compared with the rule's category/product/service (all three)
 *     types: [route53resolver]               # Vigil log types the rule then runs on
 *     fields: { query: query_name }          # rule field → native field (a list means any of them)
 *     transforms: { query_name: [strip_trailing_dot] }   # native field → value transformations (transforms.ts)
 * fields: { }                                 # mappings for every logsource of this pipeline
 * transforms: { }                             # transformations for every logsource of this pipeline
 * ```
 *
 * A rule's logsource selects an entry when category, product and service are each equal (case-insensitive;
 * absent = absent). Every selecting entry of every pipeline adds its types; the first entry to claim a type
 * decides that type's field map, so user pipelines listed first override the built-in one.
 */

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isLogType, LOG_TYPES, type LogType } from '../ingest/types.js';
import { isValueTransform, VALUE_TRANSFORMS, type ValueTransform } from './transforms.js';
import type { LogSource, SigmaIssue } from './types.js';

export type FieldMap = Record<string, string | string[]>;
/** Native field → value transformations applied in order. */
export type TransformMap = Record<string, ValueTransform[]>;

export interface PipelineEntry {
  logsource: { category?: string; product?: string; service?: string };
  types: LogType[];
  fields: FieldMap;
  /** Optional so pipelines built in code before transformations existed stay valid. */
  transforms?: TransformMap;
}

export interface Pipeline {
  name: string;
  logsources: PipelineEntry[];
  fields: FieldMap;
  transforms?: TransformMap;
}

const fieldMap = z.record(z.string(), z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]));
const transformMap = z.record(
  z.string().min(1),
  z.array(z.string().refine(isValueTransform, { message: `must be one of ${VALUE_TRANSFORMS.join(', ')}` })).min(1),
);

const pipelineSchema = z.strictObject({
  name: z.string().min(1),
  logsources: z.array(
    z.strictObject({
      logsource: z.strictObject({
        category: z.string().optional(),
        product: z.string().optional(),
        service: z.string().optional(),
      }),
      types: z.array(z.string().refine(isLogType, { message: `must be one of ${LOG_TYPES.join(', ')}` })).min(1),
      fields: fieldMap.optional(),
      transforms: transformMap.optional(),
    }),
  ),
  fields: fieldMap.optional(),
  transforms: transformMap.optional(),
});

/** Parse a pipeline document; problems are returned, never thrown. */
export function parsePipeline(text: string, file: string): { pipeline?: Pipeline; issues: SigmaIssue[] } {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    return { issues: [{ severity: 'error', file, reason: `YAML: ${(e as Error).message.split('\n')[0]}` }] };
  }
  const r = pipelineSchema.safeParse(value);
  if (!r.success) {
    return {
      issues: r.error.issues.map((i) => ({
        severity: 'error' as const,
        file,
        path: i.path.map(String).join('.'),
        reason: `pipeline: ${i.message}`,
      })),
    };
  }
  const d = r.data;
  return {
    pipeline: {
      name: d.name,
      fields: d.fields ?? {},
      transforms: (d.transforms ?? {}) as TransformMap,
      logsources: d.logsources.map((e) => ({
        logsource: e.logsource,
        types: e.types as LogType[],
        fields: e.fields ?? {},
        transforms: (e.transforms ?? {}) as TransformMap,
      })),
    },
    issues: [],
  };
}

/** Built-in mapping: every Vigil log type as `product: aws, service: <type>`, plus a few Sigma taxonomy categories. */
export const DEFAULT_PIPELINE_YAML = `
name: vigil-aws
logsources:
  - logsource: { product: aws, service: cloudtrail }
    types: [cloudtrail]
  - logsource: { product: aws, service: vpcflow }
    types: [vpcflow]
  - logsource: { product: aws, service: route53resolver }
    types: [route53resolver]
  - logsource: { product: aws, service: s3access }
    types: [s3access]
  - logsource: { product: aws, service: alb }
    types: [alb]
  - logsource: { product: aws, service: albconnection }
    types: [albconnection]
  - logsource: { product: aws, service: nlb }
    types: [nlb]
  - logsource: { product: aws, service: elb }
    types: [elb]
  - logsource: { product: aws, service: waf }
    types: [waf]
  - logsource: { product: aws, service: cloudfront }
    types: [cloudfront]
  - logsource: { product: aws, service: networkfirewall }
    types: [networkfirewall]
  - logsource: { product: aws, service: guardduty }
    types: [guardduty]
  # Generic Sigma taxonomy categories that have an AWS counterpart.
  - logsource: { category: dns }
    types: [route53resolver]
    fields:
      query: query_name
      record_type: query_type
      answer: answers.Rdata
      src_ip: srcaddr
      src_port: srcport
    # Route 53 writes names fully qualified (example.com.); the dns taxonomy writes them without the root dot.
    transforms:
      query_name: [strip_trailing_dot]
      answers.Rdata: [strip_trailing_dot]
  - logsource: { category: firewall }
    types: [vpcflow]
    fields:
      src_ip: srcaddr
      dst_ip: dstaddr
      src_port: srcport
      dst_port: dstport
  - logsource: { category: webserver }
    types: [cloudfront]
    fields:
      cs-user-agent: cs(User-Agent)
      cs-referer: cs(Referer)
      cs-host: cs(Host)
      cs-cookie: cs(Cookie)
`;

let defaultPipeline: Pipeline | undefined;

export function builtinPipeline(): Pipeline {
  if (!defaultPipeline) {
    const r = parsePipeline(DEFAULT_PIPELINE_YAML, '<built-in pipeline>');
    if (!r.pipeline) throw new Error(`built-in pipeline is invalid: ${r.issues.map((i) => i.reason).join('; ')}`);
    defaultPipeline = r.pipeline;
  }
  return defaultPipeline;
}

function same(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
}

export interface Target {
  type: LogType;
  fields: FieldMap;
  transforms: TransformMap;
}

/** The log types (and field maps) a rule's logsource selects. Empty: the rule is never evaluated. */
export function resolveLogsource(ls: LogSource, pipelines: readonly Pipeline[]): Target[] {
  const out = new Map<LogType, Target>();
  for (const p of pipelines) {
    for (const e of p.logsources) {
      const l = e.logsource;
      if (!same(l.category, ls.category) || !same(l.product, ls.product) || !same(l.service, ls.service)) continue;
      for (const type of e.types) {
        if (!out.has(type)) {
          out.set(type, {
            type,
            fields: { ...p.fields, ...e.fields },
            transforms: { ...p.transforms, ...e.transforms },
          });
        }
      }
    }
  }
  return [...out.values()];
}

/** Value transformations of a native field (undefined when it has none). */
export function transformsFor(transforms: TransformMap): ((field: string) => ValueTransform[] | undefined) | undefined {
  if (Object.keys(transforms).length === 0) return undefined;
  return (f) => (Object.hasOwn(transforms, f) ? transforms[f] : undefined);
}

/** Field-name mapping function for a field map (identity for unmapped fields). */
export function mapperFor(fields: FieldMap): ((f: string) => string | string[]) | undefined {
  if (Object.keys(fields).length === 0) return undefined;
  return (f) => (Object.hasOwn(fields, f) ? fields[f]! : f);
}
