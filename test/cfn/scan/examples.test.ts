import { describe, expect, it } from 'vitest';
import { CFN_EXAMPLES } from '../../../scripts/examples/cfn.js';
import { resolveTemplateText } from '../../../src/cfn/index.js';
import { scanResolved } from '../../../src/cfn/scan/index.js';

const scan = (name: string) =>
  scanResolved(resolveTemplateText(CFN_EXAMPLES[name]!, name), { now: Date.parse('2026-06-01T00:00:00Z') });

describe('bundled example templates', () => {
  it('compliant.yaml: no template errors, nothing NON_COMPLIANT or unknown', () => {
    const s = scan('compliant.yaml');
    expect(s.issues).toEqual([]);
    expect(
      s.findings.filter((f) => f.complianceType === 'NON_COMPLIANT' || f.complianceType === 'INSUFFICIENT_DATA'),
    ).toEqual([]);
    expect(s.findings.filter((f) => f.complianceType === 'COMPLIANT').length).toBeGreaterThan(30);
  });

  it('planted.yaml: every planted problem is found where it is written', () => {
    const s = scan('planted.yaml');
    expect(s.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const fails = new Set(
      s.findings
        .filter((f) => f.complianceType === 'NON_COMPLIANT' && !f.suppressed)
        .map((f) => `${f.configRuleName} ${f.logicalId}:${f.line}`),
    );
    for (const want of [
      'restricted-ssh AdminSsh:14',
      's3-bucket-public-read-prohibited WebsiteBucket:36',
      'cfn-hardcoded-secret Database:44',
      'rds-storage-encrypted Database:46',
      'rds-instance-public-access-check Database:45',
      'cfn-iam-inline-policy-wildcard DeployRole:57',
      'cfn-hardcoded-secret Notifier:67',
      'dynamodb-pitr-enabled Sessions:68',
      'cfn-data-store-deletion-policy Scratch:74',
    ])
      expect(fails).toContain(want);
    const sup = s.findings.filter((f) => f.suppressed);
    expect(sup.map((f) => [f.configRuleName, f.suppressed!.source])).toEqual([
      ['s3-bucket-logging-enabled', 'Metadata.cfn_nag'],
    ]);
    expect(s.inlineProblems.map((p) => p.message)).toEqual([
      'checkov suppression of CKV_AWS_21 on WebsiteBucket has no reason: not applied',
    ]);
  });
});
