/** IaC scan results as SARIF, JUnit, a table and JSON. */
import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { renderTable } from '../../cli/tables.js';
import { SEVERITIES, type Severity } from '../../posture/rule.js';
import { ALL_RULES } from '../../posture/rules/index.js';
import { buildJunit, type JunitSuite } from '../../report/junit.js';
import { buildSarif, type SarifResultInput, type SarifRuleInput } from '../../report/sarif.js';
import { TEMPLATE_RULES } from './checks.js';
import type { IacFinding, IacScanResult, TemplateScan } from './index.js';

const ORDER = { NON_COMPLIANT: 0, INSUFFICIENT_DATA: 1, COMPLIANT: 2, NOT_APPLICABLE: 3 } as const;

export function sortFindings(f: IacFinding[]): IacFinding[] {
  return [...f].sort(
    (a, b) =>
      ORDER[a.complianceType] - ORDER[b.complianceType] ||
      SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.configRuleName.localeCompare(b.configRuleName),
  );
}

export function allFindings(r: IacScanResult): IacFinding[] {
  return r.templates.flatMap((t) => t.findings);
}

/** NON_COMPLIANT, unsuppressed, at or above the threshold. */
export function gating(r: IacScanResult, threshold: Severity): IacFinding[] {
  const min = SEVERITIES.indexOf(threshold);
  return allFindings(r).filter(
    (f) =>
      f.complianceType === 'NON_COMPLIANT' && !f.suppressed && !f.baseline && SEVERITIES.indexOf(f.severity) >= min,
  );
}

export function templateErrors(r: IacScanResult) {
  return [...r.errors, ...r.templates.flatMap((t) => t.issues.filter((i) => i.severity === 'error'))];
}

const uri = (file: string, base: string) => {
  const rel = relative(base, file);
  return (rel.startsWith('..') ? file : rel).split(sep).join('/');
};

export function findingFingerprint(f: IacFinding, base: string): string {
  return createHash('sha256')
    .update(
      `${f.configRuleName}|${uri(f.file, base)}|${f.resourceId.split('#').slice(1).join('#')}|${f.property ?? ''}`,
    )
    .digest('hex')
    .slice(0, 32);
}

function ruleInputs(): Map<string, SarifRuleInput> {
  const m = new Map<string, SarifRuleInput>();
  for (const { meta } of [...ALL_RULES, ...TEMPLATE_RULES])
    m.set(meta.name, {
      id: meta.name,
      name: meta.identifier,
      title: meta.title,
      description: meta.description,
      help: `${meta.risk}\n\nRemediation: ${meta.remediation}`,
      severity: meta.severity,
      tags: [
        TEMPLATE_RULES.some((r) => r.meta.name === meta.name) ? 'template' : 'aws-config-rule',
        ...meta.frameworks,
      ],
    });
  return m;
}

/** SARIF: NON_COMPLIANT findings (suppressed ones with `suppressions[]`) and template errors. */
export function iacSarif(r: IacScanResult, opts: { version: string; base?: string }): Record<string, unknown> {
  const base = opts.base ?? process.cwd();
  const rules = ruleInputs();
  const used = new Map<string, SarifRuleInput>();
  const results: SarifResultInput[] = [];
  for (const f of sortFindings(allFindings(r))) {
    if (f.complianceType !== 'NON_COMPLIANT') continue;
    const rule = rules.get(f.configRuleName) ?? {
      id: f.configRuleName,
      name: f.identifier,
      title: f.title,
      description: f.title,
      help: f.title,
      severity: f.severity,
    };
    used.set(rule.id, rule);
    results.push({
      ruleId: rule.id,
      severity: f.severity,
      message: `${f.logicalId} (${f.resourceType}): ${f.annotation}`,
      uri: uri(f.file, base),
      line: f.line,
      column: f.column,
      fingerprint: findingFingerprint(f, base),
      ...(f.suppressed
        ? {
            suppression: {
              kind: f.suppressed.source.startsWith('Metadata.') ? 'inSource' : 'external',
              justification: f.suppressed.reason,
            },
          }
        : {}),
      properties: {
        logicalId: f.logicalId,
        resourceType: f.resourceType,
        ...(f.property ? { property: f.property } : {}),
      },
    } as SarifResultInput);
  }
  for (const e of templateErrors(r)) {
    const id = `cfn-template/${e.code}`;
    used.set(id, {
      id,
      name: e.code,
      title: `Template error: ${e.code}`,
      description: 'The template could not be fully loaded or resolved.',
      help: 'Fix the template so CloudFormation (and Vigil) can read it.',
      severity: 'HIGH',
    });
    results.push({
      ruleId: id,
      severity: 'HIGH',
      message: e.message,
      uri: uri(e.location.file, base),
      line: e.location.line,
      column: e.location.column,
      fingerprint: createHash('sha256')
        .update(`${id}|${uri(e.location.file, base)}|${e.message}`)
        .digest('hex')
        .slice(0, 32),
    });
  }
  return buildSarif({
    toolName: 'vigil',
    version: opts.version,
    category: 'vigil/iac/',
    rules: [...used.values()],
    results,
  });
}

/** JUnit: a suite per template, a case per rule × resource. */
export function iacJunit(r: IacScanResult): string {
  const suites: JunitSuite[] = r.templates.map((t: TemplateScan) => ({
    name: t.file,
    file: t.file,
    cases: [
      ...t.issues
        .filter((i) => i.severity === 'error')
        .map((i) => ({
          name: `template ${i.code} ${i.location.line}:${i.location.column}`,
          classname: t.file,
          outcome: 'error' as const,
          message: i.message,
          type: i.code,
        })),
      ...t.findings.map((f) => ({
        name: `${f.configRuleName} ${f.logicalId}`,
        classname: `${t.file}.${f.logicalId}`,
        outcome: f.suppressed
          ? ('skipped' as const)
          : f.complianceType === 'NON_COMPLIANT'
            ? ('failure' as const)
            : f.complianceType === 'COMPLIANT'
              ? ('pass' as const)
              : ('skipped' as const),
        message: f.suppressed
          ? `suppressed (${f.suppressed.source}): ${f.suppressed.reason}`
          : f.complianceType === 'COMPLIANT'
            ? undefined
            : `${f.complianceType}: ${f.annotation}`,
        type: f.complianceType === 'NON_COMPLIANT' ? f.severity : undefined,
        details: f.complianceType === 'NON_COMPLIANT' ? `${f.file}:${f.line}:${f.column} ${f.annotation}` : undefined,
      })),
    ],
  }));
  for (const e of r.errors)
    suites.push({
      name: e.location.file,
      cases: [
        { name: `path ${e.code}`, classname: e.location.file, outcome: 'error', message: e.message, type: e.code },
      ],
    });
  return buildJunit(suites, 'vigil iac scan');
}

export function iacJson(r: IacScanResult, skipped: { rule: string; reason: string }[]): string {
  const all = allFindings(r);
  const count = (c: string) => all.filter((f) => f.complianceType === c).length;
  return `${JSON.stringify(
    {
      summary: {
        templates: r.templates.length,
        resources: r.templates.reduce((n, t) => n + t.resources, 0),
        findings: all.length,
        NON_COMPLIANT: count('NON_COMPLIANT'),
        COMPLIANT: count('COMPLIANT'),
        INSUFFICIENT_DATA: count('INSUFFICIENT_DATA'),
        NOT_APPLICABLE: count('NOT_APPLICABLE'),
        suppressed: all.filter((f) => f.suppressed).length,
        baseline: all.filter((f) => f.baseline).length,
        new: all.filter((f) => f.complianceType === 'NON_COMPLIANT' && !f.suppressed && !f.baseline).length,
        templateErrors: templateErrors(r).length,
      },
      templates: r.templates.map((t) => ({
        file: t.file,
        resources: t.resources,
        issues: t.issues,
        inlineSuppressionProblems: t.inlineProblems,
        unmappedTypes: t.genericTypes,
        findings: sortFindings(t.findings),
      })),
      rulesNotApplicable: skipped,
      errors: r.errors,
    },
    null,
    2,
  )}\n`;
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Human table: failures and unknowns (suppressed only with showSuppressed), then counts. */
export function iacTable(r: IacScanResult, opts: { showSuppressed?: boolean; all?: boolean } = {}): string {
  const all = sortFindings(allFindings(r));
  const shown = all.filter(
    (f) =>
      (opts.all || f.complianceType === 'NON_COMPLIANT' || f.complianceType === 'INSUFFICIENT_DATA') &&
      (opts.showSuppressed || !f.suppressed),
  );
  let out = '';
  const errs = templateErrors(r);
  if (errs.length > 0)
    out += `Template errors:\n${errs.map((e) => `  ${e.location.file}:${e.location.line}:${e.location.column} ${e.code}: ${e.message}`).join('\n')}\n\n`;
  if (shown.length === 0) out += 'No NON_COMPLIANT or INSUFFICIENT_DATA results.\n';
  else
    out += renderTable(
      ['result', 'severity', 'rule', 'resource', 'location', 'why'],
      shown.map((f) => [
        f.suppressed
          ? `SUPPRESSED`
          : f.complianceType === 'NON_COMPLIANT'
            ? 'FAIL'
            : f.complianceType === 'INSUFFICIENT_DATA'
              ? 'UNKNOWN'
              : f.complianceType === 'COMPLIANT'
                ? 'PASS'
                : 'N/A',
        f.severity,
        f.configRuleName,
        cut(f.logicalId, 30),
        `${f.file}:${f.line}:${f.column}`,
        cut(f.suppressed ? `${f.suppressed.reason} [${f.suppressed.source}]` : f.annotation, 100),
      ]),
    );
  const c = (x: string) => all.filter((f) => f.complianceType === x && !f.suppressed).length;
  const sup = all.filter((f) => f.suppressed).length;
  out += `\n${r.templates.length} template(s), ${r.templates.reduce((n, t) => n + t.resources, 0)} resources: ${c('NON_COMPLIANT')} NON_COMPLIANT, ${c('INSUFFICIENT_DATA')} INSUFFICIENT_DATA, ${c('COMPLIANT')} COMPLIANT, ${c('NOT_APPLICABLE')} NOT_APPLICABLE, ${sup} suppressed${sup > 0 && !opts.showSuppressed ? ' (--show-suppressed lists them)' : ''}\n`;
  const problems = r.templates.flatMap((t) => t.inlineProblems.map((p) => `${t.file}: ${p.message}`));
  if (problems.length > 0) out += `Inline suppressions not applied:\n${problems.map((p) => `  ${p}`).join('\n')}\n`;
  return out;
}
