import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketReplicationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { emptyCi } from '../model.js';
import { type Collection, lowerCamel, tagMap } from './context.js';

const GROUPS: Record<string, string> = {
  'http://acs.amazonaws.com/groups/global/AllUsers': 'AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers': 'AuthenticatedUsers',
  'http://acs.amazonaws.com/groups/s3/LogDelivery': 'LogDelivery',
};
const PERMISSION: Record<string, string> = {
  READ: 'Read',
  WRITE: 'Write',
  READ_ACP: 'ReadAcp',
  WRITE_ACP: 'WriteAcp',
  FULL_CONTROL: 'FullControl',
};

/** S3 buckets, each with the settings Config keeps in supplementaryConfiguration, in Config's own shapes. */
export async function collectS3(col: Collection): Promise<void> {
  const s3 = new S3Client({
    ...col.clientConfig('us-east-1'),
    forcePathStyle: Boolean(col.opts.endpoint),
    followRegionRedirects: true,
  });
  const S = 's3';
  const list = await col.call(S, 'global', 'ListBuckets', (abortSignal) =>
    s3.send(new ListBucketsCommand({}), { abortSignal }),
  );
  if (!list) return;
  col.collectedTypes.add('AWS::S3::Bucket');
  await Promise.all(
    (list.Buckets ?? []).map(async (b) => {
      const Bucket = b.Name!;
      const opt = <T>(op: string, fn: (signal: AbortSignal) => Promise<T>, nf: string[]) =>
        col.callOptional(S, 'global', op, fn, nf);
      const [loc, pol, acl, pab, enc, ver, log, rep, tags] = await Promise.all([
        col.call(S, 'global', 'GetBucketLocation', (abortSignal) =>
          s3.send(new GetBucketLocationCommand({ Bucket }), { abortSignal }),
        ),
        opt('GetBucketPolicy', (abortSignal) => s3.send(new GetBucketPolicyCommand({ Bucket }), { abortSignal }), [
          'NoSuchBucketPolicy',
        ]),
        col.call(S, 'global', 'GetBucketAcl', (abortSignal) =>
          s3.send(new GetBucketAclCommand({ Bucket }), { abortSignal }),
        ),
        opt(
          'GetPublicAccessBlock',
          (abortSignal) => s3.send(new GetPublicAccessBlockCommand({ Bucket }), { abortSignal }),
          ['NoSuchPublicAccessBlockConfiguration'],
        ),
        opt(
          'GetBucketEncryption',
          (abortSignal) => s3.send(new GetBucketEncryptionCommand({ Bucket }), { abortSignal }),
          ['ServerSideEncryptionConfigurationNotFoundError'],
        ),
        col.call(S, 'global', 'GetBucketVersioning', (abortSignal) =>
          s3.send(new GetBucketVersioningCommand({ Bucket }), { abortSignal }),
        ),
        col.call(S, 'global', 'GetBucketLogging', (abortSignal) =>
          s3.send(new GetBucketLoggingCommand({ Bucket }), { abortSignal }),
        ),
        opt(
          'GetBucketReplication',
          (abortSignal) => s3.send(new GetBucketReplicationCommand({ Bucket }), { abortSignal }),
          ['ReplicationConfigurationNotFoundError'],
        ),
        opt('GetBucketTagging', (abortSignal) => s3.send(new GetBucketTaggingCommand({ Bucket }), { abortSignal }), [
          'NoSuchTagSet',
        ]),
      ]);
      const region = loc ? loc.LocationConstraint || 'us-east-1' : 'us-east-1';
      const supp: Record<string, unknown> = {};
      if (pol !== undefined) supp.BucketPolicy = { policyText: pol?.Policy ?? null };
      if (acl)
        supp.AccessControlList = {
          owner: { id: acl.Owner?.ID, displayName: acl.Owner?.DisplayName ?? null },
          grantList: (acl.Grants ?? []).map((g) => ({
            grantee: g.Grantee?.URI
              ? (GROUPS[g.Grantee.URI] ?? g.Grantee.URI)
              : { id: g.Grantee?.ID, displayName: g.Grantee?.DisplayName ?? null },
            permission: PERMISSION[g.Permission ?? ''] ?? g.Permission,
          })),
        };
      if (pab !== undefined)
        supp.PublicAccessBlockConfiguration = pab ? lowerCamel(pab.PublicAccessBlockConfiguration) : null;
      if (enc !== undefined)
        supp.ServerSideEncryptionConfiguration = enc
          ? {
              rules: (enc.ServerSideEncryptionConfiguration?.Rules ?? []).map((r) => ({
                applyServerSideEncryptionByDefault: {
                  sseAlgorithm: r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
                  kmsMasterKeyID: r.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? null,
                },
                bucketKeyEnabled: r.BucketKeyEnabled ?? false,
              })),
            }
          : null;
      if (ver)
        supp.BucketVersioningConfiguration = {
          status: ver.Status ?? 'Off',
          isMfaDeleteEnabled: ver.MFADelete === undefined ? null : ver.MFADelete === 'Enabled',
        };
      if (log)
        supp.BucketLoggingConfiguration = {
          destinationBucketName: log.LoggingEnabled?.TargetBucket ?? null,
          logFilePrefix: log.LoggingEnabled?.TargetPrefix ?? null,
        };
      if (rep !== undefined)
        supp.BucketReplicationConfiguration = rep
          ? {
              roleARN: rep.ReplicationConfiguration?.Role,
              rules: Object.fromEntries(
                (rep.ReplicationConfiguration?.Rules ?? []).map((r, i) => [
                  r.ID ?? `rule-${i}`,
                  {
                    status: r.Status,
                    prefix: r.Prefix ?? null,
                    destinationConfig: { bucketARN: r.Destination?.Bucket },
                  },
                ]),
              ),
            }
          : null;
      const ci = emptyCi({
        resourceType: 'AWS::S3::Bucket',
        resourceId: Bucket,
        resourceName: Bucket,
        arn: `arn:aws:s3:::${Bucket}`,
        awsRegion: region,
        awsAccountId: col.accountId ?? 'unknown',
        configuration: { name: Bucket, creationDate: b.CreationDate?.toISOString() },
        supplementaryConfiguration: supp,
        tags: tags ? tagMap(tags.TagSet) : {},
      });
      col.add(ci);
    }),
  );
}
