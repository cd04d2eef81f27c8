/** Table output of a drift report: one block per drifted resource with its differences and who caused them. */
import type { DriftReport } from './types.js';

export function driftTable(r: DriftReport): string {
  const lines: string[] = [];
  lines.push(`Stack ${r.StackName}: ${r.StackDriftStatus} (${r.DriftedStackResourceCount} drifted resources)`);
  for (const d of r.StackResourceDrifts) {
    const id = d.PhysicalResourceId ? ` ${d.PhysicalResourceId}` : '';
    const why = d.DriftStatusReason && d.StackResourceDriftStatus !== 'MODIFIED' ? ` — ${d.DriftStatusReason}` : '';
    lines.push(`  ${d.StackResourceDriftStatus.padEnd(11)} ${d.LogicalResourceId} (${d.ResourceType}${id})${why}`);
    for (const p of d.PropertyDifferences ?? [])
      lines.push(
        `      ${p.DifferenceType.padEnd(9)} ${p.PropertyPath}: expected ${p.ExpectedValue}, actual ${p.ActualValue}`,
      );
    for (const n of d.notes ?? []) lines.push(`      note: ${n}`);
    for (const a of d.attribution ?? [])
      lines.push(
        `      by ${a.principalArn ?? '?'} at ${a.eventTime}: ${a.eventName}` +
          `${a.sourceIPAddress ? ` from ${a.sourceIPAddress}` : ''}${a.accessKeyId ? ` key ${a.accessKeyId}` : ''}` +
          `${a.userAgent ? ` (${a.userAgent})` : ''}`,
      );
  }
  if (r.unmanaged.length > 0) {
    lines.push(`Unmanaged resources (${r.unmanaged.length}):`);
    for (const u of r.unmanaged) {
      lines.push(
        `  ${u.resourceType} ${u.resourceId}${u.resourceName && u.resourceName !== u.resourceId ? ` (${u.resourceName})` : ''}`,
      );
      for (const a of u.attribution ?? [])
        lines.push(
          `      created by ${a.principalArn ?? '?'} at ${a.eventTime}: ${a.eventName}${a.sourceIPAddress ? ` from ${a.sourceIPAddress}` : ''}`,
        );
    }
  }
  const s = r.summary;
  lines.push(
    `Summary: ${s.total_managed} managed, ${s.total_missing} missing, ${s.total_unmanaged} unmanaged, ${s.total_ignored} ignored; IaC coverage ${s.coverage}%`,
  );
  for (const i of r.issues) lines.push(`warning: ${i}`);
  return `${lines.join('\n')}\n`;
}

/** JSON output: DescribeStackResourceDrifts' shape plus stack status, unmanaged resources and the summary. */
export function driftJson(r: DriftReport): string {
  return `${JSON.stringify(
    {
      StackId: r.StackId,
      StackDriftStatus: r.StackDriftStatus,
      DriftedStackResourceCount: r.DriftedStackResourceCount,
      StackResourceDrifts: r.StackResourceDrifts,
      unmanaged: r.unmanaged,
      summary: r.summary,
      issues: r.issues,
    },
    null,
    2,
  )}\n`;
}
