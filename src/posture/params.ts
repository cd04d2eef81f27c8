/**
 * Rule parameters arrive as AWS InputParameters (strings, from conformance packs or CLI) or typed values (from
 * YAML). They are coerced against the rule's ParamSpec; problems are returned, never thrown.
 */
import type { ParamSpec, Params, ParamValue, RuleMeta } from './rule.js';

function coerce(spec: ParamSpec, raw: unknown): ParamValue | string {
  if (raw === undefined || raw === null || raw === '') return undefined;
  switch (spec.type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      return Number.isInteger(n) ? n : `parameter ${spec.name} must be an integer, got "${String(raw)}"`;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (s === 'true' || s === 'false') return s === 'true';
      return `parameter ${spec.name} must be true or false, got "${String(raw)}"`;
    }
    case 'list':
      return (Array.isArray(raw) ? raw.map(String) : String(raw).split(','))
        .map((s) => s.trim())
        .filter((s) => s !== '');
    default:
      return String(raw);
  }
}

export interface ResolvedParams {
  params: Params;
  errors: string[];
}

/** Apply defaults and coerce; unknown parameter names are errors (a typo would otherwise silently use a default). */
export function resolveParams(meta: RuleMeta, input: Record<string, unknown> = {}): ResolvedParams {
  const out: Record<string, ParamValue> = {};
  const errors: string[] = [];
  const known = new Set(meta.parameters.map((p) => p.name));
  for (const k of Object.keys(input))
    if (!known.has(k)) errors.push(`${meta.name}: unknown parameter ${k} (known: ${[...known].join(', ') || 'none'})`);
  for (const spec of meta.parameters) {
    const raw = input[spec.name] ?? spec.default;
    const v = coerce(spec, raw);
    if (typeof v === 'string' && spec.type !== 'string') {
      errors.push(`${meta.name}: ${v}`);
      continue;
    }
    if (v === undefined && spec.required) errors.push(`${meta.name}: parameter ${spec.name} is required`);
    out[spec.name] = v;
  }
  return { params: out, errors };
}
