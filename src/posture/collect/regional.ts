/** Regional services other than EC2: CloudTrail, KMS, DynamoDB, RDS (instances, clusters, snapshots), GuardDuty. */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ListTagsOfResourceCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetAdministratorAccountCommand,
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { emptyCi } from '../model.js';
import { type Collection, lowerCamel, tagMap } from './context.js';

type Obj = Record<string, unknown>;
const acct = (col: Collection) => col.accountId ?? 'unknown';

export async function collectCloudTrail(col: Collection, region: string): Promise<void> {
  const ct = new CloudTrailClient(col.clientConfig(region));
  const S = 'cloudtrail';
  // Shadow trails of multi-region trails are excluded: each trail is reported once, in its home region.
  const res = await col.call(S, region, 'DescribeTrails', (abortSignal) =>
    ct.send(new DescribeTrailsCommand({ includeShadowTrails: false }), { abortSignal }),
  );
  if (!res) return;
  col.collectedTypes.add('AWS::CloudTrail::Trail');
  await Promise.all(
    (res.trailList ?? []).map(async (t) => {
      const [status, sel] = await Promise.all([
        col.call(S, region, 'GetTrailStatus', (abortSignal) =>
          ct.send(new GetTrailStatusCommand({ Name: t.TrailARN }), { abortSignal }),
        ),
        col.call(S, region, 'GetEventSelectors', (abortSignal) =>
          ct.send(new GetEventSelectorsCommand({ TrailName: t.TrailARN }), { abortSignal }),
        ),
      ]);
      const ci = emptyCi({
        resourceType: 'AWS::CloudTrail::Trail',
        resourceId: t.Name!,
        resourceName: t.Name,
        arn: t.TrailARN,
        awsRegion: region,
        awsAccountId: acct(col),
        configuration: lowerCamel(t) as Obj,
      });
      ci.configuration.trailARN = t.TrailARN;
      ci.configuration.snsTopicARN = t.SnsTopicARN;
      if (status) ci.supplementaryConfiguration.TrailStatus = lowerCamel(status);
      if (sel) {
        ci.supplementaryConfiguration.EventSelectors = lowerCamel(sel.EventSelectors ?? []);
        ci.supplementaryConfiguration.AdvancedEventSelectors = lowerCamel(sel.AdvancedEventSelectors ?? []);
      }
      col.add(ci);
    }),
  );
}

export async function collectKms(col: Collection, region: string): Promise<void> {
  const kms = new KMSClient(col.clientConfig(region));
  const S = 'kms';
  const res = await col.pages(S, region, 'ListKeys', async (Marker, abortSignal) => {
    const r = await kms.send(new ListKeysCommand({ Limit: 1000, Marker }), { abortSignal });
    return [r.Keys ?? [], r.Truncated ? r.NextMarker : undefined];
  });
  if (!res) return;
  col.collectedTypes.add('AWS::KMS::Key');
  await Promise.all(
    res.map(async (k) => {
      const d = await col.call(S, region, 'DescribeKey', (abortSignal) =>
        kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }), { abortSignal }),
      );
      const meta = d?.KeyMetadata;
      const customerSymmetric = meta?.KeyManager === 'CUSTOMER' && meta.KeySpec === 'SYMMETRIC_DEFAULT';
      // Rotation status exists only for customer managed symmetric keys; asking for others is an error.
      const rot = customerSymmetric
        ? await col.call(S, region, 'GetKeyRotationStatus', (abortSignal) =>
            kms.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }), { abortSignal }),
          )
        : undefined;
      // Customer managed keys' policies decide kms-key-policy-no-public-access; AWS managed keys' are AWS's.
      const pol =
        meta?.KeyManager === 'CUSTOMER'
          ? await col.call(S, region, 'GetKeyPolicy', (abortSignal) =>
              kms.send(new GetKeyPolicyCommand({ KeyId: k.KeyId, PolicyName: 'default' }), { abortSignal }),
            )
          : undefined;
      const ci = emptyCi({
        resourceType: 'AWS::KMS::Key',
        resourceId: k.KeyId!,
        arn: k.KeyArn,
        awsRegion: region,
        awsAccountId: meta?.AWSAccountId ?? acct(col),
        configuration: (lowerCamel(meta ?? {}) as Obj) ?? {},
      });
      if (meta) {
        ci.configuration.keyManager = meta.KeyManager;
        ci.configuration.keySpec = meta.KeySpec;
      }
      if (rot) ci.supplementaryConfiguration.KeyRotationStatus = rot.KeyRotationEnabled === true;
      if (pol?.Policy !== undefined) {
        try {
          ci.supplementaryConfiguration.KeyPolicy = JSON.parse(pol.Policy);
        } catch {
          ci.supplementaryConfiguration.KeyPolicy = pol.Policy;
        }
      }
      col.add(ci);
    }),
  );
}

export async function collectDynamoDb(col: Collection, region: string): Promise<void> {
  const ddb = new DynamoDBClient(col.clientConfig(region));
  const S = 'dynamodb';
  const res = await col.pages(S, region, 'ListTables', async (ExclusiveStartTableName, abortSignal) => {
    const r = await ddb.send(new ListTablesCommand({ ExclusiveStartTableName }), { abortSignal });
    return [r.TableNames ?? [], r.LastEvaluatedTableName];
  });
  if (!res) return;
  col.collectedTypes.add('AWS::DynamoDB::Table');
  await Promise.all(
    res.map(async (TableName) => {
      const [d, cb] = await Promise.all([
        col.call(S, region, 'DescribeTable', (abortSignal) =>
          ddb.send(new DescribeTableCommand({ TableName }), { abortSignal }),
        ),
        col.call(S, region, 'DescribeContinuousBackups', (abortSignal) =>
          ddb.send(new DescribeContinuousBackupsCommand({ TableName }), { abortSignal }),
        ),
      ]);
      // Tags decide AWS Backup selections by tag; DescribeTable does not return them.
      const arn = d?.Table?.TableArn;
      const tags = arn
        ? await col.pages(S, region, 'ListTagsOfResource', async (NextToken, abortSignal) => {
            const r = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn, NextToken }), { abortSignal });
            return [r.Tags ?? [], r.NextToken];
          })
        : undefined;
      const ci = emptyCi({
        resourceType: 'AWS::DynamoDB::Table',
        tags: tagMap(tags),
        resourceId: TableName,
        resourceName: TableName,
        arn: d?.Table?.TableArn,
        awsRegion: region,
        awsAccountId: acct(col),
        configuration: (lowerCamel(d?.Table ?? { tableName: TableName }) as Obj) ?? {},
      });
      if (cb?.ContinuousBackupsDescription)
        ci.supplementaryConfiguration.ContinuousBackupsDescription = lowerCamel(cb.ContinuousBackupsDescription);
      col.add(ci);
    }),
  );
}

export async function collectRds(col: Collection, region: string): Promise<void> {
  const rds = new RDSClient(col.clientConfig(region));
  const S = 'rds';
  const [inst, clus, snaps, clusSnaps] = await Promise.all([
    col.pages(S, region, 'DescribeDBInstances', async (Marker, abortSignal) => {
      const r = await rds.send(new DescribeDBInstancesCommand({ Marker }), { abortSignal });
      return [r.DBInstances ?? [], r.Marker];
    }),
    col.pages(S, region, 'DescribeDBClusters', async (Marker, abortSignal) => {
      const r = await rds.send(new DescribeDBClustersCommand({ Marker }), { abortSignal });
      return [r.DBClusters ?? [], r.Marker];
    }),
    col.pages(S, region, 'DescribeDBSnapshots', async (Marker, abortSignal) => {
      const r = await rds.send(new DescribeDBSnapshotsCommand({ Marker }), { abortSignal });
      return [r.DBSnapshots ?? [], r.Marker];
    }),
    col.pages(S, region, 'DescribeDBClusterSnapshots', async (Marker, abortSignal) => {
      const r = await rds.send(new DescribeDBClusterSnapshotsCommand({ Marker }), { abortSignal });
      return [r.DBClusterSnapshots ?? [], r.Marker];
    }),
  ]);
  if (inst) {
    col.collectedTypes.add('AWS::RDS::DBInstance');
    for (const i of inst)
      col.add(
        emptyCi({
          resourceType: 'AWS::RDS::DBInstance',
          resourceId: i.DBInstanceIdentifier!,
          resourceName: i.DBInstanceIdentifier,
          arn: i.DBInstanceArn,
          awsRegion: region,
          awsAccountId: acct(col),
          tags: tagMap(i.TagList),
          configuration: lowerCamel(i) as Obj,
        }),
      );
  }
  if (clus) {
    col.collectedTypes.add('AWS::RDS::DBCluster');
    for (const c of clus)
      col.add(
        emptyCi({
          resourceType: 'AWS::RDS::DBCluster',
          resourceId: c.DBClusterIdentifier!,
          resourceName: c.DBClusterIdentifier,
          arn: c.DBClusterArn,
          awsRegion: region,
          awsAccountId: acct(col),
          tags: tagMap(c.TagList),
          configuration: lowerCamel(c) as Obj,
        }),
      );
  }
  if (snaps) {
    col.collectedTypes.add('AWS::RDS::DBSnapshot');
    await Promise.all(
      snaps.map(async (sn) => {
        const a = await col.call(S, region, 'DescribeDBSnapshotAttributes', (abortSignal) =>
          rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: sn.DBSnapshotIdentifier }), {
            abortSignal,
          }),
        );
        const ci = emptyCi({
          resourceType: 'AWS::RDS::DBSnapshot',
          resourceId: sn.DBSnapshotIdentifier!,
          resourceName: sn.DBSnapshotIdentifier,
          arn: sn.DBSnapshotArn,
          awsRegion: region,
          awsAccountId: acct(col),
          tags: tagMap(sn.TagList),
          configuration: lowerCamel(sn) as Obj,
        });
        if (a)
          ci.supplementaryConfiguration.DBSnapshotAttributes = lowerCamel(
            a.DBSnapshotAttributesResult?.DBSnapshotAttributes ?? [],
          );
        col.add(ci);
      }),
    );
  }
  if (clusSnaps) {
    col.collectedTypes.add('AWS::RDS::DBClusterSnapshot');
    await Promise.all(
      clusSnaps.map(async (sn) => {
        const a = await col.call(S, region, 'DescribeDBClusterSnapshotAttributes', (abortSignal) =>
          rds.send(
            new DescribeDBClusterSnapshotAttributesCommand({
              DBClusterSnapshotIdentifier: sn.DBClusterSnapshotIdentifier,
            }),
            { abortSignal },
          ),
        );
        const ci = emptyCi({
          resourceType: 'AWS::RDS::DBClusterSnapshot',
          resourceId: sn.DBClusterSnapshotIdentifier!,
          resourceName: sn.DBClusterSnapshotIdentifier,
          arn: sn.DBClusterSnapshotArn,
          awsRegion: region,
          awsAccountId: acct(col),
          tags: tagMap(sn.TagList),
          configuration: lowerCamel(sn) as Obj,
        });
        if (a)
          ci.supplementaryConfiguration.DBClusterSnapshotAttributes = lowerCamel(
            a.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes ?? [],
          );
        col.add(ci);
      }),
    );
  }
}

export async function collectGuardDuty(col: Collection, region: string): Promise<void> {
  const gd = new GuardDutyClient(col.clientConfig(region));
  const S = 'guardduty';
  const res = await col.call(S, region, 'ListDetectors', (abortSignal) =>
    gd.send(new ListDetectorsCommand({}), { abortSignal }),
  );
  if (!res) return;
  col.collectedTypes.add('AWS::GuardDuty::Detector');
  await Promise.all(
    (res.DetectorIds ?? []).map(async (DetectorId) => {
      const [d, admin] = await Promise.all([
        col.call(S, region, 'GetDetector', (abortSignal) =>
          gd.send(new GetDetectorCommand({ DetectorId }), { abortSignal }),
        ),
        col.call(S, region, 'GetAdministratorAccount', (abortSignal) =>
          gd.send(new GetAdministratorAccountCommand({ DetectorId }), { abortSignal }),
        ),
      ]);
      const ci = emptyCi({
        resourceType: 'AWS::GuardDuty::Detector',
        resourceId: DetectorId,
        awsRegion: region,
        awsAccountId: acct(col),
        configuration: (lowerCamel(d ?? {}) as Obj) ?? {},
      });
      if (admin?.Administrator) ci.supplementaryConfiguration.Administrator = lowerCamel(admin.Administrator);
      col.add(ci);
    }),
  );
}
