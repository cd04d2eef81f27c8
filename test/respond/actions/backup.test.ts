import {
  BackupClient,
  CreateBackupPlanCommand,
  CreateBackupSelectionCommand,
  GetBackupSelectionCommand,
  ListBackupSelectionsCommand,
} from '@aws-sdk/client-backup';
import { CreateTableCommand, DescribeContinuousBackupsCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext, AwsClientConfig } from '../../../src/respond/action.js';
import {
  backupAddResource,
  defaultSelectionName,
  selectionCovers,
} from '../../../src/respond/actions/backup-add-resource.js';
import { dynamodbEnablePitr } from '../../../src/respond/actions/dynamodb-enable-pitr.js';
import { decideRetention, rdsSetBackupRetention } from '../../../src/respond/actions/rds-set-backup-retention.js';
import type { MotoServer } from '../../helpers/moto.js';
import { motoAvailable, params, planApplyReplan, type SdkConfig, startMotoContext } from './harness.js';

describe('backup decisions (pure)', () => {
  it('retention: raises, never lowers by default; Aurora refuses 0', () => {
    const p = params(rdsSetBackupRetention, { dbInstanceIdentifier: 'db' });
    expect(decideRetention(p, 1, false)).toEqual({ change: true });
    expect(decideRetention(p, 14, false)).toEqual({ change: false });
    expect(decideRetention({ ...p, onlyIncrease: false }, 14, false)).toEqual({ change: true });
    expect(decideRetention({ ...p, retentionDays: 0 }, 1, true).error).toBe(
      'Aurora backup retention must be 1–35 days',
    );
    expect(params(rdsSetBackupRetention, { dbInstanceIdentifier: 'db' }).retentionDays).toBe(7);
    expect(() => params(rdsSetBackupRetention, { dbInstanceIdentifier: 'db', retentionDays: 36 })).toThrow(
      'rds-set-backup-retention: parameter retentionDays: Too big',
    );
  });
  it('backup selection coverage: exact, wildcard, other', () => {
    const arn = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
    expect(selectionCovers([arn], arn)).toBe(true);
    expect(selectionCovers(['arn:aws:dynamodb:*:*:table/*'], arn)).toBe(true);
    expect(selectionCovers(['arn:aws:rds:*'], arn)).toBe(false);
    expect(defaultSelectionName(arn)).toBe('vigil-orders');
  });
});

/**
 * moto 5.2 implements backup plans but not backup selections: this wraps the context's Backup client so the three
 * selection operations are served from memory (keyed by plan id) and everything else goes to moto.
 */
function withBackupSelectionStub(ctx: ActionContext): ActionContext {
  const selections = new Map<
    string,
    { SelectionId: string; SelectionName: string; IamRoleArn: string; Resources: string[] }[]
  >();
  let proxy: unknown;
  return {
    ...ctx,
    client<T>(service: string, create: (c: AwsClientConfig) => T): T {
      const real = ctx.client(service, create);
      if (service !== 'backup') return real;
      proxy ??= {
        async send(cmd: { input: Record<string, unknown> }) {
          const input = cmd.input;
          const planId = input.BackupPlanId as string;
          const list = selections.get(planId) ?? [];
          if (cmd instanceof ListBackupSelectionsCommand) {
            return {
              BackupSelectionsList: list.map(({ SelectionId, SelectionName }) => ({ SelectionId, SelectionName })),
            };
          }
          if (cmd instanceof GetBackupSelectionCommand) {
            const s = list.find((x) => x.SelectionId === input.SelectionId);
            return {
              BackupSelection: s && {
                SelectionName: s.SelectionName,
                IamRoleArn: s.IamRoleArn,
                Resources: s.Resources,
              },
            };
          }
          if (cmd instanceof CreateBackupSelectionCommand) {
            const sel = input.BackupSelection as { SelectionName: string; IamRoleArn: string; Resources: string[] };
            const SelectionId = `sel-${list.length + 1}`;
            selections.set(planId, [...list, { SelectionId, ...sel }]);
            return { SelectionId, BackupPlanId: planId };
          }
          return (real as unknown as { send(c: unknown): Promise<unknown> }).send(cmd);
        },
      };
      return proxy as T;
    },
  };
}

describe.skipIf(!motoAvailable())('backup actions against moto_server', () => {
  let moto: MotoServer;
  let ctx: ActionContext;
  let config: SdkConfig;

  let stubbed: ActionContext;

  beforeAll(async () => {
    ({ moto, ctx, config } = await startMotoContext());
    stubbed = withBackupSelectionStub(ctx);
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('rds-set-backup-retention: instance raised to 7 days, read back', async () => {
    const rds = new RDSClient(config);
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders-db',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'mysql',
        MasterUsername: 'admin',
        MasterUserPassword: 'password123',
        AllocatedStorage: 20,
        BackupRetentionPeriod: 0,
      }),
    );
    const { plan } = await planApplyReplan(rdsSetBackupRetention, ctx, { dbInstanceIdentifier: 'orders-db' });
    expect(plan.calls[0]).toMatchObject({
      action: 'rds:ModifyDBInstance',
      params: { DBInstanceIdentifier: 'orders-db', BackupRetentionPeriod: 7, ApplyImmediately: true },
    });
    const got = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders-db' })))
      .DBInstances![0]!;
    expect(got.BackupRetentionPeriod).toBe(7);
  });

  it('rds-set-backup-retention: an Aurora cluster, read back', async () => {
    const rds = new RDSClient(config);
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'aurora-1',
        Engine: 'aurora-postgresql',
        MasterUsername: 'admin',
        MasterUserPassword: 'password123',
        BackupRetentionPeriod: 1,
      }),
    );
    const { plan } = await planApplyReplan(rdsSetBackupRetention, ctx, {
      dbClusterIdentifier: 'aurora-1',
      retentionDays: 14,
    });
    expect(plan.calls[0]!.action).toBe('rds:ModifyDBCluster');
    const got = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'aurora-1' }))).DBClusters![0]!;
    expect(got.BackupRetentionPeriod).toBe(14);
  });

  it('dynamodb-enable-pitr: enabled, read back', async () => {
    const ddb = new DynamoDBClient(config);
    await ddb.send(
      new CreateTableCommand({
        TableName: 'orders',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await planApplyReplan(dynamodbEnablePitr, ctx, { tableName: 'orders' });
    const got = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'orders' }));
    expect(got.ContinuousBackupsDescription!.PointInTimeRecoveryDescription!.PointInTimeRecoveryStatus).toBe('ENABLED');
  });

  it('backup-add-resource: selection created with the resource, read back', async () => {
    const bk = new BackupClient(config);
    const planId = (
      await bk.send(
        new CreateBackupPlanCommand({
          BackupPlan: { BackupPlanName: 'daily', Rules: [{ RuleName: 'daily', TargetBackupVaultName: 'Default' }] },
        }),
      )
    ).BackupPlanId!;
    const arn = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
    const { plan } = await planApplyReplan(backupAddResource, stubbed, { backupPlanId: planId, resourceArn: arn });
    expect(plan.calls[0]!.params).toEqual({
      BackupPlanId: planId,
      BackupSelection: {
        SelectionName: 'vigil-orders',
        IamRoleArn: 'arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole',
        Resources: [arn],
      },
    });
    expect(plan.observed.backupPlanName).toBe('daily'); // read from moto
    const stub = stubbed.client('backup', () => undefined) as unknown as BackupClient;
    const list = await stub.send(new ListBackupSelectionsCommand({ BackupPlanId: planId }));
    const sel = await stub.send(
      new GetBackupSelectionCommand({ BackupPlanId: planId, SelectionId: list.BackupSelectionsList![0]!.SelectionId }),
    );
    expect(sel.BackupSelection!.Resources).toEqual([arn]);
    // A plan moto does not know is blocked with AWS's error code.
    const missing = await backupAddResource.plan(
      params(backupAddResource, { backupPlanId: 'no-such-plan', resourceArn: arn }),
      stubbed,
    );
    expect(missing.blocked).toMatch(/^ResourceNotFoundException: /);
  });
});
