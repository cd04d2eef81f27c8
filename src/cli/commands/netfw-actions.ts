/** `vigil netfw lint | eval` actions (registered in netfw.ts). */
import { UsageError } from '../../core/errors.js';
import { ingestAll } from '../../ingest/run.js';
import { type Decision, decide } from '../../netfw/evaluate.js';
import { formatIssue, lintFiles } from '../../netfw/lint-files.js';
import { type Observation, observationsOf } from '../../netfw/observe.js';
import { loadFirewall } from '../../netfw/setup.js';
import { ErrorPrinter } from '../report-errors.js';
import { ingestOptionsFrom, resolveFromCli } from '../resolve-options.js';
import { writeOut } from '../stdout.js';
import { renderTable } from '../tables.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describe(o: Observation): string {
  const ep = (ip?: string, port?: number) => `${ip ?? '?'}${port !== undefined ? `:${port}` : ''}`;
  const flow = `${ep(o.src, o.srcPort)} -> ${ep(o.dst, o.dstPort)}`;
  switch (o.kind) {
    case 'dns':
      return `dns ${o.query} from ${ep(o.src)}`;
    case 'tls':
      return `tls sni ${o.sni} ${flow}`;
    case 'http':
      return `http ${o.method ?? '?'} ${o.host ?? ''}${o.uri ?? ''} from ${ep(o.src)}`;
    default:
      return `flow proto ${o.proto ?? '?'} ${flow}${o.tcpFlags !== undefined ? ` flags ${o.tcpFlags}` : ''}`;
  }
}

function decisionJson(o: Observation, d: Decision): Record<string, unknown> {
  const { origin, logType, time, ...observation } = o;
  return {
    time: Number.isFinite(time) ? new Date(time).toISOString() : null,
    log: { type: logType, ...origin },
    observation,
    verdict: d.verdict,
    decidedBy: d.decidedBy,
    ...(d.sid !== undefined ? { sid: d.sid } : {}),
    alerts: d.alerts,
    ...(d.unknown.length > 0 ? { notInLog: d.unknown } : {}),
  };
}

export const lintAction = async (
  inputs: string[],
  o: { format: string; ruleOrder: string; quietDisabled?: boolean },
) => {
  if (o.format !== 'text' && o.format !== 'json')
    throw new UsageError(`--format must be text or json, got "${o.format}"`);
  if (o.ruleOrder !== 'DEFAULT_ACTION_ORDER' && o.ruleOrder !== 'STRICT_ORDER')
    throw new UsageError(`--rule-order must be DEFAULT_ACTION_ORDER or STRICT_ORDER, got "${o.ruleOrder}"`);
  const rep = lintFiles(inputs, o.ruleOrder);
  const shown = o.quietDisabled ? rep.issues.filter((i) => i.severity === 'error') : rep.issues;
  const errors = rep.issues.filter((i) => i.severity === 'error').length;
  const warnings = rep.issues.length - errors;
  if (o.format === 'json') {
    await writeOut(`${JSON.stringify({ ...rep, errors, warnings, issues: shown }, null, 2)}\n`);
  } else {
    for (const i of shown) await writeOut(`${formatIssue(i)}\n`);
    await writeOut(
      `${plural(rep.rules, 'rule')} (${rep.disabled} commented out), ${plural(rep.ruleGroups, 'rule group')}, ` +
        `${plural(rep.policies, 'policy').replace('policys', 'policies')} from ${plural(rep.files, 'file')}; ` +
        `${plural(rep.incompatibleRules, 'rule')} Network Firewall would reject; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`,
    );
  }
  if (errors > 0) process.exitCode = 2;
};

export const evalAction = async (inputs: string[], o: Record<string, unknown>) => {
  const format = o.format as string;
  if (format !== 'table' && format !== 'jsonl')
    throw new UsageError(`--format must be table or jsonl, got "${format}"`);
  const groups = o.ruleGroup as string[];
  const rules = o.rules as string[];
  if (!o.policy && groups.length === 0 && rules.length === 0)
    throw new UsageError('give --policy with --rule-group files, or --rule-group / --rules');
  const fw = loadFirewall({
    ...(o.policy ? { policy: o.policy as string } : {}),
    ruleGroups: groups,
    rules,
    ...(o.homeNet ? { homeNet: (o.homeNet as string).split(',').map((x) => x.trim()) } : {}),
  });
  for (const i of fw.issues) process.stderr.write(`vigil: ${formatIssue(i)}\n`);
  const resolved = resolveFromCli({ ...o, format: undefined });
  const counts: Record<string, number> = { pass: 0, drop: 0, reject: 0, alert: 0 };
  let observations = 0;
  let alerts = 0;
  const rows: string[][] = [];
  const show = (ob: Observation, d: Decision) => {
    observations++;
    counts[d.verdict] = (counts[d.verdict] ?? 0) + 1;
    alerts += d.alerts.length;
    if (o.hits && d.verdict === 'pass' && d.alerts.length === 0) return undefined;
    if (format === 'jsonl') return writeOut(`${JSON.stringify(decisionJson(ob, d))}\n`);
    rows.push([
      Number.isFinite(ob.time) ? new Date(ob.time).toISOString() : '-',
      `${ob.origin.file}:${ob.origin.line}`,
      describe(ob),
      d.verdict,
      d.decidedBy,
      d.alerts.map((a) => `${a.sid} ${a.msg}`).join('; '),
    ]);
    return undefined;
  };
  const printer = new ErrorPrinter();
  const pending: Promise<void>[] = [];
  const { stats } = await ingestAll(
    inputs,
    ingestOptionsFrom(resolved),
    {
      record: (r) => {
        for (const ob of observationsOf(r)) {
          const p = show(ob, decide(fw.policy, ob));
          if (p) pending.push(p);
        }
      },
      error: printer.issue,
      drain: () => (pending.length > 0 ? Promise.all(pending.splice(0)).then(() => undefined) : undefined),
    },
    { job: 'records', workers: 1 },
  );
  await Promise.all(pending);
  printer.finish();
  if (format === 'table')
    await writeOut(
      rows.length > 0
        ? renderTable(['time', 'where', 'observation', 'verdict', 'decided by', 'alerts'], rows)
        : 'no observations to show\n',
    );
  if (!resolved.config.output.quiet)
    process.stderr.write(
      `vigil: ${observations} observations from ${stats.records} records: ${counts.pass} pass, ${counts.drop} drop, ` +
        `${counts.reject} reject, ${counts.alert} alert; ${alerts} alerts; ${fw.evaluableRules} rules evaluated, ` +
        `${fw.notEvaluable.length} not evaluable on logs\n`,
    );
  if (fw.issues.some((i) => i.severity === 'error') || (resolved.config.logs.strict && stats.errors > 0))
    process.exitCode = 2;
};
