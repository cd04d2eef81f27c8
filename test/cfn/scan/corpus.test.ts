import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPaths } from '../../../src/cfn/scan/index.js';
import { CORPORA } from '../../helpers/corpus.js';

const ROOT = join(CORPORA, 'cfn/templates');
const have = existsSync(ROOT);
if (!have) console.warn(`CloudFormation template corpus missing at ${ROOT}: skipping`);

describe.skipIf(!have)('template corpus', () => {
  it('every template scans with every rule: no crash, no rule failing on odd data, everything located', async () => {
    const r = await scanPaths([ROOT], { schemaCheck: false });
    expect(r.errors).toEqual([]);
    expect(r.templates.length).toBeGreaterThan(450);
    const findings = r.templates.flatMap((t) => t.findings);
    expect(findings.length).toBeGreaterThan(5000);
    expect(
      findings
        .filter((f) => /could not (evaluate|check)/.test(f.annotation))
        .map((f) => `${f.file} ${f.configRuleName}`),
    ).toEqual([]);
    for (const f of findings) {
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.file.startsWith(ROOT)).toBe(true);
    }
  }, 120_000);
});
