/** `vigil secrets scan <paths>`: located, masked secret findings in any source tree. Exit 1 when any is found. */
import { type SecretScanResult, scanSecretsPaths } from '../../cfn/secrets/scan.js';
import { UsageError } from '../../core/errors.js';
import { buildSarif } from '../../report/sarif.js';
import { writeOutput } from '../output.js';
import { renderTable } from '../tables.js';
import { VERSION } from '../version.js';

interface SecretsOptions {
  format: string;
  allow?: string[];
  output?: string;
  showAllowlisted?: boolean;
}

export function formatSecrets(r: SecretScanResult, format: string, showAllowlisted = false): string {
  if (format === 'json')
    return `${JSON.stringify({ files: r.files, findings: r.findings, allowlisted: r.allowlisted.length, skipped: r.skipped, errors: r.errors }, null, 2)}\n`;
  if (format === 'sarif')
    return `${JSON.stringify(
      buildSarif({
        toolName: 'vigil',
        version: VERSION,
        category: 'vigil/secrets/',
        rules: [...new Map(r.findings.map((f) => [f.ruleId, f])).values()].map((f) => ({
          id: f.ruleId,
          name: f.ruleId.replace('secret/', ''),
          title: `Secret in source: ${f.title}`,
          description: `A ${f.title} is written in a source file.`,
          help: 'Revoke or rotate the credential, remove it from the file and the history, and load it from a secret store at run time.',
          severity: 'HIGH',
        })),
        results: r.findings.map((f) => ({
          ruleId: f.ruleId,
          severity: 'HIGH',
          message: `${f.title} ${f.masked}`,
          uri: f.file.split('\\').join('/'),
          line: f.line,
          column: f.column,
          fingerprint: `${f.ruleId}:${f.hash}`,
        })),
      }),
      null,
      2,
    )}\n`;
  const list = showAllowlisted ? [...r.findings, ...r.allowlisted] : r.findings;
  let out =
    list.length === 0
      ? 'No secrets found.\n'
      : renderTable(
          ['location', 'kind', 'value (masked)', 'entropy'],
          list.map((f) => [
            `${f.file}:${f.line}:${f.column}`,
            f.allowlisted ? `${f.title} [allowlisted]` : f.title,
            f.masked,
            f.entropy,
          ]),
          [false, false, false, true],
        );
  out += `\n${r.files} file(s) scanned, ${r.findings.length} secret(s), ${r.allowlisted.length} allowlisted, ${r.skipped.length} skipped\n`;
  return out;
}

export async function scan(paths: string[], o: SecretsOptions): Promise<void> {
  if (!['table', 'json', 'sarif'].includes(o.format))
    throw new UsageError(`--format must be table, json or sarif, got "${o.format}"`);
  const r = scanSecretsPaths(paths, { allow: o.allow });
  const text = formatSecrets(r, o.format, o.showAllowlisted);
  await writeOutput(text, o.output || undefined);
  for (const e of r.errors) process.stderr.write(`vigil: ${e.file}: ${e.reason}\n`);
  if (r.findings.length > 0) process.exitCode = 1;
  if (r.errors.length > 0) process.exitCode = 2;
}
