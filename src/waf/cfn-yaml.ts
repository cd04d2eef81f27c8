import { parse as parseYaml } from 'yaml';
import { resolveTemplateText } from '../cfn/index.js';
import { isUnknown, type ResolvedResource, type SourceLocation } from '../cfn/model.js';

/**
 * CloudFormation templates in YAML (short-form tags) or JSON through Vigil's CloudFormation engine: intrinsics are
 * resolved (`!Ref`, `!Sub`, `!If` …), and the AWS::WAFv2::* resources come back as a JSON document the WAF loader
 * reads, plus a way to turn the loader's JSON paths into file:line. `!GetAtt X.Arn` / `!Ref X` to another resource
 * stay references by logical id (the loader resolves those); other values unknown before deployment are errors.
 */

export interface CfnWafDoc {
  doc: Record<string, unknown>;
  /** Template-level problems (syntax, bad intrinsics, unknown values), located. */
  problems: { location: SourceLocation; message: string }[];
  /** Location of a loader JSON path such as `Resources.Acl.Properties.Rules[0].Statement`. */
  locate(path: string): SourceLocation | undefined;
}

/** True when the text should go through the template engine (YAML by extension or a `Resources:` block). */
export function looksLikeYamlTemplate(file: string, text: string): boolean {
  return /\.(ya?ml|template)$/i.test(file) || (!/^\s*[{[]/.test(text) && /^Resources\s*:/m.test(text));
}

/** Split `Rules[0].Statement.X` into ['Rules', 0, 'Statement', 'X']. */
function segments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Replace cross-resource references by `{Ref: logicalId}`; report other unknowns at their location. */
function clean(v: unknown, path: (string | number)[], r: ResolvedResource, problems: CfnWafDoc['problems']): unknown {
  if (isUnknown(v)) {
    if (v.ref) return { Ref: v.ref.logicalId };
    problems.push({ location: r.locate(path), message: `value not known before deployment: ${v.reason}` });
    return undefined;
  }
  if (Array.isArray(v)) return v.map((x, i) => clean(x, [...path, i], r, problems));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const c = clean(x, [...path, k], r, problems);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return v;
}

/** Parse a YAML/JSON CloudFormation template (or a plain YAML WAFv2 document) for the WAF loader. Never throws. */
export function wafDocFromTemplate(text: string, file: string): CfnWafDoc {
  const problems: CfnWafDoc['problems'] = [];
  if (!/^Resources\s*:|"Resources"\s*:/m.test(text)) {
    // Not a template: a YAML rendering of API output (get-web-acl …).
    try {
      const doc = parseYaml(text, { prettyErrors: false }) as unknown;
      if (doc && typeof doc === 'object' && !Array.isArray(doc))
        return { doc: doc as Record<string, unknown>, problems, locate: () => undefined };
      problems.push({ location: { file, line: 1, column: 1 }, message: 'expected a YAML mapping' });
    } catch (err) {
      const e = err as { linePos?: { line: number; col: number }[]; message: string };
      const pos = e.linePos?.[0];
      problems.push({
        location: { file, line: pos?.line ?? 1, column: pos?.col ?? 1 },
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
      });
    }
    return { doc: {}, problems, locate: () => undefined };
  }
  let t: ReturnType<typeof resolveTemplateText>;
  try {
    t = resolveTemplateText(text, file, { schemaCheck: false, nested: false });
  } catch (err) {
    problems.push({
      location: { file, line: 1, column: 1 },
      message: `template not readable: ${(err as Error).message}`,
    });
    return { doc: {}, problems, locate: () => undefined };
  }
  for (const i of t.issues) if (i.severity === 'error') problems.push({ location: i.location, message: i.message });
  const resources: Record<string, unknown> = {};
  const byId = new Map<string, ResolvedResource>();
  for (const r of t.resources) {
    if (!r.type.startsWith('AWS::WAFv2::') || r.condition?.value === false) continue;
    byId.set(r.logicalId, r);
    resources[r.logicalId] = { Type: r.type, Properties: clean(r.properties, [], r, problems) };
  }
  return {
    doc: { Resources: resources },
    problems,
    locate(path) {
      const m = /^Resources\.([^.]+)(?:\.Properties(?:\.(.*))?)?$/.exec(path);
      const r = m ? byId.get(m[1]!) : undefined;
      if (!r) return undefined;
      return m![2] ? r.locate(segments(m![2])) : r.location;
    },
  };
}
