/**
 * `vigil detect --route FILE`: publish every finding as a "GuardDuty Finding" EventBridge event on an in-process
 * bus loaded from a bus config (the `bus:` section vigil bus serve reads), so the same rules, input shaping,
 * retries and dead-letter queues apply as on the server. Archived (suppressed) findings are not published, as
 * GuardDuty does not publish them (guardduty.md §6).
 */
import { readFileSync } from 'node:fs';
import { type BusPublishOptions, type BusPublishSummary, publishThroughBus } from '../bus/publish.js';
import { VigilError } from '../core/errors.js';
import { toEventBridge } from '../report/findings.js';
import type { Finding } from './types.js';

export interface RouteOptions extends BusPublishOptions {
  /** EventBridge `source` (default aws.guardduty, so AWS-written rules match unchanged). */
  source?: string;
}

export interface RouteResult extends BusPublishSummary {
  /** Findings not published because they are archived (`events` counts the published ones). */
  archivedSkipped: number;
}

export function readRouteConfig(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError(`--route ${file}: cannot read: ${(err as Error).message}`);
  }
}

export async function routeFindings(
  findings: readonly Finding[],
  config: { text: string; file: string },
  opts: RouteOptions = {},
): Promise<RouteResult> {
  let archivedSkipped = 0;
  const source = opts.source ?? 'aws.guardduty';
  function* events(): Generator<Record<string, unknown>> {
    for (const f of findings) {
      if (f.service.archived) archivedSkipped++;
      else yield toEventBridge(f, source);
    }
  }
  const r = await publishThroughBus(config, events(), opts);
  return { ...r, archivedSkipped };
}

/** One stderr line: `routed N findings: D delivered, L dead-lettered, X dropped, P pending (R deliveries)`. */
export function formatRouteSummary(r: RouteResult): string {
  return (
    `vigil detect: routed ${r.events} findings${r.archivedSkipped ? ` (${r.archivedSkipped} archived not published)` : ''}: ` +
    `${r.routed} deliveries, ${r.delivered} delivered, ${r.deadLettered} dead-lettered, ${r.dropped} dropped, ${r.pending} pending`
  );
}
