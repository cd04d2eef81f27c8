import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCatalogue, renderRulesDoc } from '../../src/posture/catalogue.js';
import { ALL_RULES } from '../../src/posture/rules/index.js';

const DOC = resolve(import.meta.dirname, '../../docs/rules.md');

describe('docs/rules.md (generated from rule metadata)', () => {
  it('is fresh', () => {
    expect(readFileSync(DOC, 'utf8'), 'docs/rules.md is stale: run npm run docs:rules').toBe(renderRulesDoc());
  });
  it('lists every rule with identifier, defaults, remediation and pack use', () => {
    const md = renderCatalogue();
    expect(md.startsWith(`${ALL_RULES.length} rules.`)).toBe(true);
    for (const r of ALL_RULES) expect(md).toContain(`### ${r.meta.name}`);
    expect(md).toContain('| [restricted-common-ports](#restricted-common-ports) | `RESTRICTED_INCOMING_TRAFFIC` |');
    expect(md).toContain('blockedPort1=20; blockedPort2=21; blockedPort3=3389; blockedPort4=3306; blockedPort5=4333');
    expect(md).toContain('- Remediation: ');
    const doc = renderRulesDoc();
    expect(doc).toMatch(/\| restricted-common-ports \| [^\n]*cis-aws-4\.0\.1 5\.3/);
  });
  it('docs/posture.md points at it instead of embedding a second copy', () => {
    const posture = readFileSync(resolve(import.meta.dirname, '../../docs/posture.md'), 'utf8');
    expect(posture).toContain('(rules.md)');
    expect(posture).not.toContain('BEGIN RULE CATALOGUE');
  });
});
