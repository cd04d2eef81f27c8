/** --suppressions / --baseline handling shared by vigil iac scan and vigil posture audit. */
import { UsageError } from '../core/errors.js';
import type { Evaluation } from '../posture/engine.js';
import { applyBaseline, applySuppressions, type Baseline, parseSuppressions } from '../posture/suppress.js';

/** Apply a --suppressions file's text at `now`; an invalid file is a usage error, an expired entry a stderr note. */
export function applySuppressionsFile(evals: Evaluation[], text: string, file: string, now: number): void {
  const p = parseSuppressions(text, file);
  if (p.issues.length > 0) throw new UsageError(p.issues.join('; '));
  const { expired } = applySuppressions(evals, p.suppressions, now);
  for (const x of expired)
    process.stderr.write(
      `vigil: suppression for ${x.rule} expired on ${x.expires} and no longer applies (${x.reason})\n`,
    );
}

/** Apply a --baseline file; `read` runs inside the check so an unreadable file is reported as a bad baseline too. */
export function applyBaselineFile(evals: Evaluation[], read: () => string, file: string): void {
  let b: Baseline;
  try {
    b = JSON.parse(read()) as Baseline;
    if (!Array.isArray(b.fingerprints)) throw new Error('no "fingerprints" list');
  } catch (e) {
    throw new UsageError(`--baseline ${file}: ${(e as Error).message}`);
  }
  applyBaseline(evals, b);
}
