/**
 * IaC scan benchmark (BENCH_ONLY=iac): every template of the CloudFormation corpus loaded, resolved and scanned with
 * all posture rules + template checks, against `cfn-lint` (1.x, installed on the machine) linting the same files in
 * the same run. Target: Vigil takes less than a fifth of cfn-lint's time. Both wall times include everything a user
 * waits for (Vigil: schema database load + scan; cfn-lint: its process, run in batches of files).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadSchemas, loadTemplate } from '../src/cfn/index.js';
import { expandPaths, scanTemplateTree } from '../src/cfn/scan/index.js';

const ROOT = resolve(import.meta.dirname, '../../shared/corpora/cfn/templates');

function cfnLint(files: string[]): { ms: number; exitCodes: number[]; available: boolean; error?: string } {
  const t0 = performance.now();
  const exitCodes: number[] = [];
  // Batches keep the command line short; each batch is one cfn-lint process, as a CI job would run it.
  for (let i = 0; i < files.length; i += 100) {
    const r = spawnSync('cfn-lint', ['--', ...files.slice(i, i + 100)], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error) return { ms: 0, exitCodes, available: false, error: r.error.message };
    exitCodes.push(r.status ?? -1);
  }
  return { ms: performance.now() - t0, exitCodes, available: true };
}

export async function benchIac(): Promise<Record<string, unknown>> {
  const { files } = expandPaths([ROOT]);
  const t0 = performance.now();
  await loadSchemas();
  const schemaMs = performance.now() - t0;
  let findings = 0;
  let resources = 0;
  let templates = 0;
  const t1 = performance.now();
  for (const f of files) {
    for (const s of scanTemplateTree(await loadTemplate(f))) {
      templates++;
      findings += s.findings.length;
      resources += s.resources;
    }
  }
  const scanMs = performance.now() - t1;
  const vigilMs = schemaMs + scanMs;
  const lint = cfnLint(files);
  return {
    corpus: ROOT,
    files: files.length,
    templates,
    resources,
    evaluations: findings,
    vigil: {
      schemaLoadMs: Math.round(schemaMs),
      scanMs: Math.round(scanMs),
      totalMs: Math.round(vigilMs),
      templatesPerSecond: Math.round((files.length / vigilMs) * 1000),
    },
    cfnLint: lint.available
      ? {
          totalMs: Math.round(lint.ms),
          templatesPerSecond: Math.round((files.length / lint.ms) * 1000 * 10) / 10,
          batches: lint.exitCodes.length,
        }
      : { unavailable: lint.error },
    ratio: lint.available ? Math.round((vigilMs / lint.ms) * 1000) / 1000 : null,
    target: 'vigil / cfn-lint < 0.2',
  };
}
