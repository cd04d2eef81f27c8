/**
 * Runs the aws-guard-rules-registry test cases whose rule shares a name (identifier) with a Vigil rule and compares
 * Guard's template-level PASS/FAIL/SKIP with Vigil's verdict (Guard semantics: FAIL if any resource fails, PASS if
 * any passes, SKIP when nothing is in scope; INSUFFICIENT_DATA only → UNKNOWN).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTemplateText } from '../../../src/cfn/index.js';
import { scanResolved } from '../../../src/cfn/scan/index.js';
import { parseTemplateText } from '../../../src/cfn/template/parse.js';
import { ALL_RULES } from '../../../src/posture/rules/index.js';
import { CORPORA } from '../../helpers/corpus.js';

export const REGISTRY = join(CORPORA, 'compliance/guard-rules-registry/rules/aws');

export interface CaseResult {
  file: string;
  name: string;
  rule: string;
  expected: string;
  actual: string;
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...testFiles(p));
    else if (d.name.endsWith('_tests.yml')) out.push(p);
  }
  return out.sort();
}

type Obj = Record<string, unknown>;

export function runRegistry(): CaseResult[] {
  const byId = new Map(ALL_RULES.map((r) => [r.meta.identifier, r]));
  const out: CaseResult[] = [];
  for (const file of testFiles(REGISTRY)) {
    const parsed = parseTemplateText(readFileSync(file, 'utf8'), file).value;
    if (!Array.isArray(parsed)) continue;
    for (const c of parsed as Obj[]) {
      const rules = ((c.expectations as Obj | undefined)?.rules ?? {}) as Record<string, string>;
      const ours = Object.entries(rules).filter(([id]) => byId.has(id));
      if (ours.length === 0) continue;
      const input = (c.input ?? {}) as Obj;
      const tpl = resolveTemplateText(JSON.stringify({ Resources: {}, ...input }), file, { schemaCheck: false });
      const selections = ours.map(([id]) => ({ rule: byId.get(id)! }));
      const scan = scanResolved(tpl, { selections, templateRules: [], now: Date.parse('2026-06-01T00:00:00Z') });
      for (const [id, expected] of ours) {
        const name = byId.get(id)!.meta.name;
        const f = scan.findings.filter((x) => x.configRuleName === name && !x.suppressed);
        const actual = f.some((x) => x.complianceType === 'NON_COMPLIANT')
          ? 'FAIL'
          : f.some((x) => x.complianceType === 'COMPLIANT')
            ? 'PASS'
            : f.some((x) => x.complianceType === 'INSUFFICIENT_DATA')
              ? 'UNKNOWN'
              : 'SKIP';
        out.push({ file: file.slice(REGISTRY.length + 1), name: String(c.name ?? '?'), rule: id, expected, actual });
      }
    }
  }
  return out;
}
