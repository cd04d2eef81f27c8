import { describe, expect, it } from 'vitest';
import { resolveTemplateText } from '../../../src/cfn/index.js';
import { type IacScanResult, scanResolved } from '../../../src/cfn/scan/index.js';
import { gating, iacJson, iacJunit, iacSarif, iacTable } from '../../../src/cfn/scan/report.js';

// biome-ignore lint/suspicious/noExplicitAny: SARIF documents are walked loosely in assertions
type J = any;

const TEMPLATE = `Resources:
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  Logs:
    Type: AWS::S3::Bucket
    Metadata:
      cfn_nag:
        rules_to_suppress:
          - {id: W35, reason: "this is the log bucket <itself> & cannot log to itself"}
`;

function result(text = TEMPLATE, file = '/repo/stacks/net.yaml'): IacScanResult {
  const t = resolveTemplateText(text, file, { schemaCheck: false });
  return { templates: [scanResolved(t, { now: Date.parse('2026-06-01T00:00:00Z') })], errors: [] };
}

describe('SARIF 2.1.0', () => {
  const sarif = iacSarif(result(), { version: '1.2.3', base: '/repo' }) as {
    $schema: string;
    version: string;
    runs: {
      tool: { driver: { name: string; rules: Record<string, unknown>[] } };
      automationDetails: { id: string };
      results: Record<string, unknown>[];
    }[];
  };
  const run = sarif.runs[0]!;

  it('has the required top-level and run shape', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe('vigil');
    expect(run.automationDetails.id).toBe('vigil/iac/');
  });

  it('rules carry help, level and security-severity; results index them', () => {
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const ssh = run.tool.driver.rules.find((r) => r.id === 'restricted-ssh') as J;
    expect(ssh.name).toBe('INCOMING_SSH_DISABLED');
    expect(ssh.shortDescription.text).toBeTypeOf('string');
    expect(ssh.help.text).toMatch(/Remediation:/);
    expect(ssh.defaultConfiguration.level).toBe('error');
    expect(ssh.properties['security-severity']).toBe('7.0');
    for (const r of run.results as J[]) {
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(['error', 'warning', 'note', 'none']).toContain(r.level);
      expect(r.message.text.length).toBeGreaterThan(0);
      expect(Object.keys(r.partialFingerprints)).toEqual(['vigilFindingHash/v1']);
    }
  });

  it('results are located with repository-relative URIs and 1-based regions', () => {
    const r = (run.results as J[]).find((x) => x.ruleId === 'restricted-ssh')!;
    expect(r.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'stacks/net.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 7, startColumn: 11 },
    });
  });

  it('suppressed results stay, with suppressions[] and the justification', () => {
    const r = (run.results as J[]).find((x) => x.ruleId === 's3-bucket-logging-enabled')!;
    expect(r.suppressions).toEqual([
      { kind: 'inSource', justification: 'this is the log bucket <itself> & cannot log to itself' },
    ]);
  });

  it('fingerprints do not move with line numbers', () => {
    const shifted = iacSarif(result(`# a comment\n\n${TEMPLATE}`), { version: '1', base: '/repo' }) as typeof sarif;
    const fp = (s: typeof sarif) =>
      (s.runs[0]!.results as J[]).map((x) => `${x.ruleId}:${x.partialFingerprints['vigilFindingHash/v1']}`).sort();
    expect(fp(shifted)).toEqual(fp(sarif));
    const line = (s: typeof sarif) =>
      (s.runs[0]!.results as J[]).find((x) => x.ruleId === 'restricted-ssh')!.locations[0].physicalLocation.region
        .startLine;
    expect(line(shifted)).toBe(9);
  });

  it('template errors are results too', () => {
    const bad = iacSarif(result('Resources:\n  X: {Type: AWS::S3::Bucket\n'), {
      version: '1',
      base: '/repo',
    }) as typeof sarif;
    const e = (bad.runs[0]!.results as J[]).find((x) => String(x.ruleId).startsWith('cfn-template/'));
    expect(e).toBeDefined();
    expect(e!.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(2);
  });
});

describe('JUnit, JSON, table, gating', () => {
  it('JUnit: a suite per template, failures for NON_COMPLIANT, skipped for suppressed; XML-escaped', () => {
    const xml = iacJunit(result());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    const suites = xml.match(/<testsuite /g) ?? [];
    expect(suites).toHaveLength(1);
    const r = result();
    const f = r.templates[0]!.findings;
    const failures = f.filter((x) => x.complianceType === 'NON_COMPLIANT' && !x.suppressed).length;
    expect(xml).toContain(`failures="${failures}"`);
    expect((xml.match(/<failure /g) ?? []).length).toBe(failures);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(f.length);
    expect(xml).toContain('name="restricted-ssh Open"');
    expect(xml).toContain(
      'suppressed (Metadata.cfn_nag): this is the log bucket &lt;itself&gt; &amp; cannot log to itself',
    );
    expect(xml).not.toMatch(/<itself>/);
  });

  it('JSON carries counts, findings with file:line and the rules not applicable to templates', () => {
    const doc = JSON.parse(iacJson(result(), [{ rule: 'cloudtrail-enabled', reason: 'account-level' }]));
    expect(doc.summary.templates).toBe(1);
    expect(doc.summary.suppressed).toBe(1);
    expect(doc.rulesNotApplicable[0].rule).toBe('cloudtrail-enabled');
    const ssh = doc.templates[0].findings.find(
      (x: { configRuleName: string }) => x.configRuleName === 'restricted-ssh',
    );
    expect([ssh.file, ssh.line, ssh.column, ssh.logicalId]).toEqual(['/repo/stacks/net.yaml', 7, 11, 'Open']);
  });

  it('table hides suppressed results unless asked', () => {
    const r = result();
    expect(iacTable(r)).not.toContain('SUPPRESSED');
    expect(iacTable(r)).toContain('--show-suppressed lists them');
    expect(iacTable(r, { showSuppressed: true })).toContain('SUPPRESSED');
  });

  it('gating counts only unsuppressed NON_COMPLIANT at or above the threshold', () => {
    const r = result();
    expect(gating(r, 'CRITICAL')).toEqual([]);
    const high = gating(r, 'HIGH').map((f) => f.configRuleName);
    expect(high).toContain('restricted-ssh');
    expect(high).not.toContain('s3-bucket-logging-enabled');
  });
});
