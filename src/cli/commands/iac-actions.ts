/** `vigil iac scan`: parse options → scan templates (src/cfn/scan) → format. Exit 0 / 1 (--fail-on) / 2 (errors). */
import { readFileSync } from 'node:fs';
import { parseParameterOverride } from '../../cfn/index.js';
import {
  accountRules,
  type IacScanOptions,
  type IacScanResult,
  scanPaths,
  TEMPLATE_RULES,
} from '../../cfn/scan/index.js';
import { allFindings, gating, iacJson, iacJunit, iacSarif, iacTable, templateErrors } from '../../cfn/scan/report.js';
import { UsageError } from '../../core/errors.js';
import type { Evaluation, RuleSelection } from '../../posture/engine.js';
import { PACKS, planPack } from '../../posture/packs/index.js';
import { parseSeverity, selectRules } from '../../posture/scan.js';
import { writeOutput } from '../output.js';
import { writeOut } from '../stdout.js';
import { applyBaselineFile, applySuppressionsFile } from '../suppress-options.js';
import { VERSION } from '../version.js';

const FORMATS = ['table', 'json', 'sarif', 'junit'] as const;

interface IacOptions {
  pack?: string;
  rules?: string[];
  param?: string[];
  parameters?: string[];
  parameter?: string[];
  region?: string;
  accountId?: string;
  format: string;
  failOn?: string;
  output?: string;
  inlineSuppressions: boolean;
  showSuppressed?: boolean;
  suppressions?: string;
  baseline?: string;
  all?: boolean;
}

function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function selections(o: IacOptions): RuleSelection[] {
  if (o.pack) {
    const pack = PACKS[o.pack];
    if (!pack) throw new UsageError(`unknown pack "${o.pack}" (known: ${Object.keys(PACKS).join(', ')})`);
    const plan = planPack(pack);
    if (plan.errors.length > 0) throw new UsageError(plan.errors.join('; '));
    return plan.selections;
  }
  const posture = o.rules?.filter((n) => !templateRule(n));
  if (o.rules?.length && posture?.length === 0) return [];
  return selectRules(posture, o.param ?? []);
}

const templateRule = (n: string) =>
  TEMPLATE_RULES.find((r) => r.meta.name === n || r.meta.identifier === n.toUpperCase());

/** Runs a scan with the command's options (shared by `vigil demo`). */
export async function runIacScan(
  paths: string[],
  o: Partial<IacOptions> = {},
): Promise<{ result: IacScanResult; skipped: { rule: string; reason: string }[] }> {
  const overrides: Record<string, string> = {};
  for (const kv of o.parameter ?? []) {
    const p = parseParameterOverride(kv);
    if (!p) throw new UsageError(`--parameter must look like Key=Value, got "${kv}"`);
    overrides[p[0]] = p[1];
  }
  const sel = selections({ format: 'table', inlineSuppressions: true, ...o });
  // Rules given by name that only template checks implement are not posture rules: selectRules rejects unknown names.
  const opts: IacScanOptions = {
    selections: sel,
    parameters: overrides,
    parameterFiles: o.parameters,
    region: o.region,
    accountId: o.accountId,
    inlineSuppressions: o.inlineSuppressions !== false,
    templateRules: o.rules?.length
      ? TEMPLATE_RULES.filter((r) => o.rules!.some((n) => templateRule(n) === r))
      : TEMPLATE_RULES,
  };
  const result = await scanPaths(paths, opts);
  const skipped = accountRules(sel).map((m) => ({
    rule: m.name,
    reason: 'account-level rule: judged on the live account (vigil audit), NOT_APPLICABLE to a template',
  }));
  return { result, skipped };
}

export async function scan(paths: string[], o: IacOptions): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(o.format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${o.format}"`);
  const threshold = o.failOn ? parseSeverity(o.failOn) : undefined;
  const { result, skipped } = await runIacScan(paths, o);
  const evals = allFindings(result) as unknown as Evaluation[];
  if (o.suppressions) {
    const before = new Set(evals.filter((e) => e.suppressed));
    applySuppressionsFile(evals, readText('--suppressions', o.suppressions), o.suppressions, Date.now());
    for (const e of evals)
      if (e.suppressed && !before.has(e)) (e.suppressed as { source?: string }).source = `file ${o.suppressions}`;
  }
  if (o.baseline) applyBaselineFile(evals, () => readText('--baseline', o.baseline!), o.baseline);
  const text =
    o.format === 'json'
      ? iacJson(result, skipped)
      : o.format === 'sarif'
        ? `${JSON.stringify(iacSarif(result, { version: VERSION }), null, 2)}\n`
        : o.format === 'junit'
          ? iacJunit(result)
          : iacTable(result, { showSuppressed: o.showSuppressed, all: o.all });
  await writeOutput(text, o.output || undefined);
  const errors = templateErrors(result);
  // Located errors go to stderr whatever the format (stdout carries only the machine output).
  for (const e of errors)
    process.stderr.write(
      `vigil: ${e.location.file}:${e.location.line}:${e.location.column}: ${e.code}: ${e.message}\n`,
    );
  if (threshold && gating(result, threshold).length > 0) process.exitCode = 1;
  if (errors.length > 0) process.exitCode = 2;
}

/** `vigil demo` section: scan the bundled example templates (one compliant, one with planted problems). */
export async function writeIacDemo(dir: string): Promise<void> {
  const { result } = await runIacScan([dir]);
  await writeOut(
    `\nIaC scan of the example CloudFormation templates in ${dir} (\`vigil iac scan ${dir}\`; --format sarif|junit|json):\n\n`,
  );
  await writeOut(iacTable(result));
}
