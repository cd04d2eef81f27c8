import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument, parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { configSchema, type VigilConfig } from './schema.js';

/** Where an effective value came from, for `vigil config show`. */
export type ValueSource = 'default' | 'cli' | `env:${string}` | `file:${string}`;

export interface ResolvedConfig {
  config: VigilConfig;
  /** Dotted key → source of its effective value. */
  sources: Record<string, ValueSource>;
  file?: string;
}

/** Dotted key → value, as given on the command line (already typed by commander). */
export type CliOverrides = Record<string, unknown>;

/** Config file discovery: --config, VIGIL_CONFIG, ./vigil.yaml (or .yml), then ~/.config/vigil/vigil.yaml. */
export function findConfigFile(explicit?: string, cwd = process.cwd()): string | undefined {
  const given = explicit ?? process.env.VIGIL_CONFIG;
  if (given) {
    const path = resolve(cwd, given);
    if (!existsSync(path)) throw new UsageError(`config file not found: ${given}`);
    return path;
  }
  for (const candidate of [
    join(cwd, 'vigil.yaml'),
    join(cwd, 'vigil.yml'),
    join(homedir(), '.config/vigil/vigil.yaml'),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** `logs.vpcFlowFormat` → `VIGIL_LOGS_VPC_FLOW_FORMAT`. */
export function envName(key: string): string {
  return `VIGIL_${key
    .replace(/\./g, '_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()}`;
}

/** Leaf keys of the schema with their zod types (two levels: section.key). */
export function configKeys(): { key: string; type: z.ZodType }[] {
  const out: { key: string; type: z.ZodType }[] = [];
  for (const [section, sectionSchema] of Object.entries(configSchema.shape)) {
    const inner = unwrap(sectionSchema as z.ZodType) as z.ZodObject;
    for (const [key, type] of Object.entries(inner.shape))
      out.push({ key: `${section}.${key}`, type: type as z.ZodType });
  }
  return out;
}

function unwrap(t: z.ZodType): z.ZodType {
  let cur = t as z.ZodType & { def?: { innerType?: z.ZodType } };
  while (cur.def?.innerType) cur = cur.def.innerType as typeof cur;
  return cur;
}

function leafKind(t: z.ZodType): 'number' | 'boolean' | 'string' | 'array' | 'record' {
  const base = unwrap(t) as z.ZodType & { def: { type: string } };
  if (base.def.type === 'number') return 'number';
  if (base.def.type === 'boolean') return 'boolean';
  if (base.def.type === 'array') return 'array';
  if (base.def.type === 'record') return 'record';
  return 'string';
}

/** Environment text of a list (comma-separated) or map (YAML/JSON flow text) key. */
function envStructured(name: string, raw: string, kind: 'array' | 'record'): unknown {
  if (kind === 'array')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  let value: unknown;
  try {
    value = parseYaml(raw);
  } catch (err) {
    throw new UsageError(`${name}: expected a YAML/JSON map: ${(err as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`${name}: expected a YAML/JSON map, got "${raw}"`);
  return value;
}

/**
 * Resolve the effective configuration: CLI > environment (`VIGIL_*`) > config file > defaults. Validation errors
 * name the file (or variable) and the key.
 */
export function resolveConfig(
  opts: { configFile?: string; cli?: CliOverrides; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ResolvedConfig {
  const env = opts.env ?? process.env;
  const file = findConfigFile(opts.configFile, opts.cwd);
  const merged: Record<string, Record<string, unknown>> = {};
  const sources: Record<string, ValueSource> = {};
  const set = (key: string, value: unknown, source: ValueSource) => {
    const [section, leaf] = key.split('.') as [string, string];
    merged[section] ??= {};
    merged[section][leaf] = value;
    sources[key] = source;
  };

  if (file) {
    const doc = parseDocument(readFileSync(file, 'utf8'));
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      throw new UsageError(`${file}:${e.linePos?.[0]?.line ?? '?'}: invalid YAML: ${e.message.split('\n')[0]}`);
    }
    const data = (doc.toJS() ?? {}) as unknown;
    if (typeof data !== 'object' || Array.isArray(data) || data === null) {
      throw new UsageError(`${file}: expected a mapping of sections (logs, aws, output)`);
    }
    for (const [section, values] of Object.entries(data as Record<string, unknown>)) {
      // A section whose keys are all commented out is YAML null: treat it as empty.
      if (values === null) continue;
      if (typeof values !== 'object' || Array.isArray(values)) {
        merged[section] = values as Record<string, unknown>;
        continue;
      }
      for (const [leaf, value] of Object.entries(values)) set(`${section}.${leaf}`, value, `file:${file}`);
    }
  }

  for (const { key, type } of configKeys()) {
    const name = envName(key);
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const kind = leafKind(type);
    let value: unknown = raw;
    if (kind === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) throw new UsageError(`${name}: expected a number, got "${raw}"`);
    } else if (kind === 'boolean') {
      if (!/^(1|0|true|false|yes|no)$/i.test(raw))
        throw new UsageError(`${name}: expected true or false, got "${raw}"`);
      value = /^(1|true|yes)$/i.test(raw);
    } else if (kind === 'array' || kind === 'record') value = envStructured(name, raw, kind);
    set(key, value, `env:${name}`);
  }

  for (const [key, value] of Object.entries(opts.cli ?? {})) if (value !== undefined) set(key, value, 'cli');

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.');
    // Nested keys (detect.detectors.<id>.<param>) take the source of their two-level setting.
    const source = sources[key] ?? sources[issue.path.slice(0, 2).join('.')] ?? (file ? `file:${file}` : 'config');
    if (source === 'cli') {
      const flag = `--${String(issue.path[1] ?? issue.path.at(-1))
        .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
        .toLowerCase()}`;
      throw new UsageError(`${flag}: ${issue.message}`);
    }
    throw new UsageError(`${source.replace(/^(file|env):/, '')}: ${key || '(root)'}: ${issue.message}`);
  }
  for (const { key } of configKeys()) sources[key] ??= 'default';
  return { config: parsed.data, sources, file };
}

/** Effective value of a dotted key. */
export function getConfigValue(config: VigilConfig, key: string): unknown {
  const [section, leaf] = key.split('.') as [keyof VigilConfig, string];
  return (config[section] as Record<string, unknown> | undefined)?.[leaf];
}
