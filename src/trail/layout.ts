/**
 * Where CloudTrail puts digest and log files, and how the AWS CLI recognises them. Key shapes:
 *   <prefix>/AWSLogs/[<o-id>/]<account>/CloudTrail-Digest/<region>/<YYYY>/<MM>/<DD>/
 *     <account>_CloudTrail-Digest_<region>_<trail>_<home-region>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz
 *   <prefix>/AWSLogs/[<o-id>/]<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/
 *     <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz
 */
import { formatDayPath, formatKeyDate } from './time.js';

/** One digest chain: a trail's digests for one source region (and one member account of an organization trail). */
export interface ChainId {
  /** S3 key prefix of the trail, without a trailing slash ('' when none). */
  prefix: string;
  organizationId?: string;
  accountId: string;
  /** Region whose activity the digests cover (the CLI's `--region`). */
  sourceRegion: string;
  trailName: string;
  /** Region the trail was created in (from its ARN). */
  homeRegion: string;
}

export function isBackfillKey(key: string): boolean {
  return key.endsWith('_backfill.json.gz');
}

/** The `YYYYMMDDTHHMMSSZ` part of a digest key, cut by position exactly as the CLI does. */
export function digestKeyDate(key: string): string {
  return isBackfillKey(key) ? key.slice(-33, -17) : key.slice(-24, -8);
}

function chainRoot(c: Pick<ChainId, 'prefix' | 'organizationId' | 'accountId'>, folder: string): string {
  const org = c.organizationId ? `${c.organizationId}/` : '';
  const base = `AWSLogs/${org}${c.accountId}/${folder}`;
  return c.prefix ? `${c.prefix}/${base}` : base;
}

/** The listing prefix the CLI uses for a chain: `…/CloudTrail-Digest/<source-region>` (no trailing slash). */
export function digestListPrefix(c: ChainId): string {
  return `${chainRoot(c, 'CloudTrail-Digest')}/${c.sourceRegion}`;
}

/** The digest key CloudTrail would write for a digest ending at `endMs` (the CLI's listing marker uses this). */
export function digestKey(c: ChainId, endMs: number, backfill = false): string {
  const name = `${c.accountId}_CloudTrail-Digest_${c.sourceRegion}_${c.trailName}_${c.homeRegion}_${formatKeyDate(endMs)}`;
  return `${digestListPrefix(c)}/${formatDayPath(endMs)}/${name}${backfill ? '_backfill' : ''}.json.gz`;
}

/** Key of a log file delivered at `deliveryMs` with a unique suffix. */
export function logFileKey(c: Omit<ChainId, 'trailName' | 'homeRegion'>, deliveryMs: number, unique: string): string {
  const stamp = formatKeyDate(deliveryMs).slice(0, 13); // YYYYMMDDTHHmm
  const name = `${c.accountId}_CloudTrail_${c.sourceRegion}_${stamp}Z_${unique}.json.gz`;
  return `${chainRoot(c, 'CloudTrail')}/${c.sourceRegion}/${formatDayPath(deliveryMs)}/${name}`;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** The CLI's filter for "digests of this trail" (standard and backfill). */
export function digestKeyRegex(c: ChainId): RegExp {
  const a = escapeRe(c.accountId);
  const r = escapeRe(c.sourceRegion);
  const org = c.organizationId ? `${escapeRe(c.organizationId)}/` : '';
  const body =
    `AWSLogs/${org}${a}/CloudTrail\\-Digest/${r}/\\d+/\\d+/\\d+/${a}_CloudTrail\\-Digest_` +
    `${r}_${escapeRe(c.trailName)}_${escapeRe(c.homeRegion)}_.+(?:_backfill)?\\.json\\.gz`;
  return new RegExp(`^${c.prefix ? `${escapeRe(c.prefix)}/` : ''}${body}$`);
}

/**
 * Recognise any digest key and the chain it belongs to (used to discover trails in a bucket or directory).
 * The trail name may contain underscores; the home region never does, so it is the last field before the date.
 */
const DIGEST_KEY =
  /^(?:(.*)\/)?AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/CloudTrail-Digest\/([a-z0-9-]+)\/\d{4}\/\d{2}\/\d{2}\/\3_CloudTrail-Digest_\4_(.+)_([a-z0-9-]+)_(\d{8}T\d{6}Z)(_backfill)?\.json\.gz$/;

export function parseDigestKey(key: string): (ChainId & { date: string; backfill: boolean }) | undefined {
  const m = DIGEST_KEY.exec(key);
  if (!m) return undefined;
  const id: ChainId & { date: string; backfill: boolean } = {
    prefix: m[1] ?? '',
    accountId: m[3]!,
    sourceRegion: m[4]!,
    trailName: m[5]!,
    homeRegion: m[6]!,
    date: m[7]!,
    backfill: m[8] !== undefined,
  };
  if (m[2]) id.organizationId = m[2];
  return id;
}

export function chainKey(c: ChainId): string {
  return [c.prefix, c.organizationId ?? '', c.accountId, c.sourceRegion, c.trailName, c.homeRegion].join('\u0000');
}

/** `aws` partition of a region, for building trail ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

export function trailArn(homeRegion: string, accountId: string, trailName: string): string {
  return `arn:${partitionOf(homeRegion)}:cloudtrail:${homeRegion}:${accountId}:trail/${trailName}`;
}

/** Split a trail ARN as the CLI does (after checking it with the CLI's pattern). */
export function parseTrailArn(arn: string): { homeRegion: string; accountId: string; trailName: string } | undefined {
  if (!/^arn:.+:cloudtrail:.+:\d{12}:trail\/.+/.test(arn)) return undefined;
  const parts = arn.split(':');
  const name = arn.split('/').pop() ?? '';
  return { homeRegion: parts[3]!, accountId: parts[4]!, trailName: name };
}
