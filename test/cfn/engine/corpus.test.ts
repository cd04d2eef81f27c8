import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTemplateText } from '../../../src/cfn/index.js';
import type { ResolvedTemplate } from '../../../src/cfn/model.js';
import { CORPORA, corpusAvailable } from '../../helpers/corpus.js';

const ROOT = join(CORPORA, 'cfn/templates');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const have = corpusAvailable();
if (!have) console.warn('cfn corpus missing: corpus tests skipped');

describe.skipIf(!have)('template corpus (aws-cloudformation-templates, awslabs)', () => {
  const results = new Map<string, ResolvedTemplate>();
  const byCode: Record<string, number> = {};

  it('every file loads without a crash; problems are located issues', () => {
    const files = walk(ROOT);
    expect(files.length).toBeGreaterThan(500);
    for (const f of files) {
      const t = resolveTemplateText(readFileSync(f, 'utf8'), f, { region: 'us-east-1' });
      results.set(relative(ROOT, f), t);
      for (const i of t.issues) {
        byCode[i.code] = (byCode[i.code] ?? 0) + 1;
        expect(i.location.line).toBeGreaterThanOrEqual(1);
        expect(i.location.file === f || i.location.file.startsWith(ROOT)).toBe(true);
      }
    }
    const withResources = [...results.values()].filter((t) => t.resources.length > 0).length;
    // Almost every file is a real template (the rest: Lambda test events, a licence text, K8s manifests, …).
    expect(withResources).toBeGreaterThan(470);
    const resources = [...results.values()].reduce((n, t) => n + t.resources.length, 0);
    expect(resources).toBeGreaterThan(3000);
    // Issue counts per code, for the record (docs/cfn-engine.md).
    console.info(`cfn corpus: ${files.length} files, ${withResources} with resources, ${resources} resources`, byCode);
  });

  it('genuine errors found by cfn-lint too are located on the same lines', () => {
    const at = (file: string, code: string) =>
      (results.get(file)?.issues ?? []).filter((i) => i.code === code).map((i) => i.location.line);
    // cfn-lint E0000 "Duplicate found" lines 193–198 (it also flags the first occurrence, 191).
    expect(at('awslabs/aws/services/ServiceCatalog/Portfolio.yaml', 'duplicate-key')).toEqual([
      193, 194, 195, 196, 197, 198,
    ]);
    // Fn::If whose condition is an inline Fn::Equals: cfn-lint E1028 at 335 and 442 (it points at the condition, one
    // line below our Fn::If key 441); cfn-lint is silent on the same error at 507 and 736 and on the `Fn::GetAtt::`
    // key (stray colon) at 589.
    expect(at('awslabs/community/codestar/python-webservice-lambda/template.yml', 'bad-intrinsic')).toEqual([
      335, 441, 507, 589, 736,
    ]);
    // cfn-lint E3001 "Additional properties are not allowed ('Description' …)" on resources.
    expect(
      at('awslabs/community/codestar/python-webservice-lambda/template.yml', 'unknown-resource-attribute'),
    ).toEqual(expect.arrayContaining([116, 200, 307, 327, 338, 415, 448]));
    // cfn-lint E3003 "'ImageId' is a required property" (cfn-lint points at Properties, line 431; we at the resource).
    expect(at('awslabs/community/codestar/python-webservice-lambda/template.yml', 'missing-required-property')).toEqual(
      [428],
    );
    // A Resources section that is a list: cfn-lint 1.51 crashes (AttributeError); we report it.
    expect(at('awslabs/aws/services/CloudFormation/MacrosExamples/ShortHand/example.template', 'bad-section')).toEqual([
      3,
    ]);
  });

  it('SAM and nested-stack templates of the corpus expand', () => {
    const sam = [...results.values()].filter((t) => t.transforms?.includes('AWS::Serverless-2016-10-31'));
    expect(sam.length).toBeGreaterThan(10);
    const generated = sam.flatMap((t) => t.resources.filter((r) => r.origin && r.type === 'AWS::Lambda::Function'));
    expect(generated.length).toBeGreaterThan(10);
  });
});
