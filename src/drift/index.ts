/**
 * `vigil drift` library API: CloudFormation drift (DescribeStackResourceDrifts' shape), unmanaged resources and
 * CloudTrail attribution. See docs/drift.md.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseParameterOverride } from '../cfn/index.js';
import { UsageError } from '../core/errors.js';
import { detectDrift } from './detect.js';
import { parseIgnore } from './ignore.js';
import { type AwsOptions, collectLive, loadSnapshot, loadStack, loadTemplateFile, loadTrailEvents } from './sources.js';
import type { DriftReport } from './types.js';

export * from './compare.js';
export { type DriftInput, detectDrift } from './detect.js';
export { DRIFT_SOURCE, driftEvents, publishDrift } from './events.js';
export { driftJson, driftTable } from './format.js';
export { parseIgnore } from './ignore.js';
export type * from './types.js';

export interface DriftOptions extends AwsOptions {
  template?: string;
  parameterFiles?: string[];
  parameters?: string[];
  snapshot?: string[];
  stackName?: string;
  cloudtrail?: string[];
  ignore?: string;
  /** Attribute only CloudTrail events at or after this time (default with a deployed stack: its last update). */
  since?: string;
  /** Account for AWS::AccountId (default: the snapshot's account). */
  accountId?: string;
  now?: string;
}

/** The account most configuration items belong to (resolves AWS::AccountId in offline runs). */
function accountOf(items: readonly { awsAccountId: string }[]): string | undefined {
  const n = new Map<string, number>();
  for (const i of items) if (/^\d{12}$/.test(i.awsAccountId)) n.set(i.awsAccountId, (n.get(i.awsAccountId) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function runDrift(o: DriftOptions): Promise<DriftReport> {
  if (!o.template && !o.stackName) throw new UsageError('give --template FILE or --stack-name NAME');
  if (!o.snapshot?.length && !o.stackName) throw new UsageError('give --snapshot FILE or --stack-name NAME (live)');
  const overrides: Record<string, string> = {};
  for (const kv of o.parameters ?? []) {
    const p = parseParameterOverride(kv);
    if (!p) throw new UsageError(`--parameter must look like Key=Value, got "${kv}"`);
    overrides[p[0]] = p[1];
  }
  const issues: string[] = [];
  const ignore = o.ignore ? parseIgnore(readText('--ignore', o.ignore), o.ignore) : undefined;
  if (ignore?.issues.length) throw new UsageError(ignore.issues.join('; '));

  // Offline (template + snapshot): --stack-name only selects the stack's resources by their CloudFormation tags.
  const offline = Boolean(o.template && o.snapshot?.length);
  const stack = o.stackName && !offline ? await loadStack(o.stackName, o) : undefined;
  const snap = o.snapshot?.length ? loadSnapshot(o.snapshot, issues) : undefined;
  const stackName = o.stackName ?? basename(o.template ?? 'stack').replace(/\.[^.]+$/, '');
  // A template file given with a deployed stack is the expected state (e.g. the version in git); else GetTemplate's.
  const template = o.template
    ? await loadTemplateFile(o.template, {
        parameterFiles: o.parameterFiles,
        parameters: overrides,
        region: o.region,
        accountId: o.accountId ?? (snap ? accountOf(snap.items) : undefined),
        stackName,
      })
    : stack!.template;
  const actual =
    snap ??
    (await collectLive(
      template.resources.map((r) => r.type),
      o,
      issues,
    ));
  const events = o.cloudtrail?.length ? await loadTrailEvents(o.cloudtrail, issues) : undefined;
  let since = stack?.lastUpdated;
  if (o.since !== undefined) {
    since = Date.parse(o.since);
    if (Number.isNaN(since)) throw new UsageError(`--since must be an ISO 8601 time, got "${o.since}"`);
  }
  const report = detectDrift({
    template,
    stackName,
    stackNameGiven: o.stackName !== undefined,
    stackId: stack?.stackId,
    physicalIds: stack?.physicalIds,
    items: actual.items,
    collectedTypes: actual.collectedTypes,
    events,
    since,
    ignore: ignore?.rules,
    now: o.now,
  });
  report.issues.push(...issues);
  return report;
}
