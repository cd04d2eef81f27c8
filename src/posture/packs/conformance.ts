/**
 * AWS conformance-pack templates (CloudFormation YAML/JSON with `AWS::Config::ConfigRule` resources): ConfigRuleName,
 * Source{Owner: AWS, SourceIdentifier}, InputParameters (literals, Ref to template Parameters' defaults, Fn::If on
 * simple conditions, AWS::NoValue) and Scope. Custom-Lambda and unknown rules are reported and skipped.
 */
import { parse } from 'yaml';
import type { RuleSelection } from '../engine.js';
import { findRule } from '../rules/index.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const NO_VALUE = Symbol('NoValue');

const TAGS = ['Ref', 'If', 'Equals', 'Not', 'And', 'Or', 'Sub', 'Join'].map((name) => ({
  tag: `!${name}`,
  resolve: (v: unknown) => ({ [name === 'Ref' ? 'Ref' : `Fn::${name}`]: v }),
  collection: undefined,
}));

export interface ConformanceResult {
  selections: RuleSelection[];
  issues: string[];
}

export function parseConformancePack(text: string, file: string): ConformanceResult {
  const issues: string[] = [];
  let doc: unknown;
  try {
    doc = parse(text, {
      customTags: [
        ...TAGS.map((t) => ({ tag: t.tag, resolve: (v: string) => t.resolve(v) })),
        ...TAGS.map((t) => ({
          tag: t.tag,
          collection: 'seq' as const,
          resolve: (v: { toJSON(): unknown }) => t.resolve(v.toJSON()),
        })),
      ],
    });
  } catch (e) {
    return { selections: [], issues: [`${file}: not valid YAML/JSON: ${(e as Error).message}`] };
  }
  if (!isObj(doc) || !isObj(doc.Resources)) return { selections: [], issues: [`${file}: no Resources section`] };
  const params = isObj(doc.Parameters) ? doc.Parameters : {};
  const conditions = isObj(doc.Conditions) ? doc.Conditions : {};
  const resolve = (v: unknown, depth = 0): unknown => {
    if (depth > 20) throw new Error('intrinsic functions nested too deeply');
    if (!isObj(v)) return v;
    if ('Ref' in v) {
      if (v.Ref === 'AWS::NoValue') return NO_VALUE;
      const p = params[String(v.Ref)];
      if (!isObj(p)) throw new Error(`Ref to unknown parameter ${String(v.Ref)}`);
      return p.Default ?? '';
    }
    if ('Fn::If' in v) {
      const [cond, a, b] = v['Fn::If'] as [string, unknown, unknown];
      return resolve(condition(cond, depth + 1) ? a : b, depth + 1);
    }
    if ('Fn::Equals' in v) {
      const [a, b] = v['Fn::Equals'] as unknown[];
      return String(resolve(a, depth + 1)) === String(resolve(b, depth + 1));
    }
    if ('Fn::Not' in v) return !resolve((v['Fn::Not'] as unknown[])[0], depth + 1);
    if ('Fn::And' in v) return (v['Fn::And'] as unknown[]).every((x) => resolve(x, depth + 1));
    if ('Fn::Or' in v) return (v['Fn::Or'] as unknown[]).some((x) => resolve(x, depth + 1));
    if ('Condition' in v) return condition(String(v.Condition), depth + 1);
    throw new Error(`unsupported intrinsic ${Object.keys(v).join(', ')}`);
  };
  const condition = (name: string, depth: number): boolean => {
    if (!(name in conditions)) throw new Error(`unknown condition ${name}`);
    return Boolean(resolve(conditions[name], depth));
  };
  const selections: RuleSelection[] = [];
  for (const [logicalId, res] of Object.entries(doc.Resources)) {
    if (!isObj(res) || res.Type !== 'AWS::Config::ConfigRule') continue;
    const props = isObj(res.Properties) ? res.Properties : {};
    const source = isObj(props.Source) ? props.Source : {};
    const name = String(props.ConfigRuleName ?? logicalId);
    if (source.Owner !== 'AWS') {
      issues.push(`${file}: ${logicalId} (${name}): custom rule (Owner ${String(source.Owner)}) skipped`);
      continue;
    }
    const rule = findRule(String(source.SourceIdentifier ?? ''));
    if (!rule) {
      issues.push(
        `${file}: ${logicalId} (${name}): managed rule ${String(source.SourceIdentifier)} is not implemented; skipped`,
      );
      continue;
    }
    try {
      const input: Record<string, unknown> = {};
      let ip = props.InputParameters;
      if (typeof ip === 'string') ip = JSON.parse(ip);
      if (isObj(ip))
        for (const [k, v] of Object.entries(ip)) {
          const r = resolve(v);
          if (r !== NO_VALUE && r !== '') input[k] = r;
        }
      const scope = isObj(props.Scope) ? props.Scope : undefined;
      selections.push({
        rule,
        configRuleName: name,
        params: input,
        scope: scope && {
          resourceTypes: Array.isArray(scope.ComplianceResourceTypes)
            ? scope.ComplianceResourceTypes.map(String)
            : undefined,
          resourceId: typeof scope.ComplianceResourceId === 'string' ? scope.ComplianceResourceId : undefined,
          tagKey: typeof scope.TagKey === 'string' ? scope.TagKey : undefined,
          tagValue: typeof scope.TagValue === 'string' ? scope.TagValue : undefined,
        },
      });
    } catch (e) {
      issues.push(`${file}: ${logicalId} (${name}): ${(e as Error).message}; skipped`);
    }
  }
  return { selections, issues };
}
