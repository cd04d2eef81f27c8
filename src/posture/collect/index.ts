/**
 * `vigil collect`: every service collected once per region, services in parallel; partial failures recorded in the
 * snapshot, never fatal. Output is Vigil's snapshot format (inputs.ts), evaluated like any Config snapshot.
 */
import { VIGIL_SNAPSHOT_VERSION, type VigilSnapshot } from '../inputs.js';
import { ACCOUNT_TYPE, type AccountFacts, emptyCi } from '../model.js';
import { collectApps } from './apps-index.js';
import { collectBackup, collectSsm } from './backup-ssm.js';
import { Collection, type CollectOptions } from './context.js';
import { collectEc2 } from './ec2.js';
import { collectCloudFront, collectElbv2, collectWafv2 } from './edge.js';
import { collectIam } from './iam.js';
import { collectCloudTrail, collectDynamoDb, collectGuardDuty, collectKms, collectRds } from './regional.js';
import { collectS3 } from './s3.js';

export type { CollectError, CollectOptions } from './context.js';

export const SERVICES = [
  'ec2',
  'iam',
  's3',
  'cloudtrail',
  'kms',
  'dynamodb',
  'rds',
  'guardduty',
  'elbv2',
  'wafv2',
  'cloudfront',
  'backup',
  'ssm',
  'lambda',
  'sns',
  'sqs',
  'efs',
] as const;

export interface CollectResult {
  snapshot: VigilSnapshot;
  /** API calls made, per service:operation. */
  calls: Record<string, number>;
  totalCalls: number;
}

export async function collect(opts: CollectOptions): Promise<CollectResult> {
  const col = new Collection(opts);
  const want = new Set(opts.services ?? SERVICES);
  for (const s of want)
    if (!(SERVICES as readonly string[]).includes(s))
      throw new Error(`unknown service ${s} (known: ${SERVICES.join(', ')})`);
  const facts: AccountFacts = {};
  const progress = async (service: string, region: string, p: Promise<unknown>) => {
    const before = col.items.length;
    await p;
    opts.onProgress?.({ service, region, done: true, items: col.items.length - before });
  };
  // EC2 first in each region: its security-group owner gives the account ID the other services stamp on CIs.
  if (want.has('ec2')) {
    const ebs: Record<string, boolean> = {};
    await Promise.all(
      opts.regions.map((r) =>
        progress(
          'ec2',
          r,
          collectEc2(col, r).then((v) => {
            if (v !== undefined) ebs[r] = v;
          }),
        ),
      ),
    );
    if (Object.keys(ebs).length > 0) facts.ebsEncryptionByDefault = ebs;
  }
  const jobs: Promise<unknown>[] = [];
  if (want.has('iam')) jobs.push(progress('iam', 'global', collectIam(col, facts)));
  if (want.has('s3')) jobs.push(progress('s3', 'global', collectS3(col)));
  if (want.has('cloudfront')) jobs.push(progress('cloudfront', 'global', collectCloudFront(col)));
  // WAFv2 web ACLs: REGIONAL in every region, CLOUDFRONT once (through us-east-1); the type counts as collected
  // only when every list succeeded.
  if (want.has('wafv2')) {
    const scopes: [string, 'REGIONAL' | 'CLOUDFRONT'][] = opts.regions.map((r) => [r, 'REGIONAL']);
    scopes.push(['us-east-1', 'CLOUDFRONT']);
    jobs.push(
      progress(
        'wafv2',
        'all',
        Promise.all(scopes.map(([r, s]) => collectWafv2(col, r, s))).then((ok) => {
          if (ok.every(Boolean)) col.collectedTypes.add('AWS::WAFv2::WebACL');
        }),
      ),
    );
  }
  for (const r of opts.regions) {
    if (want.has('cloudtrail')) jobs.push(progress('cloudtrail', r, collectCloudTrail(col, r)));
    if (want.has('kms')) jobs.push(progress('kms', r, collectKms(col, r)));
    if (want.has('dynamodb')) jobs.push(progress('dynamodb', r, collectDynamoDb(col, r)));
    if (want.has('rds')) jobs.push(progress('rds', r, collectRds(col, r)));
    if (want.has('guardduty')) jobs.push(progress('guardduty', r, collectGuardDuty(col, r)));
    if (want.has('elbv2')) jobs.push(progress('elbv2', r, collectElbv2(col, r)));
    if (want.has('backup')) jobs.push(progress('backup', r, collectBackup(col, r)));
    if (want.has('ssm')) jobs.push(progress('ssm', r, collectSsm(col, r)));
    for (const [name, fn] of collectApps) if (want.has(name)) jobs.push(progress(name, r, fn(col, r)));
  }
  await Promise.all(jobs);
  const accountId = col.accountId ?? 'unknown';
  // Items collected before the account ID was known get it now.
  for (const ci of col.items) if (ci.awsAccountId === 'unknown') ci.awsAccountId = accountId;
  col.add(
    emptyCi({
      resourceType: ACCOUNT_TYPE,
      resourceId: accountId,
      awsAccountId: accountId,
      awsRegion: 'global',
      configuration: facts as Record<string, unknown>,
    }),
  );
  col.collectedTypes.add(ACCOUNT_TYPE);
  const capturedAt = new Date(opts.now ?? Date.now()).toISOString();
  for (const ci of col.items) ci.configurationItemCaptureTime ??= capturedAt;
  return {
    snapshot: {
      vigilSnapshot: VIGIL_SNAPSHOT_VERSION,
      collectedAt: capturedAt,
      collectedTypes: [...col.collectedTypes].sort(),
      errors: col.errors,
      configurationItems: col.items,
    },
    calls: Object.fromEntries([...col.calls].sort()),
    totalCalls: col.totalCalls(),
  };
}
