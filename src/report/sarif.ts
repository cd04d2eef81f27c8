/**
 * SARIF 2.1.0 for GitHub code scanning (outputs-and-cli.md §2): stable ruleIds, rule metadata with help text and
 * `security-severity`, results located by repository-relative URI + region, `partialFingerprints` always set (so
 * uploads do not duplicate alerts), and suppressed results kept with `suppressions[]` (never dropped).
 */
import type { Severity } from '../posture/rule.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export const SECURITY_SEVERITY: Record<Severity, string> = {
  CRITICAL: '9.0',
  HIGH: '7.0',
  MEDIUM: '4.0',
  LOW: '2.0',
  INFORMATIONAL: '0.0',
};

export const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
  INFORMATIONAL: 'note',
};

export interface SarifRuleInput {
  id: string;
  name: string;
  title: string;
  description: string;
  /** Plain-text help (risk + remediation). */
  help: string;
  helpUri?: string;
  severity: Severity;
  tags?: string[];
}

export interface SarifResultInput {
  ruleId: string;
  severity: Severity;
  message: string;
  /** Repository-relative path with forward slashes. */
  uri: string;
  line: number;
  column: number;
  /** Stable identity of the finding independent of line moves (hashed into partialFingerprints). */
  fingerprint: string;
  suppression?: { kind: 'inSource' | 'external'; justification: string };
  properties?: Record<string, unknown>;
}

export interface SarifRun {
  toolName: string;
  version: string;
  informationUri?: string;
  /** automationDetails.id (category), e.g. `vigil/iac/`. */
  category?: string;
  rules: SarifRuleInput[];
  results: SarifResultInput[];
}

export function buildSarif(run: SarifRun): Record<string, unknown> {
  const rules = [...new Map(run.rules.map((r) => [r.id, r])).values()].sort((a, b) => a.id.localeCompare(b.id));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: run.toolName,
            version: run.version,
            ...(run.informationUri ? { informationUri: run.informationUri } : {}),
            rules: rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              help: { text: r.help, markdown: r.help },
              ...(r.helpUri ? { helpUri: r.helpUri } : {}),
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
              properties: {
                tags: ['security', ...(r.tags ?? [])].slice(0, 20),
                precision: 'high',
                'security-severity': SECURITY_SEVERITY[r.severity],
              },
            })),
          },
        },
        ...(run.category ? { automationDetails: { id: run.category } } : {}),
        results: run.results.map((x) => ({
          ruleId: x.ruleId,
          ...(index.has(x.ruleId) ? { ruleIndex: index.get(x.ruleId) } : {}),
          level: SARIF_LEVEL[x.severity],
          message: { text: x.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: x.uri, uriBaseId: '%SRCROOT%' },
                region: { startLine: Math.max(1, x.line), startColumn: Math.max(1, x.column) },
              },
            },
          ],
          partialFingerprints: { 'vigilFindingHash/v1': x.fingerprint },
          ...(x.suppression ? { suppressions: [x.suppression] } : {}),
          ...(x.properties ? { properties: x.properties } : {}),
        })),
      },
    ],
  };
}
