/** CloudTrail trail facts for the account-scoped CloudTrail rules; a multi-region trail is counted once. */
import type { ConfigItem } from '../model.js';
import type { EvalContext } from '../rule.js';
import { arr, bool, field } from './util.js';

export interface Trail {
  name: string;
  arn: string;
  ci: ConfigItem;
  multiRegion: boolean;
  /** undefined when the status was not collected. */
  logging: boolean | undefined;
  s3BucketName?: string;
  snsTopicArn?: string;
  logGroupArn?: string;
  kmsKeyId?: string;
  logFileValidation: boolean;
  latestCloudWatchLogsDelivery?: string;
  eventSelectors: unknown[];
  advancedEventSelectors: unknown[];
}

const s = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export function trailsOf(ctx: EvalContext, accountId: string): Trail[] {
  const seen = new Map<string, Trail>();
  for (const ci of ctx.itemsOf('AWS::CloudTrail::Trail')) {
    if (ci.awsAccountId !== accountId) continue;
    const c = ci.configuration;
    const arn = s(field(c, 'trailARN')) ?? ci.arn ?? ci.resourceId;
    if (seen.has(arn)) continue;
    const status = ci.supplementaryConfiguration.TrailStatus;
    seen.set(arn, {
      name: String(field(c, 'name') ?? ci.resourceName ?? ci.resourceId),
      arn,
      ci,
      multiRegion: bool(field(c, 'isMultiRegionTrail')) === true,
      logging: bool(field(status, 'isLogging')) ?? bool(field(c, 'isLogging')),
      s3BucketName: s(field(c, 's3BucketName')),
      snsTopicArn: s(field(c, 'snsTopicARN')) ?? s(field(c, 'snsTopicArn')),
      logGroupArn: s(field(c, 'cloudWatchLogsLogGroupArn')),
      kmsKeyId: s(field(c, 'kmsKeyId')),
      logFileValidation: bool(field(c, 'logFileValidationEnabled')) === true,
      latestCloudWatchLogsDelivery: s(field(status, 'latestCloudWatchLogsDeliveryTime')),
      eventSelectors: arr(ci.supplementaryConfiguration.EventSelectors),
      advancedEventSelectors: arr(ci.supplementaryConfiguration.AdvancedEventSelectors),
    });
  }
  return [...seen.values()];
}

/** Trails that are (or may be, when status is unknown) delivering. */
export function activeTrails(trails: Trail[]): Trail[] {
  return trails.filter((t) => t.logging !== false);
}

/** Management events with read/write All: default when no selectors are set. */
export function logsAllManagementEvents(t: Trail): boolean {
  if (t.advancedEventSelectors.length > 0)
    return t.advancedEventSelectors.some(
      (sel) =>
        arr(field(sel, 'fieldSelectors')).some(
          (f) => field(f, 'field') === 'eventCategory' && arr(field(f, 'equals')).includes('Management'),
        ) && !arr(field(sel, 'fieldSelectors')).some((f) => field(f, 'field') === 'readOnly'),
    );
  if (t.eventSelectors.length === 0) return true;
  return t.eventSelectors.some(
    (e) => bool(field(e, 'includeManagementEvents')) !== false && (field(e, 'readWriteType') ?? 'All') === 'All',
  );
}
