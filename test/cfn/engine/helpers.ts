import { resolveTemplateText, type TemplateOptions } from '../../../src/cfn/index.js';
import type { ResolvedResource, ResolvedTemplate } from '../../../src/cfn/model.js';

/** Resolves YAML text without schema checks (fast); pass `schemaCheck: true` to include them. */
export function tpl(text: string, opts: TemplateOptions = {}, file = 'test.yaml'): ResolvedTemplate {
  return resolveTemplateText(text, file, { schemaCheck: false, ...opts });
}

export function res(t: ResolvedTemplate, id: string): ResolvedResource {
  const r = t.resources.find((x) => x.logicalId === id);
  if (!r) throw new Error(`no resource ${id} in ${t.resources.map((x) => x.logicalId).join(', ')}`);
  return r;
}

/**
 * Properties of resource `R` whose Properties are given as YAML lines (indented by 6); the template also declares
 * `Other` (a bucket) and `Db` (a DB instance) to reference.
 */
export function props(body: string, head = '', opts: TemplateOptions = {}): Record<string, unknown> {
  const t = tpl(
    `${head}\nResources:\n  Other: {Type: AWS::S3::Bucket}\n  Db: {Type: AWS::RDS::DBInstance}\n  R:\n    Type: AWS::Test::Thing\n    Properties:\n${body}`,
    opts,
  );
  return res(t, 'R').properties;
}

export function codes(t: ResolvedTemplate): string[] {
  return t.issues.map((i) => i.code);
}
