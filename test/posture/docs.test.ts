import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedCatalogue, renderCatalogue } from '../../src/posture/catalogue.js';
import { ALL_RULES } from '../../src/posture/rules/index.js';

const DOC = resolve(import.meta.dirname, '../../docs/posture.md');

describe('docs/posture.md rule catalogue', () => {
  it('is fresh (VIGIL_UPDATE_DOCS=1 rewrites it)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const fresh = embedCatalogue(doc);
    if (process.env.VIGIL_UPDATE_DOCS === '1' && fresh !== doc) writeFileSync(DOC, fresh);
    else
      expect(
        doc,
        'docs/posture.md catalogue is stale: run VIGIL_UPDATE_DOCS=1 npx vitest run test/posture/docs.test.ts',
      ).toBe(fresh);
  });
  it('lists every rule with identifier and defaults', () => {
    const md = renderCatalogue();
    expect(md.startsWith(`${ALL_RULES.length} rules.`)).toBe(true);
    for (const r of ALL_RULES) expect(md).toContain(`### ${r.meta.name}`);
    expect(md).toContain('| [restricted-common-ports](#restricted-common-ports) | `RESTRICTED_INCOMING_TRAFFIC` |');
    expect(md).toContain('blockedPort1=20; blockedPort2=21; blockedPort3=3389; blockedPort4=3306; blockedPort5=4333');
  });
});
