/** `vigil sigma check | run | test` actions (registered in sigma.ts). */
import { UsageError } from '../../core/errors.js';
import { ingestAll } from '../../ingest/run.js';
import { eventRow, eventToJson, formatSigmaIssue } from '../../sigma/report.js';
import { loadSigmaSetup, type SigmaSetup } from '../../sigma/setup.js';
import { SigmaStream } from '../../sigma/stream.js';
import { LEVELS, type Level, type SigmaEvent } from '../../sigma/types.js';
import { ErrorPrinter } from '../report-errors.js';
import { ingestOptionsFrom, resolveFromCli } from '../resolve-options.js';
import { writeOut } from '../stdout.js';
import { renderTable } from '../tables.js';

interface RuleOptions {
  placeholders?: string;
  pipeline?: string[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function setup(rules: string[], o: RuleOptions): SigmaSetup {
  return loadSigmaSetup({ rules, placeholdersFile: o.placeholders, pipelineFiles: o.pipeline });
}

async function runSigma(rulePaths: string[], inputs: string[], o: Record<string, unknown>): Promise<void> {
  const resolved = resolveFromCli(o);
  const format = resolved.config.output.format;
  const failOn = o.failOn as string | undefined;
  if (failOn !== undefined && !(LEVELS as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${LEVELS.join(', ')}, got "${failOn}"`);
  }
  const s = setup(rulePaths, o as RuleOptions);
  const errors = s.issues.filter((i) => i.severity === 'error');
  for (const i of s.issues) process.stderr.write(`vigil: ${formatSigmaIssue(i)}\n`);
  if (s.collection.rules.length === 0) throw new UsageError('no valid Sigma rules loaded');
  const stream = new SigmaStream(s.engine, s.collection);
  const rows: string[][] = [];
  let worst = -1;
  const emit = async (events: SigmaEvent[]) => {
    for (const e of events) {
      worst = Math.max(worst, e.rule.level ? LEVELS.indexOf(e.rule.level) : -1);
      if (format === 'json') await writeOut(`${JSON.stringify(eventToJson(e))}\n`);
      else rows.push(eventRow(e));
    }
  };
  const printer = new ErrorPrinter();
  const pending: Promise<void>[] = [];
  const { stats } = await ingestAll(
    inputs,
    ingestOptionsFrom(resolved, o.where),
    {
      record: (r) => {
        const events = stream.push(r);
        if (events.length > 0) pending.push(emit(events));
      },
      error: printer.issue,
      drain: () => (pending.length > 0 ? Promise.all(pending.splice(0)).then(() => undefined) : undefined),
    },
    { job: 'records', workers: 1 },
  );
  await Promise.all(pending);
  await emit(stream.flush());
  printer.finish();
  if (format !== 'json') {
    await writeOut(rows.length > 0 ? renderTable(['time', 'level', 'rule', 'where', 'why'], rows) : 'no matches\n');
  }
  if (!resolved.config.output.quiet) {
    process.stderr.write(
      `vigil: ${stream.stats.records} records, ${stream.stats.matches} rule matches, ` +
        `${stream.stats.correlations} correlations; ${stats.errors} inputs rejected\n`,
    );
  }
  if (errors.length > 0 || (resolved.config.logs.strict && stats.errors > 0)) process.exitCode = 2;
  else if (failOn !== undefined && worst >= LEVELS.indexOf(failOn as Level)) process.exitCode = 1;
}

export const checkAction = async (rules: string[], o: RuleOptions & { format: string; strict?: boolean }) => {
  if (o.format !== 'text' && o.format !== 'json')
    throw new UsageError(`--format must be text or json, got "${o.format}"`);
  const s = setup(rules, o);
  const errors = s.issues.filter((i) => i.severity === 'error').length;
  const warnings = s.issues.length - errors;
  const byType = s.engine.stats().map((t) => ({ type: t.type, rules: t.rules }));
  const unmapped = s.engine.coverage.filter((c) => c.types.length === 0).length;
  if (o.format === 'json') {
    await writeOut(
      `${JSON.stringify(
        {
          files: s.files,
          rules: s.collection.rules.length,
          correlations: s.collection.correlations.length,
          filters: s.collection.filters.length,
          errors,
          warnings,
          byType,
          notEvaluated: unmapped,
          issues: s.issues,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    for (const i of s.issues) await writeOut(`${formatSigmaIssue(i)}\n`);
    const types = byType.map((t) => `${t.type} ${t.rules}`).join(', ') || 'none';
    await writeOut(
      `${s.collection.rules.length} rules, ${s.collection.correlations.length} correlations, ` +
        `${s.collection.filters.length} filters loaded from ${plural(s.files, 'file')}; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n` +
        `rules by log type: ${types}${unmapped > 0 ? `; ${plural(unmapped, 'rule')} match no log type` : ''}\n`,
    );
  }
  if (errors > 0 || (o.strict && warnings > 0)) process.exitCode = 2;
};

export const runAction = async (inputs: string[], o: Record<string, unknown>) => {
  const rulePaths = o.rules as string[];
  if (rulePaths.length === 0) throw new UsageError('give at least one --rules <file|dir>');
  await runSigma(rulePaths, inputs, o);
};

export const testAction = async (rule: string, inputs: string[], o: Record<string, unknown>) => {
  await runSigma([rule], inputs, o);
};
