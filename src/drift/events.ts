/**
 * Drift on the bus. The stack-level event mirrors AWS's "CloudFormation Drift Detection Status Change" (CloudFormation
 * User Guide, event-detail-stack-drift-detection-change: detail `stack-id`, `stack-drift-detection-id`,
 * `status-details.{stack-drift-status, detection-status}`, `drift-detection-details`; `client-request-token` is
 * omitted: no API request started the run) so rules written
 * for AWS's event match with only `source` changed; each drifted resource and each unmanaged resource is one more
 * event carrying the full record (AWS has no per-resource drift event; the detail-types are Vigil's).
 */
import { randomUUID } from 'node:crypto';
import { type BusPublishSummary, publishThroughBus } from '../bus/publish.js';
import type { DriftReport } from './types.js';

export const DRIFT_SOURCE = 'vigil.drift';

const accountOf = (stackId: string) =>
  /^arn:[\w-]+:cloudformation:[^:]*:(\d{12}):/.exec(stackId)?.[1] ?? '123456789012';
const regionOf = (stackId: string) => /^arn:[\w-]+:cloudformation:([^:]+):/.exec(stackId)?.[1] ?? 'us-east-1';

export function driftEvents(r: DriftReport, source = DRIFT_SOURCE): Record<string, unknown>[] {
  const base = {
    version: '0',
    source,
    account: accountOf(r.StackId),
    time: r.Timestamp.replace(/\.\d{3}Z$/, 'Z'),
    region: regionOf(r.StackId),
  };
  const events: Record<string, unknown>[] = [
    {
      ...base,
      id: randomUUID(),
      'detail-type': 'CloudFormation Drift Detection Status Change',
      resources: [r.StackId],
      detail: {
        'stack-id': r.StackId,
        'stack-drift-detection-id': randomUUID(),
        'status-details': { 'stack-drift-status': r.StackDriftStatus, 'detection-status': 'DETECTION_COMPLETE' },
        'drift-detection-details': { 'drifted-stack-resource-count': r.DriftedStackResourceCount },
      },
    },
  ];
  for (const d of r.StackResourceDrifts)
    if (d.StackResourceDriftStatus === 'MODIFIED' || d.StackResourceDriftStatus === 'DELETED')
      events.push({
        ...base,
        id: randomUUID(),
        'detail-type': 'CloudFormation Resource Drift',
        resources: [r.StackId, d.PhysicalResourceId].filter(Boolean),
        detail: d,
      });
  for (const u of r.unmanaged)
    events.push({
      ...base,
      id: randomUUID(),
      'detail-type': 'Unmanaged Resource',
      resources: [u.arn ?? u.resourceId],
      detail: u,
    });
  return events;
}

/**
 * Publish the drift events on an in-process bus built from a bus config (the shared one-shot publisher: same rules,
 * input shaping, retries and dead-letter queues as `vigil bus serve`) and wait up to budgetMs for the deliveries.
 */
export function publishDrift(
  r: DriftReport,
  config: { text: string; file: string },
  budgetMs = 10_000,
): Promise<BusPublishSummary> {
  return publishThroughBus(config, driftEvents(r), {
    budgetMs,
    account: accountOf(r.StackId),
    region: regionOf(r.StackId),
  });
}
